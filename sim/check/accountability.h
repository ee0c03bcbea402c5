/* The accountability invariant (docs/scenarios.md, accountability): every provable
 * equivocation is punished, exactly once and in time, and no honest
 * validator is ever punished. Checked while the run runs, from the
 * protocol's SLASHED / UNJAILED / KEY_ROTATED / EVIDENCE events and from
 * ground truth only the simulator has (which COMMIT votes really reached
 * whom):
 *
 *   a. a validator slashed for double-sign equivocated: a byzantine fault
 *      with behavior equivocate or double-sign names it, or it has a twin;
 *   b. nobody is slashed for double-sign twice;
 *   c. a validator an honest node holds evidence against (infraction
 *      height e) is slashed for double-sign by a block at height
 *      <= e + evidence_max_age (judged once the first final height passes
 *      that bound; evidence an honest node first held when no block could
 *      include it any more is counted, not judged);
 *   d. an honest validator jailed for downtime by the window ending at
 *      height H really missed more than the allowed number of the last
 *      `signed_blocks_window` commits up to H. Ground truth: validator v
 *      signed height h if, when the proposer P of the first-finalized
 *      block h+1 proposed, P's node had received a COMMIT from v for some
 *      height >= h (in mesh topology: had been handed one by its p2p
 *      node), or v is P and one of P's own COMMITs for a height >= h had
 *      reached another node (a proposer that caught up by sync instead of
 *      voting did not sign). A final block nobody was seen proposing (a
 *      re-proposal, a null block) counts as missed by everyone, so the
 *      ground truth errs toward "missed" and a violation is never a
 *      simulator artefact.
 *
 * Each slashing, unjail and key rotation is reported by every node that
 * commits its block; only honest nodes' reports count and each change is
 * recorded once (at the time of its first report) in the run's metrics.
 * A violation stops the run like a safety violation. */
#ifndef AITBC_SIM_ACCOUNTABILITY_H
#define AITBC_SIM_ACCOUNTABILITY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/valset.h"
#include "protocol/core/event.h"

typedef enum sim_accountability_state {
    SIM_ACCOUNTABILITY_HOLDS = 0,
    SIM_ACCOUNTABILITY_VIOLATED,
    SIM_ACCOUNTABILITY_PENDING,        /* held so far; some evidence may still be included */
    SIM_ACCOUNTABILITY_NOT_APPLICABLE, /* PoA: nothing is ever slashed */
} sim_accountability_state;

/* "holds" | "violated" | "pending" | "not-applicable" */
const char *sim_accountability_state_name(sim_accountability_state s);

typedef struct sim_accountability {
    sim_accountability_state state;
    char *detail;              /* one human sentence; g_free it */
} sim_accountability;

struct sim_world;
struct sim_node_slot;
typedef struct sim_acct sim_acct;

/* What the checker needs to know about the run, translated from the
 * scenario by the world. */
typedef struct sim_acct_options {
    bool enabled;                  /* PBFT: the chain has a bonded validator set */
    uint32_t validators;
    uint32_t nodes_count;
    proto_slashing_params params;  /* the chain's [slashing] rules */
    /* [validators]: a Byzantine fault makes it sign conflicting votes, or
     * it has a twin (rule a); copied */
    const bool *equivocator;
} sim_acct_options;

/* Internal to sim/: the tracker the world feeds, registered as a world
 * observer (sim/world/world_observer.h) with these hooks: events,
 * deliveries, the end of the run (sim_acct_finish) and its figures. */
extern const struct sim_world_observer_ops sim_acct_observer_ops;
sim_acct *sim_acct_new(const sim_acct_options *opt);
void sim_acct_free(sim_acct *a);
/* A message reached a validator's consensus node (it is up): a COMMIT
 * counts when `from` is the voter's own node. The world calls it for
 * network deliveries in direct topology and, in mesh topology, for what
 * the p2p node hands the consensus node (sim/world/mesh_world.c). */
void sim_acct_on_delivery(struct sim_world *w, uint32_t from, uint32_t to, GBytes *wire);
/* Protocol events (PBFT): proposals, finals, evidence, slashings,
 * unjails, key rotations. */
void sim_acct_observe(struct sim_world *w, struct sim_node_slot *slot, const proto_event *ev);
/* The run ended by reaching its duration: settle checks still waiting
 * for ground truth (what is unknown counts as missed). */
void sim_acct_finish(struct sim_world *w);
sim_accountability sim_acct_verdict(const struct sim_world *w);
/* Sorted unique node indexes of every validator slashed for any reason. */
GArray *sim_acct_slashed(const struct sim_world *w);
/* Figures: slashings, slashings.double_sign, slashings.downtime,
 * slashed_tokens, unjails, key_rotations, evidence_expired,
 * accountability_held. */
void sim_acct_figures(struct sim_world *w);

#endif
