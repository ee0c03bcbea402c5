/* The account-state fixture shared by the state and transaction-execution
 * tests (test_state.c, test_tx_exec.c): a state of funded accounts with
 * known keys and base fee, signed transfers, one transaction run as a
 * block would run it, and the state root recomputed from scratch by an
 * independent reference (the documented leaf encoding, padded to a power
 * of two, hashed bottom-up, then folded as H("aitbc/state" || accounts
 * root || base fee LE || valset hash)). */
#include "support/state_world.h"

#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/chain/module.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/validator/validator.h"

const txfix_fees sw_fees = {.max_fee_per_gas = SW_BASE_FEE + SW_TIP,
                            .max_priority_fee_per_gas = SW_TIP};

/* count accounts, account i with balance + i, base fee SW_BASE_FEE. */
void sw_init(sw_world *w, proto_crypto_mode mode, uint32_t count, uint64_t balance)
{
    proto_crypto_global_init();
    w->c = proto_crypto_new(mode, 4096);
    w->s = proto_state_new();
    w->keys = g_new(proto_keypair, count);
    w->count = count;
    w->rules = txfix_rules(SW_CHAIN_ID, TXFIX_BLOCK_GAS_LIMIT, SW_BASE_FEE, NULL, 0);
    for (uint32_t i = 0; i < count; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&w->keys[i], 5, label);
        ck_assert_uint_eq(proto_state_add_account(w->s, &w->keys[i].pk, balance + i), i);
    }
    proto_state_set_base_fee(w->s, SW_BASE_FEE, NULL);
}

void sw_clear(sw_world *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->c);
    g_free(w->keys);
}

/* A signed transfer from `from` at its current nonce in s. */
proto_txenv sw_tx_on(sw_world *w, const proto_state *s, uint32_t from, uint32_t to, uint64_t amount,
                     txfix_fees fees)
{
    return txfix_transfer(w->c, SW_CHAIN_ID, &w->keys[from], proto_state_account(s, from)->nonce,
                          to, amount, fees);
}

proto_txenv sw_tx(sw_world *w, uint32_t from, uint32_t to, uint64_t amount)
{
    return sw_tx_on(w, w->s, from, to, amount, sw_fees);
}

/* Sign again after a test changed a field (kp: the signer). */
void sw_resign(sw_world *w, proto_txenv *tx, const proto_keypair *kp)
{
    proto_txenv_sign(tx, w->c, kp);
}

/* A signature by kp over tx as it is, whoever tx names as its sender
 * (proto_txenv_sign refuses a key that is not the sender's). */
void sw_sign_as(sw_world *w, proto_txenv *tx, const proto_keypair *kp)
{
    proto_hash h;
    proto_txenv_signing_hash(tx, &h);
    proto_sign(w->c, &tx->sig, h.bytes, sizeof h.bytes, kp);
}

/* Run tx on s as a block at height 1 would, under the state's base fee,
 * with block_gas_left gas left, tips to fee_account. undo NULL: a local
 * log, dropped. */
proto_tx_exec_result sw_exec_full(sw_world *w, proto_state *s, const proto_txenv *tx,
                                  proto_undo *undo, uint64_t block_gas_left, uint32_t fee_account,
                                  proto_tx_receipt *out)
{
    proto_undo local;
    proto_undo *log = undo;
    if (log == NULL) {
        proto_undo_init(&local);
        log = &local;
    }
    proto_gas_meter unused;
    proto_gas_meter_init(&unused, UINT64_MAX);
    proto_msg_ctx ctx = {.undo = log,
                         .gas = &unused,
                         .crypto = w->c,
                         .chain_id = SW_CHAIN_ID,
                         .sender = PROTO_ACCOUNT_NONE,
                         .height = 1,
                         .time_ns = 1000};
    proto_tx_receipt ignored;
    proto_tx_exec_result r =
        proto_tx_exec(s, &ctx, &w->rules, tx, proto_txenv_wire_size(tx), proto_state_base_fee(s),
                      block_gas_left, fee_account, out != NULL ? out : &ignored);
    if (log == &local)
        proto_undo_clear(&local);
    return r;
}

proto_tx_exec_result sw_exec(sw_world *w, const proto_txenv *tx, proto_undo *undo,
                             uint32_t fee_account, proto_tx_receipt *out)
{
    return sw_exec_full(w, w->s, tx, undo, TXFIX_BLOCK_GAS_LIMIT, fee_account, out);
}

/* The gas a one-transfer envelope of wire_size bytes uses, from the
 * documented default prices (gas.h: read 1000 + 3/byte, write 2000 +
 * 30/byte, 10 per tx byte, 590 per signature; an account is 5 + 48
 * bytes): the ante's intrinsic, read and write, and the bank's two reads
 * and two writes. Independent of the code under test. */
