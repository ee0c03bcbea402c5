/* The multisig's inner operations (multisig.h): one row per type, each a
 * read-only check with Safe's refusals, a change that can no longer
 * fail, and the gas of the records it touches beyond the multisig's.
 * JOB_SETTLE settles a large job the multisig guards (jobs.h); UPGRADE
 * plans a module upgrade as the upgrade authority (upgrade.h). The plan
 * itself is a write of the upgrade module's state, which the multisig's
 * record charge covers (its state is a few hundred bytes).
 *
 * The owner rules are OwnerManager.sol's: an added owner is an account
 * and not already an owner (GS203, GS204); a removed one is an owner
 * (GS205) and the owners left can still reach the new threshold (GS201);
 * every new threshold is at least 1 (GS202) and at most the owners. */
#include <string.h>

#include "protocol/chain/tx_exec.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig_internal.h"
#include "protocol/modules/upgrade/upgrade.h"

/* The threshold rule against the owner count the change leaves. */
static uint32_t threshold_rule(uint32_t threshold, uint32_t owners_count)
{
    if (threshold == 0)
        return PROTO_MULTISIG_THRESHOLD_ZERO;
    if (threshold > owners_count)
        return PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS;
    return PROTO_MULTISIG_OK;
}

/* ---- TRANSFER ---- */

static uint32_t transfer_check(const proto_state *s, const proto_msg_ctx *ctx,
                               const proto_multisig *ms, const proto_multisig_op *op)
{
    if (op->transfer.to >= proto_state_account_count(s))
        return PROTO_MULTISIG_UNKNOWN_RECIPIENT;
    if (ms->balance < op->transfer.amount)
        return PROTO_MULTISIG_NO_FUNDS;
    return PROTO_MULTISIG_OK;
}

static void transfer_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                           proto_multisig *ms, const proto_multisig_op *op)
{
    ms->balance -= op->transfer.amount;
    st->held -= op->transfer.amount;
    proto_state_account_mut(s, op->transfer.to, ctx->undo)->balance += op->transfer.amount;
}

/* ---- ADD_OWNER ---- */

static uint32_t add_owner_check(const proto_state *s, const proto_msg_ctx *ctx,
                                const proto_multisig *ms, const proto_multisig_op *op)
{
    if (op->owner.owner >= proto_state_account_count(s))
        return PROTO_MULTISIG_UNKNOWN_OWNER;
    if (proto_multisig_is_owner(ms, op->owner.owner))
        return PROTO_MULTISIG_ALREADY_OWNER;
    if (ms->owners_count >= PROTO_MULTISIG_OWNERS_MAX)
        return PROTO_MULTISIG_TOO_MANY_OWNERS;
    return threshold_rule(op->owner.threshold, ms->owners_count + 1);
}

static void add_owner_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                            proto_multisig *ms, const proto_multisig_op *op)
{
    uint32_t k = ms->owners_count;
    for (; k > 0 && ms->owners[k - 1] > op->owner.owner; k--)
        ms->owners[k] = ms->owners[k - 1];
    ms->owners[k] = op->owner.owner;
    ms->owners_count++;
    ms->threshold = op->owner.threshold;
}

/* ---- REMOVE_OWNER ---- */

static uint32_t remove_owner_check(const proto_state *s, const proto_msg_ctx *ctx,
                                   const proto_multisig *ms, const proto_multisig_op *op)
{
    if (!proto_multisig_is_owner(ms, op->owner.owner))
        return PROTO_MULTISIG_NOT_OWNER;
    return threshold_rule(op->owner.threshold, ms->owners_count - 1);
}

static void remove_owner_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                               proto_multisig *ms, const proto_multisig_op *op)
{
    uint32_t k = 0;
    while (ms->owners[k] != op->owner.owner)
        k++;
    memmove(&ms->owners[k], &ms->owners[k + 1], (ms->owners_count - k - 1) * sizeof ms->owners[0]);
    ms->owners_count--;
    ms->owners[ms->owners_count] = 0;
    ms->threshold = op->owner.threshold;
}

/* ---- CHANGE_THRESHOLD ---- */

static uint32_t change_threshold_check(const proto_state *s, const proto_msg_ctx *ctx,
                                       const proto_multisig *ms, const proto_multisig_op *op)
{
    return threshold_rule(op->threshold.threshold, ms->owners_count);
}

static void change_threshold_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                                   proto_multisig *ms, const proto_multisig_op *op)
{
    ms->threshold = op->threshold.threshold;
}

/* ---- JOB_SETTLE ---- */

static uint32_t job_settle_check(const proto_state *s, const proto_msg_ctx *ctx,
                                 const proto_multisig *ms, const proto_multisig_op *op)
{
    const proto_job *j = proto_jobs_get(s, op->job_settle.job);
    if (j == NULL || j->guard != ms->id)
        return PROTO_MULTISIG_NOT_GUARD;
    if (j->status != PROTO_JOB_DELIVERED)
        return PROTO_MULTISIG_JOB_NOT_DELIVERED;
    return PROTO_MULTISIG_OK;
}

