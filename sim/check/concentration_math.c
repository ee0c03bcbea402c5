/* The concentration measures (concentration.h): Nakamoto coefficient,
 * Gini coefficient, owners' summed power and the 1/3 test, as pure
 * functions of power arrays, so they are unit-tested with hand-computed
 * cases and used unchanged whatever moves the powers. Comparisons with
 * fractions of the total are done in 128-bit integers (3 x sum > total),
 * never through a double, so a power of exactly 1/3 is judged exactly. */
#include "sim/check/concentration.h"

#include <glib.h>
#include <stdlib.h>

static int power_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int power_asc(const void *a, const void *b)
{
    return power_desc(b, a);
}

uint32_t sim_nakamoto(uint64_t *powers, size_t n)
{
    unsigned __int128 total = 0;
    for (size_t i = 0; i < n; i++)
        total += powers[i];
    if (total == 0)
        return 0;
    qsort(powers, n, sizeof(uint64_t), power_desc);
    unsigned __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += powers[i];
        if (sum * 3 > total)
            return (uint32_t)(i + 1);
    }
    g_assert_not_reached(); /* all of them hold the whole total, more than 1/3 */
    return (uint32_t)n;
}

double sim_gini(uint64_t *powers, size_t n)
{
    qsort(powers, n, sizeof(uint64_t), power_asc);
    size_t first = 0; /* the zeros come first */
    while (first < n && powers[first] == 0)
        first++;
    size_t m = n - first;
    if (m < 2)
        return 0.0;
    __int128 weighted = 0;
    unsigned __int128 total = 0;
    for (size_t i = 0; i < m; i++) {
        uint64_t x = powers[first + i];
        weighted += (__int128)(2 * (int64_t)(i + 1) - (int64_t)m - 1) * (__int128)x;
        total += x;
    }
    g_assert(weighted >= 0);
    return (double)weighted / ((double)m * (double)total);
}

void sim_owner_powers(const uint64_t *powers, const uint32_t *owner_of, size_t n,
                      uint64_t *owner_powers, size_t owners_count)
{
    for (size_t o = 0; o < owners_count; o++)
        owner_powers[o] = 0;
    for (size_t v = 0; v < n; v++) {
        g_assert(owner_of[v] < owners_count);
        owner_powers[owner_of[v]] += powers[v];
    }
}

bool sim_concentration_reaches_third(uint64_t power, uint64_t total)
{
    g_assert(total > 0 && power <= total);
    return (unsigned __int128)power * 3 >= total;
}
