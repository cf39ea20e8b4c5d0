#!/usr/bin/env bash
# The README's run command: installs what is missing, builds the gateway, genesis-sim and the sample
# strategies (incrementally), and runs the gateway. With the default config (mode "sim") the gateway
# starts genesis-sim on loopback itself and trades against it with the sample market maker;
# Ctrl-C stops both cleanly (open orders cancelled, final checkpoint written).
# Usage: scripts/run.sh [CONFIG]   (default config/sim.toml; other examples in config/)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)" --target genesis-gateway
exec build/default/gateway/genesis-gateway run --config "${1:-config/sim.toml}"
