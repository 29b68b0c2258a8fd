#!/usr/bin/env bash
# Large scenes (hypotheses-CNN-pooling): synthetic tiles (the generator of
# `mlabel data synth`) composed GRID×GRID into scenes tagged with the union
# of their tiles' tags, DISTINCT tiles a scene, one filling all places but
# DISTINCT-1 (so that some labels cover 1/GRID² of the scene); a model trained on the training scenes at SIZE px
# with `train --tiles GRID`, so that it holds whole-image thresholds and
# thresholds fitted on tiled validation scores; and on test scenes from an
# unseen seed, each route's samples-F2, mAP, ms per scene (the whole
# predict command, its start included) and peak RSS: the whole scene resized,
# and GRID×GRID tiles max-pooled, with either thresholds; and the
# segmentation route: a segmenter trained on the same training scenes with
# their masks (composed from the tiles' masks) with `--tiles GRID`, its
# area fractions decided by its area thresholds, on the whole scene
# resized and on GRID×GRID tiles max-pooled, with either thresholds; and a segmenter trained at the scale the tiles show, on
# TRAIN_SCENES synthetic CHIP px tiles of seed 1 with their masks (the
# first of the chips the training scenes are made of), on the tiles
# max-pooled. Then the peak RSS of predict --tiles, classifier and segmenter
# (with --masks-out), on a BIG×BIG 4-band GeoTIFF and a 4000×3000 JPEG.
#
#   bench/scenes.sh
#   TRAIN_SCENES=800 TEST_SCENES=200 SEED=2 bench/scenes.sh
#   ROUTES="whole tiles" bench/scenes.sh       # without the segmentation route
#
# A route is a function route_NAME that writes the scores of the test
# scenes to $work/NAME.csv (image,<label>... as predict --format scores)
# through `measure NAME`; ROUTES lists them and ROWS the table's rows
# ("title=NAME:RULE", RULE whole or tiles: which of the classifier's
# thresholds decide; area: the segmenter's).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "scenes" "$@"
cd "$(dirname "$0")/.."
train_scenes=${TRAIN_SCENES:-240}
test_scenes=${TEST_SCENES:-60}
grid=${GRID:-4}
distinct=${DISTINCT:-3}
chip=${CHIP:-64}
size=${SIZE:-64}
epochs=${EPOCHS:-8}
seed=${SEED:-1}
bigside=${BIG:-10000}
work=${WORK:-$(mktemp -d)}
routes=${ROUTES:-"whole tiles segwhole segtiles segchips"}
mkdir -p "$work"
go build -o "$work/mlabel" ./cmd/mlabel
go build -o "$work/scenesbench" ./bench/scenesbench
sb=$work/scenesbench
ml=$work/mlabel
log=$work/timings.tsv
: >"$log"

measure() { # measure NAME COMMAND...: run it, its stdout to $work/NAME.csv
	local name=$1
	shift
	"$sb" measure -name "$name" -stdout "$work/$name.csv" -log "$log" -- "$@"
}

[ -f "$work/train/tags.csv" ] || "$sb" compose -out "$work/train" -scenes "$train_scenes" -grid "$grid" -chip "$chip" -distinct "$distinct" -seed 1 -masks
[ -f "$work/test/tags.csv" ] || "$sb" compose -out "$work/test" -scenes "$test_scenes" -grid "$grid" -chip "$chip" -distinct "$distinct" -seed 2 -masks
model=$work/scenes-seed$seed.mlb
if [ ! -f "$model" ]; then
	measure train "$ml" train --csv "$work/train/tags.csv" --images "$work/train/images" --out "$model" \
		--size "$size" --epochs "$epochs" --seed "$seed" --tiles "$grid" --quiet
fi

segmodel=$work/scenes-seg-seed$seed.mlb
segmenter() { # the segmenter, trained on the training scenes' masks
	[ -f "$segmodel" ] || measure segtrain "$ml" train --csv "$work/train/tags.csv" --images "$work/train/images" \
		--masks "$work/train/masks" --out "$segmodel" --size "$size" --epochs "$epochs" --seed "$seed" --tiles "$grid" --quiet
}

