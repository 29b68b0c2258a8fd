#!/usr/bin/env bash
# Compares mlabel's engine with PyTorch (Debian's python3-torch, OpenBLAS) on
# the same networks, batch sizes and image sizes, in the same environment,
# and prints a side-by-side table with the ratios mlabel/PyTorch.
#
#   bench/engine.sh                 # small and resnet18 at 64 and 128 px
#   ARCHS="small" SIZES="64" BATCH=32 STEPS=10 bench/engine.sh
#
# MLABEL names an mlabel binary to use instead of building ./cmd/mlabel, and
# PYTHON the Python with torch (default /usr/bin/python3). Each pair of runs
# goes mlabel first, PyTorch second, so both see the same machine state.
set -euo pipefail
cd "$(dirname "$0")/.."

archs=${ARCHS:-"small resnet18"}
sizes=${SIZES:-"64 128"}
batch=${BATCH:-32}
steps=()
if [ -n "${STEPS:-}" ]; then
	steps=(--steps "$STEPS") # both sides time 10 steps by default
fi
python=${PYTHON:-/usr/bin/python3}

if [ -z "${MLABEL:-}" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	go build -o "$tmp/mlabel" ./cmd/mlabel
	MLABEL=$tmp/mlabel
fi

field() { # field JSON NAME: the value of a top-level number or string field
	sed -n "s/.*\"$2\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$1"
}

printf '%-9s %5s %5s | %9s %9s | %9s %9s | %6s %6s | %7s %7s | %s\n' \
	arch size batch go_train pt_train go_infer pt_infer train× infer× go_MB pt_MB gemm
for a in $archs; do
	for s in $sizes; do
		g=$("$MLABEL" bench engine --arch "$a" --size "$s" --batch "$batch" "${steps[@]}" --json)
		p=$("$python" bench/torch_engine.py --arch "$a" --size "$s" --batch "$batch" "${steps[@]}")
		gt=$(field "$g" train_img_s) pt=$(field "$p" train_img_s)
		gi=$(field "$g" infer_img_s) pi=$(field "$p" infer_img_s)
		printf '%-9s %5s %5s | %9.1f %9.1f | %9.1f %9.1f | %6.2f %6.2f | %7.0f %7.0f | %s\n' \
			"$a" "$s" "$batch" "$gt" "$pt" "$gi" "$pi" \
			"$(echo "$gt / $pt" | bc -l)" "$(echo "$gi / $pi" | bc -l)" \
			"$(field "$g" peak_rss_mb)" "$(field "$p" peak_rss_mb)" "$(field "$g" gemm)"
	done
done
