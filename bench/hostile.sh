#!/usr/bin/env bash
# Peak memory of mlabel on hostile inputs: files padded or sparse to 2 GiB,
# /dev/zero as image, tags CSV and bundle, rows of 10,000 and 100,000 tags,
# an 8000×8000 mask over 200 labels, a bundle whose preprocessing size
# differs from its network's input, a 1024×1024 TIFF of 256 bands posted to
# the server, and 16 clients trickling their bodies while 5 others post an
# image. Each command runs under `ulimit -v 6000000` and `timeout 60`, with
# /usr/bin/time -v giving its peak resident size (the server's is its VmHWM
# after the requests). It prints one raw line per case and side, then a
# markdown table.
#
#   bench/hostile.sh                   # the tree only
#   BEFORE=3aebdd3 bench/hostile.sh    # and that commit, built in a temporary worktree
#
# The model is a tiny `mlabel demo` (100 tiles, 1 epoch, 32 pixels, width
# 4), made by the tree's binary and used by both.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
record_results "${RESULTS:-hostile}" "$@"

before=${BEFORE:-}
tmp=$(mktemp -d)
wt=""
server=""
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
	if [ -n "$wt" ]; then git worktree remove --force "$wt" >/dev/null 2>&1 || true; git worktree prune; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

sides=(after)
mkdir -p "$tmp/after" "$tmp/in"
go build -o "$tmp/after/mlabel" ./cmd/mlabel
go build -o "$tmp/hostilebench" ./bench/hostilebench
if [ -n "$before" ]; then
	sides=(before after)
	wt=$tmp/src-before
	git worktree add --detach --quiet "$wt" "$before"
	mkdir -p "$tmp/before"
	(cd "$wt" && go build -o "$tmp/before/mlabel" ./cmd/mlabel)
fi
gen=$tmp/hostilebench
in=$tmp/in

# The model, and the inputs.
"$tmp/after/mlabel" demo --out "$in/demo" --count 100 --epochs 1 --size 32 --width 4 \
	--refit=false --quiet --workers 2 >/dev/null
model=$in/demo/model.mlb
head -n 3 "$in/demo/model.test.csv" >"$in/demo/eval.csv"
"$gen" bundle "$model" "$in/input.mlb" 2048
"$gen" png "$in/ok.png" 64 64
"$gen" png "$in/padded.png" 8 8
truncate -s 2G "$in/padded.png"
truncate -s 2G "$in/zeros.jpg"
mkdir -p "$in/tags" "$in/masks"
"$gen" png "$in/tags/a.png" 8 8
tagrow() { # N: a CSV of one image with N tags l0..l(N-1)
	printf 'image,tags\na.png,'
	seq -f 'l%.0f' 0 $(($1 - 1)) | paste -sd' '
}
tagrow 10000 >"$in/tags/t10k.csv"
tagrow 100000 >"$in/tags/t100k.csv"
tagrow 200 >"$in/tags/t200.csv"
seq -f 'l%.0f' 0 199 >"$in/masks/legend.txt"
"$gen" mask "$in/masks/a.png" 8000 8000
"$gen" tiff "$in/bands.tif" 1024 1024 256

# out SIDE CASE KB SECONDS OUTCOME: a raw line, and the table's cell.
declare -A cell
out() {
	printf 'raw\t%s\t%s\tpeak_rss_kb=%s\twall_s=%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
	cell[$1/$2]=$(awk -v kb="$3" -v o="$5" 'BEGIN { printf "%.0f MB, %s", kb / 1024, o }')
}

# cli CASE ARGS...: runs mlabel ARGS on each side.
cases=()
cli() {
	local name=$1 side bin status kb wall outcome msg
	shift
	cases+=("$name")
	for side in "${sides[@]}"; do
		bin=$tmp/$side/mlabel
		set +e
		(ulimit -v 6000000 && exec /usr/bin/time -v -o "$tmp/time" timeout 60 "$bin" "$@") >"$tmp/stdout" 2>"$tmp/stderr"
		status=$?
		set -e
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$tmp/time")
		# The line naming the problem, else the first line of the errors.
		msg=$(cat "$tmp/stdout" "$tmp/stderr" | grep -m1 -E 'error: |over the limit|not a |differs|larger than|out of memory' | cut -c1-200 || true)
		[ -n "$msg" ] || msg=$(grep -m1 . "$tmp/stderr" | cut -c1-200 || true)
		case $status in
		0) outcome="ran (exit 0)" ;;
		124) outcome="killed at 60 s" ;;
		*) if grep -q 'out of memory\|cannot allocate memory' "$tmp/stderr"; then
			outcome="out of memory (exit $status)"
		else
			outcome="refused (exit $status)"
		fi ;;
		esac
		out "$side" "$name" "${kb:-0}" "${wall:-?}" "$outcome, ${wall:-?} s"
		printf 'msg\t%s\t%s\t%s\n' "$side" "$name" "${msg//$in\//}"
	done
}

