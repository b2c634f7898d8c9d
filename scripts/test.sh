#!/usr/bin/env bash
# Runs every test of podc: the Go test suite with the race detector, the
# memory test without it, then the end-to-end run of the real binary driven
# by grpcurl, then the SDKs' suites and the docs against a real server
# (scripts/test-clients.sh). The Go part needs only Go; the SDKs need Node
# 20 with npm and Debian's python3-grpcio and python3-protobuf.
set -euo pipefail
cd "$(dirname "$0")/.."

go test -race -count=1 ./...
# The memory test measures the live heap, which -race distorts.
go test -count=1 -run '^TestMemoryStaysBounded$' -v ./compiler | grep -E '^(---|ok|FAIL|PASS)|intents:'
./scripts/e2e.sh
./scripts/test-clients.sh
