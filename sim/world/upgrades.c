/* The `upgrade` fault (sim/scenario/scenario_upgrade.c): a module
 * upgrade as a chain's operators live it.
 *
 *   - Code. Every node runs code that knows the new version from the
 *     start, except the fault's `nodes`, whose operators install it
 *     `lag` after `at`: until then their environment's code_versions
 *     (protocol/core/env.h) holds the module one version below.
 *   - The plan. At `at`, a governance client asks the most advanced live
 *     node for the chain's height and the authority's nonce and plans
 *     the version for height + `blocks`: two governors approve the
 *     operation (MULTISIG_APPROVE, signed by their accounts,
 *     sim/world/chain_governance.c), and once a node's state shows the
 *     threshold met, one executes it (MULTISIG_EXEC). Every transaction
 *     goes through the workload's clients (priced, retried), handed to
 *     the node the client asked (one that keeps up). The client
 *     looks again every GOVERN_POLL_NS until the plan is in the state,
 *     or gives up when the height has passed (the record then says never
 *     planned).
 *   - The halt. A node whose code lacks the version stops at the
 *     activation height and reports it (PROTO_EV_UPGRADE, halted); the
 *     simulator takes it down at once, as a process that exits.
 *   - The install. At `at` + `lag` each laggard gets the new code: a node
 *     that is up is restarted on it (an operator swapping the binary), a
 *     halted one started again; it recovers from its store and catches
 *     up. A node down for another fault keeps its schedule and starts on
 *     the new code.
 *
 * The record (sim/figures/metrics.h, sim_upgrade_record) follows the
 * plan's and the activation's first commits, the chain's pause at the
 * activation block, and each halted node from its halt to its first
 * final block at or above the activation height. It draws nothing
 * random. */
#include "sim/world/world_internal.h"

#include "protocol/chain/tx_exec.h"
#include "protocol/modules/modules.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/upgrade/upgrade.h"
#include "protocol/pbft/pbft.h"

#define GOVERN_POLL_NS 1000000000LL
#define GOVERN_GAS_MARGIN_DIV 10u

typedef enum govern_stage {
    GOVERN_WAITING = 0, /* before `at` */
    GOVERN_APPROVING,   /* approvals sent, threshold not seen */
    GOVERN_EXECUTING,   /* exec sent, plan not seen */
    GOVERN_DONE,        /* planned, or given up */
} govern_stage;

typedef struct node_code {
    uint32_t versions[PROTO_MODULES_MAX]; /* the module versions its code runs */
} node_code;

typedef struct upgrade_run {
    const sim_fault *f;
    uint32_t record;           /* its row in metrics->upgrades */
    govern_stage stage;
    proto_multisig_op op;
    uint64_t nonce;            /* the authority's nonce the operation runs at */
    proto_hash op_hash;
    bool *halted_once;         /* [nodes_count]: halted at this upgrade at some point */
} upgrade_run;

struct sim_upgrades {
    GPtrArray *runs;           /* upgrade_run*, in fault order */
    node_code *code;           /* [nodes_count]: each node's code */
    int64_t *halted_since_ns;  /* [nodes_count]: its halt, -1: running */
    uint32_t *halted_run;      /* [nodes_count]: the run it halted at */
    bool *halt_down;           /* [nodes_count]: down because it halted */
    int64_t last_height_ns;    /* when the chain's highest final height last grew */
};

static uint32_t build_version(uint32_t module)
{
    const proto_module *m = proto_module_set_find(proto_modules_default(), module);
    return m != NULL ? MAX(m->version, 1u) : 1u;
}

static sim_upgrade_record *record_of(sim_world *w, const upgrade_run *r)
{
    return &g_array_index(w->metrics->upgrades, sim_upgrade_record, r->record);
}

/* Point node i's environment at its code: NULL when it is the build's. */
static void refresh_code(sim_world *w, uint32_t i)
{
    const uint32_t *code = w->upgrades->code[i].versions;
    bool own = true;
    for (uint32_t m = 0; m < PROTO_MODULES_MAX && own; m++)
        own = code[m] == build_version(m);
    w->nodes[i].env.code_versions = own ? NULL : code;
}

/* ---- governance ---- */

/* The committed state of the node the governors ask (one that keeps up
 * with the chain: sim_world_committed_state), that node and its height;
 * NULL when none is up. */
