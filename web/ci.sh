#!/usr/bin/env bash
# The workbench's checks, as `.ci/run` runs them: Debian's Chromium (and CJK fonts) installed
# if missing, the page rebuilt from the lockfile and held to the committed dist/ (which the
# binary embeds), and the browser session against the arrears binary named by $ARREARS.
set -euo pipefail
cd "$(dirname "$0")"
: "${ARREARS:?set ARREARS to the arrears binary the tests start}"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium fonts-noto-cjk > /dev/null
fi
./build.sh
if ! git diff --quiet -- dist; then
  echo "web/dist differs from what web/build.sh builds: run web/build.sh and commit dist/" >&2
  git diff --stat -- dist >&2
  exit 1
fi
ARREARS="$ARREARS" node --test test/
