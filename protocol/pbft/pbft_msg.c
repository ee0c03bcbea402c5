/* PBFT wire messages: encoding and bounds-checked decoding (layouts in
 * pbft_msg.h).
 *
 * Decoders treat the bytes as hostile. Every count is checked against its
 * PBFT_*_MAX bound and against the bytes actually left before anything is
 * allocated; every length must fit in what remains; trailing bytes, an
 * unexpected type byte or phase, unsorted certificate signers and
 * unordered prepared certificates are rejected. Blocks inside messages are
 * not decoded here (the node does that, with its own tx limit): they are
 * handed out as slices of the received GBytes, so the many nodes that
 * receive one buffer share its memory.
 *
 * Structural rules beyond the byte layout, enforced by the decoders and
 * asserted by the encoders (an encoder never emits what its decoder
 * rejects):
 *   - a certificate's phase is the one its position calls for: VIEWCHANGE
 *     checkpoint = CHECKPOINT, committed = COMMIT, prepared = PREPARE;
 *     DECIDED and BLOCKS carry COMMIT certificates;
 *   - CHECKPOINT votes and certificates have view 0;
 *   - GET_BLOCKS asks for 1..PBFT_BLOCKS_MAX blocks.
 *
 * A VIEWCHANGE or NEWVIEW signs the 32-byte BLAKE2b hash of
 *     domain ("aitbc/pbft/viewchange" or "aitbc/pbft/newview") |
 *     chain_id u64 | signed part
 * where the signed part is kept as the exact received (or encoded) bytes,
 * so a NEWVIEW can embed and a receiver can re-check VIEWCHANGEs without
 * re-encoding them. */
#include "protocol/pbft/pbft_msg.h"

#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"

#define VIEWCHANGE_DOMAIN "aitbc/pbft/viewchange"
#define NEWVIEW_DOMAIN "aitbc/pbft/newview"

#define CERT_SIG_WIRE_SIZE (4 + PROTO_SIG_SIZE)
/* A certificate with no signatures: phase, view, seq, digest, count. */
#define CERT_WIRE_SIZE_MIN (1 + 8 + 8 + PROTO_HASH_SIZE + 4)
/* new_view, validator, two empty certificates, prepared count. */
#define VIEWCHANGE_SIGNED_SIZE_MIN (8 + 4 + 2 * CERT_WIRE_SIZE_MIN + 4)
#define NEWVIEW_ENTRY_SIZE_MIN (4 + VIEWCHANGE_SIGNED_SIZE_MIN + PROTO_SIG_SIZE)

/* ---- helpers ---- */

static guint cert_sigs_count(const pbft_cert *c)
{
    return c->sigs != NULL ? c->sigs->len : 0;
}

/* Phase, view rule, bound and strictly increasing validators. */
static bool cert_valid(const pbft_cert *c, uint8_t phase)
{
    if (c->phase != phase || (phase == PBFT_PHASE_CHECKPOINT && c->view != 0) ||
        (c->has_preprepare && phase != PBFT_PHASE_PREPARE)) {
        return false;
    }
    guint n = cert_sigs_count(c);
    if (n > PBFT_CERT_SIGS_MAX) {
        return false;
    }
    for (guint i = 1; i < n; i++) {
        if (g_array_index(c->sigs, pbft_cert_sig, i).validator <=
            g_array_index(c->sigs, pbft_cert_sig, i - 1).validator) {
            return false;
        }
    }
    return true;
}

static bool viewchange_valid(const pbft_viewchange *vc)
{
    if (!cert_valid(&vc->checkpoint, PBFT_PHASE_CHECKPOINT) ||
        !cert_valid(&vc->committed, PBFT_PHASE_COMMIT)) {
        return false;
    }
    guint n = vc->prepared != NULL ? vc->prepared->len : 0;
    if (n > PBFT_PREPARED_MAX) {
        return false;
    }
    uint64_t seq_floor = vc->committed.seq;
    for (guint i = 0; i < n; i++) {
        const pbft_cert *p = vc->prepared->pdata[i];
        if (!cert_valid(p, PBFT_PHASE_PREPARE) || p->seq <= seq_floor) {
            return false;
        }
        seq_floor = p->seq;
    }
    return true;
}

