/* Unit tests for the multisig messages' codecs (protocol/chain/
 * txmsg_multisig.c, wire layout in tx_envelope.h) and the hash owners
 * approve: every message and inner operation round-trips byte for byte
 * inside a signed envelope at its exact size, from no owners up to the
 * maximum; the largest envelope is eight creations with the most owners;
 * several execs and approvals share an envelope; every cut of an
 * envelope is refused as truncated and an extra byte as trailing; an
 * owner count over the maximum, an unknown operation and a zero amount
 * are refused as bad messages whatever follows; and the operation hash
 * commits to the chain, the multisig, the nonce and the operation. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"

#define CHAIN_ID 7

static proto_crypto *crypto;
static proto_keypair kp;

static void setup(void)
{
    proto_crypto_global_init();
    crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 256);
    proto_keypair_derive(&kp, 11, "owner/0");
}

static void teardown(void)
{
    proto_crypto_free(crypto);
}

static proto_multisig_op op_of(uint8_t type)
{
    proto_multisig_op op;
    memset(&op, 0, sizeof op);
    op.type = type;
    if (type == PROTO_MULTISIG_OP_TRANSFER) {
        op.transfer.to = 0x01020304;
        op.transfer.amount = 0x1122334455667788ULL;
    } else if (type == PROTO_MULTISIG_OP_CHANGE_THRESHOLD) {
        op.threshold.threshold = 3;
    } else {
        op.owner.owner = 77;
        op.owner.threshold = 2;
    }
    return op;
}

static proto_txmsg create_msg(uint32_t owners)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_TXMSG_MULTISIG_CREATE;
    m.multisig_create.threshold = 1;
    m.multisig_create.owners_count = (uint8_t)owners;
    for (uint32_t i = 0; i < owners; i++)
        m.multisig_create.owners[i] = 1000 - i; /* any order */
    return m;
}

static proto_txmsg exec_msg(uint8_t op_type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_TXMSG_MULTISIG_EXEC;
    m.multisig_exec.multisig = 3;
    m.multisig_exec.nonce = 0x0a0b0c0d0e0f1011ULL;
    m.multisig_exec.op = op_of(op_type);
    return m;
}

static proto_txmsg approve_msg(void)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_TXMSG_MULTISIG_APPROVE;
    m.multisig_approve.multisig = 0x0badcafe;
    m.multisig_approve.nonce = 0x0102030405060708ULL;
    for (uint32_t i = 0; i < PROTO_HASH_SIZE; i++)
        m.multisig_approve.op_hash.bytes[i] = (uint8_t)(0xa0 + i);
    return m;
}

/* `count` copies of m, signed. */
static proto_txenv envelope_of(const proto_txmsg *m, uint16_t count)
{
    proto_txenv env;
    memset(&env, 0, sizeof env);
    env.chain_id = CHAIN_ID;
    env.sender = kp.pk;
    env.nonce = 1;
    env.gas_limit = 100000;
    env.max_fee_per_gas = 10;
    env.message_count = count;
    for (uint16_t i = 0; i < count; i++)
        env.messages[i] = *m;
    proto_txenv_sign(&env, crypto, &kp);
    return env;
}

static GBytes *encode(const proto_txenv *env)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(env, &w);
    return proto_writer_steal(&w);
}

/* m alone in an envelope: decodes OK to exactly env, `body` bytes after
 * the type byte. */
static void round_trip(const proto_txmsg *m, size_t body)
{
    proto_txenv env = envelope_of(m, 1);
    GBytes *wire = encode(&env);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_txenv out;
    ck_assert_int_eq(proto_txenv_decode(data, size, NULL, &out), PROTO_TXENV_OK);
    ck_assert_uint_eq(size, PROTO_TXENV_HEADER_SIZE + 1 + body + PROTO_SIG_SIZE);
    ck_assert_uint_eq(size, proto_txenv_wire_size(&env));
    ck_assert_mem_eq(&out, &env, sizeof env);
    ck_assert(proto_txenv_verify(&out, crypto));
    g_bytes_unref(wire);
}

