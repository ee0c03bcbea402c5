/* Unit tests for protocol/core/event.c: every rejection reason has a
 * distinct, stable metric name, and unknown values map to "unknown". */
#include <check.h>
#include <string.h>

#include "protocol/core/event.h"

START_TEST(test_reason_names)
{
    ck_assert_str_eq(proto_reject_reason_name(PROTO_REJECT_NONE), "none");
    ck_assert_str_eq(proto_reject_reason_name(PROTO_REJECT_DECODE), "decode");
    ck_assert_str_eq(proto_reject_reason_name(PROTO_REJECT_SIGNATURE), "signature");
    ck_assert_str_eq(proto_reject_reason_name(PROTO_REJECT_STATE_ROOT), "state_root");
    ck_assert_str_eq(proto_reject_reason_name(PROTO_REJECT_LIMIT), "limit");
    ck_assert_str_eq(proto_reject_reason_name(PROTO_REJECT_REASON_COUNT), "unknown");
    ck_assert_str_eq(proto_reject_reason_name((proto_reject_reason)-1), "unknown");
    for (int a = 0; a < PROTO_REJECT_REASON_COUNT; a++) {
        const char *na = proto_reject_reason_name((proto_reject_reason)a);
        ck_assert_str_ne(na, "unknown");
        for (int b = a + 1; b < PROTO_REJECT_REASON_COUNT; b++) {
            ck_assert_str_ne(na, proto_reject_reason_name((proto_reject_reason)b));
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reason_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
