/* Unit tests for downtime accounting (protocol/chain/downtime.c), with the
 * cosmos-sdk x/slashing keeper integration-test stories (window 1000, minimum
 * 1/2 signed): TestHandleAlreadyJailed, TestHandleNewValidator,
 * TestValidatorDippingInAndOut, plus the derived default (window 100: the
 * 51st miss jails once height > start + 100), the exact limit in the
 * chain's window of 50 (25 misses stay, the 26th jails; random world seed 1130),
 * round-half-even of the minimum, and unjailing. */
#include <check.h>

#include "protocol/chain/downtime.h"

static proto_downtime_params window_1000(void)
{
    proto_downtime_params p = proto_downtime_defaults();
    p.window = 1000;
    return p;
}

START_TEST(max_missed_rounds_half_to_even)
{
    proto_downtime_params p = proto_downtime_defaults();
    ck_assert_uint_eq(proto_downtime_max_missed(&p), 50);
    p.window = 1000;
    ck_assert_uint_eq(proto_downtime_max_missed(&p), 500);
    p.window = 5; /* 2.5 -> 2 (even) */
    ck_assert_uint_eq(proto_downtime_max_missed(&p), 3);
    p.window = 7; /* 3.5 -> 4 (even) */
    ck_assert_uint_eq(proto_downtime_max_missed(&p), 3);
    p.window = 3; /* 1.5 -> 2 */
    ck_assert_uint_eq(proto_downtime_max_missed(&p), 1);
    p.window = 10;
    p.min_signed_num = 95;
    p.min_signed_den = 100; /* 9.5 -> 10 */
    ck_assert_uint_eq(proto_downtime_max_missed(&p), 0);
}
END_TEST

START_TEST(handle_already_jailed)
{
    proto_downtime_params p = window_1000();
    proto_signing_info s;
    proto_signing_info_init(&s, &p, 0);
    for (uint64_t h = 0; h < 1000; h++)
        ck_assert_int_eq(proto_signing_info_record(&s, &p, h, (int64_t)h, true), PROTO_DOWNTIME_OK);
    /* absent at 1000..1500: the 501st miss (height 1500) jails */
    for (uint64_t h = 1000; h < 1500; h++)
        ck_assert_int_eq(proto_signing_info_record(&s, &p, h, (int64_t)h, false),
                         PROTO_DOWNTIME_OK);
    ck_assert_int_eq(proto_signing_info_record(&s, &p, 1500, 1500, false), PROTO_DOWNTIME_JAIL);
    ck_assert(s.jailed);
    ck_assert_int_eq(s.jailed_until_ns, 1500 + p.jail_duration_ns);
    /* one more absent block: no second slash while jailed */
    ck_assert_int_eq(proto_signing_info_record(&s, &p, 1501, 1501, false), PROTO_DOWNTIME_OK);
    ck_assert_uint_eq(s.missed_count, 0);
    proto_signing_info_clear(&s);
}
END_TEST

START_TEST(handle_new_validator)
{
    proto_downtime_params p = window_1000();
    proto_signing_info s;
    proto_signing_info_init(&s, &p, 1001);
    ck_assert_int_eq(proto_signing_info_record(&s, &p, 1001, 0, true), PROTO_DOWNTIME_OK);
    ck_assert_int_eq(proto_signing_info_record(&s, &p, 1002, 0, false), PROTO_DOWNTIME_OK);
    ck_assert_uint_eq(s.index_offset, 2);
    ck_assert_uint_eq(s.missed_count, 1);
    ck_assert(!s.jailed);
    ck_assert_int_eq(s.jailed_until_ns, 0);
    proto_signing_info_clear(&s);
}
END_TEST

START_TEST(validator_dipping_in_and_out)
{
    /* Re-bonded at 700 (new start height), absent at every height from
     * then: jailed at 1701, the first height above 700 + 1000. */
    proto_downtime_params p = window_1000();
    proto_signing_info s;
    proto_signing_info_init(&s, &p, 700);
    for (uint64_t h = 700; h < 1701; h++)
        ck_assert_int_eq(proto_signing_info_record(&s, &p, h, 0, false), PROTO_DOWNTIME_OK);
    ck_assert_int_eq(proto_signing_info_record(&s, &p, 1701, 0, false), PROTO_DOWNTIME_JAIL);
    proto_signing_info_clear(&s);
}
END_TEST

