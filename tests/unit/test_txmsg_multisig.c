/* Unit tests for the multisig messages' codecs (protocol/chain/
 * txmsg_multisig.c, wire layout in tx_envelope.h) and what owners sign:
 * every message and inner operation round-trips byte for byte inside a
 * signed envelope at its exact size, from no owners or signatures up to
 * the maximum; the largest envelope is eight full EXECs; every cut of an
 * envelope is refused as truncated and an extra byte as trailing; a
 * count over the maximum (owners, signatures), an unknown operation and
 * a zero amount are refused as bad messages whatever follows; and the
 * signing hash commits to the chain, the multisig, the nonce and the
 * operation. */
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

/* n co-signatures (signers 10, 20, ...; any bytes). */
static proto_multisig_sigs cosigs_of(uint32_t n)
{
    proto_multisig_sigs c;
    memset(&c, 0, sizeof c);
    c.count = (uint8_t)n;
    for (uint32_t i = 0; i < n; i++) {
        c.signers[i] = 10 * (i + 1);
        memset(c.sigs[i].bytes, (int)(0x40 + i), PROTO_SIG_SIZE);
    }
    return c;
}

/* `count` copies of m, signed; an EXEC's co-signatures `sigs`. */
static proto_txenv envelope_with(const proto_txmsg *m, uint16_t count, uint32_t sigs)
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
    env.cosigs = cosigs_of(sigs);
    proto_txenv_sign(&env, crypto, &kp);
    return env;
}

static proto_txenv envelope_of(const proto_txmsg *m, uint16_t count)
{
    return envelope_with(m, count, 0);
}

static GBytes *encode(const proto_txenv *env)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(env, &w);
    return proto_writer_steal(&w);
}

/* m alone in an envelope (with `sigs` co-signatures): decodes OK to
 * exactly env, `body` bytes after the type byte. */
static void round_trip(const proto_txmsg *m, uint32_t sigs, size_t body)
{
    proto_txenv env = envelope_with(m, 1, sigs);
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
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_MULTISIG_DEPOSIT + 1), "unknown");
    for (uint32_t n = 0; n <= PROTO_MULTISIG_OWNERS_MAX; n++) {
        proto_txmsg m = create_msg(n);
        round_trip(&m, 0, 2 + 4 * n);
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
        for (uint32_t n = 0; n <= PROTO_MULTISIG_OWNERS_MAX; n++) {
            proto_txmsg m = exec_msg(ops[k].type);
            round_trip(&m, n, 13 + ops[k].body + 1 + 68 * n);
        }
    }
    ck_assert_str_eq(proto_multisig_op_name(0), "unknown");
    ck_assert_str_eq(proto_multisig_op_name(PROTO_MULTISIG_OP_TYPE_END), "unknown");
    proto_txmsg d;
    memset(&d, 0, sizeof d);
    d.type = PROTO_TXMSG_MULTISIG_DEPOSIT;
    d.multisig_deposit.multisig = 9;
    d.multisig_deposit.amount = 250;
    round_trip(&d, 0, 12);
}
END_TEST