START_TEST(test_round_trip)
{
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_MULTISIG_CREATE), "multisig_create");
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_MULTISIG_EXEC), "multisig_exec");
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_MULTISIG_DEPOSIT), "multisig_deposit");
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_MULTISIG_APPROVE), "multisig_approve");
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_DISPUTE_APPEAL + 1), "unknown");
    for (uint32_t n = 0; n <= PROTO_MULTISIG_OWNERS_MAX; n++) {
        proto_txmsg m = create_msg(n);
        round_trip(&m, 2 + 4 * n);
    }
    static const struct {
        uint8_t type;
        const char *name;
        size_t body;
    } ops[] = {
        {PROTO_MULTISIG_OP_TRANSFER, "transfer", 12},
        {PROTO_MULTISIG_OP_ADD_OWNER, "add_owner", 5},
        {PROTO_MULTISIG_OP_REMOVE_OWNER, "remove_owner", 5},
        {PROTO_MULTISIG_OP_CHANGE_THRESHOLD, "change_threshold", 1},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(ops); k++) {
        ck_assert_str_eq(proto_multisig_op_name(ops[k].type), ops[k].name);
        ck_assert_uint_eq(proto_multisig_op_body_size(ops[k].type), ops[k].body);
        proto_txmsg m = exec_msg(ops[k].type);
        round_trip(&m, 13 + ops[k].body);
    }
    ck_assert_str_eq(proto_multisig_op_name(0), "unknown");
    ck_assert_str_eq(proto_multisig_op_name(PROTO_MULTISIG_OP_TYPE_END), "unknown");
    proto_txmsg d;
    memset(&d, 0, sizeof d);
    d.type = PROTO_TXMSG_MULTISIG_DEPOSIT;
    d.multisig_deposit.multisig = 9;
    d.multisig_deposit.amount = 250;
    round_trip(&d, 12);
    proto_txmsg a = approve_msg();
    round_trip(&a, 4 + 8 + 32);
    ck_assert_uint_eq(PROTO_MULTISIG_APPROVE_BODY_SIZE, 44);
}
END_TEST

START_TEST(test_largest_envelope)
{
    /* Eight creations with the most owners: the largest envelope, and
     * the only multisig message larger on the wire than JOB_POST. */
    proto_txmsg c = create_msg(PROTO_MULTISIG_OWNERS_MAX);
    proto_txenv *env = g_new(proto_txenv, 1);
    *env = envelope_of(&c, PROTO_TXENV_MESSAGES_MAX);
    ck_assert_uint_eq(1 + PROTO_MULTISIG_CREATE_BODY_MAX, PROTO_TXENV_MESSAGE_SIZE_MAX);
    ck_assert_uint_eq(PROTO_TXENV_MESSAGE_SIZE_MAX, 63);
    ck_assert_uint_lt(1 + PROTO_MULTISIG_EXEC_BODY_MAX, PROTO_TXENV_MESSAGE_SIZE_MAX);
    ck_assert_uint_lt(1 + PROTO_MULTISIG_APPROVE_BODY_SIZE, PROTO_TXENV_MESSAGE_SIZE_MAX);
    ck_assert_uint_eq(proto_txenv_wire_size(env), PROTO_TXENV_WIRE_SIZE_MAX);
    GBytes *wire = encode(env);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_txenv *out = g_new(proto_txenv, 1);
    ck_assert_int_eq(proto_txenv_decode(data, size, NULL, out), PROTO_TXENV_OK);
    ck_assert_mem_eq(out, env, sizeof *env);
    g_bytes_unref(wire);
    /* Execs and approvals, several to an envelope, mixed. */
    proto_txmsg e = exec_msg(PROTO_MULTISIG_OP_TRANSFER), a = approve_msg();
    *env = envelope_of(&e, PROTO_TXENV_MESSAGES_MAX);
    for (int i = 1; i < PROTO_TXENV_MESSAGES_MAX; i += 2)
        env->messages[i] = a;
    env->messages[2] = exec_msg(PROTO_MULTISIG_OP_CHANGE_THRESHOLD);
    proto_txenv_sign(env, crypto, &kp);
    wire = encode(env);
    data = g_bytes_get_data(wire, &size);
    ck_assert_uint_eq(size, proto_txenv_wire_size(env));
    ck_assert_int_eq(proto_txenv_decode(data, size, NULL, out), PROTO_TXENV_OK);
    ck_assert_mem_eq(out, env, sizeof *env);
    g_bytes_unref(wire);
    g_free(out);
    g_free(env);
}
END_TEST

