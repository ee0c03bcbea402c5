/* The jobs module's messages (jobs.h): each a read-only check that
 * judges everything (a block from a peer reaches the handler with
 * nothing checked, so the decoder's value rules are checked again), and
 * a deliver that charges gas, checks, and then applies what can no
 * longer fail. */
#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs_internal.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"

#define NS_PER_MS 1000000LL

/* ---- gas ---- */

/* What each message's handler reads and writes, record by record (the
 * checks and applies below; jobs_settle.c for the outcomes):
 *
 *   POST     the consumer's agent record (status, next job sequence,
 *            which it writes) and the provider's (status, capabilities;
 *            jobs_open written); the new job, written only (the
 *            sequence rule already proves its id unused); the escrow
 *   ACCEPT   the job, read and written; the provider's record, read
 *   RESULT   the job, read and written
 *   CONFIRM  the job, read and deleted; the provider's record (jobs_open,
 *            jobs_done); the feedback record (consumer, provider); the
 *            provider's account (the payment); the escrow; where the fee
 *            goes (the fee collector's total, or the burned total)
 *   DECLINE  the job, read and deleted; the provider's record; the
 *            consumer's account (the refund); the escrow
 *   CANCEL   as DECLINE, but the refunded consumer is the sender
 *
 * The sender's own account is never charged here: the ante handler read
 * and wrote it for this transaction (tx_exec.h), and what the messages
 * change in it reaches the store in that one write (EIP-2929 treats a
 * transaction's origin as warm for the same reason).
 *
 *   REJECT   without the disputes module, as a settlement: the job, read
 *            and deleted; the provider's record (jobs_open,
 *            jobs_failed); the feedback record; the escrow. With it: the
 *            job, read and written (DISPUTED); the new dispute record,
 *            written; the disputes module's total (the bond). The charge
 *            is the larger of the two, so a client needs no state to
 *            set its gas limit. */

typedef struct jobs_gas_prices {
    uint64_t job_read, job_write, job_delete, job_rw;
    uint64_t agent_read, agent_rw, feedback_rw, account_rw, total_rw;
} jobs_gas_prices;

static jobs_gas_prices prices_of(const proto_gas_schedule *gas)
{
    jobs_gas_prices p = {
        .job_read = proto_gas_read_cost(gas, PROTO_JOBS_KEY_SIZE, PROTO_JOBS_VALUE_SIZE),
        .job_write = proto_gas_write_cost(gas, PROTO_JOBS_KEY_SIZE, PROTO_JOBS_VALUE_SIZE),
        .job_delete = gas->delete_cost,
        .job_rw = proto_gas_read_write_cost(gas, PROTO_JOBS_KEY_SIZE, PROTO_JOBS_VALUE_SIZE),
        .agent_read = proto_gas_read_cost(gas, PROTO_REGISTRY_KEY_SIZE, PROTO_REGISTRY_VALUE_SIZE),
        .agent_rw =
            proto_gas_read_write_cost(gas, PROTO_REGISTRY_KEY_SIZE, PROTO_REGISTRY_VALUE_SIZE),
        .feedback_rw = proto_gas_read_write_cost(gas, PROTO_REGISTRY_FEEDBACK_KEY_SIZE,
                                                 PROTO_REGISTRY_FEEDBACK_VALUE_SIZE),
        .account_rw =
            proto_gas_read_write_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE),
        .total_rw = proto_gas_read_write_cost(gas, PROTO_MODULE_TOTAL_KEY_SIZE,
                                              PROTO_MODULE_TOTAL_VALUE_SIZE)};
    return p;
}

static uint64_t sum(const uint64_t *charges, size_t count)
{
    uint64_t total = 0;
    for (size_t i = 0; i < count; i++)
        total = proto_gas_add_sat(total, charges[i]);
    return total;
}

/* The sum of the charges listed (saturating). */
#define SUM(...)                                                                               \
    sum((const uint64_t[]){__VA_ARGS__},                                                       \
        sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))