static const proto_state *freshest_state(sim_world *w, uint64_t *height, uint32_t *node)
{
    const proto_state *s = sim_world_committed_state(w, node);
    if (s != NULL)
        *height = w->nodes[*node].final_height;
    return s;
}

static void governor_send(sim_world *w, uint32_t governor, const proto_txmsg *msg, uint32_t node)
{
    proto_txenv tx = {.message_count = 1};
    tx.messages[0] = *msg;
    const proto_gas_schedule *gas = &w->chain.rules.gas;
    uint64_t exact =
        proto_tx_ante_gas(gas, proto_txenv_wire_size(&tx)) + proto_multisig_msg_gas(gas, msg);
    sim_workload_send_via(w, w->workload.first_governor_client + governor, msg,
                          exact + exact / GOVERN_GAS_MARGIN_DIV, node);
}

static bool planned(const proto_state *s, const upgrade_run *r)
{
    if (proto_upgrade_version(s, r->f->upgrade_module) >= r->f->upgrade_version)
        return true;
    for (uint32_t k = 0; k < proto_upgrade_plans_count(s); k++) {
        const proto_upgrade_plan *p = proto_upgrade_plan_at(s, k);
        if (p->module == r->f->upgrade_module && p->version == r->f->upgrade_version)
            return true;
    }
    return false;
}

static void govern_poll(void *ctx, uint64_t run, uint64_t unused);

static void govern_again(sim_world *w, uint32_t run)
{
    int64_t next = sim_sched_now(w->sched) + GOVERN_POLL_NS;
    if (next <= w->opt.duration_ns)
        sim_sched_at(w->sched, next, govern_poll, w, run, 0);
}

/* At `at`: choose the height, approve. */
static void govern_start(sim_world *w, uint32_t run)
{
    upgrade_run *r = w->upgrades->runs->pdata[run];
    uint64_t height = 0;
    uint32_t node = 0;
    const proto_state *s = freshest_state(w, &height, &node);
    const proto_multisig *ms = s != NULL ? proto_multisig_get(s, w->chain.upgrade_authority) : NULL;
    if (ms == NULL) { /* every node down: ask again */
        govern_again(w, run);
        return;
    }
    r->nonce = ms->nonce;
    r->op = (proto_multisig_op){.type = PROTO_MULTISIG_OP_UPGRADE};
    r->op.upgrade.module = (uint8_t)r->f->upgrade_module;
    r->op.upgrade.version = (uint16_t)r->f->upgrade_version;
    r->op.upgrade.height = height + r->f->upgrade_blocks;
    record_of(w, r)->planned_height = r->op.upgrade.height;
    proto_multisig_op_hash(w->chain.rules.chain_id, w->chain.upgrade_authority, r->nonce, &r->op,
                           &r->op_hash);
    for (uint32_t g = 0; g < SIM_CHAIN_GOVERNORS_THRESHOLD; g++) {
        proto_txmsg m = {.type = PROTO_TXMSG_MULTISIG_APPROVE};
        m.multisig_approve.multisig = w->chain.upgrade_authority;
        m.multisig_approve.nonce = r->nonce;
        m.multisig_approve.op_hash = r->op_hash;
        governor_send(w, g, &m, node);
    }
    r->stage = GOVERN_APPROVING;
    govern_again(w, run);
}

static void govern_poll(void *ctx, uint64_t run, uint64_t unused)
{
    (void)unused;
    sim_world *w = ctx;
    upgrade_run *r = w->upgrades->runs->pdata[run];
    if (r->stage == GOVERN_WAITING) {
        govern_start(w, (uint32_t)run);
        return;
    }
    uint64_t height = 0;
    uint32_t node = 0;
    const proto_state *s = freshest_state(w, &height, &node);
    if (s == NULL) {
        govern_again(w, (uint32_t)run);
        return;
    }
    const proto_multisig *ms = proto_multisig_get(s, w->chain.upgrade_authority);
    g_assert(ms != NULL);
    if (planned(s, r) || ms->nonce != r->nonce || height >= r->op.upgrade.height) {
        r->stage = GOVERN_DONE; /* planned; or the moment passed: never planned */
        return;
    }
    if (r->stage == GOVERN_APPROVING &&
        proto_multisig_approvals(s, ms->id, &r->op_hash) >= ms->threshold) {
        proto_txmsg m = {.type = PROTO_TXMSG_MULTISIG_EXEC};
        m.multisig_exec.multisig = ms->id;
        m.multisig_exec.nonce = r->nonce;
        m.multisig_exec.op = r->op;
        governor_send(w, 0, &m, node);
        r->stage = GOVERN_EXECUTING;
    }
    govern_again(w, (uint32_t)run);
}

