#!/usr/bin/env bash
# End-to-end: builds the real podc binary, starts "podc serve" on a free
# loopback port, drives it with grpcurl exactly as the README shows, stops it
# with SIGTERM and checks that it exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "e2e: FAIL: $*" >&2; [ -f "$work/serve.log" ] && sed 's/^/  serve: /' "$work/serve.log" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "e2e: ok: $*"; }

go build -o "$work/podc" ./cmd/podc
go build -modfile=tools/go.mod -o "$work/grpcurl" github.com/fullstorydev/grpcurl/cmd/grpcurl
podc="$work/podc"
grpcurl="$work/grpcurl"

"$podc" serve --addr 127.0.0.1:0 --log-format json >"$work/serve.log" 2>&1 &
pid=$!
addr=""
for _ in $(seq 1 100); do
  addr=$(sed -n 's/.*"msg":"podc serving".*"addr":"\([^"]*\)".*/\1/p' "$work/serve.log" | head -n1)
  [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || fail "podc serve exited early"
  sleep 0.1
done
[ -n "$addr" ] || fail "podc serve did not report its address"
echo "e2e: podc serving on $addr"

# README: list the services.
out=$("$grpcurl" -plaintext "$addr" list)
for svc in podc.v1.CompilerService podc.v1.PolicyService grpc.health.v1.Health; do
  grep -qx "$svc" <<<"$out" || fail "list does not show $svc: $out"
done
ok "list"

# README: describe the compiler service.
out=$("$grpcurl" -plaintext "$addr" describe podc.v1.CompilerService)
grep -q "rpc Compile" <<<"$out" || fail "describe: $out"
grep -q "CompileBatch" <<<"$out" || fail "describe: $out"
ok "describe"

# README: health.
out=$("$grpcurl" -plaintext "$addr" grpc.health.v1.Health/Check)
grep -q '"SERVING"' <<<"$out" || fail "health: $out"
ok "health"

# README: compile hello.json.
out=$("$grpcurl" -plaintext -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile)
grep -q '"kind": "Pod"' <<<"$out" || fail "compile hello.json: $out"
grep -q '"kind": "Service"' <<<"$out" || fail "compile hello.json has no Service: $out"
grep -q '"policyDigest": "sha256:' <<<"$out" || fail "compile hello.json has no digest: $out"
ok "compile hello.json"

# Every example is accepted as-is.
for f in examples/*.json; do
  out=$("$grpcurl" -plaintext -d "{\"intent\": $(cat "$f")}" "$addr" podc.v1.CompilerService/Compile) || fail "compile $f: $out"
  grep -q '"manifests"' <<<"$out" || fail "compile $f: $out"
done
ok "compile every example"

# README: a refused intent, with its error details.
set +e
out=$("$grpcurl" -plaintext -d '{"intent": {"name": "Hello_World", "containers": [{"name": "web", "image": "nginx:1.27.3", "ports": [{"name": "http", "containerPort": 70000}]}]}}' \
  "$addr" podc.v1.CompilerService/Compile 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "a malformed intent compiled: $out"
grep -q "Code: InvalidArgument" <<<"$out" || fail "refused intent: $out"
grep -q "google.rpc.BadRequest" <<<"$out" || fail "refused intent has no BadRequest: $out"
grep -q '"field": "name"' <<<"$out" || fail "refused intent: no violation for name: $out"
grep -q 'containers\[0\].ports\[0\].containerPort' <<<"$out" || fail "refused intent: no violation for the port: $out"
ok "refused intent"

# README: the policies.
out=$("$grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies)
grep -q '"name": "restricted"' <<<"$out" || fail "ListPolicies: $out"
ok "list policies"

# SIGTERM: graceful shutdown, exit 0.
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
pid=""
[ "$rc" -eq 0 ] || fail "podc serve exited $rc after SIGTERM"
grep -q '"msg":"stopped"' "$work/serve.log" || fail "no clean stop in the log"
ok "graceful shutdown"

echo "e2e: $passed passed, 0 failed"
