#!/usr/bin/env bash
# Benchmarks the GEMM backends on CNN shapes in the same run and prints the
# median GFLOP/s of each, with the ratio of the Go path to OpenBLAS.
#
#   bench/gemm.sh [count] [benchtime]     defaults: 5 runs of 20 iterations
#
# GEMM_BACKENDS is a regular expression over the backends to run, by default
# "openblas|go-(avx|neon)": OpenBLAS and the assembly kernels, AVX2/AVX-512
# on amd64 and NEON on arm64 (the portable go-generic kernel is slow to
# benchmark).
#
# Run it on a quiet machine; OPENBLAS_* settings in the environment apply to
# both sides alike.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
record_results "gemm${GOMAXPROCS:+-$GOMAXPROCS-cores}" "$@"
cd "$(dirname "$0")/.."
count=${1:-5}
benchtime=${2:-20x}

go test -run '^$' -bench "BenchmarkSgemm/.*/(${GEMM_BACKENDS:-openblas|go-(avx|neon)})" -benchtime "$benchtime" -count "$count" ./gemm |
	awk '
	/^BenchmarkSgemm\// {
		split($1, p, "/")
		shape = p[2]; backend = p[3]; sub(/-[0-9]+$/, "", backend)
		for (i = 2; i <= NF; i++) if ($(i) == "GFLOP/s") v = $(i-1)
		key = shape SUBSEP backend
		n[key]++; val[key, n[key]] = v
		if (!(shape in seen)) { seen[shape] = 1; order[++ns] = shape }
		if (!(backend in bseen)) { bseen[backend] = 1; border[++nb] = backend }
	}
	function median(key,   m, i, j, t, a) {
		m = n[key]
		for (i = 1; i <= m; i++) a[i] = val[key, i] + 0
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END {
		printf "%-22s", "shape (median GFLOP/s)"
		for (b = 1; b <= nb; b++) printf " %12s", border[b]
		printf " %10s\n", "go/openblas"
		for (s = 1; s <= ns; s++) {
			shape = order[s]; printf "%-22s", shape
			best = 0; blas = 0
			for (b = 1; b <= nb; b++) {
				key = shape SUBSEP border[b]
				if (!(key in n)) { printf " %12s", "-"; continue }
				m = median(key); printf " %12.1f", m
				if (border[b] == "openblas") blas = m
				else if (border[b] != "go-generic" && m > best) best = m
			}
			if (blas > 0) printf " %10.2f\n", best / blas; else printf " %10s\n", "-"
		}
	}'
