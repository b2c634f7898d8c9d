#!/usr/bin/env bash
# Runs every test of podc: the Go test suite with the race detector, then the
# end-to-end run of the real binary driven by grpcurl. Needs only Go.
set -euo pipefail
cd "$(dirname "$0")/.."

go test -race -count=1 ./...
./scripts/e2e.sh
