/* Fuzz harness for the PBFT wire decoders (protocol/pbft/pbft_msg.h,
 * pbft_evidence.h), dispatching on the first byte, the message type, as
 * a node does: PREPREPARE, PREPARE/COMMIT/CHECKPOINT, VIEWCHANGE, NEWVIEW,
 * DECIDED, GET_BLOCKS, BLOCKS, STATUS (type 5 here) and EVIDENCE.
 *
 * Canonical: every decoded message encodes back to the input. VIEWCHANGE
 * and NEWVIEW encoders sign, so instead the harness rebuilds the envelope
 * (type | length | signed part | sig | attachments) and the signed part
 * from the decoded fields with the public writers (pbft_cert_write), the
 * same layout the encoders write; embedded block bytes (PREPREPARE,
 * attachments, DECIDED) are carried opaque, not decoded here
 * (fuzz_chain.c fuzzes blocks).
 * Untouched: pbft_msg.h promises outputs untouched on failure, so each
 * output is filled with FUZZ_FILL (arrays: their length) and checked. */
#include "fuzz.h"

#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_evidence.h"
#include "protocol/pbft/pbft_msg.h"

static GBytes *writer_take(proto_writer *w)
{
    GBytes *out = proto_writer_steal(w);
    proto_writer_clear(w);
    return out;
}

static void write_framed(proto_writer *w, GBytes *bytes)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &size);
    proto_write_bytes(w, data, size);
}

static void fuzz_preprepare(GBytes *wire, const uint8_t *data, size_t size)
{
    uint64_t view;
    GBytes *block;
    memset(&view, FUZZ_FILL, sizeof view);
    memset(&block, FUZZ_FILL, sizeof block);
    if (!pbft_msg_preprepare_decode(wire, &view, &block)) {
        fuzz_check_filled(&view, sizeof view, "preprepare: view written on failure");
        fuzz_check_filled(&block, sizeof block, "preprepare: block written on failure");
        return;
    }
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_PBFT_PREPREPARE);
    proto_write_u64(&w, view);
    write_framed(&w, block);
    g_bytes_unref(block);
    fuzz_check_same(writer_take(&w), data, size, "preprepare: not canonical");
}

static void fuzz_vote(GBytes *wire, const uint8_t *data, size_t size)
{
    pbft_vote v;
    memset(&v, FUZZ_FILL, sizeof v);
    if (!pbft_msg_vote_decode(wire, &v)) {
        fuzz_check_filled(&v, sizeof v, "vote: output written on failure");
        return;
    }
    fuzz_check_same(pbft_msg_vote_encode(data[0], &v), data, size, "vote: not canonical");
}

static void viewchange_part_write(proto_writer *w, const pbft_viewchange *vc)
{
    proto_write_u64(w, vc->new_view);
    proto_write_u32(w, vc->validator);
    pbft_cert_write(w, &vc->checkpoint);
    pbft_cert_write(w, &vc->committed);
    proto_write_u32(w, vc->prepared->len);
    for (guint i = 0; i < vc->prepared->len; i++) {
        pbft_cert_write(w, vc->prepared->pdata[i]);
    }
}

/* The signed part rebuilt from the fields must be the bytes kept. */
static void check_viewchange_part(const pbft_viewchange *vc)
{
    proto_writer w;
    proto_writer_init(&w);
    viewchange_part_write(&w, vc);
    gsize size = 0;
    const uint8_t *part = g_bytes_get_data(vc->signed_part, &size);
    fuzz_check_same(writer_take(&w), part, size, "viewchange: signed part not canonical");
}

/* type | u32 length | signed part | sig | u32 count | count x (u32 length | block) */
static GBytes *envelope_write(uint8_t type, GBytes *part, const proto_sig *sig,
                              GPtrArray *attachments)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, type);
    write_framed(&w, part);
    proto_write_raw(&w, sig->bytes, PROTO_SIG_SIZE);
    proto_write_u32(&w, attachments->len);
    for (guint i = 0; i < attachments->len; i++) {
        write_framed(&w, attachments->pdata[i]);
    }
    return writer_take(&w);
}

static void fuzz_viewchange(GBytes *wire, const uint8_t *data, size_t size)
{
    GPtrArray *attachments = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    pbft_viewchange *vc = pbft_msg_viewchange_decode(wire, attachments);
    if (vc == NULL) {
        fuzz_check(attachments->len == 0, "viewchange: attachments added on failure");
    } else {
        check_viewchange_part(vc);
        fuzz_check_same(envelope_write(data[0], vc->signed_part, &vc->sig, attachments), data,
                        size, "viewchange: not canonical");
        pbft_viewchange_free(vc);
    }
    g_ptr_array_unref(attachments);
}

static void check_newview_part(const pbft_newview *nv)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u64(&w, nv->view);
    proto_write_u32(&w, nv->leader);
    proto_write_u32(&w, nv->viewchanges->len);
    for (guint i = 0; i < nv->viewchanges->len; i++) {
        const pbft_viewchange *vc = nv->viewchanges->pdata[i];
        check_viewchange_part(vc);
        write_framed(&w, vc->signed_part);
        proto_write_raw(&w, vc->sig.bytes, PROTO_SIG_SIZE);
    }
    gsize size = 0;
    const uint8_t *part = g_bytes_get_data(nv->signed_part, &size);
    fuzz_check_same(writer_take(&w), part, size, "newview: signed part not canonical");
}

