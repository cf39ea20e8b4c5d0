#!/usr/bin/env bash
# End-to-end tick-to-order of the running gateway: runs genesis-gateway in mode sim (config/sim.toml,
# the sample market maker) for SECONDS, reads genesis_tick_to_order_seconds from /metrics, stops it
# with SIGINT, and prints count, mean and the p50/p90/p99 log2-bucket upper bounds.
# Usage: bench/gateway_tick_to_order.sh [SECONDS]   (env: BUILD=build/default, PORT=18089, LEVEL=info,
# PIN=1: a [threads] section with the processing thread on CPU 0 and the others on CPU 1,
# WARM=N: [venue] warm_connections = N, REST connections kept open ahead of need; default 4,
# ENTRY=rest|ws: [venue] order_entry, orders and cancels by HTTP or by WebSocket API frame;
# config/sim.toml's "ws" when unset)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
build=${BUILD:-build/default}
port=${PORT:-18089}
level=${LEVEL:-info}
bin="$PWD/$build/gateway/genesis-gateway"
[ -x "$bin" ] || { echo "no $bin: build it first (cmake --build $build --target genesis-gateway)" >&2; exit 1; }
dir=$(mktemp -d /tmp/genesis-t2o.XXXXXX)
sed -e "s/^port = 8088/port = $port/" -e "s/^level = \"info\"/level = \"$level\"/" config/sim.toml > "$dir/sim.toml"
if [ -n "${WARM:-}" ]; then
  sed -i "s/^\[venue\]$/[venue]\nwarm_connections = $WARM/" "$dir/sim.toml"
fi
if [ -n "${ENTRY:-}" ]; then
  sed -i "s/^order_entry = .*/order_entry = \"$ENTRY\"/" "$dir/sim.toml"
fi
if [ "${PIN:-0}" = 1 ]; then
  printf '\n[threads]\nprocessing = [0]\nio = [1]\ndatabase = [1]\nlog = [1]\n' >> "$dir/sim.toml"
fi
cd "$dir"
"$bin" run --config sim.toml > out.log 2>&1 &
pid=$!
sleep "$secs"
curl -sf "localhost:$port/metrics" > metrics.txt || { echo "no /metrics on port $port (see $dir/out.log)" >&2; kill -INT $pid; exit 1; }
kill -INT $pid
wait $pid || true
python3 - metrics.txt <<'PY'
import re, sys
buckets, total, count = [], 0.0, 0.0
for line in open(sys.argv[1]):
    m = re.match(r'genesis_tick_to_order_seconds_bucket\{le="([^"]+)"\} (\S+)', line)
    if m:
        buckets.append((float(m.group(1)), float(m.group(2))))
    elif line.startswith('genesis_tick_to_order_seconds_sum'):
        total = float(line.split()[1])
    elif line.startswith('genesis_tick_to_order_seconds_count'):
        count = float(line.split()[1])
if count == 0:
    sys.exit("no orders were placed")
def bound(q):
    return next(le for le, n in buckets if n >= q * count) * 1e6
print(f"orders={int(count)} mean={total / count * 1e6:.1f}us "
      f"p50<={bound(0.5):.0f}us p90<={bound(0.9):.0f}us p99<={bound(0.99):.0f}us")
PY
grep -E '^genesis_rest_connections_opened_total|^genesis_ws_order_entry_total\{kind="(placements|cancels|not_sent|unknown)"' metrics.txt | tr '\n' ' '; echo
echo "run folder: $dir"
