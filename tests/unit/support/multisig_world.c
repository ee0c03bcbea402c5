/* The multisig tests' fake chain (multisig_world.h). */
#include "support/multisig_world.h"

#include <check.h>
#include <string.h>

void msw_init(multisig_world *w, uint32_t accounts, uint64_t balance, uint32_t count,
              const proto_multisig_genesis_account *genesis, proto_crypto_mode mode)
{
    ck_assert_uint_le(accounts, MSW_ACCOUNTS_MAX);
    proto_crypto_global_init();
    memset(w, 0, sizeof *w);
    w->crypto = proto_crypto_new(mode, 256);
    w->s = proto_state_new();
    proto_state_set_fast_hash(w->s, mode == PROTO_CRYPTO_FAST);
    w->accounts = accounts;
    for (uint32_t i = 0; i < accounts; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&w->keys[i], 5, label);
        proto_state_add_account(w->s, &w->keys[i].pk, balance);
    }
    proto_multisig_genesis(w->s, count, genesis);
    w->supply = proto_state_total_supply(w->s);
}

void msw_clear(multisig_world *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->crypto);
}

proto_multisig_genesis_account msw_genesis(uint32_t threshold, uint32_t n, const uint32_t *owners,
                                           uint64_t balance)
{
    proto_multisig_genesis_account g;
    memset(&g, 0, sizeof g);
    ck_assert_uint_le(n, PROTO_MULTISIG_OWNERS_MAX);
    g.threshold = threshold;
    g.owners_count = n;
    memcpy(g.owners, owners, n * sizeof owners[0]);
    g.balance = balance;
    return g;
}

static proto_msg_ctx ctx_of(multisig_world *w, proto_gas_meter *gas, uint32_t sender,
                            proto_undo *undo)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    return (proto_msg_ctx){.undo = undo,
                           .gas = gas,
                           .sender = sender,
                           .crypto = w->crypto,
                           .chain_id = MSW_CHAIN_ID,
                           .height = 1,
                           .time_ns = 1000,
                           .stats = &w->stats};
}

proto_txenv msw_tx(const proto_txmsg *m)
{
    proto_txenv t;
    memset(&t, 0, sizeof t);
    t.chain_id = MSW_CHAIN_ID;
    t.message_count = 1;
    t.messages[0] = *m;
    return t;
}

uint32_t msw_send(multisig_world *w, uint32_t sender, const proto_txenv *t, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_of(w, &gas, sender, undo);
    const proto_txmsg *m = &t->messages[0];
    proto_msg_result r = proto_state_deliver(w->s, &ctx, m->type, m);
    ck_assert_msg(r.status == PROTO_MSG_OK || r.status == PROTO_MSG_REFUSED, "status %s",
                  proto_msg_status_name(r.status));
    return r.code;
}

void msw_refused(multisig_world *w, uint32_t sender, const proto_txenv *t, uint32_t code)
{
    const proto_txmsg *m = &t->messages[0];
    proto_hash before, after;
    msw_root(w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_of(w, &gas, sender, &undo);
    proto_msg_result r = proto_state_deliver(w->s, &ctx, m->type, m);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_msg(r.code == code, "%s: got %s want %s", proto_txmsg_type_name(m->type),
                  proto_multisig_result_name(r.code), proto_multisig_result_name(code));
    ck_assert_str_eq(proto_msg_result_name(r), proto_multisig_result_name(code));
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);
    ck_assert_uint_eq(undo.entries->len, 0);
    proto_undo_clear(&undo);
    msw_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
}

static proto_txmsg msg_of(uint8_t type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    return m;
}

proto_txenv msw_create(uint32_t threshold, uint32_t n, const uint32_t *owners)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_MULTISIG_CREATE);
    ck_assert_uint_le(n, PROTO_MULTISIG_OWNERS_MAX);
    m.multisig_create.threshold = (uint8_t)threshold;
    m.multisig_create.owners_count = (uint8_t)n;
    memcpy(m.multisig_create.owners, owners, n * sizeof owners[0]);
    return msw_tx(&m);
}

proto_txenv msw_deposit(uint32_t multisig, uint64_t amount)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_MULTISIG_DEPOSIT);
    m.multisig_deposit.multisig = multisig;
    m.multisig_deposit.amount = amount;
    return msw_tx(&m);
}

static proto_multisig_op op_of(uint8_t type)
{
    proto_multisig_op op;
    memset(&op, 0, sizeof op);
    op.type = type;
    return op;
}

proto_multisig_op msw_op_transfer(uint32_t to, uint64_t amount)
{
    proto_multisig_op op = op_of(PROTO_MULTISIG_OP_TRANSFER);
    op.transfer.to = to;
    op.transfer.amount = amount;
    return op;
}

