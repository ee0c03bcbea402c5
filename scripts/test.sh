#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build with warnings as
# errors, run the whole test suite with ctest, then build the unit tests
# with AddressSanitizer + UBSan and run them too, with the golden trace
# test (a pinned trace hash must not depend on the optimisation level) and
# the Byzantine and slashing worlds (label `sanitize`: hostile input through
# every decoder). Extra arguments go to the first ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

scripts/setup.sh build -DAITBC_WERROR=ON
# Without arguments: everything but the `slow` label (the regression
# scenarios on 20 seeds each; run them with `scripts/test.sh -L slow`).
if [ $# -eq 0 ]; then set -- -LE slow; fi
(cd build && ctest --output-on-failure -j "$jobs" "$@")

echo "== unit tests, the golden trace and the Byzantine/slashing worlds under AddressSanitizer + UBSan (-O0) =="
scripts/setup.sh build-asan -DAITBC_WERROR=ON -DAITBC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
# G_SLICE=always-malloc: GLib's slice allocator would hide leaked GLib
# objects from LeakSanitizer.
(cd build-asan && G_SLICE=always-malloc ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j "$jobs" -L 'unit|golden|sanitize')
