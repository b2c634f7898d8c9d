#!/usr/bin/env bash
# Load scenarios against a real "podc serve" on a free loopback port, driven
# by cmd/podc-load on the same machine, printed as one table. A benchmark,
# not a test: it is not part of scripts/test.sh or CI.
#
#   scripts/load.sh                        every scenario, 20 s each
#   DURATION=10m EVERY=30s scripts/load.sh distinct
#                                          one scenario, its RSS every 30 s
#
# Scenarios (arguments; default all of them), each against a new server:
#   distinct          $STREAMS callers, unary Compile, a new workload name every call
#   identical         $STREAMS callers, unary Compile, the same request every call
#   batch             $BATCH_STREAMS CompileBatch streams of $BATCH new intents each
#   unary-sequential  $BATCH_STREAMS callers, rounds of $BATCH unary calls one after
#                     another: the same work as batch, without CompileBatch
#   health            $STREAMS callers, grpc.health.v1 Check: no compile, the ceiling
#                     of a call through the same server (not in the default list)
#
# Columns: p50, p95 and p99 are the latencies the driver saw; "server p50"
# and "server p99" bound the same quantiles of the server's own handling
# time (from its Prometheus histogram, so to a bucket's bound: 0.5, 1,
# 2.5, 5, 10 ms ...), which leaves out the time a call waits before a
# handler takes it up. A batch is one call: its columns stay "-".
#
# Environment:
#   DURATION=20s        each scenario's length
#   STREAMS=16          callers of distinct and identical
#   BATCH=1000          intents per round of batch and unary-sequential
#   BATCH_STREAMS=1     streams of batch and unary-sequential
#   VARY=name           what changes between new intents (podc-load -vary)
#   INTENT=examples/checkout.json
#   PROFILE=            the policy profile (default: the intent's)
#   EVERY=              also print each scenario's intervals this long (RSS over time)
#   RATE=               offer this many calls (or rounds) a second across the streams
#                       (podc-load -rate): each is due at its own moment and its latency
#                       counts from then, so the percentiles are those of a server under
#                       that load rather than of one kept saturated; empty: unpaced, each
#                       stream calling again as soon as it is answered
#   DECODE=             1: the driver decodes every response, unary or in a batch, as
#                       a client that reads them would (default: a unary one received
#                       whole, a batch answer read only for its outcome, not decoded)
#   GOMEMLIMIT, GOGC    given to the server only (not to the build or the driver)
#   SERVER_FLAGS=       more podc serve flags, e.g. "--result-cache 0"
#   PODC_BIN=           serve this podc binary instead of building one (an older
#                       build, for runs before and after a change)
#   LOG_LEVEL=warn      the server's log level (info logs a line per call)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
STREAMS=${STREAMS:-16}
BATCH=${BATCH:-1000}
BATCH_STREAMS=${BATCH_STREAMS:-1}
VARY=${VARY:-name}
INTENT=${INTENT:-examples/checkout.json}
PROFILE=${PROFILE:-}
EVERY=${EVERY:-}
RATE=${RATE:-}
SERVER_FLAGS=${SERVER_FLAGS:-}
LOG_LEVEL=${LOG_LEVEL:-warn}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(distinct identical batch unary-sequential)

command -v jq >/dev/null || { echo "load.sh: needs jq" >&2; exit 2; }
command -v curl >/dev/null || { echo "load.sh: needs curl" >&2; exit 2; }

# The collector settings are the server's: the build and the driver keep
# their defaults.
server_env=()
[ -z "${GOMEMLIMIT:-}" ] || server_env+=("GOMEMLIMIT=$GOMEMLIMIT")
[ -z "${GOGC:-}" ] || server_env+=("GOGC=$GOGC")
unset GOMEMLIMIT GOGC

work=$(mktemp -d)
pid=""
stop_server() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
}
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/" ./cmd/podc ./cmd/podc-load
if [ -n "${PODC_BIN:-}" ]; then cp "$PODC_BIN" "$work/podc"; fi

# start_server LOG: podc serve on free loopback ports (the API and
# /metrics); sets pid, addr and metrics. At --log-level warn the server does
# not log its address, so ports are picked here and another is tried when
# one is taken.
start_server() {
  local log=$1 try port
  for try in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    addr="127.0.0.1:$port"
    metrics="127.0.0.1:$((port + 1))"
    # shellcheck disable=SC2086 # SERVER_FLAGS is a list of flags
    env "${server_env[@]}" "$work/podc" serve --addr "$addr" --metrics-addr "$metrics" \
      --log-level "$LOG_LEVEL" --drain-delay 0 $SERVER_FLAGS >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      if curl -fs "http://$metrics/metrics" >/dev/null 2>&1; then return 0; fi
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then cat "$log" >&2; echo "load.sh: podc serve did not start" >&2; exit 1; fi
    wait "$pid" 2>/dev/null || true
    pid=""
    grep -q "address already in use" "$log" || { cat "$log" >&2; echo "load.sh: podc serve exited" >&2; exit 1; }
  done
  echo "load.sh: no free port found" >&2
  exit 1
}

# metric NAME LABELS: a counter's value from /metrics ("0" when absent).
metric() {
  curl -fs "http://$metrics/metrics" | awk -v name="$1" -v labels="$2" '
    $1 == name labels || ($1 == name && labels == "") { v = $2 } END { print v + 0 }'
}

