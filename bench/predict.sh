#!/usr/bin/env bash
# Concurrent predictions on one shared predictor, as the HTTP server makes
# them: images per second for 1, 2 and 4 callers at once, for batches of 1
# and 8 images of a small network at 64 px with random weights.
#
#   bench/predict.sh
#   ARCH=resnet18 SIZE=128 BATCHES="1 4" GOROUTINES=1,2,4,8 bench/predict.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "predict" "$@"
cd "$(dirname "$0")/.."

arch=${ARCH:-small}
size=${SIZE:-64}
batches=${BATCHES:-"1 8"}
goroutines=${GOROUTINES:-1,2,4}
images=${IMAGES:-1024}

for b in $batches; do
	go run ./bench/predictbench -arch "$arch" -size "$size" -batch "$b" -images "$images" -goroutines "$goroutines"
done
