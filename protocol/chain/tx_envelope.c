/* Transaction envelope v2: encoding, strict decoding, signing (tx_envelope.h).
 *
 * Message types are a table (type -> name, body size, put, get, validity
 * rule), so a new type is one row and three small functions (two more
 * for a body whose size varies, txmsg_codec.h). Every
 * envelope is at most PROTO_TXENV_WIRE_SIZE_MAX bytes, so encoding,
 * signing and hashing build it in a stack buffer; only proto_txenv_encode
 * touches the heap, through the caller's writer. */
#include "protocol/chain/tx_envelope.h"

#include <string.h>

#include "protocol/chain/txmsg_codec.h"

#include "protocol/chain/fee_market.h"
#include "protocol/core/msgtype.h"

#define TXENV_DOMAIN "aitbc-tx2"
#define TXENV_DOMAIN_SIZE (sizeof(TXENV_DOMAIN) - 1)

/* ---- message types ---- */

static void transfer_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->transfer.to);
    proto_le_put_u64(out + 4, m->transfer.amount);
}

static void transfer_get(const uint8_t *in, proto_txmsg *m)
{
    m->transfer.to = proto_le_get_u32(in);
    m->transfer.amount = proto_le_get_u64(in + 4);
}

/* Cosmos's MsgSend refuses a zero amount too: it moves nothing and only
 * costs the chain a write. */
static bool transfer_valid(const proto_txmsg *m)
{
    return m->transfer.amount > 0;
}

static void unjail_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->unjail.validator);
}

static void unjail_get(const uint8_t *in, proto_txmsg *m)
{
    m->unjail.validator = proto_le_get_u32(in);
}

static bool always_valid(const proto_txmsg *m)
{
    (void)m;
    return true;
}

static void rotate_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->rotate_key.validator);
    memcpy(out + 4, m->rotate_key.new_key.bytes, PROTO_PUBKEY_SIZE);
}

static void rotate_get(const uint8_t *in, proto_txmsg *m)
{
    m->rotate_key.validator = proto_le_get_u32(in);
    memcpy(m->rotate_key.new_key.bytes, in + 4, PROTO_PUBKEY_SIZE);
}

/* A zero key is "no key" everywhere else (valset.h); rotating to it would
 * leave the validator unable to sign. */
static bool rotate_valid(const proto_txmsg *m)
{
    return !proto_pubkey_is_zero(&m->rotate_key.new_key);
}

/* ---- staking messages (protocol/modules/staking/staking.h) ---- */

static void create_validator_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->create_validator.validator);
    proto_le_put_u64(out + 4, m->create_validator.self_bond);
    proto_le_put_u64(out + 12, m->create_validator.rate);
    proto_le_put_u64(out + 20, m->create_validator.max_rate);
    proto_le_put_u64(out + 28, m->create_validator.max_change_rate);
}

static void create_validator_get(const uint8_t *in, proto_txmsg *m)
{
    m->create_validator.validator = proto_le_get_u32(in);
    m->create_validator.self_bond = proto_le_get_u64(in + 4);
    m->create_validator.rate = proto_le_get_u64(in + 12);
    m->create_validator.max_rate = proto_le_get_u64(in + 20);
    m->create_validator.max_change_rate = proto_le_get_u64(in + 28);
}

/* A self-bond, and Cosmos's Commission.Validate: max_rate at most one,
 * the rate and the maximum daily change at most max_rate. */
static bool create_validator_valid(const proto_txmsg *m)
{
    return m->create_validator.self_bond > 0 &&
           m->create_validator.max_rate <= PROTO_TXMSG_RATE_ONE &&
           m->create_validator.rate <= m->create_validator.max_rate &&
           m->create_validator.max_change_rate <= m->create_validator.max_rate;
}

static void edit_validator_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->edit_validator.validator);
    proto_le_put_u64(out + 4, m->edit_validator.rate);
}

