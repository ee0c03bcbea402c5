/* Plain-number parsers shared by the scenario interpreter and the unit
 * parsers declared in sim/scenario.h (sim_parse_duration, _rate, _size,
 * _bandwidth, _dist, implemented in sim/units.c).
 *
 * All of them are strict: the whole text must be the number (no leading
 * sign, no blanks, no trailing junk), because a scenario value that parses
 * "mostly" is a silent misconfiguration. They set SIM_SCENARIO_ERROR /
 * SIM_SCENARIO_ERROR_VALUE with a message quoting the text but no location;
 * callers add "FILE:LINE: key: ". */
#ifndef AITBC_SIM_UNITS_H
#define AITBC_SIM_UNITS_H

#include <glib.h>
#include <stdint.h>

/* Non-negative integer: "42", or exact scientific "2e9". */
gboolean sim_parse_u64(const char *text, uint64_t *out, GError **error);
/* Non-negative finite real: "0.001", "12", "1e-3" (C locale, '.' only). */
gboolean sim_parse_real(const char *text, double *out, GError **error);
/* A probability in [0, 1). */
gboolean sim_parse_probability(const char *text, double *out, GError **error);
/* A decimal fraction in [0, 1], exactly: "0.05" -> 5 / 100, "1" -> 1 / 1,
 * "0.50" -> 5 / 10 (trailing zeros dropped). den is a power of ten, at
 * most 10^SIM_FRACTION_DIGITS_MAX. */
#define SIM_FRACTION_DIGITS_MAX 9
gboolean sim_parse_fraction(const char *text, uint64_t *num, uint64_t *den, GError **error);

#endif