/* ---- halts and installs ---- */

static void halt_stop(void *ctx, uint64_t node, uint64_t incarnation)
{
    sim_world *w = ctx;
    sim_node_slot *slot = &w->nodes[node];
    if (!slot->up || slot->incarnation != (uint32_t)incarnation)
        return;
    sim_world_crash_node(w, (uint32_t)node);
    w->upgrades->halt_down[node] = true;
}

static void install(void *ctx, uint64_t run, uint64_t node)
{
    sim_world *w = ctx;
    sim_upgrades *u = w->upgrades;
    const upgrade_run *r = u->runs->pdata[run];
    uint32_t module = r->f->upgrade_module;
    u->code[node].versions[module] = MAX(u->code[node].versions[module], build_version(module));
    refresh_code(w, (uint32_t)node);
    sim_node_slot *slot = &w->nodes[node];
    if (slot->up) {
        sim_world_crash_node(w, (uint32_t)node); /* the operator restarts it on the new code */
        sim_world_restart_node(w, (uint32_t)node);
    } else if (u->halt_down[node] && slot->crash_holds == 0 && !slot->churned_out) {
        sim_world_restart_node(w, (uint32_t)node);
    }
    u->halt_down[node] = false;
}

static void on_halt(sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_upgrades *u = w->upgrades;
    int64_t now = sim_sched_now(w->sched);
    sim_sched_at(w->sched, now, halt_stop, w, node, w->nodes[node].incarnation);
    if (u->halted_since_ns[node] >= 0)
        return; /* halted again after a restart on the old code: one halt */
    for (guint k = 0; k < u->runs->len; k++) {
        upgrade_run *r = u->runs->pdata[k];
        if (r->f->upgrade_module != ev->validator || r->f->upgrade_version != ev->status)
            continue;
        u->halted_since_ns[node] = now;
        u->halted_run[node] = k;
        if (!r->halted_once[node]) {
            r->halted_once[node] = true;
            record_of(w, r)->halted_nodes++;
        }
        return;
    }
}

/* ---- the world's hooks ---- */

void sim_upgrades_init(sim_world *w)
{
    uint32_t runs = 0;
    for (guint i = 0; i < w->opt.faults->len; i++)
        runs += ((const sim_fault *)w->opt.faults->pdata[i])->action == SIM_FAULT_UPGRADE;
    if (runs == 0)
        return;
    g_assert(w->chain.upgrade_authority != 0 && w->opt.protocol == SIM_CONSENSUS_PBFT);
    sim_upgrades *u = g_new0(sim_upgrades, 1);
    w->upgrades = u;
    u->runs = g_ptr_array_new();
    u->code = g_new(node_code, w->nodes_count);
    u->halted_since_ns = g_new(int64_t, w->nodes_count);
    u->halted_run = g_new0(uint32_t, w->nodes_count);
    u->halt_down = g_new0(bool, w->nodes_count);
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        u->halted_since_ns[i] = -1;
        for (uint32_t m = 0; m < PROTO_MODULES_MAX; m++)
            u->code[i].versions[m] = build_version(m);
    }
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action != SIM_FAULT_UPGRADE)
            continue;
        upgrade_run *r = g_new0(upgrade_run, 1);
        r->f = f;
        r->record = w->metrics->upgrades->len;
        r->halted_once = g_new0(bool, w->nodes_count);
        g_assert(f->upgrade_version == build_version(f->upgrade_module));
        sim_upgrade_record rec = {
            .module = proto_module_set_find(proto_modules_default(), f->upgrade_module)->name,
            .version = f->upgrade_version,
            .lagging = f->nodes->len,
            .planned_ns = -1,
            .activated_ns = -1,
            .stall_ns = -1,
            .resumed_ns = -1};
        g_array_append_val(w->metrics->upgrades, rec);
        uint32_t run = u->runs->len;
        g_ptr_array_add(u->runs, r);
        for (guint k = 0; k < f->nodes->len; k++) {
            uint32_t node = g_array_index(f->nodes, uint32_t, k);
            u->code[node].versions[f->upgrade_module] = f->upgrade_version - 1;
            refresh_code(w, node);
            sim_sched_at(w->sched, f->at_ns + f->upgrade_lag_ns, install, w, run, node);
        }
        sim_sched_at(w->sched, f->at_ns, govern_poll, w, run, 0);
    }
}

