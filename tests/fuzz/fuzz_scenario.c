/* Fuzz harness for the scenario parser (sim_scenario_parse,
 * sim/scenario/scenario.h): any text either parses into a scenario or fails with
 * a GError in SIM_SCENARIO_ERROR, never aborts, leaks or reads out of
 * bounds (the sanitizers watch the last two).
 *
 * There is no scenario writer, so no canonical check: the harness checks
 * that exactly one of (scenario, error) comes back, that the error is in
 * the scenario domain with a message naming the file, and that a parsed
 * scenario is self-consistent enough to name its last node. Seeds: the
 * files of scenarios/ and tests/malformed/. */
#include "fuzz.h"

#include "sim/scenario/scenario.h"

#define FUZZ_PATH "fuzz.ini"

static void check_parsed(const sim_scenario *s)
{
    uint32_t nodes = sim_scenario_node_count(s);
    fuzz_check(nodes >= s->validators, "scenario: fewer nodes than validators");
    if (nodes > 0) {
        char *name = sim_scenario_node_name(s, nodes - 1);
        fuzz_check(name != NULL && name[0] != '\0', "scenario: last node has no name");
        g_free(name);
    }
}

static void check_error(const GError *error)
{
    fuzz_check(error != NULL, "scenario: NULL without an error");
    fuzz_check(error->domain == SIM_SCENARIO_ERROR, "scenario: error outside SIM_SCENARIO_ERROR");
    fuzz_check(g_str_has_prefix(error->message, FUZZ_PATH),
               "scenario: error message does not name the file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse(FUZZ_PATH, (const char *)data, size, NULL, &error);
    if (s != NULL) {
        fuzz_check(error == NULL, "scenario: parsed and set an error");
        check_parsed(s);
        sim_scenario_free(s);
    } else {
        check_error(error);
        g_error_free(error);
    }
    return 0;
}