/* env's bytes, patched at offset `at` from its first message's body
 * (-1: unpatched), cut or extended with zeros to `size` (0: as is),
 * decoded; a refusal must leave the output untouched. */
static proto_txenv_result decode_patched(const proto_txenv *env, int at, uint8_t value, size_t size)
{
    GBytes *wire = encode(env);
    gsize n = 0;
    const uint8_t *data = g_bytes_get_data(wire, &n);
    uint8_t *buf = g_malloc0(n + 64);
    memcpy(buf, data, n);
    if (at >= 0)
        buf[PROTO_TXENV_HEADER_SIZE + 1 + (size_t)at] = value;
    proto_txenv *out = g_new(proto_txenv, 1);
    memset(out, 0xee, sizeof *out);
    proto_txenv_result r = proto_txenv_decode(buf, size != 0 ? size : n, NULL, out);
    if (r != PROTO_TXENV_OK) {
        uint8_t *ee = g_malloc(sizeof *out);
        memset(ee, 0xee, sizeof *out);
        ck_assert_mem_eq(out, ee, sizeof *out);
        g_free(ee);
    }
    g_free(out);
    g_free(buf);
    g_bytes_unref(wire);
    return r;
}

START_TEST(test_truncated_and_trailing)
{
    const proto_txmsg create = create_msg(3), pay = exec_msg(PROTO_MULTISIG_OP_TRANSFER),
                      th = exec_msg(PROTO_MULTISIG_OP_CHANGE_THRESHOLD), approve = approve_msg();
    const proto_txenv envs[] = {envelope_of(&create, 1), envelope_of(&pay, 1), envelope_of(&th, 1),
                                envelope_of(&approve, 2)};
    for (size_t k = 0; k < G_N_ELEMENTS(envs); k++) {
        size_t size = proto_txenv_wire_size(&envs[k]);
        for (size_t cut = 1; cut < size; cut++)
            ck_assert_int_eq(decode_patched(&envs[k], -1, 0, cut), PROTO_TXENV_TRUNCATED);
        ck_assert_int_eq(decode_patched(&envs[k], -1, 0, size + 1), PROTO_TXENV_TRAILING_BYTES);
        ck_assert_int_eq(decode_patched(&envs[k], -1, 0, 0), PROTO_TXENV_OK);
    }
}
END_TEST