static void edit_validator_get(const uint8_t *in, proto_txmsg *m)
{
    m->edit_validator.validator = proto_le_get_u32(in);
    m->edit_validator.rate = proto_le_get_u64(in + 4);
}

static bool edit_validator_valid(const proto_txmsg *m)
{
    return m->edit_validator.rate <= PROTO_TXMSG_RATE_ONE;
}

static void delegate_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->delegate.validator);
    proto_le_put_u64(out + 4, m->delegate.amount);
}

static void delegate_get(const uint8_t *in, proto_txmsg *m)
{
    m->delegate.validator = proto_le_get_u32(in);
    m->delegate.amount = proto_le_get_u64(in + 4);
}

/* Cosmos's ValidateBasic: the amount must be positive. */
static bool delegate_valid(const proto_txmsg *m)
{
    return m->delegate.amount > 0;
}

static void redelegate_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->redelegate.src);
    proto_le_put_u32(out + 4, m->redelegate.dst);
    proto_le_put_u64(out + 8, m->redelegate.amount);
}

static void redelegate_get(const uint8_t *in, proto_txmsg *m)
{
    m->redelegate.src = proto_le_get_u32(in);
    m->redelegate.dst = proto_le_get_u32(in + 4);
    m->redelegate.amount = proto_le_get_u64(in + 8);
}

static bool redelegate_valid(const proto_txmsg *m)
{
    return m->redelegate.amount > 0;
}

static void cancel_unbonding_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->cancel_unbonding.validator);
    proto_le_put_u64(out + 4, m->cancel_unbonding.amount);
    proto_le_put_u64(out + 12, m->cancel_unbonding.creation_height);
}

static void cancel_unbonding_get(const uint8_t *in, proto_txmsg *m)
{
    m->cancel_unbonding.validator = proto_le_get_u32(in);
    m->cancel_unbonding.amount = proto_le_get_u64(in + 4);
    m->cancel_unbonding.creation_height = proto_le_get_u64(in + 12);
}

/* MsgCancelUnbondingDelegation.ValidateBasic: a positive amount and
 * creation height. */
static bool cancel_unbonding_valid(const proto_txmsg *m)
{
    return m->cancel_unbonding.amount > 0 && m->cancel_unbonding.creation_height > 0;
}

static void withdraw_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->withdraw.validator);
}

static void withdraw_get(const uint8_t *in, proto_txmsg *m)
{
    m->withdraw.validator = proto_le_get_u32(in);
}

static const txmsg_codec txmsg_codecs[] = {
    [PROTO_TXMSG_TRANSFER] = {"transfer", 4 + 8, transfer_put, transfer_get, transfer_valid},
    [PROTO_TXMSG_UNJAIL] = {"unjail", 4, unjail_put, unjail_get, always_valid},
    [PROTO_TXMSG_ROTATE_KEY] = {"rotate_key", 4 + PROTO_PUBKEY_SIZE, rotate_put, rotate_get,
                                rotate_valid},
    [PROTO_TXMSG_CREATE_VALIDATOR] = {"create_validator", 4 + 4 * 8, create_validator_put,
                                      create_validator_get, create_validator_valid},
    [PROTO_TXMSG_EDIT_VALIDATOR] = {"edit_validator", 4 + 8, edit_validator_put,
                                    edit_validator_get, edit_validator_valid},
    [PROTO_TXMSG_DELEGATE] = {"delegate", 4 + 8, delegate_put, delegate_get, delegate_valid},
    [PROTO_TXMSG_UNDELEGATE] = {"undelegate", 4 + 8, delegate_put, delegate_get,
                                delegate_valid},
    [PROTO_TXMSG_REDELEGATE] = {"redelegate", 4 + 4 + 8, redelegate_put, redelegate_get,
                                redelegate_valid},
    [PROTO_TXMSG_CANCEL_UNBONDING] = {"cancel_unbonding", 4 + 8 + 8, cancel_unbonding_put,
                                      cancel_unbonding_get, cancel_unbonding_valid},
    [PROTO_TXMSG_WITHDRAW_REWARDS] = {"withdraw_rewards", 4, withdraw_put, withdraw_get,
                                      always_valid},
    [PROTO_TXMSG_WITHDRAW_COMMISSION] = {"withdraw_commission", 4, withdraw_put, withdraw_get,
                                         always_valid},
};