uint64_t sw_transfer_gas(size_t wire_size)
{
    uint64_t read = 1000 + 3 * 53;
    uint64_t write = 2000 + 30 * 53;
    return 10 * (uint64_t)wire_size + 590 + 3 * (read + write);
}

/* Reference accounts root: leaves H(pk || balance LE || nonce LE), zero
 * padding to the next power of two, H(left || right) up to the root. In
 * fast mode H is proto_fastmix keyed "leaf" for leaves and "node" for
 * the rest (state.c). */
void sw_reference_leaf(bool fast, const proto_account *a, proto_hash *out)
{
    uint8_t buf[48];
    memcpy(buf, a->pk.bytes, 32);
    proto_le_put_u64(buf + 32, a->balance);
    proto_le_put_u64(buf + 40, a->nonce);
    if (fast)
        proto_fastmix(out->bytes, 32, "leaf", 4, buf, sizeof buf);
    else
        proto_hash_bytes(out, buf, sizeof buf);
}

static void sw_reference_accounts_root(const proto_state *s, bool fast, proto_hash *out)
{
    uint32_t n = proto_state_account_count(s);
    if (n == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    uint32_t cap = 1;
    while (cap < n) {
        cap *= 2;
    }
    proto_hash *level = g_new0(proto_hash, cap);
    for (uint32_t i = 0; i < n; i++) {
        sw_reference_leaf(fast, proto_state_account(s, i), &level[i]);
    }
    for (uint32_t width = cap; width > 1; width /= 2) {
        for (uint32_t i = 0; i < width / 2; i++) {
            if (fast) {
                uint8_t buf[64];
                memcpy(buf, level[2 * i].bytes, 32);
                memcpy(buf + 32, level[2 * i + 1].bytes, 32);
                proto_fastmix(level[i].bytes, 32, "node", 4, buf, sizeof buf);
            } else {
                proto_hash_pair(&level[i], &level[2 * i], &level[2 * i + 1]);
            }
        }
    }
    *out = level[0];
    g_free(level);
}

/* H("aitbc/state" || accounts || base fee LE || valset hash if attached),
 * as documented in state.h; fast: proto_fastmix keyed by the tag. */
void sw_reference_fold(const proto_state *s, bool fast, const proto_hash *accounts, proto_hash *out)
{
    uint8_t buf[11 + 32 + 8 + 32];
    size_t size = 11;
    memcpy(buf, "aitbc/state", 11);
    memcpy(buf + size, accounts->bytes, 32);
    size += 32;
    proto_le_put_u64(buf + size, proto_state_base_fee(s));
    size += 8;
    if (proto_validator_set(s) != NULL) {
        proto_hash vh;
        proto_valset_hash(proto_validator_set(s), fast, &vh);
        memcpy(buf + size, vh.bytes, 32);
        size += 32;
    }
    if (fast) {
        proto_fastmix(out->bytes, 32, "aitbc/state", 11, buf + 11, size - 11);
    } else {
        proto_hash_bytes(out, buf, size);
    }
}

/* The whole state root from scratch. */
void sw_reference_root_mode(const proto_state *s, bool fast, proto_hash *out)
{
    proto_hash accounts;
    sw_reference_accounts_root(s, fast, &accounts);
    sw_reference_fold(s, fast, &accounts, out);
}

void sw_reference_root(const proto_state *s, proto_hash *out)
{
    sw_reference_root_mode(s, false, out);
}

void sw_assert_root_matches_reference(proto_state *s)
{
    proto_hash got;
    proto_hash want;
    proto_state_root(s, &got);
    sw_reference_root(s, &want);
    ck_assert(proto_hash_equal(&got, &want));
}

void sw_root_of(proto_state *s, proto_hash *out)
{
    proto_state_root(s, out);
}

void sw_attach_valset(sw_world *w)
{
    proto_slashing_params p = proto_slashing_defaults();
    proto_pubkey keys[3];
    uint64_t stakes[3] = {1000, 1000, 1000};
    for (uint32_t i = 0; i < 3; i++)
        memset(keys[i].bytes, (int)(0x40 + i), PROTO_PUBKEY_SIZE);
    proto_validator_genesis(w->s, proto_valset_new(&p, 3, keys, stakes));
}

void sw_detach_valset(proto_state *s)
{
    proto_state_module_attach(s, PROTO_VALIDATOR_MODULE_ID, NULL);
}

void sw_valset_hash(const proto_state *s, proto_hash *out)
{
    proto_valset_hash(proto_validator_set(s), false, out);
}
