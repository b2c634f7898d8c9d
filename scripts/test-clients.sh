#!/usr/bin/env bash
# Runs the SDKs' tests and the docs against a real podc serve: the Go SDK
# (and its example consumer), the TypeScript SDK (npm ci && npm test), the
# Python SDK (unittest), then every grpcurl command of README.md and every
# program of clients/README.md (internal/cmd/doctest). Needs Go, Node 20
# with npm, and a Python with grpcio and protobuf (Debian's python3-grpcio
# and python3-protobuf: PYTHON, default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-/usr/bin/python3}
# On a fresh Debian machine, install the Python SDK's packages when we may.
if ! "$python" -c 'import grpc, google.protobuf' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-grpcio python3-protobuf >/dev/null
  else
    echo "test-clients: $python lacks grpcio and protobuf: install Debian's python3-grpcio and python3-protobuf" >&2
    exit 1
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/podc" ./cmd/podc
go build -modfile=tools/go.mod -o "$work/grpcurl" github.com/fullstorydev/grpcurl/cmd/grpcurl
export PODC_BIN="$work/podc"

echo "== Go SDK (clients/go)"
(cd clients/go && go vet ./... && go test -count=1 ./...)
(cd clients/go/example/consumer && go vet ./... && go build -o /dev/null .)

echo "== TypeScript SDK (clients/typescript)"
(cd clients/typescript && npm ci --no-audit --no-fund && npm test)

echo "== Python SDK (clients/python)"
(cd clients/python && "$python" -m unittest -v)

echo "== docs (README.md, clients/README.md)"
go run ./internal/cmd/doctest -podc "$work/podc" -grpcurl "$work/grpcurl" -python "$python" README.md clients/README.md
