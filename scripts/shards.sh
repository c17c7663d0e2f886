#!/bin/sh
# scripts/shards.sh: simulates on this machine the sharded GitHub Actions
# workflow of docs/workflows/gotune-shards.yml: N processes run
# `gotune run --shard K/N` (one per "runner", each with its own work dir),
# then `gotune merge` joins their results and `gotune check --result`
# decides, as the merge job does.
#
#   scripts/shards.sh [-n N] [-s] [-o DIR] [-x] -- RUN-ARGS...
#
#   -n N    shards (default 3)
#   -s      run the shards one after another instead of at once (on a
#           small machine, shards at once disturb each other's timings)
#   -o DIR  keep the shards' results, logs and the merged result there
#           (default: a new temporary folder)
#   -x      also run the same plan whole, in one process, after the shards
#           (its result is DIR/whole.json), to compare with the merge
#
# RUN-ARGS go to every gotune run (give --seed so that the whole run has
# the shards' seed). $GOTUNE is the gotune command (default: gotune on
# PATH). Example:
#
#   scripts/shards.sh -n 3 -s -x -- -C examples/quotes --goamd64 v1,v3 --pgo auto,off --seed 42 --budget 1m
set -eu

n=3
seq=false
whole=false
out=""
while getopts n:so:x opt; do
	case $opt in
	n) n=$OPTARG ;;
	s) seq=true ;;
	o) out=$OPTARG ;;
	x) whole=true ;;
	*)
		echo "usage: $0 [-n N] [-s] [-o DIR] [-x] -- RUN-ARGS..." >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
gotune=${GOTUNE:-gotune}
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/gotune-shards.XXXXXX")
fi
mkdir -p "$out"

pids=""
k=1
while [ "$k" -le "$n" ]; do
	echo "shard $k/$n: $gotune run --shard $k/$n $* (log in $out/shard-$k.log)" >&2
	if $seq; then
		$gotune run "$@" --shard "$k/$n" --workdir "$out/w$k" --json "$out/shard-$k.json" -o "$out/shard-$k.txt" 2>"$out/shard-$k.log" ||
			echo "shard $k/$n: exit status $? (see $out/shard-$k.log)" >&2
	else
		$gotune run "$@" --shard "$k/$n" --workdir "$out/w$k" --json "$out/shard-$k.json" -o "$out/shard-$k.txt" 2>"$out/shard-$k.log" &
		pids="$pids $!"
	fi
	k=$((k + 1))
done
for p in $pids; do
	wait "$p" || echo "a shard ended with exit status $? (see the logs in $out)" >&2
done

# The merge job: the shards' results, merged, reported and checked.
files=""
k=1
while [ "$k" -le "$n" ]; do
	files="$files $out/shard-$k.json"
	k=$((k + 1))
done
# shellcheck disable=SC2086 # the file names are ours, without blanks
$gotune merge $files --json "$out/merged.json" -o "$out/merged.txt"
cat "$out/merged.txt"
status=0
$gotune check --result "$out/merged.json" >"$out/check.txt" || status=$?
tail -n 1 "$out/check.txt"

if $whole; then
	echo "the same plan in one process: $gotune run $*" >&2
	$gotune run "$@" --workdir "$out/whole" --json "$out/whole.json" -o "$out/whole.txt" 2>"$out/whole.log"
	cat "$out/whole.txt"
fi
echo "results in $out" >&2
exit "$status"
