/* See world_fixture.h. */
#include "support/world_fixture.h"

#include <check.h>
#include <string.h>

sim_world *test_world_new(const char *name, const char *text, sim_scenario **sc_out)
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse(name, text, strlen(text), NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error ? error->message : "?");
    sim_world *w = sim_world_new(sc, &error);
    ck_assert_msg(w != NULL, "%s", error ? error->message : "?");
    *sc_out = sc;
    return w;
}

void test_world_free(sim_world *w, sim_scenario *sc)
{
    sim_world_free(w);
    sim_scenario_free(sc);
}
