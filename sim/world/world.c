/* The simulated world: construction, node lifecycle, the environment each
 * node sees, and the run loop (see world.h).
 *
 * Every node gets a proto_env whose context is its slot: time from the
 * scheduler, sends into the virtual network, timers as scheduler events
 * tagged with the node's incarnation (a crashed node's timers find a newer
 * incarnation and do nothing, so its pending events never fire), its own
 * RNG stream and its durable store. In mesh topology that environment is
 * the p2p node's, and the consensus node gets the p2p node's inner one
 * (sim/world/mesh_world.c); in direct topology the consensus node gets it. */
#include "sim/world/world_internal.h"

#include "protocol/core/msgtype.h"

#include <stdio.h>
#include <string.h>

#define WORLD_MEMO_MAX (4u * 1024 * 1024)
#define WORLD_CHAIN_MEMO_HEIGHTS 8u
#define WORLD_STEP_NS (100LL * 1000 * 1000) /* progress granularity in virtual time */
#define WORLD_STEP_EVENTS (1u << 16)          /* ... and in events (~10 ms of wall time) */

const char *sim_stop_name(sim_stop s)
{
    switch (s) {
    case SIM_STOP_DURATION: return "duration";
    case SIM_STOP_EVENT_LIMIT: return "event-limit";
    case SIM_STOP_INVARIANT: return "invariant";
    case SIM_STOP_INTERRUPTED: return "interrupted";
    case SIM_STOP_PENDING_LIMIT: return "pending-limit";
    }
    return "unknown";
}

/* ---- the environment a node sees ---- */

static int64_t env_now(void *ctx)
{
    sim_node_slot *slot = ctx;
    return sim_sched_now(slot->world->sched);
}

void sim_world_net_send(sim_world *w, uint32_t from, uint32_t to, GBytes *wire)
{
    g_assert(to < w->nodes_count);
    sim_net_send(w->net, from, to, wire);
    /* Direct topology has no address of its own for a twin: what is sent
     * to validator K reaches K's twins too. On the mesh each machine has
     * its address and the p2p layer routes to it (sim/world/mesh_world.c). */
    if (w->opt.topology == SIM_TOPOLOGY_MESH)
        return;
    const GArray *twins = w->nodes[to].twins;
    for (guint i = 0; twins != NULL && i < twins->len; i++) {
        uint32_t twin = g_array_index(twins, uint32_t, i);
        if (twin != from)
            sim_net_send(w->net, from, twin, wire);
    }
}

static void env_send(void *ctx, proto_node_id to, GBytes *wire)
{
    sim_node_slot *slot = ctx;
    if (slot->byz != NULL)
        sim_byz_send(slot->byz, to, wire);
    else
        sim_world_net_send(slot->world, slot->index, to, wire);
}

static void timer_fire(void *ctx, uint64_t a, uint64_t b)
{
    sim_node_slot *slot = ctx;
    if (!slot->up || (uint32_t)(a >> 32) != slot->incarnation)
        return;
    uint64_t id = sim_sched_current(slot->world->sched);
    slot->ops->on_timer(slot->node, id, (uint32_t)a, b);
}

static uint64_t env_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    sim_node_slot *slot = ctx;
    g_assert(delay_ns >= 0);
    uint64_t a = ((uint64_t)slot->incarnation << 32) | kind;
    return sim_sched_after(slot->world->sched, delay_ns, timer_fire, slot, a, arg);
}

static void env_cancel_timer(void *ctx, uint64_t timer_id)
{
    sim_node_slot *slot = ctx;
    sim_sched_cancel(slot->world->sched, timer_id);
}

static uint64_t env_random(void *ctx)
{
    sim_node_slot *slot = ctx;
    return sim_rng_u64(&slot->rng);
}

static void env_store_put(void *ctx, const char *key, GBytes *value)
{
    sim_node_slot *slot = ctx;
    sim_store_put(slot->store, key, value);
}

