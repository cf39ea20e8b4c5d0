// genesis-sim's TOML configuration, parsed with genesis::config's loader. Every key is optional
// (defaults below); unknown keys and sections are errors. Durations are integer milliseconds.
//
//   [server]
//   host = "127.0.0.1"            # loopback only
//   rest_listeners = 1            # REST listeners "rest0".."restN-1" (hedging, per-listener faults)
//   rest_port = 0                 # first REST port, the others follow; 0: ephemeral
//   stream_port = 0               # WebSocket streams listener ("streams")
//   ws_api_port = 0               # WebSocket API listener ("wsapi")
//   control_port = 0              # plain-HTTP control endpoint (/sim/faults, /sim/stats)
//   control = true
//   ca_file = ""                  # CA PEM written here; "": <tmp>/genesis-sim-<pid>-<n>/ca.pem
//   handshake_timeout_ms = 10000
//   read_timeout_ms = 30000       # idle keep-alive / slow request limit
//   max_body_bytes = 1048576
//   stall_timeout_ms = 60000      # stalled / ack-dropped REST connections are closed after this
//   agents = true                 # background market on a timer
//   agent_interval_ms = 50
//   depth_fast_interval_ms = 100  # @depth@100ms windows
//   depth_slow_interval_ms = 1000 # @depth windows
//
//   [websocket]
//   ping_interval_ms = 20000
//   pong_timeout_ms = 60000
//   connection_lifetime_ms = 86400000
//   max_streams = 1024
//   max_queued_frames = 10000     # slow-consumer limit
//   coalesce_writes = true        # queued frames share one TLS write
//
//   [rate_limits]
//   enabled = true
//   weight_per_minute = 6000
//   orders_per_10s = 50
//   orders_per_day = 160000
//   ban_after_violations = 2      # requests sent while told to back off (429) before a 418 ban
//   ban_duration_ms = 120000
//   key = "ip"                    # or "connection"
//
//   [faults]
//   seed = 1
//   clock_skew_ms = 0
//   [faults.rules.NAME]           # one table per rule; see faults.hpp for the meaning
//   kind = "latency"              # latency, http_error, lost_ack, reset, stall, ws_disconnect,
//                                 # depth_gap, duplicate, reorder, malformed, truncated
//   listener = ""                 # "rest0", "streams", "wsapi", ... ("": any)
//   target = ""                   # path, WS-API method, stream or event type; "x*" is a prefix
//   method = ""                   # HTTP method ("": any)
//   probability = 1.0
//   latency_ms = 0                # fixed, or latency_min_ms / latency_max_ms for a uniform range
//   status = 503                  # http_error / lost_ack (lost_ack 0: never answer)
//   interval_ms = 0               # ws_disconnect period
//   max_count = 0                 # 0: unlimited
//
//   [exchange]
//   agents_seed = 42
//   agents_markets = true         # false: no background agents at all
//   max_open_orders = 200
//   report_rejections = false
//   ed25519_test_account = true   # adds "sim-test-ed25519-api-key" for session.logon
//   agents_max_actions_per_advance = 10000
//   [exchange.markets.SYMBOL]     # filters and agents of a market (a new name adds one)
//   base = "SOL"                  # new markets: base, quote (and start_mid for agents)
//   quote = "USDT"
//   tick_size = "0.01"            # also min_price, max_price, step_size, min_qty, max_qty,
//                                 # min_notional, max_notional (decimal strings)
//   agents = true
//   start_mid = "150"
//   orders_per_second = 5.0       # also volatility, levels, spread_ticks, min_qty_steps,
//                                 # max_qty_steps, cancel_probability, take_probability,
//                                 # max_open_orders
#pragma once

#include "genesis/config/error.hpp"
#include "genesis/config/loader.hpp"
#include "genesis/sim/exchange.hpp"
#include "genesis/sim/server/server_config.hpp"

#include <filesystem>
#include <vector>

namespace genesis::sim::server {

/// Everything genesis-sim reads from its file.
struct sim_settings {
    server_config server = default_server_config();
    exchange_config exchange = default_config();
    bool ed25519_test_account = true; ///< add the Ed25519 test account (session.logon)
};

/// Registers the sim's sections on a loader, writing into out.
void register_sim_sections(config::loader& l, sim_settings& out);

/// Loads a file into out; returns every error (empty: success).
[[nodiscard]] std::vector<config::diagnostic> load_sim_config(const std::filesystem::path& file, sim_settings& out);

} // namespace genesis::sim::server