chipmodel=$work/chips-seg-seed$seed.mlb
route_segchips() {
	[ -f "$work/chips/tags.csv" ] || "$ml" data synth --out "$work/chips" --count "$train_scenes" --size "$chip" --seed 1 --masks >/dev/null
	[ -f "$chipmodel" ] || measure chiptrain "$ml" train --csv "$work/chips/tags.csv" --images "$work/chips/images" \
		--masks "$work/chips/masks" --out "$chipmodel" --size "$size" --epochs "$epochs" --seed "$seed" --quiet
	measure segchips "$ml" predict --model "$chipmodel" --format scores --tiles "$grid" "$work/test/images"
}
route_whole() { measure whole "$ml" predict --model "$model" --format scores "$work/test/images"; }
route_tiles() { measure tiles "$ml" predict --model "$model" --format scores --tiles "$grid" "$work/test/images"; }
route_segwhole() { segmenter && measure segwhole "$ml" predict --model "$segmodel" --format scores "$work/test/images"; }
route_segtiles() { segmenter && measure segtiles "$ml" predict --model "$segmodel" --format scores --tiles "$grid" "$work/test/images"; }
for r in $routes; do "route_$r"; done

# Each route's rows, unless ROWS gives them.
declare -A route_rows=(
	[whole]="whole-image resize, whole-image thresholds=whole:whole"
	[tiles]="tiles + max pooling, whole-image thresholds=tiles:whole
tiles + max pooling, tiled thresholds=tiles:tiles"
	[segwhole]="segmentation, whole-image resize, area thresholds=segwhole:area"
	[segtiles]="segmentation, tiles + max pooling, area thresholds=segtiles:area
segmentation, tiles + max pooling, tiled area thresholds=segtiles:areatiles"
	[segchips]="segmentation trained on tiles, tiles + max pooling, area thresholds=segchips:area:$chipmodel"
)
default_rows=""
for r in $routes; do default_rows+="${route_rows[$r]}"$'\n'; done
rows=${ROWS:-${default_rows%$'\n'}}
args=()
while IFS= read -r row; do args+=(-row "$row"); done <<<"$rows"
[ -f "$segmodel" ] && args+=(-segmenter "$segmodel")
echo "$train_scenes training scenes, $test_scenes test scenes of ${grid}×${grid} tiles of ${chip} px ($distinct distinct), models at $size px, $epochs epochs, seed $seed, tiles ${grid}×${grid} overlapping by 0.25:"
"$sb" table -model "$model" -truth "$work/test/tags.csv" -dir "$work" -log "$log" "${args[@]}"
if [ -f "$segmodel" ]; then
	# The segmenter's mIoU on the test scenes, whole-image (eval --masks).
	"$ml" eval --model "$segmodel" --csv "$work/test/tags.csv" --images "$work/test/images" --masks "$work/test/masks" --json >"$work/segeval.json"
	/usr/bin/python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print("segmenter on the test scenes, whole-image: mIoU %.3f" % e["miou_macro"])' "$work/segeval.json"
fi

# Peak memory of predict --tiles on large images, read tile by tile.
"$sb" big -out "$work/big.tif" -w "$bigside" -h "$bigside" -bands 4 -from "$work/test/images/scene_00000.png"
"$sb" big -out "$work/drone.jpg" -w 4000 -h 3000 -from "$work/test/images/scene_00000.png"
ls -l "$work/big.tif" "$work/drone.jpg"
measure bigtif "$ml" predict --model "$model" --tiles "$grid" "$work/big.tif"
measure bigjpg "$ml" predict --model "$model" --tiles "$grid" "$work/drone.jpg"
cat "$work/bigtif.csv" "$work/bigjpg.csv"
if [ -f "$segmodel" ]; then
	measure segbigtif "$ml" predict --model "$segmodel" --tiles "$grid" --masks-out "$work/bigmasks" "$work/big.tif"
	measure segbigjpg "$ml" predict --model "$segmodel" --tiles "$grid" --masks-out "$work/bigmasks" "$work/drone.jpg"
	cat "$work/segbigtif.csv" "$work/segbigjpg.csv"
	/usr/bin/python3 -c 'import sys; from PIL import Image; [print(p, Image.open(p).size) for p in sys.argv[1:]]' "$work/bigmasks/big.png" "$work/bigmasks/drone.png"
fi
