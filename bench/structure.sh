#!/usr/bin/env bash
# Label structure A/B: trains mlabel with a sigmoid per label and no
# structure (--structure none, which turns off the exclusive groups train
# applies by default when the training tags prove them) and again with the
# weather tags declared exclusive (--exclusive, a softmax head over the
# group trained with cross-entropy, and the group's exactly-one rule when
# deciding), on the same split, both with the default thresholds, and prints held-out samples-F2, macro mAP
# and the rate of impossible predictions (an image decided zero or two or
# more weather tags).
#
#   bench/structure.sh                     # synth and planet, seeds 1 2 3
#   DATASETS=synth SEEDS=1 bench/structure.sh
#
# synth: 1000 generated tiles to train on and 400 of another seed held out;
# planet (../shared/data/planet-sample, or PLANET): split 75/25 at random
# per seed (held-out tags that no training image has are dropped, as eval
# refuses labels the model does not know). Both train with `--test 0 --epochs 15 --size 64`. PYTHON is a
# Python with scikit-learn for the split (default /usr/bin/python3).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "structure" "$@"
cd "$(dirname "$0")/.."
datasets=${DATASETS:-"synth planet"}
seeds=${SEEDS:-"1 2 3"}
python=${PYTHON:-/usr/bin/python3}
planet=${PLANET:-../shared/data/planet-sample}
weather=clear,partly_cloudy,haze,cloudy

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlabel" ./cmd/mlabel
mlabel=$tmp/mlabel

rows=()
for d in $datasets; do
	for s in $seeds; do
		w=$tmp/$d-$s
		mkdir -p "$w"
		case $d in
		synth)
			"$mlabel" data synth --out "$w/train" --count 1000 --size 64 --seed "$s" >/dev/null
			"$mlabel" data synth --out "$w/test" --count 400 --size 64 --seed "$((s + 100))" >/dev/null
			cp "$w/train/tags.csv" "$w/train.csv"
			cp "$w/test/tags.csv" "$w/holdout.csv"
			imgs=$w/train/images
			himgs=$w/test/images
			;;
		planet)
			"$python" bench/quality.py split --csv "$planet/tags.csv" --seed "$s" --holdout 0.25 --out "$w"
			# eval refuses tags the model does not know: drop from the
			# held-out tags those no training image has (rare Planet tags).
			"$python" - "$w/train.csv" "$w/holdout.csv" <<'PY'
import csv, sys
train, holdout = sys.argv[1:]
known = {t for r in list(csv.reader(open(train)))[1:] for t in r[1].split()}
rows = list(csv.reader(open(holdout)))
with open(holdout, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(rows[0])
    for r in rows[1:]:
        w.writerow([r[0], " ".join(t for t in r[1].split() if t in known)])
PY
			imgs=$planet/images
			himgs=$planet/images
			;;
		*)
			echo "unknown dataset $d" >&2
			exit 2
			;;
		esac
		for variant in plain exclusive; do
			flags=(--structure none)
			[ "$variant" = exclusive ] && flags=(--exclusive "$weather")
			m=$w/$variant.mlb
			t0=$(date +%s)
			"$mlabel" train --csv "$w/train.csv" --images "$imgs" --out "$m" \
				--test 0 --epochs 15 --size 64 --seed "$s" --quiet "${flags[@]}"
			t1=$(date +%s)
			"$mlabel" eval --model "$m" --csv "$w/holdout.csv" --images "$himgs" --json >"$w/$variant.json"
			"$mlabel" predict --model "$m" --format csv "$himgs" >"$w/$variant-tags.csv"
			row=$("$python" - "$d" "$s" "$variant" "$w/$variant.json" "$w/$variant-tags.csv" "$w/holdout.csv" "$weather" "$((t1 - t0))" <<'PY'
import csv, json, os, sys
d, s, variant, ev, tags, holdout, weather, secs = sys.argv[1:]
weather = set(weather.split(","))
keep = {os.path.splitext(os.path.basename(r[0]))[0] for r in list(csv.reader(open(holdout)))[1:]}
r = json.load(open(ev))
n = bad = 0
for row in list(csv.reader(open(tags)))[1:]:
    if os.path.splitext(os.path.basename(row[0]))[0] not in keep:
        continue
    n += 1
    k = sum(1 for t in row[1].split() if t in weather)
    bad += k != 1
print("%-6s %4s %-9s | %6.4f %6.4f | %5.1f%% (%d of %d) | %4s s" % (d, s, variant, r["f2_samples"], r["map_macro"], 100.0 * bad / max(n, 1), bad, n, secs))
PY
)
			echo "$row"
			rows+=("$row")
		done
	done
done
echo
printf '%-6s %4s %-9s | %6s %6s | %s | %s\n' data seed variant F2 mAP "impossible (0 or ≥2 weather tags)" "train time"
printf '%s\n' "${rows[@]}"
