/* The sealed agent message tests' fixture (agent_msg_fixture.h). */
#include "support/agent_msg_fixture.h"

#include <check.h>
#include <sodium.h>
#include <string.h>

/* What amfix_open_as puts in the outputs before the call: a refusal
 * must leave them so. */
#define SENTINEL ((GBytes *)(uintptr_t)0x5A5A)
#define FILL 0xA5

uint64_t amfix_splitmix(void *ctx)
{
    uint64_t *s = ctx;
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static bool lookup(void *ctx, uint32_t account, agent_msg_peer *out)
{
    const amfix_registry *reg = ctx;
    for (size_t i = 0; i < reg->count; i++) {
        if (reg->accounts[i] == account) {
            *out = reg->peers[i];
            return true;
        }
    }
    return false;
}

static void self_make(agent_msg_self *s, uint32_t account)
{
    char label[32];
    g_snprintf(label, sizeof label, "account/%u", account);
    s->account = account;
    proto_keypair_derive(&s->identity, AMFIX_SEED, label);
    agent_msg_keypair_derive(&s->box, AMFIX_SEED, label);
}

static void registry_add(amfix_registry *reg, const agent_msg_self *s)
{
    reg->accounts[reg->count] = s->account;
    reg->peers[reg->count] = (agent_msg_peer){.identity = s->identity.pk, .box = s->box.pk};
    reg->count++;
}

void amfix_init(amfix *f, proto_crypto_mode mode)
{
    memset(f, 0, sizeof *f);
    f->c = proto_crypto_new(mode, 4096);
    self_make(&f->alice, AMFIX_ALICE);
    self_make(&f->bob, AMFIX_BOB);
    self_make(&f->carol, AMFIX_CAROL);
    registry_add(&f->reg, &f->alice);
    registry_add(&f->reg, &f->bob);
    registry_add(&f->reg, &f->carol);
    f->rng = 1;
}

void amfix_clear(amfix *f)
{
    proto_crypto_free(f->c);
}

agent_msg_header amfix_header(uint8_t kind, uint32_t from, uint32_t to, uint64_t seq)
{
    return (agent_msg_header){.kind = kind, .from = from, .to = to, .job = AMFIX_JOB, .seq = seq};
}

GBytes *amfix_seal_text(amfix *f, const agent_msg_self *from, const agent_msg_self *to,
                        uint64_t seq, const char *text)
{
    agent_msg_header h = amfix_header(AGENT_MSG_JOB_INPUT, from->account, to->account, seq);
    GBytes *wire =
        agent_msg_seal(f->c, from, &h, &to->box.pk, text, strlen(text), amfix_splitmix, &f->rng);
    ck_assert_ptr_nonnull(wire);
    return wire;
}

agent_msg_result amfix_open_as(amfix *f, const agent_msg_self *self, agent_msg_replay *r,
                               const uint8_t *data, size_t size, agent_msg_header *h,
                               GBytes **plain)
{
    memset(h, FILL, sizeof *h);
    *plain = SENTINEL;
    agent_msg_result res = agent_msg_open(f->c, self, lookup, &f->reg, r, data, size, h, plain);
    if (res != AGENT_MSG_OK) {
        agent_msg_header fill;
        memset(&fill, FILL, sizeof fill);
        ck_assert_msg(*plain == SENTINEL && memcmp(h, &fill, sizeof fill) == 0,
                      "output written on refusal (%s)", agent_msg_result_name(res));
    }
    return res;
}

agent_msg_result amfix_open_bytes(amfix *f, const agent_msg_self *self, agent_msg_replay *r,
                                  GBytes *wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    agent_msg_header h;
    GBytes *plain;
    agent_msg_result res = amfix_open_as(f, self, r, data, size, &h, &plain);
    if (res == AGENT_MSG_OK)
        g_bytes_unref(plain);
    return res;
}

GByteArray *amfix_patched(GBytes *wire, size_t at, uint8_t mask)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    GByteArray *a = g_byte_array_sized_new((guint)size);
    g_byte_array_append(a, data, (guint)size);
    ck_assert_uint_lt(at, size);
    a->data[at] ^= mask;
    return a;
}

agent_msg_result amfix_open_patched(amfix *f, agent_msg_replay *r, GBytes *wire, size_t at,
                                    uint8_t mask)
{
    GByteArray *a = amfix_patched(wire, at, mask);
    agent_msg_header h;
    GBytes *plain;
    agent_msg_result res = amfix_open_as(f, &f->bob, r, a->data, a->len, &h, &plain);
    if (res == AGENT_MSG_OK)
        g_bytes_unref(plain);
    g_byte_array_unref(a);
    return res;
}

void amfix_resign(amfix *f, uint8_t *bytes, size_t size, const agent_msg_self *signer)
{
    static const char tag[] = "aitbc-agent-msg1";
    crypto_generichash_state st;
    proto_hash digest;
    crypto_generichash_init(&st, NULL, 0, PROTO_HASH_SIZE);
    crypto_generichash_update(&st, (const uint8_t *)tag, sizeof tag - 1);
    crypto_generichash_update(&st, bytes, size - PROTO_SIG_SIZE);
    crypto_generichash_final(&st, digest.bytes, PROTO_HASH_SIZE);
    proto_sig sig;
    proto_sign(f->c, &sig, digest.bytes, PROTO_HASH_SIZE, &signer->identity);
    memcpy(bytes + size - PROTO_SIG_SIZE, sig.bytes, PROTO_SIG_SIZE);
}

bool amfix_contains(const uint8_t *hay, size_t hay_size, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= hay_size; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return true;
    return false;
}
