/* The chain's state machine as a core plus modules, in the way the Cosmos
 * SDK builds one.
 *
 * The core (state.h) keeps the accounts (the Merkle tree of key, balance,
 * nonce), the burned counter, the genesis supply and the message router.
 * A module owns everything else a chain needs: its own state, the message
 * types it handles, its begin-block and end-block work, its genesis, its
 * undo records for reorgs, its invariants and the tokens it holds. The
 * bank (transfers) and the validator module (the bonded set, unjail, key
 * rotation, slashing) are the first two; the registry
 * (protocol/modules/modules.c) lists them, one line each.
 *
 * A module is a const vtable, proto_module, with a name and a fixed id.
 * Ids never change and are never reused: they order the modules' roots
 * inside the state root,
 *
 *     root = H("aitbc/state" || accounts root || root of each module
 *              with state, in id order)
 *
 * and a state in which no module has state has the accounts root alone
 * (PoA, which has no validator set). H is BLAKE2b-256, or proto_fastmix
 * keyed by the tag in fast mode.
 *
 * State. A module's state is an opaque pointer the core owns once it is
 * attached (proto_state_module_attach, at genesis). States are
 * reference-counted and copied on write (state.h), so a module gives
 * copy and free; it gives its root (the core caches it and asks again
 * only after mutable access) and the tokens it holds, which the total
 * supply counts. A stateless module (the bank) leaves all four NULL.
 * The root must commit to every bit of the state that execution reads:
 * states with equal roots are taken to be equal (the execution memo,
 * protocol/memo/exec_memo.h, hands one node another's post-state).
 * Modules read their state through proto_state_module and change it
 * through proto_state_module_mut, never through a pointer kept across
 * calls: the core may have copied or swapped it since.
 *
 * Messages. A module lists the message types it handles (routes). The
 * router (proto_state_deliver) finds the one route for a type and calls
 * it with a context: the undo log, a gas meter, the chain id, the crypto
 * context and the block's height and time. A type no module handles, or
 * one whose module has no state in this chain, is refused with a named
 * reason (proto_msg_result_name) and counted (proto_msg_stats); a module
 * refuses with a code of its own, which it also names. Deliver = check +
 * apply: a route's deliver checks everything itself, because a block
 * from a peer reaches it with nothing checked before.
 *
 * Undo. Core changes (accounts, burned) are recorded by the core. A
 * module records its own changes as undo records (proto_undo_push): a
 * restore function and a free function with a small payload or owned
 * data. proto_state_revert replays everything newest first, account
 * entries and module records interleaved in the order they were made.
 *
 * Sans-IO like the rest of protocol/: modules get everything through the
 * context and the state, and every function is deterministic. */
#ifndef AITBC_PROTOCOL_MODULE_H
#define AITBC_PROTOCOL_MODULE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/gas.h"
#include "protocol/chain/state.h"
#include "protocol/core/crypto.h"

/* Modules one state can hold (the slots are inline in the state). */
#define PROTO_MODULES_MAX 16

/* Where a message or a block hook runs. Built by the caller for one
 * message or one block; read-only to modules (the meter excepted). */
typedef struct proto_msg_ctx {
    proto_undo *undo;                     /* records how to revert; NULL: none wanted */
    proto_gas_meter *gas;                 /* never NULL; unmetered: limit UINT64_MAX */
    const proto_gas_schedule *gas_prices; /* NULL: nothing is charged */
    uint32_t sender;                      /* the signer's account (PROTO_ACCOUNT_NONE in
                                           * block hooks and consensus-made changes) */
    proto_crypto *crypto;
    uint64_t chain_id;
    uint64_t height;                      /* the block executing; 0 outside a block */
    int64_t time_ns;                      /* the block's timestamp; 0 outside a block */
    struct proto_msg_stats *stats;        /* the router counts here; NULL: not counted */
    GArray *events;                       /* proto_event a module reports (event.h);
                                           * NULL: nobody listens. A failed
                                           * transaction's are taken back. */
    const uint32_t *code_versions;        /* [PROTO_MODULES_MAX] by module id: the module
                                           * versions this node's code runs (an operator
                                           * that has not installed an upgrade yet);
                                           * NULL: each module's `version` */
} proto_msg_ctx;

