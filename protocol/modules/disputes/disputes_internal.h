/* The disputes module's state and the helpers its files share
 * (disputes_state.c: state, root, undo, genesis, readers, the vtable;
 * disputes_rounds.c: draws, tallies and the end block's phase changes;
 * disputes_settle.c: where the tokens go; disputes_msgs.c: the opening
 * and the messages; disputes_invariants.c). Internal to the module. */
#ifndef AITBC_PROTOCOL_MODULES_DISPUTES_INTERNAL_H
#define AITBC_PROTOCOL_MODULES_DISPUTES_INTERNAL_H

#include "protocol/modules/disputes/disputes.h"

/* One juror's seats in one round of one dispute. */
typedef struct dispute_seat {
    uint64_t job;          /* key, with round and juror */
    uint32_t round;
    uint32_t juror;        /* its account */
    uint32_t seats;        /* >= 1: how often the draw picked it */
    uint8_t vote;          /* proto_ruling once counted (a verdict, a revealed vote); else 0 */
    bool committed;        /* panels: a commitment is in */
    bool revealed;         /* panels: it was revealed (vote set) */
    proto_hash commitment; /* panels, once committed */
} dispute_seat;

typedef struct disputes_state {
    proto_disputes_params params;
    GArray *jurors;   /* proto_juror, strictly increasing account */
    GArray *disputes; /* proto_dispute, strictly increasing job */
    GArray *seats;    /* dispute_seat, strictly increasing (job, round, juror) */
    uint64_t held;    /* stakes + bonds + appeal fees: the module's supply */
} disputes_state;

/* The state, or NULL when the module is absent. */
const disputes_state *proto_disputes__get(const proto_state *s);
/* Mutable access (asserts the state exists): the first call in an undo
 * scope records a copy of the whole state into undo (NULL: none). */
disputes_state *proto_disputes__mut(proto_state *s, proto_undo *undo);

/* Index of the dispute on job, or -1; the first index >= job. */
gint proto_disputes__find(const disputes_state *st, uint64_t job);
guint proto_disputes__lower(const disputes_state *st, uint64_t job);
/* Index of the juror with this account, or -1. */
gint proto_disputes__juror(const disputes_state *st, uint32_t account);
/* Index of the seat entry (job, round, juror), or -1; the first index
 * at or after it. */
gint proto_disputes__seat(const disputes_state *st, uint64_t job, uint32_t round,
                          uint32_t juror);
guint proto_disputes__seat_lower(const disputes_state *st, uint64_t job, uint32_t round,
                                 uint32_t juror);

/* Report a step of d (event.h). */
void proto_disputes__report(const proto_msg_ctx *ctx, const proto_state *s,
                            const proto_dispute *d, proto_dispute_step step, uint32_t round,
                            uint8_t ruling, uint64_t amount, uint32_t who);

/* ---- rounds (disputes_rounds.c) ---- */

/* Start round `round` of the dispute at index k (rounds becomes round +
 * 1): draw its seats at ctx's time and open its first phase (VERIFY or
 * COMMIT); a round with no seat is tallied at once (NONE), a tier 1
 * round going on to the first panel. `fees`: what its appeal paid. */
void proto_disputes__start_round(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                                 guint k, uint32_t round, uint64_t fees);
/* The seats of the round after `round` of d under p (round 0: panel). */
uint32_t proto_disputes__next_seats(const proto_disputes_params *p, const proto_dispute *d);
/* Whether the round's ruling is final as soon as it is made (no appeal
 * possible: a panel of panel_max seats or more, or one with none). */
bool proto_disputes__round_final(const proto_disputes_params *p, const proto_dispute *d);
bool proto_disputes__end_block(proto_state *s, const proto_msg_ctx *ctx);

/* ---- settlement (disputes_settle.c) ---- */

/* Settle the dispute at index k with `ruling` as final (tier 0 when it
 * was never defended): escrow, bonds, jurors; removes it and its seats. */
void proto_disputes__settle(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                            guint k, uint8_t ruling);

/* ---- messages and invariants ---- */

#define PROTO_DISPUTES__ROUTES_COUNT 5
extern const proto_msg_route proto_disputes__routes[PROTO_DISPUTES__ROUTES_COUNT];
bool proto_disputes__invariants(const proto_state *s, const void *state, GString *why);

#endif
