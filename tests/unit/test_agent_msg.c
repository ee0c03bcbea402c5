/* Unit tests for sealed agent-to-agent messages (protocol/agents/agent_msg.c).
 *
 * Three agents (alice 10, bob 20, carol 30) with keys derived from one
 * seed, a registry lookup over them, and a splitmix64 stream for nonces
 * (support/agent_msg_fixture.h, with the helpers that seal, open and
 * patch messages). A sealed message round-trips with its header, in both
 * crypto modes, and the network sees no plaintext; every header field and every
 * ciphertext byte is covered by the signature; a ciphertext re-signed by
 * another agent does not open (the box names its sender too); replays
 * are refused and counted while reordering within the window passes;
 * a message for someone else or from an unknown sender is refused; the
 * replay state survives serialisation and refuses corrupt bytes. Then a
 * corpus loop: every truncation and every single bit flip of valid
 * messages never opens, never writes the outputs and never moves the
 * replay state. */
#include <check.h>
#include <glib.h>
#include <sodium.h>
#include <string.h>

#include "protocol/agents/agent_msg.h"
#include "protocol/core/codec.h"
#include "support/agent_msg_fixture.h"

/* ---- round trips ---- */

static void round_trip(proto_crypto_mode mode)
{
    amfix f;
    amfix_init(&f, mode);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 16);
    const char *text = "summarise: the quick brown fox jumps over the lazy dog";
    GBytes *wire = amfix_seal_text(&f, &f.alice, &f.bob, 1, text);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    ck_assert_uint_eq(size,
                      AGENT_MSG_HEADER_SIZE + strlen(text) + AGENT_MSG_MAC_SIZE + PROTO_SIG_SIZE);
    ck_assert_uint_eq(data[0], AGENT_MSG_VERSION);
    ck_assert_uint_eq(data[AMFIX_OFF_KIND], AGENT_MSG_JOB_INPUT);
    ck_assert_uint_eq(proto_le_get_u32(data + AMFIX_OFF_FROM), AMFIX_ALICE);
    ck_assert_uint_eq(proto_le_get_u32(data + AMFIX_OFF_TO), AMFIX_BOB);
    ck_assert_uint_eq(proto_le_get_u64(data + AMFIX_OFF_JOB), AMFIX_JOB);
    ck_assert_uint_eq(proto_le_get_u64(data + AMFIX_OFF_SEQ), 1);
    ck_assert_uint_eq(proto_le_get_u32(data + AMFIX_OFF_CT_SIZE),
                      strlen(text) + AGENT_MSG_MAC_SIZE);
    /* The network sees no plaintext. */
    ck_assert(!amfix_contains(data, size, "quick brown"));

    agent_msg_header h;
    ck_assert_int_eq(agent_msg_peek(data, size, &h), AGENT_MSG_OK);
    ck_assert_uint_eq(h.to, AMFIX_BOB);
    GBytes *plain = NULL;
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, data, size, &h, &plain), AGENT_MSG_OK);
    ck_assert_uint_eq(h.kind, AGENT_MSG_JOB_INPUT);
    ck_assert_uint_eq(h.from, AMFIX_ALICE);
    ck_assert_uint_eq(h.to, AMFIX_BOB);
    ck_assert_uint_eq(h.job, AMFIX_JOB);
    ck_assert_uint_eq(h.seq, 1);
    ck_assert_uint_eq(g_bytes_get_size(plain), strlen(text));
    ck_assert_mem_eq(g_bytes_get_data(plain, NULL), text, strlen(text));
    g_bytes_unref(plain);
    ck_assert_uint_eq(r.counts[AGENT_MSG_OK], 1);

    /* The reply: a job result, bob -> alice. */
    agent_msg_replay ra;
    agent_msg_replay_init(&ra, 16);
    agent_msg_header hr = amfix_header(AGENT_MSG_JOB_RESULT, AMFIX_BOB, AMFIX_ALICE, 1);
    GBytes *reply =
        agent_msg_seal(f.c, &f.bob, &hr, &f.alice.box.pk, "42", 2, amfix_splitmix, &f.rng);
    ck_assert_int_eq(amfix_open_as(&f, &f.alice, &ra, g_bytes_get_data(reply, NULL),
                                   g_bytes_get_size(reply), &h, &plain),
                     AGENT_MSG_OK);
    ck_assert_uint_eq(h.kind, AGENT_MSG_JOB_RESULT);
    ck_assert_mem_eq(g_bytes_get_data(plain, NULL), "42", 2);
    g_bytes_unref(plain);
    g_bytes_unref(reply);
    agent_msg_replay_clear(&ra);
    g_bytes_unref(wire);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}

