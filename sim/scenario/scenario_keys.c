/* Enumerates the scenario parser's own key tables (see scenario_keys.h). */
#include "sim/scenario/scenario_keys.h"

#include "sim/scenario/scenario_internal.h"

void sim_scenario_keys_foreach(sim_scenario_word_fn fn, void *user)
{
    const char *section = NULL;
    const sim_scn_key *keys = NULL;
    for (size_t i = 0; (keys = sim_scn_section_table(i, &section)) != NULL; i++) {
        for (const sim_scn_key *k = keys; k->key != NULL; k++)
            fn(SIM_SCENARIO_WORD_KEY, section, k->key, user);
    }
    for (size_t i = 0; sim_scn_fault_keys[i] != NULL; i++)
        fn(SIM_SCENARIO_WORD_KEY, "fault", sim_scn_fault_keys[i], user);
    for (size_t i = 0; sim_scn_expect_keys[i] != NULL; i++)
        fn(SIM_SCENARIO_WORD_KEY, "expect", sim_scn_expect_keys[i], user);
    const char *word = NULL;
    for (size_t i = 0; (word = sim_scn_fault_action(i)) != NULL; i++)
        fn(SIM_SCENARIO_WORD_ACTION, "fault", word, user);
    for (size_t i = 0; (word = sim_scn_fault_behavior(i)) != NULL; i++)
        fn(SIM_SCENARIO_WORD_BEHAVIOR, "fault", word, user);
}
