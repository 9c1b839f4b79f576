#!/usr/bin/env python3
"""clang-tidy over the project's own translation units in a build's
compile_commands.json (not tests, benchmarks or generated files) with the root
.clang-tidy; exits 1 when it finds anything.

A unit found clean is remembered by a hash of its command, the configuration,
clang-tidy's version and every file it includes (from `ninja -t deps`),
and skipped while none of them changes: like ccache for the build, it keeps CI
within its time on two cores. Cache: $FP_TIDY_CACHE, default
~/.cache/fieldpulse/clang-tidy.

Usage: scripts/clang-tidy.py [BUILD_DIR]   (default build/test; run after the build)
"""
import hashlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

TIDY = "clang-tidy-14"
# Folders whose units are not checked: an empty cache must stay affordable on
# CI's two cores, and these are neither shipped nor the headers' only users.
UNCHECKED = ("tests/", "bench/")
FINDING = re.compile(r"^\S+:\d+:\d+: (warning|error): ")


def checked(entry, root, build):
    """Whether a unit is the project's own source: under the tree, not generated."""
    path = os.path.abspath(os.path.join(entry["directory"], entry["file"]))
    if path.startswith(build + os.sep) or not path.startswith(root + os.sep):
        return False
    return not os.path.relpath(path, root).startswith(UNCHECKED)


def build_inputs(build):
    """Each object's inputs as its last build read them: Ninja keeps the compiler's
    depfiles in its own log (and deletes the files), so ask Ninja."""
    run = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True, text=True,
                         check=False)
    inputs, current = {}, None
    for line in run.stdout.splitlines():
        if line and not line.startswith(" "):
            current = line.split(":", 1)[0] if "(VALID)" in line else None
            if current is not None:
                inputs[current] = []
        elif line.strip() and current is not None:
            inputs[current].append(line.strip())
    return inputs


def unit_key(entry, salt, inputs_of, root):
    """Paths count relative to the checkout, so a clean clone elsewhere (as CI
    makes) finds the units an earlier checkout found clean."""
    match = re.search(r" -o (\S+)", entry.get("command", ""))
    inputs = inputs_of.get(entry.get("output") or (match.group(1) if match else ""))
    if not inputs:
        return None
    digest = hashlib.sha256(salt)
    digest.update(entry["command"].replace(root, "<root>").encode())
    for name in sorted(set(inputs)):
        path = os.path.normpath(os.path.join(entry["directory"], name))
        digest.update(path.replace(root, "<root>").encode())
        try:
            with open(path, "rb") as f:
                digest.update(f.read())
        except OSError:
            return None
    return digest.hexdigest()


def tidy(entry, build):
    run = subprocess.run([TIDY, "-quiet", "-p", build, entry["file"]],
                         capture_output=True, text=True, check=False)
    findings = [line for line in run.stdout.splitlines() if FINDING.match(line)]
    failed = run.returncode != 0 and not findings
    return run.stdout if findings or failed else "", failed


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/test"))
    cache = os.environ.get("FP_TIDY_CACHE", os.path.expanduser("~/.cache/fieldpulse/clang-tidy"))
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        entries = [e for e in json.load(f) if checked(e, root, build)]
    with open(os.path.join(root, ".clang-tidy"), "rb") as f:
        salt = f.read() + subprocess.run([TIDY, "--version"], capture_output=True,
                                         check=True).stdout
    inputs_of = build_inputs(build)
    todo = []
    for entry in entries:
        key = unit_key(entry, salt, inputs_of, root)
        if key is None or not os.path.exists(os.path.join(cache, key)):
            todo.append((entry, key))
    print(f"clang-tidy: {len(todo)} of {len(entries)} units changed since found clean", flush=True)
    bad = 0
    jobs = int(os.environ.get("FP_TIDY_JOBS", "2"))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for (entry, key), (output, failed) in zip(todo, pool.map(lambda t: tidy(t[0], build), todo)):
            if output or failed:
                bad += 1
                sys.stderr.write(output or f"{entry['file']}: clang-tidy failed\n")
            elif key is not None:
                open(os.path.join(cache, key), "w", encoding="utf-8").close()
    if bad:
        print(f"clang-tidy: findings in {bad} unit(s)", file=sys.stderr)
        return 1
    print("clang-tidy: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
