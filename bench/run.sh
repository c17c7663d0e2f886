#!/usr/bin/env bash
# Measures gotune itself on the demo target (examples/quotes): its default
# search (screening + racing) against the full grid at --race=false, on
# the same 3-axis, 18-variant matrix, each side REPS times, interleaved.
# See bench/README.md. Usage:
#
#   bench/run.sh                      # defaults: 3 repetitions, --count 10
#   REPS=5 BENCHTIME=200ms bench/run.sh
#   bench/run.sh -- --goamd64 v1,v3 --gcflags '' --gcflags 'all=-B' --ldflags '' --ldflags '-s -w'
#
# Exit status 0 when every check passes, 1 when one fails.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/gotune-bench.XXXXXX")}
mkdir -p "$OUT"
go build -o "$OUT/gotune" ./cmd/gotune

args=(-gotune "$OUT/gotune" -out "$OUT" -reps "${REPS:-3}" -count "${COUNT:-10}")
if [ -n "${BENCHTIME:-}" ]; then args+=(-benchtime "$BENCHTIME"); fi
if [ "${1:-}" = "--" ]; then shift; args+=("$@"); fi

exec go run ./bench/harness "${args[@]}"
