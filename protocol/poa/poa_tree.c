/* Block tree above the last final block (see poa_tree.h). */
#include "protocol/poa/poa_tree.h"

#include <string.h>

static void entry_free(poa_entry *e)
{
    if (e->body != NULL)
        g_bytes_unref(e->body);
    proto_state_free(e->state);
    if (e->tx_hashes != NULL)
        g_array_unref(e->tx_hashes);
    if (e->child_prio != NULL) {
        proto_prio_set_clear(e->child_prio);
        g_free(e->child_prio);
    }
    g_free(e);
}

void poa_tree_init(poa_tree *t, const proto_block_header *root_header, const proto_hash *root_hash)
{
    t->entries = g_ptr_array_new();
    t->by_hash = g_hash_table_new(proto_hash_ghash, proto_hash_gequal);
    poa_entry *root = g_new0(poa_entry, 1);
    root->header = *root_header;
    root->hash = *root_hash;
    root->status = POA_EXEC_VALID;
    root->on_head_chain = true;
    g_ptr_array_add(t->entries, root);
    g_hash_table_insert(t->by_hash, &root->hash, root);
}

void poa_tree_clear(poa_tree *t)
{
    if (t->entries == NULL)
        return;
    for (guint i = 0; i < t->entries->len; i++)
        entry_free(t->entries->pdata[i]);
    g_ptr_array_free(t->entries, TRUE);
    g_hash_table_destroy(t->by_hash);
    t->entries = NULL;
    t->by_hash = NULL;
}

poa_entry *poa_tree_root(const poa_tree *t)
{
    return t->entries->pdata[0];
}

poa_entry *poa_tree_find(const poa_tree *t, const proto_hash *hash)
{
    return g_hash_table_lookup(t->by_hash, hash);
}

poa_entry *poa_tree_add(poa_tree *t, poa_entry *parent, const proto_block_header *header,
                        const proto_hash *hash, GBytes *body)
{
    g_assert(parent != NULL);
    g_assert(poa_tree_find(t, hash) == NULL);
    g_assert(header->height == parent->header.height + 1);
    poa_entry *e = g_new0(poa_entry, 1);
    e->header = *header;
    e->hash = *hash;
    e->parent = parent;
    e->body = g_bytes_ref(body);
    e->status = parent->status == POA_EXEC_INVALID ? POA_EXEC_INVALID : POA_EXEC_UNKNOWN;
    g_ptr_array_add(t->entries, e);
    g_hash_table_insert(t->by_hash, &e->hash, e);
    return e;
}

static bool descends_from(const poa_entry *e, const poa_entry *ancestor)
{
    while (e != NULL && e->header.height > ancestor->header.height)
        e = e->parent;
    return e == ancestor;
}

void poa_tree_mark_invalid(poa_tree *t, poa_entry *bad)
{
    /* Entries are in insertion order and a child is always inserted after
     * its parent, so one forward pass marks every descendant. */
    bad->status = POA_EXEC_INVALID;
    for (guint i = 0; i < t->entries->len; i++) {
        poa_entry *e = t->entries->pdata[i];
        if (e->parent != NULL && e->parent->status == POA_EXEC_INVALID)
            e->status = POA_EXEC_INVALID;
    }
}

bool poa_tree_better(const poa_entry *a, const poa_entry *b)
{
    if (a->header.height != b->header.height)
        return a->header.height > b->header.height;
    if (a->header.slot != b->header.slot)
        return a->header.slot < b->header.slot;
    return proto_hash_compare(&a->hash, &b->hash) < 0;
}

poa_entry *poa_tree_best(const poa_tree *t)
{
    poa_entry *best = poa_tree_root(t);
    for (guint i = 1; i < t->entries->len; i++) {
        poa_entry *e = t->entries->pdata[i];
        if (e->status != POA_EXEC_INVALID && poa_tree_better(e, best))
            best = e;
    }
    return best;
}

poa_entry *poa_tree_common_ancestor(poa_entry *a, poa_entry *b)
{
    while (a->header.height > b->header.height)
        a = a->parent;
    while (b->header.height > a->header.height)
        b = b->parent;
    while (a != b) {
        g_assert(a->parent != NULL && b->parent != NULL);
        a = a->parent;
        b = b->parent;
    }
    return a;
}

void poa_tree_reroot(poa_tree *t, poa_entry *new_root)
{
    /* Decide first, free afterwards: deciding walks parent pointers. */
    GPtrArray *kept = g_ptr_array_new();
    GPtrArray *dropped = g_ptr_array_new();
    g_ptr_array_add(kept, new_root);
    for (guint i = 0; i < t->entries->len; i++) {
        poa_entry *e = t->entries->pdata[i];
        if (e == new_root)
            continue;
        if (e->header.height > new_root->header.height && descends_from(e, new_root))
            g_ptr_array_add(kept, e);
        else
            g_ptr_array_add(dropped, e);
    }
    for (guint i = 0; i < dropped->len; i++) {
        poa_entry *e = dropped->pdata[i];
        g_hash_table_remove(t->by_hash, &e->hash);
        entry_free(e);
    }
    new_root->parent = NULL;
    g_ptr_array_free(dropped, TRUE);
    g_ptr_array_free(t->entries, TRUE);
    t->entries = kept;
}

uint32_t poa_tree_size(const poa_tree *t)
{
    return t->entries->len;
}
