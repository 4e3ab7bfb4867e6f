#!/usr/bin/env bash
# The VS Code extension's checks, as `.ci/run` runs them: its packages installed from the
# lockfile, the TypeScript compiled, the grammar's snapshots and the end-to-end session against
# the arrears binary named by $ARREARS, and the extension packaged as a .vsix.
set -euo pipefail
cd "$(dirname "$0")"
: "${ARREARS:?set ARREARS to the arrears binary the tests start}"
npm ci --no-audit --no-fund --loglevel=error
npx tsc -p .
ARREARS="$ARREARS" node --test test/
npx vsce package --no-rewrite-relative-links --out arrears-policy.vsix < /dev/null
