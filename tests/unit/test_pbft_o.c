/* Unit tests for the computation of O from a NEW-VIEW's V
 * (pbft_o_compute, protocol/pbft/pbft_view.c): the rule every replica
 * applies to decide what a new view must re-propose.
 *
 * V is built by hand (certificate signatures play no part in O; they are
 * checked before a VIEW-CHANGE is admitted). Cases: nothing prepared;
 * the highest view's digest wins over a lower view's; a height with no
 * prepared certificate between prepared ones gets the canonical null
 * block chained on its predecessor; a stable checkpoint above the highest
 * commit certificate moves the start of O; equal views break ties by the
 * lower digest, the same at every replica. */
#include <check.h>
#include <string.h>

#include "protocol/pbft/pbft_internal.h"

static proto_hash H(uint8_t tag)
{
    proto_hash h;
    memset(h.bytes, tag, sizeof h.bytes);
    return h;
}

static pbft_viewchange *vc_new(uint32_t validator, uint64_t new_view, uint64_t ckpt_seq,
                               uint8_t ckpt_tag, uint64_t committed_seq, uint8_t committed_tag)
{
    pbft_viewchange *vc = g_new0(pbft_viewchange, 1);
    vc->new_view = new_view;
    vc->validator = validator;
    proto_hash c = H(ckpt_tag), k = H(committed_tag);
    pbft_cert_init(&vc->checkpoint, PBFT_PHASE_CHECKPOINT, 0, ckpt_seq, &c);
    pbft_cert_init(&vc->committed, PBFT_PHASE_COMMIT, 0, committed_seq, &k);
    vc->prepared = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_cert_free);
    return vc;
}

static void vc_prepared(pbft_viewchange *vc, uint64_t seq, uint64_t view, uint8_t tag)
{
    pbft_cert *c = g_new0(pbft_cert, 1);
    proto_hash d = H(tag);
    pbft_cert_init(c, PBFT_PHASE_PREPARE, view, seq, &d);
    g_ptr_array_add(vc->prepared, c);
}

static GPtrArray *V;

static void setup(void)
{
    V = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_viewchange_free);
}

static void teardown(void)
{
    g_ptr_array_unref(V);
}

static const pbft_o_entry *entry(const pbft_o *o, guint i)
{
    ck_assert_uint_lt(i, o->entries->len);
    return &g_array_index(o->entries, pbft_o_entry, i);
}

START_TEST(nothing_prepared_gives_empty_o)
{
    g_ptr_array_add(V, vc_new(0, 3, 0, 0, 7, 0x70));
    g_ptr_array_add(V, vc_new(1, 3, 0, 0, 6, 0x60));
    g_ptr_array_add(V, vc_new(2, 3, 0, 0, 7, 0x70));
    pbft_o o;
    pbft_o_compute(V, 3, &o);
    ck_assert_uint_eq(o.entries->len, 0);
    ck_assert_uint_eq(o.start_seq, 7);
    ck_assert_uint_eq(o.committed_seq, 7);
    ck_assert_uint_eq(o.committed_from, 0); /* the first in V holding C* */
    proto_hash d = H(0x70);
    ck_assert(proto_hash_equal(&o.start_digest, &d));
    g_array_unref(o.entries);
}
END_TEST

START_TEST(highest_view_wins)
{
    pbft_viewchange *a = vc_new(0, 5, 0, 0, 4, 0x40);
    vc_prepared(a, 5, 1, 0xA1);
    pbft_viewchange *b = vc_new(1, 5, 0, 0, 4, 0x40);
    vc_prepared(b, 5, 3, 0xB3); /* re-proposed and prepared again in view 3 */
    pbft_viewchange *c = vc_new(2, 5, 0, 0, 4, 0x40);
    g_ptr_array_add(V, a);
    g_ptr_array_add(V, b);
    g_ptr_array_add(V, c);
    pbft_o o;
    pbft_o_compute(V, 5, &o);
    ck_assert_uint_eq(o.entries->len, 1);
    proto_hash d = H(0xB3);
    ck_assert_uint_eq(entry(&o, 0)->seq, 5);
    ck_assert_uint_eq(entry(&o, 0)->view, 3);
    ck_assert(proto_hash_equal(&entry(&o, 0)->digest, &d));
    g_array_unref(o.entries);
}
END_TEST

