#!/usr/bin/env bash
# Runs the libFuzzer harnesses of tests/fuzz for real:
#   scripts/fuzz.sh [SECONDS] [HARNESS...]     (default 60 s each, all harnesses)
# Configures build-fuzz with clang (-DAITBC_FUZZ=ON: libFuzzer coverage in
# every library, AddressSanitizer and UBSan), builds the fuzz_* targets,
# and runs each for SECONDS on a copy of its seed corpus (build-fuzz/work/NAME,
# so the tree's corpus stays small; new inputs stay there). Prints runs,
# exec/s and crashes per harness; exits non-zero if any harness crashed
# (a sanitizer report or a broken check: the input is saved next to the log
# as crash-*, replay it with build/tests/fuzz/replay_NAME FILE).
# Environment: JOBS (parallel harnesses, default 2), CC (default clang).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(pbft_msg p2p_msg poa_msg chain txenv scenario frames)
jobs=${JOBS:-2}
cc=${CC:-clang}
command -v "$cc" >/dev/null || { echo "fuzz: $cc not found (libFuzzer needs clang)" >&2; exit 1; }

build=build-fuzz
cmake -S . -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DAITBC_FUZZ=ON -DAITBC_SANITIZE=ON >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}" >/dev/null

# Seeds of one harness into its work corpus (kept between runs).
seed() { # seed NAME DIR
    mkdir -p "$2"
    if [ "$1" = scenario ]; then
        cp -n scenarios/*.ini scenarios/regression/*.ini scenarios/swarm/*.ini tests/malformed/* "$2"/ 2>/dev/null || true
    else
        cp -n tests/fuzz/corpus/"$1"/* "$2"/
    fi
}

run_one() { # run_one NAME: runs the fuzzer, leaves its log in work/NAME.log
    local name=$1
    local dir="$build/work/$name"
    seed "$name" "$dir/corpus"
    (cd "$dir" && ASAN_OPTIONS=detect_leaks=1 \
        "../../tests/fuzz/fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 corpus >"../$name.log" 2>&1) || true
}
export -f run_one seed
export build seconds

mkdir -p "$build/work"
printf '%s\n' "${harnesses[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}'

# Summary: runs and exec/s from libFuzzer's final stats; a crash is any
# crash-/leak-/timeout- artifact or a sanitizer/abort line in the log.
failed=0
printf '%-10s %12s %10s %8s %8s\n' harness runs exec/s corpus crashes
for h in "${harnesses[@]}"; do
    log="$build/work/$h.log"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus=$(find "$build/work/$h/corpus" -type f | wc -l)
    crashes=$(find "$build/work/$h" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 -name 'leak-*' \
              -o -maxdepth 1 -name 'timeout-*' -o -maxdepth 1 -name 'oom-*' | wc -l)
    if [ "$crashes" -eq 0 ] && grep -qE 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:' "$log"; then
        crashes=1
    fi
    printf '%-10s %12s %10s %8s %8s\n' "$h" "${runs:-?}" "${speed:-?}" "$corpus" "$crashes"
    if [ "$crashes" -ne 0 ] || [ -z "$runs" ]; then
        failed=1
        echo "fuzz: $h: see $log" >&2
    fi
done
exit $failed
