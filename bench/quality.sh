#!/usr/bin/env bash
# Trains mlabel with its default flags and a plain PyTorch recipe on the same
# CSVs in the same run, and prints held-out macro and micro mAP, samples-F2
# and per-label AP side by side (bench/quality.py holds the recipe and the
# scorer), then per dataset the mean, standard deviation and range over the
# seeds.
#
#   bench/quality.sh                       # planet, scenes, mosaic and dubai, seeds 1 to 5
#   DATASETS="scenes" SEEDS="1" bench/quality.sh
#   MLABEL_FLAGS="--view ground" bench/quality.sh
#   BUDGET=recipe bench/quality.sh         # mlabel given the recipe's wall time
#   BUDGET=also bench/quality.sh           # both: the defaults, then the budget
#
# Datasets: planet (../shared/data/planet-sample, overhead satellite chips),
# scenes (../shared/data/scenes-sample, ground-level photos), each split 75/25
# at random per seed; mosaic (Fashion-MNIST mosaics from `mlabel data
# mosaic`: 1200 from the train split to train on, 400 from the test split
# held out); dubai (../shared/data/dubai-sample's aerial images cut into
# 256 px chips tagged from their masks, tiles 1 to 4 to train, tile 5 held
# out, see `bench/quality.py chips`). DATA is the folder holding the samples (default ../shared/data);
# PLANET and SCENES name other folders with images/ and tags.csv, DUBAI one
# with images/ and masks/.
# mlabel trains with `--test 0 --epochs 15 --size 64` and otherwise its
# defaults, or with BUDGET=recipe with `--test 0 --budget T` where T is the
# recipe's wall time on that split, measured just before; the recipe with
# the same network, epochs and size on every training image. BUDGET=also
# trains mlabel both ways on each split, the budget run after the default
# one, and adds its columns (bud_*) to the rows. PYTHON is the
# Python with torch and scikit-learn (default /usr/bin/python3); MLABEL an
# mlabel binary to use instead of building one. RECIPE_CACHE, a folder,
# keeps the recipe's scores (DATASET-SEED.csv) and wall time
# (DATASET-SEED.seconds) and reuses them (the recipe is deterministic given
# its seed), so that variants of mlabel are compared with one recipe run
# per split; the wall time of a reused run is the one it took then. TTA=0 skips the runs
# with --tta. RESULTS names the raw results (default quality, saved as
# bench/results/quality.json), so that a variant's run keeps its own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "${RESULTS:-quality}" "$@"
cd "$(dirname "$0")/.."

datasets=${DATASETS:-"planet scenes mosaic dubai"}
seeds=${SEEDS:-"1 2 3 4 5"}
python=${PYTHON:-/usr/bin/python3}
data=${DATA:-../shared/data}
planet=${PLANET:-$data/planet-sample}
scenes=${SCENES:-$data/scenes-sample}
dubai=${DUBAI:-$data/dubai-sample}
cache=${RECIPE_CACHE:-}
tta=${TTA:-1}
budget=${BUDGET:-}
case $budget in
"" | recipe | also) ;;
*)
	echo "BUDGET is empty, recipe or also, not $budget" >&2
	exit 2
	;;
esac
read -r -a extra <<<"${MLABEL_FLAGS:-}" || true

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${MLABEL:-}" ]; then
	go build -o "$tmp/mlabel" ./cmd/mlabel
	MLABEL=$tmp/mlabel
fi

# Torch's libraries are read into the page cache once before any run is
# timed, so that the first split's recipe time is not a cold start's (on
# an idle machine, twice a warm run's).
"$python" -c "import torch, sklearn, PIL" 2>/dev/null || true

