/* Unit tests for the gas schedule and meter (protocol/chain/gas.c).
 *
 * The schedule set to Cosmos's numbers reproduces the Cosmos SDK's own
 * figures through a small metered key-value store written here the way
 * cosmos-sdk store/gaskv/store.go charges (flat + per byte of key and
 * value): TestGasKVStoreBasic in store/gaskv/store_test.go (a miss, a set,
 * a get, a delete and a miss on key "key00000001", value
 * "value00000001", meter limit 10000: 6858 gas) and the out-of-gas set of
 * TestGasKVStoreOutOfGasSet; and the meter reproduces the cases of
 * TestGasMeter in store/types/gas_test.go (usages that add up to the
 * limit exactly pass, one more gas is out of gas). The meter is
 * overflow-safe and refund-less: an over-large charge pins consumed at
 * the limit, and prices times hostile sizes saturate. */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "protocol/chain/gas.h"

/* ---- a metered key-value store, charged as Cosmos's gaskv store ---- */

typedef struct metered_kv {
    GHashTable *map; /* char * key -> char * value */
    proto_gas_meter meter;
    const proto_gas_schedule *schedule;
    gboolean charge_key_bytes; /* FALSE: the older SDKs, which charged value bytes only */
    proto_gas_result last;     /* result of the last charge */
} metered_kv;

static void kv_init(metered_kv *kv, const proto_gas_schedule *s, uint64_t limit)
{
    kv->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    proto_gas_meter_init(&kv->meter, limit);
    kv->schedule = s;
    kv->charge_key_bytes = TRUE;
    kv->last = PROTO_GAS_OK;
}

static void kv_clear(metered_kv *kv)
{
    g_hash_table_destroy(kv->map);
}

static size_t kv_key_size(const metered_kv *kv, const char *key)
{
    return kv->charge_key_bytes ? strlen(key) : 0;
}

/* NULL for a miss (a value of 0 bytes, as Cosmos charges it). */
static const char *kv_get(metered_kv *kv, const char *key)
{
    const char *value = g_hash_table_lookup(kv->map, key);
    kv->last = proto_gas_charge_read(&kv->meter, kv->schedule, kv_key_size(kv, key),
                                     value != NULL ? strlen(value) : 0);
    return value;
}

/* Charges first, writes only if the gas was there (Cosmos panics before
 * writing). */
static void kv_set(metered_kv *kv, const char *key, const char *value)
{
    kv->last = proto_gas_charge_write(&kv->meter, kv->schedule, kv_key_size(kv, key),
                                      strlen(value));
    if (kv->last == PROTO_GAS_OK)
        g_hash_table_replace(kv->map, g_strdup(key), g_strdup(value));
}

static void kv_delete(metered_kv *kv, const char *key)
{
    kv->last = proto_gas_charge_delete(&kv->meter, kv->schedule);
    if (kv->last == PROTO_GAS_OK)
        g_hash_table_remove(kv->map, key);
}

/* Go's fmt.Sprintf("key%0.8d", i) and ("value%0.8d", i). */
static void key_fmt(char *out, size_t size, int i)
{
    g_snprintf(out, size, "key%.8d", i);
}

static void val_fmt(char *out, size_t size, int i)
{
    g_snprintf(out, size, "value%.8d", i);
}

/* The operations of TestGasKVStoreBasic; returns the gas consumed and
 * records it after each step. */
static uint64_t run_kv_store_basic(gboolean charge_key_bytes, uint64_t steps[5])
{
    proto_gas_schedule s = proto_gas_schedule_cosmos();
    metered_kv kv;
    kv_init(&kv, &s, 10000);
    kv.charge_key_bytes = charge_key_bytes;
    char key[32], value[32];
    key_fmt(key, sizeof key, 1);
    val_fmt(value, sizeof value, 1);
    ck_assert_uint_eq(strlen(key), 11);
    ck_assert_uint_eq(strlen(value), 13);

    ck_assert_ptr_null(kv_get(&kv, key));
    steps[0] = kv.meter.consumed;
    kv_set(&kv, key, value);
    steps[1] = kv.meter.consumed;
    ck_assert_str_eq(kv_get(&kv, key), value);
    steps[2] = kv.meter.consumed;
    kv_delete(&kv, key);
    steps[3] = kv.meter.consumed;
    ck_assert_ptr_null(kv_get(&kv, key));
    steps[4] = kv.meter.consumed;
    ck_assert_int_eq(kv.last, PROTO_GAS_OK);
    uint64_t consumed = kv.meter.consumed;
    kv_clear(&kv);
    return consumed;
}

