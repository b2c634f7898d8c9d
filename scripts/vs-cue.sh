#!/usr/bin/env bash
# podc side by side with the CUE peer: the hand-written CUE template and
# restricted-like policy a platform team would otherwise keep
# (bench/cue/), on the same intent. A benchmark, not a test: it is not part
# of scripts/test.sh or CI. Wall-clock medians.
#
#   scripts/vs-cue.sh
#
# First it checks that the two are equivalent: the same objects for
# examples/checkout.json, and both refuse the same six broken variants of
# it. Then it times:
#   one workload   $RUNS one-shot runs of each:
#                  podc compile -f examples/checkout.json --profile restricted
#                  cue export ./bench/cue examples/checkout.json -l intent: -e objects
#   a fleet        $FLEET copies of checkout with distinct names:
#                  one podc compile over the directory, one cue export over
#                  all the files ($FLEET_RUNS runs each), and, unless
#                  FLEET_PROCS=0, one process per intent for each.
#
# Environment: RUNS=20 FLEET=1000 FLEET_RUNS=3 FLEET_PROCS=1
# cue v0.17.1 is installed into bin/ (git-ignored) with go install, through
# the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-20}
FLEET=${FLEET:-1000}
FLEET_RUNS=${FLEET_RUNS:-3}
FLEET_PROCS=${FLEET_PROCS:-1}
CUE_VERSION=v0.17.1

