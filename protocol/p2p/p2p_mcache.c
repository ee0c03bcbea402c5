/* The message cache (see p2p_mcache.h). */
#include "protocol/p2p/p2p_mcache.h"

void p2p_mcache_init(p2p_mcache *m, uint32_t cap, int64_t ttl_ns)
{
    g_assert(cap >= 1 && ttl_ns > 0);
    *m = (p2p_mcache){.cap = cap, .ttl_ns = ttl_ns};
}

static void drop_head(p2p_mcache *m)
{
    g_assert(m->count > 0);
    p2p_mcache_entry *e = &m->ring[m->head];
    g_bytes_unref(e->envelope);
    if (e->served != NULL)
        g_array_unref(e->served);
    *e = (p2p_mcache_entry){0};
    m->head = (m->head + 1) % m->cap;
    m->count--;
}

void p2p_mcache_clear(p2p_mcache *m)
{
    while (m->count > 0)
        drop_head(m);
    g_free(m->ring);
    m->ring = NULL;
}

void p2p_mcache_expire(p2p_mcache *m, int64_t now_ns)
{
    while (m->count > 0 && m->ring[m->head].at_ns <= now_ns - m->ttl_ns)
        drop_head(m);
    if (m->count == 0) {
        g_free(m->ring); /* an idle node holds nothing */
        m->ring = NULL;
        m->head = 0;
    }
}

void p2p_mcache_put(p2p_mcache *m, const p2p_id *id, GBytes *envelope, int64_t now_ns)
{
    if (m->ring == NULL)
        m->ring = g_new0(p2p_mcache_entry, m->cap);
    if (m->count == m->cap)
        drop_head(m);
    uint32_t slot = (m->head + m->count) % m->cap;
    m->ring[slot] = (p2p_mcache_entry){.id = *id, .envelope = g_bytes_ref(envelope),
                                       .at_ns = now_ns};
    m->count++;
}

p2p_mcache_result p2p_mcache_serve(p2p_mcache *m, const p2p_id *id, proto_node_id peer,
                                   int64_t now_ns, GBytes **envelope)
{
    p2p_mcache_expire(m, now_ns);
    for (uint32_t k = 0; k < m->count; k++) {
        p2p_mcache_entry *e = &m->ring[(m->head + k) % m->cap];
        if (!p2p_id_equal(&e->id, id))
            continue;
        if (e->served == NULL)
            e->served = g_array_new(FALSE, FALSE, sizeof(proto_node_id));
        for (guint i = 0; i < e->served->len; i++)
            if (g_array_index(e->served, proto_node_id, i) == peer)
                return P2P_MCACHE_REPEAT;
        g_array_append_val(e->served, peer);
        *envelope = e->envelope;
        return P2P_MCACHE_SERVE;
    }
    return P2P_MCACHE_MISSING;
}