static void fuzz_newview(GBytes *wire, const uint8_t *data, size_t size)
{
    GPtrArray *attachments = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    pbft_newview *nv = pbft_msg_newview_decode(wire, attachments);
    if (nv == NULL) {
        fuzz_check(attachments->len == 0, "newview: attachments added on failure");
    } else {
        check_newview_part(nv);
        fuzz_check_same(envelope_write(data[0], nv->signed_part, &nv->sig, attachments), data,
                        size, "newview: not canonical");
        pbft_newview_free(nv);
    }
    g_ptr_array_unref(attachments);
}

static void fuzz_decided(GBytes *wire, const uint8_t *data, size_t size)
{
    pbft_decided d;
    memset(&d, FUZZ_FILL, sizeof d);
    if (!pbft_msg_decided_decode(wire, &d)) {
        fuzz_check_filled(&d, sizeof d, "decided: output written on failure");
        return;
    }
    fuzz_check_same(pbft_msg_decided_encode(&d), data, size, "decided: not canonical");
    pbft_decided_clear(&d);
}

static void fuzz_get_blocks(GBytes *wire, const uint8_t *data, size_t size)
{
    uint64_t from;
    uint32_t count;
    memset(&from, FUZZ_FILL, sizeof from);
    memset(&count, FUZZ_FILL, sizeof count);
    if (!pbft_msg_get_blocks_decode(wire, &from, &count)) {
        fuzz_check_filled(&from, sizeof from, "get_blocks: from written on failure");
        fuzz_check_filled(&count, sizeof count, "get_blocks: count written on failure");
        return;
    }
    fuzz_check_same(pbft_msg_get_blocks_encode(from, count), data, size,
                    "get_blocks: not canonical");
}

static void fuzz_blocks(GBytes *wire, const uint8_t *data, size_t size)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_decided_free);
    if (!pbft_msg_blocks_decode(wire, out)) {
        fuzz_check(out->len == 0, "blocks: entries added on failure");
    } else {
        fuzz_check_same(pbft_msg_blocks_encode(out), data, size, "blocks: not canonical");
    }
    g_ptr_array_unref(out);
}

static void fuzz_status(GBytes *wire, const uint8_t *data, size_t size)
{
    uint64_t view;
    uint64_t height;
    memset(&view, FUZZ_FILL, sizeof view);
    memset(&height, FUZZ_FILL, sizeof height);
    if (!pbft_msg_status_decode(wire, &view, &height)) {
        fuzz_check_filled(&view, sizeof view, "status: view written on failure");
        fuzz_check_filled(&height, sizeof height, "status: height written on failure");
        return;
    }
    fuzz_check_same(pbft_msg_status_encode(view, height), data, size, "status: not canonical");
}

/* Not promised by pbft_evidence.h, but the decoder builds the value aside
 * and copies it out last, so the harness holds it to that. */
static void fuzz_evidence(GBytes *wire, const uint8_t *data, size_t size)
{
    pbft_evidence e;
    memset(&e, FUZZ_FILL, sizeof e);
    if (!pbft_evidence_decode(wire, &e)) {
        fuzz_check_filled(&e, sizeof e, "evidence: output written on failure");
        return;
    }
    fuzz_check_same(pbft_evidence_encode(&e), data, size, "evidence: not canonical");
}

typedef void (*fuzz_fn)(GBytes *wire, const uint8_t *data, size_t size);

static fuzz_fn fuzz_of(uint8_t type)
{
    switch (type) {
    case PROTO_MSG_PBFT_PREPREPARE: return fuzz_preprepare;
    case PROTO_MSG_PBFT_PREPARE:
    case PROTO_MSG_PBFT_COMMIT:
    case PROTO_MSG_PBFT_CHECKPOINT: return fuzz_vote;
    case PROTO_MSG_PBFT_VIEWCHANGE: return fuzz_viewchange;
    case PROTO_MSG_PBFT_NEWVIEW: return fuzz_newview;
    case PROTO_MSG_PBFT_DECIDED: return fuzz_decided;
    case PROTO_MSG_GET_BLOCKS: return fuzz_get_blocks;
    case PROTO_MSG_BLOCKS: return fuzz_blocks;
    case PROTO_MSG_STATUS: return fuzz_status;
    case PROTO_MSG_PBFT_EVIDENCE: return fuzz_evidence;
    default: return NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    fuzz_fn fn = fuzz_of(data[0]);
    if (fn == NULL) {
        /* Not a PBFT type: every decoder must refuse it. */
        fn = fuzz_of(PROTO_MSG_PBFT_PREPARE);
    }
    GBytes *wire = g_bytes_new(data, size);
    fn(wire, data, size);
    g_bytes_unref(wire);
    return 0;
}
