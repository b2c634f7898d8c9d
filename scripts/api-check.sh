#!/usr/bin/env bash
# Checks the API: buf lint, and buf breaking against the committed image of
# the released API (api/v1.image.binpb). Then checks the check: a copy of
# proto/ with a field's type changed must be reported as breaking.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=${BUF:-bin/buf}

"$buf" lint
"$buf" breaking --against api/v1.image.binpb
echo "api: no breaking change against api/v1.image.binpb"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r buf.yaml proto "$work/"
sed -i 's/^  string name = 1;/  int64 name = 1;/' "$work/proto/podc/v1/intent.proto"
cmp -s proto/podc/v1/intent.proto "$work/proto/podc/v1/intent.proto" && { echo "api-check: the mutation changed nothing" >&2; exit 1; }
if out=$("$buf" breaking "$work" --against api/v1.image.binpb 2>&1); then
  echo "api-check: a changed field type was not reported as breaking" >&2
  exit 1
fi
grep -q 'changed type from "string" to "int64"' <<<"$out" || { echo "api-check: unexpected report: $out" >&2; exit 1; }
echo "api: a changed field type is reported as breaking"
