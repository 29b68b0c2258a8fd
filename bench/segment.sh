#!/usr/bin/env bash
# The segmentation route's target: a segmenter trained with the default
# flags on 800 synthetic 64 px tiles with masks for 8 epochs, scored on 200
# tiles of another seed (masks included): samples-F2, mAP, the pixel IoU
# per label and its mean, the training time, the bundle size and the time
# per image of predict.
#
#   bench/segment.sh
#   EPOCHS=12 bench/segment.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "segment" "$@"
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/mlabel" ./cmd/mlabel
m="$tmp/mlabel"
"$m" data synth --out "$tmp/train" --count 800 --size 64 --seed 1 --masks >/dev/null
"$m" data synth --out "$tmp/test" --count 200 --size 64 --seed 2 --masks >/dev/null
start=$(date +%s)
"$m" train --csv "$tmp/train/tags.csv" --images "$tmp/train/images" --masks "$tmp/train/masks" \
	--size 64 --epochs "$epochs" --out "$tmp/seg.mlb" --quiet
end=$(date +%s)
echo "training: $((end - start)) s ($epochs epochs and the refit), $(stat -c %s "$tmp/seg.mlb") bytes of bundle"
"$m" eval --model "$tmp/seg.mlb" --csv "$tmp/test/tags.csv" --images "$tmp/test/images" --masks "$tmp/test/masks" --json \
	>"$tmp/eval.json"
/usr/bin/python3 - "$tmp/eval.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print(f"unseen seed, 200 tiles: samples-F2 {e['f2_samples']:.4f}  mAP {e['map_macro']:.4f}  mIoU {e['miou_macro']:.4f}")
print("label            IoU     F2     AP")
for l, v in e["iou"].items():
    pl = e["per_label"][l]
    iou = "-" if v is None else f"{v:.3f}"
    ap = "-" if pl["ap"] is None else f"{pl['ap']:.3f}"
    print(f"{l:15s} {iou:>6s} {pl['f2']:.3f} {ap:>6s}")
PY
start=$(date +%s%N)
"$m" predict --model "$tmp/seg.mlb" --format scores "$tmp/test/images" >/dev/null
end=$(date +%s%N)
echo "predict: $(((end - start) / 200000)) µs per image over the 200 test tiles (one process, start-up included)"
