/* PBFT message decoders as predicates for tests (see pbft_try.h). */
#include "support/pbft_try.h"

#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/pbft/pbft_msg.h"

bool pbft_try_preprepare(GBytes *wire)
{
    uint64_t view = 12345;
    GBytes *block = NULL;
    bool ok = pbft_msg_preprepare_decode(wire, &view, &block);
    if (ok) {
        ck_assert_ptr_nonnull(block);
        g_bytes_unref(block);
    } else {
        ck_assert_uint_eq(view, 12345);
        ck_assert_ptr_null(block);
    }
    return ok;
}

bool pbft_try_vote(GBytes *wire)
{
    pbft_vote v;
    memset(&v, 0xab, sizeof v);
    pbft_vote before = v;
    bool ok = pbft_msg_vote_decode(wire, &v);
    if (!ok) {
        ck_assert_mem_eq(&v, &before, sizeof v);
    }
    return ok;
}

bool pbft_try_viewchange(GBytes *wire)
{
    GPtrArray *att = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    pbft_viewchange *vc = pbft_msg_viewchange_decode(wire, att);
    bool ok = vc != NULL;
    if (!ok) {
        ck_assert_uint_eq(att->len, 0);
    }
    pbft_viewchange_free(vc);
    g_ptr_array_unref(att);
    return ok;
}

bool pbft_try_newview(GBytes *wire)
{
    GPtrArray *att = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    pbft_newview *nv = pbft_msg_newview_decode(wire, att);
    bool ok = nv != NULL;
    if (!ok) {
        ck_assert_uint_eq(att->len, 0);
    }
    pbft_newview_free(nv);
    g_ptr_array_unref(att);
    return ok;
}

bool pbft_try_decided(GBytes *wire)
{
    pbft_decided d = {.cert = {.view = 999}};
    bool ok = pbft_msg_decided_decode(wire, &d);
    if (!ok) {
        ck_assert_ptr_null(d.block);
        ck_assert_ptr_null(d.cert.sigs);
        ck_assert_uint_eq(d.cert.view, 999);
    }
    pbft_decided_clear(&d);
    return ok;
}

bool pbft_try_get_blocks(GBytes *wire)
{
    uint64_t from = 77;
    uint32_t count = 88;
    bool ok = pbft_msg_get_blocks_decode(wire, &from, &count);
    if (!ok) {
        ck_assert_uint_eq(from, 77);
        ck_assert_uint_eq(count, 88);
    }
    return ok;
}

bool pbft_try_blocks(GBytes *wire)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_decided_free);
    g_ptr_array_add(out, g_new0(pbft_decided, 1)); /* decoding appends after it */
    bool ok = pbft_msg_blocks_decode(wire, out);
    if (!ok) {
        ck_assert_uint_eq(out->len, 1);
    }
    g_ptr_array_unref(out);
    return ok;
}

bool pbft_try_status(GBytes *wire)
{
    uint64_t view = 5;
    uint64_t height = 6;
    bool ok = pbft_msg_status_decode(wire, &view, &height);
    if (!ok) {
        ck_assert_uint_eq(view, 5);
        ck_assert_uint_eq(height, 6);
    }
    return ok;
}

GBytes *pbft_try_patch_u32(GBytes *wire, gsize at, uint32_t value)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    uint8_t *copy = g_memdup2(data, size);
    ck_assert_uint_le(at + 4, size);
    proto_le_put_u32(copy + at, value);
    return g_bytes_new_take(copy, size);
}

uint32_t pbft_try_read_u32(GBytes *wire, gsize at)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    ck_assert_uint_le(at + 4, size);
    return proto_le_get_u32(data + at);
}

/* The length field at `at` lies (one more, one less, huge): rejected. */
