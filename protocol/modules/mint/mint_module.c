/* The mint module (mint_module.h): its state (copy, free, root, undo),
 * genesis, readers, the time-scaled block step and the begin block that
 * mints into the distribution module's fee collector. */
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/mint/mint_module.h"
#include "protocol/modules/staking/staking.h"

typedef struct mint_state {
    proto_mint_module_params params;
    proto_dec inflation;         /* annual rate, in [inflation_min, inflation_max] after a block */
    proto_dec annual_provisions; /* base units a year, fractional */
    bool has_last;               /* a block has run: last_time_ns holds its time */
    int64_t last_time_ns;
    uint64_t last_provision;     /* minted by the last begin block */
} mint_state;

/* ---- state ---- */

static void *mint_copy(const void *state)
{
    return g_memdup2(state, sizeof(mint_state));
}

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void put_dec(GByteArray *b, proto_dec d)
{
    for (int k = 0; k < PROTO_DEC_LIMBS; k++)
        put_u64(b, d.mag[k]);
    uint8_t neg = d.neg ? 1 : 0;
    g_byte_array_append(b, &neg, 1);
}

static void mint_root(const void *state, bool fast, proto_hash *out)
{
    const mint_state *m = state;
    const proto_mint_params *p = &m->params.mint;
    GByteArray *b = g_byte_array_new();
    put_dec(b, p->inflation_rate_change);
    put_dec(b, p->inflation_max);
    put_dec(b, p->inflation_min);
    put_dec(b, p->goal_bonded);
    put_u64(b, p->blocks_per_year);
    put_u64(b, (uint64_t)m->params.year_ns);
    put_dec(b, m->inflation);
    put_dec(b, m->annual_provisions);
    put_u64(b, m->has_last ? 1 : 0);
    put_u64(b, (uint64_t)m->last_time_ns);
    put_u64(b, m->last_provision);
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "mint", 4, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
    g_byte_array_unref(b);
}

static void mint_restore(proto_state *s, proto_undo_record *r)
{
    mint_state *m = proto_state_module_mut(s, PROTO_MINT_MODULE_ID);
    g_assert(m != NULL);
    *m = *(const mint_state *)r->data;
}

/* Mutable access recording the old state (a small fixed struct). */
static mint_state *mint_mut(proto_state *s, proto_undo *undo)
{
    mint_state *m = proto_state_module_mut(s, PROTO_MINT_MODULE_ID);
    g_assert(m != NULL);
    if (undo != NULL) {
        proto_undo_record r = {.module_id = PROTO_MINT_MODULE_ID,
                               .restore = mint_restore,
                               .free = g_free,
                               .data = mint_copy(m)};
        proto_undo_push(undo, &r);
    }
    return m;
}

void proto_mint_genesis(proto_state *s, const proto_mint_module_params *params,
                        proto_dec initial_inflation)
{
    g_assert(proto_mint_params_check(&params->mint) == PROTO_MINT_OK && params->year_ns > 0);
    g_assert(!proto_dec_is_negative(initial_inflation) &&
             !proto_dec_gt(initial_inflation, proto_dec_one()));
    mint_state *m = g_new0(mint_state, 1);
    m->params = *params;
    m->inflation = initial_inflation;
    m->annual_provisions = proto_dec_zero();
    proto_state_module_attach(s, PROTO_MINT_MODULE_ID, m);
}

/* ---- readers ---- */

static const mint_state *mint_get(const proto_state *s)
{
    return proto_state_module(s, PROTO_MINT_MODULE_ID);
}

proto_dec proto_mint_inflation(const proto_state *s)
{
    const mint_state *m = mint_get(s);
    return m != NULL ? m->inflation : proto_dec_zero();
}

proto_dec proto_mint_annual_provisions(const proto_state *s)
{
    const mint_state *m = mint_get(s);
    return m != NULL ? m->annual_provisions : proto_dec_zero();
}

uint64_t proto_mint_last_provision(const proto_state *s)
{
    const mint_state *m = mint_get(s);
    return m != NULL ? m->last_provision : 0;
}

uint64_t proto_mint_minted_total(const proto_state *s)
{
    return proto_state_minted(s);
}

/* ---- the block ---- */

/* NextInflationRate with the per-year change scaled by num / den:
 * (1 - bonded / goal) x rate change (Quo, Mul), x num exact, / den
 * (Quo); clamped to [min, max]. */
