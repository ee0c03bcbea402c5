/* Proposer priorities per height and round-robin (see proposer.h).
 *
 * The arithmetic is not written again here: each step turns the set into
 * CometBFT's form (proto_cmt_valset, the members in index order with
 * address = index as 4 bytes big-endian), runs the ported function
 * (UpdateWithChangeSet, IncrementProposerPriority) and reads the result
 * back by address. That costs one allocation and a few passes per step,
 * O(n), plus a sort when the powers change, and it keeps every rounding
 * rule exactly the one the CometBFT vectors check (tests/unit/test_rotation.c). */
#include "protocol/chain/proposer.h"

#include <string.h>

#include "protocol/core/codec.h"

proto_cmt_valset_result proto_prio_check(const uint64_t *powers, uint32_t count)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (powers[i] > (uint64_t)PROTO_MAX_TOTAL_VOTING_POWER)
            return PROTO_CMT_VALSET_POWER_TOO_HIGH;
        total += powers[i]; /* both terms <= max, no wrap */
        if (total > (uint64_t)PROTO_MAX_TOTAL_VOTING_POWER)
            return PROTO_CMT_VALSET_POWER_TOO_HIGH;
    }
    return PROTO_CMT_VALSET_OK;
}

static void set_alloc(proto_prio_set *s, uint64_t height, uint32_t count)
{
    s->height = height;
    s->count = count;
    s->proposer = PROTO_PROPOSER_NONE;
    s->powers = g_new0(uint64_t, count > 0 ? count : 1);
    s->priorities = g_new0(int64_t, count > 0 ? count : 1);
}

void proto_prio_set_init(proto_prio_set *s, uint32_t count, const uint64_t *powers)
{
    g_assert(proto_prio_check(powers, count) == PROTO_CMT_VALSET_OK);
    set_alloc(s, 0, count);
    memcpy(s->powers, powers, sizeof *powers * count);
}

void proto_prio_set_clear(proto_prio_set *s)
{
    g_free(s->powers);
    g_free(s->priorities);
    memset(s, 0, sizeof *s);
}

void proto_prio_set_copy(proto_prio_set *dst, const proto_prio_set *src)
{
    set_alloc(dst, src->height, src->count);
    dst->proposer = src->proposer;
    memcpy(dst->powers, src->powers, sizeof *src->powers * src->count);
    memcpy(dst->priorities, src->priorities, sizeof *src->priorities * src->count);
}

/* ---- to and from CometBFT's form ---- */

