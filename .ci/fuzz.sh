#!/usr/bin/env bash
# Short fuzz runs of the engine's fuzz targets, one target per invocation
# (go test -fuzz takes exactly one). Each run is a count of executions, not
# a duration: a duration that ends while a worker is still shrinking an
# input fails the run with "context deadline exceeded" and no input to
# show. FUZZTIME overrides the budget of every target (a count like 50000x,
# or a duration for long local runs), FUZZMINIMIZETIME the time spent
# shrinking each new input (the default of 60s would spend a short run
# shrinking the first one).
set -euo pipefail
cd "$(dirname "$0")/.."
minimizetime="${FUZZMINIMIZETIME:-3s}"
for run in FuzzDecodeLimits:20000x FuzzDecodeCompile:2000x FuzzCompile:2000x; do
  target=${run%%:*}
  fuzztime="${FUZZTIME:-${run#*:}}"
  echo "== fuzz $target ($fuzztime)"
  go test ./compiler -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$minimizetime"
done
