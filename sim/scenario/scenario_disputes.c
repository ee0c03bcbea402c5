/* The [disputes] section: the chain's disputes module (its bond, fee,
 * periods and panel sizes, protocol/modules/disputes/disputes.h) and the
 * juror agents who sit on its tiers, read into sim_disputes_options
 * (sim/scenario/scenario.h). Parsed and checked here; the simulator
 * attaches the module at genesis and runs the jurors.
 *
 *   [disputes]
 *   verifiers = 3          # tier 1: re-run the disputed job
 *   arbiters = 7           # tier 2: panels, commit and reveal
 *   panel = 3              # the first panel's seats ...
 *   panel_max = 7          # ... growing 2n + 1 per appeal up to this
 *
 * The jurors are agents appended after the consumers (verifiers first,
 * then arbiters), so the section is read with [agents] and before the
 * faults, which may name them. It needs [agents] and [jobs]: disputes
 * are about jobs. Every value the chain would refuse
 * (proto_disputes_params_valid) is refused here first, each with its own
 * reason: a panel larger than a round may seat, panel_max below panel,
 * more rounds than a dispute may have, a fee share above 1, more jurors
 * than the pool holds. Consumers that have results re-run ([jobs]
 * verify) need verifiers, so a verify share without them is refused too.
 * Errors name the file, the line and the key, or the section when a
 * default broke a rule. */
#include "sim/scenario/scenario_internal.h"
#include "sim/scenario/units.h"

#include <stddef.h>
#include <string.h>

#define DISPUTES_AT(field) offsetof(sim_disputes_options, field)
#define S_NS 1000000000LL
/* Amounts a scenario may give: far inside the module's own bounds
 * (bond <= 2^62, seat fee <= 2^56, stakes summing below 2^62). */
#define DISPUTES_AMOUNT_MAX 1000000000000000000LL
#define DISPUTES_SEAT_FEE_MAX 10000000000000000LL
/* Seat counts are read wide and checked against the chain's bound with a
 * reason of their own (disputes_check_seats). */
#define DISPUTES_SEATS_READ_MAX 1000000
/* A juror's stake default: this many seats' worth at risk. */
#define DISPUTES_STAKE_SEATS 10

/* fee: a share of the bond in [0, 1], on chain in whole per mille
 * (rounded down, as [jobs] fee is). */
