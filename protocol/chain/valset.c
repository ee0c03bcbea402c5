/* The bonded validator set (see valset.h): validators, two append-only
 * logs of power and key changes, and the Cosmos slashing rules on them.
 *
 * Logs. Each entry says "from this height on, validator i has power p"
 * (or key k). Genesis writes one entry per validator at height 0; every
 * later change made by block h is written at h + update_delay, and blocks
 * apply in height order, so both logs are sorted by from_height
 * (asserted on append). That makes the two kinds of query cheap:
 *   - one validator at height n (power_at, key_at): scan backwards to the
 *     first entry of that validator with from_height <= n;
 *   - everyone at height n (fill): one forward pass, later entries
 *     overwriting earlier ones, stopping at the first from_height > n:
 *     O(count + log length).
 *
 * Jailed state. proto_validator.jailed and .jailed_until_ns are the source
 * of truth; the signing info (downtime.h) keeps its own copies because
 * proto_signing_info_record reads them (a jailed validator is not counted
 * as missing and is not jailed twice). This file keeps the copies equal
 * after every change (asserted in validator_check): a downtime jail comes
 * from the signing info and is copied to the validator, a double-sign
 * jail is written to both, and unjail goes through
 * proto_signing_info_unjail, which also restarts signing at the height
 * the power comes back. A jailed validator is never recorded at all
 * (record_commit skips it), so the copies only matter for consistency.
 *
 * Slash amounts are trunc(tokens * num / den) in 128-bit arithmetic, so
 * no token count can overflow; fractions are asserted <= 1, so a slash
 * never takes more than the validator holds. */
#include "protocol/chain/valset.h"

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"

#include <string.h>

#define VALSET_HASH_TAG "aitbc/valset"
#define VALSET_HASH_TAG_SIZE (sizeof VALSET_HASH_TAG - 1)

/* From from_height on, validator has voting power `power`. */
typedef struct power_entry {
    uint64_t from_height;
    uint64_t power;
    uint32_t validator;
} power_entry;

/* From from_height on, validator signs with `key`. */
typedef struct key_entry {
    uint64_t from_height;
    uint32_t validator;
    proto_pubkey key;
} key_entry;

struct proto_valset {
    proto_slashing_params params;
    uint32_t count;
    proto_validator *validators; /* [count] */
    /* Every validator's downtime window, [count * window bytes]: one
     * allocation, so copying a set (each block's undo log does) costs a
     * few allocations, not one per validator. signing.missed points here. */
    uint8_t *windows;
    GArray *power_log;           /* of power_entry, sorted by from_height */
    GArray *key_log;             /* of key_entry, sorted by from_height */
    /* Proposer priorities of update_delay + 1 consecutive heights, a ring:
     * prio[(prio_first + k) % prio_len] is the set of height
     * prio[prio_first].height + k. */
    proto_prio_set *prio;        /* [prio_len] */
    uint32_t prio_len;           /* update_delay + 1 */
    uint32_t prio_first;         /* index of the oldest height's set */
    /* The staking module owns the stake (proto_valset_use_external_stake):
     * tokens are its mirror, slashing burns nothing here, unjail gives no
     * power back. Fixed per chain, so not hashed. */
    bool stake_external;
};

const char *proto_slash_reason_name(proto_slash_reason r)
{
    switch (r) {
    case PROTO_SLASH_DOUBLE_SIGN:
        return "double-sign";
    case PROTO_SLASH_DOWNTIME:
        return "downtime";
    }
    return "unknown";
}

const char *proto_valset_check_name(proto_valset_check c)
{
    switch (c) {
    case PROTO_VALSET_OK:
        return "ok";
    case PROTO_VALSET_UNKNOWN:
        return "unknown_validator";
    case PROTO_VALSET_TOMBSTONED:
        return "tombstoned";
    case PROTO_VALSET_TOO_OLD:
        return "too_old";
    case PROTO_VALSET_FUTURE:
        return "future";
    case PROTO_VALSET_BAD_NONCE:
        return "bad_nonce";
    case PROTO_VALSET_NOT_JAILED:
        return "not_jailed";
    case PROTO_VALSET_JAIL_NOT_OVER:
        return "jail_not_over";
    case PROTO_VALSET_NO_TOKENS:
        return "no_tokens";
    case PROTO_VALSET_ROTATION_PENDING:
        return "rotation_pending";
    case PROTO_VALSET_KEY_IN_USE:
        return "key_in_use";
    case PROTO_VALSET_NOT_OPERATOR:
        return "not_operator";
    case PROTO_VALSET_OUT_OF_GAS:
        return "out_of_gas";
    }
    return "unknown";
}

