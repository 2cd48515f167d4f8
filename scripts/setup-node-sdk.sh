#!/usr/bin/env bash
# The npm packages of tests/sdk (Microsoft's Node.js device SDK, pinned by its package-lock.json),
# installed like the Debian packages: at set-up, only when missing or stale, never at build time.
# Called by setup-debian.sh (test and bench profiles) once node and npm exist.
set -euo pipefail
sdk=$(cd "$(dirname "$0")/../tests/sdk" && pwd)
# Written after a complete `npm ci`: an interrupted install or a newer lock file means another one.
stamp="$sdk/node_modules/.flexhil-npm-ci"
if [ -f "$stamp" ] && [ "$stamp" -nt "$sdk/package-lock.json" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "error: flexhil: npm is missing, cannot install tests/sdk's packages" >&2; exit 2; }
echo "flexhil: installing tests/sdk's npm packages (npm ci)"
if ! (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error >"$sdk/npm-ci.log" 2>&1); then
  echo "error: flexhil: 'npm ci' in tests/sdk failed (is the npm registry reachable?); see tests/sdk/npm-ci.log" >&2
  exit 2
fi
rm -f "$sdk/npm-ci.log"
touch "$stamp"
