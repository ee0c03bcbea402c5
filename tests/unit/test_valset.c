/* Unit tests for the bonded validator set (protocol/chain/valset.c).
 *
 * Vectors from cosmos-sdk x/slashing and x/staking (keeper tests):
 * TestHandleAlreadyJailed (window 1000, min signed 1/2: 501 misses jail
 * once height > start + window, 100,000,000 tokens lose 1%, no second
 * slash while jailed), the double-sign fraction 1/20 and the evidence-age
 * boundary (exactly max age is valid). Plus the update delay (a change by
 * block 10 with delay 2 shows at 12, not 11), unjail and key-rotation
 * rules with every rejection reason, slashing near UINT64_MAX, deep
 * copies, and a hash that changes with every field down to one window
 * bit. */
#include <check.h>
#include <string.h>

#include "protocol/chain/valset.h"

/* A recognisable key: every byte = tag. */
static proto_pubkey key_of(uint8_t tag)
{
    proto_pubkey k;
    memset(k.bytes, tag, sizeof k.bytes);
    return k;
}

static bool key_eq(const proto_pubkey *a, const proto_pubkey *b)
{
    return a != NULL && b != NULL && memcmp(a->bytes, b->bytes, PROTO_PUBKEY_SIZE) == 0;
}

/* count validators, keys key_of(1), key_of(2), ..., the given stakes. */
static proto_valset *set_new(const proto_slashing_params *p, uint32_t count, const uint64_t *stakes)
{
    proto_pubkey keys[16];
    ck_assert_uint_le(count, 16);
    for (uint32_t i = 0; i < count; i++) {
        keys[i] = key_of((uint8_t)(i + 1));
    }
    return proto_valset_new(p, count, keys, stakes);
}

/* Every validator in `count` signs except those in absent_mask bits. */
static uint64_t commit(proto_valset *v, uint64_t signed_height, int64_t now_ns,
                       uint32_t absent_mask, GArray *jailed, GArray *burned)
{
    bool mask[16];
    for (uint32_t i = 0; i < proto_valset_count(v); i++) {
        mask[i] = ((absent_mask >> i) & 1) == 0;
    }
    return proto_valset_record_commit(v, signed_height, signed_height + 1, now_ns, mask, jailed,
                                      burned);
}

static void hash_of(const proto_valset *v, proto_hash *out)
{
    proto_valset_hash(v, false, out);
}

START_TEST(defaults)
{
    proto_slashing_params p = proto_slashing_defaults();
    ck_assert_uint_eq(p.slash_double_sign_num, 1);
    ck_assert_uint_eq(p.slash_double_sign_den, 20);
    ck_assert_uint_eq(p.slash_downtime_num, 1);
    ck_assert_uint_eq(p.slash_downtime_den, 100);
    ck_assert_uint_eq(p.downtime.window, 50);
    ck_assert_uint_eq(p.downtime.min_signed_num * 2, p.downtime.min_signed_den);
    ck_assert_int_eq(p.downtime.jail_duration_ns, 30LL * 1000 * 1000 * 1000);
    ck_assert_uint_eq(p.evidence_max_age, 100);
    ck_assert_uint_eq(p.update_delay, 2);
}
END_TEST

START_TEST(genesis)
{
    proto_slashing_params p = proto_slashing_defaults();
    uint64_t stakes[3] = {10, 20, 30};
    proto_valset *v = set_new(&p, 3, stakes);
    ck_assert_uint_eq(proto_valset_count(v), 3);
    ck_assert_uint_eq(proto_valset_bonded(v), 60);
    ck_assert_ptr_null(proto_valset_get(v, 3));
    const proto_validator *val = proto_valset_get(v, 1);
    ck_assert_uint_eq(val->tokens, 20);
    ck_assert(!val->jailed && !val->tombstoned);
    ck_assert_uint_eq(val->op_nonce, 0);
    ck_assert_uint_eq(val->signing.start_height, 0);
    ck_assert_uint_eq(proto_valset_power_at(v, 2, 0), 30);
    ck_assert_uint_eq(proto_valset_power_at(v, 2, 1000000), 30);
    proto_pubkey k2 = key_of(2);
    ck_assert(key_eq(proto_valset_key_at(v, 1, 0), &k2));
    ck_assert_ptr_null(proto_valset_prev_key_at(v, 1, 1000));
    ck_assert_uint_eq(proto_valset_params(v)->update_delay, 2);
    proto_valset_free(v);
}
END_TEST