command -v jq >/dev/null || { echo "vs-cue.sh: needs jq" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "vs-cue.sh: load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cue=$PWD/bin/cue
if [[ "$("$cue" version 2>/dev/null || true)" != *"cue version $CUE_VERSION"* ]]; then
  echo "vs-cue.sh: installing cue $CUE_VERSION into bin/ ..." >&2
  GOBIN=$PWD/bin go install "cuelang.org/go/cmd/cue@$CUE_VERSION"
fi
go build -o "$work/build/" ./cmd/podc
# Both binaries run from copies made here: a binary the linker has just
# written (through mmap) starts about 1 ms slower than the same bytes
# copied, and one installed earlier may be cached either way. Copies start
# alike (see scripts/oneshot.sh).
mkdir -p "$work/run"
cp "$work/build/podc" "$cue" "$work/run/"
podc=$work/run/podc cue=$work/run/cue
intent=examples/checkout.json

podc_one() { "$podc" compile -f "$1" --profile restricted "${@:2}"; }
cue_one() { "$cue" export ./bench/cue "$1" -l 'intent:' -e objects "${@:2}"; }
cue_yaml() { cue_one "$1" --out yaml; }

# --- equivalence ---------------------------------------------------------
podc_one "$intent" -o json 2>/dev/null | jq -S . >"$work/podc.json"
cue_one "$intent" --out json | jq -S . >"$work/cue.json"
if ! diff -u "$work/podc.json" "$work/cue.json" >"$work/diff"; then
  head -40 "$work/diff" >&2
  echo "vs-cue.sh: the CUE template's objects differ from podc's for $intent" >&2
  exit 1
fi
# No team label, an image not pinned, no cpu request or limit, no memory
# limit, no liveness probe, a Deployment of one.
variants=(
  'del(.labels)'
  '.containers[0].image = "registry.example.com/shop/checkout:latest"'
  'del(.initSteps[0].resources.cpu)'
  'del(.sidecars[0].resources.memory)'
  'del(.containers[0].probes.liveness)'
  '.replicas = 1'
)
for v in "${variants[@]}"; do
  jq "$v" "$intent" >"$work/variant.json"
  if podc_one "$work/variant.json" >/dev/null 2>&1; then echo "vs-cue.sh: podc accepts $v" >&2; exit 1; fi
  if cue_one "$work/variant.json" >/dev/null 2>&1; then echo "vs-cue.sh: the CUE template accepts $v" >&2; exit 1; fi
done
echo "vs-cue.sh: equivalent: the same objects for $intent; both refuse ${#variants[@]} broken variants" >&2

# --- timing ----------------------------------------------------------------
# Each measurement is the wall-clock time and the CPU time (user + system,
# the process and its children) in ms, from bash's time: on a machine
# shared with other work the wall clock waits for the CPU, and the CPU time
# says how much of it the command itself used.
TIMEFORMAT='%3R %3U %3S'
# measure CMD...: one run of CMD; prints "WALL_MS CPU_MS".
measure() {
  local t
  t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
  awk -v t="$t" 'BEGIN { split(t, f, " "); printf "%.1f %.1f\n", f[1] * 1000, (f[2] + f[3]) * 1000 }'
}
# medians N CMD...: N runs of CMD; prints the median wall and CPU ms.
medians() {
  local n=$1
  shift
  for _ in $(seq 1 "$n"); do measure "$@"; done >"$work/runs"
  printf '%s %s\n' "$(cut -d' ' -f1 "$work/runs" | median)" "$(cut -d' ' -f2 "$work/runs" | median)"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rows=()
# row CASE PODC_WALL PODC_CPU CUE_WALL CUE_CPU [DIVISOR]: one line of the
# table, per workload.
row() {
  rows+=("$(awk -v name="$1" -v pw="$2" -v pc="$3" -v cw="$4" -v cc="$5" -v n="${6:-1}" 'BEGIN {
    printf "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f", name, pw / n, cw / n, cw / pw, pc / n, cc / n, cc / pc }')")
}

echo "vs-cue.sh: one workload, $RUNS runs each ..." >&2
podc_one "$intent" >/dev/null 2>&1 # warm the file cache for both
cue_one "$intent" >/dev/null 2>&1
read -r pw pc < <(medians "$RUNS" podc_one "$intent")
read -r cw cc < <(medians "$RUNS" cue_yaml "$intent")
row "one workload, one process" "$pw" "$pc" "$cw" "$cc"

echo "vs-cue.sh: a fleet of $FLEET ..." >&2
mkdir "$work/fleet"
base=$(cat "$intent")
for i in $(seq -w 1 "$FLEET"); do
  printf '%s\n' "${base/\"name\": \"checkout\"/\"name\": \"checkout-$i\"}" >"$work/fleet/checkout-$i.json"
done
files=("$work"/fleet/*.json)
podc_fleet() { "$podc" compile -f "$work/fleet" --profile restricted "$@"; }
cue_fleet() { "$cue" export ./bench/cue "${files[@]}" -l 'intents:' -l name -e fleet "$@"; }
# The fleets are equivalent too, and really hold every workload.
podc_fleet -o json 2>/dev/null | jq -s -S '[.[].manifests[]]' >"$work/podc-fleet.json"
cue_fleet --out json | jq -S . >"$work/cue-fleet.json"
objects=$(jq length "$work/podc-fleet.json")
if [ "$objects" -ne $((3 * FLEET)) ] || ! cmp -s "$work/podc-fleet.json" "$work/cue-fleet.json"; then
  echo "vs-cue.sh: the fleets differ ($objects objects from podc)" >&2
  exit 1
fi
cue_fleet_yaml() { cue_fleet --out yaml; }
read -r pw pc < <(medians "$FLEET_RUNS" podc_fleet)
read -r cw cc < <(medians "$FLEET_RUNS" cue_fleet_yaml)
row "fleet of $FLEET, one process for all" "$pw" "$pc" "$cw" "$cc" "$FLEET"
echo "vs-cue.sh:   one process for all: podc $pw ms ($pc ms CPU), cue $cw ms ($cc ms CPU)" >&2

if [ "$FLEET_PROCS" != 0 ]; then
  echo "vs-cue.sh: a fleet of $FLEET, one process each ..." >&2
  each() {
    local f
    for f in "${files[@]}"; do "$@" "$f"; done
  }
  read -r pw pc < <(measure each podc_one)
  read -r cw cc < <(measure each cue_yaml)
  row "fleet of $FLEET, one process each" "$pw" "$pc" "$cw" "$cc" "$FLEET"
fi

echo
echo "podc $(git describe --always --dirty) and cue $CUE_VERSION on $(nproc) cores; medians of $RUNS runs (one workload), $FLEET_RUNS (a fleet in one process), one run of $FLEET processes;" \
  "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
{
  printf 'case\twall ms per workload: podc\tcue\tcue / podc\tCPU ms per workload: podc\tcue\tcue / podc\n'
  printf '%s\n' "${rows[@]}"
} | column -t -s $'\t'
