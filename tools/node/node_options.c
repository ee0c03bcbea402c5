/* aitbc-node's command line and address book (see node_options.h). */
#include "tools/node/node_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/nodeset.h"

#define TB_OPTIONS_ERROR (g_quark_from_static_string("tb-options-error"))
#define TB_PEERS_FILE_MAX (1024 * 1024)

const char tb_options_usage[] =
    "usage: aitbc-node --scenario FILE --node NAME --listen HOST:PORT --peers FILE|LIST\n"
    "                  --store PATH --records PATH [--seed N] [--set SECTION.KEY=VALUE]...\n"
    "                  [--genesis-ms UNIX_MS] [--frame-max BYTES] [--emulate-links]\n"
    "Runs one node of the scenario (a validator vK or a full node nK) on TCP.\n"
    "  --peers        NAME=HOST:PORT,... or a file of 'NAME HOST:PORT' lines\n"
    "  --store        the node's durable store (SQLite; kept across restarts)\n"
    "  --records      what the node observed (SQLite; one run per start)\n"
    "  --genesis-ms   wall-clock time of the chain's time 0, the same for every\n"
    "                 node (default 0: the Unix epoch)\n"
    "  --emulate-links  add the scenario's [network] latency, loss and duplicate\n"
    "                 to every message sent (partition and degrade faults are\n"
    "                 applied either way)\n"
    "Exit: 0 stopped by SIGINT/SIGTERM; 2 bad command line, scenario or port;\n"
    "3 internal error.\n";

static bool options_fail(GError **error, const char *fmt, const char *arg)
{
    g_set_error(error, TB_OPTIONS_ERROR, 1, fmt, arg);
    return false;
}

bool tb_parse_host_port(const char *text, char **host, uint16_t *port, GError **error)
{
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text)
        return options_fail(error, "'%s' is not HOST:PORT", text);
    const char *h = text;
    size_t h_len = (size_t)(colon - text);
    if (text[0] == '[') { /* [v6]:port */
        if (colon[-1] != ']' || h_len < 3)
            return options_fail(error, "'%s' is not [ADDRESS]:PORT", text);
        h = text + 1;
        h_len -= 2;
    }
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || p == 0 || p > 65535)
        return options_fail(error, "'%s': the port must be 1..65535", text);
    *host = g_strndup(h, h_len);
    *port = (uint16_t)p;
    return true;
}

uint32_t tb_first_twin(const sim_scenario *sc)
{
    return sim_scenario_node_count(sc) - sc->twins->len;
}

int32_t tb_validator_of(const sim_scenario *sc, uint32_t node)
{
    if (node < sc->validators)
        return (int32_t)node;
    if (node >= tb_first_twin(sc) && node < sim_scenario_node_count(sc))
        return (int32_t)g_array_index(sc->twins, uint32_t, node - tb_first_twin(sc));
    return -1;
}

bool tb_node_by_name(const sim_scenario *sc, const char *name, uint32_t *node, GError **error)
{
    sim_nodeset_ctx ctx = {.validators = sc->validators,
                           .full_nodes = sc->full_nodes,
                           .agents = sc->agents,
                           .twins = sc->twins};
    GError *local = NULL;
    GArray *set = strpbrk(name, " \t,") == NULL ? sim_nodeset_parse(&ctx, name, 0, &local) : NULL;
    uint32_t index = set != NULL && set->len == 1 ? g_array_index(set, uint32_t, 0) : UINT32_MAX;
    bool ok = set != NULL && set->len == 1 && strstr(name, "..") == NULL &&
              (index < sc->validators + sc->full_nodes ||
               (index >= tb_first_twin(sc) && index < sim_scenario_node_count(sc)));
    if (ok)
        *node = index;
    else
        g_set_error(error, TB_OPTIONS_ERROR, 1,
                    "'%s' is not a validator, full node or twin of %s (v0..v%u%s%s)%s%s", name,
                    sc->path, sc->validators - 1, sc->full_nodes > 0 ? ", n0.." : "",
                    sc->twins->len > 0 ? ", vK' for a twin fault's K" : "",
                    local != NULL ? ": " : "", local != NULL ? local->message : "");
    g_clear_error(&local);
    if (set != NULL)
        g_array_unref(set);
    return ok;
}