static GBytes *env_store_get(void *ctx, const char *key)
{
    sim_node_slot *slot = ctx;
    return sim_store_get(slot->store, key);
}


static void deliver(void *ctx, uint32_t from, uint32_t to, GBytes *wire)
{
    sim_world *w = ctx;
    sim_node_slot *slot = &w->nodes[to];
    if (!slot->up)
        return;
    sim_trace_delivery(&w->trace, sim_sched_now(w->sched), from, to, wire);
    if (g_bytes_get_size(wire) > 0 &&
        *(const uint8_t *)g_bytes_get_data(wire, NULL) == PROTO_MSG_AGENT) {
        sim_agents_deliver(w, to, wire); /* the machine's agents, not its node */
        return;
    }
    /* In mesh topology the accountability checker sees what the p2p node
     * hands the consensus node instead (sim/world/mesh_world.c). */
    if (slot->validator_index >= 0 && slot->p2p == NULL)
        sim_world_observers_delivery(w, from, to, wire);
    slot->ops->on_message(slot->node, from, wire);
}

/* ---- node lifecycle ---- */

void *sim_world_new_consensus_node(sim_world *w, sim_node_slot *slot, proto_node_id self,
                                   const proto_env *env)
{
    return sim_chain_new_node(&w->chain, self, slot->validator_index, env, &slot->consensus_ops);
}

static void start_node(sim_world *w, sim_node_slot *slot)
{
    g_assert(!slot->up && slot->node == NULL);
    slot->up = true;
    slot->churned_out = false;
    slot->leaving = false;
    w->nodes_live++;
    sim_net_set_up(w->net, slot->index, true);
    if (w->opt.topology == SIM_TOPOLOGY_MESH) {
        sim_mesh_start_node(w, slot);
        sim_agents_host_up(w, slot->index);
        return;
    }
    slot->node = sim_world_new_consensus_node(w, slot, slot->index, &slot->env);
    slot->consensus = slot->node;
    slot->ops = slot->consensus_ops;
    sim_agents_host_up(w, slot->index);
}

void sim_world_crash_node(sim_world *w, uint32_t index)
{
    sim_node_slot *slot = &w->nodes[index];
    if (!slot->up)
        return;
    sim_world_observers_node_down(w, index); /* while the node can still be read */
    sim_agents_host_down(w, index);
    slot->ops->free(slot->node); /* a p2p node frees the consensus node it carries */
    slot->node = NULL;
    slot->p2p = NULL;
    slot->consensus = NULL;
    slot->up = false;
    slot->leaving = false;
    slot->incarnation++;
    slot->crashes++;
    g_assert(w->nodes_live > 0);
    w->nodes_live--;
    w->down_epoch++;
    sim_net_set_up(w->net, index, false);
}


void sim_world_restart_node(sim_world *w, uint32_t index)
{
    sim_node_slot *slot = &w->nodes[index];
    if (slot->up)
        return;
    start_node(w, slot);
    if (index < w->opt.validators)
        sim_faults_deliver_rotations(w, index);
}

void sim_world_join_node(sim_world *w, uint32_t index)
{
    sim_node_slot *slot = &w->nodes[index];
    g_assert(!slot->up && slot->validator_index < 0);
    sim_store_clear(slot->store);
    slot->final_height = 0; /* a new node: its chain starts at genesis */
    start_node(w, slot);
}

void sim_world_leave_node(sim_world *w, uint32_t index)
{
    sim_node_slot *slot = &w->nodes[index];
    g_assert(slot->up);
    if (slot->p2p != NULL)
        p2p_node_leave(slot->p2p);
}

void sim_world_fail_invariant(sim_world *w, char *detail_owned)
{
    if (w->stop_requested) {
        g_free(detail_owned);
        return;
    }
    w->stop_requested = true;
    w->stop = SIM_STOP_INVARIANT;
    g_free(w->stop_detail);
    w->stop_detail = detail_owned;
    sim_sched_stop(w->sched);
}