/* A u32 length written as zero, patched by frame_end once the framed bytes
 * are written (their size is known only then). */
static gsize frame_begin(proto_writer *w)
{
    proto_write_u32(w, 0);
    return w->buf->len - 4;
}

static void frame_end(proto_writer *w, gsize at)
{
    gsize size = w->buf->len - at - 4;
    g_assert(size <= UINT32_MAX);
    proto_le_put_u32(w->buf->data + at, (uint32_t)size);
}

static void write_gbytes(proto_writer *w, GBytes *bytes)
{
    gsize size = 0;
    const void *data = g_bytes_get_data(bytes, &size);
    proto_write_bytes(w, data, size);
}

/* Reader over the whole wire, positioned after the type byte; false if
 * the type byte is not `type`. */
static bool wire_open(GBytes *wire, uint8_t type, proto_reader *r, const uint8_t **base)
{
    gsize size = 0;
    *base = g_bytes_get_data(wire, &size);
    proto_reader_init(r, *base, size);
    return proto_read_u8(r) == type && !r->failed;
}

/* A u32-length-prefixed byte string as a slice of wire (NULL, reader
 * latched, if it does not fit). */
static GBytes *read_slice(proto_reader *r, GBytes *wire, const uint8_t *base)
{
    size_t size = 0;
    const uint8_t *p = proto_read_bytes(r, r->size, &size);
    if (p == NULL) {
        return NULL;
    }
    return g_bytes_new_from_bytes(wire, (gsize)(p - base), size);
}

/* BLAKE2b(domain | chain_id | part). Copies the part: view changes are
 * rare, and this keeps hashing behind proto_hash_bytes. */
static void signed_hash(const char *domain, uint64_t chain_id, GBytes *part, proto_hash *out)
{
    gsize size = 0;
    const void *data = g_bytes_get_data(part, &size);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_raw(&w, domain, strlen(domain));
    proto_write_u64(&w, chain_id);
    proto_write_raw(&w, data, size);
    proto_hash_bytes(out, w.buf->data, w.buf->len);
    proto_writer_clear(&w);
}

static bool signed_verify(const char *domain, GBytes *part, const proto_sig *sig, uint64_t chain_id,
                          proto_crypto *c, const proto_pubkey *pk)
{
    if (part == NULL) {
        return false;
    }
    proto_hash h;
    signed_hash(domain, chain_id, part, &h);
    return proto_verify(c, sig, h.bytes, sizeof h.bytes, pk);
}

/* ---- certificates ---- */

void pbft_cert_write(proto_writer *w, const pbft_cert *c)
{
    proto_write_u8(w, c->phase);
    proto_write_u64(w, c->view);
    proto_write_u64(w, c->seq);
    proto_write_raw(w, c->digest.bytes, PROTO_HASH_SIZE);
    guint n = cert_sigs_count(c);
    proto_write_u32(w, n);
    for (guint i = 0; i < n; i++) {
        const pbft_cert_sig *s = &g_array_index(c->sigs, pbft_cert_sig, i);
        proto_write_u32(w, s->validator);
        proto_write_raw(w, s->sig.bytes, PROTO_SIG_SIZE);
    }
    if (c->phase == PBFT_PHASE_PREPARE) {
        proto_write_u8(w, c->has_preprepare ? 1 : 0);
        if (c->has_preprepare)
            proto_block_header_write(&c->preprepare, w);
    }
}

