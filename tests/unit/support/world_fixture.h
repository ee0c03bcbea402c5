/* A whole simulated world for unit tests of sim/ modules that need one
 * (figures, accountability): parse scenario text and build the world,
 * failing the test with the error if either step fails. */
#ifndef AITBC_TEST_WORLD_FIXTURE_H
#define AITBC_TEST_WORLD_FIXTURE_H

#include "sim/scenario/scenario.h"
#include "sim/world/world.h"

/* `name` stands for the file name in error messages. */
sim_world *test_world_new(const char *name, const char *text, sim_scenario **sc_out);
/* Either may be NULL. */
void test_world_free(sim_world *w, sim_scenario *sc);

#endif