proto_slashing_params proto_slashing_defaults(void)
{
    proto_downtime_params downtime = {.window = 50,
                                      .min_signed_num = 1,
                                      .min_signed_den = 2,
                                      .jail_duration_ns = 30LL * 1000 * 1000 * 1000};
    return (proto_slashing_params){.slash_double_sign_num = 1,
                                   .slash_double_sign_den = 20,
                                   .slash_downtime_num = 1,
                                   .slash_downtime_den = 100,
                                   .downtime = downtime,
                                   .evidence_max_age = 100,
                                   .update_delay = 2};
}

/* Parameters come from a validated scenario: bad ones are our bug. */
static void params_check(const proto_slashing_params *p)
{
    g_assert(p->slash_double_sign_den > 0 && p->slash_double_sign_num <= p->slash_double_sign_den);
    g_assert(p->slash_downtime_den > 0 && p->slash_downtime_num <= p->slash_downtime_den);
    g_assert(p->downtime.jail_duration_ns >= 0);
    (void)proto_downtime_max_missed(&p->downtime); /* asserts window and min signed */
    g_assert(p->update_delay >= 1);
}

static void validator_check(const proto_validator *val)
{
    g_assert(val->jailed == val->signing.jailed);
    g_assert(!val->jailed || val->jailed_until_ns == val->signing.jailed_until_ns);
    g_assert(!val->tombstoned || (val->jailed && val->jailed_until_ns == INT64_MAX));
}

static void power_append(proto_valset *v, uint32_t i, uint64_t from_height, uint64_t power)
{
    GArray *log = v->power_log;
    g_assert(log->len == 0 ||
             g_array_index(log, power_entry, log->len - 1).from_height <= from_height);
    power_entry e = {.from_height = from_height, .power = power, .validator = i};
    g_array_append_val(log, e);
}

static void key_append(proto_valset *v, uint32_t i, uint64_t from_height, const proto_pubkey *key)
{
    GArray *log = v->key_log;
    g_assert(log->len == 0 ||
             g_array_index(log, key_entry, log->len - 1).from_height <= from_height);
    key_entry e = {.from_height = from_height, .validator = i, .key = *key};
    g_array_append_val(log, e);
}

/* ---- proposer priorities (the ring) ---- */

static proto_prio_set *prio_entry(const proto_valset *v, uint32_t k)
{
    g_assert(k < v->prio_len);
    return &v->prio[(v->prio_first + k) % v->prio_len];
}

/* The voting powers proposer priorities use at height n: the powers,
 * shifted right as far as it takes for their total to fit CometBFT's
 * bound (PROTO_MAX_TOTAL_VOTING_POWER, about 1.15e18; Cosmos divides
 * tokens by a power reduction for the same reason). Chains whose stakes
 * fit, every chain a scenario can make, use the powers as they are. */
static void prio_powers(const proto_valset *v, uint64_t n, uint64_t *powers)
{
    proto_valset_fill(v, n, powers, NULL);
    unsigned __int128 total = 0;
    for (uint32_t i = 0; i < v->count; i++)
        total += powers[i];
    unsigned shift = 0;
    while ((total >> shift) > (unsigned __int128)PROTO_MAX_TOTAL_VOTING_POWER)
        shift++;
    for (uint32_t i = 0; shift > 0 && i < v->count; i++)
        powers[i] >>= shift;
    g_assert(proto_prio_check(powers, v->count) == PROTO_CMT_VALSET_OK);
}