START_TEST(test_round_trip_real)
{
    round_trip(PROTO_CRYPTO_REAL);
}
END_TEST

START_TEST(test_round_trip_fast)
{
    round_trip(PROTO_CRYPTO_FAST);
}
END_TEST

/* Empty and largest plaintexts. */
START_TEST(test_sizes)
{
    amfix f;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    agent_msg_header h = amfix_header(AGENT_MSG_JOB_INPUT, AMFIX_ALICE, AMFIX_BOB, 1);
    GBytes *empty =
        agent_msg_seal(f.c, &f.alice, &h, &f.bob.box.pk, NULL, 0, amfix_splitmix, &f.rng);
    ck_assert_uint_eq(g_bytes_get_size(empty), AGENT_MSG_WIRE_SIZE_MIN);
    agent_msg_header out;
    GBytes *plain = NULL;
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, g_bytes_get_data(empty, NULL),
                                   g_bytes_get_size(empty), &out, &plain),
                     AGENT_MSG_OK);
    ck_assert_uint_eq(g_bytes_get_size(plain), 0);
    g_bytes_unref(plain);

    uint8_t *big = g_malloc(AGENT_MSG_PLAINTEXT_MAX);
    for (size_t i = 0; i < AGENT_MSG_PLAINTEXT_MAX; i++)
        big[i] = (uint8_t)(i * 7);
    h.seq = 2;
    GBytes *wire = agent_msg_seal(f.c, &f.alice, &h, &f.bob.box.pk, big, AGENT_MSG_PLAINTEXT_MAX,
                                  amfix_splitmix, &f.rng);
    ck_assert_uint_eq(g_bytes_get_size(wire), AGENT_MSG_WIRE_SIZE_MAX);
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, g_bytes_get_data(wire, NULL),
                                   g_bytes_get_size(wire), &out, &plain),
                     AGENT_MSG_OK);
    ck_assert_uint_eq(g_bytes_get_size(plain), AGENT_MSG_PLAINTEXT_MAX);
    ck_assert_mem_eq(g_bytes_get_data(plain, NULL), big, AGENT_MSG_PLAINTEXT_MAX);
    g_bytes_unref(plain);
    g_free(big);
    g_bytes_unref(wire);
    g_bytes_unref(empty);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}
END_TEST

/* ---- tampering ---- */

static void tamper(proto_crypto_mode mode)
{
    amfix f;
    amfix_init(&f, mode);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    GBytes *wire = amfix_seal_text(&f, &f.alice, &f.bob, 5, "input bytes");
    size_t size = g_bytes_get_size(wire);
    /* Ciphertext and signature bytes. */
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AGENT_MSG_HEADER_SIZE, 0x01),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, size - PROTO_SIG_SIZE - 1, 0x80),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, size - 1, 0x01), AGENT_MSG_BAD_SIGNATURE);
    /* Every header field: kind (to the other valid kind), job, seq, nonce;
     * from to another registered sender; to another account. */
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AMFIX_OFF_KIND,
                                        AGENT_MSG_JOB_INPUT ^ AGENT_MSG_JOB_RESULT),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AMFIX_OFF_JOB, 0x01),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AMFIX_OFF_JOB + 7, 0x80),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AMFIX_OFF_SEQ, 0x02),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AMFIX_OFF_NONCE + 3, 0x10),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AMFIX_OFF_FROM, AMFIX_ALICE ^ AMFIX_CAROL),
                     AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, AMFIX_OFF_TO, AMFIX_BOB ^ AMFIX_CAROL),
                     AGENT_MSG_NOT_FOR_ME);
    /* Nothing was recorded: the untouched message still opens once. */
    ck_assert_uint_eq(r.senders_count, 0);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, wire), AGENT_MSG_OK);
    ck_assert_uint_eq(r.counts[AGENT_MSG_BAD_SIGNATURE], 9);
    ck_assert_uint_eq(r.counts[AGENT_MSG_NOT_FOR_ME], 1);
    g_bytes_unref(wire);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}

