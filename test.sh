#!/usr/bin/env bash
# Runs mlabel's whole test suite. It installs what the tests need first:
# Debian packages for the reference data, and the Go modules.
set -euo pipefail
cd "$(dirname "$0")"

need_pkgs="libopenblas0-pthread libonnx-testdata dataset-fashion-mnist chromium fonts-dejavu-core qemu-user-static libc6-arm64-cross file gdal-bin"

# install_missing installs the packages named in its arguments with apt-get,
# waiting a while for a dpkg lock another apt or dpkg holds; when apt-get
# fails it says why and what to do, and the script stops.
install_missing() {
	local log
	log=$(mktemp)
	if ! { apt-get -o DPkg::Lock::Timeout=120 update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq "$@" >/dev/null; } 2>"$log"; then
		cat "$log" >&2
		if grep -qiE 'lock|dpkg was interrupted' "$log"; then
			echo "test.sh: apt-get could not take the dpkg lock: another apt-get or dpkg (an upgrade, another test.sh) holds it." >&2
			echo "  Wait for it to finish (ps -C apt-get,apt,dpkg shows it) and run ./test.sh again; if one was interrupted, run dpkg --configure -a first." >&2
		else
			echo "test.sh: apt-get could not install the packages the tests need (above)." >&2
		fi
		echo "  The packages: $*" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	missing=""
	for p in $need_pkgs; do
		dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		# shellcheck disable=SC2086 # one argument per package
		install_missing $missing
	fi
fi

go mod download
go vet ./...
# The Beam binary (its first build takes minutes; the build cache keeps it).
go build -o /dev/null ./cmd/mlabel-beam
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt needed on: $unformatted" >&2
	exit 1
fi
# arm64: the NEON kernels against the references, run under qemu (the arm64
# C library serves the dynamic loader). TestInitFromEnvironment starts the
# test binary again as a child, which this machine cannot run without qemu,
# so it is left to the native run; -short leaves out the other host-side
# tests (builds and the generator). Debian's OpenBLAS here is the host's,
# not arm64's: CI is unset for this run, so the OpenBLAS tests skip naming
# the package rather than fail.
GOARCH=arm64 go vet ./gemm/... ./nn
CI= QEMU_LD_PREFIX=/usr/aarch64-linux-gnu GOARCH=arm64 go test -count=1 -short -skip '^TestInitFromEnvironment$' \
	-exec qemu-aarch64-static ./gemm ./nn
# The static build: no dynamic loader, no run-time OpenBLAS.
static_dir=$(mktemp -d)
CGO_ENABLED=0 go build -tags static -o "$static_dir/mlabel" ./cmd/mlabel
if ! file "$static_dir/mlabel" | grep -q 'statically linked'; then
	echo "go build -tags static did not link statically: $(file "$static_dir/mlabel")" >&2
	exit 1
fi
rm -r "$static_dir"
# Cross builds without cgo for each system and architecture.
for goos in linux darwin windows; do
	for goarch in amd64 arm64; do
		CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -o /dev/null ./cmd/mlabel
	done
done
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
	serve:FuzzPredict:20000 imageio:FuzzSource:20000 masks:FuzzLoad:5000; do
	IFS=: read -r pkg fn count <<<"$target"
	go test -run '^$' -fuzz "^${fn}\$" -fuzztime "${count}x" -timeout 10m "./${pkg}"
done
go test -count=1 -timeout 40m ./...
