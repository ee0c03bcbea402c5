/* The testbed's node processes (see testbed.h): find the aitbc-node
 * binary, give every node an address (a free port here, or the hosts
 * file's, where this machine runs the nodes whose addresses it has),
 * start a node with its store and records, signal it, and notice when it
 * exits.
 *
 * A node's stderr goes to DIR/nodes/NAME.log (every start appended). On
 * Linux a node is also told to stop (SIGTERM) if this process dies, so a
 * testbed killed with SIGKILL leaves no daemons behind. */
#include "tools/cli/testbed.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "tools/cli/cli_child.h"
#include "tools/node/node_options.h"

#define TBD_NODE_BIN_NAME "aitbc-node"

char *tbd_find_node_bin(const char *explicit_path, GError **error)
{
    const char *env = g_getenv("AITBC_NODE_BIN");
    char *path = NULL;
    const char *from = NULL;
    if (explicit_path != NULL) {
        path = g_strdup(explicit_path);
        from = "--node-bin";
    } else if (env != NULL && env[0] != '\0') {
        path = g_strdup(env);
        from = "AITBC_NODE_BIN";
    } else {
        char *self = cli_self_exe();
        char *dir = g_path_get_dirname(self);
        path = g_build_filename(dir, TBD_NODE_BIN_NAME, NULL);
        g_free(dir);
        g_free(self);
        from = "the directory of aitbc-sim";
    }
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
        !g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
        g_set_error(error, TBD_ERROR, 1,
                    "the node binary %s (from %s) is missing or not executable: build "
                    "aitbc-node, or name it with --node-bin or AITBC_NODE_BIN",
                    path, from);
        g_free(path);
        return NULL;
    }
    return path;
}

/* Free now: a listening socket can bind it. */
static bool port_free(const char *host, uint16_t port, GError **error)
{
    GInetAddress *inet = g_inet_address_new_from_string(host);
    if (inet == NULL) {
        g_set_error(error, TBD_ERROR, 1, "'%s' is not a numeric address", host);
        return false;
    }
    GSocket *s = g_socket_new(g_inet_address_get_family(inet), G_SOCKET_TYPE_STREAM,
                              G_SOCKET_PROTOCOL_TCP, error);
    bool ok = s != NULL;
    if (ok) {
        GSocketAddress *a = g_inet_socket_address_new(inet, port);
        ok = g_socket_bind(s, a, TRUE, error) && g_socket_listen(s, error);
        g_object_unref(a);
        g_socket_close(s, NULL);
        g_object_unref(s);
    }
    g_object_unref(inet);
    return ok;
}

/* This machine has the address: a socket binds it (on any port). */
static bool address_is_here(const char *host)
{
    GInetAddress *inet = g_inet_address_new_from_string(host);
    if (inet == NULL)
        return false;
    GSocket *s = g_socket_new(g_inet_address_get_family(inet), G_SOCKET_TYPE_STREAM,
                              G_SOCKET_PROTOCOL_TCP, NULL);
    bool ok = false;
    if (s != NULL) {
        GSocketAddress *a = g_inet_socket_address_new(inet, 0);
        ok = g_socket_bind(s, a, FALSE, NULL);
        g_object_unref(a);
        g_socket_close(s, NULL);
        g_object_unref(s);
    }
    g_object_unref(inet);
    return ok;
}

/* Every node's address from the hosts file (aitbc-node's --peers
 * format); each node must be there. */
static bool addresses_from_file(tbd_testbed *t, GError **error)
{
    GArray *book = tb_peers_parse(t->sc, t->hosts_file, UINT32_MAX, error);
    if (book == NULL)
        return false;
    for (guint i = 0; i < book->len; i++) {
        const tb_peer_addr *p = &g_array_index(book, tb_peer_addr, i);
        t->nodes[p->node].host = g_strdup(p->host);
        t->nodes[p->node].port = p->port;
    }
    tb_peer_addrs_free(book);
    GString *missing = g_string_new(NULL);
    for (uint32_t i = 0; i < t->nodes_count; i++)
        if (t->nodes[i].host == NULL)
            g_string_append_printf(missing, "%s%s", missing->len > 0 ? ", " : "",
                                   t->nodes[i].name);
    bool ok = missing->len == 0;
    if (!ok)
        g_set_error(error, TBD_ERROR, 1, "%s: no address for node(s) %s (every node of the "
                    "scenario needs a line NAME HOST:PORT)", t->hosts_file, missing->str);
    g_string_free(missing, TRUE);
    if (!ok)
        return false;
    for (uint32_t i = 0; i < t->nodes_count; i++)
        t->nodes[i].local = t->here != NULL ? strcmp(t->nodes[i].host, t->here) == 0
                                            : address_is_here(t->nodes[i].host);
    if (tbd_nodes_local(t) == 0 && !t->merge_only) {
        g_set_error(error, TBD_ERROR, 1, "%s: none of its addresses is %s, so no node would "
                    "run here", t->hosts_file, t->here != NULL ? t->here : "on this machine");
        return false;
    }
    return true;
}