START_TEST(gap_gets_a_null_block)
{
    pbft_viewchange *a = vc_new(0, 2, 0, 0, 3, 0x30);
    vc_prepared(a, 4, 1, 0xA4);
    vc_prepared(a, 6, 1, 0xA6);
    g_ptr_array_add(V, a);
    g_ptr_array_add(V, vc_new(1, 2, 0, 0, 3, 0x30));
    g_ptr_array_add(V, vc_new(2, 2, 0, 0, 2, 0x20));
    pbft_o o;
    pbft_o_compute(V, 2, &o);
    ck_assert_uint_eq(o.entries->len, 3);
    ck_assert_uint_eq(entry(&o, 0)->seq, 4);
    ck_assert_uint_eq(entry(&o, 1)->seq, 5);
    ck_assert_uint_eq(entry(&o, 1)->view, UINT64_MAX);
    ck_assert_uint_eq(entry(&o, 2)->seq, 6);
    /* The null block: empty, unsigned, chained on the block before it. */
    proto_block *null = proto_block_new();
    proto_hash parent = H(0xA4);
    pbft_null_block(&parent, 5, 2, null);
    ck_assert(proto_hash_equal(&entry(&o, 1)->digest, &null->hash));
    ck_assert(pbft_is_null_block(null));
    ck_assert_uint_eq(null->header.tx_count, 0);
    proto_block_free(null);
    g_array_unref(o.entries);
}
END_TEST

START_TEST(stable_checkpoint_above_commit_moves_the_start)
{
    pbft_viewchange *a = vc_new(0, 9, 10, 0xC0, 8, 0x80);
    pbft_viewchange *b = vc_new(1, 9, 0, 0, 8, 0x80);
    vc_prepared(b, 9, 4, 0x99);   /* at or below the checkpoint: already fixed */
    vc_prepared(b, 11, 4, 0xBB);
    g_ptr_array_add(V, a);
    g_ptr_array_add(V, b);
    g_ptr_array_add(V, vc_new(2, 9, 5, 0x50, 8, 0x80));
    pbft_o o;
    pbft_o_compute(V, 9, &o);
    ck_assert_uint_eq(o.start_seq, 10);
    proto_hash d = H(0xC0);
    ck_assert(proto_hash_equal(&o.start_digest, &d));
    ck_assert_uint_eq(o.checkpoint->seq, 10);
    ck_assert_uint_eq(o.entries->len, 1);
    ck_assert_uint_eq(entry(&o, 0)->seq, 11);
    g_array_unref(o.entries);
}
END_TEST

START_TEST(equal_views_break_ties_by_lower_digest)
{
    /* Two digests prepared in one view cannot happen with an honest
     * quorum; if a Byzantine V shows it, every replica still agrees. */
    pbft_viewchange *a = vc_new(0, 3, 0, 0, 0, 0);
    vc_prepared(a, 1, 2, 0xEE);
    pbft_viewchange *b = vc_new(1, 3, 0, 0, 0, 0);
    vc_prepared(b, 1, 2, 0x11);
    g_ptr_array_add(V, a);
    g_ptr_array_add(V, b);
    pbft_o o1;
    pbft_o_compute(V, 3, &o1);
    proto_hash low = H(0x11);
    ck_assert(proto_hash_equal(&entry(&o1, 0)->digest, &low));
    /* Same V in another order: same O. */
    g_ptr_array_remove_index(V, 0); /* frees a */
    pbft_viewchange *a2 = vc_new(0, 3, 0, 0, 0, 0);
    vc_prepared(a2, 1, 2, 0xEE);
    g_ptr_array_add(V, a2);
    pbft_o o2;
    pbft_o_compute(V, 3, &o2);
    ck_assert(proto_hash_equal(&entry(&o2, 0)->digest, &low));
    g_array_unref(o1.entries);
    g_array_unref(o2.entries);
}
END_TEST

static Suite *o_suite(void)
{
    Suite *s = suite_create("pbft-o");
    TCase *tc = tcase_create("o");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, nothing_prepared_gives_empty_o);
    tcase_add_test(tc, highest_view_wins);
    tcase_add_test(tc, gap_gets_a_null_block);
    tcase_add_test(tc, stable_checkpoint_above_commit_moves_the_start);
    tcase_add_test(tc, equal_views_break_ties_by_lower_digest);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(o_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
