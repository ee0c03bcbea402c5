/* Plain-number parsers shared by the scenario interpreter and the unit
 * parsers declared in sim/scenario/scenario.h (sim_parse_duration, _rate, _size,
 * _bandwidth, _dist, implemented in sim/scenario/units.c).
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

#include "sim/scenario/scenario.h"

/* The longest duration a scenario may write (87600h, 10 years): every sum
 * the simulator and the protocol make of a few times (now + a timer, eight
 * view timeouts, a run's duration plus a delay) then fits in int64 ns. */
#define SIM_DURATION_MAX_NS (87600ll * 3600 * 1000000000)
/* The smallest rate other than 0 (one per 3.2 years on average):
 * exponential gaps are drawn up to about 45 times their mean, and such a
 * gap added to any time must still fit in int64 ns. */
#define SIM_RATE_MIN_PER_S 1e-8

/* Non-negative integer: digits only ("42"; not "4.0" or "1e3", which are
 * real numbers where an integer is wanted). */
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
/* A non-negative decimal of at most 18 decimals, exactly, as x 10^-18
 * (SIM_RATE_ONE is 1): "0.00001" -> 10^13. At most max_whole (<= 18, so
 * the result fits 64 bits). */
gboolean sim_parse_decimal_e18(const char *text, uint64_t max_whole, uint64_t *out,
                               GError **error);
/* A finite real that may be negative: "-0.5", "2.0" (sim_parse_real's
 * syntax after an optional '-'). */
gboolean sim_parse_signed_real(const char *text, double *out, GError **error);
/* A distribution as sim_parse_dist reads one, with `what` naming the value
 * in messages ("bad work '...'"), and `fixed D` also meaning constant. */
gboolean sim_parse_dist_named(const char *text, const char *what, sim_dist *out, GError **error);
/* A distribution of plain numbers: constant X (or a bare X, or fixed X) |
 * uniform A B | normal MEAN SD | lognormal MEDIAN SIGMA | exponential MEAN. */
gboolean sim_parse_num_dist(const char *text, const char *what, sim_num_dist *out,
                            GError **error);

#endif