# handled METHOD Q: the upper bound, in ms, of the histogram bucket that
# holds the Q quantile of the server's own handling time of METHOD's calls
# (grpc_server_handling_seconds: from the handler's start to its answer,
# so without the time a call waits before a handler takes it up); "-"
# when the server handled none.
handled() {
  curl -fs "http://$metrics/metrics" | awk -v m="grpc_method=\"$1\"" -v q="$2" '
    index($1, "grpc_server_handling_seconds_bucket{") == 1 && index($1, m) {
      le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le)
      n++; bound[n] = le; count[n] = $2; total = $2
    }
    END {
      if (total == 0) { print "-"; exit }
      for (i = 1; i <= n; i++) if (count[i] >= q * total) {
        if (bound[i] == "+Inf") print ">10000"; else printf "%g\n", bound[i] * 1000
        exit
      }
    }'
}

# ratio HITS MISSES: hits as a percentage of lookups.
ratio() { awk -v h="$1" -v m="$2" 'BEGIN { if (h + m == 0) print "-"; else printf "%.0f%%", 100 * h / (h + m) }'; }

rows=()
for scenario in "${scenarios[@]}"; do
  case "$scenario" in
  distinct | identical | health) streams=$STREAMS ;;
  batch | unary-sequential) streams=$BATCH_STREAMS ;;
  *) echo "load.sh: unknown scenario $scenario (distinct, identical, batch, unary-sequential, health)" >&2; exit 2 ;;
  esac
  start_server "$work/$scenario.log"
  args=(-addr "$addr" -f "$INTENT" -mode "$scenario" -c "$streams" -n 1000000000 -d "$DURATION"
    -batch "$BATCH" -pid "$pid" -wait 30s -json)
  case "$scenario" in identical | health) ;; *) args+=(-vary "$VARY") ;; esac
  [ -z "$PROFILE" ] || args+=(-profile "$PROFILE")
  [ -z "$EVERY" ] || args+=(-every "$EVERY")
  [ -z "$RATE" ] || args+=(-rate "$RATE")
  [ -z "${DECODE:-}" ] || args+=(-decode)
  echo "load.sh: $scenario, $streams streams, $DURATION ..." >&2
  set +e
  "$work/podc-load" "${args[@]}" >"$work/$scenario.json" 2>"$work/$scenario.err"
  rc=$?
  set -e
  if [ ! -s "$work/$scenario.json" ]; then
    cat "$work/$scenario.err" "$work/$scenario.log" >&2
    echo "load.sh: $scenario: podc-load exited $rc" >&2
    exit 1
  fi
  rh=$(metric podc_cache_hits_total '{cache="result"}')
  rmiss=$(metric podc_cache_misses_total '{cache="result"}')
  ph=$(metric podc_cache_hits_total '{cache="policy"}')
  pm=$(metric podc_cache_misses_total '{cache="policy"}')
  gens=$(metric podc_policy_cue_generations_total '')
  case "$scenario" in
  health) method=Check ;;
  batch) method="" ;;
  *) method=Compile ;;
  esac
  if [ -n "$method" ]; then
    sp50=$(handled "$method" 0.5)
    sp99=$(handled "$method" 0.99)
  else
    sp50=- sp99=- # a batch is one call: its stream's time, not an intent's
  fi
  stop_server
  if [ -n "$EVERY" ]; then
    echo "$scenario, every $EVERY:"
    jq -r '.intervals[] | "  t=\(.t_seconds | floor)s  \(.intents_per_second | floor) intents/s  p50 \(.latency_ms.p50) ms  p99 \(.latency_ms.p99) ms  RSS \(.rss_bytes / 1048576 | floor) MB (max \(.rss_max_bytes / 1048576 | floor) MB)  failed \(.intents_failed)"' "$work/$scenario.json"
  fi
  rows+=("$(jq -r --arg rc "$(ratio "$rh" "$rmiss")" --arg pc "$(ratio "$ph" "$pm")" --arg gens "$gens" --arg sp50 "$sp50" --arg sp99 "$sp99" '
    def mb: . / 1048576 | floor | tostring;
    def ms: if . >= 100 then round elif . >= 10 then (. * 10 | round) / 10 else (. * 100 | round) / 100 end | tostring;
    [ .mode + (if .vary != "none" then " (" + .vary + ")" else "" end) + (if .rate_per_second then " at \(.rate_per_second)/s" else "" end),
      (.streams | tostring),
      (if .unit == "round" then "round of \(.batch)" else "call" end),
      (.intents_per_second | floor | tostring),
      (.latency_ms.p50 | ms), (.latency_ms.p95 | ms), (.latency_ms.p99 | ms),
      $sp50, $sp99,
      (.rss.start_bytes | mb), (.rss.max_bytes | mb), (.rss.end_bytes | mb),
      (.server_cpu.per_intent_us | round | tostring),
      (.intents_failed | tostring) + (if .failures then " " + (.failures | tostring) else "" end),
      $rc, $pc, $gens ] | join("\t")' "$work/$scenario.json")")
done

echo
settings=""
[ ${#server_env[@]} -eq 0 ] || settings=", server ${server_env[*]}"
[ -z "${DECODE:-}" ] || settings+=", responses decoded"
echo "podc serve on 127.0.0.1 and the driver on the same $(nproc) cores, $INTENT, $DURATION per scenario$settings;" \
  "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
{
  printf 'scenario\tstreams\tlatency of\tintents/s\tp50 ms\tp95 ms\tp99 ms\tserver p50 ≤ ms\tserver p99 ≤ ms\tRSS start MB\tmax\tend\tserver CPU µs/intent\tfailed\tresult cache hits\trule cache hits\tCUE generations\n'
  printf '%s\n' "${rows[@]}"
} | column -t -s $'\t'