START_TEST(test_largest_envelope)
{
    /* Seven creations with the most owners and one EXEC with as many
     * co-signatures. */
    proto_txmsg c = create_msg(PROTO_MULTISIG_OWNERS_MAX);
    proto_txenv *env = g_new(proto_txenv, 1);
    *env = envelope_of(&c, PROTO_TXENV_MESSAGES_MAX);
    env->messages[5] = exec_msg(PROTO_MULTISIG_OP_TRANSFER);
    env->cosigs = cosigs_of(PROTO_MULTISIG_OWNERS_MAX);
    proto_txenv_sign(env, crypto, &kp);
    ck_assert_uint_eq(1 + PROTO_MULTISIG_CREATE_BODY_MAX, PROTO_TXENV_MESSAGE_SIZE_MAX);
    ck_assert_uint_eq(proto_txenv_wire_size(env), PROTO_TXENV_WIRE_SIZE_MAX);
    GBytes *wire = encode(env);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_txenv *out = g_new(proto_txenv, 1);
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
                      th = exec_msg(PROTO_MULTISIG_OP_CHANGE_THRESHOLD);
    const proto_txenv envs[] = {envelope_of(&create, 1), envelope_with(&pay, 1, 2),
                                envelope_with(&th, 1, 1), envelope_with(&th, 1, 0)};
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
    /* EXEC: the operation (body byte 12) and the co-signature count
     * (after a TRANSFER's 13 + 12 bytes). */
    proto_txmsg e = exec_msg(PROTO_MULTISIG_OP_TRANSFER);
    env = envelope_with(&e, 1, PROTO_MULTISIG_OWNERS_MAX);
    ck_assert_int_eq(decode_patched(&env, 25, PROTO_MULTISIG_OWNERS_MAX + 1, 0),
                     PROTO_TXENV_BAD_MESSAGE);
    ck_assert_int_eq(decode_patched(&env, 25, 255, 0), PROTO_TXENV_BAD_MESSAGE);
    ck_assert_int_eq(decode_patched(&env, 25, 3, 0), PROTO_TXENV_TRAILING_BYTES);
    ck_assert_int_eq(decode_patched(&env, 12, 0, 0), PROTO_TXENV_BAD_MESSAGE);
    ck_assert_int_eq(decode_patched(&env, 12, PROTO_MULTISIG_OP_TYPE_END, 0),
                     PROTO_TXENV_BAD_MESSAGE);
    ck_assert_int_eq(decode_patched(&env, 12, 255, 0), PROTO_TXENV_BAD_MESSAGE);
    /* A second EXEC in one envelope: refused at its type byte. After a
     * CHANGE_THRESHOLD EXEC (13 + 1 bytes) and its empty co-signature
     * block (1), the next message's type. */
    proto_txmsg th = exec_msg(PROTO_MULTISIG_OP_CHANGE_THRESHOLD);
    env = envelope_with(&th, 1, 0);
    env.message_count = 2;
    memset(&env.messages[1], 0, sizeof env.messages[1]);
    env.messages[1].type = PROTO_TXMSG_MULTISIG_DEPOSIT;
    env.messages[1].multisig_deposit.amount = 1;
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_OK);
    ck_assert_int_eq(decode_patched(&env, 15, PROTO_TXMSG_MULTISIG_EXEC, 0),
                     PROTO_TXENV_BAD_MESSAGE);
    /* Zero amounts. */
    proto_txmsg z = exec_msg(PROTO_MULTISIG_OP_TRANSFER);
    z.multisig_exec.op.transfer.amount = 0;
    env = envelope_with(&z, 1, 1);
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_BAD_MESSAGE);
    proto_txmsg d;
    memset(&d, 0, sizeof d);
    d.type = PROTO_TXMSG_MULTISIG_DEPOSIT;
    d.multisig_deposit.multisig = 1;
    env = envelope_of(&d, 1);
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_BAD_MESSAGE);
    /* Safe's rules are the module's: a zero threshold, a duplicate owner
     * and signers out of order decode (and are refused by name there). */
    proto_txmsg r = create_msg(2);
    r.multisig_create.threshold = 0;
    r.multisig_create.owners[1] = r.multisig_create.owners[0];
    env = envelope_of(&r, 1);
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_OK);
    proto_txmsg u = exec_msg(PROTO_MULTISIG_OP_REMOVE_OWNER);
    env = envelope_with(&u, 1, 2);
    env.cosigs.signers[0] = 99;
    ck_assert_int_eq(decode_patched(&env, -1, 0, 0), PROTO_TXENV_OK);
}
END_TEST

START_TEST(test_signing_hash)
{
    proto_multisig_op op = op_of(PROTO_MULTISIG_OP_TRANSFER);
    proto_hash base, h;
    proto_multisig_signing_hash(CHAIN_ID, 1, 5, &op, &base);
    proto_multisig_signing_hash(CHAIN_ID, 1, 5, &op, &h);
    ck_assert(proto_hash_equal(&base, &h));
    proto_multisig_signing_hash(CHAIN_ID + 1, 1, 5, &op, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    proto_multisig_signing_hash(CHAIN_ID, 2, 5, &op, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    proto_multisig_signing_hash(CHAIN_ID, 1, 6, &op, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    proto_multisig_op other = op;
    other.transfer.amount++;
    proto_multisig_signing_hash(CHAIN_ID, 1, 5, &other, &h);
    ck_assert(!proto_hash_equal(&base, &h));
    /* The same body bytes under another operation type. */
    proto_multisig_op add = op_of(PROTO_MULTISIG_OP_ADD_OWNER);
    proto_multisig_op rem = add;
    rem.type = PROTO_MULTISIG_OP_REMOVE_OWNER;
    proto_hash ha, hr;
    proto_multisig_signing_hash(CHAIN_ID, 1, 5, &add, &ha);
    proto_multisig_signing_hash(CHAIN_ID, 1, 5, &rem, &hr);
    ck_assert(!proto_hash_equal(&ha, &hr));
    proto_sig sig;
    proto_multisig_sign(crypto, CHAIN_ID, 1, 5, &op, &kp, &sig);
    ck_assert(proto_verify(crypto, &sig, base.bytes, sizeof base.bytes, &kp.pk));
    ck_assert(!proto_verify(crypto, &sig, ha.bytes, sizeof ha.bytes, &kp.pk));
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
    tcase_add_test(tc, test_signing_hash);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
