#include "genesis/sim/server/rate_limiter.hpp"

namespace genesis::sim::server {

namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t minute_ns = 60 * ns_per_s;
constexpr std::int64_t ten_s_ns = 10 * ns_per_s;
constexpr std::int64_t day_ns = 86'400 * ns_per_s;

// Seconds to wait, rounded up, at least 1.
std::int64_t seconds_until(std::int64_t now_ns, std::int64_t until_ns) {
    const std::int64_t d = until_ns - now_ns;
    return d <= 0 ? 1 : (d + ns_per_s - 1) / ns_per_s;
}

} // namespace

rate_decision rate_limiter::peek(const std::string& key, time_point now) const {
    rate_decision d;
    auto it = clients_.find(key);
    if (it == clients_.end())
        return d;
    const client& c = it->second;
    d.used_weight_1m = c.minute == now.ns / minute_ns ? c.weight : 0;
    d.order_count_10s = c.ten_s == now.ns / ten_s_ns ? c.orders_10s : 0;
    d.order_count_1d = c.day == now.ns / day_ns ? c.orders_1d : 0;
    return d;
}

rate_decision rate_limiter::check(const std::string& key, std::int64_t weight, bool is_order, time_point now) {
    rate_decision d;
    const std::int64_t t = now.ns;
    // Forget idle clients now and then so that per-connection keys do not pile up.
    if (clients_.size() > 10'000)
        std::erase_if(clients_, [t](const auto& kv) {
            const client& x = kv.second;
            return x.minute != t / minute_ns && x.banned_until_ns <= t && x.backoff_until_ns <= t &&
                   (x.day != t / day_ns || x.orders_1d == 0);
        });
    client& c = clients_[key];
    // Fixed windows, aligned like Binance's (the minute, the 10 seconds, the UTC day).
    if (c.minute != t / minute_ns) {
        c.minute = t / minute_ns;
        c.weight = 0;
    }
    if (c.ten_s != t / ten_s_ns) {
        c.ten_s = t / ten_s_ns;
        c.orders_10s = 0;
    }
    if (c.day != t / day_ns) {
        c.day = t / day_ns;
        c.orders_1d = 0;
    }
    auto fill_counts = [&] {
        d.used_weight_1m = c.weight;
        d.order_count_10s = c.orders_10s;
        d.order_count_1d = c.orders_1d;
    };
    if (!cfg_.enabled) {
        c.weight += weight;
        if (is_order) {
            ++c.orders_10s;
            ++c.orders_1d;
        }
        fill_counts();
        ++stats_.allowed;
        return d;
    }
    if (c.banned_until_ns > t) {
        d.v = rate_decision::verdict::banned;
        d.retry_after_s = seconds_until(t, c.banned_until_ns);
        fill_counts();
        ++stats_.rejected_418;
        return d;
    }
    // Going on while told to back off: enough of that and the client is banned.
    if (c.backoff_until_ns > t) {
        if (++c.violations >= cfg_.ban_after_violations) {
            c.banned_until_ns = t + std::chrono::duration_cast<std::chrono::nanoseconds>(cfg_.ban_duration).count();
            c.violations = 0;
            c.backoff_until_ns = 0;
            d.v = rate_decision::verdict::banned;
            d.retry_after_s = seconds_until(t, c.banned_until_ns);
            fill_counts();
            ++stats_.bans;
            ++stats_.rejected_418;
            return d;
        }
    } else {
        c.violations = 0;
    }
    if (c.weight + weight > cfg_.weight_per_minute) {
        c.backoff_until_ns = (c.minute + 1) * minute_ns;
        d.v = rate_decision::verdict::too_many_weight;
        d.retry_after_s = seconds_until(t, c.backoff_until_ns);
        fill_counts();
        ++stats_.rejected_429;
        return d;
    }
    c.weight += weight;
    if (is_order) {
        if (c.orders_10s + 1 > cfg_.orders_per_10s || c.orders_1d + 1 > cfg_.orders_per_day) {
            const bool day = c.orders_1d + 1 > cfg_.orders_per_day;
            c.backoff_until_ns = day ? (c.day + 1) * day_ns : (c.ten_s + 1) * ten_s_ns;
            d.v = rate_decision::verdict::too_many_orders;
            d.retry_after_s = seconds_until(t, c.backoff_until_ns);
            fill_counts();
            ++stats_.rejected_429;
            return d;
        }
        ++c.orders_10s;
        ++c.orders_1d;
    }
    fill_counts();
    ++stats_.allowed;
    return d;
}

} // namespace genesis::sim::server