/* TestHandleAlreadyJailed: validator 0 signs 0..999, is absent from 1000
 * on; validator 1 always signs. */
START_TEST(downtime_cosmos_vector)
{
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 1000;
    p.downtime.jail_duration_ns = 3600;
    uint64_t stakes[2] = {100000000, 100000000};
    proto_valset *v = set_new(&p, 2, stakes);
    GArray *jailed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *burned = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (uint64_t h = 0; h < 1000; h++) {
        ck_assert_uint_eq(commit(v, h, (int64_t)h, 0, jailed, burned), 0);
    }
    for (uint64_t h = 1000; h < 1500; h++) {
        ck_assert_uint_eq(commit(v, h, (int64_t)h, 1u << 0, jailed, burned), 0);
    }
    ck_assert(!proto_valset_get(v, 0)->jailed);
    ck_assert_uint_eq(proto_valset_get(v, 0)->signing.missed_count, 500);
    /* 501st miss, at height 1500 > 0 + 1000: jailed and slashed 1%. */
    ck_assert_uint_eq(commit(v, 1500, 1500, 1u << 0, jailed, burned), 1000000);
    const proto_validator *val = proto_valset_get(v, 0);
    ck_assert(val->jailed && !val->tombstoned);
    ck_assert(val->signing.jailed);
    ck_assert_uint_eq(val->tokens, 99000000);
    ck_assert_int_eq(val->jailed_until_ns, 1500 + 3600);
    ck_assert_int_eq(val->signing.jailed_until_ns, 1500 + 3600);
    ck_assert_uint_eq(jailed->len, 1);
    ck_assert_uint_eq(g_array_index(jailed, uint32_t, 0), 0);
    ck_assert_uint_eq(g_array_index(burned, uint64_t, 0), 1000000);
    /* Block 1501 carried that commit: power 0 from 1503. */
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 1502), 100000000);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 1503), 0);
    ck_assert_uint_eq(proto_valset_bonded(v), 199000000);
    /* One more absent block: no second slash. */
    ck_assert_uint_eq(commit(v, 1501, 1501, 1u << 0, jailed, burned), 0);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 99000000);
    ck_assert_uint_eq(jailed->len, 1);
    ck_assert(!proto_valset_get(v, 1)->jailed);
    ck_assert_uint_eq(proto_valset_get(v, 1)->tokens, 100000000);
    /* NULL output arrays are allowed. */
    ck_assert_uint_eq(commit(v, 1502, 1502, 1u << 1, NULL, NULL), 0);
    g_array_unref(jailed);
    g_array_unref(burned);
    proto_valset_free(v);
}
END_TEST

START_TEST(downtime_jail_time_saturates)
{
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 4; /* max missed 2: the jail comes at height 5 */
    uint64_t stakes[1] = {100};
    proto_valset *v = set_new(&p, 1, stakes);
    for (uint64_t h = 1; h <= 4; h++) {
        ck_assert_uint_eq(commit(v, h, INT64_MAX - 5, 1, NULL, NULL), 0);
        ck_assert(!proto_valset_get(v, 0)->jailed);
    }
    ck_assert_uint_eq(commit(v, 5, INT64_MAX - 5, 1, NULL, NULL), 1);
    ck_assert_int_eq(proto_valset_get(v, 0)->jailed_until_ns, INT64_MAX);
    proto_valset_free(v);
}
END_TEST

START_TEST(double_sign)
{
    proto_slashing_params p = proto_slashing_defaults();
    uint64_t stakes[2] = {100, 100};
    proto_valset *v = set_new(&p, 2, stakes);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 9, 10), PROTO_VALSET_OK);
    ck_assert_uint_eq(proto_valset_apply_double_sign(v, 0, 10, 1000), 5);
    const proto_validator *val = proto_valset_get(v, 0);
    ck_assert_uint_eq(val->tokens, 95);
    ck_assert(val->jailed && val->tombstoned && val->signing.jailed);
    ck_assert_int_eq(val->jailed_until_ns, INT64_MAX);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 11), 100);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 12), 0);
    ck_assert_uint_eq(proto_valset_bonded(v), 195);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 9, 10), PROTO_VALSET_TOMBSTONED);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 11, 12), PROTO_VALSET_TOMBSTONED);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 1, 11, 12), PROTO_VALSET_OK);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 2, 11, 12), PROTO_VALSET_UNKNOWN);
    proto_valset_free(v);
}
END_TEST

