/* Node-set parsing for scenario files (see sim/scenario/nodeset.h).
 *
 * Agents are not nodes, but they are named in the same lists (a byzantine
 * fault on a0..a4): while a list is parsed they are marked past the nodes
 * (agent k at node count + k), and split off at the end into a set of
 * their own, or refused where the caller takes nodes only.
 *
 * The text is first cut into words and ".." operators (so "v0..v4" and
 * "v0 .. v4" read the same), then each item (a word, or word..word) is
 * resolved to indexes and marked in a per-node array with the number of
 * the item that named it. That makes the result sorted without a sort, and
 * finds a node named twice ("v1 v1", "v0..v4 v3", "validators v2"): a
 * list that says one thing twice is a typo more often than not, so it is
 * an error naming both items. It costs four bytes per node, which is
 * nothing next to the nodes themselves. */
#include "sim/scenario/nodeset.h"

#include <string.h>

#include "sim/scenario/ini.h"
#include "sim/scenario/scenario.h"

static const char *const nodeset_groups[] = {
    "validators", "full_nodes", "agents", "all", "honest", "none", NULL,
};

/* A parsed single name: kind letter, number, twin mark. */
typedef struct nodeset_name {
    char kind;      /* 'v', 'n' or 'a' */
    uint32_t number;
    gboolean twin;  /* written with a trailing "'" */
} nodeset_name;

/* Which item named each node: 0 = none yet, else the item's number + 1. */
typedef struct nodeset_marks {
    guint32 *item_of;     /* [node count + agents]: nodes, then agents */
    GPtrArray *items;     /* char*: each item as written ("v1", "v0..v4") */
    gboolean agents_ok;   /* the caller takes agents */
} nodeset_marks;

static gboolean nodeset_fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean nodeset_fail(GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE, msg);
    return FALSE;
}

uint32_t sim_nodeset_node_count(const sim_nodeset_ctx *ctx)
{
    uint32_t twins = ctx->twins != NULL ? ctx->twins->len : 0;
    return ctx->validators + ctx->full_nodes + twins;
}

char *sim_nodeset_node_name(const sim_nodeset_ctx *ctx, uint32_t index)
{
    g_assert(index < sim_nodeset_node_count(ctx));
    if (index < ctx->validators)
        return g_strdup_printf("v%u", index);
    index -= ctx->validators;
    if (index < ctx->full_nodes)
        return g_strdup_printf("n%u", index);
    index -= ctx->full_nodes;
    return g_strdup_printf("v%u'", g_array_index(ctx->twins, uint32_t, index));
}

/* A mark's name: a node's, or "aK" past the nodes. */
static char *nodeset_mark_name(const sim_nodeset_ctx *ctx, uint32_t mark)
{
    uint32_t nodes = sim_nodeset_node_count(ctx);
    return mark < nodes ? sim_nodeset_node_name(ctx, mark) : g_strdup_printf("a%u", mark - nodes);
}

/* "v12" / "v3'" -> name; no leading zeros ("v01" is not v1: one spelling
 * per node keeps reports and scenario text greppable). */
static gboolean nodeset_scan_name(const char *word, nodeset_name *out)
{
    if (word[0] != 'v' && word[0] != 'n' && word[0] != 'a')
        return FALSE;
    const char *p = word + 1;
    if (!g_ascii_isdigit(*p) || (p[0] == '0' && g_ascii_isdigit(p[1])))
        return FALSE;
    uint64_t number = 0;
    for (; g_ascii_isdigit(*p); p++) {
        number = number * 10 + (uint64_t)(*p - '0');
        if (number > UINT32_MAX)
            return FALSE;
    }
    out->kind = word[0];
    out->number = (uint32_t)number;
    out->twin = *p == '\'';
    if (out->twin && word[0] != 'v')
        return FALSE;
    return *p == '\0' || (out->twin && p[1] == '\0');
}

static gboolean nodeset_bad_word(const char *word, GError **error)
{
    const char *near = sim_ini_closest(word, nodeset_groups);
    if (near != NULL)
        return nodeset_fail(error, "bad node name '%s'; did you mean '%s'?", word, near);
    return nodeset_fail(error,
                        "bad node name '%s' (write v3, n12, a0, v0..v4, or validators, "
                        "full_nodes, agents, all, honest)",
                        word);
}

static gboolean nodeset_agent_index(const sim_nodeset_ctx *ctx, const char *word,
                                    const nodeset_name *nm, const nodeset_marks *m, uint32_t *out,
                                    GError **error)
{
    if (ctx->agents == 0)
        return nodeset_fail(error, "%s names no agent (there are none without an [agents] "
                                   "section)",
                            word);
    if (nm->number >= ctx->agents)
        return nodeset_fail(error, "%s names no agent (agents are a0..a%u: providers, "
                                   "consumers, verifiers then arbiters)",
                            word, ctx->agents - 1);
    if (!m->agents_ok)
        return nodeset_fail(error, "%s is an agent, not a node (agents can be named only by "
                                   "byzantine and churn faults)",
                            word);
    *out = sim_nodeset_node_count(ctx) + nm->number;
    return TRUE;
}

