#!/usr/bin/env bash
# The README's test command: installs what is missing, configures, builds incrementally and runs
# the whole default test suite (unit and integration) with ctest.
# Usage: scripts/test.sh [ctest arguments...]   (under CI=true the build treats warnings as errors)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

preset=default
if [ "${CI:-}" = "true" ]; then
  preset=ci
fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
ctest --preset "$preset" -j "$(nproc)" "$@"