/* A validator already jailed for downtime can still be punished once for
 * double signing; its jail becomes permanent. */
START_TEST(double_sign_while_jailed_for_downtime)
{
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 4;
    uint64_t stakes[1] = {10000};
    proto_valset *v = set_new(&p, 1, stakes);
    for (uint64_t h = 1; h <= 5; h++) {
        commit(v, h, 100, 1, NULL, NULL);
    }
    ck_assert(proto_valset_get(v, 0)->jailed);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 9900);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 4, 7), PROTO_VALSET_OK);
    ck_assert_uint_eq(proto_valset_apply_double_sign(v, 0, 7, 200), 495);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 9405);
    ck_assert_int_eq(proto_valset_get(v, 0)->jailed_until_ns, INT64_MAX);
    ck_assert_int_eq(proto_valset_check_unjail(v, 0, 0, INT64_MAX), PROTO_VALSET_TOMBSTONED);
    proto_valset_free(v);
}
END_TEST

START_TEST(evidence_age)
{
    proto_slashing_params p = proto_slashing_defaults(); /* max age 100 */
    uint64_t stakes[1] = {100};
    proto_valset *v = set_new(&p, 1, stakes);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 100, 200), PROTO_VALSET_OK);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 99, 200), PROTO_VALSET_TOO_OLD);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 0, 200), PROTO_VALSET_TOO_OLD);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 200, 200), PROTO_VALSET_OK);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 201, 200), PROTO_VALSET_FUTURE);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 0, 0, 100), PROTO_VALSET_OK);
    proto_valset_free(v);
}
END_TEST

/* Changes by block 10 with delay 2: unchanged at 11, in effect at 12. */
START_TEST(update_delay_power_keys_fill)
{
    proto_slashing_params p = proto_slashing_defaults();
    uint64_t stakes[3] = {10, 20, 30};
    proto_valset *v = set_new(&p, 3, stakes);
    proto_pubkey k3 = key_of(3);
    proto_pubkey fresh = key_of(0xaa);
    ck_assert_uint_eq(proto_valset_apply_double_sign(v, 1, 10, 0), 1); /* 20 / 20 */
    ck_assert_uint_eq(proto_valset_apply_rotate(v, 2, &fresh, 10), 12);

    uint64_t powers[3];
    proto_pubkey keys[3];
    ck_assert_uint_eq(proto_valset_fill(v, 11, powers, keys), 60);
    ck_assert_uint_eq(powers[0], 10);
    ck_assert_uint_eq(powers[1], 20);
    ck_assert_uint_eq(powers[2], 30);
    ck_assert(key_eq(&keys[2], &k3));
    ck_assert_uint_eq(proto_valset_power_at(v, 1, 11), 20);
    ck_assert(key_eq(proto_valset_key_at(v, 2, 11), &k3));
    ck_assert_ptr_null(proto_valset_prev_key_at(v, 2, 11));

    ck_assert_uint_eq(proto_valset_fill(v, 12, powers, keys), 40);
    ck_assert_uint_eq(powers[1], 0);
    ck_assert(key_eq(&keys[2], &fresh));
    ck_assert_uint_eq(proto_valset_power_at(v, 1, 12), 0);
    ck_assert(key_eq(proto_valset_key_at(v, 2, 12), &fresh));
    ck_assert(key_eq(proto_valset_prev_key_at(v, 2, 12), &k3));
    ck_assert_uint_eq(proto_valset_fill(v, 12, powers, NULL), 40);
    /* Earlier heights keep answering from the log. */
    ck_assert_uint_eq(proto_valset_fill(v, 0, powers, keys), 60);
    ck_assert(key_eq(&keys[2], &k3));
    proto_valset_free(v);
}
END_TEST

/* Jail validator 0 for downtime (window 4: jailed by commit 5 at time
 * now_ns), leaving 1 and 2 signing. */
static void jail_for_downtime(proto_valset *v, int64_t now_ns)
{
    for (uint64_t h = 1; h <= 5; h++) {
        commit(v, h, now_ns, 1, NULL, NULL);
    }
    ck_assert(proto_valset_get(v, 0)->jailed);
}

