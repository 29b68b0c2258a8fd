#!/bin/sh
# Makes docs/serve.png, the screenshot of the page of mlabel serve shown in
# the README: the page's browser test in headless chromium (Debian's
# chromium package), with an untrained three-label network on plain-colour
# images, after a batch with one image over the server's pixel budget and
# with the first image's heat map shown.
set -e
cd "$(dirname "$0")/.."
MLABEL_PAGE_SCREENSHOT="$PWD/docs/serve.png" go test -count=1 -run TestPageBatchesSummarisesDownloadsAndDrawsHeatMaps ./serve
echo "wrote docs/serve.png"