/* The set of the height after `prev`'s, from the powers the logs give it. */
static void prio_step(const proto_valset *v, const proto_prio_set *prev, proto_prio_set *out)
{
    uint64_t *powers = g_new0(uint64_t, v->count);
    prio_powers(v, prev->height + 1, powers);
    proto_prio_set_next(prev, powers, out);
    g_free(powers);
}

/* Heights 0 .. delay: the genesis powers, all priorities zero at height
 * 0, one increment per height after it (height 1 is NewValidatorSet). */
static void priorities_genesis(proto_valset *v)
{
    v->prio_len = v->params.update_delay + 1;
    v->prio_first = 0;
    v->prio = g_new0(proto_prio_set, v->prio_len);
    uint64_t *powers = g_new0(uint64_t, v->count);
    prio_powers(v, 0, powers);
    proto_prio_set_init(&v->prio[0], v->count, powers);
    g_free(powers);
    for (uint32_t k = 1; k < v->prio_len; k++)
        prio_step(v, &v->prio[k - 1], &v->prio[k]);
}

proto_valset *proto_valset_new(const proto_slashing_params *params, uint32_t count,
                               const proto_pubkey *keys, const uint64_t *stakes)
{
    params_check(params);
    g_assert(count > 0);
    proto_valset *v = g_new0(proto_valset, 1);
    v->params = *params;
    v->count = count;
    v->validators = g_new0(proto_validator, count);
    v->power_log = g_array_sized_new(FALSE, FALSE, sizeof(power_entry), count);
    v->key_log = g_array_sized_new(FALSE, FALSE, sizeof(key_entry), count);
    uint64_t bonded = 0;
    for (uint32_t i = 0; i < count; i++) {
        g_assert(stakes[i] > 0 && stakes[i] <= UINT64_MAX - bonded); /* total fits in u64 */
        bonded += stakes[i];
        proto_validator *val = &v->validators[i];
        val->tokens = stakes[i];
        val->operator_account = UINT32_MAX;
        proto_signing_info_init(&val->signing, &params->downtime, 0);
        power_append(v, i, 0, stakes[i]);
        key_append(v, i, 0, &keys[i]);
    }
    size_t window_bytes = (params->downtime.window + 7) / 8;
    v->windows = g_new0(uint8_t, (size_t)count * window_bytes);
    for (uint32_t i = 0; i < count; i++) {
        proto_signing_info_clear(&v->validators[i].signing); /* a fresh window: all zero */
        v->validators[i].signing.missed = v->windows + (size_t)i * window_bytes;
    }
    priorities_genesis(v);
    return v;
}

void proto_valset_set_operator(proto_valset *v, uint32_t i, uint32_t account)
{
    g_assert(i < v->count);
    v->validators[i].operator_account = account;
}

proto_valset *proto_valset_copy(const proto_valset *v)
{
    proto_valset *c = g_new0(proto_valset, 1);
    c->params = v->params;
    c->count = v->count;
    c->validators = g_memdup2(v->validators, v->count * sizeof(proto_validator));
    size_t window_bytes = (v->params.downtime.window + 7) / 8;
    c->windows = g_memdup2(v->windows, (size_t)v->count * window_bytes);
    for (uint32_t i = 0; i < v->count; i++) {
        g_assert(v->validators[i].signing.missed == v->windows + (size_t)i * window_bytes);
        c->validators[i].signing.missed = c->windows + (size_t)i * window_bytes;
    }
    c->power_log = g_array_copy(v->power_log);
    c->key_log = g_array_copy(v->key_log);
    c->prio_len = v->prio_len;
    c->prio_first = v->prio_first;
    c->stake_external = v->stake_external;
    c->prio = g_new0(proto_prio_set, v->prio_len);
    for (uint32_t k = 0; k < v->prio_len; k++)
        proto_prio_set_copy(&c->prio[k], &v->prio[k]);
    return c;
}

void proto_valset_free(proto_valset *v)
{
    if (v == NULL) {
        return;
    }
    g_free(v->windows); /* every signing.missed points into it */
    g_free(v->validators);
    g_array_unref(v->power_log);
    g_array_unref(v->key_log);
    for (uint32_t k = 0; k < v->prio_len; k++)
        proto_prio_set_clear(&v->prio[k]);
    g_free(v->prio);
    g_free(v);
}

