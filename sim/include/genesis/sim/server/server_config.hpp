// Settings of the genesis-sim network server: listeners, TLS, timeouts, WebSocket keep-alive,
// rate limits and fault injection. Beast-free; filled from defaults or the sim's TOML file.
#pragma once

#include "genesis/sim/exchange.hpp"
#include "genesis/sim/server/faults.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace genesis::sim::server {

/// Request-weight and order-count limits (Binance's exchangeInfo rateLimits) and the ban rule.
struct rate_limit_config {
    bool enabled = true;
    std::int64_t weight_per_minute = 6000; ///< REQUEST_WEIGHT per 1 MINUTE
    std::int64_t orders_per_10s = 50;      ///< ORDERS per 10 SECOND
    std::int64_t orders_per_day = 160'000; ///< ORDERS per 1 DAY
    /// Requests a client sends while it is told to back off (after a 429) before it is banned (418).
    std::int64_t ban_after_violations = 2;
    std::chrono::milliseconds ban_duration{120'000};
    /// Who a limit applies to: "ip" (Binance) or "connection" (each TCP connection on its own).
    std::string key = "ip";
};

/// WebSocket keep-alive and lifetime (Binance: ping every 20 s, pong within 1 min, 24 h).
struct ws_config {
    std::chrono::milliseconds ping_interval{20'000};
    std::chrono::milliseconds pong_timeout{60'000};
    std::chrono::milliseconds connection_lifetime{24 * 3'600'000};
    std::size_t max_streams = 1024; ///< per connection
    /// A consumer this many frames behind is dropped (slow consumer), as Binance does.
    std::size_t max_queued_frames = 10'000;
    /// Frames queued while a write is on the wire leave together in one TLS write (false: one
    /// write, and two TLS records, per frame).
    bool coalesce_writes = true;
    /// Incoming messages (text, ping and pong frames) a market or listenKey stream connection may
    /// send per second; one more and it is disconnected (Binance: 5). 0: no limit. The WS-API is
    /// limited by request weight instead.
    std::uint32_t max_incoming_per_second = 5;
    /// Stream connection attempts (/ws, /stream) per IP within connection_attempt_window; more are
    /// refused with HTTP 429 and Retry-After (Binance: 300 per 5 minutes). 0: no limit.
    std::uint32_t max_connection_attempts = 300;
    std::chrono::milliseconds connection_attempt_window{300'000};
    /// A legacy listenKey expires this long after its last keepalive (Binance: 60 minutes); an
    /// open /ws/<listenKey> connection then gets listenKeyExpired and no further events.
    std::chrono::milliseconds listen_key_lifetime{3'600'000};
};

/// One TLS listener. Every listener serves REST, streams and the WebSocket API; the name is what
/// fault rules match and the URLs tell clients which one to use for what.
struct listener_config {
    std::string name;       ///< "rest0", "rest1", "streams", "wsapi"
    std::uint16_t port = 0; ///< 0: an ephemeral port
};

/// Everything the server needs besides the exchange itself.
struct server_config {
    std::string host = "127.0.0.1";    ///< loopback only
    std::vector<listener_config> rest; ///< empty: one, "rest0", ephemeral
    listener_config streams{"streams", 0};
    listener_config ws_api{"wsapi", 0};
    /// Plain-HTTP control endpoint (/sim/faults, /sim/stats) on loopback.
    std::uint16_t control_port = 0;
    bool control_enabled = true;
    /// Where the CA certificate (PEM) is written; empty: <temp dir>/genesis-sim-<pid>/ca.pem.
    std::string ca_file;

    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds read_timeout{30'000}; ///< an idle or slow HTTP client is dropped
    std::size_t max_body_bytes = 1 << 20;
    /// A connection held by the stall fault (or lost_ack with status 0) is closed after this, or
    /// as soon as the client closes it.
    std::chrono::milliseconds stall_timeout{60'000};

    /// Agents run on a timer every agent_interval (exchange::advance_to(now)).
    bool agents_enabled = true;
    std::chrono::milliseconds agent_interval{50};

    std::chrono::milliseconds depth_fast_interval{100};  ///< @depth@100ms, @depthN@100ms
    std::chrono::milliseconds depth_slow_interval{1000}; ///< @depth, @depthN

    rate_limit_config limits;
    ws_config ws;
    fault_config faults;
};

/// The defaults plus the given number of REST listeners ("rest0", "rest1", ...), every port 0.
server_config default_server_config(std::size_t rest_listeners = 1);

} // namespace genesis::sim::server
