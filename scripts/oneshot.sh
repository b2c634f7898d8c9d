#!/usr/bin/env bash
# One-shot podc commands side by side with cue, each run of every command
# interleaved with the others, and each round starting one command further
# on, so that a machine shared with other work, and the place in a round,
# weigh on each alike. A benchmark, not a test: it is not part of
# scripts/test.sh or CI. Median wall-clock and CPU time (user + system) in
# ms over $RUNS rounds.
#
#   scripts/oneshot.sh
#   BEFORE="/path/to/an/older/podc ..." scripts/oneshot.sh   # also times those
#
# Environment: RUNS=21 BEFORE= (podc binaries to compare with, separated by
# spaces)
# cue v0.17.1 is installed into bin/ (git-ignored) as scripts/vs-cue.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-21}
BEFORE=${BEFORE:-}
CUE_VERSION=v0.17.1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cue=$PWD/bin/cue
if [[ "$("$cue" version 2>/dev/null || true)" != *"cue version $CUE_VERSION"* ]]; then
  echo "oneshot.sh: installing cue $CUE_VERSION into bin/ ..." >&2
  GOBIN=$PWD/bin go install "cuelang.org/go/cmd/cue@$CUE_VERSION"
fi
go build -o "$work/build/" ./cmd/podc

# Every binary is timed from a copy made here. The linker writes its output
# through mmap, and a binary just linked starts about 1 ms slower than the
# same bytes copied (podc version: 15.7 against 14.5 ms); an installed
# binary, read back from disk, starts as a copy does. Copying each alike
# keeps any from starting with a page cache the others do not have.
copied() {
  local dst
  dst="$work/$(printf '%02d' "$((copies += 1))")/$(basename "$1")"
  mkdir -p "$(dirname "$dst")"
  cp "$1" "$dst"
  echo "$dst"
}
copies=0

commands=() shown=()
add() { commands+=("$1 ${*:3}") shown+=("$2 ${*:3}"); }
# shellcheck disable=SC2086 # BEFORE is a list
for podc in $BEFORE "$work/build/podc"; do
  run=$(copied "$podc") name=${podc/#$work\/build\//}
  for profile in baseline restricted production; do
    add "$run" "$name" compile -f examples/checkout.json --profile "$profile"
  done
  add "$run" "$name" policy list
  add "$run" "$name" version
done
run=$(copied "$cue") name=${cue/#$PWD\//}
add "$run" "$name" export ./bench/cue examples/checkout.json -l intent: -e objects --out yaml
add "$run" "$name" version

TIMEFORMAT='%3R %3U %3S'
echo "oneshot.sh: load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
n=${#commands[@]}
for r in $(seq 1 "$RUNS"); do
  # Each round starts one command further on, so that no command always
  # runs in the same place: a place in the round weighs on the time.
  for k in $(seq 0 $((n - 1))); do
    i=$(((r + k) % n))
    # shellcheck disable=SC2086 # each command is split into its words
    t=$({ time ${commands[$i]} >/dev/null 2>&1; } 2>&1)
    awk -v i="$i" -v t="$t" 'BEGIN { split(t, f, " "); printf "%d %.1f %.1f\n", i, f[1] * 1000, (f[2] + f[3]) * 1000 }'
  done
done >"$work/runs"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
{
  printf 'command\twall ms\tCPU ms\n'
  for i in "${!commands[@]}"; do
    wall=$(awk -v i="$i" '$1 == i { print $2 }' "$work/runs" | median)
    cpu=$(awk -v i="$i" '$1 == i { print $3 }' "$work/runs" | median)
    printf '%s\t%s\t%s\n' "${shown[$i]}" "$wall" "$cpu"
  done
} | column -t -s $'\t'
echo "medians of $RUNS interleaved rounds on $(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
