#!/usr/bin/env bash
# How `--view auto` decides: the view line that `mlabel train --size 64
# --seed S` prints before its first epoch, on each whole tags CSV, for
# seeds 1 to 5. The run stops at that line: no epoch is trained.
#
# Datasets: planet (../shared/data/planet-sample, overhead satellite chips),
# scenes (../shared/data/scenes-sample, ground-level photos), mosaic (`mlabel
# data mosaic --split train --count 1200`, Debian's dataset-fashion-mnist)
# and synth (`mlabel data synth`: 1000 tiles of 64 px, overhead by
# construction). PLANET and SCENES name other folders with images/ and
# tags.csv. A few seconds per run (the Planet JPEGs are the slowest to
# decode); about 5 minutes in all on 2 cores under a load of 9 to 14.
#
#   bench/autoview.sh
#   DATASETS="synth mosaic" SEEDS="1 2" bench/autoview.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results autoview "$@"
cd "$(dirname "$0")/.."

datasets=${DATASETS:-"planet scenes mosaic synth"}
seeds=${SEEDS:-"1 2 3 4 5"}
planet=${PLANET:-../shared/data/planet-sample}
scenes=${SCENES:-../shared/data/scenes-sample}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/mlabel" ./cmd/mlabel
m=$tmp/mlabel

for d in $datasets; do
	case $d in
	planet) csv=$planet/tags.csv imgs=$planet/images ;;
	scenes) csv=$scenes/tags.csv imgs=$scenes/images ;;
	mosaic)
		"$m" data mosaic --out "$tmp/mosaic" --split train --count 1200 >/dev/null
		csv=$tmp/mosaic/tags.csv imgs=$tmp/mosaic/images
		;;
	synth)
		"$m" data synth --out "$tmp/synth" >/dev/null
		csv=$tmp/synth/tags.csv imgs=$tmp/synth/images
		;;
	*)
		echo "unknown dataset $d" >&2
		exit 2
		;;
	esac
	for s in $seeds; do
		log=$tmp/$d-$s.log
		: >"$log"
		"$m" train --csv "$csv" --images "$imgs" --size 64 --seed "$s" --out "$tmp/$d-$s.mlb" >"$log" 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null && ! grep -q 'view [a-z]*: ' "$log"; do
			sleep 0.2
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		line=$(grep -m1 -o 'view [a-z]*: .*' "$log") || {
			echo "$d seed $s: no view line:" >&2
			cat "$log" >&2
			exit 1
		}
		echo "$d seed $s: $line"
	done
done
