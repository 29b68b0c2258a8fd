#!/usr/bin/env bash
# Batch prediction on Apache Beam: throughput of mlabel-beam on the Prism
# runner (its job server in process, one worker in LOOPBACK mode), pinned
# to 1 and then 2 cores, against mlabel predict --out on the same cores,
# and the per-image cost on one core with the pure-Go GEMM path, which is
# what a CGO_ENABLED=0 worker on a remote runner runs. Each tool's speedup
# over the fewest cores is printed only when it is at most the ratio of
# the cores: a larger one says the runs were disturbed, and the script
# fails instead.
#
# The model is the demo's architecture (small, 64 px) trained for one
# epoch: its weights do not change the speed. The tiles come from
# mlabel data synth.
#
#   bench/beam.sh
#   TILES=2000 CORES="1 2" bench/beam.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results beam "$@"
cd "$(dirname "$0")/.."

tiles=${TILES:-5000}
cores=${CORES:-"1 2"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/mlabel" ./cmd/mlabel
go build -o "$work/mlabel-beam" ./cmd/mlabel-beam
"$work/mlabel" data synth --out "$work/tiles" --count "$tiles" --size 64 --seed 1 >/dev/null
"$work/mlabel" data synth --out "$work/train" --count 600 --size 64 --seed 2 >/dev/null
"$work/mlabel" train --csv "$work/train/tags.csv" --images "$work/train/images" --out "$work/demo.mlb" --epochs 1 --size 64 --quiet
find "$work/tiles" -name '*.jpg' | sort >"$work/manifest.txt"
n=$(wc -l <"$work/manifest.txt")

export MLABEL_GEMM=go
now() { date +%s.%N; }
# report LABEL CORES SECONDS
report() {
	awk -v l="$1" -v c="$2" -v s="$3" -v n="$n" 'BEGIN {
		printf "%-28s %d core(s)  %6.1f s  %7.1f images/s  %6.2f ms/image/core\n", l, c, s, n / s, 1000 * s * c / n }'
}

echo "$n tiles of 64x64, small architecture, MLABEL_GEMM=go, $(nproc) CPUs on this machine"
declare -A secs
for c in $cores; do
	cpus=$(seq -s, 0 $((c - 1)))
	t0=$(now)
	GOMAXPROCS=$c taskset -c "$cpus" "$work/mlabel" predict --model "$work/demo.mlb" --out "$work/predict-$c.jsonl" --skip-bad $(cat "$work/manifest.txt") 2>/dev/null
	t1=$(now)
	secs[predict,$c]=$(echo "$t1 - $t0" | bc)
	report "mlabel predict --out" "$c" "${secs[predict,$c]}"

	t0=$(now)
	GOMAXPROCS=$c taskset -c "$cpus" "$work/mlabel-beam" predict --runner prism --model "$work/demo.mlb" \
		--manifest "$work/manifest.txt" --out "$work/beam-$c" --shards 4 2>"$work/beam-$c.log"
	t1=$(now)
	secs[beam,$c]=$(echo "$t1 - $t0" | bc)
	report "mlabel-beam on Prism" "$c" "${secs[beam,$c]}"
	got=$(cat "$work/beam-$c"/predictions-*.jsonl | wc -l)
	[ "$got" = "$n" ] || { echo "mlabel-beam wrote $got predictions of $n" >&2; exit 1; }
done
# The same labels both ways (each tile, its labels).
labels() { python3 -c 'import json,sys
for l in sys.stdin: p=json.loads(l); print(p["image"], *sorted(x["label"] for x in p["labels"]))' | sort; }
if cmp -s <(cat "$work"/predict-1.jsonl | labels) <(cat "$work"/beam-1/predictions-*.jsonl | labels); then
	echo "mlabel-beam and mlabel predict give every tile the same labels"
else
	echo "mlabel-beam and mlabel predict disagree" >&2
	exit 1
fi
# Speedups over the fewest cores, refused above the ratio of the cores: one
# worker cannot run more than c/c0 times faster on c cores than on c0.
read -r -a cs <<<"$cores"
c0=${cs[0]}
for tool in predict beam; do
	for c in "${cs[@]:1}"; do
		if ! awk -v a="${secs[$tool,$c0]}" -v b="${secs[$tool,$c]}" -v c0="$c0" -v c="$c" -v t="$tool" 'BEGIN {
			s = a / b
			if (s > c / c0) {
				printf "%s: %d cores %.2fx faster than %d, above the core ratio %.2f: the runs were disturbed, run again\n", t, c, s, c0, c / c0 > "/dev/stderr"
				exit 1
			}
			printf "%s: %d cores %.2fx the speed of %d (core ratio %.2f)\n", t, c, s, c0, c / c0 }'; then
			exit 1
		fi
	done
done