uint64_t proto_jobs_msg_gas(const proto_gas_schedule *gas, uint8_t type)
{
    jobs_gas_prices p = prices_of(gas);
    uint64_t job_settled = proto_gas_add_sat(p.job_read, p.job_delete);
    switch (type) {
    case PROTO_TXMSG_JOB_POST: /* a guarded post also writes its multisig: charged to all */
        return SUM(p.agent_rw, p.agent_rw, p.job_write, p.total_rw);
    case PROTO_TXMSG_JOB_ACCEPT:
        return SUM(p.job_rw, p.agent_read);
    case PROTO_TXMSG_JOB_RESULT:
        return p.job_rw;
    case PROTO_TXMSG_JOB_CONFIRM:
        return SUM(job_settled, p.agent_rw, p.feedback_rw, p.account_rw, p.total_rw,
                   p.total_rw);
    case PROTO_TXMSG_JOB_DECLINE:
        return SUM(job_settled, p.agent_rw, p.account_rw, p.total_rw);
    case PROTO_TXMSG_JOB_CANCEL:
        return SUM(job_settled, p.agent_rw, p.total_rw);
    default: { /* JOB_REJECT */
        uint64_t refund = SUM(job_settled, p.agent_rw, p.feedback_rw, p.total_rw);
        uint64_t dispute =
            SUM(p.job_rw,
                proto_gas_write_cost(gas, PROTO_DISPUTES_KEY_SIZE, PROTO_DISPUTES_VALUE_SIZE),
                p.total_rw);
        return MAX(refund, dispute);
    }
    }
}

/* ---- shared checks ---- */

static const jobs_state *state_of(const proto_state *s)
{
    const jobs_state *st = proto_jobs__get(s);
    g_assert(st != NULL); /* the router only routes to a module with state */
    return st;
}

/* The live job a message names; NULL if none. */
static const proto_job *job_of(const jobs_state *st, uint64_t id)
{
    gint k = proto_jobs__find(st, id);
    return k < 0 ? NULL : &g_array_index(st->jobs, proto_job, k);
}

/* A job message's common rule: the id is well formed, the job lives, the
 * sender plays `role` in it (provider or consumer), it is in `status`.
 * *out set on OK. */
static uint32_t check_job(const proto_state *s, const proto_msg_ctx *ctx, uint64_t id,
                          bool by_provider, proto_job_status status, const proto_job **out)
{
    const jobs_state *st = state_of(s);
    if (PROTO_JOB_SEQ(id) == 0)
        return PROTO_JOBS_BAD_MESSAGE;
    const proto_job *j = job_of(st, id);
    if (j == NULL)
        return PROTO_JOBS_UNKNOWN_JOB;
    if (by_provider && ctx->sender != j->provider)
        return PROTO_JOBS_NOT_PROVIDER;
    if (!by_provider && ctx->sender != j->consumer)
        return PROTO_JOBS_NOT_CONSUMER;
    if (j->status != status)
        return PROTO_JOBS_WRONG_STATUS;
    *out = j;
    return PROTO_JOBS_OK;
}

/* The job at id in a mutable state (asserted live). */
static proto_job *job_mut(jobs_state *st, uint64_t id)
{
    gint k = proto_jobs__find(st, id);
    g_assert(k >= 0);
    return &g_array_index(st->jobs, proto_job, k);
}

/* Move a live job to status and report it. */
static void move(const proto_msg_ctx *ctx, proto_job *j, proto_job_status status)
{
    proto_job_status prev = j->status;
    j->status = status;
    proto_jobs__report(ctx->events, j, prev, status, 0);
}

/* Settle the live job id with outcome (jobs_settle.c). */
static void settle(proto_state *s, const proto_msg_ctx *ctx, uint64_t id,
                   proto_job_status outcome, uint8_t score)
{
    jobs_state *st = proto_jobs__mut(s, ctx->undo);
    gint k = proto_jobs__find(st, id);
    g_assert(k >= 0);
    proto_jobs__settle(s, ctx, st, (guint)k, outcome, score);
}

