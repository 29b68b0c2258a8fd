#!/usr/bin/env bash
# Trains mlabel with its default flags and a plain PyTorch recipe on the same
# CSVs in the same run, and prints held-out mAP, samples-F2 and per-label AP
# side by side (bench/quality.py holds the recipe and the scorer).
#
#   bench/quality.sh                       # planet, scenes and mosaic, seeds 1 2 3
#   DATASETS="scenes" SEEDS="1" bench/quality.sh
#   MLABEL_FLAGS="--view ground" bench/quality.sh
#
# Datasets: planet (../shared/data/planet-sample, overhead satellite chips),
# scenes (../shared/data/scenes-sample, ground-level photos), each split 75/25
# at random per seed; mosaic (Fashion-MNIST mosaics from `mlabel data
# mosaic`: 1200 from the train split to train on, 400 from the test split
# held out). PLANET and SCENES name other folders with images/ and tags.csv.
# mlabel trains with `--test 0 --epochs 15 --size 64` and otherwise its
# defaults; the recipe with the same network, epochs and size on every
# training image. PYTHON is the Python with torch and scikit-learn (default
# /usr/bin/python3); MLABEL an mlabel binary to use instead of building one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "quality" "$@"
cd "$(dirname "$0")/.."

datasets=${DATASETS:-"planet scenes mosaic"}
seeds=${SEEDS:-"1 2 3"}
python=${PYTHON:-/usr/bin/python3}
planet=${PLANET:-../shared/data/planet-sample}
scenes=${SCENES:-../shared/data/scenes-sample}
read -r -a extra <<<"${MLABEL_FLAGS:-}" || true

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${MLABEL:-}" ]; then
	go build -o "$tmp/mlabel" ./cmd/mlabel
	MLABEL=$tmp/mlabel
fi

summary=()
for d in $datasets; do
	for s in $seeds; do
		w=$tmp/$d-$s
		mkdir -p "$w"
		case $d in
		planet | scenes)
			src=$planet
			[ "$d" = scenes ] && src=$scenes
			"$python" bench/quality.py split --csv "$src/tags.csv" --seed "$s" --holdout 0.25 --out "$w"
			imgs=$src/images
			himgs=$src/images
			;;
		mosaic)
			"$MLABEL" data mosaic --out "$w/train" --split train --count 1200 --seed "$s" >/dev/null
			"$MLABEL" data mosaic --out "$w/test" --split test --count 400 --seed "$s" >/dev/null
			cp "$w/train/tags.csv" "$w/train.csv"
			cp "$w/test/tags.csv" "$w/holdout.csv"
			imgs=$w/train/images
			himgs=$w/test/images
			;;
		*)
			echo "unknown dataset $d" >&2
			exit 2
			;;
		esac
		files=()
		while IFS=, read -r name _; do
			[ "$name" = image_name ] && continue
			for f in "$himgs/$name" "$himgs/$name".*; do
				if [ -f "$f" ]; then
					files+=("$f")
					break
				fi
			done
		done <"$w/holdout.csv"
		t0=$(date +%s)
		"$MLABEL" train --csv "$w/train.csv" --images "$imgs" --out "$w/m.mlb" \
			--test 0 --epochs 15 --size 64 --seed "$s" --quiet "${extra[@]}" >"$w/train.log"
		t1=$(date +%s)
		"$MLABEL" predict --model "$w/m.mlb" --format scores "${files[@]}" >"$w/mlabel.csv"
		"$MLABEL" predict --model "$w/m.mlb" --format csv "${files[@]}" >"$w/mlabel-tags.csv"
		t2=$(date +%s)
		"$MLABEL" predict --model "$w/m.mlb" --format scores --tta "${files[@]}" >"$w/mlabel-tta.csv"
		"$MLABEL" predict --model "$w/m.mlb" --format csv --tta "${files[@]}" >"$w/mlabel-tta-tags.csv"
		t2b=$(date +%s)
		"$python" bench/quality.py torch --train "$w/train.csv" --holdout "$w/holdout.csv" \
			--images "$imgs" --holdout-images "$himgs" --epochs 15 --size 64 --seed "$s" --out "$w/torch.csv"
		t3=$(date +%s)
		echo "== $d seed $s: mlabel $((t1 - t0)) s, PyTorch $((t3 - t2b)) s"
		"$python" bench/quality.py score --truth "$w/holdout.csv" --mlabel "$w/mlabel.csv" \
			--mlabel-tags "$w/mlabel-tags.csv" --torch "$w/torch.csv" | tee "$w/score.txt"
		"$python" bench/quality.py score --truth "$w/holdout.csv" --mlabel "$w/mlabel.csv" \
			--mlabel-tags "$w/mlabel-tags.csv" --torch "$w/torch.csv" --json >"$w/score.json"
		"$python" bench/quality.py score --truth "$w/holdout.csv" --mlabel "$w/mlabel-tta.csv" \
			--mlabel-tags "$w/mlabel-tta-tags.csv" --torch "$w/torch.csv" --json >"$w/score-tta.json"
		summary+=("$("$python" -c '
import json, sys
r, t = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
print("%-7s %4s | %6.4f %6.4f %+7.4f | %6.4f %6.4f %+7.4f | %6.4f %6.4f" % (sys.argv[1], sys.argv[2],
      r["mlabel_map"], r["torch_map"], r["mlabel_map"] - r["torch_map"],
      r["mlabel_f2"], r["torch_f2_at_05"], r["mlabel_f2"] - r["torch_f2_at_05"],
      t["mlabel_map"], t["mlabel_f2"]))' "$d" "$s" "$w/score.json" "$w/score-tta.json")")
	done
done
echo
printf '%-7s %4s | %6s %6s %7s | %6s %6s %7s | %6s %6s\n' data seed mAP pt_mAP diff F2 pt_F2 diff tta_mAP tta_F2
printf '%s\n' "${summary[@]}"
