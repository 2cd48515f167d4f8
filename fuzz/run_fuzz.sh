#!/usr/bin/env bash
# `make fuzz`: runs every libFuzzer target of a FLEXHIL_FUZZ build for FUZZ_SECONDS each (one at
# a time, in one process: the machine is shared), on a scratch copy of its corpus so the committed seeds
# stay as they are. Stops at the first crash and prints the reproducer.
#   bash fuzz/run_fuzz.sh [build-dir]      FUZZ_SECONDS=30  FUZZ_TARGETS="json_scan username"
# Exit: 0 no crash · 1 a target crashed (the input is kept) · 2 usage · 3 no fuzz build.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-30}
only=${FUZZ_TARGETS:-}
manifest="$build/fuzz/fuzz_targets.txt"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "error: FUZZ_SECONDS must be a positive number of seconds, got '$seconds'" >&2; exit 2
fi
if [ ! -f "$manifest" ]; then
  echo "error: $manifest not found: configure $build with -DFLEXHIL_FUZZ=ON (make fuzz does)" >&2; exit 3
fi
ran=0
while read -r name binary max_len corpus regressions seeds; do
  [ -n "$name" ] || continue
  if [ -n "$only" ] && [[ " $only " != *" $name "* ]]; then continue; fi
  if [ ! -x "$binary" ]; then
    echo "error: $binary is not built (cmake --build $build --target fuzz_targets)" >&2; exit 3
  fi
  work="$build/fuzz-work/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  dirs=("$work/corpus" "$corpus")
  [ -d "$regressions" ] && dirs+=("$regressions")
  # Seeds from the repository (fixture programs, the scenario library); read, never written.
  for seed in $seeds; do [ -d "$seed" ] && dirs+=("$seed"); done
  echo "fuzz $name: ${seconds}s, max_len $max_len"
  if ! "$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dirs[@]}" \
       >"$work/log" 2>&1; then
    tail -n 40 "$work/log"
    artifact=$(ls -t "$work/artifacts"/* 2>/dev/null | head -n 1 || true)
    echo
    echo "fuzz $name: CRASH. Log: $work/log"
    if [ -n "$artifact" ]; then
      echo "  reproducer: $artifact"
      echo "  replay:     $binary $artifact"
      echo "  keep it:    cp $artifact fuzz/regressions/$name/  (after fixing the code under test)"
    fi
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^Done ' "$work/log" | tr '\n' ' ' | sed 's/^/  /'; echo
  ran=$((ran + 1))
done <"$manifest"
if [ "$ran" -eq 0 ]; then
  echo "error: no fuzz target matched FUZZ_TARGETS='$only'" >&2; exit 2
fi
echo "fuzz: $ran targets, no crash"
