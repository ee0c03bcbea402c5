/* The `upgrade` fault: a versioned module upgrade
 * (protocol/modules/upgrade/upgrade.h) and the operators who install it
 * late.
 *
 *   [fault upgrade-escrow]
 *   at = 120s
 *   action = upgrade
 *   module = escrow        # a module's name (escrow = jobs)
 *   version = 2            # the version it moves to
 *   blocks = 10            # activation: the chain's height at `at` + this
 *   nodes = v7..v9         # these run the old code ...
 *   lag = 30s              # ... until `at` + lag (default 0)
 *
 * At `at` the chain's upgrade authority (a 2-of-3 multisig the simulator
 * creates at genesis when a scenario has an upgrade) plans the version
 * for height = the chain's height + `blocks`. Every node but `nodes`
 * runs code that knows it from the start; `nodes` run the version below
 * until `at` + `lag`, when their operators restart them on the new code.
 * A laggard still on the old code at the activation height halts there
 * and catches up once restarted.
 *
 * Refused here, each with file, line and key: an unknown module name; a
 * module this build runs only at version 1 (nothing to upgrade to); a
 * version outside 2..the build's; a module absent from this scenario's
 * chain (jobs needs [agents]); two upgrades of one module; agents in
 * `nodes` (they run no chain code); blocks outside 5..1000; [expect]
 * max_upgrade_stall or max_upgrade_halt without an upgrade to measure. */
#include "sim/scenario/scenario_internal.h"

#include <stddef.h>
#include <string.h>

#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/modules.h"

#define UPGRADE_AT(field) offsetof(sim_fault, field)
#define UPGRADE_BLOCKS_DEFAULT 10u
#define UPGRADE_BLOCKS_MIN 5u /* approvals, then the exec, each a block or two */
#define UPGRADE_BLOCKS_MAX 1000u
#define UPGRADE_VERSION_READ_MAX 65535

static const sim_scn_key upgrade_keys[] = {
    {.key = "version", .type = SIM_SCN_U32, .offset = UPGRADE_AT(upgrade_version), .lo = 1,
     .hi = UPGRADE_VERSION_READ_MAX},
    {.key = "blocks", .type = SIM_SCN_U32, .offset = UPGRADE_AT(upgrade_blocks),
     .lo = UPGRADE_BLOCKS_MIN, .hi = UPGRADE_BLOCKS_MAX},
    {.key = "lag", .type = SIM_SCN_DURATION, .offset = UPGRADE_AT(upgrade_lag_ns)},
    {0},
};

/* The module a name means: a module's own name, or "escrow" for the
 * jobs module (the job escrow it holds). */
static const proto_module *module_named(const char *name)
{
    const proto_module_set *set = proto_modules_default();
    if (strcmp(name, "escrow") == 0)
        return proto_module_set_find(set, PROTO_JOBS_MODULE_ID);
    for (uint32_t i = 0; i < set->count; i++)
        if (strcmp(set->modules[i]->name, name) == 0)
            return set->modules[i];
    return NULL;
}

/* What a module may be upgraded to in this build, for error messages:
 * "jobs (escrow) to 2". */
static char *upgradable(void)
{
    const proto_module_set *set = proto_modules_default();
    GString *out = g_string_new("");
    for (uint32_t i = 0; i < set->count; i++) {
        const proto_module *m = set->modules[i];
        if (m->version < 2)
            continue;
        g_string_append_printf(out, "%s%s%s to %u", out->len > 0 ? ", " : "", m->name,
                               m->id == PROTO_JOBS_MODULE_ID ? " (escrow)" : "", m->version);
    }
    return g_string_free(out, FALSE);
}

/* Whether this scenario's chain holds the module's state. */
static bool module_in_chain(const sim_scenario *s, const proto_module *m, const char **needs)
{
    *needs = NULL;
    if (m->id == PROTO_JOBS_MODULE_ID) {
        *needs = "[agents]";
        return s->agents_opt.declared && s->protocol == SIM_CONSENSUS_PBFT;
    }
    return false; /* only the modules above are ever upgradable in this build */
}

static gboolean read_module(sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                            GError **error)
{
    const sim_ini_entry *e = sim_ini_find_entry(sec, "module");
    const proto_module *m = module_named(e->value);
    g_autofree char *can = upgradable();
    if (m == NULL)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "unknown module '%s' (upgradable in this build: %s)", e->value, can);
    if (m->version < 2)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "this build runs module %s at version 1 only: nothing to upgrade to "
                            "(upgradable: %s)",
                            m->name, can);
    const char *needs = NULL;
    if (!module_in_chain(c->s, m, &needs))
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "module %s is not in this chain (it needs %s on protocol = pbft)",
                            m->name, needs);
    f->upgrade_module = m->id;
    const sim_ini_entry *v = sim_ini_find_entry(sec, "version");
    if (f->upgrade_version < 2 || f->upgrade_version > m->version)
        return sim_scn_fail(c, sec, v, SIM_SCENARIO_ERROR_VALUE, error,
                            "module %s: version %u is outside 2..%u (a chain starts at 1; this "
                            "build runs up to %u)",
                            m->name, f->upgrade_version, m->version, m->version);
    for (guint i = 0; i < c->s->faults->len; i++) {
        const sim_fault *o = g_ptr_array_index(c->s->faults, i);
        if (o != f && o->action == SIM_FAULT_UPGRADE && o->upgrade_module == m->id)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "module %s is upgraded by fault '%s' already (one upgrade "
                                "per module)",
                                m->name, o->name);
    }
    return TRUE;
}

gboolean sim_scn_read_upgrade(sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                              GError **error)
{
    g_assert(f->action == SIM_FAULT_UPGRADE);
    f->upgrade_blocks = UPGRADE_BLOCKS_DEFAULT;
    if (!sim_scn_read_keys(c, sec, upgrade_keys, f, error))
        return FALSE;
    if (f->agents->len > 0)
        return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "nodes"), SIM_SCENARIO_ERROR_VALUE,
                            error, "upgrade: agents run no chain code (name nodes)");
    if (f->nodes->len == 0 && sim_ini_find_entry(sec, "lag") != NULL)
        return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "lag"), SIM_SCENARIO_ERROR_KEY,
                            error, "lag needs `nodes`: the nodes that install the upgrade late");
    return read_module(c, sec, f, error);
}

gboolean sim_scn_check_expect_upgrade(sim_scn_ctx *c, GError **error)
{
    const sim_expect *x = &c->s->expect;
    if (!x->has_max_upgrade_stall && !x->has_max_upgrade_halt)
        return TRUE;
    for (guint i = 0; i < c->s->faults->len; i++)
        if (((const sim_fault *)g_ptr_array_index(c->s->faults, i))->action == SIM_FAULT_UPGRADE)
            return TRUE;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "expect");
    const char *key = x->has_max_upgrade_stall ? "max_upgrade_stall" : "max_upgrade_halt";
    return sim_scn_fail(c, sec, sim_ini_find_entry(sec, key), SIM_SCENARIO_ERROR_VALUE, error,
                        "there is no upgrade to measure (this target needs an action = "
                        "upgrade fault)");
}