bool pbft_cert_read(proto_reader *r, pbft_cert *c, uint8_t phase)
{
    c->sigs = NULL;
    uint8_t got_phase = proto_read_u8(r);
    uint64_t view = proto_read_u64(r);
    uint64_t seq = proto_read_u64(r);
    proto_hash digest;
    proto_read_raw(r, digest.bytes, PROTO_HASH_SIZE);
    uint32_t n = proto_read_u32(r);
    if (r->failed || n > PBFT_CERT_SIGS_MAX || n > proto_reader_remaining(r) / CERT_SIG_WIRE_SIZE) {
        r->failed = true;
        return false;
    }
    pbft_cert_init(c, got_phase, view, seq, &digest);
    g_array_set_size(c->sigs, n);
    for (uint32_t i = 0; i < n; i++) {
        pbft_cert_sig *s = &g_array_index(c->sigs, pbft_cert_sig, i);
        s->validator = proto_read_u32(r);
        proto_read_raw(r, s->sig.bytes, PROTO_SIG_SIZE);
    }
    if (got_phase == PBFT_PHASE_PREPARE) {
        uint8_t has = proto_read_u8(r);
        if (has > 1)
            r->failed = true;
        else if (has == 1)
            c->has_preprepare = proto_block_header_read(r, &c->preprepare);
    }
    if (r->failed || !cert_valid(c, phase)) {
        r->failed = true;
        pbft_cert_clear(c);
        return false;
    }
    return true;
}

/* ---- attachments (u32 count | count x (u32 length | block)) ---- */

static void blocks_write(proto_writer *w, GPtrArray *blocks)
{
    guint n = blocks != NULL ? blocks->len : 0;
    g_assert(n <= PBFT_ATTACHMENTS_MAX);
    proto_write_u32(w, n);
    for (guint i = 0; i < n; i++) {
        write_gbytes(w, blocks->pdata[i]);
    }
}

/* New array of slices of wire, or NULL (reader latched). */
static GPtrArray *blocks_read(proto_reader *r, GBytes *wire, const uint8_t *base)
{
    uint32_t n = proto_read_u32(r);
    if (r->failed || n > PBFT_ATTACHMENTS_MAX || n > proto_reader_remaining(r) / 4) {
        r->failed = true;
        return NULL;
    }
    GPtrArray *out = g_ptr_array_new_full(n, (GDestroyNotify)g_bytes_unref);
    for (uint32_t i = 0; i < n; i++) {
        GBytes *b = read_slice(r, wire, base);
        if (b == NULL) {
            g_ptr_array_unref(out);
            return NULL;
        }
        g_ptr_array_add(out, b);
    }
    return out;
}

/* Moves the attachments into out (NULL: dropped), then frees the array. */
static void blocks_hand_over(GPtrArray *blocks, GPtrArray *out)
{
    for (guint i = 0; out != NULL && i < blocks->len; i++) {
        g_ptr_array_add(out, g_bytes_ref(blocks->pdata[i]));
    }
    g_ptr_array_unref(blocks);
}

/* ---- simple messages ---- */

uint8_t pbft_msg_type(GBytes *wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    return size > 0 ? data[0] : 0;
}

GBytes *pbft_msg_preprepare_encode(uint64_t view, const proto_block *b)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_PBFT_PREPREPARE);
    proto_write_u64(&w, view);
    gsize at = frame_begin(&w);
    proto_block_encode(b, &w);
    frame_end(&w, at);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

bool pbft_msg_preprepare_decode(GBytes *wire, uint64_t *view, GBytes **block_out)
{
    proto_reader r;
    const uint8_t *base;
    if (!wire_open(wire, PROTO_MSG_PBFT_PREPREPARE, &r, &base)) {
        return false;
    }
    uint64_t v = proto_read_u64(&r);
    size_t size = 0;
    const uint8_t *block = proto_read_bytes(&r, r.size, &size);
    if (block == NULL || !proto_reader_finish(&r)) {
        return false;
    }
    *view = v;
    *block_out = g_bytes_new_from_bytes(wire, (gsize)(block - base), size);
    return true;
}

/* Phase carried by a vote message type; 0 if the type is not a vote. */
static uint8_t vote_phase_of(uint8_t msg_type)
{
    switch (msg_type) {
    case PROTO_MSG_PBFT_PREPARE:
        return PBFT_PHASE_PREPARE;
    case PROTO_MSG_PBFT_COMMIT:
        return PBFT_PHASE_COMMIT;
    case PROTO_MSG_PBFT_CHECKPOINT:
        return PBFT_PHASE_CHECKPOINT;
    default:
        return 0;
    }
}

