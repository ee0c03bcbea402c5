/* bench_state: what the account state costs per transfer, signatures
 * aside.
 *
 * Every node applies every transfer of every block it executes, records
 * undo for it, and hashes the dirty paths for the block's state root; a
 * reorg reverts the undo log. Those are the state machine's hot path, so
 * these figures show what the module core (the router, the bank's
 * handler, the account undo entries) costs: ns per transfer applied with
 * undo, per transfer reverted, and per transfer for the root after the
 * block. The transfers of a block are signed once and their verifications
 * memoized (the crypto context's memo), so after the first pass the
 * figures hold no signature work. Each figure is the median over runs of
 * the mean of one block, timed with the monotonic wall clock (allowed in
 * tools/, never in protocol/ or sim/).
 *
 * Usage: bench_state [transfers_per_block] [runs] [accounts]
 *        (defaults 2000, 41 and 10000) */
#include <stdio.h>
#include <stdlib.h>

#include "protocol/chain/state.h"
#include "tools/bench/bench_timing.h"

#define CHAIN_ID 7

/* Sender i % accounts pays the next account; nonces follow per sender. */
static proto_tx *sign_block(proto_crypto *c, const proto_keypair *keys, uint32_t accounts,
                            unsigned count)
{
    proto_tx *txs = calloc(count, sizeof *txs);
    uint64_t *nonces = calloc(accounts, sizeof *nonces);
    for (unsigned i = 0; i < count; i++) {
        uint32_t from = (uint32_t)((i * 7919u) % accounts);
        txs[i] = (proto_tx){.from = from, .to = (from + 1) % accounts, .amount = 3, .fee = 1,
                            .nonce = nonces[from]++};
        proto_tx_sign(&txs[i], CHAIN_ID, c, &keys[from]);
    }
    free(nonces);
    return txs;
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
        proto_state_add_account(s, &keys[i].pk, 1000000);
    }
    proto_hash root;
    proto_state_root(s, &root);
    proto_tx *txs = sign_block(c, keys, accounts, count);

    double *apply = calloc(runs, sizeof *apply);
    double *hash = calloc(runs, sizeof *hash);
    double *revert = calloc(runs, sizeof *revert);
    proto_undo undo;
    proto_undo_init(&undo);
    for (unsigned r = 0; r < runs; r++) {
        double t0 = bench_now_ns();
        for (unsigned i = 0; i < count; i++) {
            if (proto_state_apply_tx(s, &txs[i], CHAIN_ID, c, &undo) != PROTO_TX_OK) {
                fprintf(stderr, "bench_state: transfer %u refused\n", i);
                return 1;
            }
        }
        double t1 = bench_now_ns();
        proto_state_root(s, &root);
        double t2 = bench_now_ns();
        proto_state_revert(s, &undo);
        double t3 = bench_now_ns();
        proto_state_root(s, &root); /* back to clean, outside the timings */
        apply[r] = (t1 - t0) / count;
        hash[r] = (t2 - t1) / count;
        revert[r] = (t3 - t2) / count;
    }
    printf("# bench_state: %u accounts, blocks of %u transfers, median of %u runs\n", accounts,
           count, runs);
    printf("%-22s %12s\n", "per transfer", "ns");
    printf("%-22s %12.1f\n", "apply_with_undo", bench_median(apply, runs));
    printf("%-22s %12.1f\n", "root_after_block", bench_median(hash, runs));
    printf("%-22s %12.1f\n", "revert", bench_median(revert, runs));

    proto_undo_clear(&undo);
    free(apply);
    free(hash);
    free(revert);
    free(txs);
    proto_state_free(s);
    free(keys);
    proto_crypto_free(c);
    return 0;
}