cli "predict: 8×8 PNG padded to 2 GiB" predict --model "$model" "$in/padded.png"
cli "predict: 2 GiB of sparse zeros" predict --model "$model" "$in/zeros.jpg"
cli "predict: /dev/zero" predict --model "$model" /dev/zero
cli "data check --csv /dev/zero" data check --csv /dev/zero
cli "predict --model /dev/zero" predict --model /dev/zero "$in/ok.png"
cli "data check: a row of 10,000 tags" data check --csv "$in/tags/t10k.csv"
cli "data check: a row of 100,000 tags" data check --csv "$in/tags/t100k.csv"
cli "data check --masks: 8000×8000 mask, 200 labels" data check --csv "$in/tags/t200.csv" --masks "$in/masks"
cli "eval: preprocessing size 2048, network input 32" eval --model "$in/input.mlb" --csv "$in/demo/eval.csv"

# serve CASE KIND: starts the server on each side, sends the requests
# (KIND tiff or slow) and reads its peak resident size.
serve() {
	local name=$1 kind=$2 side port url result kb status t0 t1 poller
	cases+=("$name")
	for side in "${sides[@]}"; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		url=http://127.0.0.1:$port
		(ulimit -v 6000000 && exec "$tmp/$side/mlabel" serve --model "$model" --addr "127.0.0.1:$port") >"$tmp/serve.log" 2>&1 &
		server=$!
		for _ in $(seq 300); do
			curl -s -o /dev/null "$url/" && break
			sleep 0.1
		done
		# The last VmHWM seen, should the server die.
		(while kill -0 "$server" 2>/dev/null; do
			awk '/^VmHWM:/ { print $2 }' "/proc/$server/status" >"$tmp/hwm.new" 2>/dev/null && [ -s "$tmp/hwm.new" ] && mv "$tmp/hwm.new" "$tmp/hwm"
			sleep 0.05
		done) &
		poller=$!
		t0=$(date +%s.%N)
		set +e
		case $kind in
		tiff) result=$(curl -s -m 60 -o "$tmp/answer" -w '%{http_code}' -F "image=@$in/bands.tif;type=image/tiff" "$url/api/predict")
			result="answer $result" ;;
		slow) result=$(timeout 120 "$gen" slow "$url/api/predict" "$in/ok.png" 16 5)
			result="5 POSTs: $result" ;;
		esac
		set -e
		t1=$(date +%s.%N)
		kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server/status" 2>/dev/null || true)
		if ! kill -0 "$server" 2>/dev/null; then
			set +e
			wait "$server"
			status=$?
			set -e
			result="server died (exit $status), $result"
			kb=$(cat "$tmp/hwm" 2>/dev/null || echo 0)
		else
			kill "$server"
			wait "$server" 2>/dev/null || true
		fi
		server=""
		wait "$poller" 2>/dev/null || true
		rm -f "$tmp/hwm" "$tmp/hwm.new"
		out "$side" "$name" "${kb:-0}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" "$result"
		printf 'msg\t%s\t%s\t%s\n' "$side" "$name" "$(head -c 2000 "$tmp/answer" 2>/dev/null | cut -c1-160 || true)"
		rm -f "$tmp/answer"
	done
}

serve "serve: 1024×1024×256-band deflated TIFF" tiff
serve "serve: 16 slow clients, then 5 POSTs" slow

echo
if [ -n "$before" ]; then
	echo "| case | before ($before): peak RSS, outcome | after: peak RSS, outcome |"
	echo "|---|---|---|"
	for c in "${cases[@]}"; do
		echo "| $c | ${cell[before/$c]} | ${cell[after/$c]} |"
	done
else
	echo "| case | after: peak RSS, outcome |"
	echo "|---|---|"
	for c in "${cases[@]}"; do
		echo "| $c | ${cell[after/$c]} |"
	done
fi
