#!/usr/bin/env bash
# Scores podc's production output with kube-score: the manifests of every
# production golden case (compiler/testdata/production/*.txtar: each
# example intent compiled under the production profile; the cases the
# profile refuses have none). Fails on any CRITICAL finding, or when
# kube-score cannot score a case; prints every WARNING and the counts.
#
# kube-score's image pull policy test is skipped: it wants pullPolicy
# Always, and podc derives the pull policy from the image tag (IfNotPresent
# for a pinned tag, Always for :latest or none) and keeps an explicit one.
#
# kube-score $KUBE_SCORE_VERSION (v1.20.0) is installed into bin/ with go
# install, through the Go module proxy, when bin/kube-score is missing or
# another version.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${KUBE_SCORE_VERSION:-v1.20.0}
ks=bin/kube-score
if ! go version -m "$ks" 2>/dev/null | grep -Eq "^\s+mod\s+github.com/zegl/kube-score\s+$version(\s|$)"; then
  echo "installing kube-score $version into bin/"
  mkdir -p bin
  GOBIN="$PWD/bin" GOFLAGS=-mod=mod go install "github.com/zegl/kube-score/cmd/kube-score@$version"
fi

# KUBE_SCORE_CASES names another folder of cases, for checking the check.
cases=${KUBE_SCORE_CASES:-compiler/testdata/production}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
critical=0
warning=0
scored=0
for golden in "$cases"/*.txtar; do
  name=$(basename "$golden" .txtar)
  manifests="$work/$name.yaml"
  # The manifests.yaml section: the lines after its header, up to the next
  # section.
  awk '/^-- .* --$/ { on = ($0 == "-- manifests.yaml --"); next } on' "$golden" > "$manifests"
  if [ ! -s "$manifests" ]; then
    echo "$name: refused under production, nothing to score"
    continue
  fi
  set +e
  out=$("$ks" score -o ci --kubernetes-version v1.37 --ignore-test container-image-pull-policy "$manifests" 2>&1)
  code=$?
  set -e
  # kube-score exits 1 when it finds something CRITICAL; anything else
  # means it could not score the file.
  if [ "$code" -gt 1 ] || ! grep -q '^\[OK\]' <<<"$out"; then
    echo "$name: kube-score failed (exit $code):" >&2
    echo "$out" >&2
    exit 1
  fi
  scored=$((scored + 1))
  c=$(grep -c '^\[CRITICAL\]' <<<"$out" || true)
  w=$(grep -c '^\[WARNING\]' <<<"$out" || true)
  critical=$((critical + c))
  warning=$((warning + w))
  echo "$name: $c critical, $w warnings"
  grep -E '^\[(CRITICAL|WARNING)\]' <<<"$out" | sed 's/^/  /' || true
done
if [ "$scored" -eq 0 ]; then
  echo "kube-score: no production golden case has manifests" >&2
  exit 1
fi
echo "kube-score $version: $scored production cases, $critical critical, $warning warnings"
if [ "$critical" -gt 0 ]; then
  echo "kube-score: production output has CRITICAL findings" >&2
  exit 1
fi