/* What the router did with a message. */
typedef enum proto_msg_status {
    PROTO_MSG_OK = 0,
    PROTO_MSG_UNKNOWN_TYPE, /* no module of this state's set handles the type */
    PROTO_MSG_NO_STATE,     /* its module has no state in this chain (PoA: validator ops) */
    PROTO_MSG_REFUSED,      /* the module refused it: code says why */
    PROTO_MSG_STATUS_COUNT
} proto_msg_status;

typedef struct proto_msg_result {
    proto_msg_status status;
    uint32_t code;                /* the module's reason when REFUSED (0 otherwise) */
    const struct proto_module *module; /* the module that handled it; NULL if none */
} proto_msg_result;

/* Counters a caller keeps across messages (zero-initialise). */
typedef struct proto_msg_stats {
    uint64_t delivered;                        /* status OK */
    uint64_t refused[PROTO_MSG_STATUS_COUNT];  /* by status; [PROTO_MSG_OK] stays 0 */
} proto_msg_stats;

/* "ok", "unknown_type", "no_state", "refused". */
const char *proto_msg_status_name(proto_msg_status s);
/* The reason in one stable word: the status name, or for REFUSED the
 * module's name for its code ("bad_nonce"). */
const char *proto_msg_result_name(proto_msg_result r);

/* A module's check: may the message apply to s? 0 = yes, else the
 * module's reason. Reads only. */
typedef uint32_t (*proto_msg_check_fn)(const proto_state *s, const proto_msg_ctx *ctx,
                                       const void *msg);
/* A module's handler: check, then apply and record undo into ctx->undo.
 * 0 = applied; otherwise the reason, and s is unchanged. */
typedef uint32_t (*proto_msg_deliver_fn)(proto_state *s, const proto_msg_ctx *ctx,
                                         const void *msg);

/* One message type a module handles. `msg` points at the decoded body,
 * whose C type the module's header names. */
typedef struct proto_msg_route {
    uint8_t type;                 /* proto_txmsg_type (tx_envelope.h), unique in a set */
    const char *name;             /* "transfer" */
    proto_msg_check_fn check;     /* may be NULL: deliver only */
    proto_msg_deliver_fn deliver;
} proto_msg_route;

typedef struct proto_module {
    const char *name; /* "bank" */
    uint32_t id;      /* fixed forever; orders roots; > 0 */
    /* The newest version of its rules this code runs (0 counts as 1). A
     * chain starts every module at version 1 and moves it up only by an
     * upgrade (protocol/modules/upgrade/upgrade.h), which calls migrate
     * once per step, from the stored version to the next: it changes the
     * module's state to the new rules and returns false only for a state
     * it cannot migrate (the block is then invalid). NULL: no migration
     * is needed for any version this code runs. */
    uint32_t version;
    bool (*migrate)(proto_state *s, const proto_msg_ctx *ctx, uint32_t from, uint32_t to);

    /* State: all four NULL for a stateless module, else copy, free and
     * root set (supply may be NULL: holds no tokens). */
    void *(*copy)(const void *state);
    void (*free)(void *state);
    void (*root)(const void *state, bool fast, proto_hash *out);
    uint64_t (*supply)(const void *state); /* tokens held, counted in the total supply */

    /* Genesis: called once when the module's genesis state is attached
     * (proto_state_module_attach), after the core took it. May be NULL. */
    void (*genesis)(proto_state *s, void *state);

    /* Messages. result_name names the module's refusal codes. */
    const proto_msg_route *routes;
    uint32_t routes_count;
    const char *(*result_name)(uint32_t code);

    /* Block hooks, in id order: begin before the block's transactions,
     * end after them and the consensus extension, before the root. False
     * makes the block invalid. Record undo like a handler. May be NULL. */
    bool (*begin_block)(proto_state *s, const proto_msg_ctx *ctx);
    bool (*end_block)(proto_state *s, const proto_msg_ctx *ctx);

    /* Invariants of this module's state (NULL when it has none in this
     * chain) against the rest of s: false, with a sentence appended to
     * why, if broken. May be NULL. */
    bool (*invariants)(const proto_state *s, const void *state, GString *why);
} proto_module;