static proto_cmt_validator validator_at(uint32_t i, uint64_t power, int64_t priority)
{
    uint8_t address[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
    proto_cmt_validator v = proto_validator_make(address, sizeof address, (int64_t)power);
    v.proposer_priority = priority;
    return v;
}

static uint32_t index_of(const proto_cmt_validator *v)
{
    g_assert(v->address_len == 4);
    return (uint32_t)v->address[0] << 24 | (uint32_t)v->address[1] << 16 |
           (uint32_t)v->address[2] << 8 | (uint32_t)v->address[3];
}

/* The members of s, in index (= address) order. */
static void to_cmt(const proto_prio_set *s, proto_cmt_valset *out)
{
    proto_cmt_valset_init(out);
    out->validators = g_new(proto_cmt_validator, s->count > 0 ? s->count : 1);
    for (uint32_t i = 0; i < s->count; i++) {
        if (s->powers[i] == 0)
            continue;
        out->validators[out->count++] = validator_at(i, s->powers[i], s->priorities[i]);
        out->total_voting_power += (int64_t)s->powers[i]; /* checked: fits */
    }
    if (s->proposer != PROTO_PROPOSER_NONE) {
        g_assert(s->proposer < s->count && s->powers[s->proposer] > 0);
        out->has_proposer = true;
        out->proposer = validator_at(s->proposer, s->powers[s->proposer],
                                     s->priorities[s->proposer]);
    }
}

/* Priorities (and the proposer) of c into s, whose powers already match. */
static void from_cmt(const proto_cmt_valset *c, proto_prio_set *s)
{
    memset(s->priorities, 0, sizeof *s->priorities * s->count);
    for (uint32_t k = 0; k < c->count; k++) {
        uint32_t i = index_of(&c->validators[k]);
        g_assert(i < s->count && s->powers[i] == (uint64_t)c->validators[k].voting_power);
        s->priorities[i] = c->validators[k].proposer_priority;
    }
    s->proposer = c->count > 0 && c->has_proposer ? index_of(&c->proposer) : PROTO_PROPOSER_NONE;
}

/* ---- moving on ---- */

/* UpdateWithChangeSet with every validator whose power differs. An
 * emptied set leaves c empty (CometBFT would refuse the change; a chain
 * where nobody has power cannot commit anyway). */
static void apply_changes(proto_cmt_valset *c, const proto_prio_set *prev, const uint64_t *powers)
{
    proto_cmt_validator *changes = g_new(proto_cmt_validator, prev->count > 0 ? prev->count : 1);
    uint32_t n = 0;
    bool any_left = false;
    for (uint32_t i = 0; i < prev->count; i++) {
        any_left |= powers[i] > 0;
        if (powers[i] != prev->powers[i])
            changes[n++] = validator_at(i, powers[i], 0);
    }
    if (!any_left) {
        proto_cmt_valset_clear(c);
    } else if (n > 0) {
        proto_cmt_valset_result r = proto_cmt_valset_update(c, changes, n);
        g_assert(r == PROTO_CMT_VALSET_OK); /* powers checked, removals known */
    }
    g_free(changes);
}

void proto_prio_set_next(const proto_prio_set *prev, const uint64_t *powers,
                         proto_prio_set *out)
{
    g_assert(proto_prio_check(powers, prev->count) == PROTO_CMT_VALSET_OK);
    proto_cmt_valset c;
    to_cmt(prev, &c);
    apply_changes(&c, prev, powers);
    set_alloc(out, prev->height + 1, prev->count);
    memcpy(out->powers, powers, sizeof *powers * prev->count);
    if (c.count > 0) {
        proto_cmt_valset_result r = proto_cmt_valset_increment_proposer_priority(&c, 1);
        g_assert(r == PROTO_CMT_VALSET_OK);
    }
    from_cmt(&c, out);
    proto_cmt_valset_clear(&c);
}

void proto_prio_set_increment(proto_prio_set *s)
{
    proto_cmt_valset c;
    to_cmt(s, &c);
    if (c.count > 0) {
        proto_cmt_valset_result r = proto_cmt_valset_increment_proposer_priority(&c, 1);
        g_assert(r == PROTO_CMT_VALSET_OK);
        from_cmt(&c, s);
    }
    proto_cmt_valset_clear(&c);
}

uint32_t proto_prio_set_round(const proto_prio_set *s, uint64_t rounds)
{
    if (rounds == 0 || s->proposer == PROTO_PROPOSER_NONE)
        return s->proposer;
    if (rounds > PROTO_PROPOSER_ROUNDS_MAX)
        return PROTO_PROPOSER_NONE;
    proto_prio_set copy;
    proto_prio_set_copy(&copy, s);
    for (uint64_t r = 0; r < rounds; r++)
        proto_prio_set_increment(&copy);
    uint32_t proposer = copy.proposer;
    proto_prio_set_clear(&copy);
    return proposer;
}

uint32_t proto_proposer_round_robin(uint64_t height, uint64_t rounds, const uint64_t *powers,
                                    uint32_t count)
{
    g_assert(height >= 1 && count > 0);
    /* (height - 1 + rounds) mod count without overflow. */
    uint64_t start = ((height - 1) % count + rounds % count) % count;
    for (uint32_t j = 0; j < count; j++) {
        uint32_t v = (uint32_t)((start + j) % count);
        if (powers == NULL || powers[v] > 0)
            return v;
    }
    return PROTO_PROPOSER_NONE;
}

uint32_t proto_proposer_pick(proto_rotation_kind kind, const proto_prio_set *s, uint64_t rounds)
{
    if (kind == PROTO_ROTATION_ROUND_ROBIN)
        return s->height == 0 ? PROTO_PROPOSER_NONE
                              : proto_proposer_round_robin(s->height, rounds, s->powers, s->count);
    return proto_prio_set_round(s, rounds);
}

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t le[8];
    proto_le_put_u64(le, x);
    g_byte_array_append(b, le, sizeof le);
}

void proto_prio_set_encode(const proto_prio_set *s, GByteArray *out)
{
    put_u64(out, s->height);
    put_u64(out, s->count);
    put_u64(out, s->proposer);
    for (uint32_t i = 0; i < s->count; i++) {
        put_u64(out, s->powers[i]);
        put_u64(out, (uint64_t)s->priorities[i]);
    }
}
