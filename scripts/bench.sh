#!/usr/bin/env bash
# Builds an optimised (Release, LTO) tree in build-release and runs the
# benchmarks under tools/bench/, which print their figures:
#   bench_sched   hold-model scheduler throughput (1,000 and 1,000,000 pending)
#   bench_crypto  Ed25519 sign/verify, memo hit, fast mode, BLAKE2b
#   gas_per_op    the gas of every market, registry and staking operation (exact)
# Extra arguments are passed to bench_sched (EVENTS_PER_RUN [N...]).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build-release -DCMAKE_BUILD_TYPE=Release
echo "== bench_sched =="
build-release/bench_sched "$@"
echo "== bench_crypto =="
build-release/bench_crypto
echo "== gas_per_op =="
build-release/gas_per_op
