/* Reject accounting per sender, in memory proportional to the senders
 * that misbehaved lately, never to the network's size.
 *
 * A sender whose messages this node rejects more than
 * PBFT_REJECTS_PER_S_MAX times in one second is ignored for PBFT_BAN_NS.
 * Records live in a small array sorted by node id (binary search on every
 * received message), created at a sender's first rejected message. A
 * record whose one-second window is over and which bans nothing holds no
 * information (the next reject starts a fresh window, as from zero), so
 * when the array is full such records are dropped; if every record is
 * still live, the new sender goes unrecorded until one lapses. Either way
 * the outcome depends on the records alone, never on an iteration order. */
#include "protocol/pbft/pbft_internal.h"

#include "protocol/core/sorted.h"

#define NS_PER_S (1000LL * 1000 * 1000)

/* Index of the first record whose id is >= id. */
static guint record_lower_bound(const GArray *records, proto_node_id id)
{
    return proto_lower_bound_u32(records->data, records->len, sizeof(pbft_peer_record),
                                 G_STRUCT_OFFSET(pbft_peer_record, id), id);
}

static pbft_peer_record *record_find(const pbft_node *n, proto_node_id id)
{
    guint at = record_lower_bound(n->peer_records, id);
    if (at < n->peer_records->len) {
        pbft_peer_record *r = &g_array_index(n->peer_records, pbft_peer_record, at);
        if (r->id == id)
            return r;
    }
    return NULL;
}

static bool record_inert(const pbft_peer_record *r, int64_t now)
{
    return now - r->window_ns >= NS_PER_S && r->ban_until_ns <= now;
}

/* Drop the records that carry nothing (see the top of the file). */
static void records_prune(pbft_node *n, int64_t now)
{
    guint kept = 0;
    for (guint i = 0; i < n->peer_records->len; i++) {
        pbft_peer_record r = g_array_index(n->peer_records, pbft_peer_record, i);
        if (!record_inert(&r, now))
            g_array_index(n->peer_records, pbft_peer_record, kept++) = r;
    }
    g_array_set_size(n->peer_records, kept);
}

/* The record of id, created (all zero: no rejects, no ban) if there is
 * room; NULL if the array is full of live records. */
static pbft_peer_record *record_get(pbft_node *n, proto_node_id id, int64_t now)
{
    pbft_peer_record *r = record_find(n, id);
    if (r != NULL)
        return r;
    if (n->peer_records->len >= PBFT_PEER_RECORDS_MAX)
        records_prune(n, now);
    if (n->peer_records->len >= PBFT_PEER_RECORDS_MAX)
        return NULL;
    guint at = record_lower_bound(n->peer_records, id);
    pbft_peer_record fresh = {.id = id};
    g_array_insert_val(n->peer_records, at, fresh);
    return &g_array_index(n->peer_records, pbft_peer_record, at);
}

void pbft_peers_init(pbft_node *n)
{
    n->peer_records = g_array_new(FALSE, FALSE, sizeof(pbft_peer_record));
}

void pbft_peers_clear(pbft_node *n)
{
    g_array_unref(n->peer_records);
}

void pbft_reject(pbft_node *n, proto_node_id from, proto_reject_reason reason)
{
    pbft_reject_tx(n, from, reason, NULL);
}

void pbft_reject_tx(pbft_node *n, proto_node_id from, proto_reject_reason reason,
                    const char *refusal)
{
    proto_event ev = {
        .kind = PROTO_EV_MSG_REJECTED, .from = from, .reason = reason, .refusal = refusal};
    pbft_emit(n, &ev);
    if (from >= n->p->nodes_count || from == n->self)
        return;
    int64_t now = n->env.now_ns(n->env.ctx);
    pbft_peer_record *r = record_get(n, from, now);
    if (r == NULL)
        return;
    if (now - r->window_ns >= NS_PER_S) {
        r->window_ns = now;
        r->rejects = 0;
    }
    if (++r->rejects > PBFT_REJECTS_PER_S_MAX && r->ban_until_ns <= now) {
        r->ban_until_ns = now + PBFT_BAN_NS;
        n->peers_banned++;
        proto_event ban = {.kind = PROTO_EV_PEER_BANNED, .from = from};
        pbft_emit(n, &ban);
    }
}

bool pbft_peer_banned(const pbft_node *n, proto_node_id from)
{
    if (n->peer_records->len == 0)
        return false;
    const pbft_peer_record *r = record_find(n, from);
    return r != NULL && r->ban_until_ns > n->env.now_ns(n->env.ctx);
}

guint pbft_peer_records_count(const pbft_node *n)
{
    return n->peer_records->len;
}