START_TEST(test_cosmos_kv_store_basic_6858)
{
    /* 1033 (miss: 1000 + 3*11) + 2720 (set: 2000 + 30*11 + 30*13) + 1072
     * (get: 1000 + 3*11 + 3*13) + 1000 (delete) + 1033 (miss) = 6858. */
    uint64_t steps[5];
    ck_assert_uint_eq(run_kv_store_basic(TRUE, steps), 6858);
    ck_assert_uint_eq(steps[0], 1033);
    ck_assert_uint_eq(steps[1], 1033 + 2720);
    ck_assert_uint_eq(steps[2], 1033 + 2720 + 1072);
    ck_assert_uint_eq(steps[3], 1033 + 2720 + 1072 + 1000);
    /* SDKs that charged value bytes only gave 6429 for the same test. */
    ck_assert_uint_eq(run_kv_store_basic(FALSE, steps), 6429);
}
END_TEST

START_TEST(test_cosmos_kv_out_of_gas_set)
{
    /* TestGasKVStoreOutOfGasSet: a meter of 0 cannot pay for a set, and
     * nothing is written. */
    proto_gas_schedule s = proto_gas_schedule_cosmos();
    metered_kv kv;
    kv_init(&kv, &s, 0);
    kv_set(&kv, "key00000001", "value00000001");
    ck_assert_int_eq(kv.last, PROTO_GAS_OUT_OF_GAS);
    ck_assert_uint_eq(g_hash_table_size(kv.map), 0);
    ck_assert_uint_eq(kv.meter.consumed, 0);
    /* A set that needs 2720 on a meter of 2719 runs out at the limit. */
    kv_clear(&kv);
    kv_init(&kv, &s, 2719);
    kv_set(&kv, "key00000001", "value00000001");
    ck_assert_int_eq(kv.last, PROTO_GAS_OUT_OF_GAS);
    ck_assert_uint_eq(kv.meter.consumed, 2719);
    ck_assert(proto_gas_meter_exhausted(&kv.meter));
    kv_clear(&kv);
}
END_TEST

START_TEST(test_cosmos_gas_meter_cases)
{
    static const struct {
        uint64_t limit;
        uint64_t usage[5];
        int count;
    } cases[] = {
        {10, {1, 2, 3, 4}, 4},
        {1000, {40, 30, 20, 10, 900}, 5},
        {100000, {99999, 1}, 2},
        {100000000, {50000000, 40000000, 10000000}, 3},
        {65535, {32768, 32767}, 2},
        {65536, {32768, 32767, 1}, 3},
    };
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        proto_gas_meter m;
        proto_gas_meter_init(&m, cases[c].limit);
        uint64_t used = 0;
        for (int u = 0; u < cases[c].count; u++) {
            used += cases[c].usage[u];
            ck_assert_int_eq(proto_gas_consume(&m, cases[c].usage[u]), PROTO_GAS_OK);
            ck_assert_uint_eq(m.consumed, used);
            ck_assert(proto_gas_meter_exhausted(&m) == (u == cases[c].count - 1));
        }
        ck_assert_int_eq(proto_gas_consume(&m, 1), PROTO_GAS_OUT_OF_GAS);
        ck_assert_uint_eq(m.consumed, cases[c].limit);
        /* Nothing is refunded, and a free operation still passes. */
        ck_assert_int_eq(proto_gas_consume(&m, 0), PROTO_GAS_OK);
        ck_assert_uint_eq(proto_gas_meter_remaining(&m), 0);
    }
}
END_TEST

