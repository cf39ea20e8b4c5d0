#!/usr/bin/env bash
# Builds and runs the full resilience benchmark (issue 8); results go to bench/results/.
# Usage: bench/resilience/run.sh [--quick] [--scale X] [--seed N] [--only SCENARIO]
# Installs its Debian packages first when missing (gnuplot-nox draws the plots).
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(gnuplot-nox)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
fi
scripts/deps.sh

# The README's build (preset default, RelWithDebInfo, benchmarks on) unless told otherwise.
build=${GENESIS_BENCH_BUILD:-build/default}
if [ "$build" = build/default ]; then
  cmake --preset default >/dev/null
else
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGENESIS_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target genesis-resilience-bench

mkdir -p bench/results
"$build/bench/genesis-resilience-bench" --out bench/results "$@" 2>&1 | tee bench/results/resilience-run.log
