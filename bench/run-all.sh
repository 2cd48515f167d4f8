#!/usr/bin/env bash
# Runs every benchmark program of the build (bench/*/bench_*) one after the other with its
# default arguments, printing each one's lines; `make bench` calls it. Figures go to bench/README.md.
# Every bench/<what>/bench_<what> is found by the glob below (bench_hub_overhead included); a
# program that needs arguments other than its defaults does not belong here.
set -uo pipefail
build=${1:-build}
status=0
for exe in "$build"/bench/*/bench_*; do
  [ -x "$exe" ] || continue
  echo "== $(basename "$exe")"
  "$exe" || { echo "$(basename "$exe") failed with status $?"; status=1; }
done
exit $status
