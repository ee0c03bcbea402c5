/* Internal interface between the parts of the scenario interpreter:
 * sim/scenario/scenario.c (loading, overrides, section and key checks, the [scenario],
 * [network], [consensus], [slashing] and [workload] sections) and
 * sim/scenario/scenario_fault.c ([fault NAME] sections and [expect]),
 * sim/scenario/scenario_fees.c ([fees] and the fee-market keys),
 * sim/scenario/scenario_staking.c ([staking]) and
 * sim/scenario/scenario_agents.c ([agents], [jobs]) and
 * sim/scenario/scenario_disputes.c ([disputes]). Not for use outside
 * sim/scenario*.c.
 *
 * Keys are interpreted through small tables (sim_scn_key): a key name, a
 * value type, where the value goes in the target struct, and a range. Keys
 * whose meaning does not fit a table row use a custom reader. */
#ifndef AITBC_SIM_SCENARIO_INTERNAL_H
#define AITBC_SIM_SCENARIO_INTERNAL_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario/ini.h"
#include "sim/scenario/nodeset.h"
#include "sim/scenario/scenario.h"

typedef struct sim_scn_ctx {
    const sim_ini *ini;
    sim_scenario *s;
    sim_nodeset_ctx nodes;  /* counts filled after [network]; twins and
                             * byzantine filled while reading the faults */
    GArray *byzantine;      /* owned; sorted uint32 node indexes */
} sim_scn_ctx;

typedef enum sim_scn_type {
    SIM_SCN_U32 = 0,   /* uint32_t in [lo, hi] */
    SIM_SCN_U64,       /* uint64_t in [lo, hi]; hi = 0: no upper bound */
    SIM_SCN_DURATION,  /* int64_t ns in [lo, hi]; hi = 0: no upper bound */
    SIM_SCN_RATE,      /* double per second in [lo, hi] */
    SIM_SCN_PROB,      /* double in [0, 1) */
    SIM_SCN_BANDWIDTH, /* uint64_t bit/s, 0 = unlimited */
    SIM_SCN_DIST,      /* sim_dist */
    SIM_SCN_TEXT,      /* char * (replaces and frees the old value) */
    SIM_SCN_ENUM,      /* an enum stored as int: enum_base + index in names */
    SIM_SCN_CUSTOM,    /* custom(ctx, section, entry, base, error) */
} sim_scn_type;

typedef struct sim_scn_key sim_scn_key;
typedef gboolean (*sim_scn_custom_fn)(sim_scn_ctx *c, const sim_ini_section *sec,
                                      const sim_ini_entry *e, void *base, GError **error);

struct sim_scn_key {
    const char *key;
    sim_scn_type type;
    size_t offset;            /* of the value in the target struct */
    size_t has_offset;        /* of a bool set when the key is given; 0 = none */
    int64_t lo, hi;           /* inclusive range, see sim_scn_type */
    const char *const *names; /* SIM_SCN_ENUM: NULL-terminated names */
    int enum_base;            /* SIM_SCN_ENUM: value of names[0] */
    sim_scn_custom_fn custom; /* SIM_SCN_CUSTOM */
};

/* Set error with the location prefix: "FILE:LINE: key: " for an entry,
 * "FILE:LINE: [section]: " for a section (e == NULL), and
 * "--set: section.key: " for anything that came from an override. Always
 * returns FALSE so callers can `return sim_scn_fail(...)`. */
gboolean sim_scn_fail(const sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                      sim_scenario_error_code code, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);
/* Prefix a location-less error (from a value parser) and free it. */
gboolean sim_scn_fail_with(const sim_scn_ctx *c, const sim_ini_section *sec,
                           const sim_ini_entry *e, GError **error, GError *local);

/* Interpret every entry of sec that has a row in keys (NULL-terminated by
 * key == NULL) into base. Entries without a row are left alone: unknown
 * keys are rejected beforehand by sim_scn_check_keys. */
gboolean sim_scn_read_keys(sim_scn_ctx *c, const sim_ini_section *sec, const sim_scn_key *keys,
                           void *base, GError **error);
/* Reject any entry of sec whose key is not in known (NULL-terminated),
 * suggesting the closest known key. */
gboolean sim_scn_check_keys(const sim_scn_ctx *c, const sim_ini_section *sec,
                            const char *const *known, GError **error);

/* "90s", "1500ms", "2min": the largest unit that is exact. */
char *sim_scn_format_duration(int64_t ns);

