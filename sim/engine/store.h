/* A node's durable store in the simulator: what survives its crash.
 *
 * A string-keyed map of immutable GBytes. Values are shared by reference
 * (GBytes are immutable), so a block stored by fifty nodes costs its bytes
 * once. Lookup only: the map is never iterated, so its order cannot leak
 * into the run. */
#ifndef AITBC_SIM_STORE_H
#define AITBC_SIM_STORE_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_store sim_store;

sim_store *sim_store_new(void);
void sim_store_free(sim_store *s);
/* Takes its own reference to value. */
void sim_store_put(sim_store *s, const char *key, GBytes *value);
/* New reference or NULL. */
GBytes *sim_store_get(sim_store *s, const char *key);
/* Forget everything: the node's machine is replaced by a new, empty one
 * (churn joins start nodes this way, so they bootstrap and sync). */
void sim_store_clear(sim_store *s);
uint64_t sim_store_bytes(const sim_store *s);
uint32_t sim_store_count(const sim_store *s);

#endif
