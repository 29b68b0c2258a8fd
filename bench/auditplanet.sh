#!/usr/bin/env bash
# The label audit on real tags: the Planet sample. For each seed, flips one
# tag on 5% of the images (28 of the 550 audited; 200 more are held out
# and unused), each flip on a label drawn from all 17, frequent and rare
# alike, and prints precision and recall within the top k flagged pairs
# for `mlabel audit`'s confident learning (with the rules the noisy tags
# prove, as it runs by default), for cleanlab's published method on the
# same out-of-fold probabilities, and for the |tag - probability|
# baseline (fold models of 10 epochs). It then audits the sample's own,
# unflipped tags with `mlabel audit` and its defaults (all 750 chips,
# 64 px, 5 folds of 20 epochs) and lists the 20 most suspicious pairs, as
# its --html page shows them.
#
#   bench/auditplanet.sh                 # DATA=../shared/data, SEEDS="1 2"
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "auditplanet" "$@"
cd "$(dirname "$0")/.."
data=${DATA:-../shared/data}
planet=$data/planet-sample
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/auditbench" ./bench/auditbench
go build -o "$out/mlabel" ./cmd/mlabel
for seed in ${SEEDS:-1 2}; do
	echo "## Planet sample, 28 flips on any label, seed $seed"
	echo
	"$out/auditbench" -csv "$planet/tags.csv" -images "$planet/images" -holdout 200 -tile 64 -epochs 10 \
		-flips 28 -frequent 0 -seed "$seed" -retrain=false 2>/dev/null
	echo
done
echo "## Planet sample, its own tags: the 20 most suspicious pairs"
echo
"$out/mlabel" audit --csv "$planet/tags.csv" --images "$planet/images" --size 64 --json --quiet >"$out/audit.json"
python3 - "$out/audit.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
issues = d["issues"]
print(f"{len(issues)} pairs flagged\n")
print("| rank | image | label | kind | score | probability | rule broken |")
print("|---|---|---|---|---|---|---|")
for k, i in enumerate(issues[:20], 1):
    name = i["image"].rsplit("/", 1)[-1]
    print(f"| {k} | {name} | {i['label']} | {i['kind']} | {i['score']:.3f} | {i['probability']:.3f} | {i.get('rule', '')} |")
PY