proto_multisig_op msw_op_owner(uint8_t type, uint32_t owner, uint8_t threshold)
{
    proto_multisig_op op = op_of(type);
    op.owner.owner = owner;
    op.owner.threshold = threshold;
    return op;
}

proto_multisig_op msw_op_threshold(uint8_t threshold)
{
    proto_multisig_op op = op_of(PROTO_MULTISIG_OP_CHANGE_THRESHOLD);
    op.threshold.threshold = threshold;
    return op;
}

proto_hash msw_op_hash(uint32_t multisig, uint64_t nonce, const proto_multisig_op *op)
{
    proto_hash h;
    proto_multisig_op_hash(MSW_CHAIN_ID, multisig, nonce, op, &h);
    return h;
}

proto_txenv msw_approve(uint32_t multisig, uint64_t nonce, const proto_hash *op_hash)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_MULTISIG_APPROVE);
    m.multisig_approve.multisig = multisig;
    m.multisig_approve.nonce = nonce;
    m.multisig_approve.op_hash = *op_hash;
    return msw_tx(&m);
}

proto_txenv msw_approve_now(multisig_world *w, uint32_t multisig, const proto_multisig_op *op)
{
    uint64_t nonce = msw_get(w, multisig)->nonce;
    proto_hash h = msw_op_hash(multisig, nonce, op);
    return msw_approve(multisig, nonce, &h);
}

void msw_approve_all(multisig_world *w, uint32_t multisig, const proto_multisig_op *op, uint32_t n,
                     const uint32_t *owners, proto_undo *undo)
{
    proto_txenv t = msw_approve_now(w, multisig, op);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = msw_send(w, owners[i], &t, undo);
        ck_assert_msg(r == 0, "approval by %u refused: %s", owners[i],
                      proto_multisig_result_name(r));
    }
}

proto_txenv msw_exec(uint32_t multisig, uint64_t nonce, const proto_multisig_op *op)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_MULTISIG_EXEC);
    m.multisig_exec.multisig = multisig;
    m.multisig_exec.nonce = nonce;
    m.multisig_exec.op = *op;
    return msw_tx(&m);
}

proto_txenv msw_exec_now(multisig_world *w, uint32_t multisig, const proto_multisig_op *op)
{
    return msw_exec(multisig, msw_get(w, multisig)->nonce, op);
}

void msw_root(multisig_world *w, proto_hash *out)
{
    proto_state_root(w->s, out);
}

/* Safe's properties of one multisig, by hand (not through the module's
 * own invariant code). */
static void check_safe(const proto_multisig *ms, uint32_t accounts, const char *where)
{
    ck_assert_msg(ms->threshold >= 1 && ms->threshold <= ms->owners_count,
                  "%s: multisig %u threshold %u of %u", where, ms->id, ms->threshold,
                  ms->owners_count);
    ck_assert_msg(ms->owners_count <= PROTO_MULTISIG_OWNERS_MAX, "%s: owners", where);
    for (uint32_t i = 0; i < ms->owners_count; i++) {
        ck_assert_msg(ms->owners[i] < accounts, "%s: owner %u", where, ms->owners[i]);
        ck_assert_msg(i == 0 || ms->owners[i - 1] < ms->owners[i], "%s: owners unsorted", where);
    }
}

void msw_check(multisig_world *w, const char *where)
{
    GString *why = g_string_new(NULL);
    bool ok = proto_state_invariants(w->s, why);
    ck_assert_msg(ok, "%s: %s", where, why->str);
    g_string_free(why, TRUE);
    ck_assert_msg(proto_state_total_supply(w->s) == w->supply,
                  "%s: supply %" G_GUINT64_FORMAT " want %" G_GUINT64_FORMAT, where,
                  proto_state_total_supply(w->s), w->supply);
    uint64_t held = 0;
    uint64_t pending_bound = 0;
    for (uint32_t id = 1; id <= proto_multisig_count(w->s); id++) {
        const proto_multisig *ms = msw_get(w, id);
        check_safe(ms, w->accounts, where);
        held += ms->balance;
        uint64_t bound = (uint64_t)ms->owners_count * PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX;
        ck_assert_msg(proto_multisig_pending_hashes(w->s, id) <= bound,
                      "%s: multisig %u has %u hashes pending", where, id,
                      proto_multisig_pending_hashes(w->s, id));
        pending_bound += bound;
    }
    ck_assert_msg(proto_multisig_pending_total(w->s) <= pending_bound, "%s: approvals", where);
    ck_assert_uint_eq(held, proto_multisig_held(w->s));
}

uint64_t msw_balance(const multisig_world *w, uint32_t account)
{
    return proto_state_account(w->s, account)->balance;
}

const proto_multisig *msw_get(const multisig_world *w, uint32_t id)
{
    const proto_multisig *ms = proto_multisig_get(w->s, id);
    ck_assert_msg(ms != NULL, "no multisig %u", id);
    return ms;
}