START_TEST(unjail_rules)
{
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 4;
    p.downtime.jail_duration_ns = 1000;
    uint64_t stakes[3] = {100, 100, 100};
    proto_valset *v = set_new(&p, 3, stakes);
    jail_for_downtime(v, 500);
    ck_assert_int_eq(proto_valset_get(v, 0)->jailed_until_ns, 1500);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 99);
    proto_valset_apply_double_sign(v, 2, 6, 500);

    ck_assert_int_eq(proto_valset_check_unjail(v, 3, 0, 2000), PROTO_VALSET_UNKNOWN);
    ck_assert_int_eq(proto_valset_check_unjail(v, 0, 1, 2000), PROTO_VALSET_BAD_NONCE);
    ck_assert_int_eq(proto_valset_check_unjail(v, 1, 0, 2000), PROTO_VALSET_NOT_JAILED);
    ck_assert_int_eq(proto_valset_check_unjail(v, 2, 0, INT64_MAX), PROTO_VALSET_TOMBSTONED);
    ck_assert_int_eq(proto_valset_check_unjail(v, 0, 0, 1499), PROTO_VALSET_JAIL_NOT_OVER);
    ck_assert_int_eq(proto_valset_check_unjail(v, 0, 0, 1500), PROTO_VALSET_OK);

    proto_valset_apply_unjail(v, 0, 20);
    const proto_validator *val = proto_valset_get(v, 0);
    ck_assert(!val->jailed && !val->signing.jailed);
    ck_assert_uint_eq(val->op_nonce, 1);
    ck_assert_uint_eq(val->signing.start_height, 22);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 21), 0);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 22), 99);
    ck_assert_int_eq(proto_valset_check_unjail(v, 0, 1, 2000), PROTO_VALSET_NOT_JAILED);

    /* No power yet at 21: not recorded; from 22 it is. */
    uint64_t offset = val->signing.index_offset;
    commit(v, 21, 2000, 1, NULL, NULL);
    ck_assert_uint_eq(proto_valset_get(v, 0)->signing.index_offset, offset);
    commit(v, 22, 2000, 1, NULL, NULL);
    ck_assert_uint_eq(proto_valset_get(v, 0)->signing.index_offset, offset + 1);
    ck_assert_uint_eq(proto_valset_get(v, 0)->signing.missed_count, 1);
    proto_valset_free(v);
}
END_TEST

START_TEST(unjail_without_tokens)
{
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 4;
    p.downtime.jail_duration_ns = 10;
    p.slash_downtime_num = 1;
    p.slash_downtime_den = 1; /* lose everything */
    uint64_t stakes[2] = {100, 100};
    proto_valset *v = set_new(&p, 2, stakes);
    jail_for_downtime(v, 0);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 0);
    ck_assert_int_eq(proto_valset_check_unjail(v, 0, 0, 5), PROTO_VALSET_JAIL_NOT_OVER);
    ck_assert_int_eq(proto_valset_check_unjail(v, 0, 0, 10), PROTO_VALSET_NO_TOKENS);
    proto_valset_free(v);
}
END_TEST

