/* bench_crypto: what one signature, verification and hash costs here.
 *
 * Crypto dominates large simulated runs, so these figures set the CPU cost
 * model and tell whether `crypto = fast` is worth it. Each figure is the
 * median over several runs of a batch of operations, timed with the
 * monotonic wall clock (allowed in tools/, never in protocol/ or sim/).
 *
 * Usage: bench_crypto [ops_per_run] [runs]   (defaults 2000 and 7) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/crypto.h"
#include "tools/bench/bench_timing.h"

#define MSG_SIZE 56 /* a tx's signing bytes */

typedef struct bench_ctx {
    proto_crypto *real;     /* memo disabled: every verify is computed */
    proto_crypto *memo;     /* memo on, primed with the triple below */
    proto_crypto *fast;
    proto_keypair kp;
    uint8_t msg[MSG_SIZE];
    uint8_t data[100];
    proto_sig sig;
    proto_sig fast_sig;
    unsigned sink;          /* defeats dead-code elimination */
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

static void op_sign(bench_ctx *ctx, unsigned i)
{
    ctx->msg[0] = (uint8_t)i;
    proto_sig s;
    proto_sign(ctx->real, &s, ctx->msg, MSG_SIZE, &ctx->kp);
    ctx->sink += s.bytes[0];
}

static void op_verify(bench_ctx *ctx, unsigned i)
{
    (void)i;
    ctx->sink += proto_verify(ctx->real, &ctx->sig, ctx->msg, MSG_SIZE, &ctx->kp.pk);
}

static void op_memo_hit(bench_ctx *ctx, unsigned i)
{
    (void)i;
    ctx->sink += proto_verify(ctx->memo, &ctx->sig, ctx->msg, MSG_SIZE, &ctx->kp.pk);
}

static void op_fast_sign(bench_ctx *ctx, unsigned i)
{
    ctx->msg[0] = (uint8_t)i;
    proto_sig s;
    proto_sign(ctx->fast, &s, ctx->msg, MSG_SIZE, &ctx->kp);
    ctx->sink += s.bytes[0];
}

static void op_fast_verify(bench_ctx *ctx, unsigned i)
{
    (void)i;
    ctx->sink += proto_verify(ctx->fast, &ctx->fast_sig, ctx->msg, MSG_SIZE, &ctx->kp.pk);
}

static void op_hash64(bench_ctx *ctx, unsigned i)
{
    ctx->data[0] = (uint8_t)i;
    proto_hash h;
    proto_hash_bytes(&h, ctx->data, 64);
    ctx->sink += h.bytes[0];
}

static void op_hash100(bench_ctx *ctx, unsigned i)
{
    ctx->data[0] = (uint8_t)i;
    proto_hash h;
    proto_hash_bytes(&h, ctx->data, 100);
    ctx->sink += h.bytes[0];
}

static unsigned arg_or(int argc, char **argv, int index, unsigned fallback)
{
    if (argc <= index) {
        return fallback;
    }
    long v = strtol(argv[index], NULL, 10);
    return v > 0 ? (unsigned)v : fallback;
}

int main(int argc, char **argv)
{
    unsigned ops = arg_or(argc, argv, 1, 2000);
    unsigned runs = arg_or(argc, argv, 2, 7);
    bench_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.real = proto_crypto_new(PROTO_CRYPTO_REAL, 0);
    ctx.memo = proto_crypto_new(PROTO_CRYPTO_REAL, 1024);
    ctx.fast = proto_crypto_new(PROTO_CRYPTO_FAST, 0);
    proto_keypair_derive(&ctx.kp, 1, "bench/0");
    memset(ctx.msg, 0xA5, sizeof ctx.msg);
    memset(ctx.data, 0x5A, sizeof ctx.data);
    proto_sign(ctx.real, &ctx.sig, ctx.msg, MSG_SIZE, &ctx.kp);
    proto_sign(ctx.fast, &ctx.fast_sig, ctx.msg, MSG_SIZE, &ctx.kp);
    if (!proto_verify(ctx.memo, &ctx.sig, ctx.msg, MSG_SIZE, &ctx.kp.pk)) {
        fprintf(stderr, "bench_crypto: self-check failed\n");
        return 1;
    }

    static const struct {
        const char *name;
        bench_fn fn;
    } cases[] = {
        {"ed25519_sign", op_sign},
        {"ed25519_verify", op_verify},
        {"memo_hit_verify", op_memo_hit},
        {"fast_sign", op_fast_sign},
        {"fast_verify", op_fast_verify},
        {"blake2b256_64B", op_hash64},
        {"blake2b256_100B", op_hash100},
    };
    printf("# bench_crypto: median of %u runs x %u ops (message %d bytes)\n", runs, ops, MSG_SIZE);
    printf("%-18s %12s %14s\n", "operation", "ns/op", "ops/s");
    double sign_ns = 0;
    double verify_ns = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double ns = bench_run(&ctx, cases[i].fn, ops, runs);
        printf("%-18s %12.1f %14.0f\n", cases[i].name, ns, 1e9 / ns);
        if (cases[i].fn == op_sign) {
            sign_ns = ns;
        } else if (cases[i].fn == op_verify) {
            verify_ns = ns;
        }
    }
    printf("verify/sign ratio   %.2f\n", verify_ns / sign_ns);
    if (ctx.sink == 0xFFFFFFFFu) {
        printf("(sink %u)\n", ctx.sink);
    }
    proto_crypto_free(ctx.real);
    proto_crypto_free(ctx.memo);
    proto_crypto_free(ctx.fast);
    return 0;
}