const proto_state *sim_world_committed_state(sim_world *w, uint32_t *node)
{
    g_assert(w->opt.protocol == SIM_CONSENSUS_PBFT);
    const sim_node_slot *best = NULL;
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        const sim_node_slot *slot = &w->nodes[i];
        if (slot->up && !slot->leaving && slot->consensus != NULL &&
            !pbft_node_tentative(slot->consensus) &&
            (best == NULL || slot->final_height > best->final_height))
            best = slot;
    }
    if (best != NULL && node != NULL)
        *node = best->index;
    return best != NULL ? pbft_node_state(best->consensus) : NULL;
}

/* ---- construction ---- */

bool sim_world_keep_going(sim_world *w)
{
    return w->keep_going == NULL || w->keep_going(w->keep_going_ctx);
}


static bool world_poll(void *ctx)
{
    return sim_world_keep_going(ctx);
}

/* The chain every node shares (sim/world/chain.h), then the workload,
 * whose clients sign with the chain's account keys. */
static bool build_chain(sim_world *w)
{
    sim_chain_options opt = sim_chain_options_from(w->sc);
    opt.crypto_memo_max = WORLD_MEMO_MAX;
    opt.memo_heights = WORLD_CHAIN_MEMO_HEIGHTS;
    if (!sim_chain_init(&w->chain, &opt, world_poll, w))
        return false;
    sim_workload_options workload = sim_workload_options_from(w->sc);
    sim_workload_init(w, &workload);
    sim_delegators_init(w, w->sc->staking_opt.delegation_rate_per_s,
                        MAX(w->chain.delegator_stake / 2, 1));
    sim_agents_init(w, &w->sc->agents_opt, &w->sc->jobs_opt,
                    w->sc->disputes_opt.declared ? &w->sc->disputes_opt : NULL);
    return true;
}

static bool build_nodes(sim_world *w)
{
    w->nodes = g_new0(sim_node_slot, w->nodes_count);
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        sim_node_slot *slot = &w->nodes[i];
        slot->index = i; /* every slot, for sim_world_free after an interrupt */
        if (i % SIM_WORLD_POLL_EVERY == 0 && !sim_world_keep_going(w))
            return false;
        slot->world = w;
        slot->index = i;
        slot->validator_index = i < w->opt.validators ? (int32_t)i : -1;
        slot->honest = true;
        if (i >= w->opt.first_twin) {
            /* Twin vK': validator K's identity and keys on a second node. */
            uint32_t k = g_array_index(w->opt.twins, uint32_t, i - w->opt.first_twin);
            slot->validator_index = (int32_t)k;
            slot->honest = false;
            w->nodes[k].honest = false;
            if (w->nodes[k].twins == NULL)
                w->nodes[k].twins = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            g_array_append_val(w->nodes[k].twins, i);
        }
        slot->store = sim_store_new();
        char *name = sim_world_node_name(w, i);
        char *stream = g_strdup_printf("node/%s", name);
        sim_rng_init(&slot->rng, w->opt.seed, stream);
        g_free(stream);
        g_free(name);
        slot->env = (proto_env){
            .ctx = slot,
            .now_ns = env_now,
            .send = env_send,
            .set_timer = env_set_timer,
            .cancel_timer = env_cancel_timer,
            .random_u64 = env_random,
            .observe = sim_observe,
            .store_put = env_store_put,
            .store_get = env_store_get,
        };
    }
    /* Byzantine behaviours wrap the sends of the nodes they name. */
    for (guint f = 0; f < w->opt.faults->len; f++) {
        const sim_fault *fault = w->opt.faults->pdata[f];
        if (fault->action != SIM_FAULT_BYZANTINE)
            continue;
        for (guint i = 0; i < fault->nodes->len; i++) {
            sim_node_slot *slot = &w->nodes[g_array_index(fault->nodes, uint32_t, i)];
            slot->honest = false;
            if (g_str_equal(fault->behavior, "twin"))
                continue;
            if (sim_market_fault_is(fault)) {
                sim_market_fault_add(w, slot, fault);
                continue;
            }
            if (slot->byz == NULL)
                slot->byz = sim_byz_new_in_world(w, slot->index);
            sim_byz_add(slot->byz, fault);
        }
    }
    return true;
}

