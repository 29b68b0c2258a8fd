#!/usr/bin/env bash
# Compares mlabel's engine with PyTorch (Debian's python3-torch, OpenBLAS) on
# the same networks, batch sizes and image sizes, in the same environment,
# and prints a side-by-side table with the ratios mlabel/PyTorch and each
# process's peak resident memory.
#
#   bench/engine.sh                       # the engine table's rows, batch 32 and 1
#   REPEATS=3 bench/engine.sh             # three interleaved rounds, then the medians
#   ROWS="resnet18:128" BATCHES=32 STEPS=10 bench/engine.sh
#   ARCHS="small" SIZES="64 128" bench/engine.sh   # every arch at every size
#
# ROWS lists arch:size pairs (default: small:64 resnet18:64 resnet18:128
# mobilenetv2:128); ARCHS and SIZES, when set, replace it by their product.
# BATCHES lists batch sizes (default "32 1"). STEPS is the timed steps of each
# kind on both sides (default 10, and 50 at batch 1, whose steps are short).
# With REPEATS=N every row is measured N times, the rows taking turns, and a
# final table gives each column's median. MLABEL names an mlabel binary to
# use instead of building ./cmd/mlabel, and PYTHON the Python with torch
# (default /usr/bin/python3). Each pair of runs goes mlabel first, PyTorch
# second, so both see the same machine state.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "engine${MLABEL_GEMM:+-$MLABEL_GEMM}" "$@"
cd "$(dirname "$0")/.."

rows=${ROWS:-"small:64 resnet18:64 resnet18:128 mobilenetv2:128"}
if [ -n "${ARCHS:-}${SIZES:-}" ]; then
	rows=""
	for a in ${ARCHS:-small resnet18}; do
		for s in ${SIZES:-64 128}; do
			rows+=" $a:$s"
		done
	done
fi
batches=${BATCHES:-"32 1"}
repeats=${REPEATS:-1}
python=${PYTHON:-/usr/bin/python3}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${MLABEL:-}" ]; then
	go build -o "$tmp/mlabel" ./cmd/mlabel
	MLABEL=$tmp/mlabel
fi

field() { # field JSON NAME: the value of a top-level number or string field
	sed -n "s/.*\"$2\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$1"
}

header() {
	printf '%-11s %5s %5s | %9s %9s | %9s %9s | %6s %6s | %7s %7s | %s\n' \
		arch size batch go_train pt_train go_infer pt_infer train× infer× go_MB pt_MB gemm
}

# row ARCH SIZE BATCH GT PT GI PI GMB PMB GEMM prints one table row.
row() {
	printf '%-11s %5s %5s | %9.1f %9.1f | %9.1f %9.1f | %6.2f %6.2f | %7.0f %7.0f | %s\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "$7" \
		"$(echo "$4 / $5" | bc -l)" "$(echo "$6 / $7" | bc -l)" "$8" "$9" "${10}"
}

median() { # median of the numbers on stdin
	sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}

header
for r in $(seq "$repeats"); do
	for b in $batches; do
		for as in $rows; do
			a=${as%%:*} s=${as##*:}
			st=${STEPS:-10}
			if [ -z "${STEPS:-}" ] && [ "$b" = 1 ]; then
				st=50
			fi
			g=$("$MLABEL" bench engine --arch "$a" --size "$s" --batch "$b" --steps "$st" --json)
			p=$("$python" bench/torch_engine.py --arch "$a" --size "$s" --batch "$b" --steps "$st")
			vals=("$(field "$g" train_img_s)" "$(field "$p" train_img_s)"
				"$(field "$g" infer_img_s)" "$(field "$p" infer_img_s)"
				"$(field "$g" peak_rss_mb)" "$(field "$p" peak_rss_mb)")
			row "$a" "$s" "$b" "${vals[@]}" "$(field "$g" gemm)"
			echo "$a $s $b ${vals[*]} $(echo "${vals[0]} / ${vals[1]}" | bc -l) $(echo "${vals[2]} / ${vals[3]}" | bc -l)" >>"$tmp/runs"
		done
	done
done
if [ "$repeats" -gt 1 ]; then
	echo
	echo "medians of $repeats rounds (the ratios are the medians of each round's ratio):"
	printf '%-11s %5s %5s | %9s %9s | %9s %9s | %6s %6s | %7s %7s\n' \
		arch size batch go_train pt_train go_infer pt_infer train× infer× go_MB pt_MB
	for b in $batches; do
		for as in $rows; do
			a=${as%%:*} s=${as##*:}
			m=()
			for col in 4 5 6 7 8 9 10 11; do
				m+=("$(awk -v a="$a" -v s="$s" -v b="$b" -v c="$col" '$1==a && $2==s && $3==b {print $c}' "$tmp/runs" | median)")
			done
			printf '%-11s %5s %5s | %9.1f %9.1f | %9.1f %9.1f | %6.2f %6.2f | %7.0f %7.0f\n' \
				"$a" "$s" "$b" "${m[0]}" "${m[1]}" "${m[2]}" "${m[3]}" "${m[6]}" "${m[7]}" "${m[4]}" "${m[5]}"
		done
	done
fi