bool tbd_crash_holds(const sim_scenario *sc, uint32_t node, int64_t at_ns)
{
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        if (f->action != SIM_FAULT_CRASH || at_ns < f->at_ns ||
            (f->until_ns >= 0 && at_ns >= f->until_ns))
            continue;
        for (guint j = 0; j < f->nodes->len; j++)
            if (g_array_index(f->nodes, uint32_t, j) == node)
                return true;
    }
    return false;
}

uint32_t tbd_nodes_local(const tbd_testbed *t)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < t->nodes_count; i++)
        count += t->nodes[i].local;
    return count;
}

void tbd_remove_sqlite_file(const char *path)
{
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t k = 0; k < G_N_ELEMENTS(suffixes); k++) {
        char *file = g_strconcat(path, suffixes[k], NULL);
        unlink(file);
        g_free(file);
    }
}

/* A testbed starts from nothing: the files of an earlier one go. */
static void remove_old_files(const tbd_node *n)
{
    tbd_remove_sqlite_file(n->store_path);
    tbd_remove_sqlite_file(n->records_path);
    unlink(n->log_path);
}

bool tbd_nodes_plan(tbd_testbed *t, uint16_t base_port, GError **error)
{
    t->nodes_count = sim_scenario_node_count(t->sc); /* twins after the full nodes */
    if (t->hosts_file == NULL && (uint32_t)base_port + t->nodes_count - 1 > 65535) {
        g_set_error(error, TBD_ERROR, 1, "--base-port %u leaves no room for %u nodes",
                    base_port, t->nodes_count);
        return false;
    }
    char *nodes_dir = g_build_filename(t->dir, "nodes", NULL);
    if (g_mkdir_with_parents(nodes_dir, 0755) != 0) {
        g_set_error(error, TBD_ERROR, 1, "cannot create %s: %s", nodes_dir, g_strerror(errno));
        g_free(nodes_dir);
        return false;
    }
    t->nodes = g_new0(tbd_node, t->nodes_count);
    for (uint32_t i = 0; i < t->nodes_count; i++) {
        tbd_node *n = &t->nodes[i];
        n->index = i;
        n->name = sim_scenario_node_name(t->sc, i);
        char *base = g_build_filename(nodes_dir, n->name, NULL);
        n->store_path = g_strdup_printf("%s.store", base);
        n->records_path = g_strdup_printf("%s.records", base);
        n->log_path = g_strdup_printf("%s.log", base);
        g_free(base);
        if (t->hosts_file == NULL) {
            n->host = g_strdup(t->host);
            n->port = (uint16_t)(base_port + i);
            n->local = true;
        }
    }
    g_free(nodes_dir);
    if (t->hosts_file != NULL && !addresses_from_file(t, error))
        return false;
    bool ok = true;
    GString *peers = g_string_new(NULL);
    for (uint32_t i = 0; i < t->nodes_count; i++) {
        tbd_node *n = &t->nodes[i];
        if (n->local && !t->merge_only)
            remove_old_files(n);
        GError *local = NULL;
        if (ok && n->local && !t->merge_only && !port_free(n->host, n->port, &local)) {
            g_set_error(error, TBD_ERROR, 1, "port %s:%u for node %s is not available: %s "
                        "(choose others with --base-port)", n->host, n->port, n->name,
                        g_error_matches(local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE)
                            ? "it is in use" : local->message);
            g_error_free(local);
            ok = false;
        }
        g_string_append_printf(peers, "%s%s=%s%s%s:%u", i > 0 ? "," : "", n->name,
                               strchr(n->host, ':') != NULL ? "[" : "", n->host,
                               strchr(n->host, ':') != NULL ? "]" : "", n->port);
    }
    t->peers = g_string_free(peers, FALSE);
    return ok;
}