/* ---- JOB_POST ---- */

/* The sender's side: an account with an ACTIVE record posting under its
 * own id with a sequence it has not used. */
static uint32_t check_consumer(const proto_state *s, const proto_msg_ctx *ctx,
                               const proto_txmsg *m)
{
    if (ctx->sender == PROTO_ACCOUNT_NONE || ctx->sender >= proto_state_account_count(s))
        return PROTO_JOBS_NO_ACCOUNT;
    const proto_agent_record *c = proto_registry_agent(s, ctx->sender);
    if (c == NULL)
        return PROTO_JOBS_NOT_REGISTERED;
    if (c->status != PROTO_AGENT_ACTIVE)
        return PROTO_JOBS_NOT_ACTIVE;
    if (PROTO_JOB_CONSUMER(m->job_post.job) != ctx->sender)
        return PROTO_JOBS_NOT_YOURS;
    if (PROTO_JOB_SEQ(m->job_post.job) < c->next_job_seq)
        return PROTO_JOBS_STALE_SEQ;
    return PROTO_JOBS_OK;
}

static uint32_t check_post(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const jobs_state *st = state_of(s);
    const proto_registry_params *rp = proto_registry_params_of(s);
    g_assert(rp != NULL); /* the jobs genesis asserts the registry */
    if (PROTO_JOB_SEQ(m->job_post.job) == 0 ||
        m->job_post.capability >= PROTO_TXMSG_CAPABILITIES_MAX || m->job_post.payment == 0 ||
        m->job_post.deadline_ms == 0)
        return PROTO_JOBS_BAD_MESSAGE;
    uint32_t r = check_consumer(s, ctx, m);
    if (r != PROTO_JOBS_OK)
        return r;
    if (m->job_post.capability >= rp->capabilities_count)
        return PROTO_JOBS_UNKNOWN_CAPABILITY;
    if (m->job_post.provider == ctx->sender)
        return PROTO_JOBS_SELF_DEAL;
    const proto_agent_record *p = proto_registry_agent(s, m->job_post.provider);
    if (p == NULL || p->status != PROTO_AGENT_ACTIVE ||
        (p->capabilities & (1u << m->job_post.capability)) == 0)
        return PROTO_JOBS_PROVIDER_UNAVAILABLE;
    if (m->job_post.deadline_ms > st->params.max_deadline_ms)
        return PROTO_JOBS_DEADLINE_TOO_LONG;
    uint64_t fee = proto_jobs_fee(&st->params, m->job_post.payment);
    if (m->job_post.payment > UINT64_MAX - fee ||
        proto_state_account(s, ctx->sender)->balance < m->job_post.payment + fee)
        return PROTO_JOBS_NO_FUNDS;
    if (proto_jobs__guarded(&st->params, m->job_post.payment) &&
        (!proto_multisig_can_create(s) ||
         proto_jobs__guard_arbiter(s, ctx, m->job_post.job, ctx->sender,
                                   m->job_post.provider) == PROTO_ACCOUNT_NONE))
        return PROTO_JOBS_NO_GUARD;
    return PROTO_JOBS_OK;
}

static void apply_post(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    jobs_state *st = proto_jobs__mut(s, ctx->undo);
    proto_job j = {.id = m->job_post.job,
                   .consumer = ctx->sender,
                   .provider = m->job_post.provider,
                   .capability = m->job_post.capability,
                   .deadline_ms = m->job_post.deadline_ms,
                   .payment = m->job_post.payment,
                   .fee = proto_jobs_fee(&st->params, m->job_post.payment),
                   .input_hash = m->job_post.input_hash,
                   .status = PROTO_JOB_POSTED,
                   .posted_ns = ctx->time_ns,
                   .terms = st->terms};
    g_assert(proto_registry_take_job_seq(s, ctx->undo, ctx->sender, PROTO_JOB_SEQ(j.id)));
    guint k = proto_jobs__lower(st, j.id);
    g_assert(k >= st->jobs->len || g_array_index(st->jobs, proto_job, k).id != j.id);
    g_array_insert_val(st->jobs, k, j);
    st->escrow += j.payment + j.fee;
    proto_state_account_mut(s, ctx->sender, ctx->undo)->balance -= j.payment + j.fee;
    proto_registry_jobs_open_add(s, ctx->undo, j.provider, 1);
    if (proto_jobs__guarded(&st->params, j.payment))
        g_array_index(st->jobs, proto_job, k).guard = proto_jobs__make_guard(s, ctx, &j);
    proto_jobs__report(ctx->events, &j, PROTO_JOB_NONE, PROTO_JOB_POSTED, 0);
}

