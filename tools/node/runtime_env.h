/* The environment table (protocol/core/env.h) for real: one protocol
 * node in one process, driven by the GLib main loop.
 *
 *   now_ns            the wall clock as ns since the chain's time 0
 *                     (--genesis-ms), read through the monotonic clock
 *                     so it never steps back within a process
 *   set/cancel_timer  one GSource per timer with a ready time in
 *                     microseconds; a timer fires on_timer once
 *   send(to, wire)    (through a Byzantine wrapper first, if the node has
 *                     one: send_hook) the links (links.h): a length-prefixed frame on
 *                     the TCP connection to node `to`, through the
 *                     network filter if there is one (net_filter.h:
 *                     partitions, degrades; a delayed message waits in
 *                     a GSource of its own), which also sees every
 *                     message received
 *   random_u64        libsodium's randombytes
 *   store_put/get     the node's SQLite store (store_sqlite.h); a store
 *                     that fails ends the process at once (exit 3): the
 *                     node acts on what it believes it wrote (a vote is
 *                     sent after its last-sign record), so it must not
 *                     go on after a write was lost
 *   observe           a row in the node's records (records.h); a final
 *                     block's transactions also go to final_txs
 *   include_tx        every transaction, unless a censor's policy is set
 *                     (include_hook, node_market.h)
 *   broadcast, peers  NULL: direct topology, every node one send() away
 *
 * This is the testbed's counterpart of sim/world/world.c's table, with
 * the same node code behind it. */
#ifndef AITBC_TOOLS_NODE_RUNTIME_ENV_H
#define AITBC_TOOLS_NODE_RUNTIME_ENV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/env.h"
#include "protocol/core/node.h"
#include "tools/node/links.h"
#include "tools/node/net_filter.h"
#include "tools/node/records.h"
#include "tools/node/store_sqlite.h"

typedef struct tb_runtime {
    proto_env env;               /* ctx = this runtime */
    uint32_t self;
    int64_t clock_offset_ns;     /* now_ns = monotonic ns + this */
    GHashTable *timers;          /* timer id -> tb_timer*; lookup only */
    uint64_t next_timer_id;
    tb_links *links;             /* borrowed */
    tb_store *store;             /* borrowed */
    tb_records *records;         /* borrowed */
    tb_filter *filter;           /* borrowed; NULL: none */
    GHashTable *delayed;         /* tb_delayed* set: sends the filter holds back */
    void *node;                  /* set once the node is built; NULL while stopping */
    const proto_node_ops *ops;
    uint64_t timers_fired;
    uint64_t final_height;       /* highest height reported final */
    uint64_t client_txs;         /* transactions a client connection handed over */
    /* If set, the node's sends go here (a Byzantine wrapper, node_byz.h),
     * which passes what it sends on to tb_runtime_send. */
    void (*send_hook)(void *ctx, uint32_t to, GBytes *wire);
    void *send_hook_ctx;
    GHashTable *also_to;         /* node -> GArray of uint32 twins sharing its address */
    /* If set, which transactions the node's blocks may carry (a censor,
     * node_market.h); else all. */
    bool (*include_hook)(void *ctx, const proto_pubkey *sender);
    void *include_hook_ctx;
} tb_runtime;

/* genesis_unix_ns: the wall-clock time that is the chain's time 0. */
void tb_runtime_init(tb_runtime *rt, uint32_t self, int64_t genesis_unix_ns, tb_links *links,
                     tb_store *store, tb_records *records);
/* Cancel every pending timer (the node must be freed first). */
void tb_runtime_clear(tb_runtime *rt);
int64_t tb_runtime_now_ns(const tb_runtime *rt);
/* A main-loop source that calls fn(data) once, wait_ns from now (<= 0:
 * at once), attached to the default context; the caller owns the
 * reference (g_source_destroy and g_source_unref it when done). */
GSource *tb_ready_source_new(int64_t wait_ns, GSourceFunc fn, gpointer data);
/* Send wire to node `to` through the network filter and the links (and
 * to the twins sharing its address). */
void tb_runtime_send(tb_runtime *rt, uint32_t to, GBytes *wire);
/* From now on what is sent to `to` also goes to `extra` (a twin of the
 * validator at `to`, in direct topology). */
void tb_runtime_also_send(tb_runtime *rt, uint32_t to, uint32_t extra);
/* tb_deliver_fn for the links: hand `wire` to the node (from a client,
 * TB_HELLO_CLIENT: to submit_tx, as a transaction a wallet sent). */
void tb_runtime_deliver(void *ctx, uint32_t from, GBytes *wire);

#endif
