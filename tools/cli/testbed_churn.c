/* Churn faults in the testbed (testbed.h): the simulator's processes
 * (sim/world/churn.c) on real processes.
 *
 * Each churn fault draws from the stream the simulator's does
 * ("churn/NAME" from the seed), in the same order: at `at` the gap to
 * the first leave, then to the first join; after each event, the gap to
 * that process's next one; nothing at or after the window's end. A leave
 * picks uniformly among the fault's nodes that are up and not leaving, in
 * node order, then draws graceful or crash; a join picks among the nodes
 * churn took down that no crash fault holds. So while the nodes that are
 * up here are the nodes that are up in simulation, the testbed churns
 * the same nodes at the same times as the simulated run of the scenario
 * and seed, and its churn table says so. A graceful leave is SIGUSR1
 * (aitbc-node says GOODBYE to its peers and exits after
 * SIM_CHURN_GRACE_NS); the node counts as leaving, not down, until then,
 * as in simulation. A join wipes the node's store (its records go on)
 * and starts it: a new machine that bootstraps and syncs. */
#include "tools/cli/testbed.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/engine/rng.h"
#include "sim/world/churn.h"

typedef struct churn_fault {
    const sim_fault *fault;
    sim_rng rng;
    int64_t end_ns;
    bool opened;
    int64_t next_ns[2];          /* [leave, join]: INT64_MAX when no more */
} churn_fault;

enum { LEAVE = 0, JOIN = 1 };

struct tbd_churn {
    GArray *faults;              /* churn_fault */
    uint32_t nodes_count;
    bool *churned_out;           /* [nodes]: down because churn took it down */
    int64_t *gone_at_ns;         /* [nodes]: a graceful leave's end, -1: not leaving */
    bool *start_pending;         /* [nodes]: joined while its old process was not reaped */
    GArray *records;             /* sim_membership_record */
    const sim_scenario *sc;
};

tbd_churn *tbd_churn_new(const tbd_testbed *t)
{
    const sim_scenario *sc = t->sc;
    GArray *faults = g_array_new(FALSE, TRUE, sizeof(churn_fault));
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        if (f->action != SIM_FAULT_CHURN || f->agents->len > 0)
            continue;
        churn_fault c = {.fault = f,
                         .end_ns = f->until_ns >= 0 ? f->until_ns : sc->duration_ns,
                         .next_ns = {f->at_ns, INT64_MAX}};
        char *stream = g_strdup_printf("churn/%s", f->name);
        sim_rng_init(&c.rng, sc->seed, stream);
        g_free(stream);
        g_array_append_val(faults, c);
    }
    if (faults->len == 0) {
        g_array_unref(faults);
        return NULL;
    }
    tbd_churn *c = g_new0(tbd_churn, 1);
    c->faults = faults;
    c->sc = sc;
    c->nodes_count = t->nodes_count;
    c->churned_out = g_new0(bool, t->nodes_count);
    c->gone_at_ns = g_new(int64_t, t->nodes_count);
    c->start_pending = g_new0(bool, t->nodes_count);
    for (uint32_t i = 0; i < t->nodes_count; i++)
        c->gone_at_ns[i] = -1;
    c->records = g_array_new(FALSE, FALSE, sizeof(sim_membership_record));
    return c;
}

int64_t tbd_churn_next_ns(const tbd_churn *c)
{
    int64_t next = INT64_MAX;
    for (guint i = 0; i < c->faults->len; i++) {
        const churn_fault *f = &g_array_index(c->faults, churn_fault, i);
        next = MIN(next, MIN(f->next_ns[LEAVE], f->next_ns[JOIN]));
    }
    for (uint32_t i = 0; i < c->nodes_count; i++)
        if (c->gone_at_ns[i] >= 0)
            next = MIN(next, c->gone_at_ns[i]);
    return next;
}

