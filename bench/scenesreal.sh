#!/usr/bin/env bash
# Large scenes on real imagery: the Planet sample's 256 px chips, split by
# chip at random per seed (TRAIN_FRAC for training, the rest held out),
# composed 4×4 into 1024×1024 scenes, TRAIN_SCENES from the training chips
# and TEST_SCENES from the held-out ones: DISTINCT chips a scene (3 by
# default, drawn with replacement), the first filling every place but
# DISTINCT-1, which the others take, so that some labels cover 1/16 of the
# scene (as bench/scenes.sh lays out its synthetic tiles; DISTINCT=16 is
# close to 16 chips drawn at random). A scene is tagged with the union of
# its chips' tags, and each of its 16 tiles with its chip's tags. The training scenes' masks are
# tile-level: each chip's place carries all of its chip's labels.
#
# Each route is scored on the test scenes by scenesreal.py (scikit-learn):
# image-level macro mAP and samples-F2 against the majority tag set of the
# training scenes; ms per scene and peak RSS of the whole predict command
# (its start included). The routes: a classifier trained on the training
# scenes at SIZE px with default flags and `--tiles 4`, on the whole scene
# resized and on 4×4 tiles max-pooled (with its tiled thresholds, as
# predict uses them); a classifier trained on the training chips, on 4×4
# tiles max-pooled (its whole-image thresholds, fitted on chips); and a
# segmenter trained on the training scenes and their tile-level masks
# (which picks a fixed scale and predicts by windows at that scale, with or
# without --tiles). Per-tile answers: each model predicts the
# held-out chips as separate images (the 4×4 grid without overlap is the
# chips exactly), scored on the tiles of the test scenes against their
# chips' tags. Then the time and peak RSS of predict --tiles 4,
# classifier and segmenter (with --masks-out), on a BIG×BIG 4-band GeoTIFF
# made of a test scene scaled up.
#
#   bench/scenesreal.sh                        # DATA=../shared/data, SEED=1
#   SEED=2 bench/scenesreal.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "scenesreal-seed${SEED:-1}" "$@"
cd "$(dirname "$0")/.."
data=${DATA:-../shared/data}
planet=$data/planet-sample
train_scenes=${TRAIN_SCENES:-300}
test_scenes=${TEST_SCENES:-100}
frac=${TRAIN_FRAC:-0.75}
grid=4
chip=256
size=${SIZE:-64}
distinct=${DISTINCT:-3}
seed=${SEED:-1}
bigside=${BIG:-10000}
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
go build -o "$work/mlabel" ./cmd/mlabel
go build -o "$work/scenesbench" ./bench/scenesbench
sb=$work/scenesbench
ml=$work/mlabel
log=$work/timings.tsv
: >"$log"

measure() { # measure NAME COMMAND...: run it, its stdout to $work/NAME.json
	local name=$1
	shift
	"$sb" measure -name "$name" -stdout "$work/$name.json" -log "$log" -- "$@"
}

"$sb" split -csv "$planet/tags.csv" -train "$frac" -seed "$seed" -out "$work/split"
"$sb" compose -out "$work/train" -scenes "$train_scenes" -grid "$grid" -chip "$chip" -distinct "$distinct" -seed "$seed" \
	-chips "$work/split/train.csv" -images "$planet/images" -masks
"$sb" compose -out "$work/test" -scenes "$test_scenes" -grid "$grid" -chip "$chip" -distinct "$distinct" -seed "$((seed + 1000))" \
	-chips "$work/split/test.csv" -images "$planet/images"
# The held-out chips, one file each, for the per-tile answers.
mkdir -p "$work/testchips"
tail -n +2 "$work/split/test.csv" | cut -d, -f1 | while read -r c; do ln -sf "$(realpath "$planet/images/$c.jpg")" "$work/testchips/"; done

scenes=$work/scenes.mlb
chips=$work/chips.mlb
seg=$work/seg.mlb
measure train "$ml" train --csv "$work/train/tags.csv" --images "$work/train/images" --out "$scenes" \
	--size "$size" --seed "$seed" --tiles "$grid" --quiet
measure chiptrain "$ml" train --csv "$work/split/train.csv" --images "$planet/images" --out "$chips" \
	--size "$size" --seed "$seed" --quiet
measure segtrain "$ml" train --csv "$work/train/tags.csv" --images "$work/train/images" --masks "$work/train/masks" \
	--out "$seg" --size "$size" --seed "$seed" --quiet

measure whole "$ml" predict --model "$scenes" --json "$work/test/images"
measure tiles "$ml" predict --model "$scenes" --json --tiles "$grid" "$work/test/images"
measure chiptiles "$ml" predict --model "$chips" --json --tiles "$grid" "$work/test/images" 2>/dev/null
measure seg "$ml" predict --model "$seg" --json "$work/test/images"
measure tile_scenes "$ml" predict --model "$scenes" --json "$work/testchips"
measure tile_chips "$ml" predict --model "$chips" --json "$work/testchips"
measure tile_seg "$ml" predict --model "$seg" --json "$work/testchips"

echo "Planet sample, seed $seed: $(($(wc -l <"$work/split/train.csv") - 1)) training chips, $(($(wc -l <"$work/split/test.csv") - 1)) held out;" \
	"$train_scenes training scenes and $test_scenes test scenes of ${grid}×${grid} chips of $chip px; models at $size px, default flags"
echo
/usr/bin/python3 bench/scenesreal.py "$work"
echo

# Time and peak memory of predict --tiles on a large image, read tile by tile.
"$sb" big -out "$work/big.tif" -w "$bigside" -h "$bigside" -bands 4 -from "$work/test/images/scene_00000.png"
echo "| ${bigside}×${bigside} GeoTIFF, 4 bands, predict --tiles $grid | wall (s) | peak RSS (MiB) |"
echo "|---|---|---|"
measure bigtif "$ml" predict --model "$scenes" --tiles "$grid" "$work/big.tif" 2>/dev/null
measure chipbigtif "$ml" predict --model "$chips" --tiles "$grid" "$work/big.tif" 2>/dev/null
measure segbigtif "$ml" predict --model "$seg" --tiles "$grid" --masks-out "$work/bigmasks" "$work/big.tif" 2>/dev/null
awk -F'\t' '$1=="bigtif"{t="classifier trained on scenes"} $1=="chipbigtif"{t="classifier trained on chips"}
	$1=="segbigtif"{t="segmenter, with --masks-out"} t!=""{printf "| %s | %.1f | %.0f |\n", t, $2, $3; t=""}' "$log"
rm -f "$work/big.tif"
