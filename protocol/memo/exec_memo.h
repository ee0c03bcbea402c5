/* An execution memo shared by the nodes of one chain.
 *
 * Executing block B on a state whose root is R is a pure function (the
 * root commits to every account and to every module's state, such as the
 * bonded set (protocol/chain/module.h); the burned total follows from
 * them and the fixed supply), so when many nodes follow one
 * chain only the first of them needs to execute each block: it keeps the
 * resulting state, immutable and reference-counted (state.h), and every
 * node that comes next with a state of root R takes a reference to that
 * post-state instead of copying and executing. Memory then holds about
 * one state per height in flight, not one per node.
 *
 * Per-node side effects still happen per node, exactly as if each had
 * executed: what execution reported (the events the modules and the
 * consensus extension fill, e.g. PBFT's slashing effects, and the
 * transactions' receipts) is kept with the entry and handed to each node
 * that follows, and the signature
 * verifications execution made are replayed on the crypto context
 * (crypto.h, verification logs), so crypto statistics are identical with
 * the memo or without it. A caller must therefore use the memo only where
 * every node's execution of (R, B) would make the same calls and report
 * the same events (PBFT: full nodes, which hold no votes of their own).
 *
 * Entries: at most `entries_max`; when full, the lowest height (then the
 * oldest) is evicted unless the newcomer is lower still (a node replaying
 * old blocks does not push out the heights in flight). An execution that
 * fails is not remembered. Each entry holds one state (with 10,000
 * accounts about 1.5 MiB) plus its verification log (33 bytes per
 * signature in real mode). Results never depend on the memo. One of the
 * shared-process memos (memo.h). */
#ifndef AITBC_PROTOCOL_EXEC_MEMO_H
#define AITBC_PROTOCOL_EXEC_MEMO_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/exec.h"

typedef struct proto_exec_memo proto_exec_memo;

typedef struct proto_exec_memo_stats {
    uint64_t hits;      /* executions answered from the memo */
    uint64_t misses;    /* executions computed */
    uint64_t copies;    /* misses that first copied a shared state */
} proto_exec_memo_stats;

/* entries_max > 0. */
proto_exec_memo *proto_exec_memo_new(uint32_t entries_max);
void proto_exec_memo_free(proto_exec_memo *m);
proto_exec_memo_stats proto_exec_memo_get_stats(const proto_exec_memo *m);

/* proto_exec_apply(*state, b, env, NULL) through the memo, for a caller
 * whose *state may be shared. On success *state is the post-state
 * (possibly shared: the caller holds one reference and must copy before
 * mutating) and env->events and env->receipts (each may be NULL: not
 * wanted; execution fills them from empty) hold what execution reported.
 * On failure *state is as it was and false is returned, as
 * proto_exec_apply does.
 * ext_fn sees *state already pointing at the state it executes on. */
bool proto_exec_memo_apply(proto_exec_memo *m, proto_state **state, const proto_block *b,
                           const proto_exec_env *env);

#endif