void tb_peer_addrs_free(GArray *peers)
{
    if (peers == NULL)
        return;
    for (guint i = 0; i < peers->len; i++) {
        tb_peer_addr *p = &g_array_index(peers, tb_peer_addr, i);
        g_free(p->name);
        g_free(p->host);
    }
    g_array_unref(peers);
}

/* One "NAME=HOST:PORT" or "NAME HOST:PORT" entry; `where` names it. */
static bool peer_entry(const sim_scenario *sc, char *entry, const char *where, uint32_t self,
                       GArray *peers, bool *seen, GError **error)
{
    char *sep = strpbrk(entry, "= \t");
    if (sep == NULL) {
        g_set_error(error, TB_OPTIONS_ERROR, 1, "%s: '%s' is not NAME=HOST:PORT", where, entry);
        return false;
    }
    *sep = '\0';
    char *addr = g_strstrip(sep + 1);
    tb_peer_addr p = {0};
    GError *local = NULL;
    if (!tb_node_by_name(sc, entry, &p.node, &local) ||
        !tb_parse_host_port(addr, &p.host, &p.port, &local)) {
        g_set_error(error, TB_OPTIONS_ERROR, 1, "%s: %s", where, local->message);
        g_error_free(local);
        return false;
    }
    if (seen[p.node]) {
        g_set_error(error, TB_OPTIONS_ERROR, 1, "%s: %s is named twice", where, entry);
        g_free(p.host);
        return false;
    }
    seen[p.node] = true;
    if (p.node == self) {
        g_free(p.host);
        return true;
    }
    p.name = g_strdup(entry);
    g_array_append_val(peers, p);
    return true;
}

/* The entries of a file (one a line) or of a list (commas or blanks). */
static char **peer_entries(const char *peers, bool *is_file, GError **error)
{
    *is_file = g_file_test(peers, G_FILE_TEST_IS_REGULAR);
    if (!*is_file) {
        /* NAME=HOST:PORT entries: blanks may separate them too. */
        char *spaced = g_strdup(peers);
        g_strdelimit(spaced, ", \t\n", ',');
        char **entries = g_strsplit(spaced, ",", -1);
        g_free(spaced);
        return entries;
    }
    char *text = NULL;
    gsize size = 0;
    if (!g_file_get_contents(peers, &text, &size, error))
        return NULL;
    if (size > TB_PEERS_FILE_MAX) {
        g_free(text);
        options_fail(error, "%s: the peers file is over 1 MiB", peers);
        return NULL;
    }
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    return lines;
}

GArray *tb_peers_parse(const sim_scenario *sc, const char *peers, uint32_t self, GError **error)
{
    bool is_file;
    char **entries = peer_entries(peers, &is_file, error);
    if (entries == NULL)
        return NULL;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(tb_peer_addr));
    bool *seen = g_new0(bool, sim_scenario_node_count(sc));
    bool ok = true;
    for (guint i = 0; ok && entries[i] != NULL; i++) {
        char *hash = strchr(entries[i], '#');
        if (is_file && hash != NULL)
            *hash = '\0';
        char *entry = g_strstrip(entries[i]);
        if (*entry == '\0')
            continue;
        char *where = is_file ? g_strdup_printf("%s:%u", peers, i + 1) : g_strdup("--peers");
        ok = peer_entry(sc, entry, where, self, out, seen, error);
        g_free(where);
    }
    g_free(seen);
    g_strfreev(entries);
    if (!ok) {
        tb_peer_addrs_free(out);
        return NULL;
    }
    return out;
}

