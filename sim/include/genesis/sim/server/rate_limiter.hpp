// Binance-style rate limits for genesis-sim: request weight per minute and order counts per
// 10 s and per day in fixed windows, per client key (IP or connection); 429 with Retry-After
// when a limit is hit, 418 and a ban for a client that goes on after being told to back off.
// Pure: time is passed in. Thread-compatible.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/sim/server/server_config.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace genesis::sim::server {

/// The verdict on one request.
struct rate_decision {
    enum class verdict : std::uint8_t { allowed, too_many_weight, too_many_orders, banned };
    verdict v = verdict::allowed;
    std::int64_t used_weight_1m = 0;  ///< X-MBX-USED-WEIGHT-1M after this request
    std::int64_t order_count_10s = 0; ///< X-MBX-ORDER-COUNT-10S (orders only)
    std::int64_t order_count_1d = 0;  ///< X-MBX-ORDER-COUNT-1D
    std::int64_t retry_after_s = 0;   ///< Retry-After for 429 / 418
    std::int64_t http_status() const noexcept { return v == verdict::allowed ? 200 : v == verdict::banned ? 418 : 429; }
};

/// Counters of every decision, for /sim/stats.
struct rate_stats {
    std::uint64_t allowed = 0;
    std::uint64_t rejected_429 = 0;
    std::uint64_t rejected_418 = 0;
    std::uint64_t bans = 0;
};

class rate_limiter {
    struct client {
        std::int64_t minute = -1; // window index of weight
        std::int64_t weight = 0;
        std::int64_t ten_s = -1;
        std::int64_t orders_10s = 0;
        std::int64_t day = -1;
        std::int64_t orders_1d = 0;
        std::int64_t backoff_until_ns = 0; // told to back off (429) until then
        std::int64_t violations = 0;       // requests while backing off
        std::int64_t banned_until_ns = 0;
    };
    rate_limit_config cfg_;
    std::unordered_map<std::string, client> clients_;
    rate_stats stats_;

public:
    explicit rate_limiter(rate_limit_config cfg = {}) : cfg_(std::move(cfg)) {}

    const rate_limit_config& config() const noexcept { return cfg_; }

    /// Accounts a request of `weight` (and one order when is_order) by `key` at wall time now.
    rate_decision check(const std::string& key, std::int64_t weight, bool is_order, time_point now);
    /// The current used weight of key in the current minute (for WS-API rateLimits).
    rate_decision peek(const std::string& key, time_point now) const;

    const rate_stats& stats() const noexcept { return stats_; }
};

} // namespace genesis::sim::server
