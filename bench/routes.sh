#!/usr/bin/env bash
# Route against route: the classifier route (the small CNN, default flags)
# and the segmentation route (the U-Net, the route's defaults) trained by
# `mlabel compare --routes classify,segment` on the same split of 800
# synthetic 64 px tiles with masks (seed 1; the validation split chooses
# the epoch and fits the thresholds), for EPOCHS epochs each, and compared
# on 200 tiles of an unseen seed (seed 2) with their masks: per label the
# AP and F2 of each route with the paired bootstrap interval of the AP
# difference, the segmenter's pixel IoU and the champion route; each
# route's FLOPs, ms per image and bundle size.
#
#   bench/routes.sh
#   EPOCHS=12 bench/routes.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "routes" "$@"
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-8}
tmp=${WORK:-$(mktemp -d)}
mkdir -p "$tmp"
CGO_ENABLED=0 go build -o "$tmp/mlabel" ./cmd/mlabel
m="$tmp/mlabel"
[ -f "$tmp/train/tags.csv" ] || "$m" data synth --out "$tmp/train" --count 800 --size 64 --seed 1 --masks >/dev/null
[ -f "$tmp/test/tags.csv" ] || "$m" data synth --out "$tmp/test" --count 200 --size 64 --seed 2 --masks >/dev/null
start=$(date +%s)
"$m" compare --routes classify,segment --csv "$tmp/train/tags.csv" --images "$tmp/train/images" --masks "$tmp/train/masks" \
	--test-csv "$tmp/test/tags.csv" --test-images "$tmp/test/images" --test-masks "$tmp/test/masks" \
	--size 64 --epochs "$epochs" --repeats 9 --out "$tmp/out"
end=$(date +%s)
echo "compare --routes: $((end - start)) s (both routes trained, predicted and timed)"