GBytes *pbft_msg_vote_encode(uint8_t msg_type, const pbft_vote *v)
{
    g_assert(vote_phase_of(msg_type) != 0 && vote_phase_of(msg_type) == v->phase);
    g_assert(v->phase != PBFT_PHASE_CHECKPOINT || v->view == 0);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, msg_type);
    proto_write_u64(&w, v->view);
    proto_write_u64(&w, v->seq);
    proto_write_raw(&w, v->digest.bytes, PROTO_HASH_SIZE);
    proto_write_u32(&w, v->validator);
    proto_write_raw(&w, v->sig.bytes, PROTO_SIG_SIZE);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

bool pbft_msg_vote_decode(GBytes *wire, pbft_vote *out)
{
    uint8_t phase = vote_phase_of(pbft_msg_type(wire));
    proto_reader r;
    const uint8_t *base;
    if (phase == 0 || !wire_open(wire, pbft_msg_type(wire), &r, &base)) {
        return false;
    }
    pbft_vote v = {.phase = phase};
    v.view = proto_read_u64(&r);
    v.seq = proto_read_u64(&r);
    proto_read_raw(&r, v.digest.bytes, PROTO_HASH_SIZE);
    v.validator = proto_read_u32(&r);
    proto_read_raw(&r, v.sig.bytes, PROTO_SIG_SIZE);
    if (!proto_reader_finish(&r) || (phase == PBFT_PHASE_CHECKPOINT && v.view != 0)) {
        return false;
    }
    *out = v;
    return true;
}

GBytes *pbft_msg_get_blocks_encode(uint64_t from_height, uint32_t count)
{
    g_assert(count > 0 && count <= PBFT_BLOCKS_MAX);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_GET_BLOCKS);
    proto_write_u64(&w, from_height);
    proto_write_u32(&w, count);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

bool pbft_msg_get_blocks_decode(GBytes *wire, uint64_t *from_height, uint32_t *count)
{
    proto_reader r;
    const uint8_t *base;
    if (!wire_open(wire, PROTO_MSG_GET_BLOCKS, &r, &base)) {
        return false;
    }
    uint64_t from = proto_read_u64(&r);
    uint32_t n = proto_read_u32(&r);
    if (!proto_reader_finish(&r) || n == 0 || n > PBFT_BLOCKS_MAX) {
        return false;
    }
    *from_height = from;
    *count = n;
    return true;
}

GBytes *pbft_msg_status_encode(uint64_t view, uint64_t committed_height)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_STATUS);
    proto_write_u64(&w, view);
    proto_write_u64(&w, committed_height);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

bool pbft_msg_status_decode(GBytes *wire, uint64_t *view, uint64_t *committed_height)
{
    proto_reader r;
    const uint8_t *base;
    if (!wire_open(wire, PROTO_MSG_STATUS, &r, &base)) {
        return false;
    }
    uint64_t v = proto_read_u64(&r);
    uint64_t h = proto_read_u64(&r);
    if (!proto_reader_finish(&r)) {
        return false;
    }
    *view = v;
    *committed_height = h;
    return true;
}

/* ---- decided blocks (DECIDED, BLOCKS) ---- */

static void decided_write(proto_writer *w, const pbft_decided *d)
{
    g_assert(cert_valid(&d->cert, PBFT_PHASE_COMMIT));
    write_gbytes(w, d->block);
    pbft_cert_write(w, &d->cert);
}

static bool decided_read(proto_reader *r, GBytes *wire, const uint8_t *base, pbft_decided *out)
{
    size_t size = 0;
    const uint8_t *block = proto_read_bytes(r, r->size, &size);
    if (block == NULL || !pbft_cert_read(r, &out->cert, PBFT_PHASE_COMMIT)) {
        return false;
    }
    out->block = g_bytes_new_from_bytes(wire, (gsize)(block - base), size);
    return true;
}

void pbft_decided_clear(pbft_decided *d)
{
    if (d->block != NULL) {
        g_bytes_unref(d->block);
        d->block = NULL;
    }
    pbft_cert_clear(&d->cert);
}

void pbft_decided_free(pbft_decided *d)
{
    if (d == NULL) {
        return;
    }
    pbft_decided_clear(d);
    g_free(d);
}

GBytes *pbft_msg_decided_encode(const pbft_decided *d)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_PBFT_DECIDED);
    decided_write(&w, d);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

