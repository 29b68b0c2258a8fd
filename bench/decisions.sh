#!/usr/bin/env bash
# The default decisions against the old ones, on held-out images: train
# with the defaults (exclusive groups the training tags prove, per-class F2
# thresholds with a precision floor of 0.4) and with `--structure none
# --min-precision 0` (plain per-class F2 thresholds), predict the held-out
# split with each bundle, and print how the predictions flood: the share of
# Planet images with exactly one weather tag, predicted tags per true tag,
# the labels (10 or more true images) predicted on more than 2.5 times as
# many, and held-out mAP, samples-F2, samples-F1 and subset accuracy.
#
#   bench/decisions.sh                         # planet and scenes, seed 1
#   DATASETS="planet" SEEDS="1 2" bench/decisions.sh
#   DATASETS="scenes" RESULTS=decisions-scenes bench/decisions.sh   # saved apart
#
# planet is ../shared/data/planet-sample, scenes ../shared/data/scenes-sample
# (PLANET and SCENES name other folders with images/ and tags.csv). Each is
# trained with `--epochs 15 --size 64 --test 0.2`; both variants see the same
# split and train the same network (the seed fixes both), so their mAP
# differs only where the structure changes the network's head.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record_results "${RESULTS:-decisions}" "$@"

datasets=${DATASETS:-"planet scenes"}
seeds=${SEEDS:-"1"}
planet=${PLANET:-../shared/data/planet-sample}
scenes=${SCENES:-../shared/data/scenes-sample}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlabel" ./cmd/mlabel
rows=$tmp/rows.jsonl
for d in $datasets; do
	case $d in
	planet) data=$planet ;;
	scenes) data=$scenes ;;
	*) echo "unknown dataset $d" >&2; exit 2 ;;
	esac
	for s in $seeds; do
		for variant in old default; do
			flags=()
			[ "$variant" = old ] && flags=(--structure none --min-precision 0)
			w=$tmp/$d-$s-$variant
			mkdir -p "$w"
			"$tmp/mlabel" train --csv "$data/tags.csv" --images "$data/images" --out "$w/m.mlb" \
				--epochs 15 --size 64 --test 0.2 --seed "$s" --json "${flags[@]}" >"$w/train.json" 2>"$w/train.log"
			mapfile -t imgs < <(tail -n +2 "$w/m.test.csv" | cut -d, -f1 | sed "s|^|$w/|")
			"$tmp/mlabel" predict --model "$w/m.mlb" --json "${imgs[@]}" >"$w/preds.json"
			python3 bench/decisions.py "$d" "$s" "$variant" "$w" >>"$rows"
		done
	done
done
cat "$rows"
python3 bench/decisions.py --table "$rows"
