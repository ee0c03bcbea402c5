/* Scenario text for the parser's unit tests (test_scenario_*.c): parse
 * it and fail the test with the error if the parser refuses it, or
 * check that the parser refuses it with a given code, location prefix
 * ("FILE:LINE: key: ") and reason. `path` stands for the file name in
 * the messages. */
#ifndef AITBC_TEST_SCENARIO_TEXT_H
#define AITBC_TEST_SCENARIO_TEXT_H

#include "sim/scenario/scenario.h"

sim_scenario *st_parse_ok(const char *path, const char *text);
/* text fails with code, its message starting with want_prefix and
 * containing want_reason. */
void st_parse_bad(const char *path, const char *text, int code, const char *want_prefix,
                  const char *want_reason);

#endif
