/* Durable per-node store for the simulator (see store.h). */
#include "sim/engine/store.h"

struct sim_store {
    GHashTable *map; /* char* -> GBytes* */
    uint64_t bytes;
};

sim_store *sim_store_new(void)
{
    sim_store *s = g_new0(sim_store, 1);
    s->map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_bytes_unref);
    return s;
}

void sim_store_free(sim_store *s)
{
    if (s == NULL)
        return;
    g_hash_table_destroy(s->map);
    g_free(s);
}

void sim_store_put(sim_store *s, const char *key, GBytes *value)
{
    GBytes *old = g_hash_table_lookup(s->map, key);
    if (old != NULL)
        s->bytes -= g_bytes_get_size(old);
    s->bytes += g_bytes_get_size(value);
    g_hash_table_replace(s->map, g_strdup(key), g_bytes_ref(value));
}

GBytes *sim_store_get(sim_store *s, const char *key)
{
    GBytes *v = g_hash_table_lookup(s->map, key);
    return v != NULL ? g_bytes_ref(v) : NULL;
}

void sim_store_clear(sim_store *s)
{
    g_hash_table_remove_all(s->map);
    s->bytes = 0;
}

uint64_t sim_store_bytes(const sim_store *s)
{
    return s->bytes;
}

uint32_t sim_store_count(const sim_store *s)
{
    return g_hash_table_size(s->map);
}
