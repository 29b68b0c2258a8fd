#!/usr/bin/env bash
# Time budget: trains mlabel on the Planet sample (PLANET, default
# ../shared/data/planet-sample: tags.csv and images/) twice with
# `--test 0.2` and the same seed: with the default run's flags
# `--epochs 15 --size 64`, timed, then with `--budget` set to that wall
# time, and to each Go duration of BUDGETS ("same" standing for that wall
# time). It prints each run's wall time, the budget's measurements and
# choice, anything it cut short, and the held-out test split's samples-F2
# and macro mAP (thresholds fitted on validation, as train reports them).
#
#   bench/budget.sh                     # the budget is the default run's time
#   BUDGETS="same 6m" bench/budget.sh   # and a longer one
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "budget" "$@"
cd "$(dirname "$0")/.."
planet=${PLANET:-../shared/data/planet-sample}
budgets=${BUDGETS:-same}
seed=${SEED:-1}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlabel" ./cmd/mlabel

# train NAME FLAGS...: trains into $tmp/NAME.mlb, keeping the JSON result
# in $tmp/NAME.json and the log in $tmp/NAME.log; prints the wall seconds,
# or, when train fails, "failed" (its log's last lines go to stderr).
train() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	if ! "$tmp/mlabel" train --csv "$planet/tags.csv" --images "$planet/images" --out "$tmp/$name.mlb" \
		--test 0.2 --seed "$seed" --json "$@" >"$tmp/$name.json" 2>"$tmp/$name.log"; then
		tr '\r' '\n' <"$tmp/$name.log" | tail -3 >&2
		echo failed
		return
	fi
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}'
}

# row NAME SECONDS: one line of the table.
row() {
	python3 - "$1" "$2" "$tmp/$1.json" <<'PY'
import json, sys
name, secs, path = sys.argv[1:]
if secs == "failed":
    print("%-14s | %9s |" % (name, secs))
    sys.exit()
m = json.load(open(path))["metrics"]
print("%-14s | %7s s | %6.4f %6.4f" % (name, secs, m["f2_samples"], m["map_macro"]))
PY
}

default_s=$(train default --epochs 15 --size 64)
[ "$default_s" != failed ] || exit 1
echo "default (--epochs 15 --size 64): ${default_s} s"
rows=("$(row default "$default_s")")
for b in $budgets; do
	[ "$b" = same ] && b="${default_s}s"
	name="budget-$b"
	secs=$(train "$name" --budget "$b")
	echo "$name: ${secs} s"
	tr '\r' '\n' <"$tmp/$name.log" | grep -E '^(budget|time budget)' || true
	rows+=("$(row "$name" "$secs")")
done
echo
printf '%-14s | %9s | %6s %6s\n' run "wall" F2 mAP
printf '%s\n' "${rows[@]}"