/* The codec of a type, or NULL for a type with none. */
static const txmsg_codec *txmsg_codec_of(uint8_t type)
{
    const txmsg_codec *codec = NULL;
    if (type < G_N_ELEMENTS(txmsg_codecs))
        codec = &txmsg_codecs[type];
    else if (type >= PROTO_TXMSG_AGENT_REGISTER && type <= PROTO_TXMSG_JOB_CANCEL)
        codec = &proto_txmsg_market_codecs[type - PROTO_TXMSG_AGENT_REGISTER];
    else if (type >= PROTO_TXMSG_MULTISIG_CREATE && type <= PROTO_TXMSG_MULTISIG_APPROVE)
        codec = &proto_txmsg_multisig_codecs[type - PROTO_TXMSG_MULTISIG_CREATE];
    else if (type >= PROTO_TXMSG_DISPUTE_DEFEND && type <= PROTO_TXMSG_DISPUTE_APPEAL)
        codec = &proto_txmsg_disputes_codecs[type - PROTO_TXMSG_DISPUTE_DEFEND];
    if (codec == NULL || codec->name == NULL)
        return NULL;
    g_assert(1 + codec->body_size <= PROTO_TXENV_MESSAGE_SIZE_MAX);
    g_assert((codec->tail_size == NULL) == (codec->size_of == NULL));
    return codec;
}

/* A decoded envelope is held by value (pools, blocks), so every message
 * slot is as large as the largest union member. The multisig messages
 * must fit in what JOB_POST already needs, or every envelope grows
 * (txmsg_multisig.h says how CREATE's owner maximum follows from it). */
#define TXMSG_FITS(member)                                                                     \
    G_STATIC_ASSERT(sizeof(((proto_txmsg *)0)->member) <= sizeof(((proto_txmsg *)0)->job_post))
TXMSG_FITS(multisig_create);
TXMSG_FITS(multisig_exec);
TXMSG_FITS(multisig_deposit);
TXMSG_FITS(multisig_approve);
TXMSG_FITS(dispute_defend);
TXMSG_FITS(dispute_verdict);
TXMSG_FITS(dispute_commit);
TXMSG_FITS(dispute_reveal);
TXMSG_FITS(dispute_appeal);

/* The body size of m under its codec (fixed, or the message's own). */
static size_t txmsg_body_size(const txmsg_codec *codec, const proto_txmsg *m)
{
    size_t size = codec->size_of != NULL ? codec->size_of(m) : codec->body_size;
    g_assert(1 + size <= PROTO_TXENV_MESSAGE_SIZE_MAX);
    return size;
}

const char *proto_txmsg_type_name(uint8_t type)
{
    const txmsg_codec *codec = txmsg_codec_of(type);
    return codec != NULL ? codec->name : "unknown";
}