bool pbft_msg_decided_decode(GBytes *wire, pbft_decided *out)
{
    proto_reader r;
    const uint8_t *base;
    if (!wire_open(wire, PROTO_MSG_PBFT_DECIDED, &r, &base)) {
        return false;
    }
    pbft_decided d = {0};
    if (!decided_read(&r, wire, base, &d) || !proto_reader_finish(&r)) {
        pbft_decided_clear(&d);
        return false;
    }
    *out = d;
    return true;
}

GBytes *pbft_msg_blocks_encode(GPtrArray *decided)
{
    g_assert(decided->len <= PBFT_BLOCKS_MAX);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_BLOCKS);
    proto_write_u32(&w, decided->len);
    for (guint i = 0; i < decided->len; i++) {
        decided_write(&w, decided->pdata[i]);
    }
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

bool pbft_msg_blocks_decode(GBytes *wire, GPtrArray *out)
{
    proto_reader r;
    const uint8_t *base;
    if (!wire_open(wire, PROTO_MSG_BLOCKS, &r, &base)) {
        return false;
    }
    uint32_t n = proto_read_u32(&r);
    if (r.failed || n > PBFT_BLOCKS_MAX ||
        n > proto_reader_remaining(&r) / (4 + CERT_WIRE_SIZE_MIN)) {
        return false;
    }
    GPtrArray *got = g_ptr_array_new_full(n, (GDestroyNotify)pbft_decided_free);
    for (uint32_t i = 0; i < n && !r.failed; i++) {
        pbft_decided *d = g_new0(pbft_decided, 1);
        g_ptr_array_add(got, d);
        decided_read(&r, wire, base, d);
    }
    if (!proto_reader_finish(&r)) {
        g_ptr_array_unref(got);
        return false;
    }
    /* Hand the entries over without freeing them. */
    g_ptr_array_set_free_func(got, NULL);
    for (guint i = 0; i < got->len; i++) {
        g_ptr_array_add(out, got->pdata[i]);
    }
    g_ptr_array_unref(got);
    return true;
}

/* ---- VIEWCHANGE ---- */

static void viewchange_signed_write(proto_writer *w, const pbft_viewchange *vc)
{
    proto_write_u64(w, vc->new_view);
    proto_write_u32(w, vc->validator);
    pbft_cert_write(w, &vc->checkpoint);
    pbft_cert_write(w, &vc->committed);
    guint n = vc->prepared != NULL ? vc->prepared->len : 0;
    proto_write_u32(w, n);
    for (guint i = 0; i < n; i++) {
        pbft_cert_write(w, vc->prepared->pdata[i]);
    }
}

/* Parses a VIEWCHANGE signed part occupying exactly [part, part + size)
 * of wire; the result's signed_part is a slice of wire, its sig unset. */
static pbft_viewchange *viewchange_signed_read(GBytes *wire, const uint8_t *base,
                                               const uint8_t *part, size_t size)
{
    proto_reader r;
    proto_reader_init(&r, part, size);
    pbft_viewchange *vc = g_new0(pbft_viewchange, 1);
    vc->prepared = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_cert_free);
    vc->new_view = proto_read_u64(&r);
    vc->validator = proto_read_u32(&r);
    pbft_cert_read(&r, &vc->checkpoint, PBFT_PHASE_CHECKPOINT);
    pbft_cert_read(&r, &vc->committed, PBFT_PHASE_COMMIT);
    uint32_t n = proto_read_u32(&r);
    if (n > PBFT_PREPARED_MAX || n > proto_reader_remaining(&r) / CERT_WIRE_SIZE_MIN) {
        r.failed = true;
    }
    for (uint32_t i = 0; i < n && !r.failed; i++) {
        pbft_cert *p = g_new0(pbft_cert, 1);
        g_ptr_array_add(vc->prepared, p);
        pbft_cert_read(&r, p, PBFT_PHASE_PREPARE);
    }
    if (!proto_reader_finish(&r) || !viewchange_valid(vc)) {
        pbft_viewchange_free(vc);
        return NULL;
    }
    vc->signed_part = g_bytes_new_from_bytes(wire, (gsize)(part - base), size);
    return vc;
}

