/* The validator module (validator.h): the bonded set as module state,
 * its operations as messages, slashing as an API for consensus. */
#include "protocol/modules/validator/validator.h"

#include "protocol/chain/tx_envelope.h"

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

uint8_t proto_validator_msg_type(const proto_valop *op)
{
    g_assert(op->kind == PROTO_VALOP_UNJAIL || op->kind == PROTO_VALOP_ROTATE_KEY);
    return op->kind == PROTO_VALOP_UNJAIL ? PROTO_TXMSG_UNJAIL : PROTO_TXMSG_ROTATE_KEY;
}

/* ---- messages ---- */

static uint32_t validator_check_op(const proto_state *s, const proto_msg_ctx *ctx,
                                   const void *msg)
{
    return proto_valop_check(msg, proto_validator_set(s), ctx->height, ctx->time_ns);
}

static uint32_t validator_deliver_op(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_valop *op = msg;
    uint32_t res = validator_check_op(s, ctx, op);
    if (res != PROTO_VALSET_OK)
        return res;
    proto_valset *v = proto_validator_set_mut(s, ctx->undo);
    if (op->kind == PROTO_VALOP_UNJAIL)
        proto_valset_apply_unjail(v, op->validator, ctx->height);
    else
        proto_valset_apply_rotate(v, op->validator, &op->new_key, ctx->height);
    return PROTO_VALSET_OK;
}

/* The route's type and the body's kind agree (the caller maps one to the
 * other with proto_validator_msg_type). */
static uint32_t validator_deliver_unjail(proto_state *s, const proto_msg_ctx *ctx,
                                         const void *msg)
{
    g_assert(((const proto_valop *)msg)->kind == PROTO_VALOP_UNJAIL);
    return validator_deliver_op(s, ctx, msg);
}

static uint32_t validator_deliver_rotate(proto_state *s, const proto_msg_ctx *ctx,
                                         const void *msg)
{
    g_assert(((const proto_valop *)msg)->kind == PROTO_VALOP_ROTATE_KEY);
    return validator_deliver_op(s, ctx, msg);
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
     .deliver = validator_deliver_unjail},
    {.type = PROTO_TXMSG_ROTATE_KEY,
     .name = "rotate_key",
     .check = validator_check_op,
     .deliver = validator_deliver_rotate},
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
    .invariants = validator_invariants,
};
