/* PoA block intake and catch-up.
 *
 * Every block, gossiped or fetched, enters through poa_sync_receive_block:
 * decode (hostile bytes), stateless checks (timestamp, signature), then
 * either attach it to the tree, once its proposer is the one of its
 * height and round on that parent, or, if its parent is unknown, park it
 * as an orphan and ask the sender for the range above our last final
 * block. Orphans are re-examined whenever a block attaches.
 *
 * A peer answers GET_BLOCKS with its own chain: final blocks from its
 * durable store, non-final ones from its head chain. Responses are
 * untrusted too: each block goes through the same checks and, when it
 * becomes part of the head chain, is re-executed against its state root. */
#include "protocol/poa/poa_internal.h"

#include "protocol/core/codec.h"
#include "protocol/poa/poa_msg.h"

static void orphan_free(poa_orphan *o)
{
    g_bytes_unref(o->body);
    g_free(o);
}

void poa_sync_clear(poa_node *n)
{
    for (guint i = 0; i < n->orphans->len; i++)
        orphan_free(n->orphans->pdata[i]);
    g_ptr_array_free(n->orphans, TRUE);
    n->orphans = NULL;
}

proto_reject_reason poa_check_block_header(poa_node *n, const proto_block *b)
{
    const proto_block_header *h = &b->header;
    if (h->height == 0 || h->proposer >= n->p->validators_count)
        return PROTO_REJECT_LINKAGE;
    if (h->slot > poa_current_slot(n) || h->slot > (uint64_t)INT64_MAX / (uint64_t)n->p->block_interval_ns ||
        h->timestamp_ns != (int64_t)h->slot * n->p->block_interval_ns)
        return PROTO_REJECT_TIMESTAMP;
    if (!proto_block_verify_sig(b, n->p->chain_id, n->p->crypto,
                                &n->p->validator_keys[h->proposer]))
        return PROTO_REJECT_SIGNATURE;
    return PROTO_REJECT_NONE;
}

static bool known_final(poa_node *n, const proto_block *b)
{
    uint64_t height = b->header.height;
    return height < n->final_hashes->len &&
           proto_hash_equal(&g_array_index(n->final_hashes, proto_hash, height), &b->hash);
}

static void park_orphan(poa_node *n, proto_node_id from, const proto_block *b, GBytes *body)
{
    for (guint i = 0; i < n->orphans->len; i++) {
        poa_orphan *o = n->orphans->pdata[i];
        if (proto_hash_equal(&o->hash, &b->hash))
            return;
    }
    if (n->orphans->len >= n->p->orphans_max && n->orphans->len > 0) {
        orphan_free(n->orphans->pdata[0]);
        g_ptr_array_remove_index(n->orphans, 0);
    }
    poa_orphan *o = g_new(poa_orphan, 1);
    o->hash = b->hash;
    o->parent = b->header.parent;
    o->height = b->header.height;
    o->from = from;
    o->body = g_bytes_ref(body);
    g_ptr_array_add(n->orphans, o);
}

/* Attach b below parent; returns the new entry or NULL if rejected. */
static poa_entry *attach(poa_node *n, proto_node_id from, poa_entry *parent,
                         const proto_block *b, GBytes *body)
{
    if (b->header.height != parent->header.height + 1 || b->header.slot <= parent->header.slot) {
        poa_reject(n, from, PROTO_REJECT_LINKAGE);
        return NULL;
    }
    if (poa_proposer_after(n, parent, b->header.slot) != b->header.proposer) {
        poa_reject(n, from, PROTO_REJECT_SCHEDULE);
        return NULL;
    }
    poa_entry *e = poa_tree_add(&n->tree, parent, &b->header, &b->hash, body);
    poa_entry_prio_init(n, e);
    proto_event ev = proto_block_event(PROTO_EV_BLOCK_RECEIVED, b);
    ev.from = from;
    poa_emit(n, &ev);
    return e;
}

/* Decode and place one block; returns true if it attached to the tree. */
static bool intake(poa_node *n, proto_node_id from, GBytes *body)
{
    proto_block *b = poa_decode_body(n, body);
    if (b == NULL) {
        poa_reject(n, from, PROTO_REJECT_DECODE);
        return false;
    }
    bool attached = false;
    if (poa_tree_find(&n->tree, &b->hash) != NULL || known_final(n, b)) {
        /* already have it */
    } else {
        proto_reject_reason reason = poa_check_block_header(n, b);
        poa_entry *parent = poa_tree_find(&n->tree, &b->header.parent);
        if (reason != PROTO_REJECT_NONE) {
            poa_reject(n, from, reason);
        } else if (parent != NULL) {
            attached = attach(n, from, parent, b, body) != NULL;
        } else if (b->header.height > poa_tree_root(&n->tree)->header.height + 1) {
            park_orphan(n, from, b, body);
            poa_sync_request(n, from, poa_tree_root(&n->tree)->header.height + 1);
        }
        /* else: a branch off below our final block; can never be chosen */
    }
    proto_block_free(b);
    return attached;
}