static gboolean disputes_read_fee(sim_scn_ctx *c, const sim_ini_section *sec,
                                  const sim_ini_entry *e, void *base, GError **error)
{
    sim_disputes_options *o = base;
    GError *local = NULL;
    uint64_t num = 0, den = 1;
    if (!sim_parse_fraction(e->value, &num, &den, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    o->params.fee_permille = (uint32_t)(num * 1000 / den);
    return TRUE;
}

const sim_scn_key sim_scn_disputes_keys[] = {
    {.key = "arbiters", .type = SIM_SCN_U32, .offset = DISPUTES_AT(arbiters), .lo = 0,
     .hi = SIM_AGENTS_MAX},
    {.key = "verifiers", .type = SIM_SCN_U32, .offset = DISPUTES_AT(verifiers), .lo = 0,
     .hi = SIM_AGENTS_MAX},
    {.key = "verifier_seats", .type = SIM_SCN_U32, .offset = DISPUTES_AT(params.verifiers),
     .lo = 0, .hi = DISPUTES_SEATS_READ_MAX},
    {.key = "panel", .type = SIM_SCN_U32, .offset = DISPUTES_AT(params.panel), .lo = 1,
     .hi = DISPUTES_SEATS_READ_MAX},
    {.key = "panel_max", .type = SIM_SCN_U32, .offset = DISPUTES_AT(params.panel_max), .lo = 1,
     .hi = DISPUTES_SEATS_READ_MAX},
    {.key = "bond", .type = SIM_SCN_U64, .offset = DISPUTES_AT(params.bond), .lo = 1,
     .hi = DISPUTES_AMOUNT_MAX},
    {.key = "fee", .type = SIM_SCN_CUSTOM, .custom = disputes_read_fee},
    {.key = "response_period", .type = SIM_SCN_DURATION,
     .offset = DISPUTES_AT(params.response_ns), .lo = 1},
    {.key = "verify_period", .type = SIM_SCN_DURATION, .offset = DISPUTES_AT(params.verify_ns),
     .lo = 1},
    {.key = "vote_period", .type = SIM_SCN_DURATION, .offset = DISPUTES_AT(params.vote_ns),
     .lo = 1},
    {.key = "appeal_period", .type = SIM_SCN_DURATION, .offset = DISPUTES_AT(params.appeal_ns),
     .lo = 1},
    {.key = "seat_fee", .type = SIM_SCN_U64, .offset = DISPUTES_AT(params.seat_fee), .lo = 0,
     .hi = DISPUTES_SEAT_FEE_MAX},
    {.key = "stake_at_risk", .type = SIM_SCN_U64, .offset = DISPUTES_AT(params.stake_at_risk),
     .lo = 0, .hi = DISPUTES_AMOUNT_MAX},
    {.key = "stake", .type = SIM_SCN_U64, .offset = DISPUTES_AT(stake),
     .has_offset = DISPUTES_AT(stake_given), .lo = 1, .hi = DISPUTES_AMOUNT_MAX},
    {0},
};

/* ---- defaults ---- */

void sim_scn_disputes_init(sim_scenario *s)
{
    proto_disputes_params p = proto_disputes_defaults();
    p.response_ns = p.verify_ns = p.vote_ns = p.appeal_ns = 20 * S_NS;
    s->disputes_opt = (sim_disputes_options){.params = p};
}

/* ---- checks ---- */

/* The error of `key` (the section itself when the key is absent: a
 * default broke the rule). */
static gboolean disputes_fail(const sim_scn_ctx *c, const char *key, GError **error,
                              const char *why)
{
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "disputes");
    return sim_scn_fail(c, sec, key != NULL ? sim_ini_find_entry(sec, key) : NULL,
                        SIM_SCENARIO_ERROR_VALUE, error, "%s", why);
}

/* Rounds a dispute takes when every ruling is appealed: tier 1, the
 * first panel, then 2n + 1 seats up to panel_max (the module's ladder). */
static uint32_t disputes_rounds(const proto_disputes_params *p)
{
    uint32_t rounds = 2;
    for (uint32_t seats = p->panel; seats < p->panel_max; rounds++)
        seats = MIN(proto_disputes_next_panel(seats), p->panel_max);
    return rounds;
}

/* Seat counts: a round seats at most PROTO_DISPUTES_SEATS_MAX (a byte
 * on chain), panels grow up to panel_max, and the ladder fits the
 * rounds a dispute may have. */
static gboolean disputes_check_seats(const sim_scn_ctx *c, GError **error)
{
    const proto_disputes_params *p = &c->s->disputes_opt.params;
    static const char *const keys[] = {"verifier_seats", "panel", "panel_max"};
    const uint32_t values[] = {p->verifiers, p->panel, p->panel_max};
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (values[i] <= PROTO_DISPUTES_SEATS_MAX)
            continue;
        g_autofree char *why = g_strdup_printf("%u seats is above %u, the most one round may "
                                               "seat",
                                               values[i], PROTO_DISPUTES_SEATS_MAX);
        return disputes_fail(c, keys[i], error, why);
    }
    /* A rule between the two: blame panel_max where it is written, else
     * the panel that outgrew its default. */
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "disputes");
    const char *both = sim_ini_find_entry(sec, "panel_max") != NULL ? "panel_max" : "panel";
    if (p->panel_max < p->panel) {
        g_autofree char *why = g_strdup_printf("panel_max must be >= panel (%u < %u)",
                                               p->panel_max, p->panel);
        return disputes_fail(c, both, error, why);
    }
    uint32_t rounds = disputes_rounds(p);
    if (rounds > PROTO_DISPUTES_ROUNDS_MAX) {
        g_autofree char *why = g_strdup_printf(
            "panels from %u seats growing 2n + 1 up to %u take %u rounds with tier 1, above "
            "the %u a dispute may have (raise panel or lower panel_max)",
            p->panel, p->panel_max, rounds, PROTO_DISPUTES_ROUNDS_MAX);
        return disputes_fail(c, both, error, why);
    }
    return TRUE;
}

/* The jurors: the pool's bound, the agents' bound, and stakes that the
 * chain can hold all together. */
