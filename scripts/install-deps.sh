#!/usr/bin/env bash
# Installs the Debian 12 packages fieldpulse builds and tests with (root, idempotent).
# Usage: scripts/install-deps.sh [build|test]   (test adds the servers the tests start)
set -euo pipefail
profile=${1:-build}

build_pkgs=(
  g++ cmake ninja-build pkg-config ccache
  librdkafka-dev libsimdjson-dev libboost-dev prometheus-cpp-dev
  libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpqxx-dev libssl-dev
)
# prometheus: promtool checks /metrics; postgresql: the PostgreSQL sink's tests
# start a real server; chromium: the dashboard is tested in headless Chromium;
# python3-yaml: tests/deploy checks the Compose and Kubernetes files.
test_pkgs=(kcat clang clang-format libclang-rt-14-dev prometheus postgresql chromium python3-yaml)

pkgs=("${build_pkgs[@]}")
[ "$profile" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
