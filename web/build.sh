#!/usr/bin/env bash
# Builds the workbench page into dist/ (index.html, app.js, app.css), which `arrears serve`
# embeds: packages from the lockfile, then Vite. The built files are committed, so building
# arrears needs no Node; `.ci/run` builds them again and fails if they differ from the commit.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npx vite build --logLevel warn
