#!/usr/bin/env bash
# Transfer learning against training from scratch: yolov3-tiny (COCO,
# Darknet weights from the gorgonia module, fetched with go mod download)
# cut at leaky_12, frozen and then fine-tuned, against the `small` network
# from scratch, on 400 generated demo tiles per seed, 12 epochs each
# (bench/transferbench prints one table per seed).
#
#   bench/transfer.sh
#   SEEDS="1" bench/transfer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record_results transfer "$@"

seeds=${SEEDS:-"1 2 3"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlabel" ./cmd/mlabel
go build -o "$tmp/transferbench" ./bench/transferbench
go mod download gorgonia.org/gorgonia@v0.9.18
d=$(go env GOMODCACHE)/gorgonia.org/gorgonia@v0.9.18/examples/tiny-yolo-v3-coco/data
"$tmp/mlabel" import darknet "$d/yolov3-tiny.cfg" "$d/yolov3-tiny.weights" --out "$tmp/yolo.mlb" >/dev/null
for s in $seeds; do
	echo "== seed $s"
	"$tmp/transferbench" -dir "$tmp/data-s$s" -seed "$s" -runs scratch,frozen,unfreeze \
		-backbone "$tmp/yolo.mlb" -at leaky_12 -tsize 128 -epochs 12 -ft-epochs 4
done
