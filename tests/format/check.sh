#!/usr/bin/env bash
# Fails when a C++ source under the project's folders differs from .clang-format.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mapfile -t files < <(find app bench ingest kafka metrics model pipeline processors settings simulate sinks tests \
  -type f \( -name '*.cpp' -o -name '*.h' \) | sort)
clang-format --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files follow .clang-format"
