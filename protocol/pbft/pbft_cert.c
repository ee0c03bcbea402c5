/* PBFT votes, certificates and quorum arithmetic (see pbft_msg.h).
 *
 * A vote signs the 32-byte BLAKE2b hash of
 *     "aitbc/pbft/vote" (15 bytes, no NUL) | chain_id u64 | phase u8 |
 *     view u64 | seq u64 | digest[32]         (all integers little-endian)
 * so every signature of one certificate is over the same hash, computed
 * once per certificate check. The domain string differs from the block
 * ("aitbc-blk") and tx ("aitbc-tx") tags in its first bytes, so no vote
 * signing string is a signing string of another kind.
 *
 * A prepared certificate may carry its pre-prepare (the proposer's signed
 * block header): it counts as the proposer's vote when it is exactly the
 * block the certificate names (hash = digest, slot = view, height = seq)
 * and the proposer has no PREPARE in it, so nobody counts twice. This is
 * Castro and Liskov's prepared certificate, a pre-prepare and 2f PREPAREs.
 *
 * Quorum thresholds are exact integer comparisons (3*stake > 2*total,
 * 3*stake > total) done without a wider type: with total = 3q + r,
 * floor(2*total/3) = 2q + (r == 2) and floor(total/3) = q, and
 * 3*s > 2*total <=> s > floor(2*total/3) for integer s. Nothing can
 * overflow, even with stakes near UINT64_MAX. */
#include "protocol/pbft/pbft_msg.h"

#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/sorted.h"

#define VOTE_DOMAIN "aitbc/pbft/vote"
#define VOTE_DOMAIN_SIZE (sizeof(VOTE_DOMAIN) - 1)
#define VOTE_SIGNING_SIZE (VOTE_DOMAIN_SIZE + 8 + 1 + 8 + 8 + PROTO_HASH_SIZE)

G_STATIC_ASSERT(VOTE_DOMAIN_SIZE == 15);

void pbft_vote_signing_hash(uint64_t chain_id, uint8_t phase, uint64_t view, uint64_t seq,
                            const proto_hash *digest, proto_hash *out)
{
    uint8_t buf[VOTE_SIGNING_SIZE];
    uint8_t *p = buf;
    memcpy(p, VOTE_DOMAIN, VOTE_DOMAIN_SIZE);
    p += VOTE_DOMAIN_SIZE;
    proto_le_put_u64(p, chain_id);
    p += 8;
    *p++ = phase;
    proto_le_put_u64(p, view);
    p += 8;
    proto_le_put_u64(p, seq);
    p += 8;
    memcpy(p, digest->bytes, PROTO_HASH_SIZE);
    p += PROTO_HASH_SIZE;
    g_assert(p == buf + sizeof buf);
    proto_hash_bytes(out, buf, sizeof buf);
}

void pbft_vote_sign(pbft_vote *v, uint64_t chain_id, proto_crypto *c, const proto_keypair *kp)
{
    proto_hash h;
    pbft_vote_signing_hash(chain_id, v->phase, v->view, v->seq, &v->digest, &h);
    proto_sign(c, &v->sig, h.bytes, sizeof h.bytes, kp);
}

bool pbft_vote_verify(const pbft_vote *v, uint64_t chain_id, proto_crypto *c,
                      const proto_pubkey *pk)
{
    proto_hash h;
    pbft_vote_signing_hash(chain_id, v->phase, v->view, v->seq, &v->digest, &h);
    return proto_verify(c, &v->sig, h.bytes, sizeof h.bytes, pk);
}

/* ---- certificates ---- */

void pbft_cert_init(pbft_cert *c, uint8_t phase, uint64_t view, uint64_t seq,
                    const proto_hash *digest)
{
    c->phase = phase;
    c->view = view;
    c->seq = seq;
    c->digest = *digest;
    c->sigs = g_array_new(FALSE, FALSE, sizeof(pbft_cert_sig));
    c->has_preprepare = false;
    memset(&c->preprepare, 0, sizeof c->preprepare);
}

