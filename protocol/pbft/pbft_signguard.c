/* Double-sign protection: the validator's last-sign state.
 *
 * A validator that signs, crashes and restarts has forgotten its slots,
 * but the others remember its votes: signing another digest for the same
 * (phase, height, view) after the restart is equivocation, and the chain
 * slashes it like any other. Real validators keep what they are about to
 * sign in durable storage before the signature leaves them (CometBFT's
 * last-sign state, priv_validator_state.json); so does this node:
 *
 *   - before a PREPARE or COMMIT is signed, the record for its (phase,
 *     height) is checked and written: a different digest in the same view,
 *     or any vote at that height in a later view, is refused;
 *   - before a block is proposed, the proposal for (height, view) is
 *     looked up: a primary that already proposed there sends the same
 *     block again instead of building a new one, and a new proposal is
 *     written down (with its bytes) before it goes out;
 *   - before a COMMIT is signed, the prepared certificate it rests on and
 *     its block are written down, and a restarted validator takes them
 *     back into its log. PBFT's view change is safe because every block
 *     that may have committed is prepared at f+1 honest replicas, whose
 *     VIEW-CHANGEs carry it into the next view; a replica that forgot its
 *     certificates in a crash would let a new view drop such a block.
 *
 * Vote records sit in a ring of SIGNGUARD_SLOTS keys ("sign/<phase>/<h mod
 * SLOTS>"), each naming its height, so the store stays bounded: a node
 * signs only heights above its committed one and at most a few windows
 * ahead, so a record that a newer height would overwrite belongs to a
 * committed height and is no longer needed. Should a live record ever be
 * in the way (a height far ahead of the ring), the node does not sign:
 * refusing costs liveness at worst, never safety. Checkpoint votes need no
 * record: their digest is the committed block, which cannot change. */
#include "protocol/pbft/pbft_internal.h"

#include <stdio.h>
#include <string.h>

#include "protocol/core/codec.h"

#define SIGNGUARD_SLOTS 256u
#define VOTE_RECORD_SIZE (8 + 8 + PROTO_HASH_SIZE) /* height, view, digest */
#define PROPOSAL_KEY "sign/block"
#define PREPARED_CERT_KEY "prep/c/%u"
#define PREPARED_BLOCK_KEY "prep/b/%u"

typedef struct vote_record {
    uint64_t height;
    uint64_t view;
    proto_hash digest;
} vote_record;

static void vote_key(uint8_t phase, uint64_t height, char out[32])
{
    snprintf(out, 32, "sign/%u/%u", (unsigned)phase, (unsigned)(height % SIGNGUARD_SLOTS));
}

static bool vote_record_get(pbft_node *n, const char *key, vote_record *out)
{
    GBytes *b = n->env.store_get(n->env.ctx, key);
    if (b == NULL)
        return false;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(b, &size);
    bool ok = size == VOTE_RECORD_SIZE;
    if (ok) {
        out->height = proto_le_get_u64(data);
        out->view = proto_le_get_u64(data + 8);
        memcpy(out->digest.bytes, data + 16, PROTO_HASH_SIZE);
    }
    g_bytes_unref(b);
    return ok;
}

static void vote_record_put(pbft_node *n, const char *key, const vote_record *r)
{
    uint8_t buf[VOTE_RECORD_SIZE];
    proto_le_put_u64(buf, r->height);
    proto_le_put_u64(buf + 8, r->view);
    memcpy(buf + 16, r->digest.bytes, PROTO_HASH_SIZE);
    GBytes *b = g_bytes_new(buf, sizeof buf);
    n->env.store_put(n->env.ctx, key, b);
    g_bytes_unref(b);
}

bool pbft_signguard_vote(pbft_node *n, uint8_t phase, uint64_t height, uint64_t view,
                         const proto_hash *digest)
{
    g_assert(phase == PBFT_PHASE_PREPARE || phase == PBFT_PHASE_COMMIT);
    char key[32];
    vote_key(phase, height, key);
    vote_record old;
    if (vote_record_get(n, key, &old)) {
        bool same_height = old.height == height;
        if (!same_height && old.height > n->committed) {
            n->signs_refused++; /* a live record in the way (see above) */
            return false;
        }
        if (same_height && (old.view > view ||
                            (old.view == view && !proto_hash_equal(&old.digest, digest)))) {
            n->signs_refused++;
            return false;
        }
        if (same_height && old.view == view)
            return true; /* signed exactly this before: the same signature again */
    }
    vote_record r = {.height = height, .view = view, .digest = *digest};
    vote_record_put(n, key, &r);
    return true;
}

