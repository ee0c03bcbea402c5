/* The block tree above the last final block.
 *
 * The root is the last final block; every other entry descends from it.
 * Entries are kept in insertion order (for deterministic iteration) and
 * indexed by hash (lookup only). Each entry holds the header, the block
 * encoding (shared slice of a received buffer) until finalized, its
 * execution status, and, while on the head chain, a reference to the
 * state after it (possibly shared with other nodes through an execution
 * memo: read-only), so reverting it is dropping that reference. Blocks that do not descend from the root are pruned when the
 * root advances, so the tree stays as small as the non-final window. */
#ifndef AITBC_PROTOCOL_POA_TREE_H
#define AITBC_PROTOCOL_POA_TREE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/block.h"
#include "protocol/chain/proposer.h"
#include "protocol/chain/state.h"

typedef enum poa_exec_status {
    POA_EXEC_UNKNOWN = 0, /* passed stateless checks, not executed yet */
    POA_EXEC_VALID,       /* executed, state root matched */
    POA_EXEC_INVALID,     /* failed execution (or descends from such a block) */
} poa_exec_status;

typedef struct poa_entry {
    proto_block_header header;
    proto_hash hash;
    struct poa_entry *parent;   /* NULL only for the root */
    GBytes *body;               /* block encoding; NULL once final */
    poa_exec_status status;
    bool on_head_chain;
    proto_state *state;         /* the state after this block while on_head_chain (the
                                 * root's too), else NULL; one reference, read-only */
    GArray *tx_hashes;          /* proto_hash of each tx, once executed */
    uint64_t tips;              /* its transactions' tips to the proposer, once executed */
    proto_prio_set *child_prio; /* stake-weighted: the priorities of height + 1 (owned);
                                 * NULL under round-robin */
} poa_entry;

typedef struct poa_tree {
    GPtrArray *entries;         /* poa_entry*, insertion order; [0] is the root */
    GHashTable *by_hash;        /* proto_hash* (entry->hash) -> poa_entry* */
} poa_tree;

void poa_tree_init(poa_tree *t, const proto_block_header *root_header, const proto_hash *root_hash);
void poa_tree_clear(poa_tree *t);
poa_entry *poa_tree_root(const poa_tree *t);
poa_entry *poa_tree_find(const poa_tree *t, const proto_hash *hash);
/* Adds a child of `parent`; takes a reference to body. */
poa_entry *poa_tree_add(poa_tree *t, poa_entry *parent, const proto_block_header *header,
                        const proto_hash *hash, GBytes *body);
/* Mark e and all its descendants invalid. */
void poa_tree_mark_invalid(poa_tree *t, poa_entry *e);
/* True if a is better than b under the fork-choice rule. */
bool poa_tree_better(const poa_entry *a, const poa_entry *b);
/* Best non-invalid entry (the fork-choice head). */
poa_entry *poa_tree_best(const poa_tree *t);
/* Common ancestor of a and b. */
poa_entry *poa_tree_common_ancestor(poa_entry *a, poa_entry *b);
/* Make `new_root` (a descendant of the root) the root: drop every entry
 * that does not descend from it, and the old root chain up to it. */
void poa_tree_reroot(poa_tree *t, poa_entry *new_root);
uint32_t poa_tree_size(const poa_tree *t);

#endif
