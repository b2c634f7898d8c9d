#!/usr/bin/env bash
# Short fuzz runs of the engine's fuzz targets, one target per invocation
# (go test -fuzz takes exactly one). FUZZTIME overrides the time per target,
# FUZZMINIMIZETIME the time spent shrinking each new input (the default of
# 60s would spend a short run shrinking the first one).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-30s}"
minimizetime="${FUZZMINIMIZETIME:-3s}"
for target in FuzzDecodeLimits FuzzDecodeCompile FuzzCompile; do
  echo "== fuzz $target ($fuzztime)"
  go test ./compiler -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime"
done