void sim_upgrades_on_event(sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_upgrades *u = w->upgrades;
    if (u == NULL)
        return;
    if (ev->depth == PROTO_UPGRADE_EV_HALTED) {
        on_halt(w, node, ev);
        return;
    }
    for (guint k = 0; k < u->runs->len; k++) {
        upgrade_run *r = u->runs->pdata[k];
        sim_upgrade_record *rec = record_of(w, r);
        if (r->f->upgrade_module != ev->validator || r->f->upgrade_version != ev->status)
            continue;
        if (ev->depth == PROTO_UPGRADE_EV_PLANNED && rec->planned_ns < 0)
            rec->planned_ns = sim_sched_now(w->sched);
        if (ev->depth == PROTO_UPGRADE_EV_ACTIVATED && rec->activated_height == 0)
            rec->activated_height = ev->height;
    }
}

void sim_upgrades_on_final(sim_world *w, uint32_t node, uint64_t height, bool first)
{
    sim_upgrades *u = w->upgrades;
    if (u == NULL)
        return;
    int64_t now = sim_sched_now(w->sched);
    if (first) {
        for (guint k = 0; k < u->runs->len; k++) {
            sim_upgrade_record *rec = record_of(w, u->runs->pdata[k]);
            if (rec->activated_height == height && rec->activated_ns < 0) {
                rec->activated_ns = now;
                rec->stall_ns = now - u->last_height_ns;
            }
        }
        u->last_height_ns = now;
    }
    if (u->halted_since_ns[node] < 0)
        return;
    sim_upgrade_record *rec = record_of(w, u->runs->pdata[u->halted_run[node]]);
    if (rec->activated_height == 0 || height < rec->activated_height)
        return;
    rec->halt_max_ns = MAX(rec->halt_max_ns, now - u->halted_since_ns[node]);
    u->halted_since_ns[node] = -1;
    bool all_back = true;
    for (uint32_t i = 0; i < w->nodes_count; i++)
        all_back = all_back && !(u->halted_since_ns[i] >= 0 && u->halted_run[i] == u->halted_run[node]);
    if (all_back)
        rec->resumed_ns = now;
}

void sim_upgrades_finish(sim_world *w)
{
    sim_upgrades *u = w->upgrades;
    if (u == NULL)
        return;
    int64_t now = sim_sched_now(w->sched);
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        if (u->halted_since_ns[i] < 0)
            continue;
        sim_upgrade_record *rec = record_of(w, u->runs->pdata[u->halted_run[i]]);
        rec->halt_max_ns = MAX(rec->halt_max_ns, now - u->halted_since_ns[i]);
        rec->resumed_ns = -1; /* one never came back */
    }
    double activated = 0, halted = 0, halt_max_s = 0, stall_max_s = 0;
    for (guint k = 0; k < u->runs->len; k++) {
        const sim_upgrade_record *rec = record_of(w, u->runs->pdata[k]);
        activated += rec->activated_ns >= 0;
        halted += rec->halted_nodes;
        halt_max_s = MAX(halt_max_s, (double)rec->halt_max_ns / 1e9);
        stall_max_s = MAX(stall_max_s, rec->stall_ns >= 0 ? (double)rec->stall_ns / 1e9 : 0.0);
    }
    sim_metrics_figure(w->metrics, "upgrades_activated", activated);
    sim_metrics_figure(w->metrics, "upgrade_halted_nodes", halted);
    sim_metrics_figure(w->metrics, "upgrade_halt_max_s", halt_max_s);
    sim_metrics_figure(w->metrics, "upgrade_stall_max_s", stall_max_s);
}

void sim_upgrades_free(sim_world *w)
{
    sim_upgrades *u = w->upgrades;
    if (u == NULL)
        return;
    for (guint k = 0; k < u->runs->len; k++) {
        upgrade_run *r = u->runs->pdata[k];
        g_free(r->halted_once);
        g_free(r);
    }
    g_ptr_array_unref(u->runs);
    g_free(u->code);
    g_free(u->halted_since_ns);
    g_free(u->halted_run);
    g_free(u->halt_down);
    g_free(u);
    w->upgrades = NULL;
}
