#!/usr/bin/env bash
# `make demo` until the harness runs scenarios/demo.toml (issue 5).
set -euo pipefail
echo "flexhil demo: not wired yet"