static proto_mint_result next_rate(const proto_mint_params *p, proto_dec inflation,
                                   proto_dec bonded_ratio, uint64_t num, uint64_t den,
                                   proto_dec *next)
{
    proto_dec ratio, gap, per_year, scaled, change, sum;
    if (proto_dec_quo(bonded_ratio, p->goal_bonded, &ratio) != PROTO_DEC_OK ||
        proto_dec_sub(proto_dec_one(), ratio, &gap) != PROTO_DEC_OK ||
        proto_dec_mul(gap, p->inflation_rate_change, &per_year) != PROTO_DEC_OK ||
        proto_dec_mul_int(per_year, (proto_amount)num, &scaled) != PROTO_DEC_OK ||
        proto_dec_quo(scaled, proto_dec_from_amount((proto_amount)den), &change) !=
            PROTO_DEC_OK ||
        proto_dec_add(inflation, change, &sum) != PROTO_DEC_OK)
        return PROTO_MINT_OVERFLOW;
    sum = proto_dec_min(sum, p->inflation_max);
    *next = proto_dec_max(sum, p->inflation_min);
    return PROTO_MINT_OK;
}

proto_mint_result proto_mint_block_step(const proto_mint_params *p, proto_dec inflation,
                                        proto_dec bonded_ratio, proto_amount supply, uint64_t num,
                                        uint64_t den, proto_dec *next_inflation,
                                        proto_dec *annual_provisions, proto_amount *provision)
{
    if (proto_mint_params_check(p) != PROTO_MINT_OK || den == 0 || den > INT64_MAX ||
        num > INT64_MAX)
        return PROTO_MINT_BAD_PARAMS;
    if (proto_dec_is_negative(inflation) || proto_dec_is_negative(bonded_ratio) || supply < 0)
        return PROTO_MINT_NEGATIVE;
    proto_dec rate, annual, scaled, per_block;
    proto_amount whole;
    proto_mint_result r = next_rate(p, inflation, bonded_ratio, num, den, &rate);
    if (r == PROTO_MINT_OK)
        r = proto_mint_next_annual_provisions(rate, supply, &annual);
    if (r != PROTO_MINT_OK)
        return r;
    if (proto_dec_mul_int(annual, (proto_amount)num, &scaled) != PROTO_DEC_OK ||
        proto_dec_quo_int(scaled, (proto_amount)den, &per_block) != PROTO_DEC_OK ||
        proto_dec_truncate_int(per_block, &whole) != PROTO_DEC_OK)
        return PROTO_MINT_OVERFLOW;
    *next_inflation = rate;
    *annual_provisions = annual;
    *provision = whole;
    return PROTO_MINT_OK;
}

/* The share of a year this block covers, as num / den (mint_module.h). */
static void year_share(const mint_state *m, int64_t time_ns, uint64_t *num, uint64_t *den)
{
    if (!m->has_last) {
        *num = 1;
        *den = m->params.mint.blocks_per_year;
        return;
    }
    int64_t dt = time_ns - m->last_time_ns;
    if (dt < 0)
        dt = 0;
    if (dt > m->params.year_ns)
        dt = m->params.year_ns;
    *num = (uint64_t)dt;
    *den = (uint64_t)m->params.year_ns;
}

static bool mint_begin_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const mint_state *now = mint_get(s);
    const proto_staking_state *sk = proto_staking_get(s);
    if (now == NULL || sk == NULL || !proto_distribution_active(s))
        return true;
    uint64_t num, den;
    year_share(now, ctx->time_ns, &num, &den);
    proto_amount supply = (proto_amount)proto_state_supply_existing(s);
    proto_dec bonded_ratio, rate, annual;
    proto_amount provision;
    g_assert(proto_mint_bonded_ratio(proto_staking_bonded_pool(sk), supply, &bonded_ratio) ==
             PROTO_MINT_OK);
    g_assert(proto_mint_block_step(&now->params.mint, now->inflation, bonded_ratio, supply, num,
                                   den, &rate, &annual, &provision) == PROTO_MINT_OK);
    g_assert(provision >= 0 && provision <= (proto_amount)UINT64_MAX);
    mint_state *m = mint_mut(s, ctx->undo);
    m->inflation = rate;
    m->annual_provisions = annual;
    m->has_last = true;
    m->last_time_ns = ctx->time_ns;
    m->last_provision = (uint64_t)provision;
    if (provision > 0) {
        proto_state_mint(s, (uint64_t)provision, ctx->undo);
        proto_distribution_collect(s, (uint64_t)provision, ctx->undo);
    }
    return true;
}

const proto_module proto_mint_module = {
    .name = "mint",
    .id = PROTO_MINT_MODULE_ID,
    .copy = mint_copy,
    .free = g_free,
    .root = mint_root,
    .begin_block = mint_begin_block,
};
