#!/usr/bin/env bash
# Renders the HTML dry-run report of the shipped policy and sample to a PNG with headless
# Chromium (Debian's `chromium` package: `apt-get install chromium`), to look at the charts.
#
#   scripts/render-report.sh [OUT_DIR]        writes OUT_DIR/report.html and OUT_DIR/report.png
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/arrears-report}
mkdir -p "$out"
cargo run --quiet --release -- report policies/retail.policy examples/portfolios/retail-sample.jsonl \
  --as-of 2026-11-20 --html "$out/report.html" --quiet > /dev/null
# The flags keep Chromium off the network (the page needs none) and out of the user's profile.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=1200,1900 \
  --screenshot="$out/report.png" "file://$(realpath "$out/report.html")" 2>/dev/null
echo "$out/report.png"
