#!/usr/bin/env bash
# End-to-end: builds the real podc binary, starts "podc serve" on a free
# loopback port, drives it with grpcurl exactly as the README shows, stops it
# with SIGTERM and checks that it exits 0. Then the same for the README's
# security set-ups (bearer tokens, TLS, mutual TLS, with a throwaway PKI) and
# the drain on shutdown. The first server also serves /metrics, scraped
# with curl.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "e2e: FAIL: $*" >&2; for l in "$work"/*.log; do [ -f "$l" ] && sed "s|^|  $(basename "$l"): |" "$l" >&2; done; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "e2e: ok: $*"; }

go build -o "$work/podc" ./cmd/podc
go build -modfile=tools/go.mod -o "$work/grpcurl" github.com/fullstorydev/grpcurl/cmd/grpcurl
podc="$work/podc"
grpcurl="$work/grpcurl"

# start LOG ARGS...: starts podc serve on a free loopback port; sets pid and
# addr, and metrics_addr when ARGS ask for metrics.
start() {
  local log=$1
  shift
  : >"$log" # exists before the server writes to it, for the reads below
  "$podc" serve --addr 127.0.0.1:0 --log-format json --drain-delay 0 "$@" >"$log" 2>&1 &
  pid=$!
  addr=""
  for _ in $(seq 1 100); do
    addr=$(sed -n 's/.*"msg":"podc serving".*"addr":"\([^"]*\)".*/\1/p' "$log" | head -n1)
    metrics_addr=$(sed -n 's/.*"msg":"podc serving".*"metrics_addr":"\([^"]*\)".*/\1/p' "$log" | head -n1)
    [ -n "$addr" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "podc serve exited early"
    sleep 0.1
  done
  fail "podc serve did not report its address"
}

# refused WANT CMD...: runs CMD, requires it to fail with WANT in its output.
refused() {
  local want=$1 out rc
  shift
  set +e
  out=$("$@" 2>&1)
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "succeeded, want $want: $*: $out"
  grep -q "$want" <<<"$out" || fail "want $want from $*: $out"
}

# stop LOG: SIGTERM, then require exit 0 and a clean stop in the log.
stop() {
  kill -TERM "$pid"
  set +e
  wait "$pid"
  local rc=$?
  set -e
  pid=""
  [ "$rc" -eq 0 ] || fail "podc serve exited $rc after SIGTERM"
  grep -q '"msg":"stopped"' "$1" || fail "no clean stop in the log"
}

start "$work/serve.log" --metrics-addr 127.0.0.1:0
[ -n "$metrics_addr" ] || fail "the serving line names no metrics address"
echo "e2e: podc serving on $addr, metrics on $metrics_addr"

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

# README "Why is this field here?": explain lists where each field came from,
# and only when asked.
out=$("$grpcurl" -plaintext -d "{\"intent\": $(cat examples/checkout.json), \"explain\": true}" "$addr" podc.v1.CompilerService/Validate)
grep -q '"manifestField": "spec.template.spec.containers\[0\].securityContext.runAsNonRoot"' <<<"$out" || fail "explain: no source for runAsNonRoot: $out"
grep -q '"sourceKind": "SOURCE_KIND_POLICY_DEFAULT"' <<<"$out" || fail "explain: no policy default: $out"
grep -q '"intentField": "containers\[0\].securityContext.runAsNonRoot"' <<<"$out" || fail "explain: no intent field: $out"
out=$("$grpcurl" -plaintext -d "{\"intent\": $(cat examples/checkout.json)}" "$addr" podc.v1.CompilerService/Validate)
if grep -q '"fieldSources"' <<<"$out"; then fail "field sources without explain: $out"; fi
ok "explain"

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

# README: import manifests, without loss and refused for a loss.
out=$("$grpcurl" -plaintext -d "{\"manifests\": $(jq -Rs . examples/manifests/web.yaml)}" "$addr" podc.v1.CompilerService/Import)
grep -q '"name": "web"' <<<"$out" || fail "import web.yaml: $out"
grep -q '"lost"' <<<"$out" && fail "import web.yaml lost fields: $out"
"$grpcurl" -plaintext -d "{\"intent\": $(jq -c .intent <<<"$out")}" "$addr" podc.v1.CompilerService/Compile | grep -q '"kind": "Deployment"' ||
  fail "the imported intent does not compile"
refused "Code: FailedPrecondition" "$grpcurl" -plaintext -d "{\"manifests\": $(jq -Rs . examples/manifests/web-scheduled.yaml)}" "$addr" podc.v1.CompilerService/Import
out=$("$grpcurl" -plaintext -d "{\"manifests\": $(jq -Rs . examples/manifests/web-scheduled.yaml), \"allowLoss\": true}" "$addr" podc.v1.CompilerService/Import)
grep -q '"field": "spec.template.spec.schedulerName"' <<<"$out" || fail "import with allowLoss does not list the lost field: $out"
ok "import"

# podc import: exit 0 for web.yaml, 1 for the lossy manifests, 0 with --allow-loss.
"$podc" import -f examples/manifests/web.yaml -o yaml >"$work/web-intent.yaml" 2>"$work/import.log" || fail "podc import web.yaml"
"$podc" compile -f "$work/web-intent.yaml" >/dev/null 2>>"$work/import.log" || fail "podc compile of the imported intent"
set +e
"$podc" import -f examples/manifests/web-scheduled.yaml >/dev/null 2>"$work/import-refused.log"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "podc import of lossy manifests exited $rc, want 1"
grep -q '^Deployment/web: spec.template.spec.schedulerName: ' "$work/import-refused.log" || fail "podc import does not name the lost field"
"$podc" import -f examples/manifests/web-scheduled.yaml --allow-loss >/dev/null 2>"$work/import-loss.log" || fail "podc import --allow-loss"
ok "podc import"

# README "Metrics and tracing": scrape /metrics after the calls above.
out=$(curl -fsS "http://$metrics_addr/metrics") || fail "GET /metrics"
# series PATTERN: a line of /metrics matches the extended regular expression.
series() { grep -Eq "^$1\$" <<<"$out" || fail "/metrics has no line matching $1: $(grep -E "^${1%%[^a-z_]*}" <<<"$out" | head -n 20)"; }
compile='grpc_method="Compile",grpc_service="podc.v1.CompilerService",grpc_type="unary"'
series "grpc_server_handled_total\{grpc_code=\"OK\",$compile\} [1-9][0-9]*"
series "grpc_server_handled_total\{grpc_code=\"InvalidArgument\",$compile\} 1"
series "grpc_server_handling_seconds_count\{grpc_method=\"Compile\".*\} [1-9][0-9]*"
series 'podc_refusals_total\{reason="INVALID_INTENT"\} 1'
series 'podc_refusals_total\{reason="OVERLOADED"\} 0'
series 'podc_refusals_total\{reason="LOSSY_IMPORT"\} 1'
series 'podc_stage_duration_seconds_count\{stage="render"\} [1-9][0-9]*'
series 'podc_policy_decisions_total\{outcome="pass",rule="baseline\.image-pinned"\} [1-9][0-9]*'
series 'podc_cache_entries\{cache="result"\} [1-9][0-9]*'
grep -q "Hello_World" <<<"$out" && fail "/metrics carries a request value"
ok "metrics"

# README: the policies.
out=$("$grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies)
grep -q '"name": "restricted"' <<<"$out" || fail "ListPolicies: $out"
ok "list policies"

# SIGTERM: graceful shutdown, exit 0.
stop "$work/serve.log"
ok "graceful shutdown"

# Live reload of a policy directory: good -> broken -> good, while serving.
mkdir "$work/policies"
cp policies/*.cue "$work/policies/"
start "$work/reload.log" --policies "$work/policies" --policy-poll 100ms
digest() { "$grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies | sed -n 's/.*"digest": "\([^"]*\)".*/\1/p'; }
first=$(digest)
[ -n "$first" ] || fail "no digest from ListPolicies"
echo 'this is { not CUE' >"$work/policies/zz-broken.cue"
for _ in $(seq 1 50); do
  out=$("$grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies)
  grep -q '"lastError"' <<<"$out" && break
  sleep 0.1
done
grep -q '"lastError": ".*zz-broken.cue' <<<"$out" || fail "a broken bundle is not reported: $out"
grep -q "$work" <<<"$out" && fail "ListPolicies shows the server's paths: $out"
grep -q '"source": "directory"' <<<"$out" || fail "ListPolicies source: $out"
# Health follows the store at its own poll: wait for it.
for _ in $(seq 1 50); do
  out=$("$grpcurl" -plaintext -d '{"service": "podc.v1.PolicyService/bundle"}' "$addr" grpc.health.v1.Health/Check)
  grep -q '"NOT_SERVING"' <<<"$out" && break
  sleep 0.1
done
grep -q '"NOT_SERVING"' <<<"$out" || fail "health does not show the failed reload: $out"
out=$("$grpcurl" -plaintext -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile)
grep -q "\"policyDigest\": \"$first\"" <<<"$out" || fail "the last good bundle does not serve: $out"
rm "$work/policies/zz-broken.cue"
echo '// a comment changes the digest' >>"$work/policies/profiles.cue"
for _ in $(seq 1 50); do
  now=$(digest)
  [ -n "$now" ] && [ "$now" != "$first" ] && break
  sleep 0.1
done
[ "$now" != "$first" ] || fail "the fixed bundle was not loaded"
"$grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies | grep -q '"lastError"' && fail "lastError stays after a good reload"
for _ in $(seq 1 30); do
  out=$("$grpcurl" -plaintext -d '{"service": "podc.v1.PolicyService/bundle"}' "$addr" grpc.health.v1.Health/Check)
  grep -q '"SERVING"' <<<"$out" && break
  sleep 0.1
done
grep -q '"SERVING"' <<<"$out" || fail "health stays NOT_SERVING after a good reload: $out"
stop "$work/reload.log"
ok "live policy reload: good, broken, good"

# Policy faults: a bundle whose rule fails on every intent never serves, at
# start or on reload; a rule that fails only on some intents fails closed
# for those (FailedPrecondition, POLICY_FAULT) while the others compile.
mkdir "$work/faulty"
cat >"$work/faulty/rules.cue" <<'CUE'
package p
profiles: baseline: description: "b"
rules: "p.sum": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.replicas + "a" == 1 {field: "replicas"}]}
CUE
set +e
"$podc" serve --addr 127.0.0.1:0 --policies "$work/faulty" >"$work/faulty.log" 2>&1
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "podc serve started on a bundle whose rule fails on every intent"
grep -q 'p.sum (rules.cue:3:' "$work/faulty.log" || fail "the refused bundle's rule is not named: $(cat "$work/faulty.log")"
mkdir "$work/label"
cat >"$work/label/rules.cue" <<'CUE'
package p
profiles: baseline: description: "b"
rules: "p.tier": {profiles: ["baseline"], severity: "deny", stage: "intent", message: "m", description: "d",
	violations: [if intent.labels.tier != _|_ if intent.labels.tier * 2 > 1 {field: "labels"}]}
CUE
start "$work/fault.log" --policies "$work/label" --policy-poll 100ms
"$grpcurl" -plaintext -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile >/dev/null || fail "an intent the rule passes is refused"
tiered=$(jq -c '.labels = {"tier": "web"}' examples/hello.json)
set +e
out=$("$grpcurl" -plaintext -format-error -d "{\"intent\": $tiered}" "$addr" podc.v1.CompilerService/Compile 2>&1)
set -e
grep -q '"code": 9' <<<"$out" && grep -q 'POLICY_FAULT' <<<"$out" && grep -q '"reason": "p.tier"' <<<"$out" || fail "a failing deny rule does not fail closed: $out"
grep -q '"faults": "1"' <<<"$("$grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies)" || fail "ListPolicies does not count the fault"
# Written whole, then moved in: a reload must never see half of the change.
sed 's/p.sum/p.sum2/; /^profiles/d' "$work/faulty/rules.cue" > "$work/zz.cue.tmp"
mv "$work/zz.cue.tmp" "$work/label/zz.cue"
for _ in $(seq 1 50); do
  out=$("$grpcurl" -plaintext "$addr" podc.v1.PolicyService/ListPolicies)
  grep -q '"lastError": ".*p.sum2' <<<"$out" && break
  sleep 0.1
