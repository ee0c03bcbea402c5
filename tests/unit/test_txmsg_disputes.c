/* Unit tests for the disputes messages' codecs (protocol/chain/
 * txmsg_disputes.c, wire layout in tx_envelope.h) and the vote
 * commitment: every message round-trips byte for byte inside a signed
 * envelope at its exact size; every cut is refused as truncated; a job
 * of sequence 0, a verdict or vote for neither side and a vote naming
 * round 0 are refused as bad messages; proto_txmsg_job_of names the
 * job of each; and the commitment changes with every field it binds. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"

#define CHAIN_ID 7
#define JOB PROTO_JOB_ID(12, 34)

static proto_crypto *crypto;
static proto_keypair kp;

static void setup(void)
{
    proto_crypto_global_init();
    crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 256);
    proto_keypair_derive(&kp, 11, "juror/0");
}

static void teardown(void)
{
    proto_crypto_free(crypto);
}

static proto_txmsg msg_of(uint8_t type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    switch (type) {
    case PROTO_TXMSG_DISPUTE_DEFEND:
        m.dispute_defend.job = JOB;
        break;
    case PROTO_TXMSG_DISPUTE_VERDICT:
        m.dispute_verdict.job = JOB;
        m.dispute_verdict.ruling = PROTO_RULING_PROVIDER;
        break;
    case PROTO_TXMSG_DISPUTE_COMMIT:
        m.dispute_commit.job = JOB;
        m.dispute_commit.round = 2;
        memset(m.dispute_commit.commitment.bytes, 0xc1, PROTO_HASH_SIZE);
        break;
    case PROTO_TXMSG_DISPUTE_REVEAL:
        m.dispute_reveal.job = JOB;
        m.dispute_reveal.round = 3;
        m.dispute_reveal.ruling = PROTO_RULING_CONSUMER;
        memset(m.dispute_reveal.salt.bytes, 0x5a, PROTO_HASH_SIZE);
        break;
    default:
        m.dispute_appeal.job = JOB;
        m.dispute_appeal.round = 1;
        break;
    }
    return m;
}

static GBytes *encode_one(const proto_txmsg *m)
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
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(&env, &w);
    return proto_writer_steal(&w);
}

static proto_txenv_result decode(GBytes *wire, size_t cut, proto_txenv *out)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    return proto_txenv_decode(data, size - cut, NULL, out);
}

static const struct {
    uint8_t type;
    const char *name;
    size_t body;
} rows[] = {
    {PROTO_TXMSG_DISPUTE_DEFEND, "dispute_defend", PROTO_DISPUTE_DEFEND_BODY_SIZE},
    {PROTO_TXMSG_DISPUTE_VERDICT, "dispute_verdict", PROTO_DISPUTE_VERDICT_BODY_SIZE},
    {PROTO_TXMSG_DISPUTE_COMMIT, "dispute_commit", PROTO_DISPUTE_COMMIT_BODY_SIZE},
    {PROTO_TXMSG_DISPUTE_REVEAL, "dispute_reveal", PROTO_DISPUTE_REVEAL_BODY_SIZE},
    {PROTO_TXMSG_DISPUTE_APPEAL, "dispute_appeal", PROTO_DISPUTE_APPEAL_BODY_SIZE},
};

START_TEST(test_round_trip_and_truncation)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        proto_txmsg m = msg_of(rows[i].type);
        ck_assert_str_eq(proto_txmsg_type_name(rows[i].type), rows[i].name);
        GBytes *wire = encode_one(&m);
        ck_assert_uint_eq(g_bytes_get_size(wire),
                          PROTO_TXENV_HEADER_SIZE + 1 + rows[i].body + PROTO_SIG_SIZE);
        proto_txenv out;
        ck_assert_int_eq(decode(wire, 0, &out), PROTO_TXENV_OK);
        ck_assert_mem_eq(&out.messages[0], &m, sizeof m);
        ck_assert(proto_txenv_verify(&out, crypto));
        uint64_t job = 0;
        ck_assert(proto_txmsg_job_of(&out.messages[0], &job));
        ck_assert_uint_eq(job, JOB);
        for (size_t cut = 1; cut <= PROTO_SIG_SIZE + rows[i].body; cut++)
            ck_assert_int_eq(decode(wire, cut, &out), PROTO_TXENV_TRUNCATED);
        g_bytes_unref(wire);
    }
}
END_TEST

static void refused(const proto_txmsg *m)
{
    GBytes *wire = encode_one(m);
    proto_txenv out;
    ck_assert_int_eq(decode(wire, 0, &out), PROTO_TXENV_BAD_MESSAGE);
    g_bytes_unref(wire);
}

START_TEST(test_bad_values_refused)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        proto_txmsg m = msg_of(rows[i].type);
        m.dispute_defend.job = PROTO_JOB_ID(12, 0); /* every body starts with the job */
        refused(&m);
    }
    proto_txmsg m = msg_of(PROTO_TXMSG_DISPUTE_VERDICT);
    m.dispute_verdict.ruling = PROTO_RULING_NONE;
    refused(&m);
    m.dispute_verdict.ruling = 3;
    refused(&m);
    m = msg_of(PROTO_TXMSG_DISPUTE_COMMIT);
    m.dispute_commit.round = 0;
    refused(&m);
    m = msg_of(PROTO_TXMSG_DISPUTE_REVEAL);
    m.dispute_reveal.round = 0;
    refused(&m);
    m = msg_of(PROTO_TXMSG_DISPUTE_REVEAL);
    m.dispute_reveal.ruling = 0;
    refused(&m);
    /* An appeal of tier 1 (round 0) is meaningful. */
    m = msg_of(PROTO_TXMSG_DISPUTE_APPEAL);
    m.dispute_appeal.round = 0;
    GBytes *wire = encode_one(&m);
    proto_txenv out;
    ck_assert_int_eq(decode(wire, 0, &out), PROTO_TXENV_OK);
    g_bytes_unref(wire);
}
END_TEST

