/* bench_gas: what gas metering and the fee-market arithmetic cost here.
 *
 * Gas metering runs for every state access of every transaction, and the
 * base fee once per block per node, so these set how much the fee market
 * adds to executing a block. Figures: one meter consume; one read and one
 * write charge (flat + per byte); the five charges a transfer pays
 * (intrinsic, two account reads, two account writes); one EIP-1559 next
 * base fee; one transaction fee check; decoding a one-transfer v2
 * envelope (no signature check). Each figure is the median over several
 * runs of the mean ns per operation of a batch, timed with the monotonic
 * wall clock (allowed in tools/, never in protocol/ or sim/).
 *
 * Usage: bench_gas [ops_per_run] [runs]   (defaults 2000000 and 7) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/chain/fee_market.h"
#include "protocol/chain/gas.h"
#include "protocol/chain/tx_envelope.h"
#include "tools/bench/bench_timing.h"

#define ACCOUNT_KEY_SIZE 4    /* an account index */
#define ACCOUNT_VALUE_SIZE 48 /* public key, balance, nonce */

typedef struct bench_ctx {
    proto_gas_schedule schedule;
    proto_gas_meter meter;
    proto_fee_params fees;
    proto_txenv_limits limits;
    uint8_t envelope[PROTO_TXENV_WIRE_SIZE_MAX];
    size_t envelope_size;
    proto_txenv decoded;
    uint64_t sink; /* defeats dead-code elimination */
} bench_ctx;

typedef void (*bench_fn)(bench_ctx *ctx, unsigned i);

/* Median over `runs` of the mean ns/op of `ops` calls. */
static double bench_run(bench_ctx *ctx, bench_fn fn, unsigned ops, unsigned runs)
{
    double *per_op = calloc(runs, sizeof *per_op);
    for (unsigned r = 0; r < runs; r++) {
        double t0 = bench_now_ns();
        for (unsigned i = 0; i < ops; i++) {
            fn(ctx, i);
        }
        per_op[r] = (bench_now_ns() - t0) / ops;
    }
    double median = bench_median(per_op, runs);
    free(per_op);
    return median;
}

/* A meter that never runs dry during a batch: refilled when low. */
static void meter_keep_alive(bench_ctx *ctx)
{
    if (proto_gas_meter_remaining(&ctx->meter) < 1000000) {
        ctx->sink += ctx->meter.consumed;
        proto_gas_meter_init(&ctx->meter, UINT64_MAX);
    }
}

static void op_consume(bench_ctx *ctx, unsigned i)
{
    ctx->sink += proto_gas_consume(&ctx->meter, 1 + (i & 7));
    meter_keep_alive(ctx);
}

static void op_charge_read(bench_ctx *ctx, unsigned i)
{
    ctx->sink += proto_gas_charge_read(&ctx->meter, &ctx->schedule, ACCOUNT_KEY_SIZE,
                                       ACCOUNT_VALUE_SIZE + (i & 1));
    meter_keep_alive(ctx);
}

static void op_charge_write(bench_ctx *ctx, unsigned i)
{
    ctx->sink += proto_gas_charge_write(&ctx->meter, &ctx->schedule, ACCOUNT_KEY_SIZE,
                                        ACCOUNT_VALUE_SIZE + (i & 1));
    meter_keep_alive(ctx);
}

/* What metering one transfer costs: a fresh meter, the intrinsic charge,
 * two account reads and two account writes. */
static void op_metered_transfer(bench_ctx *ctx, unsigned i)
{
    proto_gas_meter m;
    proto_gas_meter_init(&m, 200000);
    const proto_gas_schedule *s = &ctx->schedule;
    unsigned r = proto_gas_charge_intrinsic(&m, s, 152 + (i & 1), 1);
    r |= proto_gas_charge_read(&m, s, ACCOUNT_KEY_SIZE, ACCOUNT_VALUE_SIZE);
    r |= proto_gas_charge_read(&m, s, ACCOUNT_KEY_SIZE, ACCOUNT_VALUE_SIZE);
    r |= proto_gas_charge_write(&m, s, ACCOUNT_KEY_SIZE, ACCOUNT_VALUE_SIZE);
    r |= proto_gas_charge_write(&m, s, ACCOUNT_KEY_SIZE, ACCOUNT_VALUE_SIZE);
    ctx->sink += m.consumed + r;
}

