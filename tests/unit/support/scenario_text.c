/* Parsing scenario text in the parser's unit tests (scenario_text.h). */
#include "support/scenario_text.h"

#include <check.h>
#include <string.h>

sim_scenario *st_parse_ok(const char *path, const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse(path, text, strlen(text), NULL, &error);
    ck_assert_msg(s != NULL, "%s: %s", text, error ? error->message : "?");
    return s;
}

void st_parse_bad(const char *path, const char *text, int code, const char *want_prefix,
                  const char *want_reason)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse(path, text, strlen(text), NULL, &error);
    if (s != NULL)
        sim_scenario_free(s);
    ck_assert_msg(s == NULL, "parsed: %s", text);
    ck_assert_msg(g_error_matches(error, SIM_SCENARIO_ERROR, code), "code %d want %d: %s",
                  error->code, code, error->message);
    ck_assert_msg(g_str_has_prefix(error->message, want_prefix),
                  "%s\n   want prefix: %s\n           got: %s", text, want_prefix, error->message);
    ck_assert_msg(strstr(error->message, want_reason) != NULL,
                  "%s\n   want reason: %s\n           got: %s", text, want_reason, error->message);
    g_error_free(error);
}