/* Safe on a cleared or zero-filled cert (sigs NULL), and twice. */
void pbft_cert_clear(pbft_cert *c)
{
    if (c->sigs != NULL) {
        g_array_unref(c->sigs);
        c->sigs = NULL;
    }
}

void pbft_cert_free(pbft_cert *c)
{
    if (c == NULL) {
        return;
    }
    pbft_cert_clear(c);
    g_free(c);
}

/* dst is treated as uninitialised storage (as by pbft_cert_init): clear
 * it first if it holds a certificate. A src with sigs NULL (zero-filled)
 * copies as an empty certificate. */
void pbft_cert_copy(pbft_cert *dst, const pbft_cert *src)
{
    pbft_cert_init(dst, src->phase, src->view, src->seq, &src->digest);
    if (src->sigs != NULL && src->sigs->len > 0) {
        g_array_append_vals(dst->sigs, src->sigs->data, src->sigs->len);
    }
    dst->has_preprepare = src->has_preprepare;
    dst->preprepare = src->preprepare;
}

/* The first index whose validator is >= validator. */
static guint cert_lower_bound(const GArray *sigs, uint32_t validator)
{
    return proto_lower_bound_u32(sigs->data, sigs->len, sizeof(pbft_cert_sig),
                                 G_STRUCT_OFFSET(pbft_cert_sig, validator), validator);
}

bool pbft_cert_add(pbft_cert *c, uint32_t validator, const proto_sig *sig)
{
    if (c->sigs == NULL) {
        c->sigs = g_array_new(FALSE, FALSE, sizeof(pbft_cert_sig));
    }
    guint at = cert_lower_bound(c->sigs, validator);
    if (at < c->sigs->len && g_array_index(c->sigs, pbft_cert_sig, at).validator == validator) {
        return false;
    }
    pbft_cert_sig entry = {.validator = validator, .sig = *sig};
    g_array_insert_val(c->sigs, at, entry);
    return true;
}

/* ---- the pre-prepare in a prepared certificate ---- */

void pbft_cert_set_preprepare(pbft_cert *c, const proto_block_header *h)
{
    g_assert(c->phase == PBFT_PHASE_PREPARE);
    c->has_preprepare = true;
    c->preprepare = *h;
}

static bool cert_has_signer(const pbft_cert *c, uint32_t validator)
{
    guint n = c->sigs != NULL ? c->sigs->len : 0;
    guint at = n > 0 ? cert_lower_bound(c->sigs, validator) : 0;
    return at < n && g_array_index(c->sigs, pbft_cert_sig, at).validator == validator;
}

uint32_t pbft_cert_preprepare_proposer(const pbft_cert *c, uint32_t validators_count)
{
    if (c->phase != PBFT_PHASE_PREPARE || !c->has_preprepare)
        return PBFT_NO_PREPREPARE;
    const proto_block_header *h = &c->preprepare;
    proto_hash hash;
    proto_block_compute_hash(h, &hash);
    if (h->slot != c->view || h->height != c->seq || !proto_hash_equal(&hash, &c->digest) ||
        h->proposer >= validators_count || cert_has_signer(c, h->proposer))
        return PBFT_NO_PREPREPARE;
    return h->proposer;
}

/* ---- quorum ---- */

void pbft_quorum_init(pbft_quorum *q, uint32_t count, const proto_pubkey *keys,
                      const uint64_t *stakes)
{
    q->validators_count = count;
    q->keys = keys;
    q->stakes = stakes;
    q->total_stake = 0;
    q->test_broken = false;
    for (uint32_t i = 0; i < count; i++) {
        /* The validator set comes from a checked configuration: a total
         * that does not fit in 64 bits is a bug upstream. */
        g_assert(stakes[i] <= UINT64_MAX - q->total_stake);
        q->total_stake += stakes[i];
    }
}