/* ---- JOB_ACCEPT, JOB_DECLINE, JOB_CANCEL ---- */

static uint32_t check_accept(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_job *j = NULL;
    uint32_t r = check_job(s, ctx, m->job.job, true, PROTO_JOB_POSTED, &j);
    if (r != PROTO_JOBS_OK)
        return r;
    if (ctx->time_ns >= j->posted_ns + state_of(s)->params.accept_timeout_ns)
        return PROTO_JOBS_ACCEPT_EXPIRED;
    const proto_agent_record *p = proto_registry_agent(s, j->provider);
    if (p == NULL || p->status != PROTO_AGENT_ACTIVE)
        return PROTO_JOBS_NOT_ACTIVE;
    return PROTO_JOBS_OK;
}

static void apply_accept(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_job *j = job_mut(proto_jobs__mut(s, ctx->undo), m->job.job);
    j->accepted_ns = ctx->time_ns;
    j->due_ns = ctx->time_ns + (int64_t)j->deadline_ms * NS_PER_MS;
    move(ctx, j, PROTO_JOB_ACCEPTED);
}

static uint32_t check_decline(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_job *j = NULL;
    return check_job(s, ctx, ((const proto_txmsg *)msg)->job.job, true, PROTO_JOB_POSTED, &j);
}

static void apply_decline(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    settle(s, ctx, m->job.job, PROTO_JOB_DECLINED, 0);
}

static uint32_t check_cancel(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_job *j = NULL;
    return check_job(s, ctx, ((const proto_txmsg *)msg)->job.job, false, PROTO_JOB_POSTED, &j);
}

static void apply_cancel(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    settle(s, ctx, m->job.job, PROTO_JOB_CANCELLED, 0);
}

/* ---- JOB_RESULT ---- */

static uint32_t check_result(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_job *j = NULL;
    uint32_t r = check_job(s, ctx, m->job_result.job, true, PROTO_JOB_ACCEPTED, &j);
    if (r != PROTO_JOBS_OK)
        return r;
    if (ctx->time_ns >= j->due_ns)
        return PROTO_JOBS_PAST_DEADLINE;
    return PROTO_JOBS_OK;
}

static void apply_result(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    jobs_state *st = proto_jobs__mut(s, ctx->undo);
    proto_job *j = job_mut(st, m->job_result.job);
    j->result_hash = m->job_result.result_hash;
    j->delivered_ns = ctx->time_ns;
    j->release_ns = ctx->time_ns + st->params.challenge_window_ns;
    move(ctx, j, PROTO_JOB_DELIVERED);
}

/* ---- JOB_CONFIRM, JOB_REJECT ---- */

static uint32_t check_confirm(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_job *j = NULL;
    if (m->job_confirm.score > PROTO_TXMSG_SCORE_MAX)
        return PROTO_JOBS_BAD_MESSAGE;
    uint32_t r = check_job(s, ctx, m->job_confirm.job, false, PROTO_JOB_DELIVERED, &j);
    if (r == PROTO_JOBS_OK && j->guard != 0)
        return PROTO_JOBS_GUARDED;
    return r;
}

static void apply_confirm(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    settle(s, ctx, m->job_confirm.job, PROTO_JOB_RELEASED, m->job_confirm.score);
}

