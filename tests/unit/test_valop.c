/* Unit tests for validator operations (protocol/chain/valop.c): the
 * signature covers every field and is domain-separated, the wire format
 * round-trips and refuses truncation, unknown kinds, a key on UNJAIL and
 * trailing bytes, and the rule check defers to the bonded set's rules
 * (nonce, jail, rotation). */
#include <check.h>
#include <string.h>

#include "protocol/chain/valop.h"
#include "protocol/core/msgtype.h"

#define CHAIN_ID 7

typedef struct fixture {
    proto_crypto *c;
    proto_keypair keys[4];
    proto_pubkey pubs[4];
    uint64_t stakes[4];
    proto_keypair fresh;
    proto_valset *vs;
} fixture;

static void fixture_init(fixture *f)
{
    f->c = proto_crypto_new(PROTO_CRYPTO_REAL, 64);
    for (uint32_t i = 0; i < 4; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "validator/%u", i);
        proto_keypair_derive(&f->keys[i], 3, label);
        f->pubs[i] = f->keys[i].pk;
        f->stakes[i] = 100;
    }
    proto_keypair_derive(&f->fresh, 3, "validator/1/rotation/1");
    proto_slashing_params p = proto_slashing_defaults();
    f->vs = proto_valset_new(&p, 4, f->pubs, f->stakes);
}

static void fixture_clear(fixture *f)
{
    proto_valset_free(f->vs);
    proto_crypto_free(f->c);
}

static proto_valop rotate_op(fixture *f)
{
    proto_valop op = {.kind = PROTO_VALOP_ROTATE_KEY, .validator = 1, .nonce = 0,
                      .new_key = f->fresh.pk};
    proto_valop_sign(&op, CHAIN_ID, f->c, &f->keys[1]);
    return op;
}

START_TEST(test_signature_covers_every_field)
{
    fixture f;
    fixture_init(&f);
    proto_valop op = rotate_op(&f);
    ck_assert(proto_valop_verify(&op, CHAIN_ID, f.c, &f.pubs[1]));
    ck_assert(!proto_valop_verify(&op, CHAIN_ID, f.c, &f.pubs[2]));
    ck_assert(!proto_valop_verify(&op, CHAIN_ID + 1, f.c, &f.pubs[1]));
    proto_valop t = op;
    t.nonce = 1;
    ck_assert(!proto_valop_verify(&t, CHAIN_ID, f.c, &f.pubs[1]));
    t = op;
    t.validator = 2;
    ck_assert(!proto_valop_verify(&t, CHAIN_ID, f.c, &f.pubs[1]));
    t = op;
    t.new_key.bytes[31] ^= 1;
    ck_assert(!proto_valop_verify(&t, CHAIN_ID, f.c, &f.pubs[1]));
    t = op;
    t.kind = PROTO_VALOP_UNJAIL;
    ck_assert(!proto_valop_verify(&t, CHAIN_ID, f.c, &f.pubs[1]));
    fixture_clear(&f);
}
END_TEST

START_TEST(test_wire_round_trip_and_malformed)
{
    fixture f;
    fixture_init(&f);
    proto_valop op = rotate_op(&f);
    GBytes *wire = proto_valop_msg_encode(&op);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    ck_assert_uint_eq(size, 1 + PROTO_VALOP_WIRE_SIZE);
    ck_assert_uint_eq(data[0], PROTO_MSG_VALOP);
    proto_valop back;
    ck_assert(proto_valop_msg_decode(wire, &back));
    ck_assert_mem_eq(&back.new_key, &op.new_key, sizeof op.new_key);
    ck_assert_mem_eq(&back.sig, &op.sig, sizeof op.sig);
    ck_assert_uint_eq(back.nonce, 0);
    ck_assert_uint_eq(back.validator, 1);
    /* Every truncation fails. */
    for (gsize cut = 0; cut < size; cut++) {
        GBytes *t = g_bytes_new(data, cut);
        ck_assert_msg(!proto_valop_msg_decode(t, &back), "cut %zu", cut);
        g_bytes_unref(t);
    }
    /* Trailing byte, unknown kind, UNJAIL carrying a key, wrong type byte. */
    uint8_t *copy = g_malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = 0;
    GBytes *t = g_bytes_new(copy, size + 1);
    ck_assert(!proto_valop_msg_decode(t, &back));
    g_bytes_unref(t);
    copy[1] = 9;
    t = g_bytes_new(copy, size);
    ck_assert(!proto_valop_msg_decode(t, &back));
    g_bytes_unref(t);
    copy[1] = PROTO_VALOP_UNJAIL;
    t = g_bytes_new(copy, size);
    ck_assert(!proto_valop_msg_decode(t, &back));
    g_bytes_unref(t);
    copy[1] = PROTO_VALOP_ROTATE_KEY;
    copy[0] = PROTO_MSG_TX;
    t = g_bytes_new(copy, size);
    ck_assert(!proto_valop_msg_decode(t, &back));
    g_bytes_unref(t);
    /* ROTATE_KEY with a zero key is malformed too. */
    proto_valop zero = op;
    memset(&zero.new_key, 0, sizeof zero.new_key);
    GBytes *zw = proto_valop_msg_encode(&zero);
    ck_assert(!proto_valop_msg_decode(zw, &back));
    g_bytes_unref(zw);
    g_free(copy);
    g_bytes_unref(wire);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_rules_come_from_the_bonded_set)
{
    fixture f;
    fixture_init(&f);
    proto_valop op = rotate_op(&f);
    ck_assert_int_eq(proto_valop_check(&op, f.vs, 10, 0), PROTO_VALSET_OK);
    proto_valop stale = op;
    stale.nonce = 1;
    ck_assert_int_eq(proto_valop_check(&stale, f.vs, 10, 0), PROTO_VALSET_BAD_NONCE);
    /* Another validator's current key cannot be taken. */
    proto_valop taken = op;
    taken.new_key = f.pubs[3];
    ck_assert_int_eq(proto_valop_check(&taken, f.vs, 10, 0), PROTO_VALSET_KEY_IN_USE);
    /* Nobody is jailed at genesis. */
    proto_valop unjail = {.kind = PROTO_VALOP_UNJAIL, .validator = 2};
    ck_assert_int_eq(proto_valop_check(&unjail, f.vs, 10, 0), PROTO_VALSET_NOT_JAILED);
    /* Once applied, the rotation waits for its height and blocks another. */
    uint64_t from = proto_valset_apply_rotate(f.vs, 1, &op.new_key, 10);
    ck_assert_uint_eq(from, 10 + proto_slashing_defaults().update_delay);
    ck_assert_int_eq(proto_valop_check(&op, f.vs, 11, 0), PROTO_VALSET_BAD_NONCE);
    proto_keypair other;
    proto_keypair_derive(&other, 3, "validator/1/rotation/2");
    proto_valop again = {.kind = PROTO_VALOP_ROTATE_KEY, .validator = 1, .nonce = 1,
                         .new_key = other.pk};
    ck_assert_int_eq(proto_valop_check(&again, f.vs, 11, 0), PROTO_VALSET_ROTATION_PENDING);
    ck_assert_int_eq(proto_valop_check(&again, f.vs, from, 0), PROTO_VALSET_OK);
    fixture_clear(&f);
}
END_TEST

static Suite *valop_suite(void)
{
    Suite *s = suite_create("valop");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_signature_covers_every_field);
    tcase_add_test(tc, test_wire_round_trip_and_malformed);
    tcase_add_test(tc, test_rules_come_from_the_bonded_set);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(valop_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