/* The modules of one chain, in increasing id order, message types unique
 * (checked when a state is made). Outlives every state made with it. */
typedef struct proto_module_set {
    const proto_module *const *modules;
    uint32_t count; /* <= PROTO_MODULES_MAX */
} proto_module_set;

/* Asserts the rules above (our own registry is a constant). */
void proto_module_set_check(const proto_module_set *set);
/* The module with this id in the set, or NULL. */
const proto_module *proto_module_set_find(const proto_module_set *set, uint32_t id);

/* ---- a state's modules (implemented by the core, state.c) ---- */

/* A state using `set` (proto_state_new uses the registry's). */
proto_state *proto_state_new_with_modules(const proto_module_set *set);
const proto_module_set *proto_state_modules(const proto_state *s);

/* Genesis: give module `id` its state (ownership passes to s; NULL
 * removes it). The total supply follows the tokens it holds. Then the
 * module's genesis hook runs. */
void proto_state_module_attach(proto_state *s, uint32_t id, void *state);
/* The module's state, or NULL (no such module, or none in this chain). */
const void *proto_state_module(const proto_state *s, uint32_t id);
/* Mutable access (s must be private, the state present): marks the
 * module's root stale. Undo is the caller's to record. */
void *proto_state_module_mut(proto_state *s, uint32_t id);
/* Replace the module's state by `state` without touching the supply
 * (for undo records that restore a snapshot); returns the old one,
 * which the caller now owns. */
void *proto_state_module_swap(proto_state *s, uint32_t id, void *state);

/* ---- the router ---- */

/* Deliver message `type` to the module that handles it. */
proto_msg_result proto_state_deliver(proto_state *s, const proto_msg_ctx *ctx, uint8_t type,
                                     const void *msg);
/* The same check without applying (a route without check: OK if routed). */
proto_msg_result proto_state_check_msg(const proto_state *s, const proto_msg_ctx *ctx,
                                       uint8_t type, const void *msg);
/* Every module's begin (end) hook, in id order; false at the first that
 * refuses (the caller reverts the block). */
bool proto_state_begin_block(proto_state *s, const proto_msg_ctx *ctx);
bool proto_state_end_block(proto_state *s, const proto_msg_ctx *ctx);
/* Every module's invariants; false with the broken ones described in why
 * ("validator: ..."), one sentence each. */
bool proto_state_invariants(const proto_state *s, GString *why);

/* ---- undo records ---- */

typedef struct proto_undo_record proto_undo_record;
/* Put back what the record saved. Writes only the module's state (no
 * recording calls); may take ownership of r->data (then sets it NULL). */
typedef void (*proto_undo_restore_fn)(proto_state *s, proto_undo_record *r);

struct proto_undo_record {
    uint32_t module_id;            /* whose state it restores (its root goes stale) */
    uint32_t accounts_mark;        /* set by proto_undo_push: account entries before it */
    proto_undo_restore_fn restore;
    void (*free)(void *data);      /* frees data if still held; NULL: nothing to free */
    void *data;                    /* owned by the record, or NULL */
    uint64_t u64[2];               /* small payload that needs no allocation */
};

/* Append r to the log (u NULL: no record wanted, r's data is freed now). */
void proto_undo_push(proto_undo *u, const proto_undo_record *r);
/* Whether the log holds a record of module_id with this restore function
 * (for "snapshot at the first change" records) in its current scope:
 * among the records made since the innermost open scope (all of them
 * when none is open). */
bool proto_undo_has(const proto_undo *u, uint32_t module_id, proto_undo_restore_fn restore);
/* Open a scope: records made before it no longer count for
 * proto_undo_has, so a module snapshots again at its first change in the
 * scope, and a revert to a mark taken at the scope's start
 * (proto_state_revert_to) restores everything done in it. Returns what
 * proto_undo_scope_close needs to reopen the outer scope. A transaction's
 * messages run in one (tx_exec.c). */
guint proto_undo_scope_open(proto_undo *u);
void proto_undo_scope_close(proto_undo *u, guint outer);
/* Module records in the log. */
uint32_t proto_undo_records_count(const proto_undo *u);

#endif
