# Shared by the bench scripts; source it, do not run it.
#
# record_results NAME "$@", called by a script near its top, runs the
# script again with its standard output shown and kept, and when that run
# succeeds saves the output as raw results in bench/results/NAME.json with
# what made them: the commit (and whether the tree had changes), the
# command and the environment variables the script reads, the CPU model,
# the cores, the load average before and after, and the dates.
# bench/check.sh compares those commits with the last change to the
# packages each BENCHMARKS.md table measures. SAVE_RESULTS=0 runs the
# script without saving.

# record_results NAME ARGS...: see above. It returns at once in the run it
# starts, and otherwise exits with that run's status.
record_results() {
	if [ -n "${BENCH_RECORDING:-}" ] || [ "${SAVE_RESULTS:-1}" = 0 ]; then
		return 0
	fi
	local name=$1 log status started load
	shift
	log=$(mktemp)
	started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
	# The tree as the run starts, which is what it builds.
	BENCH_COMMIT=$(git -C "$(dirname "$0")" rev-parse HEAD)
	BENCH_DIRTY=false
	[ -z "$(git -C "$(dirname "$0")" status --porcelain --untracked-files=no)" ] || BENCH_DIRTY=true
	export BENCH_COMMIT BENCH_DIRTY
	set +e
	BENCH_RECORDING=1 bash "$0" "$@" | tee "$log"
	status=${PIPESTATUS[0]}
	set -e
	if [ "$status" = 0 ]; then
		save_results "$name" "$log" "$started" "$load" "$0" "$@"
	else
		echo "$0 failed (exit $status): no results saved" >&2
	fi
	rm -f "$log"
	exit "$status"
}

# save_results NAME LOG STARTED LOAD_BEFORE SCRIPT ARGS...: writes
# bench/results/NAME.json from the output in LOG.
save_results() {
	local name=$1 log=$2 started=$3 load=$4 script=$5
	shift 5
	local root out vars
	root=$(git -C "$(dirname "$script")" rev-parse --show-toplevel)
	out="$root/bench/results/$name.json"
	mkdir -p "$(dirname "$out")"
	# The environment variables the script reads (${NAME:-...}), and those
	# that change the engine's speed.
	vars=$( (grep -o '\${[A-Z_][A-Z0-9_]*:-' "$script" || true) | tr -d '${:-' | sort -u | tr '\n' ' ')
	vars="$vars MLABEL_GEMM GOMAXPROCS OPENBLAS_CORETYPE OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS"
	BENCH_NAME=$name BENCH_LOG=$log BENCH_STARTED=$started BENCH_LOAD_BEFORE=$load \
		BENCH_SCRIPT=$(realpath --relative-to="$root" "$script") BENCH_VARS=$vars BENCH_ROOT=$root \
		python3 - "$out" "$@" <<'PY'
import datetime, json, os, sys

out, args = sys.argv[1], sys.argv[2:]
root = os.environ["BENCH_ROOT"]
cpu = ""
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
def load():
    try:
        return [float(x) for x in open("/proc/loadavg").read().split()[:3]]
    except OSError:
        return None
before = os.environ.get("BENCH_LOAD_BEFORE", "").split()
res = {
    "bench": os.environ["BENCH_NAME"],
    "script": os.environ["BENCH_SCRIPT"],
    "args": args,
    "env": {v: os.environ[v] for v in sorted(set(os.environ["BENCH_VARS"].split())) if v in os.environ},
    "commit": os.environ["BENCH_COMMIT"],
    "dirty": os.environ["BENCH_DIRTY"] == "true",
    "cpu_model": cpu,
    "cores": os.cpu_count(),
    "load_average_before": [float(x) for x in before] if before else None,
    "load_average_after": load(),
    "started": os.environ["BENCH_STARTED"],
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "output": open(os.environ["BENCH_LOG"], errors="replace").read().splitlines(),
}
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(res, f, indent=1, ensure_ascii=False)
    f.write("\n")
os.replace(tmp, out)
print(f"raw results saved in {os.path.relpath(out, root)} (commit {res['commit'][:12]}{', with changes' if res['dirty'] else ''})", file=sys.stderr)
PY
}
