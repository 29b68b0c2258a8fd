#!/usr/bin/env bash
# Large scenes (hypotheses-CNN-pooling): synthetic tiles (the generator of
# `mlabel data synth`) composed GRID×GRID into scenes tagged with the union
# of their tiles' tags, DISTINCT tiles a scene, one filling all places but
# DISTINCT-1 (so that some labels cover 1/GRID² of the scene); a model trained on the training scenes at SIZE px
# with `train --tiles GRID`, so that it holds whole-image thresholds and
# thresholds fitted on tiled validation scores; and on test scenes from an
# unseen seed, each route's samples-F2, mAP, ms per scene (the whole
# predict command, its start included) and peak RSS: the whole scene resized,
# and GRID×GRID tiles max-pooled, with either thresholds. Then the peak RSS
# of predict --tiles on a BIG×BIG 4-band GeoTIFF and a 4000×3000 JPEG.
#
#   bench/scenes.sh
#   TRAIN_SCENES=800 TEST_SCENES=200 SEED=2 bench/scenes.sh
#
# A route is a function route_NAME that writes the scores of the test
# scenes to $work/NAME.csv (image,<label>... as predict --format scores)
# through `measure NAME`; ROUTES lists them and ROWS the table's rows
# ("title=NAME:RULE", RULE whole or tiles: which of the model's thresholds
# decide). The segmentation route is added as route_segment and its row.
set -euo pipefail
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
routes=${ROUTES:-"whole tiles"}
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

[ -f "$work/train/tags.csv" ] || "$sb" compose -out "$work/train" -scenes "$train_scenes" -grid "$grid" -chip "$chip" -distinct "$distinct" -seed 1
[ -f "$work/test/tags.csv" ] || "$sb" compose -out "$work/test" -scenes "$test_scenes" -grid "$grid" -chip "$chip" -distinct "$distinct" -seed 2
model=$work/scenes-seed$seed.mlb
if [ ! -f "$model" ]; then
	measure train "$ml" train --csv "$work/train/tags.csv" --images "$work/train/images" --out "$model" \
		--size "$size" --epochs "$epochs" --seed "$seed" --tiles "$grid" --quiet
fi

route_whole() { measure whole "$ml" predict --model "$model" --format scores "$work/test/images"; }
route_tiles() { measure tiles "$ml" predict --model "$model" --format scores --tiles "$grid" "$work/test/images"; }
for r in $routes; do "route_$r"; done

rows=${ROWS:-"whole-image resize, whole-image thresholds=whole:whole
tiles + max pooling, whole-image thresholds=tiles:whole
tiles + max pooling, tiled thresholds=tiles:tiles"}
args=()
while IFS= read -r row; do args+=(-row "$row"); done <<<"$rows"
echo "$train_scenes training scenes, $test_scenes test scenes of ${grid}×${grid} tiles of ${chip} px ($distinct distinct), model at $size px, $epochs epochs, seed $seed, tiles ${grid}×${grid} overlapping by 0.25:"
"$sb" table -model "$model" -truth "$work/test/tags.csv" -dir "$work" -log "$log" "${args[@]}"

# Peak memory of predict --tiles on large images, read tile by tile.
"$sb" big -out "$work/big.tif" -w "$bigside" -h "$bigside" -bands 4 -from "$work/test/images/scene_00000.png"
"$sb" big -out "$work/drone.jpg" -w 4000 -h 3000 -from "$work/test/images/scene_00000.png"
ls -l "$work/big.tif" "$work/drone.jpg"
measure bigtif "$ml" predict --model "$model" --tiles "$grid" "$work/big.tif"
measure bigjpg "$ml" predict --model "$model" --tiles "$grid" "$work/drone.jpg"
cat "$work/bigtif.csv" "$work/bigjpg.csv"
