#!/usr/bin/env bash
# Specialists against the joint model: `mlabel compare` on 1500 generated
# 32 px demo tiles and on Fashion-MNIST 2×2 mosaics (1500 to train from the
# train split, 500 held out from the test split), the `small` network at
# width 16 for 8 epochs per model, with stacking, every option's costs
# timed over 9 repeats.
#
#   bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record_results compare "$@"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlabel" ./cmd/mlabel
m=$tmp/mlabel
cd "$tmp"
"$m" data synth --out synth --count 1500 --size 32 >/dev/null
echo "== demo tiles (14 labels)"
"$m" compare --csv synth/tags.csv --images synth/images --val 0.2 --test 0.2 --arch small --size 32 \
	--width 16 --epochs 8 --stacking --all --repeats 9 --out out-synth
"$m" data mosaic --out ftrain --split train --count 1500 --grid 2 >/dev/null
"$m" data mosaic --out ftest --split test --count 500 --grid 2 >/dev/null
echo "== Fashion-MNIST mosaics (10 labels)"
"$m" compare --csv ftrain/tags.csv --images ftrain/images --test-csv ftest/tags.csv --test-images ftest/images \
	--val 0.2 --arch small --size 48 --width 16 --epochs 8 --stacking --all --repeats 9 --out out-fashion