/* Parse a node set for entry e (location added to errors). */
GArray *sim_scn_read_nodes(const sim_scn_ctx *c, const sim_ini_section *sec,
                           const sim_ini_entry *e, guint flags, GError **error);

/* Known keys of a [fault NAME] section, any action (for did-you-mean). */
extern const char *const sim_scn_fault_keys[];
/* Known keys of [expect]. */
extern const char *const sim_scn_expect_keys[];

/* For sim/scenario/scenario_keys.c, by index i = 0, 1, ... until NULL: the key
 * table of each plain section (its name in *name), and the actions and
 * byzantine behaviours a [fault NAME] section accepts. */
const sim_scn_key *sim_scn_section_table(size_t i, const char **name);
const char *sim_scn_fault_action(size_t i);
const char *sim_scn_fault_behavior(size_t i);

/* sim/scenario/scenario_fault.c: every [fault NAME] section in file order, then
 * [expect]. Needs duration and the node counts already read. */
gboolean sim_scn_read_faults(sim_scn_ctx *c, GError **error);
/* An upgrade fault's module, version, lag and blocks (scenario_upgrade.c),
 * its `nodes` already read. */
gboolean sim_scn_read_upgrade(sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                              GError **error);
/* [expect] max_upgrade_stall and max_upgrade_halt need an upgrade fault. */
gboolean sim_scn_check_expect_upgrade(sim_scn_ctx *c, GError **error);
gboolean sim_scn_read_expect(sim_scn_ctx *c, GError **error);
void sim_scn_fault_free(gpointer fault);

/* [slashing]: its keys, and the refusal under PoA (scenario_slashing.c). */
extern const sim_scn_key sim_scn_slashing_keys[];
gboolean sim_scn_check_slashing(sim_scn_ctx *c, GError **error);
/* [fees]: its keys and the checks across them (scenario_fees.c). */
extern const sim_scn_key sim_scn_fees_keys[];
gboolean sim_scn_check_fees(sim_scn_ctx *c, GError **error);
/* [workload] burst (scenario_fees.c). */
gboolean sim_scn_read_burst(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                            void *base, GError **error);
/* [expect] alarms (scenario_fees.c). */
gboolean sim_scn_read_expect_alarms(sim_scn_ctx *c, const sim_ini_section *sec,
                                    const sim_ini_entry *e, void *base, GError **error);
/* [staking] (scenario_staking.c): its keys; the section's checks, which read
 * `owners` once the validator count is known (before the faults and
 * [expect], whose concentration alarms name owners); [expect]
 * min_nakamoto against the validators and owners (after [expect]); the
 * scenario's owner defaults and their release. */
extern const sim_scn_key sim_scn_staking_keys[];
gboolean sim_scn_check_staking(sim_scn_ctx *c, GError **error);
gboolean sim_scn_check_min_nakamoto(sim_scn_ctx *c, GError **error);
void sim_scn_staking_init(sim_scenario *s);
void sim_scn_staking_clear(sim_scenario *s);
/* [agents] and [jobs] (scenario_agents.c): their keys; the scenario's
 * defaults and their release; what the node-set parser needs to know
 * before anything names agents (which sections exist, the agent count);
 * the sections' checks, which read hosts and mix once the node counts
 * are known (before the faults, which may name agents); the market's
 * [expect] keys, and their checks (after [expect]). */
extern const sim_scn_key sim_scn_agents_keys[];
extern const sim_scn_key sim_scn_jobs_keys[];
void sim_scn_agents_init(sim_scenario *s);
void sim_scn_agents_clear(sim_scenario *s);
void sim_scn_agents_begin(sim_scn_ctx *c);
gboolean sim_scn_check_agents(sim_scn_ctx *c, GError **error);
gboolean sim_scn_read_expect_market(sim_scn_ctx *c, const sim_ini_section *sec,
                                    const sim_ini_entry *e, void *base, GError **error);
gboolean sim_scn_check_expect_market(sim_scn_ctx *c, GError **error);
/* [disputes] (scenario_disputes.c): its keys; the scenario's defaults;
 * the section's checks (after [agents] and [jobs], before the faults,
 * which may name jurors), including [jobs] verify's need of verifiers. */
extern const sim_scn_key sim_scn_disputes_keys[];
void sim_scn_disputes_init(sim_scenario *s);
gboolean sim_scn_check_disputes(sim_scn_ctx *c, GError **error);
/* [workload] fee_strategy (scenario_fees.c). */
gboolean sim_scn_read_fee_strategy(sim_scn_ctx *c, const sim_ini_section *sec,
                                   const sim_ini_entry *e, void *base, GError **error);

#endif