bool pbft_quorum_strong(const pbft_quorum *q, uint64_t stake)
{
    uint64_t t = q->total_stake;
    if (q->test_broken)
        return stake > t / 3; /* the deliberate bug of test_break_quorum */
    uint64_t floor_two_thirds = 2 * (t / 3) + (t % 3 == 2 ? 1 : 0);
    return stake > floor_two_thirds;
}

bool pbft_quorum_weak(const pbft_quorum *q, uint64_t stake)
{
    /* At least a third: within the fault model (Byzantine stake below a
     * third) such a set holds an honest validator, the f+1 of n = 3f+1.
     * "More than a third" missed that for n = 3, 6, 9...: with 3
     * validators (f = 0) one validator's 1/3 is f+1, and a replica that
     * ran ahead in views alone could never pull the others up. */
    uint64_t t = q->total_stake;
    return stake > 0 && stake >= t / 3 + (t % 3 != 0 ? 1 : 0);
}

static bool phase_valid(uint8_t phase)
{
    return phase >= PBFT_PHASE_PREPARE && phase <= PBFT_PHASE_CHECKPOINT;
}

/* Validators in range and strictly increasing; their stake into *stake_out.
 * The sum cannot overflow: distinct validators sum to at most total_stake. */
static bool cert_signers_valid(const pbft_cert *c, const pbft_quorum *q, uint64_t *stake_out)
{
    uint64_t stake = 0;
    guint n = c->sigs != NULL ? c->sigs->len : 0;
    for (guint i = 0; i < n; i++) {
        uint32_t v = g_array_index(c->sigs, pbft_cert_sig, i).validator;
        if (v >= q->validators_count) {
            return false;
        }
        if (i > 0 && v <= g_array_index(c->sigs, pbft_cert_sig, i - 1).validator) {
            return false;
        }
        stake += q->stakes[v];
    }
    *stake_out = stake;
    return true;
}

/* Cheap checks (range, order, stake) run before any signature, so a
 * certificate that cannot be a quorum costs no crypto. */
bool pbft_cert_verify(const pbft_cert *c, const pbft_quorum *q, uint64_t chain_id,
                      proto_crypto *crypto, const proto_hash *genesis)
{
    return pbft_cert_verify_known(c, q, chain_id, crypto, genesis, NULL, NULL);
}

bool pbft_cert_verify_known(const pbft_cert *c, const pbft_quorum *q, uint64_t chain_id,
                            proto_crypto *crypto, const proto_hash *genesis,
                            pbft_sig_known_fn known, void *ctx)
{
    if (!phase_valid(c->phase)) {
        return false;
    }
    guint n = c->sigs != NULL ? c->sigs->len : 0;
    if (c->seq == 0 && n == 0) {
        return genesis != NULL && c->phase != PBFT_PHASE_PREPARE &&
               proto_hash_equal(&c->digest, genesis);
    }
    uint64_t stake = 0;
    uint32_t pre = pbft_cert_preprepare_proposer(c, q->validators_count);
    if (pre != PBFT_NO_PREPREPARE)
        stake = q->stakes[pre]; /* a signer distinct from every one in sigs */
    uint64_t signers = 0;
    if ((n == 0 && pre == PBFT_NO_PREPREPARE) || !cert_signers_valid(c, q, &signers) ||
        !pbft_quorum_strong(q, stake + signers)) {
        return false;
    }
    if (pre != PBFT_NO_PREPREPARE &&
        !proto_block_header_verify_sig(&c->preprepare, chain_id, crypto, &q->keys[pre]))
        return false;
    proto_hash h;
    pbft_vote_signing_hash(chain_id, c->phase, c->view, c->seq, &c->digest, &h);
    for (guint i = 0; i < n; i++) {
        const pbft_cert_sig *s = &g_array_index(c->sigs, pbft_cert_sig, i);
        if (known != NULL && known(ctx, c, s))
            continue;
        if (!proto_verify(crypto, &s->sig, h.bytes, sizeof h.bytes, &q->keys[s->validator])) {
            return false;
        }
    }
    return true;
}