START_TEST(test_commitment_binds_every_field)
{
    proto_hash salt, other_salt, base, h;
    memset(salt.bytes, 1, PROTO_HASH_SIZE);
    other_salt = salt;
    other_salt.bytes[31] ^= 1;
    proto_dispute_commitment(CHAIN_ID, JOB, 1, 5, PROTO_RULING_CONSUMER, &salt, &base);
    proto_dispute_commitment(CHAIN_ID, JOB, 1, 5, PROTO_RULING_CONSUMER, &salt, &h);
    ck_assert_mem_eq(base.bytes, h.bytes, PROTO_HASH_SIZE);
    proto_dispute_commitment(CHAIN_ID + 1, JOB, 1, 5, PROTO_RULING_CONSUMER, &salt, &h);
    ck_assert_mem_ne(base.bytes, h.bytes, PROTO_HASH_SIZE);
    proto_dispute_commitment(CHAIN_ID, JOB + 1, 1, 5, PROTO_RULING_CONSUMER, &salt, &h);
    ck_assert_mem_ne(base.bytes, h.bytes, PROTO_HASH_SIZE);
    proto_dispute_commitment(CHAIN_ID, JOB, 2, 5, PROTO_RULING_CONSUMER, &salt, &h);
    ck_assert_mem_ne(base.bytes, h.bytes, PROTO_HASH_SIZE);
    proto_dispute_commitment(CHAIN_ID, JOB, 1, 6, PROTO_RULING_CONSUMER, &salt, &h);
    ck_assert_mem_ne(base.bytes, h.bytes, PROTO_HASH_SIZE);
    proto_dispute_commitment(CHAIN_ID, JOB, 1, 5, PROTO_RULING_PROVIDER, &salt, &h);
    ck_assert_mem_ne(base.bytes, h.bytes, PROTO_HASH_SIZE);
    proto_dispute_commitment(CHAIN_ID, JOB, 1, 5, PROTO_RULING_CONSUMER, &other_salt, &h);
    ck_assert_mem_ne(base.bytes, h.bytes, PROTO_HASH_SIZE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("txmsg_disputes");
    TCase *tc = tcase_create("codec");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip_and_truncation);
    tcase_add_test(tc, test_bad_values_refused);
    tcase_add_test(tc, test_commitment_binds_every_field);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
