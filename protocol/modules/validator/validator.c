/* The validator module (validator.h): the bonded set as module state,
 * its operations as messages, slashing as an API for consensus. */
#include "protocol/modules/validator/validator.h"

#include "protocol/chain/tx_envelope.h"
#include "protocol/core/event.h"

static void *validator_copy(const void *state)
{
    return proto_valset_copy(state);
}

static void validator_free(void *state)
{
    proto_valset_free(state);
}

static void validator_root(const void *state, bool fast, proto_hash *out)
{
    proto_valset_hash(state, fast, out);
}

static uint64_t validator_supply(const void *state)
{
    return proto_valset_bonded(state);
}

void proto_validator_genesis(proto_state *s, proto_valset *v)
{
    for (uint32_t i = 0; v != NULL && i < proto_valset_count(v); i++)
        g_assert(proto_valset_get(v, i)->operator_account == UINT32_MAX ||
                 proto_valset_get(v, i)->operator_account < proto_state_account_count(s));
    proto_state_module_attach(s, PROTO_VALIDATOR_MODULE_ID, v);
}

const proto_valset *proto_validator_set(const proto_state *s)
{
    return proto_state_module(s, PROTO_VALIDATOR_MODULE_ID);
}

/* Undo record: data is the set as it was; put it back. */
static void validator_restore_snapshot(proto_state *s, proto_undo_record *r)
{
    proto_valset *now = proto_state_module_swap(s, PROTO_VALIDATOR_MODULE_ID, r->data);
    r->data = NULL;
    proto_valset_free(now);
}

proto_valset *proto_validator_set_mut(proto_state *s, proto_undo *undo)
{
    proto_valset *v = proto_state_module_mut(s, PROTO_VALIDATOR_MODULE_ID);
    if (undo != NULL && !proto_undo_has(undo, PROTO_VALIDATOR_MODULE_ID,
                                        validator_restore_snapshot)) {
        proto_undo_record r = {.module_id = PROTO_VALIDATOR_MODULE_ID,
                               .restore = validator_restore_snapshot,
                               .free = validator_free,
                               .data = proto_valset_copy(v)};
        proto_undo_push(undo, &r);
    }
    return v;
}

uint64_t proto_validator_slash_double_sign(proto_state *s, uint32_t i, uint64_t height,
                                           int64_t now_ns, proto_undo *undo)
{
    uint64_t amount =
        proto_valset_apply_double_sign(proto_validator_set_mut(s, undo), i, height, now_ns);
    if (amount > 0)
        proto_state_burn(s, amount, undo);
    return amount;
}

uint64_t proto_validator_record_commit(proto_state *s, uint64_t signed_height, uint64_t height,
                                       int64_t now_ns, const bool *signed_mask,
                                       GArray *jailed_out, GArray *burned_out, proto_undo *undo)
{
    uint64_t total = proto_valset_record_commit(proto_validator_set_mut(s, undo), signed_height,
                                                height, now_ns, signed_mask, jailed_out,
                                                burned_out);
    if (total > 0)
        proto_state_burn(s, total, undo);
    return total;
}

/* ---- messages ---- */

uint64_t proto_validator_op_gas(const proto_gas_schedule *gas)
{
    return proto_gas_add_sat(
        proto_gas_read_cost(gas, PROTO_VALIDATOR_KEY_SIZE, PROTO_VALIDATOR_VALUE_SIZE),
        proto_gas_write_cost(gas, PROTO_VALIDATOR_KEY_SIZE, PROTO_VALIDATOR_VALUE_SIZE));
}

/* The validator a message names, and its rules; the signer must be its
 * operator. The op nonce is the set's own (the envelope's nonce already
 * makes every operation unique). */
static uint32_t validator_check_op(const proto_state *s, const proto_msg_ctx *ctx,
                                   const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_valset *v = proto_validator_set(s);
    uint32_t i = m->type == PROTO_TXMSG_UNJAIL ? m->unjail.validator : m->rotate_key.validator;
    const proto_validator *val = v != NULL ? proto_valset_get(v, i) : NULL;
    if (val == NULL)
        return PROTO_VALSET_UNKNOWN;
    if (ctx->sender == PROTO_ACCOUNT_NONE || val->operator_account != ctx->sender)
        return PROTO_VALSET_NOT_OPERATOR;
    if (m->type == PROTO_TXMSG_UNJAIL)
        return proto_valset_check_unjail(v, i, val->op_nonce, ctx->time_ns);
    return proto_valset_check_rotate(v, i, val->op_nonce, &m->rotate_key.new_key, ctx->height);
}

