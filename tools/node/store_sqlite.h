/* A testbed node's durable store: the env table's store_put/store_get
 * in a SQLite file, one key-value table.
 *
 * The protocol writes before it acts on what it wrote (a validator
 * records what it signed before it sends the vote), so every put is its
 * own committed transaction. The database runs in WAL mode with
 * synchronous=NORMAL: a committed put survives the process being killed
 * (what a testbed crash does), though not necessarily the machine losing
 * power. A put that fails cannot be taken back by the protocol, so the
 * caller stops the node (see runtime_env.c). */
#ifndef AITBC_TOOLS_NODE_STORE_SQLITE_H
#define AITBC_TOOLS_NODE_STORE_SQLITE_H

#include <glib.h>
#include <stdbool.h>

typedef struct tb_store tb_store;

/* Opens or creates path; NULL with an error naming it on failure. */
tb_store *tb_store_open(const char *path, GError **error);
void tb_store_close(tb_store *s);
/* False with error if the value could not be made durable. */
bool tb_store_put(tb_store *s, const char *key, GBytes *value, GError **error);
/* A new reference, or NULL if absent (or unreadable: error set). */
GBytes *tb_store_get(tb_store *s, const char *key, GError **error);
/* Keys stored now (for the records at the end of a run). */
int64_t tb_store_count(tb_store *s);

#endif