START_TEST(rotation_rules)
{
    proto_slashing_params p = proto_slashing_defaults();
    uint64_t stakes[3] = {100, 100, 100};
    proto_valset *v = set_new(&p, 3, stakes);
    proto_pubkey k1 = key_of(1);
    proto_pubkey k2 = key_of(2);
    proto_pubkey n1 = key_of(0x51);
    proto_pubkey n2 = key_of(0x52);
    proto_pubkey n3 = key_of(0x53);

    ck_assert_int_eq(proto_valset_check_rotate(v, 3, 0, &n1, 10), PROTO_VALSET_UNKNOWN);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 1, &n1, 10), PROTO_VALSET_BAD_NONCE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 0, &k1, 10), PROTO_VALSET_KEY_IN_USE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 0, &k2, 10), PROTO_VALSET_KEY_IN_USE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 0, &n1, 10), PROTO_VALSET_OK);
    ck_assert_uint_eq(proto_valset_apply_rotate(v, 0, &n1, 10), 12);
    ck_assert_uint_eq(proto_valset_get(v, 0)->op_nonce, 1);

    /* Pending until 12. */
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 0, &n2, 11), PROTO_VALSET_BAD_NONCE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 1, &n2, 11), PROTO_VALSET_ROTATION_PENDING);
    /* Another validator may not take a pending key. */
    ck_assert_int_eq(proto_valset_check_rotate(v, 1, 0, &n1, 11), PROTO_VALSET_KEY_IN_USE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 1, 0, &n2, 11), PROTO_VALSET_OK);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 1, &n2, 12), PROTO_VALSET_OK);
    ck_assert_uint_eq(proto_valset_apply_rotate(v, 0, &n2, 12), 14);

    /* Old keys can never come back, for anyone. */
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 2, &k1, 20), PROTO_VALSET_KEY_IN_USE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 2, &n1, 20), PROTO_VALSET_KEY_IN_USE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 2, 0, &k1, 20), PROTO_VALSET_KEY_IN_USE);
    ck_assert_int_eq(proto_valset_check_rotate(v, 0, 2, &n3, 20), PROTO_VALSET_OK);

    ck_assert(key_eq(proto_valset_key_at(v, 0, 11), &k1));
    ck_assert(key_eq(proto_valset_key_at(v, 0, 12), &n1));
    ck_assert(key_eq(proto_valset_key_at(v, 0, 13), &n1));
    ck_assert(key_eq(proto_valset_key_at(v, 0, 14), &n2));
    ck_assert_ptr_null(proto_valset_prev_key_at(v, 0, 11));
    ck_assert(key_eq(proto_valset_prev_key_at(v, 0, 12), &k1));
    ck_assert(key_eq(proto_valset_prev_key_at(v, 0, 13), &k1));
    ck_assert(key_eq(proto_valset_prev_key_at(v, 0, 14), &n1));
    ck_assert(key_eq(proto_valset_key_at(v, 1, 14), &k2));

    proto_valset_apply_double_sign(v, 2, 20, 0);
    ck_assert_int_eq(proto_valset_check_rotate(v, 2, 0, &n3, 21), PROTO_VALSET_TOMBSTONED);
    proto_valset_free(v);
}
END_TEST

START_TEST(slash_near_uint64_max)
{
    proto_slashing_params p = proto_slashing_defaults();
    p.slash_double_sign_num = 19;
    p.slash_double_sign_den = 20;
    uint64_t stakes[1] = {UINT64_MAX};
    proto_valset *v = set_new(&p, 1, stakes);
    ck_assert_uint_eq(proto_valset_apply_double_sign(v, 0, 1, 0), 17524406870024074034ULL);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 922337203685477581ULL);
    proto_valset_free(v);

    stakes[0] = UINT64_MAX - 15; /* divisible by 20 */
    v = set_new(&p, 1, stakes);
    ck_assert_uint_eq(proto_valset_apply_double_sign(v, 0, 1, 0), 17524406870024074020ULL);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 922337203685477580ULL);
    proto_valset_free(v);

    p.downtime.window = 4;
    stakes[0] = UINT64_MAX;
    v = set_new(&p, 1, stakes);
    for (uint64_t h = 1; h <= 4; h++) {
        commit(v, h, 0, 1, NULL, NULL);
    }
    ck_assert_uint_eq(commit(v, 5, 0, 1, NULL, NULL), UINT64_MAX / 100);
    proto_valset_free(v);
}
END_TEST

START_TEST(copy_is_deep)
{
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 4;
    uint64_t stakes[2] = {100, 100};
    proto_valset *v = set_new(&p, 2, stakes);
    commit(v, 1, 0, 1, NULL, NULL); /* one window bit set */
    proto_hash before;
    hash_of(v, &before);
    proto_valset *c = proto_valset_copy(v);
    proto_hash h;
    hash_of(c, &h);
    ck_assert(proto_hash_equal(&before, &h));

    proto_pubkey fresh = key_of(0x77);
    commit(c, 2, 0, 1, NULL, NULL);
    proto_valset_apply_double_sign(c, 1, 5, 0);
    proto_valset_apply_rotate(c, 0, &fresh, 5);
    ck_assert_uint_eq(proto_valset_get(c, 0)->signing.missed_count, 2);

    ck_assert_uint_eq(proto_valset_get(v, 1)->tokens, 100);
    ck_assert(!proto_valset_get(v, 1)->tombstoned);
    ck_assert_uint_eq(proto_valset_get(v, 0)->op_nonce, 0);
    ck_assert_uint_eq(proto_valset_get(v, 0)->signing.missed_count, 1);
    ck_assert_uint_eq(proto_valset_power_at(v, 1, 100), 100);
    proto_pubkey k1 = key_of(1);
    ck_assert(key_eq(proto_valset_key_at(v, 0, 100), &k1));
    hash_of(v, &h);
    ck_assert(proto_hash_equal(&before, &h));
    proto_valset_free(c);
    proto_valset_free(v);
}
END_TEST

