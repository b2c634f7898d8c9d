#!/usr/bin/env bash
# Regenerates podc's own Kubernetes manifests in deploy/: podc compiles its
# own intent (deploy/podc.json) under the restricted profile into
# deploy/podc.yaml, and the ConfigMap of the policy bundle it serves
# (deploy/policies.yaml) is written from policies/*.cue. CI runs this and
# fails when deploy/ differs from what is committed.
set -euo pipefail
cd "$(dirname "$0")/.."

go run ./cmd/podc compile -f deploy/podc.json --profile restricted > deploy/podc.yaml

{
  echo "# The policy bundle podc serves (podc serve --policies /etc/podc/policies),"
  echo "# written by scripts/deploy.sh from policies/*.cue: edit those, not this."
  echo "apiVersion: v1"
  echo "kind: ConfigMap"
  echo "metadata:"
  echo "  labels:"
  echo "    app.kubernetes.io/name: podc"
  echo "    app.kubernetes.io/part-of: podc"
  echo "    team: platform"
  echo "  name: podc-policies"
  echo "  namespace: platform"
  echo "data:"
  for f in policies/*.cue; do
    echo "  $(basename "$f"): |"
    sed 's/^/    /; s/^ *$//' "$f"
  done
} > deploy/policies.yaml
