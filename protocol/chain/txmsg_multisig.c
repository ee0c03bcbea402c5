/* Codecs of the multisig messages and their inner operations
 * (txmsg_multisig.h; tx_envelope.h has the wire layout), and the hash
 * owners approve.
 *
 * CREATE and EXEC have variable bodies (txmsg_codec.h): their heads hold
 * the owner count and the operation type, so the decoder knows the
 * body's size from the head alone and refuses a count over
 * PROTO_MULTISIG_OWNERS_MAX, or an operation type it does not know,
 * before reading further. DEPOSIT and APPROVE have fixed bodies. Beyond
 * that the decoder only refuses zero amounts (as it does a transfer's);
 * the rules of Safe (threshold within the owners, distinct owners, the
 * approver an owner, enough approvals) are the module's, so that each
 * refusal is named and counted there. */
#include "protocol/chain/txmsg_multisig.h"

#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/txmsg_codec.h"

#include <string.h>

#include "protocol/core/codec.h"

#define MULTISIG_DOMAIN "aitbc-multisig"
#define MULTISIG_DOMAIN_SIZE (sizeof(MULTISIG_DOMAIN) - 1)

/* ---- inner operations: one row per type ---- */

typedef struct op_codec {
    const char *name;
    size_t body_size; /* <= PROTO_MULTISIG_OP_BODY_MAX */
    void (*put)(const proto_multisig_op *op, uint8_t *out);
    void (*get)(const uint8_t *in, proto_multisig_op *op);
    bool (*valid)(const proto_multisig_op *op);
} op_codec;

static void op_transfer_put(const proto_multisig_op *op, uint8_t *out)
{
    proto_le_put_u32(out, op->transfer.to);
    proto_le_put_u64(out + 4, op->transfer.amount);
}

static void op_transfer_get(const uint8_t *in, proto_multisig_op *op)
{
    op->transfer.to = proto_le_get_u32(in);
    op->transfer.amount = proto_le_get_u64(in + 4);
}

static bool op_transfer_valid(const proto_multisig_op *op)
{
    return op->transfer.amount > 0;
}

static void op_owner_put(const proto_multisig_op *op, uint8_t *out)
{
    proto_le_put_u32(out, op->owner.owner);
    out[4] = op->owner.threshold;
}

static void op_owner_get(const uint8_t *in, proto_multisig_op *op)
{
    op->owner.owner = proto_le_get_u32(in);
    op->owner.threshold = in[4];
}

static void op_threshold_put(const proto_multisig_op *op, uint8_t *out)
{
    out[0] = op->threshold.threshold;
}

static void op_threshold_get(const uint8_t *in, proto_multisig_op *op)
{
    op->threshold.threshold = in[0];
}

static void op_job_settle_put(const proto_multisig_op *op, uint8_t *out)
{
    proto_le_put_u64(out, op->job_settle.job);
    out[8] = op->job_settle.release;
}

static void op_job_settle_get(const uint8_t *in, proto_multisig_op *op)
{
    op->job_settle.job = proto_le_get_u64(in);
    op->job_settle.release = in[8];
}

static bool op_job_settle_valid(const proto_multisig_op *op)
{
    return op->job_settle.release <= 1 && PROTO_JOB_SEQ(op->job_settle.job) != 0;
}

static void op_upgrade_put(const proto_multisig_op *op, uint8_t *out)
{
    out[0] = op->upgrade.module;
    out[1] = (uint8_t)op->upgrade.version;
    out[2] = (uint8_t)(op->upgrade.version >> 8);
    proto_le_put_u64(out + 3, op->upgrade.height);
}

static void op_upgrade_get(const uint8_t *in, proto_multisig_op *op)
{
    op->upgrade.module = in[0];
    op->upgrade.version = (uint16_t)(in[1] | (in[2] << 8));
    op->upgrade.height = proto_le_get_u64(in + 3);
}

static bool op_upgrade_valid(const proto_multisig_op *op)
{
    return op->upgrade.version > 0 && op->upgrade.height > 0;
}

static bool op_always_valid(const proto_multisig_op *op)
{
    (void)op;
    return true;
}

