#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`, clang) and runs each for a bounded time on a copy
# of its seed corpus in build/fuzz/corpus (the repo is never written). Fails when any target
# finds a crash, a leak, a timeout or runs out of memory, and prints the reproducer's path.
# Usage: scripts/fuzz.sh [target...]   (FUZZ_SECONDS: seconds per target, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

seconds=${FUZZ_SECONDS:-20}
build=build/fuzz

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

# Every target unless some are named.
declare -A wanted=()
for t in "$@"; do
  wanted[$t]=1
done

failed=()
while read -r name exe || [ -n "${name:-}" ]; do
  [ -n "$name" ] || continue
  if [ $# -gt 0 ] && [ -z "${wanted[$name]:-}" ]; then
    continue
  fi
  # Seeds are copied, never overwritten: what earlier runs found stays in the build dir.
  corpus=$build/corpus/$name
  artifacts=$build/artifacts/$name
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  cp -n tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
  log=$build/artifacts/$name.log

  echo "-- $name (${seconds} s)"
  rc=0
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || rc=$?
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [ "$rc" -ne 0 ]; then
    echo "!! $name failed (exit $rc); log: $log" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed|.*runtime error)' "$log" >&2 || true
    for f in "$artifacts"/*; do
      [ -f "$f" ] && echo "!! reproducer: $f   (rerun: $exe $f)" >&2
    done
    failed+=("$name")
  fi
done < "$build/fuzz_targets.txt"

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing: no crash"