/* The envelope VIEWCHANGE and NEWVIEW share:
 *   type | u32 length | signed part | sig 64 | attachments
 * w holds the signed part; it is signed, kept in *signed_part, and
 * wrapped. */
static GBytes *envelope_encode(uint8_t type, const char *domain, proto_writer *w,
                               GBytes **signed_part, proto_sig *sig, uint64_t chain_id,
                               proto_crypto *c, const proto_keypair *kp, GPtrArray *attachments)
{
    if (*signed_part != NULL) {
        g_bytes_unref(*signed_part);
    }
    *signed_part = proto_writer_steal(w);
    proto_hash h;
    signed_hash(domain, chain_id, *signed_part, &h);
    proto_sign(c, sig, h.bytes, sizeof h.bytes, kp);

    proto_write_u8(w, type);
    write_gbytes(w, *signed_part);
    proto_write_raw(w, sig->bytes, PROTO_SIG_SIZE);
    blocks_write(w, attachments);
    GBytes *out = proto_writer_steal(w);
    proto_writer_clear(w);
    return out;
}

typedef struct envelope {
    const uint8_t *base;
    const uint8_t *part;
    size_t part_size;
    proto_sig sig;
    GPtrArray *blocks;  /* attachments, owned until handed over */
} envelope;

static bool envelope_read(GBytes *wire, uint8_t type, envelope *e)
{
    proto_reader r;
    if (!wire_open(wire, type, &r, &e->base)) {
        return false;
    }
    e->part = proto_read_bytes(&r, r.size, &e->part_size);
    proto_read_raw(&r, e->sig.bytes, PROTO_SIG_SIZE);
    e->blocks = blocks_read(&r, wire, e->base);
    if (e->blocks == NULL || !proto_reader_finish(&r)) {
        if (e->blocks != NULL) {
            g_ptr_array_unref(e->blocks);
        }
        return false;
    }
    return true;
}

GBytes *pbft_msg_viewchange_encode(pbft_viewchange *vc, uint64_t chain_id, proto_crypto *c,
                                   const proto_keypair *kp, GPtrArray *attachments)
{
    g_assert(viewchange_valid(vc));
    proto_writer w;
    proto_writer_init(&w);
    viewchange_signed_write(&w, vc);
    return envelope_encode(PROTO_MSG_PBFT_VIEWCHANGE, VIEWCHANGE_DOMAIN, &w, &vc->signed_part,
                           &vc->sig, chain_id, c, kp, attachments);
}

pbft_viewchange *pbft_msg_viewchange_decode(GBytes *wire, GPtrArray *attachments_out)
{
    envelope e;
    if (!envelope_read(wire, PROTO_MSG_PBFT_VIEWCHANGE, &e)) {
        return NULL;
    }
    pbft_viewchange *vc = viewchange_signed_read(wire, e.base, e.part, e.part_size);
    if (vc == NULL) {
        g_ptr_array_unref(e.blocks);
        return NULL;
    }
    vc->sig = e.sig;
    blocks_hand_over(e.blocks, attachments_out);
    return vc;
}

bool pbft_viewchange_verify_sig(const pbft_viewchange *vc, uint64_t chain_id, proto_crypto *c,
                                const proto_pubkey *pk)
{
    return signed_verify(VIEWCHANGE_DOMAIN, vc->signed_part, &vc->sig, chain_id, c, pk);
}

/* Frees what the arrays' own free functions say: a decoded VIEWCHANGE
 * owns its prepared certificates; a caller-built one owns what the caller
 * chose (pbft_cert_free as the free function to own them). */
void pbft_viewchange_free(pbft_viewchange *vc)
{
    if (vc == NULL) {
        return;
    }
    pbft_cert_clear(&vc->checkpoint);
    pbft_cert_clear(&vc->committed);
    if (vc->prepared != NULL) {
        g_ptr_array_unref(vc->prepared);
    }
    if (vc->signed_part != NULL) {
        g_bytes_unref(vc->signed_part);
    }
    g_free(vc);
}

/* ---- NEWVIEW ---- */