/* Index of a non-twin name (an agent's is past the nodes), or an error
 * that it names no node. */
static gboolean nodeset_index(const sim_nodeset_ctx *ctx, const char *word, const nodeset_name *nm,
                              const nodeset_marks *m, uint32_t *out, GError **error)
{
    if (nm->kind == 'a')
        return nodeset_agent_index(ctx, word, nm, m, out, error);
    struct { char kind; uint32_t count; uint32_t base; const char *plural; } kinds[] = {
        {'v', ctx->validators, 0, "validators"},
        {'n', ctx->full_nodes, ctx->validators, "full nodes"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        if (kinds[i].kind != nm->kind)
            continue;
        if (nm->number < kinds[i].count) {
            *out = kinds[i].base + nm->number;
            return TRUE;
        }
        if (kinds[i].count == 0)
            return nodeset_fail(error, "%s names no node (there are no %s)", word,
                                kinds[i].plural);
        return nodeset_fail(error, "%s names no node (%s are %c0..%c%u)", word, kinds[i].plural,
                            nm->kind, nm->kind, kinds[i].count - 1);
    }
    g_assert_not_reached();
    return FALSE;
}

static gboolean nodeset_twin_index(const sim_nodeset_ctx *ctx, const char *word,
                                   const nodeset_name *nm, uint32_t *out, GError **error)
{
    if (ctx->twins == NULL)
        return nodeset_fail(error, "%s: twin names cannot be used here", word);
    uint32_t base = ctx->validators + ctx->full_nodes;
    for (guint i = 0; i < ctx->twins->len; i++) {
        if (g_array_index(ctx->twins, uint32_t, i) == nm->number) {
            *out = base + i;
            return TRUE;
        }
    }
    return nodeset_fail(error, "%s names no node (no byzantine fault with behavior = twin on v%u)",
                        word, nm->number);
}

/* Mark nodes [lo, hi) as named by the current item (the last in marks). */
static gboolean nodeset_mark(const sim_nodeset_ctx *ctx, nodeset_marks *m, uint32_t lo,
                             uint32_t hi, GError **error)
{
    guint32 item = m->items->len; /* current item's number + 1 */
    for (uint32_t i = lo; i < hi; i++) {
        if (m->item_of[i] != 0) {
            g_autofree char *name = nodeset_mark_name(ctx, i);
            const char *before = g_ptr_array_index(m->items, m->item_of[i] - 1);
            const char *now = g_ptr_array_index(m->items, item - 1);
            if (g_str_equal(before, now))
                return nodeset_fail(error, "%s is named twice", name);
            return nodeset_fail(error, "%s is named twice (by '%s' and '%s')", name, before,
                                now);
        }
        m->item_of[i] = item;
    }
    return TRUE;
}

static gboolean nodeset_add_group(const sim_nodeset_ctx *ctx, const char *word, nodeset_marks *m,
                                  GError **error)
{
    uint32_t total = sim_nodeset_node_count(ctx);
    uint32_t lo = 0, hi = 0; /* [lo, hi) */
    if (strcmp(word, "validators") == 0) {
        hi = ctx->validators;
    } else if (strcmp(word, "full_nodes") == 0) {
        lo = ctx->validators;
        hi = lo + ctx->full_nodes;
    } else if (strcmp(word, "agents") == 0) {
        if (ctx->agents > 0 && !m->agents_ok)
            return nodeset_fail(error, "`agents` names agents, not nodes (agents can be named "
                                       "only by byzantine and churn faults)");
        if (ctx->agents == 0)
            return nodeset_fail(error, "`agents` names no agent (there are none without an "
                                       "[agents] section)");
        lo = total;
        hi = lo + ctx->agents;
    } else if (strcmp(word, "all") == 0) {
        hi = total;
    } else {
        g_assert(strcmp(word, "honest") == 0);
        if (ctx->byzantine == NULL)
            return nodeset_fail(error, "`honest` cannot be used here (it is defined by the "
                                       "byzantine faults)");
        g_autofree guint8 *byz = g_new0(guint8, total + 1);
        for (guint i = 0; i < ctx->byzantine->len; i++)
            byz[g_array_index(ctx->byzantine, uint32_t, i)] = 1;
        gboolean any = FALSE;
        for (uint32_t i = 0; i < total; i++) {
            if (!byz[i] && !nodeset_mark(ctx, m, i, i + 1, error))
                return FALSE;
            any = any || !byz[i];
        }
        return any ? TRUE : nodeset_fail(error, "`honest` names no node (every node is byzantine)");
    }
    if (lo == hi)
        return nodeset_fail(error, "`%s` names no node (there are none)", word);
    return nodeset_mark(ctx, m, lo, hi, error);
}

/* One item: a single word or first..last. */
static gboolean nodeset_add_item(const sim_nodeset_ctx *ctx, const char *first, const char *last,
                                 nodeset_marks *m, GError **error)
{
    nodeset_name a, b;
    uint32_t ia = 0, ib = 0;
    g_ptr_array_add(m->items, last == NULL ? g_strdup(first) : g_strdup_printf("%s..%s", first,
                                                                               last));
    if (last == NULL && g_strv_contains(nodeset_groups, first))
        return nodeset_add_group(ctx, first, m, error);
    if (!nodeset_scan_name(first, &a))
        return nodeset_bad_word(first, error);
    if (last == NULL) {
        gboolean ok = a.twin ? nodeset_twin_index(ctx, first, &a, &ia, error)
                             : nodeset_index(ctx, first, &a, m, &ia, error);
        return ok && nodeset_mark(ctx, m, ia, ia + 1, error);
    }
    if (!nodeset_scan_name(last, &b))
        return nodeset_bad_word(last, error);
    if (a.twin || b.twin || a.kind != b.kind)
        return nodeset_fail(error, "bad range %s..%s: both ends must be the same kind (like v0..v4)",
                            first, last);
    if (b.number < a.number)
        return nodeset_fail(error, "bad range %s..%s: end before start", first, last);
    if (!nodeset_index(ctx, first, &a, m, &ia, error) ||
        !nodeset_index(ctx, last, &b, m, &ib, error))
        return FALSE;
    return nodeset_mark(ctx, m, ia, ib + 1, error);
}

/* Cut text into words and ".." tokens; separators are blanks and commas. */
static GPtrArray *nodeset_tokens(const char *text)
{
    GPtrArray *tokens = g_ptr_array_new_with_free_func(g_free);
    const char *p = text;
    while (*p != '\0') {
        if (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        } else if (p[0] == '.' && p[1] == '.') {
            g_ptr_array_add(tokens, g_strdup(".."));
            p += 2;
        } else {
            const char *start = p;
            while (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',' &&
                   !(p[0] == '.' && p[1] == '.'))
                p++;
            g_ptr_array_add(tokens, g_strndup(start, (gsize)(p - start)));
        }
    }
    return tokens;
}

static gboolean nodeset_check_none(const GPtrArray *tokens, guint flags, gboolean *is_none,
                                   GError **error)
{
    *is_none = FALSE;
    for (guint i = 0; i < tokens->len; i++) {
        if (strcmp(g_ptr_array_index(tokens, i), "none") != 0)
            continue;
        if (!(flags & SIM_NODESET_ALLOW_NONE))
            return nodeset_fail(error, "`none` cannot be used here");
        if (tokens->len != 1)
            return nodeset_fail(error, "`none` cannot be combined with node names");
        *is_none = TRUE;
    }
    return TRUE;
}

static gboolean nodeset_fill(const sim_nodeset_ctx *ctx, const GPtrArray *tokens,
                             nodeset_marks *m, GError **error)
{
    for (guint i = 0; i < tokens->len; i++) {
        const char *first = g_ptr_array_index(tokens, i);
        const char *next = i + 1 < tokens->len ? g_ptr_array_index(tokens, i + 1) : NULL;
        const char *last = NULL;
        if (strcmp(first, "..") == 0)
            return nodeset_fail(error, "bad range: '..' without a start (like v0..v4)");
        if (next != NULL && strcmp(next, "..") == 0) {
            last = i + 2 < tokens->len ? g_ptr_array_index(tokens, i + 2) : NULL;
            if (last == NULL || strcmp(last, "..") == 0)
                return nodeset_fail(error, "bad range %s..: missing end (like v0..v4)", first);
            i += 2;
        }
        if (!nodeset_add_item(ctx, first, last, m, error))
            return FALSE;
    }
    return TRUE;
}

GArray *sim_nodeset_parse(const sim_nodeset_ctx *ctx, const char *text, guint flags,
                          GError **error)
{
    return sim_nodeset_parse_agents(ctx, text, flags, NULL, error);
}

GArray *sim_nodeset_parse_agents(const sim_nodeset_ctx *ctx, const char *text, guint flags,
                                 GArray **agents, GError **error)
{
    g_autoptr(GPtrArray) tokens = nodeset_tokens(text);
    if (tokens->len == 0) {
        nodeset_fail(error, "empty node list%s",
                     (flags & SIM_NODESET_ALLOW_NONE) ? " (write `none` for no nodes)" : "");
        return NULL;
    }
    gboolean is_none = FALSE;
    if (!nodeset_check_none(tokens, flags, &is_none, error))
        return NULL;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *named_agents = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint32_t total = sim_nodeset_node_count(ctx);
    g_autofree guint32 *item_of = g_new0(guint32, total + ctx->agents + 1);
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
    nodeset_marks m = {.item_of = item_of, .items = items, .agents_ok = agents != NULL};
    if (!is_none && !nodeset_fill(ctx, tokens, &m, error)) {
        g_array_unref(out);
        g_array_unref(named_agents);
        return NULL;
    }
    for (uint32_t i = 0; !is_none && i < total + ctx->agents; i++) {
        uint32_t agent = i - total;
        if (item_of[i] != 0 && i < total)
            g_array_append_val(out, i);
        else if (item_of[i] != 0)
            g_array_append_val(named_agents, agent);
    }
    if (agents != NULL)
        *agents = named_agents;
    else
        g_array_unref(named_agents);
    return out;
}
