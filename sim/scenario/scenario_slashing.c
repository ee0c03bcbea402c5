/* The [slashing] section: the Cosmos x/slashing parameters (fractions,
 * the downtime window, jail time, evidence age) and the validator-set
 * update delay, written into proto_slashing_params
 * (protocol/chain/valset.h). PBFT only: PoA has no bonded validator set.
 * Errors name the file, the line and the key. */
#include "sim/scenario/scenario_internal.h"

#include <stddef.h>
#include <string.h>

#include "sim/scenario/units.h"

/* [slashing]: keys write into proto_slashing_params. Fractions are read
 * exactly (num / 10^k), never through a double. */
#define SLASH_AT(field) offsetof(proto_slashing_params, field)

static gboolean scn_read_fraction(sim_scn_ctx *c, const sim_ini_section *sec,
                                  const sim_ini_entry *e, void *base, GError **error)
{
    static const struct {
        const char *key;
        size_t num, den;
    } fractions[] = {
        {"slash_double_sign", SLASH_AT(slash_double_sign_num), SLASH_AT(slash_double_sign_den)},
        {"slash_downtime", SLASH_AT(slash_downtime_num), SLASH_AT(slash_downtime_den)},
        {"min_signed_per_window", SLASH_AT(downtime.min_signed_num),
         SLASH_AT(downtime.min_signed_den)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fractions); i++) {
        if (strcmp(e->key, fractions[i].key) != 0)
            continue;
        GError *local = NULL;
        uint64_t num = 0, den = 1;
        if (!sim_parse_fraction(e->value, &num, &den, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        *(uint64_t *)((char *)base + fractions[i].num) = num;
        *(uint64_t *)((char *)base + fractions[i].den) = den;
        return TRUE;
    }
    g_assert_not_reached();
}

const sim_scn_key sim_scn_slashing_keys[] = {
    {.key = "slash_double_sign", .type = SIM_SCN_CUSTOM, .custom = scn_read_fraction},
    {.key = "slash_downtime", .type = SIM_SCN_CUSTOM, .custom = scn_read_fraction},
    {.key = "signed_blocks_window", .type = SIM_SCN_U32, .offset = SLASH_AT(downtime.window),
     .lo = 1, .hi = 100000},
    {.key = "min_signed_per_window", .type = SIM_SCN_CUSTOM, .custom = scn_read_fraction},
    {.key = "downtime_jail_duration", .type = SIM_SCN_DURATION,
     .offset = SLASH_AT(downtime.jail_duration_ns)},
    {.key = "evidence_max_age", .type = SIM_SCN_U64, .offset = SLASH_AT(evidence_max_age),
     .lo = 1},
    {.key = "update_delay", .type = SIM_SCN_U32, .offset = SLASH_AT(update_delay), .lo = 1,
     .hi = 16},
    {0},
};

/* PoA has no bonded validator set: asking it to slash is a mistake. */
gboolean sim_scn_check_slashing(sim_scn_ctx *c, GError **error)
{
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "slashing");
    if (sec == NULL || c->s->protocol != SIM_CONSENSUS_POA)
        return TRUE;
    return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                        "PoA does not slash (slashing needs protocol = pbft in [consensus])");
}