#ifdef __linux__
static void child_setup(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static void node_exited(GObject *source, GAsyncResult *res, gpointer data)
{
    tbd_testbed *t = data;
    GSubprocess *proc = G_SUBPROCESS(source);
    g_subprocess_wait_finish(proc, res, NULL);
    for (uint32_t i = 0; i < t->nodes_count; i++) {
        tbd_node *n = &t->nodes[i];
        if (n->proc != proc)
            continue;
        n->exit_status = g_subprocess_get_status(proc);
        if (!n->crashed && !n->churned && !t->stopping) {
            n->exited_early = true;
            fprintf(stderr, "aitbc-sim testbed: node %s exited on its own (%s %d); see %s\n",
                    n->name, g_subprocess_get_if_signaled(proc) ? "signal" : "status",
                    g_subprocess_get_if_signaled(proc) ? g_subprocess_get_term_sig(proc)
                                                       : g_subprocess_get_exit_status(proc),
                    n->log_path);
        }
        g_clear_object(&n->proc);
        t->running--;
    }
    g_object_unref(proc); /* the reference the wait held */
    if (t->stopping && t->running == 0 && t->loop != NULL)
        g_main_loop_quit(t->loop);
}

bool tbd_node_start(tbd_testbed *t, uint32_t i, GError **error)
{
    tbd_node *n = &t->nodes[i];
    g_assert(n->proc == NULL && n->local);
    int fd = open(n->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        g_set_error(error, TBD_ERROR, 1, "cannot open %s: %s", n->log_path, g_strerror(errno));
        return false;
    }
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    const char *fixed[] = {t->node_bin, "--scenario", t->scenario_path, "--node", n->name,
                           "--peers", t->peers, "--store", n->store_path,
                           "--records", n->records_path};
    for (size_t k = 0; k < G_N_ELEMENTS(fixed); k++)
        g_ptr_array_add(argv, g_strdup(fixed[k]));
    g_ptr_array_add(argv, g_strdup("--listen"));
    g_ptr_array_add(argv, g_strdup_printf(strchr(n->host, ':') != NULL ? "[%s]:%u" : "%s:%u",
                                          n->host, n->port));
    g_ptr_array_add(argv, g_strdup("--genesis-ms"));
    g_ptr_array_add(argv, g_strdup_printf("%" G_GINT64_FORMAT, t->genesis_unix_ns / 1000000));
    if (t->emulate_links)
        g_ptr_array_add(argv, g_strdup("--emulate-links"));
    for (const char *const *o = t->overrides; o != NULL && *o != NULL; o++) {
        g_ptr_array_add(argv, g_strdup("--set"));
        g_ptr_array_add(argv, g_strdup(*o));
    }
    g_ptr_array_add(argv, NULL);
    GSubprocessLauncher *launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_INHERIT);
    g_subprocess_launcher_take_stdout_fd(launcher, dup(fd));
    g_subprocess_launcher_take_stderr_fd(launcher, fd);
#ifdef __linux__
    g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
#endif
    GError *local = NULL;
    n->proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &local);
    g_object_unref(launcher);
    g_ptr_array_unref(argv);
    if (n->proc == NULL) {
        g_set_error(error, TBD_ERROR, 1, "cannot start node %s (%s): %s", n->name, t->node_bin,
                    local->message);
        g_error_free(local);
        return false;
    }
    n->starts++;
    n->crashed = false;
    t->running++;
    g_subprocess_wait_async(g_object_ref(n->proc), NULL, node_exited, t);
    return true;
}

void tbd_node_signal(tbd_testbed *t, uint32_t i, int signal)
{
    if (t->nodes[i].proc != NULL)
        g_subprocess_send_signal(t->nodes[i].proc, signal);
}

char *tbd_node_log_tail(const tbd_node *n, guint lines)
{
    char *text = NULL;
    if (!g_file_get_contents(n->log_path, &text, NULL, NULL))
        return g_strdup("(no log)");
    g_strchomp(text);
    char **all = g_strsplit(text, "\n", -1);
    guint count = g_strv_length(all);
    char *tail = g_strjoinv("\n", all + (count > lines ? count - lines : 0));
    g_strfreev(all);
    g_free(text);
    return tail;
}

void tbd_nodes_free(tbd_testbed *t)
{
    for (uint32_t i = 0; t->nodes != NULL && i < t->nodes_count; i++) {
        tbd_node *n = &t->nodes[i];
        g_assert(n->proc == NULL);
        g_free(n->name);
        g_free(n->host);
        g_free(n->store_path);
        g_free(n->records_path);
        g_free(n->log_path);
    }
    g_free(t->nodes);
    t->nodes = NULL;
    g_free(t->peers);
    t->peers = NULL;
}