START_TEST(test_counts_and_values_refused)
{
    /* CREATE's owner count (body byte 1) over the maximum, whatever
     * follows: refused before the owners are read. */
    proto_txmsg c = create_msg(PROTO_MULTISIG_OWNERS_MAX);
    proto_txenv env = envelope_of(&c, 1);
    ck_assert_int_eq(decode_patched(&env, 1, PROTO_MULTISIG_OWNERS_MAX + 1, 0),
                     PROTO_TXENV_BAD_MESSAGE);
    ck_assert_int_eq(decode_patched(&env, 1, 255, 0), PROTO_TXENV_BAD_MESSAGE);
    /* A smaller count leaves owners' bytes over: they are read as the
     * signature, and the real signature as trailing bytes. */
    ck_assert_int_eq(decode_patched(&env, 1, 1, 0), PROTO_TXENV_TRAILING_BYTES);
    /* EXEC: the operation (body byte 12). */
    proto_txmsg e = exec_msg(PROTO_MULTISIG_OP_TRANSFER);
    env = envelope_of(&e, 1);
    ck_assert_int_eq(decode_patched(&env, 12, 0, 0), PROTO_TXENV_BAD_MESSAGE);
    ck_assert_int_eq(decode_patched(&env, 12, PROTO_MULTISIG_OP_TYPE_END, 0),
                     PROTO_TXENV_BAD_MESSAGE);
    ck_assert_int_eq(decode_patched(&env, 12, 255, 0), PROTO_TXENV_BAD_MESSAGE);
    /* A shorter operation leaves a transfer's bytes over: they are read
     * as the signature, and the real signature's tail as trailing bytes. */
    ck_assert_int_eq(decode_patched(&env, 12, PROTO_MULTISIG_OP_CHANGE_THRESHOLD, 0),
                     PROTO_TXENV_TRAILING_BYTES);
    /* Zero amounts. */
    proto_txmsg z = exec_msg(PROTO_MULTISIG_OP_TRANSFER);
    z.multisig_exec.op.transfer.amount = 0;
    env = envelope_of(&z, 1);
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_BAD_MESSAGE);
    proto_txmsg d;
    memset(&d, 0, sizeof d);
    d.type = PROTO_TXMSG_MULTISIG_DEPOSIT;
    d.multisig_deposit.multisig = 1;
    env = envelope_of(&d, 1);
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_BAD_MESSAGE);
    /* Safe's rules are the module's: a zero threshold, a duplicate owner
     * and an approval of any hash decode (and are judged there). */
    proto_txmsg r = create_msg(2);
    r.multisig_create.threshold = 0;
    r.multisig_create.owners[1] = r.multisig_create.owners[0];
    env = envelope_of(&r, 1);
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_OK);
    proto_txmsg a = approve_msg();
    memset(a.multisig_approve.op_hash.bytes, 0, PROTO_HASH_SIZE);
    env = envelope_of(&a, 1);
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_OK);
}
END_TEST

START_TEST(test_op_hash)
{
    proto_multisig_op op = op_of(PROTO_MULTISIG_OP_TRANSFER);
    proto_hash base, h;
    proto_multisig_op_hash(CHAIN_ID, 1, 5, &op, &base);
    proto_multisig_op_hash(CHAIN_ID, 1, 5, &op, &h);
    ck_assert(proto_hash_equal(&base, &h));
    proto_multisig_op_hash(CHAIN_ID + 1, 1, 5, &op, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    proto_multisig_op_hash(CHAIN_ID, 2, 5, &op, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    proto_multisig_op_hash(CHAIN_ID, 1, 6, &op, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    proto_multisig_op other = op;
    other.transfer.amount++;
    proto_multisig_op_hash(CHAIN_ID, 1, 5, &other, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    /* The same body bytes under another operation type. */
    proto_multisig_op add = op_of(PROTO_MULTISIG_OP_ADD_OWNER);
    proto_multisig_op rem = add;
    rem.type = PROTO_MULTISIG_OP_REMOVE_OWNER;
    proto_hash ha, hr;
    proto_multisig_op_hash(CHAIN_ID, 1, 5, &add, &ha);
    proto_multisig_op_hash(CHAIN_ID, 1, 5, &rem, &hr);
    ck_assert(!proto_hash_equal(&ha, &hr));
    /* The definition: BLAKE2b-256 of the tag, the numbers little-endian
     * and the operation's bytes, so a client can compute it alone. */
    uint8_t buf[14 + 8 + 4 + 8 + 1 + PROTO_MULTISIG_OP_BODY_MAX];
    memcpy(buf, "aitbc-multisig", 14);
    proto_le_put_u64(buf + 14, CHAIN_ID);
    proto_le_put_u32(buf + 22, 1);
    proto_le_put_u64(buf + 26, 5);
    size_t n = proto_multisig_op_encode(&op, buf + 34);
    ck_assert_uint_eq(n, 1 + 12);
    proto_hash_bytes(&h, buf, 34 + n);
    ck_assert(proto_hash_equal(&base, &h));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("txmsg_multisig");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_largest_envelope);
    tcase_add_test(tc, test_truncated_and_trailing);
    tcase_add_test(tc, test_counts_and_values_refused);
    tcase_add_test(tc, test_op_hash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