/* Re-run intake for orphans whose parent is now in the tree. */
static void adopt_orphans(poa_node *n)
{
    bool progress = true;
    while (progress) {
        progress = false;
        for (guint i = 0; i < n->orphans->len; i++) {
            poa_orphan *o = n->orphans->pdata[i];
            if (poa_tree_find(&n->tree, &o->parent) == NULL) {
                if (o->height > poa_tree_root(&n->tree)->header.height)
                    continue;
            }
            g_ptr_array_remove_index(n->orphans, i);
            if (o->height > poa_tree_root(&n->tree)->header.height)
                intake(n, o->from, o->body);
            orphan_free(o);
            progress = true;
            break;
        }
    }
}

void poa_sync_receive_block(poa_node *n, proto_node_id from, GBytes *body)
{
    if (intake(n, from, body)) {
        adopt_orphans(n);
        poa_chain_update_head(n);
    }
}

void poa_sync_request(poa_node *n, proto_node_id peer, uint64_t from_height)
{
    int64_t now = n->env.now_ns(n->env.ctx);
    if (now < n->sync_inflight_until_ns || peer == n->self || peer == PROTO_NODE_NONE)
        return;
    n->sync_inflight_until_ns = now + POA_SYNC_TIMEOUT_NS;
    GBytes *wire = poa_msg_get_blocks_encode(from_height, n->p->sync_batch_max);
    n->env.send(n->env.ctx, peer, wire);
    g_bytes_unref(wire);
    proto_event ev = {.kind = PROTO_EV_SYNC_REQUEST, .height = from_height, .from = peer};
    poa_emit(n, &ev);
}

/* The block body this node holds at `height` on its chain, or NULL. */
static GBytes *chain_body_at(poa_node *n, uint64_t height, GPtrArray *head_chain)
{
    poa_entry *root = poa_tree_root(&n->tree);
    if (height == 0 || height > n->head->header.height)
        return NULL;
    if (height <= root->header.height) {
        char key[32];
        poa_store_block_key(height, key);
        return n->env.store_get(n->env.ctx, key);
    }
    poa_entry *e = head_chain->pdata[height - root->header.height - 1];
    return e->body != NULL ? g_bytes_ref(e->body) : NULL;
}

void poa_sync_on_get_blocks(poa_node *n, proto_node_id from, GBytes *wire)
{
    uint64_t from_height = 0;
    uint32_t count = 0;
    if (!poa_msg_get_blocks_decode(wire, &from_height, &count)) {
        poa_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    if (count > n->p->sync_batch_max)
        count = n->p->sync_batch_max;
    /* Non-final part of our chain, root's child first. */
    poa_entry *root = poa_tree_root(&n->tree);
    GPtrArray *head_chain = g_ptr_array_new();
    g_ptr_array_set_size(head_chain, (guint)(n->head->header.height - root->header.height));
    for (poa_entry *e = n->head; e != root; e = e->parent)
        head_chain->pdata[e->header.height - root->header.height - 1] = e;
    GPtrArray *bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (uint32_t i = 0; i < count && from_height <= UINT64_MAX - i; i++) {
        GBytes *body = chain_body_at(n, from_height + i, head_chain);
        if (body == NULL)
            break;
        g_ptr_array_add(bodies, body);
    }
    g_ptr_array_free(head_chain, TRUE);
    /* Always answer, even with nothing: the requester stops waiting. */
    GBytes *reply = poa_msg_blocks_encode(bodies);
    n->env.send(n->env.ctx, from, reply);
    g_bytes_unref(reply);
    g_ptr_array_free(bodies, TRUE);
}

void poa_sync_on_blocks(poa_node *n, proto_node_id from, GBytes *wire)
{
    GPtrArray *bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    if (!poa_msg_blocks_decode(wire, bodies)) {
        poa_reject(n, from, PROTO_REJECT_DECODE);
        g_ptr_array_free(bodies, TRUE);
        return;
    }
    n->sync_inflight_until_ns = 0;
    n->catchup_until_ns = 0;
    bool any = false;
    for (guint i = 0; i < bodies->len; i++)
        any |= intake(n, from, bodies->pdata[i]);
    if (any) {
        adopt_orphans(n);
        poa_chain_update_head(n);
    }
    /* A full batch means the peer may have more: keep going. */
    if (bodies->len == n->p->sync_batch_max && n->orphans->len > 0)
        poa_sync_request(n, from, n->head->header.height + 1);
    g_ptr_array_free(bodies, TRUE);
}