static void op_next_base_fee(bench_ctx *ctx, unsigned i)
{
    uint64_t used = (uint64_t)(i * 7919u) % 30000001u;
    ctx->sink += proto_fee_next_base_fee(&ctx->fees, used, 30000000, 1000000000 + (i & 1023));
}

static void op_check_tx(bench_ctx *ctx, unsigned i)
{
    uint64_t tip = 0;
    ctx->sink += proto_fee_check_tx(1000 + (i & 255), 200000, 2000, 10 + (i & 15), &tip);
    ctx->sink += tip;
}

static void op_decode_envelope(bench_ctx *ctx, unsigned i)
{
    ctx->envelope[1 + 8 + PROTO_PUBKEY_SIZE] = (uint8_t)i; /* the nonce's low byte */
    ctx->sink += proto_txenv_decode(ctx->envelope, ctx->envelope_size, &ctx->limits,
                                    &ctx->decoded);
    ctx->sink += ctx->decoded.nonce;
}

static unsigned arg_or(int argc, char **argv, int index, unsigned fallback)
{
    if (argc <= index) {
        return fallback;
    }
    long v = strtol(argv[index], NULL, 10);
    return v > 0 ? (unsigned)v : fallback;
}

/* One signed envelope holding one transfer. */
static void make_envelope(bench_ctx *ctx)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_REAL, 0);
    proto_keypair kp;
    proto_keypair_derive(&kp, 1, "bench/0");
    proto_txenv env = (proto_txenv){.chain_id = 7, .sender = kp.pk, .nonce = 1, .gas_limit = 200000,
                        .max_fee_per_gas = 2000, .max_priority_fee_per_gas = 10,
                        .message_count = 1};
    env.messages[0].type = PROTO_TXMSG_TRANSFER;
    env.messages[0].transfer.to = 3;
    env.messages[0].transfer.amount = 1000;
    proto_txenv_sign(&env, c, &kp);
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(&env, &w);
    GBytes *bytes = proto_writer_steal(&w);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &size);
    memcpy(ctx->envelope, data, size);
    ctx->envelope_size = size;
    g_bytes_unref(bytes);
    proto_crypto_free(c);
}

int main(int argc, char **argv)
{
    unsigned ops = arg_or(argc, argv, 1, 2000000);
    unsigned runs = arg_or(argc, argv, 2, 7);
    static bench_ctx ctx;
    ctx.schedule = proto_gas_schedule_default();
    proto_gas_meter_init(&ctx.meter, UINT64_MAX);
    ctx.fees = proto_fee_params_eip1559();
    ctx.limits = (proto_txenv_limits){.chain_id = 7, .block_gas_limit = 30000000,
                                      .schedule = &ctx.schedule};
    make_envelope(&ctx);
    if (proto_txenv_decode(ctx.envelope, ctx.envelope_size, &ctx.limits, &ctx.decoded) !=
        PROTO_TXENV_OK) {
        fprintf(stderr, "bench_gas: self-check failed\n");
        return 1;
    }

    static const struct {
        const char *name;
        bench_fn fn;
    } cases[] = {
        {"gas_consume", op_consume},
        {"gas_charge_read", op_charge_read},
        {"gas_charge_write", op_charge_write},
        {"metered_transfer", op_metered_transfer},
        {"next_base_fee", op_next_base_fee},
        {"fee_check_tx", op_check_tx},
        {"txenv_decode", op_decode_envelope},
    };
    printf("# bench_gas: median of %u runs x %u ops\n", runs, ops);
    printf("%-18s %12s %14s\n", "operation", "ns/op", "ops/s");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double ns = bench_run(&ctx, cases[i].fn, ops, runs);
        printf("%-18s %12.2f %14.0f\n", cases[i].name, ns, 1e9 / ns);
    }
    if (ctx.sink == 0xFFFFFFFFu) {
        printf("(sink %llu)\n", (unsigned long long)ctx.sink);
    }
    return 0;
}
