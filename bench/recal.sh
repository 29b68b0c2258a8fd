#!/usr/bin/env bash
# Recalibration under prevalence shift (bench/recalbench): for each seed,
# trains with the workflow's defaults (refit included) on part of a
# labelled set, resamples the held-out rest into batches where one label
# holds 1× (no shift), 0.5×, 2× and 3× its reference prevalence (and 0.6 of
# the time for the first), and prints the prevalence estimation error of EM
# and BBSE and samples-F2 with the original thresholds, the recalibrated
# ones (guarded: nearer, the default, mapped and re-fitted) and oracle thresholds fitted with
# the batch's labels (cross-fitted and in-sample), then the means over the
# seeds with the change at no shift and the gap recovered under shift.
#
#   bench/recal.sh                          # the Planet sample, seeds 1 2 3
#   SEEDS="1 2 3 4" DATASETS="planet synth" bench/recal.sh
#
# DATA names the folder holding planet-sample/ (images/ and tags.csv;
# default ../shared/data).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "recal" "$@"
cd "$(dirname "$0")/.."
datasets=${DATASETS:-planet}
data=${DATA:-../shared/data}
seeds=$(echo "${SEEDS:-1 2 3}" | tr ' ' ',')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/recalbench" ./bench/recalbench
for d in $datasets; do
	echo "## $d"
	echo
	case $d in
	synth) "$tmp/recalbench" -seeds "$seeds" -count 3000 -size 32 -epochs 10 -batch 400 -reps 5 ;;
	planet) "$tmp/recalbench" -seeds "$seeds" -csv "$data/planet-sample/tags.csv" -images "$data/planet-sample/images" \
		-size 64 -epochs 10 -train-frac 0.6 -val-frac 0.3 -batch 200 -reps 5 ;;
	*) echo "unknown dataset $d" >&2; exit 2 ;;
	esac
	echo
done
