#!/usr/bin/env bash
# Lists the BENCHMARKS.md tables whose raw results are older than the last
# change to what they measure.
#
# Each section of BENCHMARKS.md names, in a comment, the raw results its
# tables come from and the paths (packages, bench scripts) they measure:
#
#	<!-- results: routes; measures: train compare masks bench/routes.sh -->
#
# A comment holds for the tables after it, up to the next comment or the
# next "## " heading. bench/lib.sh's record_results saves a bench script's
# output as bench/results/NAME.json with the commit it ran at. A table is
# stale when it has no comment, when its results file is missing, or when
# a commit changing one of its paths is not in the history of the results'
# commit; "results: none" marks figures that no script re-makes. Test files
# (*_test.go) do not count, since no bench script runs them, unless the
# comment names one (as the GEMM section names the benchmark it runs). A
# path may be a git pathspec: ":!train/segment.go" leaves out the
# segmentation route's own file from a table that trains classifiers only.
#
#   bench/check.sh        # the stale tables; exit 1 when there is one
#   bench/check.sh -a     # every table, fresh ones too
set -euo pipefail
cd "$(dirname "$0")/.."
all=0
[ "${1:-}" = -a ] && all=1
ALL=$all python3 - BENCHMARKS.md <<'PY'
import json, os, re, subprocess, sys

path = sys.argv[1]
show_all = os.environ.get("ALL") == "1"
marker = re.compile(r"<!--\s*results:\s*([\w.-]+)\s*;\s*measures:\s*([^>]*?)\s*-->")

def git(*args):
    r = subprocess.run(["git", *args], capture_output=True, text=True)
    return r.returncode, r.stdout.strip()

def verdict(name, paths):
    """Returns (stale, why) for tables from results name measuring paths."""
    if name == "none":
        return True, "no script re-makes these figures"
    file = f"bench/results/{name}.json"
    try:
        res = json.load(open(file))
    except FileNotFoundError:
        return True, f"no raw results ({file})"
    except (OSError, ValueError) as e:
        return True, f"{file}: {e}"
    commit = res.get("commit", "")
    when = f"{commit[:12]} ({res.get('date', '?')}, {res.get('cpu_model', '?')}, {res.get('cores', '?')} cores)"
    if git("cat-file", "-e", commit + "^{commit}")[0] != 0:
        return True, f"{file}: its commit {commit[:12] or '(none)'} is not in this repository"
    missing = [p for p in paths if not p.startswith(":") and not os.path.exists(p)]
    if missing:
        return True, f"measures {' '.join(missing)}, which is not in the tree"
    spec = list(paths)
    if not any(p.endswith("_test.go") for p in paths):
        spec.append(":(exclude,glob)**/*_test.go")
    code, last = git("log", "-1", "--format=%H %cs", "--", *spec)
    if code != 0 or not last:
        return True, f"no commit touches {' '.join(paths)}"
    last_commit, last_date = last.split()
    if git("merge-base", "--is-ancestor", last_commit, commit)[0] != 0:
        code, changed = git("diff", "--name-only", commit, last_commit, "--", *spec)
        files = changed.splitlines()
        dirs = [p for p in paths if any(f == p or f.startswith(p.rstrip("/") + "/") for f in files)] or paths
        return True, f"results at {when}; {' '.join(dirs)} changed since, last in {last_commit[:12]} ({last_date})"
    note = ", measured with uncommitted changes" if res.get("dirty") else ""
    return False, f"results at {when}{note}"

lines = open(path).read().splitlines()
current = None  # (name, paths)
section = ""
in_table = False
stale = total = 0
for n, line in enumerate(lines, 1):
    if line.startswith("## "):
        section, current = line[3:].strip(), None
    elif line.startswith("### "):
        section = line[4:].strip()
    m = marker.search(line)
    if m:
        current = (m.group(1), m.group(2).split())
    is_row = line.startswith("|")
    if is_row and not in_table:
        total += 1
        if current is None:
            bad, why = True, "no results comment: nothing says which command made it"
        else:
            bad, why = verdict(*current)
        if bad:
            stale += 1
        if bad or show_all:
            tag = f"[{current[0]}]" if current else "[?]"
            print(f"{'STALE' if bad else 'fresh'}  {path}:{n}  {section}  {tag}\n       {why}")
    in_table = is_row
print(f"{stale} of {total} tables stale")
sys.exit(1 if stale else 0)
PY