G_DEFINE_QUARK(sim-world-error-quark, sim_world_error)

static sim_world *world_interrupted(sim_world *w, GError **error)
{
    g_set_error(error, SIM_WORLD_ERROR, SIM_WORLD_ERROR_INTERRUPTED,
                "interrupted while setting up the world");
    sim_world_free(w);
    return NULL;
}

sim_world *sim_world_new_polled(const sim_scenario *sc, sim_poll_fn keep_going, void *ctx,
                                GError **error)
{
    if (!sim_world_check(sc, error))
        return NULL;
    proto_crypto_global_init();
    sim_world *w = g_new0(sim_world, 1);
    w->sc = sc;
    w->opt = sim_world_options_from(sc);
    w->mesh = sim_mesh_options_from(sc);
    w->keep_going = keep_going;
    w->keep_going_ctx = ctx;
    w->nodes_count = sim_scenario_node_count(sc); /* validators, full nodes, twins */
    w->sched = sim_sched_new((size_t)sc->pending_events_max);
    w->base_link = (sim_net_link_params){.latency = sc->latency,
                                         .loss = sc->loss,
                                         .duplicate = sc->duplicate,
                                         .bandwidth_bps = sc->bandwidth_bps};
    w->net = sim_net_new(w->sched, w->nodes_count, &w->base_link, sc->seed, deliver, w);
    w->metrics = sim_metrics_new();
    sim_trace_init(&w->trace);
    sim_observer_init(w);
    sim_world_observers_init(w);
    w->churns = g_ptr_array_new_with_free_func((GDestroyNotify)sim_churn_free);
    w->spammers = g_ptr_array_new_with_free_func(g_free);
    w->alarms = sim_alarms_new(w);
    w->churn_records = g_array_new(FALSE, FALSE, sizeof(sim_churn_record));
    if (!sim_world_keep_going(w) || !build_chain(w) || !sim_world_keep_going(w))
        return world_interrupted(w, error);
    sim_mesh_init(w);
    if (!build_nodes(w))
        return world_interrupted(w, error);
    sim_upgrades_init(w); /* the laggards' code, before anyone starts */
    /* In this order: at one event, a safety violation is reported before
     * a broken supply, and that before an accountability finding. */
    sim_world_observer_add(w, &sim_safety_observer_ops, sim_safety_new());
    sim_world_observer_add(w, &sim_conservation_observer_ops, sim_conservation_new(w));
    sim_acct_options acct = sim_acct_options_from(sc, w->nodes_count);
    sim_world_observer_add(w, &sim_acct_observer_ops, sim_acct_new(&acct));
    g_free((bool *)acct.equivocator);
    sim_world_observer_add(w, &sim_prop_observer_ops, sim_prop_new(w));
    sim_world_observer_add(w, &sim_mesh_stats_observer_ops, sim_mesh_stats_new(w));
    sim_world_observer_add(w, &sim_conv_observer_ops, sim_conv_new(w));
    sim_liveness_options live = sim_liveness_options_from(sc, &w->chain.pbft);
    sim_world_observer_add(w, &sim_liveness_observer_ops, sim_liveness_new(&live));
    sim_world_observer_add(w, &sim_counts_observer_ops, sim_counts_new(w));
    sim_conc_options conc = sim_conc_options_from(sc);
    sim_world_observer_add(w, &sim_conc_observer_ops, sim_conc_new(&conc));
    sim_world_observer_add(w, &sim_staking_observer_ops,
                           sim_staking_obs_new(w, w->chain.delegators_count > 0 ||
                                                      (w->sc->staking &&
                                                       w->sc->protocol == SIM_CONSENSUS_PBFT)));
    /* Twins start with their fault (sim/world/faults.c), everyone else now. */
    for (uint32_t i = 0; i < w->opt.first_twin; i++) {
        if (i % SIM_WORLD_POLL_EVERY == 0 && !sim_world_keep_going(w))
            return world_interrupted(w, error);
        start_node(w, &w->nodes[i]);
    }
    for (uint32_t i = w->opt.first_twin; i < w->nodes_count; i++)
        sim_net_set_up(w->net, i, false);
    sim_faults_schedule(w);
    w->keep_going = NULL; /* set-up only */
    return w;
}