START_TEST(test_tamper_real)
{
    tamper(PROTO_CRYPTO_REAL);
}
END_TEST

START_TEST(test_tamper_fast)
{
    tamper(PROTO_CRYPTO_FAST);
}
END_TEST

/* Validly signed messages whose box does not open: carol re-signs
 * alice's ciphertext as her own (the box names alice's X25519 key, not
 * carol's), and alice's registry key has been rotated since she sealed. */
START_TEST(test_bad_ciphertext)
{
    amfix f;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    GBytes *wire = amfix_seal_text(&f, &f.alice, &f.bob, 1, "alice's input");
    GByteArray *stolen = amfix_patched(wire, AMFIX_OFF_FROM, AMFIX_ALICE ^ AMFIX_CAROL);
    amfix_resign(&f, stolen->data, stolen->len, &f.carol);
    agent_msg_header h;
    GBytes *plain;
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, stolen->data, stolen->len, &h, &plain),
                     AGENT_MSG_BAD_CIPHERTEXT);
    g_byte_array_unref(stolen);

    agent_msg_keypair rotated;
    agent_msg_keypair_derive(&rotated, AMFIX_SEED, "account/10/rotated");
    f.reg.peers[0].box = rotated.pk;
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, wire), AGENT_MSG_BAD_CIPHERTEXT);
    /* A small-order (all-zero) key: seal refuses it, open cannot use it. */
    memset(&f.reg.peers[0].box, 0, sizeof f.reg.peers[0].box);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, wire), AGENT_MSG_BAD_CIPHERTEXT);
    proto_pubkey zero;
    memset(&zero, 0, sizeof zero);
    agent_msg_header hh = amfix_header(AGENT_MSG_JOB_INPUT, AMFIX_ALICE, AMFIX_BOB, 2);
    ck_assert_ptr_null(agent_msg_seal(f.c, &f.alice, &hh, &zero, "x", 1, amfix_splitmix, &f.rng));
    ck_assert_uint_eq(r.senders_count, 0);
    ck_assert_uint_eq(r.counts[AGENT_MSG_BAD_CIPHERTEXT], 3);
    g_bytes_unref(wire);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}
END_TEST

/* ---- addressing ---- */

START_TEST(test_not_for_me_and_unknown_sender)
{
    amfix f;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    GBytes *wire = amfix_seal_text(&f, &f.alice, &f.bob, 1, "for bob");
    ck_assert_int_eq(amfix_open_bytes(&f, &f.carol, &r, wire), AGENT_MSG_NOT_FOR_ME);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.alice, &r, wire), AGENT_MSG_NOT_FOR_ME);
    f.reg.count = 0; /* nobody registered */
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, wire), AGENT_MSG_UNKNOWN_SENDER);
    f.reg.count = 3;
    f.reg.accounts[0] = 11; /* alice's account no longer known */
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, wire), AGENT_MSG_UNKNOWN_SENDER);
    ck_assert_uint_eq(r.counts[AGENT_MSG_NOT_FOR_ME], 2);
    ck_assert_uint_eq(r.counts[AGENT_MSG_UNKNOWN_SENDER], 2);
    ck_assert_uint_eq(r.senders_count, 0);
    g_bytes_unref(wire);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}
