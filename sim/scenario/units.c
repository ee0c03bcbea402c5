/* Scenario value parsers: durations, rates, sizes, bandwidth, latency
 * distributions and plain numbers (sim/scenario/scenario.h, sim/scenario/units.h).
 *
 * Durations, sizes and bandwidths are parsed exactly in integers: the
 * decimal text is split into a whole part and a fraction (digits, scale),
 * and the unit multiplier is applied with overflow checks, so "1.5s" is
 * exactly 1500000000 ns and "0.1ms" exactly 100000 ns on every machine. A
 * value finer than the result's unit ("1.5ns", "0.5B") is an error rather
 * than a silent rounding. Rates and probabilities are doubles by nature;
 * they are read with g_ascii_strtod (locale-independent, correctly
 * rounded) after a strict syntax check.
 *
 * Units:
 *   durations  ns us ms s min h              ("0" alone is also accepted)
 *   rates      N/s N/min N/h                 ("0" alone is also accepted)
 *   sizes      B; KiB MiB GiB TiB (1024-based); KB (or kB) MB GB TB
 *              (1000-based, as the SI prefixes say)
 *   bandwidth  bit/s kbit/s (or Kbit/s) Mbit/s Gbit/s Tbit/s, the same as
 *              bps kbps Mbps Gbps, all 1000-based (link rates are SI);
 *              or any size unit per second ("10MiB/s" = 83886080 bit/s);
 *              `unlimited` gives 0, which the scenario means as no limit
 *   latency    constant D | uniform A B | normal MEAN SD |
 *              lognormal MEDIAN SIGMA | exponential MEAN; a bare duration
 *              means constant. */
#include "sim/scenario/units.h"

#include <math.h>
#include <string.h>

#include "sim/scenario/ini.h"
#include "sim/scenario/scenario.h"

/* More fraction digits than this cannot be exact in 64 bits anyway. */
#define UNITS_FRAC_DIGITS_MAX 18

typedef struct units_decimal {
    uint64_t whole;
    uint64_t frac;       /* fraction digits as an integer, trailing zeros removed */
    int frac_digits;     /* value = whole + frac / 10^frac_digits */
} units_decimal;

typedef struct units_unit {
    const char *suffix;
    uint64_t mult;       /* result units per one of this unit */
} units_unit;

static const units_unit units_duration[] = {
    {"ns", 1ull},
    {"us", 1000ull},
    {"ms", 1000000ull},
    {"s", 1000000000ull},
    {"min", 60000000000ull},
    {"h", 3600000000000ull},
    {NULL, 0},
};

static const units_unit units_size[] = {
    {"B", 1ull},
    {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40},
    {"kB", 1000ull}, {"KB", 1000ull}, {"MB", 1000000ull}, {"GB", 1000000000ull},
    {"TB", 1000000000000ull},
    {NULL, 0},
};

static const units_unit units_bits[] = {
    {"bit/s", 1ull}, {"bps", 1ull},
    {"kbit/s", 1000ull}, {"Kbit/s", 1000ull}, {"kbps", 1000ull}, {"Kbps", 1000ull},
    {"Mbit/s", 1000000ull}, {"Mbps", 1000000ull},
    {"Gbit/s", 1000000000ull}, {"Gbps", 1000000000ull},
    {"Tbit/s", 1000000000000ull}, {"Tbps", 1000000000000ull},
    {NULL, 0},
};

static gboolean units_fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean units_fail(GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE, msg);
    return FALSE;
}

/* Scan digits [ '.' digits ] at text; *end is set past it. FALSE when there
 * is no leading digit, the whole part overflows or the fraction is longer
 * than 18 significant digits. */
