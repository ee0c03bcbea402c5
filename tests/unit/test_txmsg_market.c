/* Unit tests for the agent market's transaction messages
 * (protocol/chain/txmsg_market.c, wire layout in tx_envelope.h): each
 * type round-trips byte for byte inside a signed envelope at its exact
 * size, carries its stable name, and a value the decoder can judge
 * without state (a zero bond, an all-zero message key, a provider
 * without capacity, a consumer with a price, job sequence 0, a
 * capability bit out of range, zero payment or deadline, a score above
 * 100) is refused as a bad message. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"

#define CHAIN_ID 7

static proto_crypto *crypto;
static proto_keypair kp;

static void setup(void)
{
    crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 256);
    proto_keypair_derive(&kp, 11, "agent/0");
}

static void teardown(void)
{
    proto_crypto_free(crypto);
}

static proto_txmsg market_message(uint8_t type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    switch (type) {
    case PROTO_TXMSG_AGENT_REGISTER:
        m.agent.bond = 10000;
        memset(m.agent.msg_key.bytes, 0x5a, PROTO_PUBKEY_SIZE);
        /* the terms follow */
        __attribute__((fallthrough));
    case PROTO_TXMSG_AGENT_UPDATE:
        m.agent.capabilities = 0x5;
        m.agent.capacity = 2;
        m.agent.price = 100;
        break;
    case PROTO_TXMSG_AGENT_HEARTBEAT:
    case PROTO_TXMSG_AGENT_DEREGISTER:
        m.agent_seq.seq = 3;
        break;
    case PROTO_TXMSG_JOB_POST:
        m.job_post.job = PROTO_JOB_ID(90, 4);
        m.job_post.provider = 12;
        m.job_post.capability = 2;
        m.job_post.payment = 250;
        m.job_post.deadline_ms = 60000;
        memset(m.job_post.input_hash.bytes, 0x33, PROTO_HASH_SIZE);
        break;
    case PROTO_TXMSG_JOB_RESULT:
        m.job_result.job = PROTO_JOB_ID(90, 4);
        memset(m.job_result.result_hash.bytes, 0x44, PROTO_HASH_SIZE);
        break;
    case PROTO_TXMSG_JOB_CONFIRM:
        m.job_confirm.job = PROTO_JOB_ID(90, 4);
        m.job_confirm.score = 100;
        break;
    default:
        m.job.job = PROTO_JOB_ID(90, 4);
        break;
    }
    return m;
}

static proto_txenv envelope_of(const proto_txmsg *m)
{
    proto_txenv env;
    memset(&env, 0, sizeof env);
    env.chain_id = CHAIN_ID;
    env.sender = kp.pk;
    env.nonce = 1;
    env.gas_limit = 100000;
    env.max_fee_per_gas = 10;
    env.message_count = 1;
    env.messages[0] = *m;
    proto_txenv_sign(&env, crypto, &kp);
    return env;
}

static proto_txenv_result decode_env(const proto_txenv *env, proto_txenv *out, size_t *size)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(env, &w);
    GBytes *wire = proto_writer_steal(&w);
    gsize n = 0;
    const uint8_t *data = g_bytes_get_data(wire, &n);
    proto_txenv_result r = proto_txenv_decode(data, n, NULL, out);
    *size = n;
    g_bytes_unref(wire);
    return r;
}

START_TEST(test_round_trip)
{
    static const struct {
        uint8_t type;
        const char *name;
        size_t body;
    } rows[] = {
        {PROTO_TXMSG_AGENT_REGISTER, "agent_register", 56},
        {PROTO_TXMSG_AGENT_HEARTBEAT, "agent_heartbeat", 8},
        {PROTO_TXMSG_AGENT_UPDATE, "agent_update", 16},
        {PROTO_TXMSG_AGENT_DEREGISTER, "agent_deregister", 8},
        {PROTO_TXMSG_JOB_POST, "job_post", 60},
        {PROTO_TXMSG_JOB_ACCEPT, "job_accept", 8},
        {PROTO_TXMSG_JOB_DECLINE, "job_decline", 8},
        {PROTO_TXMSG_JOB_RESULT, "job_result", 40},
        {PROTO_TXMSG_JOB_CONFIRM, "job_confirm", 9},
        {PROTO_TXMSG_JOB_REJECT, "job_reject", 8},
        {PROTO_TXMSG_JOB_CANCEL, "job_cancel", 8},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        ck_assert_str_eq(proto_txmsg_type_name(rows[i].type), rows[i].name);
        proto_txmsg m = market_message(rows[i].type);
        proto_txenv env = envelope_of(&m);
        proto_txenv out;
        size_t size = 0;
        ck_assert_int_eq(decode_env(&env, &out, &size), PROTO_TXENV_OK);
        ck_assert_uint_eq(size, PROTO_TXENV_HEADER_SIZE + 1 + rows[i].body + PROTO_SIG_SIZE);
        ck_assert_uint_eq(size, proto_txenv_wire_size(&env));
        ck_assert_mem_eq(&out, &env, sizeof env);
        ck_assert(proto_txenv_verify(&out, crypto));
    }
    /* The next type is the multisig module's (test_txmsg_multisig.c). */
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_JOB_CANCEL + 1), "multisig_create");
    ck_assert_uint_eq(PROTO_JOB_CONSUMER(PROTO_JOB_ID(90, 4)), 90);
    ck_assert_uint_eq(PROTO_JOB_SEQ(PROTO_JOB_ID(90, 4)), 4);
}
END_TEST

static proto_txenv_result decode_msg(const proto_txmsg *m)
{
    proto_txenv env = envelope_of(m);
    proto_txenv out;
    size_t size = 0;
    return decode_env(&env, &out, &size);
}

START_TEST(test_value_refusals)
{
    proto_txmsg m = market_message(PROTO_TXMSG_AGENT_REGISTER);
    m.agent.bond = 0;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_AGENT_REGISTER);
    memset(m.agent.msg_key.bytes, 0, PROTO_PUBKEY_SIZE);
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_AGENT_REGISTER);
    m.agent.capacity = 0; /* a provider must take jobs */
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_AGENT_UPDATE);
    m.agent.price = 0;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_AGENT_REGISTER);
    m.agent.capabilities = 0; /* a consumer with a price */
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m.agent.capacity = 0;
    m.agent.price = 0;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_OK);
    m = market_message(PROTO_TXMSG_AGENT_HEARTBEAT);
    m.agent_seq.seq = 0;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_JOB_POST);
    m.job_post.job = PROTO_JOB_ID(90, 0);
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_JOB_POST);
    m.job_post.capability = PROTO_TXMSG_CAPABILITIES_MAX;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_JOB_POST);
    m.job_post.payment = 0;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_JOB_POST);
    m.job_post.deadline_ms = 0;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    m = market_message(PROTO_TXMSG_JOB_CONFIRM);
    m.job_confirm.score = PROTO_TXMSG_SCORE_MAX + 1;
    ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    for (uint8_t t = PROTO_TXMSG_JOB_ACCEPT; t <= PROTO_TXMSG_JOB_CANCEL; t++) {
        m = market_message(t);
        m.job.job = PROTO_JOB_ID(90, 0);
        ck_assert_int_eq(decode_msg(&m), PROTO_TXENV_BAD_MESSAGE);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("txmsg_market");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_value_refusals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