static const op_codec op_codecs[PROTO_MULTISIG_OP_TYPE_END] = {
    [PROTO_MULTISIG_OP_TRANSFER] = {"transfer", 4 + 8, op_transfer_put, op_transfer_get,
                                    op_transfer_valid},
    [PROTO_MULTISIG_OP_ADD_OWNER] = {"add_owner", 4 + 1, op_owner_put, op_owner_get,
                                     op_always_valid},
    [PROTO_MULTISIG_OP_REMOVE_OWNER] = {"remove_owner", 4 + 1, op_owner_put, op_owner_get,
                                        op_always_valid},
    [PROTO_MULTISIG_OP_CHANGE_THRESHOLD] = {"change_threshold", 1, op_threshold_put,
                                            op_threshold_get, op_always_valid},
    [PROTO_MULTISIG_OP_JOB_SETTLE] = {"job_settle", 8 + 1, op_job_settle_put, op_job_settle_get,
                                      op_job_settle_valid},
    [PROTO_MULTISIG_OP_UPGRADE] = {"upgrade", 1 + 2 + 8, op_upgrade_put, op_upgrade_get,
                                   op_upgrade_valid},
};

static const op_codec *op_codec_of(uint8_t type)
{
    if (type >= PROTO_MULTISIG_OP_TYPE_END || op_codecs[type].name == NULL)
        return NULL;
    g_assert(op_codecs[type].body_size <= PROTO_MULTISIG_OP_BODY_MAX);
    return &op_codecs[type];
}

const char *proto_multisig_op_name(uint8_t type)
{
    const op_codec *c = op_codec_of(type);
    return c != NULL ? c->name : "unknown";
}

size_t proto_multisig_op_body_size(uint8_t type)
{
    const op_codec *c = op_codec_of(type);
    return c != NULL ? c->body_size : 0;
}

bool proto_multisig_op_valid(const proto_multisig_op *op)
{
    const op_codec *c = op_codec_of(op->type);
    return c != NULL && c->valid(op);
}

size_t proto_multisig_op_encode(const proto_multisig_op *op, uint8_t *out)
{
    const op_codec *c = op_codec_of(op->type);
    g_assert(c != NULL);
    out[0] = op->type;
    c->put(op, out + 1);
    return 1 + c->body_size;
}

/* ---- what owners approve ---- */

void proto_multisig_op_hash(uint64_t chain_id, uint32_t multisig, uint64_t nonce,
                            const proto_multisig_op *op, proto_hash *out)
{
    uint8_t buf[MULTISIG_DOMAIN_SIZE + 8 + 4 + 8 + 1 + PROTO_MULTISIG_OP_BODY_MAX];
    uint8_t *p = buf;
    memcpy(p, MULTISIG_DOMAIN, MULTISIG_DOMAIN_SIZE);
    p += MULTISIG_DOMAIN_SIZE;
    proto_le_put_u64(p, chain_id);
    proto_le_put_u32(p + 8, multisig);
    proto_le_put_u64(p + 12, nonce);
    p += 20;
    p += proto_multisig_op_encode(op, p);
    proto_hash_bytes(out, buf, (size_t)(p - buf));
}

/* ---- CREATE: threshold u8 | owners_count u8 | owners u32 x count ---- */

static size_t create_tail(const uint8_t *head)
{
    return head[1] <= PROTO_MULTISIG_OWNERS_MAX ? 4u * head[1] : TXMSG_TAIL_REFUSED;
}

static size_t create_size(const proto_txmsg *m)
{
    g_assert(m->multisig_create.owners_count <= PROTO_MULTISIG_OWNERS_MAX);
    return PROTO_MULTISIG_CREATE_HEAD_SIZE + 4u * m->multisig_create.owners_count;
}

static void create_put(const proto_txmsg *m, uint8_t *out)
{
    const proto_multisig_create_msg *c = &m->multisig_create;
    g_assert(c->owners_count <= PROTO_MULTISIG_OWNERS_MAX);
    out[0] = c->threshold;
    out[1] = c->owners_count;
    for (uint32_t i = 0; i < c->owners_count; i++)
        proto_le_put_u32(out + 2 + 4 * i, c->owners[i]);
}

/* `in` holds the whole body (create_tail accepted its head). */
static void create_get(const uint8_t *in, proto_txmsg *m)
{
    proto_multisig_create_msg *c = &m->multisig_create;
    memset(c, 0, sizeof *c);
    c->threshold = in[0];
    c->owners_count = in[1];
    for (uint32_t i = 0; i < c->owners_count; i++)
        c->owners[i] = proto_le_get_u32(in + 2 + 4 * i);
}