static uint32_t check_reject(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_job *j = NULL;
    uint32_t r = check_job(s, ctx, m->job.job, false, PROTO_JOB_DELIVERED, &j);
    if (r != PROTO_JOBS_OK)
        return r;
    if (j->guard != 0)
        return PROTO_JOBS_GUARDED;
    if (ctx->time_ns >= j->release_ns)
        return PROTO_JOBS_WINDOW_CLOSED;
    if (proto_disputes_active(s) && !proto_disputes_can_open(s, ctx->sender))
        return PROTO_JOBS_NO_FUNDS; /* the dispute bond */
    return PROTO_JOBS_OK;
}

/* Without the disputes module a rejection refunds; with it, it opens a
 * dispute that module settles. */
static void apply_reject(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    if (!proto_disputes_active(s)) {
        settle(s, ctx, m->job.job, PROTO_JOB_REJECTED, 0);
        return;
    }
    proto_job *j = job_mut(proto_jobs__mut(s, ctx->undo), m->job.job);
    move(ctx, j, PROTO_JOB_DISPUTED);
    proto_disputes_open(s, ctx, j->id, j->consumer, j->provider);
}

/* ---- routes ---- */

typedef void (*apply_fn)(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m);

static const struct {
    proto_msg_check_fn check;
    apply_fn apply;
} handlers[] = {
    [PROTO_TXMSG_JOB_POST] = {check_post, apply_post},
    [PROTO_TXMSG_JOB_ACCEPT] = {check_accept, apply_accept},
    [PROTO_TXMSG_JOB_DECLINE] = {check_decline, apply_decline},
    [PROTO_TXMSG_JOB_RESULT] = {check_result, apply_result},
    [PROTO_TXMSG_JOB_CONFIRM] = {check_confirm, apply_confirm},
    [PROTO_TXMSG_JOB_REJECT] = {check_reject, apply_reject},
    [PROTO_TXMSG_JOB_CANCEL] = {check_cancel, apply_cancel},
};

uint64_t proto_jobs_treasury_gas(const proto_gas_schedule *gas)
{
    return proto_gas_read_write_cost(gas, PROTO_MULTISIG_KEY_SIZE, PROTO_MULTISIG_VALUE_SIZE);
}

uint64_t proto_jobs_msg_gas_on(const proto_gas_schedule *gas, const proto_jobs_params *p,
                               uint8_t type)
{
    uint64_t charge = proto_jobs_msg_gas(gas, type);
    if (type == PROTO_TXMSG_JOB_CONFIRM && p->treasury != 0)
        charge = proto_gas_add_sat(charge, proto_jobs_treasury_gas(gas));
    return charge;
}

/* Gas first (running out changes nothing), then the check, then the
 * change. */
static uint32_t jobs_deliver(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    g_assert(m->type < G_N_ELEMENTS(handlers) && handlers[m->type].check != NULL);
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_jobs_msg_gas_on(ctx->gas_prices,
                                                          &proto_jobs__get(s)->params, m->type)) !=
            PROTO_GAS_OK)
        return PROTO_JOBS_OUT_OF_GAS;
    uint32_t r = handlers[m->type].check(s, ctx, m);
    if (r != PROTO_JOBS_OK)
        return r;
    handlers[m->type].apply(s, ctx, m);
    return PROTO_JOBS_OK;
}

const proto_msg_route proto_jobs__routes[PROTO_JOBS__ROUTES_COUNT] = {
    {PROTO_TXMSG_JOB_POST, "job_post", check_post, jobs_deliver},
    {PROTO_TXMSG_JOB_ACCEPT, "job_accept", check_accept, jobs_deliver},
    {PROTO_TXMSG_JOB_DECLINE, "job_decline", check_decline, jobs_deliver},
    {PROTO_TXMSG_JOB_RESULT, "job_result", check_result, jobs_deliver},
    {PROTO_TXMSG_JOB_CONFIRM, "job_confirm", check_confirm, jobs_deliver},
    {PROTO_TXMSG_JOB_REJECT, "job_reject", check_reject, jobs_deliver},
    {PROTO_TXMSG_JOB_CANCEL, "job_cancel", check_cancel, jobs_deliver},
};