static void job_settle_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                             proto_multisig *ms, const proto_multisig_op *op)
{
    (void)st;
    (void)ms;
    proto_jobs_settle_guarded(s, ctx, op->job_settle.job, op->job_settle.release != 0);
}

/* ---- UPGRADE ---- */

static proto_upgrade_plan plan_of(const proto_multisig_op *op)
{
    return (proto_upgrade_plan){
        .module = op->upgrade.module, .version = op->upgrade.version, .height = op->upgrade.height};
}

static uint32_t upgrade_check(const proto_state *s, const proto_msg_ctx *ctx,
                              const proto_multisig *ms, const proto_multisig_op *op)
{
    proto_upgrade_plan p = plan_of(op);
    switch (proto_upgrade_check_plan(s, ctx, ms->id, &p)) {
    case PROTO_UPGRADE_OK:
        return PROTO_MULTISIG_OK;
    case PROTO_UPGRADE_UNKNOWN_MODULE:
        return PROTO_MULTISIG_UNKNOWN_MODULE;
    case PROTO_UPGRADE_NOT_NEWER:
        return PROTO_MULTISIG_NOT_NEWER;
    case PROTO_UPGRADE_PAST_HEIGHT:
        return PROTO_MULTISIG_PAST_HEIGHT;
    case PROTO_UPGRADE_TOO_MANY_PLANS:
        return PROTO_MULTISIG_TOO_MANY_PLANS;
    default: /* not the authority, or no upgrade module: nobody is */
        return PROTO_MULTISIG_NOT_AUTHORITY;
    }
}

static void upgrade_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                          proto_multisig *ms, const proto_multisig_op *op)
{
    (void)st;
    (void)ms;
    proto_upgrade_plan p = plan_of(op);
    proto_upgrade_add_plan(s, ctx, &p);
}

/* ---- the table ---- */

typedef enum op_gas {
    OP_GAS_NONE,         /* the multisig's record only */
    OP_GAS_ACCOUNT_READ, /* and a read of an account */
    OP_GAS_ACCOUNT_RW,   /* and a read and a write of an account */
    OP_GAS_JOB,          /* and what settling a job touches (proto_jobs_settle_gas) */
} op_gas;

static const struct {
    uint32_t (*check)(const proto_state *s, const proto_msg_ctx *ctx, const proto_multisig *ms,
                      const proto_multisig_op *op);
    void (*apply)(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st, proto_multisig *ms,
                  const proto_multisig_op *op);
    op_gas gas;
} op_rules[PROTO_MULTISIG_OP_TYPE_END] = {
    [PROTO_MULTISIG_OP_TRANSFER] = {transfer_check, transfer_apply, OP_GAS_ACCOUNT_RW},
    [PROTO_MULTISIG_OP_ADD_OWNER] = {add_owner_check, add_owner_apply, OP_GAS_ACCOUNT_READ},
    [PROTO_MULTISIG_OP_REMOVE_OWNER] = {remove_owner_check, remove_owner_apply, OP_GAS_NONE},
    [PROTO_MULTISIG_OP_CHANGE_THRESHOLD] = {change_threshold_check, change_threshold_apply,
                                            OP_GAS_NONE},
    [PROTO_MULTISIG_OP_JOB_SETTLE] = {job_settle_check, job_settle_apply, OP_GAS_JOB},
    [PROTO_MULTISIG_OP_UPGRADE] = {upgrade_check, upgrade_apply, OP_GAS_NONE},
};

uint32_t proto_multisig__op_check(const proto_state *s, const proto_msg_ctx *ctx,
                                  const proto_multisig *ms, const proto_multisig_op *op)
{
    g_assert(op->type < PROTO_MULTISIG_OP_TYPE_END && op_rules[op->type].check != NULL);
    if (op->type != PROTO_MULTISIG_OP_JOB_SETTLE && proto_jobs_guarded_by(s, ms->id))
        return PROTO_MULTISIG_GUARD_ONLY;
    return op_rules[op->type].check(s, ctx, ms, op);
}

void proto_multisig__op_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                              proto_multisig *ms, const proto_multisig_op *op)
{
    g_assert(op->type < PROTO_MULTISIG_OP_TYPE_END && op_rules[op->type].apply != NULL);
    op_rules[op->type].apply(s, ctx, st, ms, op);
}

uint64_t proto_multisig__op_gas(const proto_gas_schedule *gas, const proto_multisig_op *op)
{
    if (op->type >= PROTO_MULTISIG_OP_TYPE_END || op_rules[op->type].check == NULL)
        return 0; /* refused as bad_message */
    uint64_t read = proto_gas_read_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    uint64_t write = proto_gas_write_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    switch (op_rules[op->type].gas) {
    case OP_GAS_ACCOUNT_READ:
        return read;
    case OP_GAS_ACCOUNT_RW:
        return proto_gas_add_sat(read, write);
    case OP_GAS_JOB:
        return proto_jobs_settle_gas(gas);
    case OP_GAS_NONE:
        break;
    }
    return 0;
}