static gboolean units_scan_decimal(const char *text, units_decimal *d, const char **end)
{
    const char *p = text;
    *d = (units_decimal){0};
    if (!g_ascii_isdigit(*p))
        return FALSE;
    for (; g_ascii_isdigit(*p); p++) {
        uint64_t digit = (uint64_t)(*p - '0');
        if (d->whole > (UINT64_MAX - digit) / 10)
            return FALSE;
        d->whole = d->whole * 10 + digit;
    }
    if (*p == '.') {
        p++;
        if (!g_ascii_isdigit(*p))
            return FALSE;
        const char *first = p;
        while (g_ascii_isdigit(*p))
            p++;
        const char *last = p;
        while (last > first && last[-1] == '0')
            last--;
        if (last - first > UNITS_FRAC_DIGITS_MAX)
            return FALSE;
        for (const char *q = first; q < last; q++)
            d->frac = d->frac * 10 + (uint64_t)(*q - '0');
        d->frac_digits = (int)(last - first);
    }
    *end = p;
    return TRUE;
}

static uint64_t units_gcd(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* out = d * mult exactly. Returns 0 on success, 1 on overflow, 2 when the
 * product is not a whole number. The fraction is reduced by the gcd so no
 * intermediate product can exceed mult. */
static int units_scale(const units_decimal *d, uint64_t mult, uint64_t *out)
{
    uint64_t pow10 = 1;
    for (int i = 0; i < d->frac_digits; i++)
        pow10 *= 10;
    uint64_t g = units_gcd(mult, pow10);
    uint64_t denom = pow10 / g;
    if (d->frac % denom != 0)
        return 2;
    uint64_t frac_part = (d->frac / denom) * (mult / g);
    if (d->whole != 0 && mult > UINT64_MAX / d->whole)
        return 1;
    uint64_t whole_part = d->whole * mult;
    if (whole_part > UINT64_MAX - frac_part)
        return 1;
    *out = whole_part + frac_part;
    return 0;
}

static const units_unit *units_find(const units_unit *table, const char *suffix)
{
    for (const units_unit *u = table; u->suffix != NULL; u++) {
        if (strcmp(u->suffix, suffix) == 0)
            return u;
    }
    return NULL;
}

/* Parse "<decimal><unit>" exactly; what names the quantity in messages. */
static gboolean units_parse_exact(const char *text, const units_unit *table, const char *what,
                                  const char *unit_help, uint64_t max, uint64_t *out,
                                  GError **error)
{
    units_decimal d;
    const char *end = NULL;
    if (text[0] == '-')
        return units_fail(error, "bad %s '%s': must not be negative", what, text);
    if (strcmp(text, "0") == 0) {
        *out = 0;
        return TRUE;
    }
    if (!units_scan_decimal(text, &d, &end))
        return units_fail(error, "bad %s '%s': expected a number and a unit (%s)", what, text,
                          unit_help);
    if (*end == '\0')
        return units_fail(error, "bad %s '%s': missing unit (%s)", what, text, unit_help);
    const units_unit *u = units_find(table, end);
    if (u == NULL)
        return units_fail(error, "bad %s '%s': unknown unit '%s' (%s)", what, text, end,
                          unit_help);
    int rc = units_scale(&d, u->mult, out);
    if (rc == 2)
        return units_fail(error, "bad %s '%s': finer than the smallest unit", what, text);
    if (rc == 1 || *out > max)
        return units_fail(error, "bad %s '%s': too large", what, text);
    return TRUE;
}

gboolean sim_parse_duration(const char *text, int64_t *out_ns, GError **error)
{
    uint64_t ns = 0;
    if (!units_parse_exact(text, units_duration, "duration", "ns, us, ms, s, min, h",
                           (uint64_t)INT64_MAX, &ns, error))
        return FALSE;
    if (ns > (uint64_t)SIM_DURATION_MAX_NS)
        return units_fail(error,
                          "bad duration '%s': above 87600h (10 years, the longest time a "
                          "scenario may give: sums of times must stay within 64-bit "
                          "nanoseconds)",
                          text);
    *out_ns = (int64_t)ns;
    return TRUE;
}

gboolean sim_parse_size(const char *text, uint64_t *out_bytes, GError **error)
{
    return units_parse_exact(text, units_size, "size", "B, KiB, MiB, GiB, TiB, KB, MB, GB, TB",
                             UINT64_MAX, out_bytes, error);
}

/* Bandwidth written as a size per second ("10MiB/s"). *handled says
 * whether text has that form; FALSE is returned only when it has the form
 * but a bad value. */
static gboolean units_bytes_per_s(const char *text, const char *help, gboolean *handled,
                                  uint64_t *out_bps, GError **error)
{
    size_t n = strlen(text);
    *handled = FALSE;
    if (n <= 2 || strcmp(text + n - 2, "/s") != 0 || units_find(units_bits, text) != NULL)
        return TRUE;
    g_autofree char *size_text = g_strndup(text, n - 2);
    units_decimal d;
    const char *end = NULL;
    if (!units_scan_decimal(size_text, &d, &end) || units_find(units_size, end) == NULL)
        return TRUE;
    *handled = TRUE;
    uint64_t bytes = 0;
    if (!units_parse_exact(size_text, units_size, "bandwidth", help, UINT64_MAX / 8, &bytes,
                           error))
        return FALSE;
    *out_bps = bytes * 8;
    return TRUE;
}

gboolean sim_parse_bandwidth(const char *text, uint64_t *out_bps, GError **error)
{
    static const char help[] = "bit/s, kbit/s, Mbit/s, Gbit/s, or a size per second like MiB/s";
    if (strcmp(text, "unlimited") == 0) {
        *out_bps = 0;
        return TRUE;
    }
    uint64_t bps = 0;
    gboolean handled = FALSE;
    if (!units_bytes_per_s(text, help, &handled, &bps, error))
        return FALSE;
    if (!handled && !units_parse_exact(text, units_bits, "bandwidth", help, UINT64_MAX, &bps,
                                       error))
        return FALSE;
    if (bps == 0)
        return units_fail(error, "bad bandwidth '%s': must be > 0 (write `unlimited` for no limit)",
                          text);
    *out_bps = bps;
    return TRUE;
}

/* Strict syntax: digits [ '.' digits ] [ e [+-] digits ]. */
static gboolean units_real_syntax(const char *text)
{
    const char *p = text;
    if (!g_ascii_isdigit(*p))
        return FALSE;
    while (g_ascii_isdigit(*p))
        p++;
    if (*p == '.') {
        p++;
        if (!g_ascii_isdigit(*p))
            return FALSE;
        while (g_ascii_isdigit(*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!g_ascii_isdigit(*p))
            return FALSE;
        while (g_ascii_isdigit(*p))
            p++;
    }
    return *p == '\0';
}

gboolean sim_parse_real(const char *text, double *out, GError **error)
{
    if (text[0] == '-')
        return units_fail(error, "bad number '%s': must not be negative", text);
    if (!units_real_syntax(text))
        return units_fail(error, "bad number '%s'", text);
    double v = g_ascii_strtod(text, NULL);
    if (!isfinite(v))
        return units_fail(error, "bad number '%s': too large", text);
    *out = v;
    return TRUE;
}

gboolean sim_parse_probability(const char *text, double *out, GError **error)
{
    double p = 0;
    if (!sim_parse_real(text, &p, error))
        return FALSE;
    if (!(p < 1.0))
        return units_fail(error, "bad probability '%s': must be in [0, 1)", text);
    *out = p;
    return TRUE;
}

/* Exact decimal fractions: the digits as written become num / 10^digits,
 * so protocol arithmetic on them stays integer (no binary rounding). */
gboolean sim_parse_fraction(const char *text, uint64_t *num, uint64_t *den, GError **error)
{
    units_decimal d;
    const char *end = NULL;
    if (text[0] == '-')
        return units_fail(error, "bad fraction '%s': must be in [0, 1]", text);
    if (!units_scan_decimal(text, &d, &end) || *end != '\0')
        return units_fail(error, "bad fraction '%s' (a decimal number like 0.05)", text);
    if (d.frac_digits > SIM_FRACTION_DIGITS_MAX)
        return units_fail(error, "bad fraction '%s': at most %d decimals", text,
                          SIM_FRACTION_DIGITS_MAX);
    if (d.whole > 1 || (d.whole == 1 && d.frac != 0))
        return units_fail(error, "bad fraction '%s': must be in [0, 1]", text);
    uint64_t pow10 = 1;
    for (int i = 0; i < d.frac_digits; i++)
        pow10 *= 10;
    *num = d.whole * pow10 + d.frac;
    *den = pow10;
    return TRUE;
}

gboolean sim_parse_u64(const char *text, uint64_t *out, GError **error)
{
    if (text[0] == '-')
        return units_fail(error, "bad integer '%s': must not be negative", text);
    const char *p = text;
    uint64_t v = 0;
    for (; g_ascii_isdigit(*p); p++) {
        uint64_t digit = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return units_fail(error, "bad integer '%s': too large", text);
        v = v * 10 + digit;
    }
    if (p == text || *p != '\0')
        return units_fail(error, "bad integer '%s' (digits only, like 4 or 1000)", text);
    *out = v;
    return TRUE;
}

gboolean sim_parse_rate(const char *text, double *out_per_s, GError **error)
{
    static const struct { const char *suffix; double seconds; } per[] = {
        {"/s", 1.0}, {"/min", 60.0}, {"/h", 3600.0},
    };
    if (text[0] == '-')
        return units_fail(error, "bad rate '%s': must not be negative", text);
    if (strcmp(text, "0") == 0) {
        *out_per_s = 0;
        return TRUE;
    }
    const char *slash = strchr(text, '/');
    if (slash == NULL)
        return units_fail(error, "bad rate '%s': missing unit (like 1000/s, 5/min, 2/h)", text);
    for (size_t i = 0; i < G_N_ELEMENTS(per); i++) {
        if (strcmp(slash, per[i].suffix) != 0)
            continue;
        g_autofree char *number = g_strndup(text, (gsize)(slash - text));
        double v = 0;
        if (!units_real_syntax(number) || !isfinite(v = g_ascii_strtod(number, NULL)))
            return units_fail(error, "bad rate '%s': bad number '%s'", text, number);
        v /= per[i].seconds;
        if (v != 0 && !(v >= SIM_RATE_MIN_PER_S))
            return units_fail(error,
                              "bad rate '%s': a rate other than 0 must be at least 1e-8/s (random "
                              "gaps reach 45 times the mean gap, and must stay within 64-bit "
                              "nanoseconds)",
                              text);
        *out_per_s = v;
        return TRUE;
    }
    return units_fail(error, "bad rate '%s': unknown unit '%s' (use /s, /min, /h)", text, slash);
}

/* ---- latency distributions ---- */

typedef struct units_dist_kind {
    const char *name;
    sim_dist_kind kind;
    guint args;          /* values after the name */
    const char *example;
} units_dist_kind;

static const units_dist_kind units_dists[] = {
    {"constant", SIM_DIST_CONSTANT, 1, "constant 50ms"},
    {"fixed", SIM_DIST_CONSTANT, 1, "fixed 2s"},
    {"uniform", SIM_DIST_UNIFORM, 2, "uniform 20ms 80ms"},
    {"normal", SIM_DIST_NORMAL, 2, "normal 50ms 10ms"},
    {"lognormal", SIM_DIST_LOGNORMAL, 2, "lognormal 50ms 0.5"},
    {"exponential", SIM_DIST_EXPONENTIAL, 1, "exponential 40ms"},
};

/* Largest sigma accepted for lognormal: exp(10 * z) already spans far more
 * than any network; larger values only overflow. */
#define UNITS_LOGNORMAL_SIGMA_MAX 10.0

static gboolean units_dist_values(const units_dist_kind *k, char **words, const char *text,
                                  const char *what, sim_dist *out, GError **error)
{
    GError *local = NULL;
    if (!sim_parse_duration(words[1], &out->a_ns, &local))
        goto bad;
    if (k->kind == SIM_DIST_LOGNORMAL) {
        if (!sim_parse_real(words[2], &out->sigma, &local))
            goto bad;
        if (out->sigma > UNITS_LOGNORMAL_SIGMA_MAX)
            return units_fail(error, "bad %s '%s': sigma must be <= 10", what, text);
        if (out->a_ns == 0)
            return units_fail(error, "bad %s '%s': lognormal median must be > 0", what, text);
    } else if (k->args == 2 && !sim_parse_duration(words[2], &out->b_ns, &local)) {
        goto bad;
    }
    if (k->kind == SIM_DIST_UNIFORM && out->b_ns < out->a_ns)
        return units_fail(error, "bad %s '%s': uniform upper bound below lower bound", what, text);
    return TRUE;
bad:
    units_fail(error, "bad %s '%s': %s", what, text, local->message);
    g_error_free(local);
    return FALSE;
}

/* text cut at blanks, empty words (repeated blanks) dropped; *n words. */
static char **units_words(const char *text, guint *n)
{
    char **words = g_strsplit_set(text, " \t", -1);
    guint kept = 0;
    for (guint i = 0; words[i] != NULL; i++) {
        if (words[i][0] == '\0') {
            g_free(words[i]);
            continue;
        }
        words[kept++] = words[i];
    }
    words[kept] = NULL;
    *n = kept;
    return words;
}

gboolean sim_parse_dist(const char *text, sim_dist *out, GError **error)
{
    return sim_parse_dist_named(text, "latency", out, error);
}

gboolean sim_parse_dist_named(const char *text, const char *what, sim_dist *out, GError **error)
{
    guint n = 0;
    g_auto(GStrv) words = units_words(text, &n);
    if (n == 0)
        return units_fail(error, "bad %s '': empty (like constant 50ms)", what);
    sim_dist d = {.kind = SIM_DIST_CONSTANT, .a_ns = 0, .b_ns = 0, .sigma = 0};
    if (n == 1 && g_ascii_isdigit(words[0][0])) {
        if (!sim_parse_duration(words[0], &d.a_ns, error))
            return FALSE;
        *out = d;
        return TRUE;
    }
    const char *names[G_N_ELEMENTS(units_dists) + 1];
    for (size_t i = 0; i < G_N_ELEMENTS(units_dists); i++) {
        names[i] = units_dists[i].name;
        const units_dist_kind *k = &units_dists[i];
        if (strcmp(words[0], k->name) != 0)
            continue;
        if (n - 1 != k->args)
            return units_fail(error, "bad %s '%s': %s takes %u value%s (like %s)", what, text,
                              k->name, k->args, k->args == 1 ? "" : "s", k->example);
        d.kind = k->kind;
        if (!units_dist_values(k, words, text, what, &d, error))
            return FALSE;
        *out = d;
        return TRUE;
    }
    names[G_N_ELEMENTS(units_dists)] = NULL;
    const char *near = sim_ini_closest(words[0], names);
    return units_fail(error,
                      "bad %s '%s': unknown distribution '%s'%s%s%s (use constant, uniform, "
                      "normal, lognormal or exponential)",
                      what, text, words[0], near ? "; did you mean '" : "", near ? near : "",
                      near ? "'?" : "");
}

/* ---- distributions of plain numbers ---- */

static gboolean units_num_dist_values(sim_dist_kind kind, char **words, const char *text,
                                      const char *what, sim_num_dist *out, GError **error)
{
    GError *local = NULL;
    if (!sim_parse_real(words[1], &out->a, &local))
        goto bad;
    if (kind == SIM_DIST_LOGNORMAL) {
        if (!sim_parse_real(words[2], &out->sigma, &local))
            goto bad;
        if (out->sigma > UNITS_LOGNORMAL_SIGMA_MAX)
            return units_fail(error, "bad %s '%s': sigma must be <= 10", what, text);
        if (!(out->a > 0))
            return units_fail(error, "bad %s '%s': lognormal median must be > 0", what, text);
    } else if (words[2] != NULL && !sim_parse_real(words[2], &out->b, &local)) {
        goto bad;
    }
    if (kind == SIM_DIST_UNIFORM && out->b < out->a)
        return units_fail(error, "bad %s '%s': uniform upper bound below lower bound", what, text);
    return TRUE;
bad:
    units_fail(error, "bad %s '%s': %s", what, text, local->message);
    g_error_free(local);
    return FALSE;
}

gboolean sim_parse_num_dist(const char *text, const char *what, sim_num_dist *out,
                            GError **error)
{
    guint n = 0;
    g_auto(GStrv) words = units_words(text, &n);
    if (n == 0)
        return units_fail(error, "bad %s '': empty (like uniform 0.5 2.0)", what);
    sim_num_dist d = {.kind = SIM_DIST_CONSTANT};
    if (n == 1 && (g_ascii_isdigit(words[0][0]) || words[0][0] == '-')) {
        GError *local = NULL;
        if (!sim_parse_real(words[0], &d.a, &local)) {
            units_fail(error, "bad %s '%s': %s", what, text, local->message);
            g_error_free(local);
            return FALSE;
        }
        *out = d;
        return TRUE;
    }
    const char *names[G_N_ELEMENTS(units_dists) + 1];
    for (size_t i = 0; i < G_N_ELEMENTS(units_dists); i++)
        names[i] = units_dists[i].name;
    names[G_N_ELEMENTS(units_dists)] = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(units_dists); i++) {
        const units_dist_kind *k = &units_dists[i];
        if (strcmp(words[0], k->name) != 0)
            continue;
        if (n - 1 != k->args)
            return units_fail(error, "bad %s '%s': %s takes %u value%s", what, text, k->name,
                              k->args, k->args == 1 ? "" : "s");
        d.kind = k->kind;
        if (!units_num_dist_values(k->kind, words, text, what, &d, error))
            return FALSE;
        *out = d;
        return TRUE;
    }
    const char *near = sim_ini_closest(words[0], names);
    return units_fail(error,
                      "bad %s '%s': unknown distribution '%s'%s%s%s (use constant, uniform, "
                      "normal, lognormal or exponential)",
                      what, text, words[0], near ? "; did you mean '" : "", near ? near : "",
                      near ? "'?" : "");
}

/* ---- exact decimals ---- */

gboolean sim_parse_decimal_e18(const char *text, uint64_t max_whole, uint64_t *out,
                               GError **error)
{
    units_decimal d;
    const char *end = NULL;
    if (text[0] == '-')
        return units_fail(error, "bad number '%s': must not be negative", text);
    if (!units_scan_decimal(text, &d, &end) || *end != '\0')
        return units_fail(error, "bad number '%s' (a decimal number like 0.00001, at most 18 "
                                 "decimals)",
                          text);
    if (d.whole > max_whole || (d.whole == max_whole && d.frac != 0))
        return units_fail(error, "bad number '%s': above %" G_GUINT64_FORMAT, text, max_whole);
    uint64_t scale = 1;
    for (int i = d.frac_digits; i < UNITS_FRAC_DIGITS_MAX; i++)
        scale *= 10;
    /* max_whole <= 18 keeps whole x 10^18 within 64 bits. */
    g_assert(max_whole <= 18);
    *out = d.whole * 1000000000000000000ull + d.frac * scale;
    return TRUE;
}

gboolean sim_parse_signed_real(const char *text, double *out, GError **error)
{
    double v = 0;
    if (!sim_parse_real(text[0] == '-' ? text + 1 : text, &v, error))
        return FALSE;
    *out = text[0] == '-' ? -v : v;
    return TRUE;
}