END_TEST

/* ---- replay ---- */

START_TEST(test_replay_and_reorder)
{
    amfix f;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    GBytes *m1 = amfix_seal_text(&f, &f.alice, &f.bob, 1, "one");
    GBytes *m2 = amfix_seal_text(&f, &f.alice, &f.bob, 2, "two");
    GBytes *m3 = amfix_seal_text(&f, &f.alice, &f.bob, 3, "three");
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m1), AGENT_MSG_OK);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m1), AGENT_MSG_REPLAY);
    /* Reordered: 3 before 2, both accepted once. */
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m3), AGENT_MSG_OK);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m2), AGENT_MSG_OK);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m2), AGENT_MSG_REPLAY);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m3), AGENT_MSG_REPLAY);
    ck_assert_uint_eq(r.counts[AGENT_MSG_OK], 3);
    ck_assert_uint_eq(r.counts[AGENT_MSG_REPLAY], 3);

    /* The window: after 100, seq 37 (63 behind) passes, 36 (64 behind) is stale. */
    GBytes *m100 = amfix_seal_text(&f, &f.alice, &f.bob, 100, "hundred");
    GBytes *m37 = amfix_seal_text(&f, &f.alice, &f.bob, 37, "late");
    GBytes *m36 = amfix_seal_text(&f, &f.alice, &f.bob, 36, "too late");
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m100), AGENT_MSG_OK);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m36), AGENT_MSG_STALE);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m37), AGENT_MSG_OK);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m37), AGENT_MSG_REPLAY);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m3), AGENT_MSG_STALE);
    ck_assert_int_eq(agent_msg_replay_check(&r, AMFIX_ALICE, 0), AGENT_MSG_STALE);
    ck_assert_int_eq(agent_msg_replay_check(&r, AMFIX_CAROL, 0), AGENT_MSG_STALE);
    ck_assert_int_eq(agent_msg_replay_check(&r, AMFIX_CAROL, 1), AGENT_MSG_OK);
    /* Per sender: carol's seq 1 is not alice's. */
    GBytes *c1 = amfix_seal_text(&f, &f.carol, &f.bob, 1, "carol one");
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, c1), AGENT_MSG_OK);
    ck_assert_uint_eq(r.senders_count, 2);
    /* A jump past the window forgets the old bits. */
    agent_msg_replay_accept(&r, AMFIX_CAROL, 1000);
    ck_assert_int_eq(agent_msg_replay_check(&r, AMFIX_CAROL, 1), AGENT_MSG_STALE);
    ck_assert_int_eq(agent_msg_replay_check(&r, AMFIX_CAROL, 999), AGENT_MSG_OK);
    ck_assert_int_eq(agent_msg_replay_check(&r, AMFIX_CAROL, 1000), AGENT_MSG_REPLAY);
    GBytes *all[] = {m1, m2, m3, m100, m37, m36, c1};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        g_bytes_unref(all[i]);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}
END_TEST