sim_world *sim_world_new(const sim_scenario *sc, GError **error)
{
    return sim_world_new_polled(sc, NULL, NULL, error);
}

void sim_world_free(sim_world *w)
{
    if (w == NULL)
        return;
    for (uint32_t i = 0; w->nodes != NULL && i < w->nodes_count; i++) {
        sim_node_slot *slot = &w->nodes[i];
        if (slot->node != NULL)
            slot->ops->free(slot->node);
        sim_store_free(slot->store);
        sim_byz_free(slot->byz);
        if (slot->twins != NULL)
            g_array_unref(slot->twins);
    }
    g_free(w->nodes);
    g_free(w->fault_active);
    g_ptr_array_unref(w->churns);
    g_ptr_array_unref(w->spammers);
    sim_alarms_free(w->alarms);
    g_array_unref(w->churn_records);
    sim_mesh_clear(w);
    sim_upgrades_free(w);
    sim_agents_clear(w);
    sim_workload_clear(w);
    sim_net_free(w->net);
    sim_sched_free(w->sched);
    sim_chain_clear(&w->chain);
    sim_world_observers_free(w);
    sim_observer_clear(w);
    sim_trace_clear(&w->trace);
    sim_metrics_free(w->metrics);
    g_free(w->stop_detail);
    g_free(w);
}

/* ---- running ---- */

/* The run loop hands control back (progress, interrupt check) at least
 * every WORLD_STEP_NS of virtual time and every WORLD_STEP_EVENTS events,
 * so a storm of events inside one step cannot keep a SIGINT waiting.
 * Slicing a run changes nothing in it: the scheduler resumes where it
 * stopped, with the same order of events. */
static bool world_report_progress(sim_world *w, sim_progress_fn progress, void *progress_ctx)
{
    if (progress == NULL)
        return true;
    sim_progress p = {.now_ns = sim_sched_now(w->sched),
                      .duration_ns = w->opt.duration_ns,
                      .events = sim_sched_executed(w->sched),
                      .final_height = w->final_height_max};
    return progress(progress_ctx, &p);
}

static void world_stop_pending_limit(sim_world *w)
{
    w->stop = SIM_STOP_PENDING_LIMIT;
    g_free(w->stop_detail);
    w->stop_detail = g_strdup_printf(
        "stopped at %.3f s: more than %zu events pending at once (an event storm: look for "
        "timeouts or rates far out of proportion with the latency)",
        sim_sched_now(w->sched) / 1e9, sim_sched_pending_max(w->sched));
}