static uint32_t pick(tbd_churn *c, churn_fault *f, const bool *alive, bool joining,
                     int64_t at_ns)
{
    GArray *candidates = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (guint i = 0; i < f->fault->nodes->len; i++) {
        uint32_t node = g_array_index(f->fault->nodes, uint32_t, i);
        bool leaving = c->gone_at_ns[node] >= 0;
        bool up = alive[node] || leaving;
        bool ok = joining ? !up && c->churned_out[node] &&
                                !tbd_crash_holds(c->sc, node, at_ns)
                          : up && !leaving;
        if (ok)
            g_array_append_val(candidates, node);
    }
    uint32_t node = UINT32_MAX;
    if (candidates->len > 0)
        node = g_array_index(candidates, uint32_t, sim_rng_below(&f->rng, candidates->len));
    g_array_unref(candidates);
    return node;
}

static void record(tbd_churn *c, int64_t at_ns, uint32_t node, sim_churn_kind kind)
{
    sim_membership_record r = {.at_ns = at_ns, .node = node, .kind = sim_churn_kind_name(kind)};
    g_array_append_val(c->records, r);
}

static void say(const tbd_testbed *t, int64_t at_ns, const sim_fault *f, const char *what,
                uint32_t node)
{
    fprintf(stderr, "testbed: %.2f s: [fault %s] %s %s\n", at_ns / 1e9, f->name, what,
            t->nodes[node].name);
}

static void leave(tbd_churn *c, churn_fault *f, tbd_testbed *t, bool *alive, int64_t at_ns)
{
    uint32_t node = pick(c, f, alive, false, at_ns);
    if (node == UINT32_MAX)
        return;
    bool graceful = sim_rng_below(&f->rng, 2) == 0;
    record(c, at_ns, node, graceful ? SIM_CHURN_LEAVE_GRACEFUL : SIM_CHURN_LEAVE_CRASH);
    alive[node] = false;
    t->nodes[node].churned = true;
    if (graceful) {
        c->gone_at_ns[node] = at_ns + SIM_CHURN_GRACE_NS;
        if (t->nodes[node].local)
            tbd_node_signal(t, node, SIGUSR1);
        say(t, at_ns, f->fault, "graceful leave of", node);
    } else {
        c->churned_out[node] = true;
        if (t->nodes[node].local)
            tbd_node_signal(t, node, SIGKILL);
        say(t, at_ns, f->fault, "crash leave of", node);
    }
}

static void join(tbd_churn *c, churn_fault *f, tbd_testbed *t, bool *alive, int64_t at_ns)
{
    uint32_t node = pick(c, f, alive, true, at_ns);
    if (node == UINT32_MAX)
        return;
    record(c, at_ns, node, SIM_CHURN_JOIN);
    c->churned_out[node] = false;
    alive[node] = true;
    tbd_node *n = &t->nodes[node];
    n->churned = false;
    say(t, at_ns, f->fault, "join of", node);
    if (n->local)
        c->start_pending[node] = true;
    tbd_churn_start_pending(c, t, alive);
}

void tbd_churn_start_pending(tbd_churn *c, tbd_testbed *t, bool *alive)
{
    for (uint32_t i = 0; c != NULL && i < c->nodes_count; i++) {
        tbd_node *n = &t->nodes[i];
        if (!c->start_pending[i] || n->proc != NULL)
            continue; /* the old process is not reaped yet: the next tick */
        c->start_pending[i] = false;
        tbd_remove_sqlite_file(n->store_path); /* the joining machine is new */
        GError *error = NULL;
        if (!tbd_node_start(t, i, &error)) {
            fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
            g_error_free(error);
            alive[i] = false;
        }
    }
}

/* Draw the gap to process `which`'s next event after at_ns. */
static void schedule(churn_fault *f, int which, int64_t at_ns)
{
    double rate = which == JOIN ? f->fault->join_rate_per_s : f->fault->leave_rate_per_s;
    int64_t gap = sim_churn_gap_ns(&f->rng, rate);
    f->next_ns[which] = gap >= f->end_ns - at_ns ? INT64_MAX : at_ns + gap;
}

