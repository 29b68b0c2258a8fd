#!/usr/bin/env bash
# Labelling simulation for `mlabel suggest`: on synthetic 32 px tiles and on
# Fashion-MNIST mosaics (2×2 cells, at 32 px), start with 10% of a pool of
# 1000 images labelled, then 5 rounds of 50 more chosen by each strategy
# (uncertainty, mmc, lci, diverse) and at random, retraining each time
# (12 epochs, a validation split for the thresholds) and scoring held-out
# mAP on 500 other images; 2 seeds. Prints a table per data set and draws
# the curves into one PNG (PNG=path, default suggest.png in the current
# folder). The mosaics need Debian's dataset-fashion-mnist.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "suggest" "$@"
png=$(realpath -m "${PNG:-suggest.png}")
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/suggestbench" ./bench/suggestbench
"$out/suggestbench" -data "${DATA:-synth,mosaic}" -dir "$out/data" -pool 1000 -test 500 -k 50 -rounds 5 -seeds 1,2 -tile 32 -epochs 12 -png "$png"
