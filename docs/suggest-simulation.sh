#!/usr/bin/env bash
# Draws docs/suggest-simulation.png, the labelling simulation of
# BENCHMARKS.md ("Choosing what to label next"), with bench/suggest.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PNG=docs/suggest-simulation.png bench/suggest.sh