GBytes *pbft_signguard_proposal(pbft_node *n, uint64_t height, uint64_t view)
{
    GBytes *rec = n->env.store_get(n->env.ctx, PROPOSAL_KEY);
    if (rec == NULL)
        return NULL;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(rec, &size);
    GBytes *block = NULL;
    if (size > 16 && proto_le_get_u64(data) == height && proto_le_get_u64(data + 8) == view)
        block = g_bytes_new_from_bytes(rec, 16, size - 16);
    g_bytes_unref(rec);
    return block;
}

void pbft_signguard_record_proposal(pbft_node *n, uint64_t height, uint64_t view,
                                    GBytes *block_wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(block_wire, &size);
    uint8_t *buf = g_malloc(16 + size);
    proto_le_put_u64(buf, height);
    proto_le_put_u64(buf + 8, view);
    memcpy(buf + 16, data, size);
    GBytes *rec = g_bytes_new_take(buf, 16 + size);
    n->env.store_put(n->env.ctx, PROPOSAL_KEY, rec);
    g_bytes_unref(rec);
}

void pbft_signguard_record_prepared(pbft_node *n, const pbft_slot *s)
{
    g_assert(s->has_pcert && s->pcert_block != NULL);
    unsigned k = (unsigned)(s->seq % SIGNGUARD_SLOTS);
    char key[32];
    /* The block first: a certificate is only taken back with its block. */
    snprintf(key, sizeof key, PREPARED_BLOCK_KEY, k);
    n->env.store_put(n->env.ctx, key, s->pcert_block);
    proto_writer w;
    proto_writer_init(&w);
    pbft_cert_write(&w, &s->pcert);
    GBytes *cert = proto_writer_steal(&w);
    snprintf(key, sizeof key, PREPARED_CERT_KEY, k);
    n->env.store_put(n->env.ctx, key, cert);
    g_bytes_unref(cert);
}

/* The prepared certificate in ring entry k and its block, if they are
 * whole, above our committed height and verify. */
static bool prepared_get(pbft_node *n, unsigned k, pbft_cert *cert, GBytes **block)
{
    char key[32];
    snprintf(key, sizeof key, PREPARED_CERT_KEY, k);
    GBytes *enc = n->env.store_get(n->env.ctx, key);
    if (enc == NULL)
        return false;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(enc, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    bool ok = pbft_cert_read(&r, cert, PBFT_PHASE_PREPARE) && proto_reader_finish(&r);
    g_bytes_unref(enc);
    if (!ok) {
        if (cert->sigs != NULL)
            pbft_cert_clear(cert);
        return false;
    }
    const pbft_members *m = pbft_members_at(n, cert->seq);
    snprintf(key, sizeof key, PREPARED_BLOCK_KEY, k);
    *block = cert->seq > n->committed && cert->seq % SIGNGUARD_SLOTS == k && m != NULL
                 ? n->env.store_get(n->env.ctx, key)
                 : NULL;
    proto_block *b = *block != NULL ? pbft_decode_block(n, *block) : NULL;
    ok = b != NULL && proto_hash_equal(&b->hash, &cert->digest) &&
         b->header.height == cert->seq &&
         pbft_cert_verify(cert, &m->quorum, n->p->chain_id, n->p->crypto, &n->genesis_hash);
    if (b != NULL)
        proto_block_free(b);
    if (!ok) {
        pbft_cert_clear(cert);
        if (*block != NULL)
            g_bytes_unref(*block);
    }
    return ok;
}

void pbft_signguard_restore_prepared(pbft_node *n)
{
    if (!pbft_is_validator(n))
        return;
    for (unsigned k = 0; k < SIGNGUARD_SLOTS; k++) {
        pbft_cert cert;
        GBytes *block = NULL;
        if (!prepared_get(n, k, &cert, &block))
            continue;
        pbft_slot *s = pbft_slot_get(n, cert.seq, true);
        if (s->has_pcert)
            pbft_cert_clear(&s->pcert);
        if (s->pcert_block != NULL)
            g_bytes_unref(s->pcert_block);
        s->pcert = cert; /* takes the signatures */
        s->has_pcert = true;
        s->pcert_block = block;
    }
}

uint64_t pbft_node_signs_refused(const pbft_node *n)
{
    return n->signs_refused;
}