const char *proto_txenv_result_name(proto_txenv_result r)
{
    static const char *const names[PROTO_TXENV_RESULT_COUNT] = {
        [PROTO_TXENV_OK] = "ok",
        [PROTO_TXENV_TRUNCATED] = "truncated",
        [PROTO_TXENV_BAD_VERSION] = "bad_version",
        [PROTO_TXENV_NO_MESSAGES] = "no_messages",
        [PROTO_TXENV_TOO_MANY_MESSAGES] = "too_many_messages",
        [PROTO_TXENV_UNKNOWN_MESSAGE] = "unknown_message",
        [PROTO_TXENV_BAD_MESSAGE] = "bad_message",
        [PROTO_TXENV_TRAILING_BYTES] = "trailing_bytes",
        [PROTO_TXENV_WRONG_CHAIN] = "wrong_chain",
        [PROTO_TXENV_ZERO_GAS] = "zero_gas",
        [PROTO_TXENV_GAS_OVER_BLOCK_LIMIT] = "gas_over_block_limit",
        [PROTO_TXENV_TIP_ABOVE_FEE_CAP] = "tip_above_fee_cap",
        [PROTO_TXENV_FEE_OVERFLOW] = "fee_overflow",
        [PROTO_TXENV_GAS_BELOW_INTRINSIC] = "gas_below_intrinsic",
        [PROTO_TXENV_BAD_SIGNATURE] = "bad_signature",
    };
    if ((unsigned)r >= PROTO_TXENV_RESULT_COUNT || names[r] == NULL)
        return "unknown";
    return names[r];
}

/* ---- encoding ---- */

/* Writes every byte before the signature into out (at least
 * PROTO_TXENV_WIRE_SIZE_MAX - PROTO_SIG_SIZE bytes); returns how many. */
static size_t txenv_put_body(const proto_txenv *env, uint8_t *out)
{
    g_assert(env->message_count >= 1 && env->message_count <= PROTO_TXENV_MESSAGES_MAX);
    uint8_t *p = out;
    *p++ = PROTO_TXENV_VERSION;
    proto_le_put_u64(p, env->chain_id);
    p += 8;
    memcpy(p, env->sender.bytes, PROTO_PUBKEY_SIZE);
    p += PROTO_PUBKEY_SIZE;
    const uint64_t fields[] = {env->nonce, env->gas_limit, env->max_fee_per_gas,
                               env->max_priority_fee_per_gas};
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        proto_le_put_u64(p, fields[i]);
        p += 8;
    }
    *p++ = (uint8_t)env->message_count;
    *p++ = (uint8_t)(env->message_count >> 8);
    g_assert((size_t)(p - out) == PROTO_TXENV_HEADER_SIZE);
    for (uint16_t i = 0; i < env->message_count; i++) {
        const proto_txmsg *m = &env->messages[i];
        const txmsg_codec *codec = txmsg_codec_of(m->type);
        g_assert(codec != NULL);
        *p++ = m->type;
        codec->put(m, p);
        p += txmsg_body_size(codec, m);
    }
    return (size_t)(p - out);
}

size_t proto_txenv_wire_size(const proto_txenv *env)
{
    g_assert(env->message_count >= 1 && env->message_count <= PROTO_TXENV_MESSAGES_MAX);
    size_t size = PROTO_TXENV_HEADER_SIZE + PROTO_SIG_SIZE;
    for (uint16_t i = 0; i < env->message_count; i++) {
        const txmsg_codec *codec = txmsg_codec_of(env->messages[i].type);
        g_assert(codec != NULL);
        size += 1 + txmsg_body_size(codec, &env->messages[i]);
    }
    return size;
}

/* The whole encoding into out[PROTO_TXENV_WIRE_SIZE_MAX]; returns its size. */
static size_t txenv_put_wire(const proto_txenv *env, uint8_t *out)
{
    size_t body = txenv_put_body(env, out);
    memcpy(out + body, env->sig.bytes, PROTO_SIG_SIZE);
    return body + PROTO_SIG_SIZE;
}

void proto_txenv_encode(const proto_txenv *env, proto_writer *w)
{
    uint8_t buf[PROTO_TXENV_WIRE_SIZE_MAX];
    size_t size = txenv_put_wire(env, buf);
    proto_write_raw(w, buf, size);
}

void proto_txenv_signing_hash(const proto_txenv *env, proto_hash *out)
{
    uint8_t buf[TXENV_DOMAIN_SIZE + PROTO_TXENV_WIRE_SIZE_MAX];
    memcpy(buf, TXENV_DOMAIN, TXENV_DOMAIN_SIZE);
    size_t body = txenv_put_body(env, buf + TXENV_DOMAIN_SIZE);
    proto_hash_bytes(out, buf, TXENV_DOMAIN_SIZE + body);
}

