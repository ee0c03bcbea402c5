/* CometBFT's proposer-priority validator set, ported rule for rule (see
 * rotation.h). The chain's use of it, one set per height, is proposer.c.
 *
 * The port follows cometbft v0.38.17 types/validator_set.go function by
 * function; each function below names its Go original. Differences are
 * deliberate and only on the error paths: where Go panics we return a
 * proto_cmt_valset_result, and the rescale ratio is computed without the
 * (diff + diffMax - 1) overflow that CometBFT excludes only by bounding the
 * total power. */
#include "protocol/chain/rotation.h"

#include <stdlib.h>
#include <string.h>

const char *proto_cmt_valset_result_name(proto_cmt_valset_result r)
{
    switch (r) {
    case PROTO_CMT_VALSET_OK:
        return "ok";
    case PROTO_CMT_VALSET_EMPTY:
        return "empty";
    case PROTO_CMT_VALSET_BAD_TIMES:
        return "bad-times";
    case PROTO_CMT_VALSET_BAD_ADDRESS:
        return "bad-address";
    case PROTO_CMT_VALSET_DUPLICATE:
        return "duplicate";
    case PROTO_CMT_VALSET_NEGATIVE_POWER:
        return "negative-power";
    case PROTO_CMT_VALSET_POWER_TOO_HIGH:
        return "power-too-high";
    case PROTO_CMT_VALSET_ZERO_POWER:
        return "zero-power";
    case PROTO_CMT_VALSET_UNKNOWN_REMOVAL:
        return "unknown-removal";
    }
    return "unknown";
}

/* ---- integer helpers (Go semantics) ---- */

/* Go's int64 wraps on overflow; C's does not, so wrapping results are
 * computed in uint64 and mapped back without implementation-defined casts. */
static int64_t wrap_i64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u
                                    : (int64_t)(u - (uint64_t)INT64_MAX - 1) + INT64_MIN;
}