START_TEST(test_overflow_safe)
{
    proto_gas_meter m;
    proto_gas_meter_init(&m, UINT64_MAX); /* an "infinite" meter */
    ck_assert_int_eq(proto_gas_consume(&m, UINT64_MAX / 2), PROTO_GAS_OK);
    ck_assert_int_eq(proto_gas_consume(&m, UINT64_MAX / 2), PROTO_GAS_OK);
    ck_assert_uint_eq(m.consumed, UINT64_MAX - 1);
    /* Cosmos's consumed + amount would wrap here; this pins at the limit. */
    ck_assert_int_eq(proto_gas_consume(&m, UINT64_MAX / 2 + 2), PROTO_GAS_OUT_OF_GAS);
    ck_assert_uint_eq(m.consumed, UINT64_MAX);

    ck_assert_uint_eq(proto_gas_mul_sat(UINT64_MAX, 2), UINT64_MAX);
    ck_assert_uint_eq(proto_gas_mul_sat(1ull << 32, 1ull << 32), UINT64_MAX);
    ck_assert_uint_eq(proto_gas_mul_sat(1ull << 31, 1ull << 32), 1ull << 63);
    ck_assert_uint_eq(proto_gas_mul_sat(0, UINT64_MAX), 0);
    ck_assert_uint_eq(proto_gas_add_sat(UINT64_MAX, 1), UINT64_MAX);
    ck_assert_uint_eq(proto_gas_add_sat(UINT64_MAX - 1, 1), UINT64_MAX);
    ck_assert_uint_eq(proto_gas_add_sat(2, 3), 5);

    /* A hostile length can only run out of gas. */
    proto_gas_schedule s = proto_gas_schedule_default();
    ck_assert_uint_eq(proto_gas_read_cost(&s, SIZE_MAX, SIZE_MAX), UINT64_MAX);
    ck_assert_uint_eq(proto_gas_write_cost(&s, 0, SIZE_MAX / 2), UINT64_MAX);
    ck_assert_uint_eq(proto_gas_intrinsic(&s, SIZE_MAX, UINT32_MAX), UINT64_MAX);
    proto_gas_meter_init(&m, 30000000);
    ck_assert_int_eq(proto_gas_charge_write(&m, &s, 1, SIZE_MAX), PROTO_GAS_OUT_OF_GAS);
    ck_assert_uint_eq(m.consumed, 30000000);
}
END_TEST

START_TEST(test_schedules_and_charges)
{
    proto_gas_schedule c = proto_gas_schedule_cosmos();
    proto_gas_schedule d = proto_gas_schedule_default();
    ck_assert_uint_eq(c.has_cost, 1000);
    ck_assert_uint_eq(c.delete_cost, 1000);
    ck_assert_uint_eq(c.read_cost_flat, 1000);
    ck_assert_uint_eq(c.read_cost_per_byte, 3);
    ck_assert_uint_eq(c.write_cost_flat, 2000);
    ck_assert_uint_eq(c.write_cost_per_byte, 30);
    ck_assert_uint_eq(c.iter_next_cost_flat, 30);
    ck_assert_uint_eq(c.tx_size_cost_per_byte, 10);
    ck_assert_uint_eq(c.sig_verify_cost, 1000);
    /* The default differs only in the Ed25519 signature price. */
    ck_assert_uint_eq(d.sig_verify_cost, 590);
    proto_gas_schedule d_as_c = d;
    d_as_c.sig_verify_cost = c.sig_verify_cost;
    ck_assert_mem_eq(&d_as_c, &c, sizeof c);

    /* Each charge is its table row. */
    proto_gas_meter m;
    proto_gas_meter_init(&m, 100000);
    ck_assert_int_eq(proto_gas_charge_has(&m, &d), PROTO_GAS_OK);
    ck_assert_uint_eq(m.consumed, 1000);
    ck_assert_int_eq(proto_gas_charge_iter_step(&m, &d, 11, 13), PROTO_GAS_OK);
    ck_assert_uint_eq(m.consumed, 1000 + 30 + 3 * 24);
    ck_assert_int_eq(proto_gas_charge_intrinsic(&m, &d, 200, 1), PROTO_GAS_OK);
    ck_assert_uint_eq(m.consumed, 1000 + 102 + 2000 + 590);
    ck_assert_uint_eq(proto_gas_intrinsic(&c, 200, 2), 2000 + 2000);
    ck_assert_str_eq(proto_gas_result_name(PROTO_GAS_OUT_OF_GAS), "out_of_gas");
    ck_assert_str_eq(proto_gas_result_name(PROTO_GAS_OK), "ok");
}
END_TEST

static Suite *gas_suite(void)
{
    Suite *s = suite_create("gas");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cosmos_kv_store_basic_6858);
    tcase_add_test(tc, test_cosmos_kv_out_of_gas_set);
    tcase_add_test(tc, test_cosmos_gas_meter_cases);
    tcase_add_test(tc, test_overflow_safe);
    tcase_add_test(tc, test_schedules_and_charges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(gas_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
