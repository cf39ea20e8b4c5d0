// State shared by the server's translation units (Beast-free): configuration, the skewed clock,
// the exchange, faults, rate limits, the stream hub and counters. Confined to the I/O thread.
#pragma once

#include "genesis/sim/exchange.hpp"
#include "genesis/sim/server/faults.hpp"
#include "genesis/sim/server/rate_limiter.hpp"
#include "genesis/sim/server/server_config.hpp"

#include "stream_hub.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace genesis::sim::server {

/// The real clock plus an adjustable offset (the clock_skew fault). Thread-safe.
class skewed_clock final : public clock {
    std::atomic<std::int64_t> skew_ns_{0};

public:
    time_point now() const noexcept override { return real_clock::instance().now(); }
    time_point wall() const noexcept override {
        return real_clock::instance().wall() + nanos{skew_ns_.load(std::memory_order_relaxed)};
    }
    void set_skew(std::chrono::milliseconds s) noexcept {
        skew_ns_.store(std::chrono::duration_cast<nanos>(s).count(), std::memory_order_relaxed);
    }
};

/// Counters of the network layer, for /sim/stats.
struct net_stats {
    std::uint64_t connections = 0; ///< TLS connections accepted
    std::uint64_t tls_failures = 0;
    std::uint64_t http_requests = 0;
    std::map<int, std::uint64_t> http_status; ///< responses by status
    std::uint64_t ws_connections = 0;
    std::uint64_t ws_api_requests = 0;
    std::uint64_t ws_frames_sent = 0;
    std::uint64_t ws_frames_queued = 0;       ///< text frames handed to a session's send queue
    std::uint64_t ws_queue_max = 0;           ///< the longest send queue seen (frames)
    std::uint64_t ws_writer_buffer_waits = 0; ///< times a writer waited for the socket to take its bytes
    std::uint64_t pong_timeouts = 0;
    std::uint64_t lifetime_closes = 0;
    std::uint64_t acks_dropped = 0; ///< lost_ack: order processed, answer lost
    std::uint64_t orders_via_rest = 0;
    std::uint64_t orders_via_ws_api = 0;
    std::uint64_t open_connections = 0;  ///< TLS connections open now (REST and WebSocket)
    std::uint64_t stalled_now = 0;       ///< REST connections held by stall / lost_ack (status 0) now
    std::uint64_t stall_timeouts = 0;    ///< stalled connections closed by the server after stall_timeout
    std::uint64_t stall_peer_closes = 0; ///< stalled connections the client closed
};

/// One legacy listenKey (POST /api/v3/userDataStream).
struct listen_key_entry {
    account_id account = 0;
    time_point expires; ///< monotonic
};

struct server_state {
    server_config cfg;
    skewed_clock clk;
    exchange ex;
    fault_injector faults;
    rate_limiter limiter;
    stream_hub hub;
    net_stats stats;
    std::map<std::string, listen_key_entry> listen_keys;
    std::uint64_t next_listen_key = 1;
    std::uint64_t next_connection_id = 1;
    bool agents_enabled = true;

    server_state(server_config c, exchange_config ec)
            : cfg(std::move(c)), ex(std::move(ec), clk), faults(cfg.faults), limiter(cfg.limits), hub(*this),
              agents_enabled(cfg.agents_enabled) {
        clk.set_skew(cfg.faults.clock_skew);
        ex.subscribe(&hub);
    }
    ~server_state() { ex.unsubscribe(&hub); }
    server_state(const server_state&) = delete;
    server_state& operator=(const server_state&) = delete;

    /// Replaces the fault rules (and the clock skew).
    void set_faults(fault_config f) {
        clk.set_skew(f.clock_skew);
        faults.set(std::move(f));
    }
};

} // namespace genesis::sim::server
