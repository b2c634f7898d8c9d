#!/usr/bin/env bash
# Reliability runs behind RELIABILITY.md: podc serve on a free loopback port
# driven by cmd/podc-load, each run bounded in time and calls.
#
#   scripts/reliability.sh sigterm    SIGTERM while 16 streams compile
#   scripts/reliability.sh reload     broken policy reloads under load
#   scripts/reliability.sh soak [MIN] steady load for MIN minutes (default 10):
#                                     errors, RSS and goroutines over time
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/" ./cmd/podc ./cmd/podc-load
go build -modfile=tools/go.mod -o "$work/" github.com/fullstorydev/grpcurl/cmd/grpcurl

# start LOG ARGS...: podc serve on a free loopback port; sets pid, addr and
# metrics (the metrics address, when --metrics-addr is given).
start() {
  local log=$1
  shift
  : >"$log" # exists before the server writes to it, for the reads below
  "$work/podc" serve --addr 127.0.0.1:0 --log-format json "$@" >"$log" 2>&1 &
  pid=$!
  addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/.*"msg":"podc serving".*"addr":"\([^"]*\)".*/\1/p' "$log" | head -n1)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { cat "$log"; echo "podc serve did not start" >&2; exit 1; }
  metrics=$(sed -n 's/.*"msg":"podc serving".*"metrics_addr":"\([^"]*\)".*/\1/p' "$log" | head -n1)
}

rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }
health() { "$work/grpcurl" -plaintext "$addr" grpc.health.v1.Health/Check 2>&1 | sed -n 's/.*"status": "\([A-Z_]*\)".*/\1/p'; }
load() { "$work/podc-load" -addr "$addr" -f examples/checkout.json -mode distinct -vary label "$@"; }

case "${1:-}" in
sigterm)
  # The load ends before the drain does, so every call it makes is accepted:
  # none may fail. Then a second run keeps calling after the server stops,
  # to show what a caller sees then.
  start "$work/serve.log" --drain-delay 5s --grace 10s
  load -c 16 -n 1000000 -d 7s >"$work/load.txt" 2>&1 &
  lp=$!
  sleep 3
  kill -TERM "$pid"
  sleep 1
  echo "health 1 s after SIGTERM: $(health)"
  set +e
  wait "$lp"
  wait "$pid"
  rc=$?
  set -e
  pid=""
  echo "16 streams, SIGTERM at 3 s, drain 5 s, load until 7 s:"
  sed 's/^/  /' "$work/load.txt"
  echo "  podc serve exit code: $rc"
  ;;
reload)
  mkdir "$work/policies"
  cp policies/*.cue "$work/policies/"
  start "$work/serve.log" --policies "$work/policies" --policy-poll 200ms
  load -c 8 -n 1000000 -d 16s -every 2s >"$work/load.txt" 2>&1 &
  lp=$!
  sleep 3
  echo 'this is { not CUE' >"$work/policies/zz-broken.cue"
  sleep 3
  echo "3-6 s, a file that does not compile: lastError $("$work/grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies | grep -c '"lastError"'), health of the bundle: $("$work/grpcurl" -plaintext -d '{"service": "podc.v1.PolicyService/bundle"}' "$addr" grpc.health.v1.Health/Check | sed -n 's/.*"status": "\([A-Z_]*\)".*/\1/p')"
  printf 'package policies\n\nrules: "zz.sum": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",\n\tviolations: [if intent.replicas + "a" == 1 {field: "replicas"}]}\n' >"$work/policies/zz-broken.cue"
  sleep 3
  echo "6-9 s, a rule that fails on every intent: $("$work/grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies | grep -o '"lastError": "[^"]\{0,120\}')"
  rm "$work/policies/zz-broken.cue"
  echo '// changed' >>"$work/policies/profiles.cue"
  sleep 3
  echo "9-12 s, fixed: lastError $("$work/grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies | grep -c '"lastError"')"
  set +e
  wait "$lp"
  set -e
  echo "8 callers through two broken reloads and a good one:"
  sed 's/^/  /' "$work/load.txt"
  ;;
soak)
  minutes=${2:-10}
  start "$work/serve.log" --metrics-addr 127.0.0.1:0
  load -c 8 -n 100000000 -d "${minutes}m" -every 30s >"$work/load.txt" 2>&1 &
  lp=$!
  echo "t      RSS     goroutines"
  for i in $(seq 1 $((minutes * 2))); do
    sleep 30
    g=$(curl -s "http://$metrics/metrics" | awk '/^go_goroutines /{print $2}')
    printf '%4ds  %4d MB  %s\n' $((i * 30)) "$(rss)" "${g:-?}"
  done
  set +e
  wait "$lp"
  set -e
  sed 's/^/  /' "$work/load.txt"
  ;;
*)
  echo "usage: $0 sigterm|reload|soak [MINUTES]" >&2
  exit 2
  ;;
esac