START_TEST(test_replay_full_and_forget)
{
    amfix f;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 1);
    GBytes *a1 = amfix_seal_text(&f, &f.alice, &f.bob, 1, "a");
    GBytes *a2 = amfix_seal_text(&f, &f.alice, &f.bob, 2, "a");
    GBytes *c1 = amfix_seal_text(&f, &f.carol, &f.bob, 1, "c");
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, a1), AGENT_MSG_OK);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, c1), AGENT_MSG_REPLAY_FULL);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, a2), AGENT_MSG_OK); /* a tracked sender */
    ck_assert(agent_msg_replay_forget(&r, AMFIX_ALICE));
    ck_assert(!agent_msg_replay_forget(&r, AMFIX_ALICE));
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, c1), AGENT_MSG_OK);
    ck_assert_uint_eq(r.counts[AGENT_MSG_REPLAY_FULL], 1);
    g_bytes_unref(a1);
    g_bytes_unref(a2);
    g_bytes_unref(c1);
    agent_msg_replay_clear(&r);

    /* Many senders stay sorted and independent. */
    agent_msg_replay_init(&r, AGENT_MSG_REPLAY_SENDERS_MAX);
    for (uint32_t i = 0; i < AGENT_MSG_REPLAY_SENDERS_MAX; i++) {
        uint32_t account = (i * 7919u) % 100003u;
        ck_assert_int_eq(agent_msg_replay_check(&r, account, 1 + i), AGENT_MSG_OK);
        agent_msg_replay_accept(&r, account, 1 + i);
    }
    ck_assert_uint_eq(r.senders_count, AGENT_MSG_REPLAY_SENDERS_MAX);
    for (uint32_t i = 1; i < r.senders_count; i++)
        ck_assert_uint_lt(r.entries[i - 1].account, r.entries[i].account);
    for (uint32_t i = 0; i < AGENT_MSG_REPLAY_SENDERS_MAX; i++) {
        uint32_t account = (i * 7919u) % 100003u;
        ck_assert_int_eq(agent_msg_replay_check(&r, account, 1 + i), AGENT_MSG_REPLAY);
    }
    ck_assert_int_eq(agent_msg_replay_check(&r, 100003u, 1), AGENT_MSG_REPLAY_FULL);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}
END_TEST

/* The state a crashed agent reloads from its store refuses what it had
 * accepted and accepts what it had not. */
START_TEST(test_replay_serialize)
{
    amfix f;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 8);
    GBytes *m[6];
    for (uint64_t s = 1; s <= 5; s++)
        m[s - 1] = amfix_seal_text(&f, &f.alice, &f.bob, s == 5 ? 70 : s, "m");
    m[5] = amfix_seal_text(&f, &f.carol, &f.bob, 9, "c");
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m[4]), AGENT_MSG_OK);    /* 70 */
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m[3]), AGENT_MSG_STALE); /* 4: too old */
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, m[5]), AGENT_MSG_OK);
    agent_msg_replay_accept(&r, AMFIX_ALICE, 68);
    GBytes *saved = agent_msg_replay_serialize(&r);
    ck_assert_uint_eq(g_bytes_get_size(saved), 1 + 4 + 4 + 2 * 20);

    agent_msg_replay back;
    agent_msg_replay_init(&back, 1);
    ck_assert(agent_msg_replay_deserialize(&back, g_bytes_get_data(saved, NULL),
                                           g_bytes_get_size(saved)));
    ck_assert_uint_eq(back.senders_max, 8);
    ck_assert_uint_eq(back.senders_count, 2);
    GBytes *again = agent_msg_replay_serialize(&back);
    ck_assert(g_bytes_equal(saved, again));
    g_bytes_unref(again);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &back, m[4]), AGENT_MSG_REPLAY);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &back, m[5]), AGENT_MSG_REPLAY);
    ck_assert_int_eq(agent_msg_replay_check(&back, AMFIX_ALICE, 68), AGENT_MSG_REPLAY);
    ck_assert_int_eq(agent_msg_replay_check(&back, AMFIX_ALICE, 69), AGENT_MSG_OK);

    /* Corrupt states are refused and leave the target as it was. */
    GBytes *before = agent_msg_replay_serialize(&back);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(saved, &size);
    for (gsize cut = 0; cut < size; cut++)
        ck_assert_msg(!agent_msg_replay_deserialize(&back, data, cut), "cut %zu", cut);
    uint8_t *bad = g_malloc(size + 1);
    const struct {
        size_t at;
        uint8_t value;
    } patches[] = {
        {0, 2},     /* version */
        {1, 0},     /* capacity 0 */
        {5, 9},     /* count over capacity */
        {9, 0xFF},  /* first account above the second */
        {13, 0},    /* first highest: 70 -> 0 */
        {21, 0x00}, /* first window's bit 0 clear */
    };
    for (size_t p = 0; p < G_N_ELEMENTS(patches); p++) {
        memcpy(bad, data, size);
        bad[patches[p].at] = patches[p].value;
        ck_assert_msg(!agent_msg_replay_deserialize(&back, bad, size), "patch %zu", p);
    }
    memcpy(bad, data, size);
    bad[size] = 0;
    ck_assert(!agent_msg_replay_deserialize(&back, bad, size + 1)); /* trailing */
    GBytes *after = agent_msg_replay_serialize(&back);
    ck_assert(g_bytes_equal(before, after));
    g_free(bad);
    g_bytes_unref(before);
    g_bytes_unref(after);
    agent_msg_replay_clear(&back);
    for (size_t i = 0; i < G_N_ELEMENTS(m); i++)
        g_bytes_unref(m[i]);
    g_bytes_unref(saved);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}