void proto_txenv_sign(proto_txenv *env, proto_crypto *c, const proto_keypair *kp)
{
    g_assert(memcmp(env->sender.bytes, kp->pk.bytes, PROTO_PUBKEY_SIZE) == 0);
    proto_hash h;
    proto_txenv_signing_hash(env, &h);
    proto_sign(c, &env->sig, h.bytes, sizeof h.bytes, kp);
}

bool proto_txenv_verify(const proto_txenv *env, proto_crypto *c)
{
    proto_hash h;
    proto_txenv_signing_hash(env, &h);
    return proto_verify(c, &env->sig, h.bytes, sizeof h.bytes, &env->sender);
}

void proto_txenv_hash(const proto_txenv *env, proto_hash *out)
{
    uint8_t buf[PROTO_TXENV_WIRE_SIZE_MAX];
    size_t size = txenv_put_wire(env, buf);
    proto_hash_bytes(out, buf, size);
}

/* ---- decoding ---- */

/* The fixed fields before the messages; TRUNCATED, BAD_VERSION or OK. */
static proto_txenv_result decode_header(proto_reader *r, proto_txenv *env)
{
    uint8_t version = proto_read_u8(r);
    if (r->failed)
        return PROTO_TXENV_TRUNCATED;
    if (version != PROTO_TXENV_VERSION)
        return PROTO_TXENV_BAD_VERSION;
    env->chain_id = proto_read_u64(r);
    proto_read_raw(r, env->sender.bytes, PROTO_PUBKEY_SIZE);
    env->nonce = proto_read_u64(r);
    env->gas_limit = proto_read_u64(r);
    env->max_fee_per_gas = proto_read_u64(r);
    env->max_priority_fee_per_gas = proto_read_u64(r);
    env->message_count = proto_read_u16(r);
    return r->failed ? PROTO_TXENV_TRUNCATED : PROTO_TXENV_OK;
}

/* The message count, the messages and the signature; the count is judged
 * before any message is read, so a huge count costs nothing. */
static proto_txenv_result decode_messages(proto_reader *r, proto_txenv *env)
{
    if (env->message_count == 0)
        return PROTO_TXENV_NO_MESSAGES;
    if (env->message_count > PROTO_TXENV_MESSAGES_MAX)
        return PROTO_TXENV_TOO_MANY_MESSAGES;
    for (uint16_t i = 0; i < env->message_count; i++) {
        proto_txmsg *m = &env->messages[i];
        m->type = proto_read_u8(r);
        if (r->failed)
            return PROTO_TXENV_TRUNCATED;
        const txmsg_codec *codec = txmsg_codec_of(m->type);
        if (codec == NULL)
            return PROTO_TXENV_UNKNOWN_MESSAGE;
        const uint8_t *body = proto_read_view(r, codec->body_size);
        if (body == NULL)
            return PROTO_TXENV_TRUNCATED;
        if (codec->tail_size != NULL) { /* a variable body: the head sizes the rest */
            size_t tail = codec->tail_size(body);
            if (tail == TXMSG_TAIL_REFUSED)
                return PROTO_TXENV_BAD_MESSAGE;
            const uint8_t *rest = proto_read_view(r, tail);
            if (rest == NULL)
                return PROTO_TXENV_TRUNCATED;
            g_assert(rest == body + codec->body_size);
        }
        codec->get(body, m);
        if (!codec->valid(m))
            return PROTO_TXENV_BAD_MESSAGE;
    }
    proto_read_raw(r, env->sig.bytes, PROTO_SIG_SIZE);
    return r->failed ? PROTO_TXENV_TRUNCATED : PROTO_TXENV_OK;
}

/* The rules on decoded values, in the order of the enum. The fee rules
 * are fee_market.h's, asked with a base fee of 0 (so nothing "waits"). */
