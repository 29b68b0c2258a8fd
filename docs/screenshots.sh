#!/bin/sh
# Makes the three screenshots shown in the README:
#
#   docs/train.png   the training screen: mlabel train on synthetic farm tiles
#                    in a tmux pane of 132x32, captured while an epoch
#                    validates and drawn by docs/termshot;
#   docs/report.png  the summary card and the gallery of worst errors of the
#                    HTML report of that model on its test split, in headless
#                    chromium;
#   docs/serve.png   the page of mlabel serve, from the page's browser test,
#                    with an untrained three-label network on plain-colour
#                    images, after a batch with one image over the server's
#                    pixel budget and with the first image's heat map shown.
#
# Needs Debian's tmux, chromium, imagemagick and fonts-dejavu-core. It trains a small model
# on the CPU, which takes a minute or two.
set -e
cd "$(dirname "$0")/.."
root=$PWD
for tool in tmux:tmux chromium:chromium convert:imagemagick; do
	command -v "${tool%%:*}" >/dev/null || { echo "screenshots.sh: ${tool%%:*} not found: install Debian's ${tool#*:} package" >&2; exit 1; }
done
work=$(mktemp -d)
sock="mlabel-screenshots-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir -p "$work/bin"
go build -o "$work/bin/mlabel" ./cmd/mlabel
go build -o "$work/bin/termshot" ./docs/termshot
cd "$work"
PATH="$work/bin:$PATH"
mlabel data synth --out data --count 1200 --size 64 >/dev/null

# The training screen. The pane runs the command as typed at a prompt; the
# screen is captured every 50 ms, and the picture is the last frame of a
# validation pass under way after at least two finished epochs (or, should
# every pass be too quick to catch, the final screen).
cols=132 rows=32
cmd="mlabel train --csv data/tags.csv --images data/images --out farm.mlb --epochs 5 --val 0.3"
tmux -L "$sock" -f /dev/null new-session -d -s train -x "$cols" -y "$rows" \
	"PATH='$PATH'; cd '$work'; printf '\$ %s\n' '$cmd'; $cmd; echo \$? > train.rc; sleep 600"
while [ ! -e train.rc ]; do
	tmux -L "$sock" capture-pane -p -e -t train > frame.txt
	if grep -q '^  validating \[=' frame.txt && [ "$(grep -c '^epoch  *[0-9]' frame.txt)" -ge 2 ]; then
		cp frame.txt caught.txt
	fi
	sleep 0.05
done
[ "$(cat train.rc)" = 0 ] || { tmux -L "$sock" capture-pane -p -t train >&2; echo "screenshots.sh: mlabel train failed" >&2; exit 1; }
[ -e caught.txt ] || tmux -L "$sock" capture-pane -p -e -t train > caught.txt
termshot -cols "$cols" -rows "$rows" -o "$root/docs/train.png" < caught.txt
echo "wrote docs/train.png"

# The report of that model on its test split: its summary card and gallery
# of worst errors, each label's errors opened, the sections between and
# after them hidden by a style sheet added to a copy of the page; 256
# colours keep the file small.
mlabel report --model farm.mlb --out report.html >/dev/null
hide='#warnings,#metrics,#labels,#confusion,#pr-curves,#reliability,#training{display:none}'
sed -e "s|</head>|<style>$hide</style></head>|" -e 's|<details class="errs">|<details class="errs" open>|g' report.html > shown.html
grep -q "$hide" shown.html || { echo "screenshots.sh: the report has no </head>" >&2; exit 1; }
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --disable-component-update \
	--window-size=1100,1150 --screenshot="$work/report.png" "file://$work/shown.html" 2>/dev/null
convert report.png -colors 256 "PNG8:$root/docs/report.png"
echo "wrote docs/report.png"

# The serve page, from its browser test.
cd "$root"
MLABEL_PAGE_SCREENSHOT="$root/docs/serve.png" go test -count=1 -run TestPageBatchesSummarisesDownloadsAndDrawsHeatMaps ./serve
echo "wrote docs/serve.png"