const proto_slashing_params *proto_valset_params(const proto_valset *v)
{
    return &v->params;
}

uint32_t proto_valset_count(const proto_valset *v)
{
    return v->count;
}

const proto_validator *proto_valset_get(const proto_valset *v, uint32_t i)
{
    return i < v->count ? &v->validators[i] : NULL;
}

/* Tokens only ever leave the set (slashing), so the genesis total, which
 * was asserted to fit, bounds this sum. External stake is the staking
 * module's to count. */
uint64_t proto_valset_bonded(const proto_valset *v)
{
    if (v->stake_external)
        return 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < v->count; i++) {
        total += v->validators[i].tokens;
    }
    return total;
}

uint64_t proto_valset_power_at(const proto_valset *v, uint32_t i, uint64_t n)
{
    g_assert(i < v->count);
    for (guint k = v->power_log->len; k-- > 0;) {
        const power_entry *e = &g_array_index(v->power_log, power_entry, k);
        if (e->validator == i && e->from_height <= n) {
            return e->power;
        }
    }
    g_assert_not_reached(); /* genesis wrote an entry at height 0 */
}

/* Index of the key entry in effect for i at n (genesis guarantees one). */
static guint key_entry_at(const proto_valset *v, uint32_t i, uint64_t n)
{
    g_assert(i < v->count);
    for (guint k = v->key_log->len; k-- > 0;) {
        const key_entry *e = &g_array_index(v->key_log, key_entry, k);
        if (e->validator == i && e->from_height <= n) {
            return k;
        }
    }
    g_assert_not_reached();
}

const proto_pubkey *proto_valset_key_at(const proto_valset *v, uint32_t i, uint64_t n)
{
    return &g_array_index(v->key_log, key_entry, key_entry_at(v, i, n)).key;
}

const proto_pubkey *proto_valset_prev_key_at(const proto_valset *v, uint32_t i, uint64_t n)
{
    for (guint k = key_entry_at(v, i, n); k-- > 0;) {
        const key_entry *e = &g_array_index(v->key_log, key_entry, k);
        if (e->validator == i) {
            return &e->key;
        }
    }
    return NULL;
}

uint64_t proto_valset_fill(const proto_valset *v, uint64_t n, uint64_t *powers, proto_pubkey *keys)
{
    for (guint k = 0; k < v->power_log->len; k++) {
        const power_entry *e = &g_array_index(v->power_log, power_entry, k);
        if (e->from_height > n) {
            break;
        }
        powers[e->validator] = e->power;
    }
    for (guint k = 0; keys != NULL && k < v->key_log->len; k++) {
        const key_entry *e = &g_array_index(v->key_log, key_entry, k);
        if (e->from_height > n) {
            break;
        }
        keys[e->validator] = e->key;
    }
    /* Every power was some validator's tokens at the time, and tokens
     * never grow, so the sum is at most the genesis bonded total. */
    uint64_t total = 0;
    for (uint32_t i = 0; i < v->count; i++) {
        total += powers[i];
    }
    return total;
}

/* trunc(tokens * num / den) without overflow; num <= den, so <= tokens.
 * With external stake the chain slashes through the staking module: 0. */
static uint64_t slash_tokens(const proto_valset *v, proto_validator *val, uint64_t num,
                             uint64_t den)
{
    if (v->stake_external)
        return 0;
    uint64_t amount = (uint64_t)((unsigned __int128)val->tokens * num / den);
    g_assert(amount <= val->tokens);
    val->tokens -= amount;
    return amount;
}

proto_valset_check proto_valset_check_double_sign(const proto_valset *v, uint32_t i,
                                                  uint64_t evidence_height, uint64_t height)
{
    if (i >= v->count) {
        return PROTO_VALSET_UNKNOWN;
    }
    if (v->validators[i].tombstoned) {
        return PROTO_VALSET_TOMBSTONED;
    }
    if (evidence_height > height) {
        return PROTO_VALSET_FUTURE;
    }
    if (height - evidence_height > v->params.evidence_max_age) {
        return PROTO_VALSET_TOO_OLD;
    }
    return PROTO_VALSET_OK;
}