static void assert_hash_differs(const proto_valset *a, const proto_valset *b)
{
    proto_hash ha;
    proto_hash hb;
    proto_valset_hash(a, false, &ha);
    proto_valset_hash(b, false, &hb);
    ck_assert(!proto_hash_equal(&ha, &hb));
    proto_valset_hash(a, true, &ha);
    proto_valset_hash(b, true, &hb);
    ck_assert(!proto_hash_equal(&ha, &hb));
}

START_TEST(hash_covers_everything)
{
    proto_slashing_params p = proto_slashing_defaults();
    uint64_t stakes[3] = {100, 200, 300};
    proto_valset *a = set_new(&p, 3, stakes);
    proto_valset *b = set_new(&p, 3, stakes);
    proto_hash ha;
    proto_hash hb;
    hash_of(a, &ha);
    hash_of(b, &hb);
    ck_assert(proto_hash_equal(&ha, &hb));
    proto_valset_hash(a, true, &ha);
    proto_valset_hash(b, true, &hb);
    ck_assert(proto_hash_equal(&ha, &hb));
    hash_of(b, &hb);
    ck_assert(!proto_hash_equal(&ha, &hb)); /* fast and BLAKE2b differ */

    proto_valset *c = proto_valset_copy(a);
    proto_valset_get(c, 1)->signing.missed[0] ^= 0x04; /* one window bit */
    assert_hash_differs(a, c);
    proto_valset_free(c);

    c = proto_valset_copy(a);
    commit(c, 1, 0, 0, NULL, NULL); /* everyone signed: only index_offset moves */
    assert_hash_differs(a, c);
    proto_valset_free(c);

    c = proto_valset_copy(a);
    proto_valset_apply_double_sign(c, 2, 3, 0);
    assert_hash_differs(a, c);
    proto_valset_free(c);

    proto_pubkey fresh = key_of(0x99);
    c = proto_valset_copy(a);
    proto_valset_apply_rotate(c, 0, &fresh, 3);
    assert_hash_differs(a, c);
    proto_valset_free(c);

    uint64_t other[3] = {100, 200, 301};
    c = set_new(&p, 3, other);
    assert_hash_differs(a, c);
    proto_valset_free(c);

    proto_valset_free(a);
    proto_valset_free(b);
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(proto_slash_reason_name(PROTO_SLASH_DOUBLE_SIGN), "double-sign");
    ck_assert_str_eq(proto_slash_reason_name(PROTO_SLASH_DOWNTIME), "downtime");
    ck_assert_str_eq(proto_slash_reason_name((proto_slash_reason)0), "unknown");
    ck_assert_str_eq(proto_valset_check_name(PROTO_VALSET_OK), "ok");
    ck_assert_str_eq(proto_valset_check_name(PROTO_VALSET_KEY_IN_USE), "key_in_use");
    ck_assert_str_eq(proto_valset_check_name(PROTO_VALSET_JAIL_NOT_OVER), "jail_not_over");
    ck_assert_str_eq(proto_valset_check_name((proto_valset_check)99), "unknown");
    /* Every reason has its own name. */
    for (int a = PROTO_VALSET_OK; a <= PROTO_VALSET_KEY_IN_USE; a++) {
        for (int b = a + 1; b <= PROTO_VALSET_KEY_IN_USE; b++) {
            ck_assert_str_ne(proto_valset_check_name((proto_valset_check)a),
                             proto_valset_check_name((proto_valset_check)b));
        }
        ck_assert_str_ne(proto_valset_check_name((proto_valset_check)a), "unknown");
    }
}
END_TEST

static Suite *valset_suite(void)
{
    Suite *s = suite_create("valset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, genesis);
    tcase_add_test(tc, downtime_cosmos_vector);
    tcase_add_test(tc, downtime_jail_time_saturates);
    tcase_add_test(tc, double_sign);
    tcase_add_test(tc, double_sign_while_jailed_for_downtime);
    tcase_add_test(tc, evidence_age);
    tcase_add_test(tc, update_delay_power_keys_fill);
    tcase_add_test(tc, unjail_rules);
    tcase_add_test(tc, unjail_without_tokens);
    tcase_add_test(tc, rotation_rules);
    tcase_add_test(tc, slash_near_uint64_max);
    tcase_add_test(tc, copy_is_deep);
    tcase_add_test(tc, hash_covers_everything);
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(valset_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