END_TEST

/* ---- structure and the hostile corpus ---- */

START_TEST(test_structural_refusals)
{
    amfix f;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    GBytes *wire = amfix_seal_text(&f, &f.alice, &f.bob, 1, "structure");
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    ck_assert_int_eq(amfix_open_patched(&f, &r, wire, 0, 0x03), AGENT_MSG_BAD_VERSION);
    const uint8_t kinds[] = {0, AGENT_MSG_KIND_COUNT, 0x80, 0xFF};
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
        ck_assert_int_eq(
            amfix_open_patched(&f, &r, wire, AMFIX_OFF_KIND, AGENT_MSG_JOB_INPUT ^ kinds[i]),
            AGENT_MSG_UNKNOWN_KIND);
    /* ct_size: under the MAC, over the maximum, the largest u32; and one
     * more or less than present. */
    GByteArray *a = amfix_patched(wire, 0, 0);
    agent_msg_header h;
    GBytes *plain;
    const uint32_t sizes[] = {0, AGENT_MSG_MAC_SIZE - 1, AGENT_MSG_CIPHERTEXT_MAX + 1, UINT32_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        proto_le_put_u32(a->data + AMFIX_OFF_CT_SIZE, sizes[i]);
        ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, a->data, a->len, &h, &plain),
                         AGENT_MSG_BAD_LENGTH);
    }
    uint32_t ct = proto_le_get_u32(data + AMFIX_OFF_CT_SIZE);
    proto_le_put_u32(a->data + AMFIX_OFF_CT_SIZE, ct + 1);
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, a->data, a->len, &h, &plain),
                     AGENT_MSG_TRUNCATED);
    proto_le_put_u32(a->data + AMFIX_OFF_CT_SIZE, ct - 1);
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, a->data, a->len, &h, &plain),
                     AGENT_MSG_TRAILING_BYTES);
    g_byte_array_unref(a);
    /* Trailing bytes, every truncation, and no bytes at all. */
    uint8_t *longer = g_malloc0(size + 1);
    memcpy(longer, data, size);
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, longer, size + 1, &h, &plain),
                     AGENT_MSG_TRAILING_BYTES);
    ck_assert_int_eq(agent_msg_peek(longer, size + 1, &h), AGENT_MSG_TRAILING_BYTES);
    g_free(longer);
    for (gsize cut = 0; cut < size; cut++)
        ck_assert_msg(amfix_open_as(&f, &f.bob, &r, data, cut, &h, &plain) == AGENT_MSG_TRUNCATED,
                      "cut %zu", cut);
    ck_assert_int_eq(amfix_open_as(&f, &f.bob, &r, NULL, 0, &h, &plain), AGENT_MSG_TRUNCATED);
    ck_assert_uint_eq(r.senders_count, 0);
    ck_assert_uint_eq(r.counts[AGENT_MSG_OK], 0);
    g_bytes_unref(wire);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}
END_TEST

/* Every truncation and every single bit flip of a message never opens,
 * never writes the outputs and never moves the replay state. */