/* Also applies to a validator already jailed for downtime: Cosmos slashes
 * and tombstones it all the same, and its jail becomes permanent. */
uint64_t proto_valset_apply_double_sign(proto_valset *v, uint32_t i, uint64_t height,
                                        int64_t now_ns)
{
    (void)now_ns; /* the jail is forever, whatever the time */
    g_assert(i < v->count);
    proto_validator *val = &v->validators[i];
    g_assert(!val->tombstoned);
    uint64_t burned =
        slash_tokens(v, val, v->params.slash_double_sign_num, v->params.slash_double_sign_den);
    val->jailed = true;
    val->tombstoned = true;
    val->jailed_until_ns = INT64_MAX;
    val->signing.jailed = true;
    val->signing.jailed_until_ns = INT64_MAX;
    power_append(v, i, height + v->params.update_delay, 0);
    validator_check(val);
    return burned;
}

/* The window of validator i has just jailed it (signing info already
 * says so): slash, mirror the jail and drop its power. */
static uint64_t downtime_jail(proto_valset *v, uint32_t i, uint64_t height)
{
    proto_validator *val = &v->validators[i];
    uint64_t burned = slash_tokens(v, val, v->params.slash_downtime_num, v->params.slash_downtime_den);
    val->jailed = true;
    val->jailed_until_ns = val->signing.jailed_until_ns; /* now_ns + jail, saturated */
    power_append(v, i, height + v->params.update_delay, 0);
    validator_check(val);
    return burned;
}

uint64_t proto_valset_record_commit(proto_valset *v, uint64_t signed_height, uint64_t height,
                                    int64_t now_ns, const bool *signed_mask, GArray *jailed_out,
                                    GArray *burned_out)
{
    g_assert(signed_height <= height);
    uint64_t *powers = g_new0(uint64_t, v->count);
    proto_valset_fill(v, signed_height, powers, NULL);
    uint64_t total = 0;
    for (uint32_t i = 0; i < v->count; i++) {
        proto_validator *val = &v->validators[i];
        if (powers[i] == 0 || val->jailed) {
            continue;
        }
        proto_downtime_result r = proto_signing_info_record(&val->signing, &v->params.downtime,
                                                            signed_height, now_ns, signed_mask[i]);
        if (r != PROTO_DOWNTIME_JAIL) {
            continue;
        }
        uint64_t burned = downtime_jail(v, i, height);
        total += burned;
        if (jailed_out != NULL) {
            g_array_append_val(jailed_out, i);
        }
        if (burned_out != NULL) {
            g_array_append_val(burned_out, burned);
        }
    }
    g_free(powers);
    return total;
}

proto_valset_check proto_valset_check_unjail(const proto_valset *v, uint32_t i, uint64_t nonce,
                                             int64_t now_ns)
{
    if (i >= v->count) {
        return PROTO_VALSET_UNKNOWN;
    }
    const proto_validator *val = &v->validators[i];
    if (nonce != val->op_nonce) {
        return PROTO_VALSET_BAD_NONCE;
    }
    if (!val->jailed) {
        return PROTO_VALSET_NOT_JAILED;
    }
    if (val->tombstoned) {
        return PROTO_VALSET_TOMBSTONED;
    }
    if (now_ns < val->jailed_until_ns) {
        return PROTO_VALSET_JAIL_NOT_OVER;
    }
    if (val->tokens == 0) {
        return PROTO_VALSET_NO_TOKENS;
    }
    return PROTO_VALSET_OK;
}

void proto_valset_set_power(proto_valset *v, uint32_t i, uint64_t power, uint64_t from_height)
{
    g_assert(i < v->count);
    if (proto_valset_power_at(v, i, from_height) != power)
        power_append(v, i, from_height, power);
}

