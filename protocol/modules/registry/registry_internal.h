/* The registry module's state and the helpers its files share
 * (registry_state.c: state, root, undo, genesis, readers, keeper;
 * registry_msgs.c: messages; registry_life.c: the end block's liveness
 * transitions and the invariants). Internal to the module. */
#ifndef AITBC_PROTOCOL_MODULES_REGISTRY_INTERNAL_H
#define AITBC_PROTOCOL_MODULES_REGISTRY_INTERNAL_H

#include "protocol/modules/registry/registry.h"

typedef struct registry_state {
    proto_registry_params params;
    GArray *agents;   /* proto_agent_record, strictly increasing account */
    GArray *feedback; /* proto_registry_feedback_rec, strictly increasing (rater, ratee) */
    uint64_t bonded;  /* sum of the agents' bonds: the module's supply */
    int64_t reputation_at_ns; /* the last reputation epoch (0: none yet) */
} registry_state;

/* The state, or NULL when the module is absent. */
const registry_state *proto_registry__get(const proto_state *s);
/* Mutable access (asserts the state exists): the first call in an undo
 * scope records a copy of the whole state into undo (NULL: none). */
registry_state *proto_registry__mut(proto_state *s, proto_undo *undo);

/* Index of account's record, or -1. */
gint proto_registry__find(const registry_state *st, uint32_t account);
/* Its record (mutable, in a state from proto_registry__mut), or NULL. */
proto_agent_record *proto_registry__agent_mut(registry_state *st, uint32_t account);
/* Insert a record in account order (asserts the account has none). */
proto_agent_record *proto_registry__insert(registry_state *st, const proto_agent_record *a);

/* Report a status change of `a` (from prev) into events (NULL: none);
 * amount: tokens the change moved (event.h). */
void proto_registry__report(GArray *events, const proto_agent_record *a,
                            proto_agent_status prev, uint64_t amount);
/* Move a to status at now (status_since_ns) and report it. */
void proto_registry__transition(GArray *events, proto_agent_record *a,
                                proto_agent_status status, int64_t now_ns, uint64_t amount);

/* floor(amount * permille / 1000), exact. */
uint64_t proto_registry__permille(uint64_t amount, uint32_t permille);

/* The module's routes, end block and invariants (vtable in
 * registry_state.c). */
#define PROTO_REGISTRY__ROUTES_COUNT 4
extern const proto_msg_route proto_registry__routes[PROTO_REGISTRY__ROUTES_COUNT];
bool proto_registry__end_block(proto_state *s, const proto_msg_ctx *ctx);
/* registry_reputation.c: whether an epoch is due at now_ns, and running
 * it (every record's reputation from EigenTrust over the feedback). */
bool proto_registry__epoch_due(const registry_state *st, int64_t now_ns);
void proto_registry__epoch(registry_state *st, int64_t now_ns);
bool proto_registry__invariants(const proto_state *s, const void *state, GString *why);

#endif
