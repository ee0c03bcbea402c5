/* Every word the scenario parser accepts as a key, a fault action or a
 * byzantine behaviour, straight from its own tables (sim/scenario/scenario.c,
 * sim/scenario/scenario_fault.c). For documentation checks (tests/unit/
 * test_docs_keys.c keeps docs/scenarios.md complete) and tools that list
 * what a scenario file may say. */
#ifndef AITBC_SIM_SCENARIO_KEYS_H
#define AITBC_SIM_SCENARIO_KEYS_H

typedef enum sim_scenario_word {
    SIM_SCENARIO_WORD_KEY = 0, /* a key of `section` ("scenario", "network", ...,
                                * "fault" for any [fault NAME], "expect") */
    SIM_SCENARIO_WORD_ACTION,  /* a value of `action` in [fault NAME] (section "fault") */
    SIM_SCENARIO_WORD_BEHAVIOR /* the keyword of `behavior` (section "fault") */
} sim_scenario_word;

typedef void (*sim_scenario_word_fn)(sim_scenario_word kind, const char *section,
                                     const char *word, void *user);

/* Call fn once per (kind, section, word): the keys of every section in the
 * parser's order, then the fault actions, then the behaviours. */
void sim_scenario_keys_foreach(sim_scenario_word_fn fn, void *user);

#endif