static void newview_signed_write(proto_writer *w, const pbft_newview *nv)
{
    guint n = nv->viewchanges != NULL ? nv->viewchanges->len : 0;
    g_assert(n <= PBFT_VIEWCHANGES_MAX);
    proto_write_u64(w, nv->view);
    proto_write_u32(w, nv->leader);
    proto_write_u32(w, n);
    for (guint i = 0; i < n; i++) {
        const pbft_viewchange *vc = nv->viewchanges->pdata[i];
        g_assert(vc->signed_part != NULL); /* embedded VIEWCHANGEs are signed ones */
        write_gbytes(w, vc->signed_part);
        proto_write_raw(w, vc->sig.bytes, PROTO_SIG_SIZE);
    }
}

/* Parses a NEWVIEW signed part occupying exactly [part, part + size) of
 * wire, each embedded VIEWCHANGE decoded in full. */
static pbft_newview *newview_signed_read(GBytes *wire, const uint8_t *base, const uint8_t *part,
                                         size_t size)
{
    proto_reader r;
    proto_reader_init(&r, part, size);
    pbft_newview *nv = g_new0(pbft_newview, 1);
    nv->viewchanges = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_viewchange_free);
    nv->view = proto_read_u64(&r);
    nv->leader = proto_read_u32(&r);
    uint32_t n = proto_read_u32(&r);
    if (n > PBFT_VIEWCHANGES_MAX || n > proto_reader_remaining(&r) / NEWVIEW_ENTRY_SIZE_MIN) {
        r.failed = true;
    }
    for (uint32_t i = 0; i < n && !r.failed; i++) {
        size_t vc_size = 0;
        const uint8_t *vc_part = proto_read_bytes(&r, r.size, &vc_size);
        proto_sig sig;
        proto_read_raw(&r, sig.bytes, PROTO_SIG_SIZE);
        pbft_viewchange *vc =
            r.failed ? NULL : viewchange_signed_read(wire, base, vc_part, vc_size);
        if (vc == NULL) {
            r.failed = true;
            break;
        }
        vc->sig = sig;
        g_ptr_array_add(nv->viewchanges, vc);
    }
    if (!proto_reader_finish(&r)) {
        pbft_newview_free(nv);
        return NULL;
    }
    nv->signed_part = g_bytes_new_from_bytes(wire, (gsize)(part - base), size);
    return nv;
}

GBytes *pbft_msg_newview_encode(pbft_newview *nv, uint64_t chain_id, proto_crypto *c,
                                const proto_keypair *kp, GPtrArray *attachments)
{
    proto_writer w;
    proto_writer_init(&w);
    newview_signed_write(&w, nv);
    return envelope_encode(PROTO_MSG_PBFT_NEWVIEW, NEWVIEW_DOMAIN, &w, &nv->signed_part,
                           &nv->sig, chain_id, c, kp, attachments);
}

pbft_newview *pbft_msg_newview_decode(GBytes *wire, GPtrArray *attachments_out)
{
    envelope e;
    if (!envelope_read(wire, PROTO_MSG_PBFT_NEWVIEW, &e)) {
        return NULL;
    }
    pbft_newview *nv = newview_signed_read(wire, e.base, e.part, e.part_size);
    if (nv == NULL) {
        g_ptr_array_unref(e.blocks);
        return NULL;
    }
    nv->sig = e.sig;
    blocks_hand_over(e.blocks, attachments_out);
    return nv;
}

bool pbft_newview_verify_sig(const pbft_newview *nv, uint64_t chain_id, proto_crypto *c,
                             const proto_pubkey *pk)
{
    return signed_verify(NEWVIEW_DOMAIN, nv->signed_part, &nv->sig, chain_id, c, pk);
}

/* Like pbft_viewchange_free: the viewchanges array's free function says
 * whether the VIEWCHANGEs are owned (decoded: yes). */
void pbft_newview_free(pbft_newview *nv)
{
    if (nv == NULL) {
        return;
    }
    if (nv->viewchanges != NULL) {
        g_ptr_array_unref(nv->viewchanges);
    }
    if (nv->signed_part != NULL) {
        g_bytes_unref(nv->signed_part);
    }
    g_free(nv);
}