void tbd_churn_step(tbd_churn *c, tbd_testbed *t, bool *alive)
{
    int64_t at = tbd_churn_next_ns(c);
    g_assert(at != INT64_MAX);
    for (uint32_t i = 0; i < c->nodes_count; i++) {
        if (c->gone_at_ns[i] == at) {
            c->gone_at_ns[i] = -1;
            c->churned_out[i] = true; /* the machine went away */
            return;
        }
    }
    for (guint i = 0; i < c->faults->len; i++) {
        churn_fault *f = &g_array_index(c->faults, churn_fault, i);
        if (!f->opened && f->next_ns[LEAVE] == at) {
            /* The window opens: the first leave's gap, then the join's. */
            f->opened = true;
            schedule(f, LEAVE, at);
            schedule(f, JOIN, at);
            return;
        }
        for (int which = LEAVE; which <= JOIN; which++) {
            if (!f->opened || f->next_ns[which] != at)
                continue;
            if (which == JOIN)
                join(c, f, t, alive, at);
            else
                leave(c, f, t, alive, at);
            schedule(f, which, at);
            return;
        }
    }
    g_assert_not_reached();
}

const GArray *tbd_churn_records(const tbd_churn *c)
{
    return c != NULL ? c->records : NULL;
}

void tbd_churn_free(tbd_churn *c)
{
    if (c == NULL)
        return;
    g_array_unref(c->faults);
    g_free(c->churned_out);
    g_free(c->gone_at_ns);
    g_free(c->start_pending);
    g_array_unref(c->records);
    g_free(c);
}

/* ---- saved for a merge elsewhere ---- */

bool tbd_churn_save(const GArray *records, const char *path, GError **error)
{
    unlink(path);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_open(path, &db) == SQLITE_OK &&
              sqlite3_exec(db, "BEGIN; CREATE TABLE churn(at_ns INTEGER NOT NULL, node INTEGER "
                               "NOT NULL, kind TEXT NOT NULL);", NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "INSERT INTO churn VALUES(?1, ?2, ?3)", -1, &st, NULL) ==
                  SQLITE_OK;
    for (guint i = 0; ok && i < records->len; i++) {
        const sim_membership_record *r = &g_array_index(records, sim_membership_record, i);
        sqlite3_bind_int64(st, 1, r->at_ns);
        sqlite3_bind_int64(st, 2, r->node);
        sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_reset(st) == SQLITE_OK;
    }
    sqlite3_finalize(st);
    ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        g_set_error(error, TBD_ERROR, 1, "%s: cannot write the churn's record: %s", path,
                    db != NULL ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return ok;
}

GArray *tbd_churn_load(const char *path, GError **error)
{
    static const sim_churn_kind kinds[] = {SIM_CHURN_JOIN, SIM_CHURN_LEAVE_GRACEFUL,
                                           SIM_CHURN_LEAVE_CRASH};
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(sim_membership_record));
    bool ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "SELECT at_ns, node, kind FROM churn ORDER BY rowid", -1,
                                 &st, NULL) == SQLITE_OK;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 2);
        sim_membership_record r = {.at_ns = sqlite3_column_int64(st, 0),
                                   .node = (uint32_t)sqlite3_column_int64(st, 1)};
        for (size_t k = 0; k < G_N_ELEMENTS(kinds) && kind != NULL; k++)
            if (g_str_equal(kind, sim_churn_kind_name(kinds[k])))
                r.kind = sim_churn_kind_name(kinds[k]);
        if (r.kind != NULL)
            g_array_append_val(out, r);
    }
    ok = ok && rc == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok) {
        g_set_error(error, TBD_ERROR, 1, "%s: cannot read the churn's record: %s", path,
                    db != NULL ? sqlite3_errmsg(db) : "out of memory");
        g_array_unref(out);
        out = NULL;
    }
    sqlite3_close(db);
    return out;
}