static proto_txenv_result check_values(const proto_txenv *env, size_t wire_size,
                                       const proto_txenv_limits *limits)
{
    if (env->chain_id != limits->chain_id)
        return PROTO_TXENV_WRONG_CHAIN;
    if (env->gas_limit == 0)
        return PROTO_TXENV_ZERO_GAS;
    if (env->gas_limit > limits->block_gas_limit)
        return PROTO_TXENV_GAS_OVER_BLOCK_LIMIT;
    switch (proto_fee_check_tx(0, env->gas_limit, env->max_fee_per_gas,
                               env->max_priority_fee_per_gas, NULL)) {
    case PROTO_FEE_TX_TIP_ABOVE_FEE_CAP:
        return PROTO_TXENV_TIP_ABOVE_FEE_CAP;
    case PROTO_FEE_TX_FEE_OVERFLOW:
        return PROTO_TXENV_FEE_OVERFLOW;
    case PROTO_FEE_TX_OK:
    case PROTO_FEE_TX_FEE_CAP_BELOW_BASE_FEE: /* impossible under base fee 0 */
        break;
    }
    if (limits->schedule != NULL &&
        env->gas_limit < proto_gas_intrinsic(limits->schedule, wire_size, 1))
        return PROTO_TXENV_GAS_BELOW_INTRINSIC;
    return PROTO_TXENV_OK;
}

/* One envelope from r, structure only; the reader is left after it. */
static proto_txenv_result txenv_read(proto_reader *r, proto_txenv *env)
{
    memset(env, 0, sizeof *env); /* unused message slots are zero, deterministically */
    proto_txenv_result res = decode_header(r, env);
    if (res == PROTO_TXENV_OK)
        res = decode_messages(r, env);
    return res;
}

proto_txenv_result proto_txenv_read(proto_reader *r, proto_txenv *out, size_t *wire_size_out)
{
    size_t start = r->pos;
    proto_txenv env;
    proto_txenv_result res = txenv_read(r, &env);
    if (res != PROTO_TXENV_OK) {
        r->failed = true;
        return res;
    }
    *out = env;
    if (wire_size_out != NULL)
        *wire_size_out = r->pos - start;
    return PROTO_TXENV_OK;
}

proto_txenv_result proto_txenv_check(const proto_txenv *env, size_t wire_size,
                                     const proto_txenv_limits *limits)
{
    return check_values(env, wire_size, limits);
}

proto_txenv_result proto_txenv_decode(const uint8_t *data, size_t size,
                                      const proto_txenv_limits *limits, proto_txenv *out)
{
    proto_txenv env;
    proto_reader r;
    proto_reader_init(&r, data, size);
    proto_txenv_result res = txenv_read(&r, &env);
    if (res == PROTO_TXENV_OK && proto_reader_remaining(&r) > 0)
        res = PROTO_TXENV_TRAILING_BYTES;
    if (res == PROTO_TXENV_OK && limits != NULL)
        res = check_values(&env, size, limits);
    if (res == PROTO_TXENV_OK)
        *out = env;
    return res;
}

/* ---- gossip ---- */

GBytes *proto_txenv_msg_encode(const proto_txenv *env)
{
    uint8_t buf[1 + PROTO_TXENV_WIRE_SIZE_MAX];
    buf[0] = PROTO_MSG_TX;
    size_t size = txenv_put_wire(env, buf + 1);
    return g_bytes_new(buf, 1 + size);
}

proto_txenv_result proto_txenv_msg_decode(GBytes *wire, const proto_txenv_limits *limits,
                                          proto_txenv *out)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    if (size == 0)
        return PROTO_TXENV_TRUNCATED;
    if (data[0] != PROTO_MSG_TX)
        return PROTO_TXENV_BAD_VERSION;
    return proto_txenv_decode(data + 1, size - 1, limits, out);
}