int64_t proto_safe_add_clip(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

int64_t proto_safe_sub_clip(int64_t a, int64_t b)
{
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    return a - b;
}

/* ---- validators ---- */

proto_cmt_validator proto_validator_make(const void *address, uint32_t address_len,
                                         int64_t voting_power)
{
    /* An over-long address keeps its length, so every set rejects it
     * (PROTO_CMT_VALSET_BAD_ADDRESS); only what fits is copied. */
    proto_cmt_validator v = {.address_len = address_len, .voting_power = voting_power};
    uint32_t fits =
        address_len < PROTO_VALIDATOR_ADDRESS_MAX ? address_len : PROTO_VALIDATOR_ADDRESS_MAX;
    if (fits > 0)
        memcpy(v.address, address, fits);
    return v;
}

int proto_validator_address_cmp(const proto_cmt_validator *a, const proto_cmt_validator *b)
{
    uint32_t common = a->address_len < b->address_len ? a->address_len : b->address_len;
    int c = common > 0 ? memcmp(a->address, b->address, common) : 0;
    if (c != 0)
        return c;
    return (a->address_len > b->address_len) - (a->address_len < b->address_len);
}

static int cmp_by_address(const void *a, const void *b)
{
    return proto_validator_address_cmp(a, b);
}

/* ValidatorsByVotingPower: power descending, then address ascending. */
static int cmp_by_power(const void *pa, const void *pb)
{
    const proto_cmt_validator *a = pa, *b = pb;
    if (a->voting_power != b->voting_power)
        return a->voting_power > b->voting_power ? -1 : 1;
    return proto_validator_address_cmp(a, b);
}

/* Validator.CompareProposerPriority: the higher priority, ties to the
 * smaller address. Sets never hold one address twice. */
static const proto_cmt_validator *more_priority(const proto_cmt_validator *a,
                                                const proto_cmt_validator *b)
{
    if (a == NULL || b->proposer_priority > a->proposer_priority)
        return b;
    if (b->proposer_priority < a->proposer_priority)
        return a;
    int c = proto_validator_address_cmp(a, b);
    g_assert(c != 0);
    return c < 0 ? a : b;
}

/* ---- the set ---- */

void proto_cmt_valset_init(proto_cmt_valset *set)
{
    memset(set, 0, sizeof *set);
}

void proto_cmt_valset_clear(proto_cmt_valset *set)
{
    g_free(set->validators);
    proto_cmt_valset_init(set);
}

void proto_cmt_valset_copy(proto_cmt_valset *dst, const proto_cmt_valset *src)
{
    *dst = *src;
    dst->validators = g_memdup2(src->validators, sizeof *src->validators * src->count);
}

const proto_cmt_validator *proto_cmt_valset_get_by_address(const proto_cmt_valset *set,
                                                           const void *address,
                                                           uint32_t address_len)
{
    if (address_len > PROTO_VALIDATOR_ADDRESS_MAX)
        return NULL;
    proto_cmt_validator key = proto_validator_make(address, address_len, 0);
    for (uint32_t i = 0; i < set->count; i++)
        if (proto_validator_address_cmp(&set->validators[i], &key) == 0)
            return &set->validators[i];
    return NULL;
}

/* Lengths, duplicates and per-validator power of a list; `sorted` is the
 * list sorted by address (caller frees). */
static proto_cmt_valset_result check_list(const proto_cmt_validator *vals, uint32_t count,
                                          proto_cmt_validator **sorted)
{
    *sorted = NULL;
    for (uint32_t i = 0; i < count; i++)
        if (vals[i].address_len > PROTO_VALIDATOR_ADDRESS_MAX)
            return PROTO_CMT_VALSET_BAD_ADDRESS;
    proto_cmt_validator *s = g_memdup2(vals, sizeof *vals * count);
    if (count > 0)
        qsort(s, count, sizeof *s, cmp_by_address);
    for (uint32_t i = 0; i < count; i++) {
        proto_cmt_valset_result r = PROTO_CMT_VALSET_OK;
        if (i > 0 && proto_validator_address_cmp(&s[i - 1], &s[i]) == 0)
            r = PROTO_CMT_VALSET_DUPLICATE;
        else if (s[i].voting_power < 0)
            r = PROTO_CMT_VALSET_NEGATIVE_POWER;
        else if (s[i].voting_power > PROTO_MAX_TOTAL_VOTING_POWER)
            r = PROTO_CMT_VALSET_POWER_TOO_HIGH;
        if (r != PROTO_CMT_VALSET_OK) {
            g_free(s);
            return r;
        }
    }
    *sorted = s;
    return PROTO_CMT_VALSET_OK;
}

/* updateTotalVotingPower (callers have checked the bound). */
static int64_t total_power(const proto_cmt_validator *vals, uint32_t count)
{
    int64_t sum = 0;
    for (uint32_t i = 0; i < count; i++)
        sum = proto_safe_add_clip(sum, vals[i].voting_power);
    return sum;
}

proto_cmt_valset_result proto_cmt_valset_init_raw(proto_cmt_valset *set,
                                                  const proto_cmt_validator *vals, uint32_t count)
{
    proto_cmt_valset_init(set);
    proto_cmt_validator *sorted = NULL;
    proto_cmt_valset_result r = check_list(vals, count, &sorted);
    g_free(sorted);
    if (r != PROTO_CMT_VALSET_OK)
        return r;
    int64_t total = total_power(vals, count);
    if (total > PROTO_MAX_TOTAL_VOTING_POWER)
        return PROTO_CMT_VALSET_POWER_TOO_HIGH;
    set->validators = g_memdup2(vals, sizeof *vals * count);
    set->count = count;
    set->total_voting_power = total;
    return PROTO_CMT_VALSET_OK;
}

/* computeMaxMinPriorityDiff, including Go's wrap-around for extreme
 * priorities (max - min beyond int64 wraps, then the sign is flipped). */
int64_t proto_cmt_valset_max_min_priority_diff(const proto_cmt_valset *set)
{
    if (set->count == 0)
        return 0;
    int64_t max = INT64_MIN, min = INT64_MAX;
    for (uint32_t i = 0; i < set->count; i++) {
        int64_t p = set->validators[i].proposer_priority;
        min = p < min ? p : min;
        max = p > max ? p : max;
    }
    int64_t diff = wrap_i64((uint64_t)max - (uint64_t)min);
    return diff < 0 ? wrap_i64(0 - (uint64_t)diff) : diff;
}

/* RescalePriorities: if the spread exceeds diff_max, divide every
 * priority by ceil(spread / diff_max), truncating toward zero (Go's and
 * C's integer division agree). No-op for diff_max <= 0 or an empty set. */
void proto_cmt_valset_rescale_priorities(proto_cmt_valset *set, int64_t diff_max)
{
    if (set->count == 0 || diff_max <= 0)
        return;
    int64_t diff = proto_cmt_valset_max_min_priority_diff(set);
    if (diff <= diff_max)
        return;
    int64_t ratio = diff / diff_max + (diff % diff_max != 0);
    for (uint32_t i = 0; i < set->count; i++)
        set->validators[i].proposer_priority /= ratio;
}

/* computeAvgProposerPriority: floor(sum / n) as big.Int's Euclidean Div
 * gives it (-123/2 = -62). Without a 128-bit sum: each priority splits into
 * floor quotient and remainder in [0, n); remainders carry into the
 * quotient sum, which is accumulated modulo 2^64 (the true average fits
 * int64, so the wrapped sum is exact). */
int64_t proto_cmt_valset_compute_avg_proposer_priority(const proto_cmt_valset *set)
{
    if (set->count == 0)
        return 0;
    int64_t n = set->count;
    uint64_t quotients = 0;
    int64_t remainders = 0; /* in [0, n) */
    for (uint32_t i = 0; i < set->count; i++) {
        int64_t p = set->validators[i].proposer_priority;
        int64_t q = p / n, rem = p % n;
        if (rem < 0) {
            q -= 1;
            rem += n;
        }
        quotients += (uint64_t)q;
        remainders += rem;
        if (remainders >= n) {
            remainders -= n;
            quotients += 1;
        }
    }
    return wrap_i64(quotients);
}

/* shiftByAvgProposerPriority */
void proto_cmt_valset_shift_by_avg_proposer_priority(proto_cmt_valset *set)
{
    int64_t avg = proto_cmt_valset_compute_avg_proposer_priority(set);
    for (uint32_t i = 0; i < set->count; i++)
        set->validators[i].proposer_priority =
            proto_safe_sub_clip(set->validators[i].proposer_priority, avg);
}

/* getValWithMostPriority / findProposer: index of the leader. */
static uint32_t most_priority(const proto_cmt_valset *set)
{
    const proto_cmt_validator *best = NULL;
    for (uint32_t i = 0; i < set->count; i++)
        best = more_priority(best, &set->validators[i]);
    g_assert(best != NULL);
    return (uint32_t)(best - set->validators);
}

/* incrementProposerPriority (one inner step): everyone gains its power,
 * the leader pays the total. */
static const proto_cmt_validator *increment_once(proto_cmt_valset *set)
{
    for (uint32_t i = 0; i < set->count; i++) {
        proto_cmt_validator *v = &set->validators[i];
        v->proposer_priority = proto_safe_add_clip(v->proposer_priority, v->voting_power);
    }
    proto_cmt_validator *most = &set->validators[most_priority(set)];
    most->proposer_priority = proto_safe_sub_clip(most->proposer_priority, set->total_voting_power);
    return most;
}

/* IncrementProposerPriority: rescale and center once, then `times` steps. */
proto_cmt_valset_result proto_cmt_valset_increment_proposer_priority(proto_cmt_valset *set,
                                                                     int32_t times)
{
    if (set->count == 0)
        return PROTO_CMT_VALSET_EMPTY;
    if (times <= 0)
        return PROTO_CMT_VALSET_BAD_TIMES;
    proto_cmt_valset_rescale_priorities(set, PROTO_PRIORITY_WINDOW_SIZE_FACTOR *
                                                 set->total_voting_power);
    proto_cmt_valset_shift_by_avg_proposer_priority(set);
    const proto_cmt_validator *proposer = NULL;
    for (int32_t i = 0; i < times; i++)
        proposer = increment_once(set);
    set->proposer = *proposer;
    set->has_proposer = true;
    return PROTO_CMT_VALSET_OK;
}

/* GetProposer. Go keeps a pointer into the list, so it sees later priority
 * changes; we keep the address and return the live entry, falling back to
 * the snapshot if the proposer has since been removed (as Go's stale
 * pointer would). */
const proto_cmt_validator *proto_cmt_valset_get_proposer(proto_cmt_valset *set)
{
    if (set->count == 0)
        return NULL;
    if (!set->has_proposer) {
        set->proposer = set->validators[most_priority(set)];
        set->has_proposer = true;
    }
    const proto_cmt_validator *live =
        proto_cmt_valset_get_by_address(set, set->proposer.address, set->proposer.address_len);
    return live != NULL ? live : &set->proposer;
}

/* ---- change sets ---- */

static const proto_cmt_validator *find_sorted(const proto_cmt_validator *sorted, uint32_t count,
                                              const proto_cmt_validator *key)
{
    if (count == 0)
        return NULL;
    return bsearch(key, sorted, count, sizeof *sorted, cmp_by_address);
}

static int cmp_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

/* verifyRemovals + verifyUpdates: the power removed, and the total after
 * updates but before removals (P' of the new-validator rule). `old` and
 * `changes` are sorted by address. */
static proto_cmt_valset_result verify_changes(const proto_cmt_valset *set,
                                              const proto_cmt_validator *old,
                                              const proto_cmt_validator *changes, uint32_t count,
                                              int64_t *tvp_before_removals)
{
    int64_t removed = 0;
    int64_t *deltas = g_new(int64_t, count);
    uint32_t updates = 0;
    proto_cmt_valset_result r = PROTO_CMT_VALSET_OK;
    for (uint32_t i = 0; i < count && r == PROTO_CMT_VALSET_OK; i++) {
        const proto_cmt_validator *known = find_sorted(old, set->count, &changes[i]);
        if (changes[i].voting_power == 0) {
            if (known == NULL)
                r = PROTO_CMT_VALSET_UNKNOWN_REMOVAL;
            else
                removed += known->voting_power;
        } else {
            deltas[updates++] = changes[i].voting_power - (known ? known->voting_power : 0);
        }
    }
    /* Smallest deltas first, so decreases make room before increases. */
    if (updates > 0)
        qsort(deltas, updates, sizeof *deltas, cmp_i64);
    int64_t tvp = set->total_voting_power - removed;
    for (uint32_t i = 0; i < updates && r == PROTO_CMT_VALSET_OK; i++) {
        tvp += deltas[i];
        if (tvp > PROTO_MAX_TOTAL_VOTING_POWER)
            r = PROTO_CMT_VALSET_POWER_TOO_HIGH;
    }
    g_free(deltas);
    *tvp_before_removals = tvp + removed;
    return r;
}

/* applyUpdates + applyRemovals as one merge of two address-sorted lists:
 * a change replaces (or removes, at power 0) the entry with its address;
 * an updated validator keeps its priority, a new one gets `new_priority`. */
static proto_cmt_validator *merge_changes(const proto_cmt_validator *old, uint32_t old_count,
                                          const proto_cmt_validator *changes, uint32_t count,
                                          int64_t new_priority, uint32_t *out_count)
{
    proto_cmt_validator *merged = g_new(proto_cmt_validator, (size_t)old_count + count);
    uint32_t i = 0, j = 0, n = 0;
    while (i < old_count || j < count) {
        int c = i == old_count ? 1
                : j == count   ? -1
                               : proto_validator_address_cmp(&old[i], &changes[j]);
        if (c < 0) {
            merged[n++] = old[i++];
            continue;
        }
        if (changes[j].voting_power > 0) {
            merged[n] = changes[j];
            merged[n++].proposer_priority = c == 0 ? old[i].proposer_priority : new_priority;
        }
        if (c == 0)
            i++;
        j++;
    }
    *out_count = n;
    return merged;
}

static proto_cmt_valset_result update_with_change_set(proto_cmt_valset *set,
                                                      const proto_cmt_validator *vals,
                                                      uint32_t count, bool allow_deletes)
{
    if (count == 0)
        return PROTO_CMT_VALSET_OK;
    proto_cmt_validator *changes = NULL;
    proto_cmt_valset_result r = check_list(vals, count, &changes);
    if (r != PROTO_CMT_VALSET_OK)
        return r;
    proto_cmt_validator *old = g_memdup2(set->validators, sizeof *old * set->count);
    if (set->count > 0)
        qsort(old, set->count, sizeof *old, cmp_by_address);
    uint32_t deletes = 0, added = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (changes[i].voting_power == 0)
            deletes++;
        else if (find_sorted(old, set->count, &changes[i]) == NULL)
            added++;
    }
    int64_t tvp = 0;
    if (!allow_deletes && deletes > 0)
        r = PROTO_CMT_VALSET_ZERO_POWER;
    else if (added == 0 && set->count == deletes)
        r = PROTO_CMT_VALSET_EMPTY;
    else
        r = verify_changes(set, old, changes, count, &tvp);
    if (r == PROTO_CMT_VALSET_OK) {
        /* -1.125 * P', rounded as CometBFT does; P' < 2 * max, no overflow. */
        int64_t new_priority = -(tvp + (tvp >> 3));
        uint32_t n = 0;
        proto_cmt_validator *merged =
            merge_changes(old, set->count, changes, count, new_priority, &n);
        g_free(set->validators);
        set->validators = merged;
        set->count = n;
        set->total_voting_power = total_power(merged, n);
        g_assert(set->total_voting_power <= PROTO_MAX_TOTAL_VOTING_POWER);
        proto_cmt_valset_rescale_priorities(set, PROTO_PRIORITY_WINDOW_SIZE_FACTOR *
                                                     set->total_voting_power);
        proto_cmt_valset_shift_by_avg_proposer_priority(set);
        qsort(set->validators, set->count, sizeof *set->validators, cmp_by_power);
    }
    g_free(old);
    g_free(changes);
    return r;
}

proto_cmt_valset_result proto_cmt_valset_update(proto_cmt_valset *set,
                                                const proto_cmt_validator *changes, uint32_t count)
{
    return update_with_change_set(set, changes, count, true);
}

proto_cmt_valset_result proto_cmt_valset_init_new(proto_cmt_valset *set,
                                                  const proto_cmt_validator *vals, uint32_t count)
{
    proto_cmt_valset_init(set);
    proto_cmt_valset_result r = update_with_change_set(set, vals, count, false);
    if (r == PROTO_CMT_VALSET_OK && count > 0)
        r = proto_cmt_valset_increment_proposer_priority(set, 1);
    return r;
}
