#!/usr/bin/env bash
# The segmentation route on real aerial images: mlabel's segmenter (the
# route's defaults: the U-Net, width 16, at the fixed scale train chooses,
# the pixel thresholds fitted on validation, refit) trained on the Dubai
# sample's tiles 1-4 and scored on tile 5 by eval --masks at each image's
# own resolution, against bench/unet.py, a plain PyTorch U-Net of the same
# shape trained on the same images at the same size and epochs (centre
# crop) and scored at full resolution the same way. Same run, same
# machine; it prints both, per label and macro, and the difference.
#
# With SCENE=1 (the default) it then times predict with the same segmenter
# on a 10000×10000 GeoTIFF made of a tile-5 image scaled up (nearest
# neighbour, 3 bands of 8 bits, uncompressed, not kept): wall time and peak
# resident memory from /usr/bin/time -v, the mask written with --masks-out.
#
# UNET_CACHE, a folder, keeps the U-Net's scores and time
# (unet-SIZE-EPOCHS-SEED.json and .seconds) and reuses them (the reference
# does not change with mlabel), so that variants of mlabel are compared
# with one U-Net run; the time of a reused run is the one it took then.
#
#   bench/segreal.sh
#   EPOCHS=20 UNET_CACHE=bench/cache SCENE=0 bench/segreal.sh
#   EPOCHS=30 SIZE=128 SCALE=8 DATA=../shared/data SCENE=0 bench/segreal.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "segreal" "$@"
cd "$(dirname "$0")/.."
data=${DATA:-../shared/data}/dubai-sample
epochs=${EPOCHS:-30}
size=${SIZE:-128}
seed=${SEED:-1}
scale=()
[ -z "${SCALE:-}" ] || scale=(--scale "$SCALE")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/mlabel" ./cmd/mlabel
m="$tmp/mlabel"
# Neighbouring parts of a tile are correlated: split by tile.
head -1 "$data/tags.csv" >"$tmp/train.csv"
cp "$tmp/train.csv" "$tmp/test.csv"
grep -E '^tile[1-4]_' "$data/tags.csv" >>"$tmp/train.csv"
grep -E '^tile5_' "$data/tags.csv" >>"$tmp/test.csv"
echo "data: $(($(wc -l <"$tmp/train.csv") - 1)) images of tiles 1-4 to train, $(($(wc -l <"$tmp/test.csv") - 1)) of tile 5 to score; size $size, $epochs epochs, seed $seed"
start=$(date +%s)
"$m" train --csv "$tmp/train.csv" --images "$data/images" --masks "$data/masks" \
	--size "$size" --epochs "$epochs" --val 0.2 --test 0 --seed "$seed" "${scale[@]}" --out "$tmp/seg.mlb" --quiet
end=$(date +%s)
echo "mlabel training: $((end - start)) s ($epochs epochs and the refit)"
"$m" inspect "$tmp/seg.mlb" 2>/dev/null | grep -i -E '^segmentation:|^scale:' || true
start=$(date +%s)
"$m" eval --model "$tmp/seg.mlb" --csv "$tmp/test.csv" --images "$data/images" --masks "$data/masks" --json >"$tmp/mlabel.json"
end=$(date +%s)
echo "mlabel eval --masks: $((end - start)) s"
"$m" eval --model "$tmp/seg.mlb" --csv "$tmp/test.csv" --images "$data/images" --masks "$data/masks" --tta --json >"$tmp/mlabel-tta.json"
ucache=${UNET_CACHE:-}
cached=${ucache:+$ucache/unet-$size-$epochs-$seed}
if [ -n "$cached" ] && [ -s "$cached.json" ] && [ -s "$cached.seconds" ]; then
	cp "$cached.json" "$tmp/unet.json"
	echo "PyTorch U-Net: $(cat "$cached.seconds") s (training and scoring; reused from $cached.json)"
else
	start=$(date +%s)
	/usr/bin/python3 bench/unet.py --images "$data/images" --masks "$data/masks" --train "$tmp/train.csv" --test "$tmp/test.csv" \
		--size "$size" --epochs "$epochs" --seed "$seed" >"$tmp/unet.json"
	end=$(date +%s)
	echo "PyTorch U-Net: $((end - start)) s (training and scoring)"
	if [ -n "$cached" ]; then
		mkdir -p "$ucache"
		cp "$tmp/unet.json" "$cached.json"
		echo $((end - start)) >"$cached.seconds"
	fi
fi
/usr/bin/python3 - "$tmp/mlabel.json" "$tmp/mlabel-tta.json" "$tmp/unet.json" <<'PY'
import json, sys
ml, tta, un = (json.load(open(p)) for p in sys.argv[1:4])
print("pixels scored by mlabel:", ml.get("pixels_scored"))
f = lambda v: "-" if v is None else f"{v:.3f}"
d = lambda a, b: "-" if a is None or b is None else f"{a - b:+.3f}"
print(f"{'label':12s} {'mlabel':>8s} {'+tta':>8s} {'U-Net':>8s} {'diff':>8s}")
for l in un["iou"]:
    a, t, b = ml["iou"].get(l), tta["iou"].get(l), un["iou"][l]
    print(f"{l:12s} {f(a):>8s} {f(t):>8s} {f(b):>8s} {d(a, b):>8s}")
a, t, b = ml["miou_macro"], tta["miou_macro"], un["miou_macro"]
print(f"{'mIoU':12s} {f(a):>8s} {f(t):>8s} {f(b):>8s} {d(a, b):>8s}")
PY

[ "${SCENE:-1}" = 1 ] || exit 0
go build -o "$tmp/scenesbench" ./bench/scenesbench
big=$(ls -S "$data"/images/tile5_* | head -1)
"$tmp/scenesbench" big -out "$tmp/big.tif" -w 10000 -h 10000 -bands 3 -from "$big"
echo "scene: $(basename "$big") scaled up to 10000×10000, $(stat -c %s "$tmp/big.tif") bytes"
/usr/bin/time -v "$m" predict --model "$tmp/seg.mlb" --json --masks-out "$tmp/bigmasks" "$tmp/big.tif" >"$tmp/big.json" 2>"$tmp/time.txt" || {
	cat "$tmp/time.txt"
	exit 1
}
wall=$(grep 'Elapsed (wall clock)' "$tmp/time.txt" | awk '{print $NF}')
rss=$(grep 'Maximum resident set size' "$tmp/time.txt" | awk '{print $NF}')
echo "predict --masks-out on the 10000×10000 GeoTIFF: wall $wall, peak RSS $((rss / 1024)) MiB"