rows=$tmp/rows.jsonl
: >"$rows"
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
		dubai)
			# Image-level tags of real aerial chips: the Dubai sample's
			# images cut into 256 px chips, each tagged with the mask
			# classes covering 2% of it; tiles 1 to 4 train, tile 5 is
			# held out (the same split for every seed).
			"$python" bench/quality.py chips --data "$dubai" --out "$w"
			imgs=$w/images
			himgs=$w/images
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

		# The recipe first, so that a budget can be its wall time.
		if [ -n "$cache" ] && [ -f "$cache/$d-$s.csv" ]; then
			# A cached entry without its wall time (NaN in the rows) cannot
			# set a budget.
			cp "$cache/$d-$s.csv" "$w/torch.csv"
			pt_s=nan
			[ -f "$cache/$d-$s.seconds" ] && pt_s=$(cat "$cache/$d-$s.seconds")
			pt_from="cached"
			if [ -n "$budget" ] && [ "$pt_s" = nan ]; then
				echo "BUDGET=$budget: $cache/$d-$s.seconds is missing" >&2
				exit 2
			fi
		else
			t0=$(date +%s.%N)
			"$python" bench/quality.py torch --train "$w/train.csv" --holdout "$w/holdout.csv" \
				--images "$imgs" --holdout-images "$himgs" --epochs 15 --size 64 --seed "$s" --out "$w/torch.csv"
			t1=$(date +%s.%N)
			pt_s=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
			pt_from="this run"
			if [ -n "$cache" ]; then
				mkdir -p "$cache"
				cp "$w/torch.csv" "$cache/$d-$s.csv"
				echo "$pt_s" >"$cache/$d-$s.seconds"
			fi
		fi

		settings=(--epochs 15 --size 64)
		[ "$budget" = recipe ] && settings=(--budget "${pt_s}s")
		t0=$(date +%s.%N)
		"$MLABEL" train --csv "$w/train.csv" --images "$imgs" --out "$w/m.mlb" \
			--test 0 "${settings[@]}" --seed "$s" --quiet "${extra[@]}" >"$w/train.log"
		t1=$(date +%s.%N)
		ml_s=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
		"$MLABEL" predict --model "$w/m.mlb" --format scores "${files[@]}" >"$w/mlabel.csv"
		"$MLABEL" predict --model "$w/m.mlb" --format csv "${files[@]}" >"$w/mlabel-tags.csv"
		echo "== $d seed $s: mlabel ${ml_s} s (${settings[*]}), PyTorch ${pt_s} s ($pt_from)"
		"$python" bench/quality.py score --truth "$w/holdout.csv" --mlabel "$w/mlabel.csv" \
			--mlabel-tags "$w/mlabel-tags.csv" --torch "$w/torch.csv" | tee "$w/score.txt"
		"$python" bench/quality.py score --truth "$w/holdout.csv" --mlabel "$w/mlabel.csv" \
			--mlabel-tags "$w/mlabel-tags.csv" --torch "$w/torch.csv" --json >"$w/score.json"
		budget_json=""
		if [ "$budget" = also ]; then
			# The same split once more, given the recipe's wall time.
			t0=$(date +%s.%N)
			"$MLABEL" train --csv "$w/train.csv" --images "$imgs" --out "$w/b.mlb" \
				--test 0 --budget "${pt_s}s" --seed "$s" "${extra[@]}" >"$w/budget.log" 2>&1
			t1=$(date +%s.%N)
			b_s=$(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}')
			grep '^budget: candidates\|^time budget' "$w/budget.log" | sed 's/^.*chose/  budget chose/' || true
			"$MLABEL" predict --model "$w/b.mlb" --format scores "${files[@]}" >"$w/budget.csv"
			"$MLABEL" predict --model "$w/b.mlb" --format csv "${files[@]}" >"$w/budget-tags.csv"
			"$python" bench/quality.py score --truth "$w/holdout.csv" --mlabel "$w/budget.csv" \
				--mlabel-tags "$w/budget-tags.csv" --torch "$w/torch.csv" --json >"$w/score-budget.json"
			"$python" - "$w/score-budget.json" "$pt_s" "$b_s" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("  --budget %ss: mAP %.4f (%+.4f on the recipe), F2 %.4f, %s s" % (sys.argv[2], r["mlabel_map"],
      r["mlabel_map"] - r["torch_map"], r["mlabel_f2"], sys.argv[3]))
PY
			budget_json="$w/score-budget.json $b_s"
		fi
		tta_json=""
		if [ "$tta" != 0 ]; then
			"$MLABEL" predict --model "$w/m.mlb" --format scores --tta "${files[@]}" >"$w/mlabel-tta.csv"
			"$MLABEL" predict --model "$w/m.mlb" --format csv --tta "${files[@]}" >"$w/mlabel-tta-tags.csv"
			"$python" bench/quality.py score --truth "$w/holdout.csv" --mlabel "$w/mlabel-tta.csv" \
				--mlabel-tags "$w/mlabel-tta-tags.csv" --torch "$w/torch.csv" --json >"$w/score-tta.json"
			tta_json=$w/score-tta.json
		fi
		"$python" - "$d" "$s" "$ml_s" "$pt_s" "$w/score.json" "$tta_json" "$budget_json" >>"$rows" <<'PY'
import json, sys
d, s, ml, pt, score, tta, bud = sys.argv[1:]
r = json.load(open(score))
r.update(data=d, seed=int(s), mlabel_seconds=float(ml), torch_seconds=float(pt))
if tta:
    t = json.load(open(tta))
    r.update(tta_map=t["mlabel_map"], tta_f2=t["mlabel_f2"])
if bud:
    path, secs = bud.split()
    b = json.load(open(path))
    r.update(budget_map=b["mlabel_map"], budget_map_micro=b["mlabel_map_micro"], budget_f2=b["mlabel_f2"],
             budget_seconds=float(secs), budget_per_label=b["per_label"])
print(json.dumps(r))
PY
	done
done
echo
"$python" bench/quality.py summary "$rows"