void proto_valset_use_external_stake(proto_valset *v, const uint64_t *tokens,
                                     const uint64_t *powers)
{
    g_assert(v->power_log->len == v->count); /* genesis: nothing changed yet */
    g_assert(!v->stake_external);
    uint64_t total = 0;
    for (uint32_t i = 0; i < v->count; i++) {
        power_entry *e = &g_array_index(v->power_log, power_entry, i);
        g_assert(e->from_height == 0 && e->validator == i && powers[i] <= UINT64_MAX - total);
        e->power = powers[i];
        total += powers[i];
        v->validators[i].tokens = tokens[i];
    }
    g_assert(total > 0);
    v->stake_external = true;
    for (uint32_t k = 0; k < v->prio_len; k++)
        proto_prio_set_clear(&v->prio[k]);
    g_free(v->prio);
    priorities_genesis(v);
}

bool proto_valset_stake_external(const proto_valset *v)
{
    return v->stake_external;
}

void proto_valset_set_tokens(proto_valset *v, uint32_t i, uint64_t tokens)
{
    g_assert(v->stake_external && i < v->count);
    v->validators[i].tokens = tokens;
}

/* jailed_until_ns keeps its last value (Cosmos keeps JailedUntil too). */
void proto_valset_apply_unjail(proto_valset *v, uint32_t i, uint64_t height)
{
    g_assert(i < v->count);
    proto_validator *val = &v->validators[i];
    g_assert(val->jailed && !val->tombstoned && val->tokens > 0);
    uint64_t effective = height + v->params.update_delay;
    /* The jail time is over (checked), so the signing info agrees. */
    bool unjailed = proto_signing_info_unjail(&val->signing, val->jailed_until_ns, effective);
    g_assert(unjailed);
    val->op_nonce++;
    val->jailed = false;
    if (!v->stake_external) /* else the staking module's end block bonds it again */
        power_append(v, i, effective, val->tokens);
    validator_check(val);
}

proto_valset_check proto_valset_check_rotate(const proto_valset *v, uint32_t i, uint64_t nonce,
                                             const proto_pubkey *new_key, uint64_t height)
{
    if (i >= v->count) {
        return PROTO_VALSET_UNKNOWN;
    }
    const proto_validator *val = &v->validators[i];
    if (nonce != val->op_nonce) {
        return PROTO_VALSET_BAD_NONCE;
    }
    if (val->tombstoned) {
        return PROTO_VALSET_TOMBSTONED;
    }
    /* Pending entries (from_height > height) are at the tail. */
    for (guint k = v->key_log->len; k-- > 0;) {
        const key_entry *e = &g_array_index(v->key_log, key_entry, k);
        if (e->from_height <= height) {
            break;
        }
        if (e->validator == i) {
            return PROTO_VALSET_ROTATION_PENDING;
        }
    }
    for (guint k = 0; k < v->key_log->len; k++) {
        const key_entry *e = &g_array_index(v->key_log, key_entry, k);
        if (proto_pubkey_equal(&e->key, new_key)) {
            return PROTO_VALSET_KEY_IN_USE;
        }
    }
    return PROTO_VALSET_OK;
}

uint64_t proto_valset_apply_rotate(proto_valset *v, uint32_t i, const proto_pubkey *new_key,
                                   uint64_t height)
{
    g_assert(i < v->count && !v->validators[i].tombstoned);
    uint64_t effective = height + v->params.update_delay;
    v->validators[i].op_nonce++;
    key_append(v, i, effective, new_key);
    return effective;
}

void proto_valset_advance(proto_valset *v, uint64_t height)
{
    while (prio_entry(v, 0)->height < height) {
        proto_prio_set next;
        prio_step(v, prio_entry(v, v->prio_len - 1), &next);
        proto_prio_set *oldest = prio_entry(v, 0);
        proto_prio_set_clear(oldest);
        *oldest = next;
        v->prio_first = (v->prio_first + 1) % v->prio_len;
    }
}

uint64_t proto_valset_priorities_first(const proto_valset *v)
{
    return prio_entry(v, 0)->height;
}

