#!/usr/bin/env bash
# Short fuzz runs of the engine's fuzz targets, one target per invocation
# (go test -fuzz takes exactly one). FUZZTIME overrides the time per target.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-30s}"
for target in FuzzDecodeCompile FuzzCompile; do
  echo "== fuzz $target ($fuzztime)"
  go test ./compiler -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime"
done