/* The value of a long option at argv[*i] ("--name VALUE"). */
static const char *option_value(int argc, char **argv, int *i, GError **error)
{
    if (*i + 1 >= argc) {
        options_fail(error, "%s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

static bool parse_u64(const char *opt, const char *text, uint64_t max, uint64_t *out,
                      GError **error)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v > max) {
        g_set_error(error, TB_OPTIONS_ERROR, 1, "%s needs an integer 0..%" G_GUINT64_FORMAT
                    ", not '%s'", opt, max, text);
        return false;
    }
    *out = v;
    return true;
}

/* One option and its value; false with error. */
static bool options_one(tb_options *o, const char *opt, const char *value, GError **error)
{
    char **text = g_str_equal(opt, "--scenario")  ? &o->scenario_path
                  : g_str_equal(opt, "--node")    ? &o->node_name
                  : g_str_equal(opt, "--listen")  ? &o->listen
                  : g_str_equal(opt, "--peers")   ? &o->peers
                  : g_str_equal(opt, "--store")   ? &o->store_path
                  : g_str_equal(opt, "--records") ? &o->records_path
                                                  : NULL;
    if (text != NULL) {
        g_free(*text);
        *text = g_strdup(value);
        return true;
    }
    uint64_t v;
    if (g_str_equal(opt, "--seed")) {
        if (!parse_u64(opt, value, UINT64_MAX, &v, error))
            return false;
        g_ptr_array_insert(o->overrides, (gint)o->overrides->len - 1,
                           g_strdup_printf("scenario.seed=%" G_GUINT64_FORMAT, v));
        return true;
    }
    if (g_str_equal(opt, "--set")) {
        g_ptr_array_insert(o->overrides, (gint)o->overrides->len - 1, g_strdup(value));
        return true;
    }
    if (g_str_equal(opt, "--genesis-ms")) {
        if (!parse_u64(opt, value, (uint64_t)(INT64_MAX / 1000000), &v, error))
            return false;
        o->genesis_unix_ns = (int64_t)v * 1000000;
        return true;
    }
    if (g_str_equal(opt, "--frame-max")) {
        if (!parse_u64(opt, value, UINT32_MAX, &v, error))
            return false;
        if (v == 0)
            return options_fail(error, "%s must be at least 1", opt);
        o->frame_max = (uint32_t)v;
        return true;
    }
    return options_fail(error, "unknown option '%s'", opt);
}

bool tb_options_parse(tb_options *o, int argc, char **argv, GError **error)
{
    *o = (tb_options){0};
    o->overrides = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(o->overrides, NULL);
    for (int i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--help") || g_str_equal(argv[i], "-h")) {
            g_set_error(error, TB_OPTIONS_ERROR, TB_OPTIONS_HELP, "help");
            return false;
        }
        if (!g_str_has_prefix(argv[i], "--"))
            return options_fail(error, "unexpected argument '%s'", argv[i]);
        if (g_str_equal(argv[i], "--emulate-links")) {
            o->emulate_links = true;
            continue;
        }
        const char *opt = argv[i];
        const char *value = option_value(argc, argv, &i, error);
        if (value == NULL || !options_one(o, opt, value, error))
            return false;
    }
    static const char *const required[] = {"--scenario", "--node",  "--listen",
                                           "--peers",    "--store", "--records"};
    char *const given[] = {o->scenario_path, o->node_name,  o->listen,
                           o->peers,         o->store_path, o->records_path};
    for (size_t k = 0; k < G_N_ELEMENTS(required); k++)
        if (given[k] == NULL)
            return options_fail(error, "%s is required", required[k]);
    GError *local = NULL;
    if (!tb_parse_host_port(o->listen, &o->listen_host, &o->listen_port, &local)) {
        g_set_error(error, TB_OPTIONS_ERROR, 1, "--listen: %s", local->message);
        g_error_free(local);
        return false;
    }
    return true;
}

void tb_options_clear(tb_options *o)
{
    g_free(o->scenario_path);
    g_free(o->node_name);
    g_free(o->listen);
    g_free(o->listen_host);
    g_free(o->peers);
    g_free(o->store_path);
    g_free(o->records_path);
    if (o->overrides != NULL)
        g_ptr_array_unref(o->overrides);
    *o = (tb_options){0};
}
