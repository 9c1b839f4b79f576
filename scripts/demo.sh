#!/usr/bin/env bash
# Runs the demo on a fresh Debian 12 machine: installs what is missing, builds
# a Release build, and starts `fieldpulse demo` (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across checkouts in different folders (CI clones anew each run).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
scripts/install-deps.sh build
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DFP_TESTS=OFF -DFP_BENCH=OFF \
  -DFP_ARCH=native
cmake --build build/release -j2 --target fieldpulse
# As deploy/systemd/fieldpulse.service.in: glibc's heap on transparent huge pages.
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"
exec build/release/app/fieldpulse demo "$@"
