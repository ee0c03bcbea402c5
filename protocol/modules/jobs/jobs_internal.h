/* The jobs module's state and the helpers its files share
 * (jobs_state.c: state, root, undo, genesis, readers; jobs_msgs.c:
 * messages; jobs_settle.c: settlement, events and the end block;
 * jobs_invariants.c). Internal to the module. */
#ifndef AITBC_PROTOCOL_MODULES_JOBS_INTERNAL_H
#define AITBC_PROTOCOL_MODULES_JOBS_INTERNAL_H

#include "protocol/modules/jobs/jobs.h"

typedef struct jobs_state {
    proto_jobs_params params;
    GArray *jobs;    /* proto_job, strictly increasing id */
    uint64_t escrow; /* sum of payment + fee of the jobs: the module's supply */
    uint32_t terms;  /* the escrow terms a job posted now gets: 1, or 2 once migrated */
    uint32_t fee_burn_permille; /* terms 2: the share of a released job's fee burned */
} jobs_state;

/* The state, or NULL when the module is absent. */
const jobs_state *proto_jobs__get(const proto_state *s);
/* Mutable access (asserts the state exists): the first call in an undo
 * scope records a copy of the whole state into undo (NULL: none). */
jobs_state *proto_jobs__mut(proto_state *s, proto_undo *undo);

/* The first index whose id is >= id. */
guint proto_jobs__lower(const jobs_state *st, uint64_t id);
/* Index of the job with this id, or -1. */
gint proto_jobs__find(const jobs_state *st, uint64_t id);

/* Report job's change from prev to status (event.h); amount: the bond
 * slashed. */
void proto_jobs__report(GArray *events, const proto_job *job, proto_job_status prev,
                        proto_job_status status, uint64_t amount);
/* A settlement's score when nobody gave feedback (a guarded release). */
#define PROTO_JOBS__NO_FEEDBACK UINT8_MAX
/* Settle the job at index k of a mutable state with `outcome`: pay it
 * out (a refund, or the release for RELEASED and RELEASED_AUTO), apply
 * the outcome's registry effects (feedback, counters, no-show slash),
 * report it and remove it. score: the consumer's, for RELEASED. */
void proto_jobs__settle(proto_state *s, const proto_msg_ctx *ctx, jobs_state *st, guint k,
                        proto_job_status outcome, uint8_t score);

/* jobs_guard.c: guarded jobs (jobs.h). Is a payment guarded under p?
 * The arbiter a guard of job would get now (PROTO_ACCOUNT_NONE: none);
 * make the guard of the just-posted job j and return its id. */
bool proto_jobs__guarded(const proto_jobs_params *p, uint64_t payment);
uint32_t proto_jobs__guard_arbiter(const proto_state *s, const proto_msg_ctx *ctx, uint64_t job,
                                   uint32_t consumer, uint32_t provider);
uint32_t proto_jobs__make_guard(proto_state *s, const proto_msg_ctx *ctx, const proto_job *j);
/* The outcome a guarded job's time gives it at now, or PROTO_JOB_NONE. */
proto_job_status proto_jobs__guard_timeout(const jobs_state *st, const proto_job *j,
                                           int64_t now_ns);

/* jobs_terms.c: escrow v2 (jobs.h, "Versions"). The migration from
 * version `from` to from + 1; the root's terms fields (version 2 only);
 * how much of a released job's fee its terms burn. */
bool proto_jobs__migrate(proto_state *s, const proto_msg_ctx *ctx, uint32_t from, uint32_t to);
void proto_jobs__put_terms(GByteArray *b, const jobs_state *st);
uint64_t proto_jobs__fee_burned(const jobs_state *st, const proto_job *job);

#define PROTO_JOBS__ROUTES_COUNT 7
extern const proto_msg_route proto_jobs__routes[PROTO_JOBS__ROUTES_COUNT];
bool proto_jobs__end_block(proto_state *s, const proto_msg_ctx *ctx);
bool proto_jobs__invariants(const proto_state *s, const void *state, GString *why);

#endif
