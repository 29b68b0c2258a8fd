#!/usr/bin/env bash
# The demo's figures: `mlabel demo` (1500 generated 64 px tiles, 14 labels,
# 70/15/15 split, 8 epochs, thresholds on validation, the test split scored)
# run once under /usr/bin/time -v, printing its wall time, peak resident
# memory and the test figures of its --json report, then the decision rules
# compared on the test split's scores (`mlabel decide`: fitted on a random
# half, compared on the other).
#
#   bench/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record_results demo "$@"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlabel" ./cmd/mlabel
/usr/bin/time -v -o "$tmp/time.txt" "$tmp/mlabel" demo --out "$tmp/demo" --json --quiet >"$tmp/demo.json"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$tmp/time.txt")
echo "wall time ${wall} (m:ss), peak resident memory ${rss} MiB"
tail -n 1 "$tmp/demo.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for name, key in [("test samples F2", "f2_samples"), ("test macro mAP", "map_macro"),
                  ("test micro F1", "f1_micro"), ("test macro F1", "f1_macro"),
                  ("test Hamming loss", "hamming_loss"), ("test subset accuracy", "subset_accuracy")]:
    print(f"{name}: {d[key]:.3f}")
'
# The decision rules on the test split's scores: fitted on one half, compared
# on the other (decide's own split when it is given one scores file).
cd "$tmp/demo"
tail -n +2 model.test.csv | cut -d, -f1 | xargs "$tmp/mlabel" predict --model model.mlb --format scores >"$tmp/scores.csv"
"$tmp/mlabel" decide --truth model.test.csv --scores "$tmp/scores.csv"