sim_stop sim_world_run(sim_world *w, sim_progress_fn progress, void *progress_ctx)
{
    const sim_world_options *opt = &w->opt;
    w->stop = SIM_STOP_DURATION;
    int64_t until = 0;
    bool step_done = true;
    while (!w->stop_requested) {
        uint64_t executed = sim_sched_executed(w->sched);
        if (executed >= opt->events_max) {
            w->stop = SIM_STOP_EVENT_LIMIT;
            break;
        }
        if (step_done) {
            int64_t now = sim_sched_now(w->sched);
            until = now < opt->duration_ns - WORLD_STEP_NS ? now + WORLD_STEP_NS : opt->duration_ns;
        }
        uint64_t budget = MIN(opt->events_max - executed, (uint64_t)WORLD_STEP_EVENTS);
        sim_run_result r = sim_sched_run(w->sched, until, budget);
        if (w->stop_requested)
            break;
        if (r == SIM_RUN_PENDING_LIMIT) {
            world_stop_pending_limit(w);
            break;
        }
        /* Out of this slice's events with more due in the step: same step. */
        step_done = r != SIM_RUN_EVENT_LIMIT;
        /* Nothing left to happen (every node down, no workload): time still
         * passes to the end of the step, else the run never ends. */
        if (r == SIM_RUN_IDLE)
            sim_sched_idle_until(w->sched, until);
        if (!world_report_progress(w, progress, progress_ctx)) {
            w->stop = SIM_STOP_INTERRUPTED;
            break;
        }
        if (step_done && until >= opt->duration_ns)
            break;
    }
    if (w->stop == SIM_STOP_DURATION)
        sim_world_observers_run_end(w); /* may find a violation and stop with it */
    if (w->stop_detail == NULL) {
        w->stop_detail = w->stop == SIM_STOP_DURATION
                             ? g_strdup("reached the scenario duration")
                         : w->stop == SIM_STOP_EVENT_LIMIT
                             ? g_strdup_printf("stopped at the event limit (%" G_GUINT64_FORMAT
                                               " events)", opt->events_max)
                             : g_strdup("interrupted");
    }
    sim_agents_finish(w); /* every agent's money, from the final state */
    sim_upgrades_finish(w);
    sim_figures_compute(w);
    return w->stop;
}

/* ---- accessors ---- */

const sim_metrics *sim_world_metrics(const sim_world *w) { return w->metrics; }
sim_metrics *sim_world_metrics_mut(sim_world *w) { return w->metrics; }
const char *sim_world_stop_detail(const sim_world *w) { return w->stop_detail; }
bool sim_world_safety_held(const sim_world *w)
{
    const sim_safety *sf = sim_world_observer_find(w, &sim_safety_observer_ops);
    return sf == NULL || sim_safety_held(sf);
}
bool sim_world_conservation_held(const sim_world *w, uint64_t *heights_out)
{
    const sim_conservation *c = sim_world_observer_find(w, &sim_conservation_observer_ops);
    if (heights_out != NULL)
        *heights_out = c != NULL ? c->heights_checked : 0;
    return c == NULL || !c->broken;
}
sim_accountability sim_world_accountability(const sim_world *w) { return sim_acct_verdict(w); }
GArray *sim_world_slashed(const sim_world *w) { return sim_acct_slashed(w); }
int64_t sim_world_now_ns(const sim_world *w) { return sim_sched_now(w->sched); }
uint64_t sim_world_events(const sim_world *w) { return sim_sched_executed(w->sched); }
uint32_t sim_world_nodes_count(const sim_world *w) { return w->nodes_count; }
uint32_t sim_world_nodes_live(const sim_world *w) { return w->nodes_live; }
const GArray *sim_world_churn_records(const sim_world *w) { return w->churn_records; }

bool sim_world_node_up(const sim_world *w, uint32_t index)
{
    g_assert(index < w->nodes_count);
    return w->nodes[index].up;
}

uint64_t sim_world_node_final_height(const sim_world *w, uint32_t index)
{
    g_assert(index < w->nodes_count);
    return w->nodes[index].final_height;
}

proto_crypto_stats sim_world_crypto_stats(const sim_world *w)
{
    return proto_crypto_get_stats(w->chain.crypto);
}

const char *sim_world_crypto_mode(const sim_world *w)
{
    return proto_crypto_mode_name(proto_crypto_get_mode(w->chain.crypto));
}

void sim_world_trace_hash(const sim_world *w, char hex_out[2 * PROTO_HASH_SIZE + 1])
{
    proto_hash h;
    sim_trace_digest(&w->trace, &h);
    proto_hash_hex(&h, hex_out);
}

char *sim_world_node_name(const sim_world *w, uint32_t index)
{
    return sim_scenario_node_name(w->sc, index);
}
