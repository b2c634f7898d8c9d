#!/usr/bin/env bash
# Regenerates all generated code: from proto/ with buf, the server's Go code
# (buf.gen.yaml) and the Go, TypeScript and Python SDKs
# (clients/*/buf.gen.yaml); from policies/, the embedded bundle's facts
# (compiler/policy/embedded_facts.go, go generate). Needs buf in bin/ (built from tools/go.mod if
# missing), npm (for protoc-gen-es in clients/typescript) and Debian's
# protobuf-compiler and protobuf-compiler-grpc (protoc and
# grpc_python_plugin).
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p bin
[ -x bin/buf ] || go build -modfile=tools/go.mod -o bin/ github.com/bufbuild/buf/cmd/buf
[ -x clients/typescript/node_modules/.bin/protoc-gen-es ] || (cd clients/typescript && npm ci --no-audit --no-fund)

# The google.rpc error details the TypeScript and Python SDKs decode, as
# compiled into the genproto version the server encodes them with.
go run ./internal/cmd/rpcimage -o bin/google-rpc.binpb

bin/buf generate
bin/buf generate --template clients/go/buf.gen.yaml
bin/buf generate --template clients/typescript/buf.gen.yaml
# The Python output shares its folder with the hand-written package, so
# buf cannot clean it: remove the generated folders first.
rm -rf clients/python/podc/v1 clients/python/google
bin/buf generate --template clients/python/buf.gen.yaml

# The embedded policy bundle's facts, from a full load of policies/.
go generate ./compiler/policy
