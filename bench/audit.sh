#!/usr/bin/env bash
# Label-audit benchmark: flips one frequent tag on 40 images of 800
# synthetic 32 px tiles, runs a 5-fold audit (6 epochs per fold) and prints
# precision and recall within the top k flagged pairs for confident learning,
# for cleanlab's published method (reproduced as a reference) and for the
# |tag - probability| baseline, for three seeds, then once more with 160
# flips (20% of the images), with how many flips are among the flagged
# pairs at all. It then trains three models (three seeds) each on the noisy
# tags, on the tags corrected as `mlabel audit --apply` does, on every
# flagged tag marked unknown and on the clean tags, and prints the mean and
# standard deviation of their mAP on 400 more tiles held out with clean
# tags. The audit declares the label structure the tiles obey (one weather
# label each, cloudy alone, the generator's co-occurrence rules) and is also
# ranked without it and with the structure discovered in the noisy tags, as
# mlabel audit does when none is declared. With PLANET=DIR (a folder holding tags.csv and
# images/), the same on that set at 64 px, 200 of its images held out, its
# four weather labels declared exclusive.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "audit" "$@"
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/auditbench" ./bench/auditbench
for seed in 1 2 3; do
	echo "## synth, seed $seed"
	"$out/auditbench" -dir "$out/synth$seed" -count 800 -holdout 400 -tile 32 -epochs 6 -flips 40 -seed "$seed" 2>/dev/null
	echo
done
echo "## synth, seed 1, 160 flips"
"$out/auditbench" -dir "$out/synth160" -count 800 -holdout 400 -tile 32 -epochs 6 -flips 160 -seed 1 2>/dev/null
echo
if [ -n "${PLANET:-}" ]; then
	echo "## Planet sample"
	"$out/auditbench" -csv "$PLANET/tags.csv" -images "$PLANET/images" -holdout 200 -tile 64 -epochs 6 -flips 40 -exclusive clear,partly_cloudy,haze,cloudy 2>/dev/null
fi