static void corpus(proto_crypto_mode mode)
{
    amfix f;
    amfix_init(&f, mode);
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    /* The receiver has seen seq 1 already, so the window is in play. */
    GBytes *first = amfix_seal_text(&f, &f.alice, &f.bob, 1, "first");
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, first), AGENT_MSG_OK);
    g_bytes_unref(first);
    GBytes *state = agent_msg_replay_serialize(&r);
    const char *texts[] = {"", "job input: translate 'bonjour'"};
    uint64_t opened = r.counts[AGENT_MSG_OK];
    for (size_t t = 0; t < G_N_ELEMENTS(texts); t++) {
        GBytes *wire = amfix_seal_text(&f, &f.alice, &f.bob, 2 + t, texts[t]);
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(wire, &size);
        agent_msg_header h;
        GBytes *plain;
        for (gsize cut = 0; cut < size; cut++)
            ck_assert(amfix_open_as(&f, &f.bob, &r, data, cut, &h, &plain) != AGENT_MSG_OK);
        uint8_t *copy = g_malloc(size);
        for (gsize bit = 0; bit < 8 * size; bit++) {
            memcpy(copy, data, size);
            copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            agent_msg_result res = amfix_open_as(&f, &f.bob, &r, copy, size, &h, &plain);
            ck_assert_msg(res != AGENT_MSG_OK, "bit %zu opened", bit);
        }
        g_free(copy);
        g_bytes_unref(wire);
    }
    ck_assert_uint_eq(r.counts[AGENT_MSG_OK], opened);
    GBytes *after = agent_msg_replay_serialize(&r);
    ck_assert(g_bytes_equal(state, after));
    g_bytes_unref(after);
    g_bytes_unref(state);
    agent_msg_replay_clear(&r);
    amfix_clear(&f);
}

START_TEST(test_corpus_real)
{
    corpus(PROTO_CRYPTO_REAL);
}
END_TEST

START_TEST(test_corpus_fast)
{
    corpus(PROTO_CRYPTO_FAST);
}
END_TEST

/* ---- determinism, keys, modes ---- */

START_TEST(test_determinism)
{
    amfix f, g;
    amfix_init(&f, PROTO_CRYPTO_REAL);
    amfix_init(&g, PROTO_CRYPTO_REAL);
    f.rng = g.rng = 99;
    GBytes *a = amfix_seal_text(&f, &f.alice, &f.bob, 3, "same");
    GBytes *b = amfix_seal_text(&g, &g.alice, &g.bob, 3, "same");
    ck_assert(g_bytes_equal(a, b));
    /* Other draws: another nonce and ciphertext, the same header. */
    GBytes *c = amfix_seal_text(&f, &f.alice, &f.bob, 3, "same");
    ck_assert(!g_bytes_equal(a, c));
    ck_assert_mem_eq(g_bytes_get_data(a, NULL), g_bytes_get_data(c, NULL), AMFIX_OFF_NONCE);
    /* The same draws for another seq still give another nonce. */
    f.rng = g.rng = 5;
    GBytes *s1 = amfix_seal_text(&f, &f.alice, &f.bob, 1, "same");
    GBytes *s2 = amfix_seal_text(&g, &g.alice, &g.bob, 2, "same");
    ck_assert(memcmp((const uint8_t *)g_bytes_get_data(s1, NULL) + AMFIX_OFF_NONCE,
                     (const uint8_t *)g_bytes_get_data(s2, NULL) + AMFIX_OFF_NONCE,
                     AGENT_MSG_NONCE_SIZE) != 0);
    /* Fast mode is deterministic too, and differs from real mode (its
     * signature and box key), so neither opens the other's messages. */
    amfix fast;
    amfix_init(&fast, PROTO_CRYPTO_FAST);
    fast.rng = 99;
    GBytes *d = amfix_seal_text(&fast, &fast.alice, &fast.bob, 3, "same");
    ck_assert(!g_bytes_equal(a, d));
    agent_msg_replay r;
    agent_msg_replay_init(&r, 4);
    ck_assert_int_eq(amfix_open_bytes(&fast, &fast.bob, &r, a), AGENT_MSG_BAD_SIGNATURE);
    ck_assert_int_eq(amfix_open_bytes(&f, &f.bob, &r, d), AGENT_MSG_BAD_SIGNATURE);
    agent_msg_replay_clear(&r);
    GBytes *all[] = {a, b, c, d, s1, s2};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        g_bytes_unref(all[i]);
    amfix_clear(&fast);
    amfix_clear(&g);
    amfix_clear(&f);
}
END_TEST