done
grep -q '"lastError": ".*p.sum2' <<<"$out" || fail "a reload whose rule fails on every intent is not refused: $out"
"$grpcurl" -plaintext -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile >/dev/null || fail "the last good bundle stopped serving"
stop "$work/fault.log"
ok "policy faults: refused at start and on reload, fail closed at request time"

# README "Security": bearer tokens.
printf '# the portal\nportal-token\n' >"$work/tokens"
start "$work/token.log" --auth-token-file "$work/tokens" --reload-poll 100ms
auth=(-H "authorization: Bearer portal-token")
# The calls themselves are refused (reflection gets the token, the call not).
reflect=(-reflect-header "authorization: Bearer portal-token")
refused "Code: Unauthenticated" "$grpcurl" -plaintext "${reflect[@]}" -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile
refused "Code: Unauthenticated" "$grpcurl" -plaintext "${reflect[@]}" -rpc-header "authorization: Bearer guess" "$addr" podc.v1.PolicyService/ListPolicies
# Reflection needs the token too.
refused "code = Unauthenticated" "$grpcurl" -plaintext "$addr" list
out=$("$grpcurl" -plaintext "${auth[@]}" "$addr" list)
grep -qx podc.v1.CompilerService <<<"$out" || fail "list with a token: $out"
out=$("$grpcurl" -plaintext "${auth[@]}" -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile)
grep -q '"kind": "Pod"' <<<"$out" || fail "compile with a token: $out"
# Health needs no token (grpcurl's reflection does: -reflect-header sends it
# to reflection only, not with the health check).
out=$("$grpcurl" -plaintext "${reflect[@]}" "$addr" grpc.health.v1.Health/Check)
grep -q '"SERVING"' <<<"$out" || fail "health without a token: $out"
ok "bearer tokens"
# Rotation: a new token file is picked up without a restart.
printf 'new-token\n' >"$work/tokens.new" && mv "$work/tokens.new" "$work/tokens"
for _ in $(seq 1 50); do
  "$grpcurl" -plaintext -H "authorization: Bearer new-token" "$addr" podc.v1.PolicyService/ListPolicies >/dev/null 2>&1 && break
  sleep 0.1