START_TEST(default_window_jails_at_the_51st_miss_after_a_window)
{
    proto_downtime_params p = proto_downtime_defaults();
    proto_signing_info s;
    proto_signing_info_init(&s, &p, 0);
    /* Signing half the time never jails. */
    for (uint64_t h = 0; h < 400; h++)
        ck_assert_int_eq(proto_signing_info_record(&s, &p, h, 0, h % 2 == 0), PROTO_DOWNTIME_OK);
    ck_assert_uint_eq(s.missed_count, 50);
    /* Then 51 misses in the window: jailed at the 51st. */
    proto_signing_info_clear(&s);
    proto_signing_info_init(&s, &p, 0);
    bool jailed = false;
    for (uint64_t h = 0; h < 300 && !jailed; h++) {
        proto_downtime_result r = proto_signing_info_record(&s, &p, h, 0, h < 150);
        /* misses at 150, 151, ...: the 51st is height 200 */
        ck_assert_int_eq(r, h == 200 ? PROTO_DOWNTIME_JAIL : PROTO_DOWNTIME_OK);
        jailed = r == PROTO_DOWNTIME_JAIL;
    }
    ck_assert(jailed);
    proto_signing_info_clear(&s);
}
END_TEST

/* The chain's own window (50, half signed: at most 25 misses), as in
 * Random world seed 1130: a validator up from height 1, missing height 1 and then
 * 25 heights in a row up to 51. At 51 the window is heights 2..51 (height
 * 1 has left it): 25 misses, the limit, is not jailed; one more miss is. */
START_TEST(window_50_jails_at_the_26th_miss_in_the_window_not_the_25th)
{
    proto_downtime_params p = proto_downtime_defaults();
    p.window = 50;
    ck_assert_uint_eq(proto_downtime_max_missed(&p), 25);
    proto_signing_info s;
    proto_signing_info_init(&s, &p, 0);
    for (uint64_t h = 1; h <= 51; h++) {
        bool signed_block = h >= 2 && h <= 26;
        ck_assert_int_eq(proto_signing_info_record(&s, &p, h, 0, signed_block), PROTO_DOWNTIME_OK);
    }
    ck_assert_uint_eq(s.missed_count, 25);
    ck_assert(!s.jailed);
    ck_assert_int_eq(proto_signing_info_record(&s, &p, 52, 0, false), PROTO_DOWNTIME_JAIL);
    ck_assert(s.jailed);
    proto_signing_info_clear(&s);
}
END_TEST

START_TEST(unjail_after_the_jail_period)
{
    proto_downtime_params p = proto_downtime_defaults();
    proto_signing_info s;
    proto_signing_info_init(&s, &p, 0);
    uint64_t h = 0;
    while (proto_signing_info_record(&s, &p, h, 1000, false) != PROTO_DOWNTIME_JAIL)
        h++;
    ck_assert_uint_eq(h, 101);
    ck_assert(!proto_signing_info_unjail(&s, 1000 + p.jail_duration_ns - 1, h + 1));
    ck_assert(proto_signing_info_unjail(&s, 1000 + p.jail_duration_ns, h + 5));
    ck_assert(!s.jailed);
    ck_assert_uint_eq(s.start_height, h + 5);
    ck_assert(!proto_signing_info_unjail(&s, 1000 + p.jail_duration_ns, h + 6));
    proto_signing_info_clear(&s);
}
END_TEST

static Suite *downtime_suite(void)
{
    Suite *s = suite_create("downtime");
    TCase *tc = tcase_create("cosmos");
    tcase_add_test(tc, max_missed_rounds_half_to_even);
    tcase_add_test(tc, handle_already_jailed);
    tcase_add_test(tc, handle_new_validator);
    tcase_add_test(tc, validator_dipping_in_and_out);
    tcase_add_test(tc, default_window_jails_at_the_51st_miss_after_a_window);
    tcase_add_test(tc, window_50_jails_at_the_26th_miss_in_the_window_not_the_25th);
    tcase_add_test(tc, unjail_after_the_jail_period);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(downtime_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