static bool create_valid(const proto_txmsg *m)
{
    (void)m;
    return true;
}

/* ---- EXEC: multisig u32 | nonce u64 | op type u8 | op body ---- */

static size_t exec_tail(const uint8_t *head)
{
    size_t op = proto_multisig_op_body_size(head[12]);
    return op > 0 ? op : TXMSG_TAIL_REFUSED;
}

static size_t exec_size(const proto_txmsg *m)
{
    size_t op = proto_multisig_op_body_size(m->multisig_exec.op.type);
    g_assert(op > 0);
    return PROTO_MULTISIG_EXEC_HEAD_SIZE + op;
}

static void exec_put(const proto_txmsg *m, uint8_t *out)
{
    const proto_multisig_exec_msg *e = &m->multisig_exec;
    proto_le_put_u32(out, e->multisig);
    proto_le_put_u64(out + 4, e->nonce);
    proto_multisig_op_encode(&e->op, out + 12); /* type byte, then body */
}

/* `in` holds the whole body (exec_tail accepted its head). */
static void exec_get(const uint8_t *in, proto_txmsg *m)
{
    proto_multisig_exec_msg *e = &m->multisig_exec;
    memset(e, 0, sizeof *e);
    e->multisig = proto_le_get_u32(in);
    e->nonce = proto_le_get_u64(in + 4);
    e->op.type = in[12];
    op_codec_of(e->op.type)->get(in + 13, &e->op);
}

static bool exec_valid(const proto_txmsg *m)
{
    return proto_multisig_op_valid(&m->multisig_exec.op);
}

/* ---- DEPOSIT: multisig u32 | amount u64 ---- */

static void deposit_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->multisig_deposit.multisig);
    proto_le_put_u64(out + 4, m->multisig_deposit.amount);
}

static void deposit_get(const uint8_t *in, proto_txmsg *m)
{
    m->multisig_deposit.multisig = proto_le_get_u32(in);
    m->multisig_deposit.amount = proto_le_get_u64(in + 4);
}

static bool deposit_valid(const proto_txmsg *m)
{
    return m->multisig_deposit.amount > 0;
}

/* ---- APPROVE: multisig u32 | nonce u64 | op_hash[32] ---- */

static void approve_put(const proto_txmsg *m, uint8_t *out)
{
    const proto_multisig_approve_msg *a = &m->multisig_approve;
    proto_le_put_u32(out, a->multisig);
    proto_le_put_u64(out + 4, a->nonce);
    memcpy(out + 12, a->op_hash.bytes, PROTO_HASH_SIZE);
}

static void approve_get(const uint8_t *in, proto_txmsg *m)
{
    proto_multisig_approve_msg *a = &m->multisig_approve;
    a->multisig = proto_le_get_u32(in);
    a->nonce = proto_le_get_u64(in + 4);
    memcpy(a->op_hash.bytes, in + 12, PROTO_HASH_SIZE);
}

static bool approve_valid(const proto_txmsg *m)
{
    (void)m;
    return true; /* any hash may be approved; only an operation's own is ever executed */
}

#define ROW(type) [PROTO_TXMSG_##type - PROTO_TXMSG_MULTISIG_CREATE]

const txmsg_codec proto_txmsg_multisig_codecs[PROTO_TXMSG_MULTISIG_APPROVE -
                                              PROTO_TXMSG_MULTISIG_CREATE + 1] = {
    ROW(MULTISIG_CREATE) = {"multisig_create", PROTO_MULTISIG_CREATE_HEAD_SIZE, create_put,
                            create_get, create_valid, create_tail, create_size},
    ROW(MULTISIG_EXEC) = {"multisig_exec", PROTO_MULTISIG_EXEC_HEAD_SIZE, exec_put, exec_get,
                          exec_valid, exec_tail, exec_size},
    ROW(MULTISIG_DEPOSIT) = {"multisig_deposit", 4 + 8, deposit_put, deposit_get, deposit_valid},
    ROW(MULTISIG_APPROVE) = {"multisig_approve", PROTO_MULTISIG_APPROVE_BODY_SIZE, approve_put,
                             approve_get, approve_valid},
};
