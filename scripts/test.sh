#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what is missing,
# builds a Debug build with ASan+UBSan and warnings as errors, fuzzes
# decode+validate briefly (clang + libFuzzer), then runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across checkouts in different folders (CI clones anew each run).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
scripts/install-deps.sh test
build=${FP_TEST_BUILD_DIR:-build/test}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFP_SANITIZE=ON -DFP_WERROR=ON
cmake --build "$build" -j2
# A short libFuzzer run over decode+validate from the seed corpus; longer runs by hand.
tests/fuzz/run.sh "${FP_FUZZ_SECONDS:-45}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j2