static void validator_report(const proto_msg_ctx *ctx, proto_event_kind kind, uint32_t i,
                             uint64_t effective_height)
{
    if (ctx->events == NULL)
        return;
    proto_event ev = {.kind = kind, .validator = i, .effective_height = effective_height};
    g_array_append_val(ctx->events, ev);
}

/* Both operations take effect at height + update_delay (valset.h). */
static uint32_t validator_deliver_op(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_validator_op_gas(ctx->gas_prices)) != PROTO_GAS_OK)
        return PROTO_VALSET_OUT_OF_GAS;
    uint32_t res = validator_check_op(s, ctx, m);
    if (res != PROTO_VALSET_OK)
        return res;
    proto_valset *v = proto_validator_set_mut(s, ctx->undo);
    uint64_t effective = ctx->height + proto_valset_params(v)->update_delay;
    if (m->type == PROTO_TXMSG_UNJAIL) {
        proto_valset_apply_unjail(v, m->unjail.validator, ctx->height);
        validator_report(ctx, PROTO_EV_UNJAILED, m->unjail.validator, effective);
    } else {
        proto_valset_apply_rotate(v, m->rotate_key.validator, &m->rotate_key.new_key,
                                  ctx->height);
        validator_report(ctx, PROTO_EV_KEY_ROTATED, m->rotate_key.validator, effective);
    }
    return PROTO_VALSET_OK;
}

/* After the block's transactions and consensus extension, every change
 * it made is in: the proposer priorities move on (valset.h). With
 * external stake the staking module's end block, which runs after this
 * one and writes the powers, moves them instead. */
static bool validator_end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const proto_valset *v = proto_validator_set(s);
    if (v == NULL || proto_valset_stake_external(v))
        return true;
    if (proto_valset_priorities_first(v) < ctx->height)
        proto_valset_advance(proto_validator_set_mut(s, ctx->undo), ctx->height);
    return true;
}

static const char *validator_result_name(uint32_t code)
{
    return proto_valset_check_name((proto_valset_check)code);
}

/* What valset.c asserts after every change, checked on a whole set: a
 * validator's jail agrees with its signing info, and a tombstone is a
 * jail forever. */
static bool validator_invariants(const proto_state *s, const void *state, GString *why)
{
    if (state == NULL)
        return true;
    const proto_valset *v = state;
    bool ok = true;
    for (uint32_t i = 0; i < proto_valset_count(v); i++) {
        const proto_validator *val = proto_valset_get(v, i);
        bool jail_agrees = val->jailed == val->signing.jailed;
        bool tomb_forever = !val->tombstoned || (val->jailed && val->jailed_until_ns == INT64_MAX);
        if (jail_agrees && tomb_forever)
            continue;
        g_string_append_printf(why, "%svalidator %u is %s", ok ? "" : ", ", i,
                               jail_agrees ? "tombstoned but not jailed forever"
                                           : "jailed in one record and not the other");
        ok = false;
    }
    return ok;
}

static const proto_msg_route validator_routes[] = {
    {.type = PROTO_TXMSG_UNJAIL,
     .name = "unjail",
     .check = validator_check_op,
     .deliver = validator_deliver_op},
    {.type = PROTO_TXMSG_ROTATE_KEY,
     .name = "rotate_key",
     .check = validator_check_op,
     .deliver = validator_deliver_op},
};

const proto_module proto_validator_module = {
    .name = "validator",
    .id = PROTO_VALIDATOR_MODULE_ID,
    .copy = validator_copy,
    .free = validator_free,
    .root = validator_root,
    .supply = validator_supply,
    .routes = validator_routes,
    .routes_count = G_N_ELEMENTS(validator_routes),
    .result_name = validator_result_name,
    .end_block = validator_end_block,
    .invariants = validator_invariants,
};
