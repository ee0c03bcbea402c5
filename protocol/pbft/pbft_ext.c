/* PBFT block extension: encoding and decoding (see pbft_ext.h; executing
 * it is pbft_slashing.c's job).
 *
 * Decoding is canonical: it succeeds only on bytes that pbft_ext_encode
 * gives back unchanged (flags with no unknown bit, commit signatures in
 * strictly increasing validator order, evidence digests in order, no
 * trailing bytes, and no bytes at all for the empty
 * extension), since the block hash commits to these bytes. */
#include "protocol/pbft/pbft_ext.h"

#define EXT_FLAG_LAST_COMMIT 0x01u
/* The smallest evidence: two votes (a PRE-PREPARE side is longer). */
#define EVIDENCE_WIRE_SIZE (1 + 8 + 8 + 4 + 2 * (1 + PROTO_HASH_SIZE + PROTO_SIG_SIZE))

void pbft_ext_init(pbft_ext *e)
{
    e->has_last_commit = false;
    e->last_commit.sigs = NULL;
    e->evidence = g_array_new(FALSE, FALSE, sizeof(pbft_evidence));
}

void pbft_ext_clear(pbft_ext *e)
{
    if (e->has_last_commit)
        pbft_cert_clear(&e->last_commit);
    e->has_last_commit = false;
    if (e->evidence != NULL)
        g_array_unref(e->evidence);
    e->evidence = NULL;
}

GBytes *pbft_ext_encode(const pbft_ext *e)
{
    if (!e->has_last_commit && e->evidence->len == 0)
        return NULL;
    g_assert(e->evidence->len <= PBFT_EXT_EVIDENCE_MAX);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, e->has_last_commit ? EXT_FLAG_LAST_COMMIT : 0);
    if (e->has_last_commit)
        pbft_cert_write(&w, &e->last_commit);
    proto_write_u16(&w, (uint16_t)e->evidence->len);
    for (guint i = 0; i < e->evidence->len; i++)
        pbft_evidence_write(&w, &g_array_index(e->evidence, pbft_evidence, i));
    return proto_writer_steal(&w);
}

/* Counts are checked against the bound and the bytes left before any
 * item is read, so a lying count costs nothing. */
static bool read_count(proto_reader *r, uint32_t max, size_t item_size, uint32_t *out)
{
    uint32_t n = proto_read_u16(r);
    if (r->failed || n > max || n > proto_reader_remaining(r) / item_size)
        return false;
    *out = n;
    return true;
}

bool pbft_ext_decode(GBytes *bytes, pbft_ext *out)
{
    pbft_ext_init(out);
    gsize size = 0;
    const uint8_t *data = bytes != NULL ? g_bytes_get_data(bytes, &size) : NULL;
    if (size == 0)
        return true;
    proto_reader r;
    proto_reader_init(&r, data, size);
    uint8_t flags = proto_read_u8(&r);
    bool ok = !r.failed && (flags & ~EXT_FLAG_LAST_COMMIT) == 0;
    if (ok && (flags & EXT_FLAG_LAST_COMMIT)) {
        ok = pbft_cert_read(&r, &out->last_commit, PBFT_PHASE_COMMIT);
        out->has_last_commit = ok;
    }
    uint32_t n = 0;
    ok = ok && read_count(&r, PBFT_EXT_EVIDENCE_MAX, EVIDENCE_WIRE_SIZE, &n);
    for (uint32_t i = 0; ok && i < n; i++) {
        pbft_evidence e;
        ok = pbft_evidence_read(&r, &e);
        if (ok)
            g_array_append_val(out->evidence, e);
    }
    /* Canonical: the empty extension is no bytes at all (pbft_ext_encode
     * gives NULL), never a flags byte and a zero count, or one content
     * would have two encodings, two ext hashes and two block hashes. */
    bool empty = !out->has_last_commit && out->evidence->len == 0;
    if (!ok || !proto_reader_finish(&r) || empty) {
        pbft_ext_clear(out);
        pbft_ext_init(out);
        return false;
    }
    return true;
}
