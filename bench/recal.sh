#!/usr/bin/env bash
# Recalibration under prevalence shift (bench/recalbench): trains on part of
# a labelled set, resamples the held-out rest into batches where one label
# holds 0.5×, 2× and 3× as often as on validation (and 0.6 of the time for
# the first), and prints the prevalence estimation error of EM, BBSE and the
# mean calibrated score and samples-F2 with the original thresholds, the
# recalibrated ones without and with the guard, and oracle thresholds.
# Each set is run twice: with training's default refit (the model is trained
# once more on training and validation images after the reference is made)
# and without (REFITS="false" runs only that).
#
#   bench/recal.sh                  # synth tiles, then the Planet sample
#   DATASETS=synth bench/recal.sh
#
# PLANET names a folder with images/ and tags.csv (default
# ../shared/data/planet-sample).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "recal" "$@"
cd "$(dirname "$0")/.."
datasets=${DATASETS:-"synth planet"}
planet=${PLANET:-../shared/data/planet-sample}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/recalbench" ./bench/recalbench
refits=${REFITS:-"true false"}
for d in $datasets; do
	for refit in $refits; do
		echo "refit=$refit"
		case $d in
		synth) "$tmp/recalbench" -refit="$refit" -count 3000 -size 32 -epochs 10 -batch 400 -reps 5 ;;
		planet) "$tmp/recalbench" -refit="$refit" -csv "$planet/tags.csv" -images "$planet/images" -size 64 -epochs 10 \
			-train-frac 0.6 -val-frac 0.3 -batch 200 -reps 5 ;;
		*) echo "unknown dataset $d" >&2; exit 2 ;;
		esac
		echo
	done
done