START_TEST(test_keypair_derive)
{
    agent_msg_keypair a, b, c;
    agent_msg_keypair_derive(&a, 7, "agent/1");
    agent_msg_keypair_derive(&b, 7, "agent/1");
    ck_assert_mem_eq(&a, &b, sizeof a);
    agent_msg_keypair_derive(&c, 7, "agent/2");
    ck_assert(!proto_pubkey_equal(&a.pk, &c.pk));
    agent_msg_keypair_derive(&c, 8, "agent/1");
    ck_assert(!proto_pubkey_equal(&a.pk, &c.pk));
    /* pk is the X25519 base-point multiple of sk. */
    uint8_t pk[crypto_scalarmult_BYTES];
    ck_assert_int_eq(crypto_scalarmult_base(pk, a.sk), 0);
    ck_assert_mem_eq(pk, a.pk.bytes, sizeof pk);
    /* Independent of the Ed25519 key of the same label. */
    proto_keypair id;
    proto_keypair_derive(&id, 7, "agent/1");
    ck_assert(!proto_pubkey_equal(&a.pk, &id.pk));
    uint8_t ed_as_x[crypto_scalarmult_curve25519_BYTES];
    ck_assert_int_eq(crypto_sign_ed25519_pk_to_curve25519(ed_as_x, id.pk.bytes), 0);
    ck_assert(memcmp(ed_as_x, a.pk.bytes, sizeof ed_as_x) != 0);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(agent_msg_kind_name(AGENT_MSG_JOB_INPUT), "job_input");
    ck_assert_str_eq(agent_msg_kind_name(AGENT_MSG_JOB_RESULT), "job_result");
    ck_assert_str_eq(agent_msg_kind_name(0), "unknown");
    ck_assert_str_eq(agent_msg_kind_name(200), "unknown");
    for (int i = 0; i < AGENT_MSG_RESULT_COUNT; i++) {
        const char *name = agent_msg_result_name((agent_msg_result)i);
        ck_assert_str_ne(name, "unknown");
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(name, agent_msg_result_name((agent_msg_result)j));
    }
    ck_assert_str_eq(agent_msg_result_name(AGENT_MSG_OK), "ok");
    ck_assert_str_eq(agent_msg_result_name(AGENT_MSG_REPLAY), "replay");
    ck_assert_str_eq(agent_msg_result_name(AGENT_MSG_RESULT_COUNT), "unknown");
}
END_TEST

static Suite *agent_msg_suite(void)
{
    Suite *s = suite_create("agent_msg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip_real);
    tcase_add_test(tc, test_round_trip_fast);
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_tamper_real);
    tcase_add_test(tc, test_tamper_fast);
    tcase_add_test(tc, test_bad_ciphertext);
    tcase_add_test(tc, test_not_for_me_and_unknown_sender);
    tcase_add_test(tc, test_replay_and_reorder);
    tcase_add_test(tc, test_replay_full_and_forget);
    tcase_add_test(tc, test_replay_serialize);
    tcase_add_test(tc, test_structural_refusals);
    tcase_add_test(tc, test_corpus_real);
    tcase_add_test(tc, test_corpus_fast);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_keypair_derive);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    proto_crypto_global_init();
    SRunner *sr = srunner_create(agent_msg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
