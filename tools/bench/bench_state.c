/* bench_state: what the chain state costs per transaction, signatures
 * aside, and what share of it is gas metering.
 *
 * Every node executes every transaction of every block it applies: the
 * ante handler (envelope rules, sender by key, nonce, funds, fee
 * payment), the transfer through the router and the bank, the fee
 * settlement (refund, burn, tip), undo records for all of it, and the
 * dirty paths of the state root; a reorg reverts the undo log. Figures:
 * ns per transaction executed with undo (proto_tx_exec), per transaction
 * for the root after the block, per transaction reverted; then the gas
 * metering inside that execution, timed alone (the intrinsic charge, the
 * sender's read and write, the transfer's charge: the meter calls
 * proto_tx_exec makes) and as a share of executing, which is to stay
 * under 10%. The transactions are signed once and their
 * verifications memoized (the crypto context's memo), so after the first
 * pass the figures hold no signature work. Each figure is the median over
 * runs of the mean of one block, timed with the monotonic wall clock
 * (allowed in tools/, never in protocol/ or sim/).
 *
 * Usage: bench_state [transactions_per_block] [runs] [accounts]
 *        (defaults 2000, 41 and 10000) */
#include <stdio.h>
#include <stdlib.h>

#include "protocol/chain/module.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/modules/bank/bank.h"
#include "tools/bench/bench_timing.h"

#define CHAIN_ID 7
#define BASE_FEE 1000
#define BALANCE 1000000000000ULL

/* Sender i % accounts pays the next account; nonces follow per sender. */
static proto_txenv *sign_block(proto_crypto *c, const proto_keypair *keys,
                               const proto_chain_rules *rules, uint32_t accounts, unsigned count)
{
    proto_txenv *txs = calloc(count, sizeof *txs);
    uint64_t *nonces = calloc(accounts, sizeof *nonces);
    for (unsigned i = 0; i < count; i++) {
        uint32_t from = (uint32_t)((i * 7919u) % accounts);
        proto_txenv *tx = &txs[i];
        *tx = (proto_txenv){.chain_id = CHAIN_ID,
                            .sender = keys[from].pk,
                            .nonce = nonces[from]++,
                            .max_fee_per_gas = 2 * BASE_FEE,
                            .max_priority_fee_per_gas = 1,
                            .message_count = 1};
        tx->messages[0].type = PROTO_TXMSG_TRANSFER;
        tx->messages[0].transfer.to = (from + 1) % accounts;
        tx->messages[0].transfer.amount = 3;
        tx->gas_limit = proto_tx_ante_gas(&rules->gas, proto_txenv_wire_size(tx)) +
                        proto_bank_transfer_gas(&rules->gas);
        proto_txenv_sign(tx, c, &keys[from]);
    }
    free(nonces);
    return txs;
}

/* The meter calls of one transfer's execution (tx_exec.c, bank.c). */
static uint64_t meter_one(const proto_gas_schedule *gas, const proto_txenv *tx)
{
    proto_gas_meter m;
    proto_gas_meter_init(&m, tx->gas_limit);
    proto_gas_charge_intrinsic(&m, gas, proto_txenv_wire_size(tx), 1);
    proto_gas_charge_read(&m, gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    proto_gas_charge_write(&m, gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    proto_gas_consume(&m, proto_bank_transfer_gas(gas));
    return m.consumed;
}

int main(int argc, char **argv)
{
    unsigned count = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 2000;
    unsigned runs = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 41;
    uint32_t accounts = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 10000;
    if (count == 0 || runs == 0 || accounts < 2) {
        fprintf(stderr, "usage: bench_state [transfers_per_block > 0] [runs > 0] [accounts > 1]\n");
        return 2;
    }
    proto_crypto_global_init();
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_FAST, 2 * (size_t)count);
    proto_keypair *keys = calloc(accounts, sizeof *keys);
    proto_state *s = proto_state_new();
    proto_state_set_fast_hash(s, true);
    for (uint32_t i = 0; i < accounts; i++) {
        char label[32];
        snprintf(label, sizeof label, "bench/%u", i);
        proto_keypair_derive(&keys[i], 1, label);
        proto_state_add_account(s, &keys[i].pk, BALANCE);
    }
    uint32_t fee_account = 0;
    proto_chain_rules rules = {.chain_id = CHAIN_ID,
                               .block_gas_limit = UINT64_MAX / 2,
                               .fees = proto_fee_params_eip1559(),
                               .gas = proto_gas_schedule_default(),
                               .fee_accounts = &fee_account,
                               .validators = 1};
    proto_state_set_base_fee(s, BASE_FEE, NULL);
    proto_hash root;
    proto_state_root(s, &root);
    proto_txenv *txs = sign_block(c, keys, &rules, accounts, count);

    double *apply = calloc(runs, sizeof *apply);
    double *hash = calloc(runs, sizeof *hash);
    double *revert = calloc(runs, sizeof *revert);
    double *meter = calloc(runs, sizeof *meter);
    uint64_t sink = 0;
    proto_undo undo;
    proto_undo_init(&undo);
    proto_gas_meter block_gas;
    proto_gas_meter_init(&block_gas, UINT64_MAX);
    proto_msg_ctx ctx = {.undo = &undo, .gas = &block_gas, .crypto = c, .chain_id = CHAIN_ID,
                         .height = 1, .sender = PROTO_ACCOUNT_NONE};
    for (unsigned r = 0; r < runs; r++) {
        double t0 = bench_now_ns();
        for (unsigned i = 0; i < count; i++) {
            proto_tx_receipt receipt;
            if (proto_tx_exec(s, &ctx, &rules, &txs[i], proto_txenv_wire_size(&txs[i]),
                              BASE_FEE, UINT64_MAX / 2, fee_account,
                              &receipt) != PROTO_TX_EXEC_OK ||
                !receipt.messages_ok) {
                fprintf(stderr, "bench_state: transaction %u refused\n", i);
                return 1;
            }
        }
        double t1 = bench_now_ns();
        proto_state_root(s, &root);
        double t2 = bench_now_ns();
        proto_state_revert(s, &undo);
        double t3 = bench_now_ns();
        proto_state_root(s, &root); /* back to clean, outside the timings */
        double t4 = bench_now_ns();
        for (unsigned i = 0; i < count; i++)
            sink += meter_one(&rules.gas, &txs[i]);
        double t5 = bench_now_ns();
        apply[r] = (t1 - t0) / count;
        hash[r] = (t2 - t1) / count;
        revert[r] = (t3 - t2) / count;
        meter[r] = (t5 - t4) / count;
    }
    double apply_ns = bench_median(apply, runs);
    double meter_ns = bench_median(meter, runs);
    printf("# bench_state: %u accounts, blocks of %u one-transfer transactions, median of %u "
           "runs (sink %llu)\n",
           accounts, count, runs, (unsigned long long)(sink & 1));
    printf("%-22s %12s\n", "per transaction", "ns");
    printf("%-22s %12.1f\n", "execute_with_undo", apply_ns);
    printf("%-22s %12.1f\n", "root_after_block", bench_median(hash, runs));
    printf("%-22s %12.1f\n", "revert", bench_median(revert, runs));
    printf("%-22s %12.1f\n", "gas_metering", meter_ns);
    printf("%-22s %11.1f%%\n", "gas_metering_share", 100.0 * meter_ns / apply_ns);

    proto_undo_clear(&undo);
    free(apply);
    free(hash);
    free(revert);
    free(meter);
    free(txs);
    proto_state_free(s);
    free(keys);
    proto_crypto_free(c);
    return 0;
}