done
"$grpcurl" -plaintext -H "authorization: Bearer new-token" "$addr" podc.v1.PolicyService/ListPolicies >/dev/null || fail "the new token is not accepted"
refused "Unauthenticated" "$grpcurl" -plaintext "${auth[@]}" "$addr" podc.v1.PolicyService/ListPolicies
stop "$work/token.log"
ok "token file reloaded"

# README "Security": TLS, then mutual TLS.
mkdir "$work/pki"
go run ./internal/testpki/gencerts "$work/pki"
pki=$work/pki
start "$work/tls.log" --tls-cert "$pki/server.pem" --tls-key "$pki/server-key.pem"
grep -q '"tls":true' "$work/tls.log" || fail "the log does not say TLS is on"
out=$("$grpcurl" -cacert "$pki/ca.pem" -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile)
grep -q '"kind": "Pod"' <<<"$out" || fail "compile over TLS: $out"
refused "Failed to dial" "$grpcurl" -plaintext "$addr" list
refused "certificate signed by unknown authority" "$grpcurl" -cacert "$pki/other-ca.pem" "$addr" list
stop "$work/tls.log"
ok "TLS"

start "$work/mtls.log" --tls-cert "$pki/server.pem" --tls-key "$pki/server-key.pem" --client-ca "$pki/ca.pem"
out=$("$grpcurl" -cacert "$pki/ca.pem" -cert "$pki/client.pem" -key "$pki/client-key.pem" "$addr" list)
grep -qx podc.v1.CompilerService <<<"$out" || fail "list with a client certificate: $out"
refused "certificate required" "$grpcurl" -cacert "$pki/ca.pem" "$addr" list
# (A Go client offers no certificate the server's CA list does not name.)
refused "certificate required\|unknown certificate authority\|bad certificate" "$grpcurl" -cacert "$pki/ca.pem" -cert "$pki/other-client.pem" -key "$pki/other-client-key.pem" "$addr" list
stop "$work/mtls.log"
ok "mutual TLS"

# Drain: on SIGTERM health turns NOT_SERVING while calls are still served;
# a second SIGTERM cuts the drain delay short, and the server exits 0.
start "$work/drain.log" --drain-delay 1h
kill -TERM "$pid"
for _ in $(seq 1 50); do
  out=$("$grpcurl" -plaintext "$addr" grpc.health.v1.Health/Check 2>&1) || true
  grep -q '"NOT_SERVING"' <<<"$out" && break
  sleep 0.1
done
grep -q '"NOT_SERVING"' <<<"$out" || fail "health during the drain: $out"
out=$("$grpcurl" -plaintext -d "{\"intent\": $(cat examples/hello.json)}" "$addr" podc.v1.CompilerService/Compile)
grep -q '"kind": "Pod"' <<<"$out" || fail "compile during the drain: $out"
stop "$work/drain.log"
grep -q '"msg":"drain cut short"' "$work/drain.log" || fail "no drain in the log"
ok "drain on shutdown"

echo "e2e: $passed passed, 0 failed"
