#!/usr/bin/env bash
# `cmake --install` into a fresh prefix gives the layout cmake/Install.cmake
# promises; the installed binary starts from the installed configuration (whose
# data paths point into the prefix), and the installed unit names the installed
# binary and configuration.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: install_test.sh BUILD_DIR}
prefix=$(mktemp -d "${TMPDIR:-/tmp}/fieldpulse-install-XXXXXX")
trap 'rm -rf "$prefix"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null

for f in bin/fieldpulse share/fieldpulse/catalog.toml share/fieldpulse/zhanjiang-roster.json \
  share/fieldpulse/prometheus/alerts.yml share/fieldpulse/grafana/dashboards/fieldpulse.json \
  share/fieldpulse/grafana/provisioning/dashboards/fieldpulse.yml \
  share/fieldpulse/grafana/provisioning/datasources/prometheus.yml \
  etc/fieldpulse/fieldpulse.toml lib/systemd/system/fieldpulse.service \
  share/doc/fieldpulse/operations.md share/doc/fieldpulse/README.md; do
  [ -f "$prefix/$f" ] || fail "missing $f"
done
[ -x "$prefix/bin/fieldpulse" ] || fail "bin/fieldpulse is not executable"

# The configuration's data paths are the installed files.
config=$prefix/etc/fieldpulse/fieldpulse.toml
grep -q "@" "$config" && fail "unexpanded placeholder in $config"
effective=$("$prefix/bin/fieldpulse" run --config "$config" --print-config) ||
  fail "the installed binary refuses the installed configuration"
grep -qx "roster = \"$prefix/share/fieldpulse/zhanjiang-roster.json\"  # $config:[0-9]*" \
  <<<"$effective" || fail "roster is not the installed one: $(grep '^roster' <<<"$effective")"
grep -qx "catalog = \"$prefix/share/fieldpulse/catalog.toml\"  # $config:[0-9]*" \
  <<<"$effective" || fail "catalog is not the installed one: $(grep '^catalog' <<<"$effective")"

# The unit runs the installed binary with the installed configuration.
unit=$prefix/lib/systemd/system/fieldpulse.service
grep -q "@" "$unit" && fail "unexpanded placeholder in $unit"
grep -qx "ExecStart=$prefix/bin/fieldpulse run --config $config" "$unit" ||
  fail "ExecStart is not the installed binary and configuration: $(grep ExecStart "$unit")"
grep -qx "StateDirectory=fieldpulse" "$unit" || fail "the unit does not create its state directory"
grep -qx "WorkingDirectory=/var/lib/fieldpulse" "$unit" || fail "no working directory"
if command -v systemd-analyze >/dev/null; then
  verdict=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $verdict"
  if grep -v "Failed to prepare filename\|not executable\|Unit is bound" <<<"$verdict" | grep -q .; then
    fail "systemd-analyze verify: $verdict"
  fi
fi
# Installing again (an upgrade) keeps an edited configuration; the new sample
# goes next to it.
echo "# edited by the operator" >>"$config"
cmake --install "$build" --prefix "$prefix" >/dev/null
grep -q "^# edited by the operator" "$config" || fail "a second install overwrote $config"
[ -f "$config.new" ] || fail "a second install did not leave the new sample as $config.new"

# DESTDIR stages the same tree; the files still name the final prefix.
stage=$prefix/stage
DESTDIR=$stage cmake --install "$build" --prefix /opt/fieldpulse >/dev/null
grep -qx "ExecStart=/opt/fieldpulse/bin/fieldpulse run --config /opt/fieldpulse/etc/fieldpulse/fieldpulse.toml" \
  "$stage/opt/fieldpulse/lib/systemd/system/fieldpulse.service" || fail "DESTDIR install names the stage"
[ -x "$stage/opt/fieldpulse/bin/fieldpulse" ] || fail "DESTDIR install lacks the binary"

echo "install_test: layout, configuration and unit under $prefix are as promised"
