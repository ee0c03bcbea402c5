/* Key rotations delivered by the validator's own process (see
 * node_rotations.h). */
#include "tools/node/node_rotations.h"

#include <stdio.h>
#include <string.h>

#define ROTATIONS_STORE_KEY "aitbc-node/rotations"

struct tb_rotations {
    uint64_t seed;
    uint32_t self;
    tb_runtime *rt;
    const tb_host *host;
    GArray *due_ns;              /* int64: chain times of the faults, ascending */
    uint32_t delivered;
    guint source;                /* the wait for the next one, 0: none */
};

static gint compare_i64(gconstpointer a, gconstpointer b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Through the node's environment: a store that fails ends the process
 * (runtime_env.h), as for every other write the node makes. */
static uint32_t load_delivered(tb_runtime *rt)
{
    GBytes *b = rt->env.store_get(rt->env.ctx, ROTATIONS_STORE_KEY);
    uint32_t count = 0;
    gsize size = 0;
    const void *data = b != NULL ? g_bytes_get_data(b, &size) : NULL;
    if (size == sizeof count)
        memcpy(&count, data, sizeof count);
    if (b != NULL)
        g_bytes_unref(b);
    return count;
}

static void save_delivered(tb_rotations *r)
{
    GBytes *b = g_bytes_new(&r->delivered, sizeof r->delivered);
    r->rt->env.store_put(r->rt->env.ctx, ROTATIONS_STORE_KEY, b);
    g_bytes_unref(b);
}

static gboolean rotations_due(gpointer data);

/* Deliver every rotation whose time has come, then wait for the next. */
static void deliver_and_wait(tb_rotations *r)
{
    int64_t now = tb_runtime_now_ns(r->rt);
    while (r->delivered < r->due_ns->len &&
           g_array_index(r->due_ns, int64_t, r->delivered) <= now) {
        r->delivered++;
        char label[64];
        g_snprintf(label, sizeof label, "validator/%u/rotation/%u", r->self, r->delivered);
        proto_keypair kp;
        proto_keypair_derive(&kp, r->seed, label);
        save_delivered(r); /* before: never the same key twice */
        r->host->consensus_ops->rotate_key(r->host->consensus, &kp);
        fprintf(stderr, "aitbc-node: rotation %u of the consensus key handed to the node\n",
                r->delivered);
    }
    if (r->delivered < r->due_ns->len) {
        int64_t wait_ns = g_array_index(r->due_ns, int64_t, r->delivered) - now;
        r->source = g_timeout_add((guint)MIN((wait_ns + 999999) / 1000000, G_MAXUINT),
                                  rotations_due, r);
    }
}

static gboolean rotations_due(gpointer data)
{
    tb_rotations *r = data;
    r->source = 0;
    deliver_and_wait(r);
    return G_SOURCE_REMOVE;
}

tb_rotations *tb_rotations_start(const sim_scenario *sc, uint32_t self, tb_runtime *rt,
                                 const tb_host *host)
{
    GArray *due = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        if (f->action != SIM_FAULT_ROTATE_KEY)
            continue;
        for (guint k = 0; k < f->nodes->len; k++)
            if (g_array_index(f->nodes, uint32_t, k) == self)
                g_array_append_val(due, f->at_ns);
    }
    if (due->len == 0 || self >= sc->validators) {
        g_array_unref(due);
        return NULL;
    }
    g_array_sort(due, compare_i64);
    g_assert(host->consensus_ops->rotate_key != NULL); /* the testbed refuses PoA's */
    tb_rotations *r = g_new0(tb_rotations, 1);
    *r = (tb_rotations){.seed = sc->seed, .self = self, .rt = rt, .host = host, .due_ns = due};
    r->delivered = MIN(load_delivered(rt), due->len);
    deliver_and_wait(r);
    return r;
}

void tb_rotations_free(tb_rotations *r)
{
    if (r == NULL)
        return;
    if (r->source != 0)
        g_source_remove(r->source);
    g_array_unref(r->due_ns);
    g_free(r);
}
