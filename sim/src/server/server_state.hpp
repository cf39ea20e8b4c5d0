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
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

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
    std::uint64_t ws_slow_consumer_drops = 0; ///< sessions dropped at max_queued_frames
    std::uint64_t pong_timeouts = 0;
    std::uint64_t lifetime_closes = 0;
    std::uint64_t acks_dropped = 0; ///< lost_ack: order processed, answer lost
    std::uint64_t orders_via_rest = 0;
    std::uint64_t orders_via_ws_api = 0;
    std::uint64_t open_connections = 0;               ///< TLS connections open now (REST and WebSocket)
    std::uint64_t stalled_now = 0;                    ///< REST connections held by stall / lost_ack (status 0) now
    std::uint64_t stall_timeouts = 0;                 ///< stalled connections closed by the server after stall_timeout
    std::uint64_t stall_peer_closes = 0;              ///< stalled connections the client closed
    std::uint64_t ws_incoming_limit_closes = 0;       ///< stream connections over max_incoming_per_second
    std::uint64_t ws_connection_attempts_refused = 0; ///< upgrades over max_connection_attempts (429)
    std::uint64_t listen_keys_expired = 0;            ///< listenKeys that ran out without a keepalive
    std::uint64_t listen_key_expired_events = 0;      ///< listenKeyExpired events sent to open streams
};

/// What changed, for the sessions that watch the state (see server_state::watch).
enum class state_change : std::uint8_t { faults, listen_keys };

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
    /// Stream connection attempts per IP, oldest first (max_connection_attempts).
    std::map<std::string, std::deque<time_point>> ws_attempts;
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

    /// Replaces the fault rules (and the clock skew); open connections re-read them.
    void set_faults(fault_config f) {
        clk.set_skew(f.clock_skew);
        faults.set(std::move(f));
        notify(state_change::faults);
    }

    /// Calls f on every change until unwatch(id) (open WebSocket sessions: ws_disconnect rules
    /// and listenKey keepalives apply to them at once, not at their next connect).
    std::uint64_t watch(std::function<void(state_change)> f) {
        const std::uint64_t id = next_watcher_++;
        watchers_.emplace(id, std::move(f));
        return id;
    }
    void unwatch(std::uint64_t id) { watchers_.erase(id); }
    void notify(state_change c) {
        std::vector<std::uint64_t> ids; // a watcher may unwatch while others run
        ids.reserve(watchers_.size());
        for (const auto& [id, f] : watchers_)
            ids.push_back(id);
        for (std::uint64_t id : ids)
            if (auto it = watchers_.find(id); it != watchers_.end())
                it->second(c);
    }

private:
    std::uint64_t next_watcher_ = 1;
    std::map<std::uint64_t, std::function<void(state_change)>> watchers_;
};

} // namespace genesis::sim::server
