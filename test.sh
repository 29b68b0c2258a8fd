#!/usr/bin/env bash
# Runs mlabel's whole test suite. It installs what the tests need first:
# Debian packages for the reference data, and the Go modules.
set -euo pipefail
cd "$(dirname "$0")"

need_pkgs="libopenblas0-pthread libonnx-testdata dataset-fashion-mnist chromium fonts-dejavu-core"
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	missing=""
	for p in $need_pkgs; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	fi
fi

go mod download
go vet ./...
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt needed on: $unformatted" >&2
	exit 1
fi
# ONNX's own per-operator conformance tests: list the ones that pass.
go test -count=1 -run '^TestConformance$' -v ./onnx | grep -E 'passing \(|summary:' | sed 's/^ *//'
# The packages that run work on several goroutines, under the race detector.
go test -count=1 -race -timeout 20m ./gemm ./nn ./loader ./serve ./predict ./train
# Each fuzz target for a fixed number of inputs (a few seconds each): bad
# input must never crash. A count, not a duration: Go 1.26's fuzzing
# coordinator can report a spurious "context deadline exceeded" when a
# -fuzztime duration ends while a worker is busy (fixed in Go 1.27).
for target in bundle:FuzzRead:5000 nn:FuzzReadWeights:50000 onnx:FuzzImport:1000 \
	darknet:FuzzRead:50000 dataset:FuzzLoadCSV:10000 metrics:FuzzReadScores:50000 \
	serve:FuzzPredict:20000 masks:FuzzLoad:5000; do
	IFS=: read -r pkg fn count <<<"$target"
	go test -run '^$' -fuzz "^${fn}\$" -fuzztime "${count}x" -timeout 10m "./${pkg}"
done
go test -count=1 -timeout 40m ./...