bool proto_valset_priorities_at(const proto_valset *v, uint64_t n, proto_prio_set *out)
{
    uint64_t first = prio_entry(v, 0)->height;
    const proto_prio_set *newest = prio_entry(v, v->prio_len - 1);
    if (n < first || (n > newest->height && n - newest->height > PROTO_VALSET_PRIORITIES_AHEAD_MAX))
        return false;
    if (n <= newest->height) {
        proto_prio_set_copy(out, prio_entry(v, (uint32_t)(n - first)));
        return true;
    }
    /* Past the newest height nothing can change the powers any more
     * (changes land at least update_delay above the block making them):
     * move on as advance would. */
    proto_prio_set_copy(out, newest);
    while (out->height < n) {
        proto_prio_set next;
        prio_step(v, out, &next);
        proto_prio_set_clear(out);
        *out = next;
    }
    return true;
}

uint32_t proto_valset_proposer(const proto_valset *v, proto_rotation_kind kind, uint64_t n,
                               uint64_t rounds)
{
    proto_prio_set s;
    if (n == 0 || !proto_valset_priorities_at(v, n, &s))
        return PROTO_PROPOSER_NONE;
    uint32_t proposer = proto_proposer_pick(kind, &s, rounds);
    proto_prio_set_clear(&s);
    return proposer;
}

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t le[8];
    proto_le_put_u64(le, x);
    g_byte_array_append(b, le, sizeof le);
}

static void put_u8(GByteArray *b, uint8_t x)
{
    g_byte_array_append(b, &x, 1);
}

/* Canonical encoding, all integers u64 little-endian, flags one byte:
 *   count; per validator: tokens, jailed, tombstoned, jailed_until_ns,
 *   op_nonce, operator_account, signing start_height, index_offset, missed_count, jailed,
 *   jailed_until_ns, window bits ((window + 7) / 8 bytes);
 *   power log length, entries (from_height, validator, power);
 *   key log length, entries (from_height, validator, key 32 bytes);
 *   the proposer priorities of each height held, oldest first
 *   (proto_prio_set_encode).
 * Parameters are fixed per chain and not hashed. */
static void valset_encode(const proto_valset *v, GByteArray *b)
{
    size_t window_bytes = (v->params.downtime.window + 7) / 8;
    put_u64(b, v->count);
    for (uint32_t i = 0; i < v->count; i++) {
        const proto_validator *val = &v->validators[i];
        put_u64(b, val->tokens);
        put_u8(b, val->jailed);
        put_u8(b, val->tombstoned);
        put_u64(b, (uint64_t)val->jailed_until_ns);
        put_u64(b, val->op_nonce);
        put_u64(b, val->operator_account);
        put_u64(b, val->signing.start_height);
        put_u64(b, val->signing.index_offset);
        put_u64(b, val->signing.missed_count);
        put_u8(b, val->signing.jailed);
        put_u64(b, (uint64_t)val->signing.jailed_until_ns);
        g_byte_array_append(b, val->signing.missed, (guint)window_bytes);
    }
    put_u64(b, v->power_log->len);
    for (guint k = 0; k < v->power_log->len; k++) {
        const power_entry *e = &g_array_index(v->power_log, power_entry, k);
        put_u64(b, e->from_height);
        put_u64(b, e->validator);
        put_u64(b, e->power);
    }
    put_u64(b, v->key_log->len);
    for (guint k = 0; k < v->key_log->len; k++) {
        const key_entry *e = &g_array_index(v->key_log, key_entry, k);
        put_u64(b, e->from_height);
        put_u64(b, e->validator);
        g_byte_array_append(b, e->key.bytes, PROTO_PUBKEY_SIZE);
    }
    for (uint32_t k = 0; k < v->prio_len; k++)
        proto_prio_set_encode(prio_entry(v, k), b);
}

void proto_valset_hash(const proto_valset *v, bool fast, proto_hash *out)
{
    GByteArray *b = g_byte_array_new();
    if (!fast) {
        g_byte_array_append(b, (const guint8 *)VALSET_HASH_TAG, VALSET_HASH_TAG_SIZE);
    }
    valset_encode(v, b);
    if (fast) {
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, VALSET_HASH_TAG, VALSET_HASH_TAG_SIZE, b->data,
                      b->len);
    } else {
        proto_hash_bytes(out, b->data, b->len);
    }
    g_byte_array_unref(b);
}