static gboolean disputes_check_jurors(const sim_scn_ctx *c, GError **error)
{
    sim_disputes_options *o = &c->s->disputes_opt;
    const sim_agents_options *a = &c->s->agents_opt;
    uint64_t jurors = (uint64_t)o->verifiers + o->arbiters;
    const char *key = o->arbiters > 0 ? "arbiters" : "verifiers";
    if (jurors > PROTO_DISPUTES_JURORS_MAX) {
        g_autofree char *why =
            g_strdup_printf("too many jurors: verifiers + arbiters = %" G_GUINT64_FORMAT
                            ", above %u (the chain's juror pool)",
                            jurors, PROTO_DISPUTES_JURORS_MAX);
        return disputes_fail(c, key, error, why);
    }
    if (a->providers + (uint64_t)a->consumers + jurors > SIM_AGENTS_MAX) {
        g_autofree char *why = g_strdup_printf("providers + consumers + verifiers + arbiters = "
                                               "%" G_GUINT64_FORMAT ", above %u agents",
                                               a->providers + (uint64_t)a->consumers + jurors,
                                               SIM_AGENTS_MAX);
        return disputes_fail(c, key, error, why);
    }
    if (!o->stake_given)
        o->stake = MAX(o->params.stake_at_risk * DISPUTES_STAKE_SEATS, 1);
    if (jurors > 0 && o->stake > (uint64_t)DISPUTES_AMOUNT_MAX / jurors) {
        g_autofree char *why =
            g_strdup_printf("%" G_GUINT64_FORMAT " jurors with %" G_GUINT64_FORMAT
                            " each stake more than 10^18 base units",
                            jurors, o->stake);
        return disputes_fail(c, o->stake_given ? "stake" : "stake_at_risk", error, why);
    }
    return TRUE;
}

/* Consumers who have results re-run ([jobs] verify) need verifiers. */
static gboolean disputes_check_verify(const sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    if (!(s->jobs_opt.verify > 0) || (s->disputes_opt.declared && s->disputes_opt.verifiers > 0))
        return TRUE;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "jobs");
    return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "verify"), SIM_SCENARIO_ERROR_VALUE,
                        error,
                        "consumers have results re-run by verifier agents, and there are none "
                        "(add [disputes] with verifiers >= 1, or set verify = 0)");
}

/* Guarded jobs ([jobs] guard_above) need an arbiter for each guard. */
static gboolean disputes_check_guards(const sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    if (s->jobs_opt.guard_above == 0 || (s->disputes_opt.declared && s->disputes_opt.arbiters > 0))
        return TRUE;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "jobs");
    return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "guard_above"), SIM_SCENARIO_ERROR_VALUE,
                        error,
                        "a guarded job's multisig needs an arbiter, and there are none (add "
                        "[disputes] with arbiters >= 1, or set guard_above = 0)");
}

gboolean sim_scn_check_disputes(sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "disputes");
    if (!disputes_check_guards(c, error))
        return FALSE;
    if (sec == NULL)
        return disputes_check_verify(c, error);
    if (!s->agents_opt.declared)
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                            "disputes are about jobs between agents: add an [agents] section "
                            "(providers, consumers) and a [jobs] section");
    if (!s->jobs_opt.declared)
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                            "disputes are about jobs: add a [jobs] section");
    if (!disputes_check_seats(c, error) || !disputes_check_jurors(c, error) ||
        !disputes_check_verify(c, error))
        return FALSE;
    if (!proto_disputes_params_valid(&s->disputes_opt.params))
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_VALUE, error,
                            "the chain refuses these dispute parameters");
    return TRUE;
}

/* ---- the public helpers ---- */

uint32_t sim_scenario_jurors(const sim_scenario *s)
{
    const sim_disputes_options *o = &s->disputes_opt;
    return s->agents_opt.declared && o->declared ? o->verifiers + o->arbiters : 0;
}

const char *sim_scenario_agent_role(const sim_scenario *s, uint32_t agent)
{
    const sim_agents_options *a = &s->agents_opt;
    g_assert(agent < sim_scenario_agent_count(s));
    if (agent < a->providers)
        return "provider";
    if (agent < a->providers + a->consumers)
        return "consumer";
    return agent < a->providers + a->consumers + s->disputes_opt.verifiers ? "verifier"
                                                                           : "arbiter";
}
