#include "genesis/rest/rate_limiter.hpp"

#include "genesis/rest/http_error.hpp"

#include <algorithm>
#include <cmath>

namespace genesis::rest {

rate_limiter::rate_limiter(const clock& clk, rate_limit_options options) noexcept : clock_(clk), options_(options) {
    if (options_.window.count() <= 0)
        options_.window = std::chrono::minutes{1};
}

std::int64_t rate_limiter::threshold_locked() const noexcept {
    if (options_.weight_limit <= 0)
        return 0;
    const double f = std::clamp(options_.throttle_fraction, 0.0, 1.0);
    return static_cast<std::int64_t>(std::floor(static_cast<double>(options_.weight_limit) * f));
}

std::int64_t rate_limiter::venue_ns_locked() const noexcept { return clock_.wall().ns + venue_offset_.count(); }

void rate_limiter::roll_locked() noexcept {
    const std::int64_t idx = venue_ns_locked() / options_.window.count();
    if (idx != window_index_) {
        window_index_ = idx;
        used_ = 0;
    }
}

nanos rate_limiter::until_roll_locked() const noexcept {
    const std::int64_t w = options_.window.count();
    const std::int64_t t = venue_ns_locked();
    return nanos{(t / w + 1) * w - t};
}

admission rate_limiter::verdict_locked(std::int64_t weight) const noexcept {
    const time_point now = clock_.now();
    // A 429/418 pause stops every request of the venue: sending on would turn a 429 into a ban.
    if (now < paused_until_)
        return {false, paused_until_ - now, banned_ ? http_errc::banned : http_errc::paused};
    const std::int64_t limit = threshold_locked();
    if (limit > 0) {
        if (weight > limit)
            return {false, nanos{0}, http_errc::weight_over_limit};
        // Hold back before the venue's limit: the rest of the window is left for other users of the IP.
        if (used_ + weight > limit)
            return {false, until_roll_locked(), http_errc::throttled};
    }
    return {true, nanos{0}, {}, {window_index_, -1}};
}

admission rate_limiter::try_acquire(std::int64_t weight) {
    std::lock_guard lock(mutex_);
    roll_locked();
    const admission a = verdict_locked(weight);
    if (!a.admitted) {
        ++(a.reason == http_errc::paused || a.reason == http_errc::banned ? stats_.paused : stats_.throttled);
        return a;
    }
    used_ += weight;
    ++stats_.admitted;
    return a;
}

admission rate_limiter::check(std::int64_t weight, bool count) {
    std::lock_guard lock(mutex_);
    roll_locked();
    const admission a = verdict_locked(weight);
    if (!a.admitted && count)
        ++(a.reason == http_errc::paused || a.reason == http_errc::banned ? stats_.paused : stats_.throttled);
    return a;
}

void rate_limiter::on_response(unsigned status, std::optional<std::int64_t> used_weight,
                               std::optional<nanos> retry_after) {
    std::lock_guard lock(mutex_);
    roll_locked();
    // The venue counts every request of the IP (other processes too): take its count when higher.
    if (used_weight)
        used_ = std::max(used_, *used_weight);
    if (status != 429 && status != 418)
        return;
    const time_point now = clock_.now();
    nanos pause{0};
    if (status == 429) {
        ++stats_.responses_429;
        pause = retry_after ? *retry_after : std::max(until_roll_locked(), options_.min_pause);
    } else {
        ++stats_.responses_418;
        pause = retry_after ? *retry_after : options_.default_ban;
    }
    if (now >= paused_until_)
        banned_ = false;
    banned_ = banned_ || status == 418;
    paused_until_ = std::max(paused_until_, now + pause);
}

void rate_limiter::refund(std::int64_t weight, const admission& held) noexcept {
    if (held.admitted)
        refund_window(weight, held.windows[0]);
}

void rate_limiter::refund_window(std::int64_t weight, std::int64_t window) noexcept {
    std::lock_guard lock(mutex_);
    roll_locked();
    if (window == window_index_ || assigned_window_ == window_index_)
        used_ = std::max<std::int64_t>(used_ - weight, 0);
}

void rate_limiter::assign_used(std::int64_t used) noexcept {
    std::lock_guard lock(mutex_);
    roll_locked();
    used_ = std::max<std::int64_t>(used, 0);
    assigned_window_ = window_index_;
}

void rate_limiter::set_weight_limit(std::int64_t limit) noexcept {
    std::lock_guard lock(mutex_);
    options_.weight_limit = limit;
}

void rate_limiter::set_venue_offset(nanos offset) noexcept {
    std::lock_guard lock(mutex_);
    venue_offset_ = offset;
}

std::int64_t rate_limiter::used() const {
    std::lock_guard lock(mutex_);
    const std::int64_t idx = venue_ns_locked() / options_.window.count();
    return idx == window_index_ ? used_ : 0;
}

std::int64_t rate_limiter::weight_limit() const {
    std::lock_guard lock(mutex_);
    return options_.weight_limit;
}

std::int64_t rate_limiter::threshold() const {
    std::lock_guard lock(mutex_);
    return threshold_locked();
}

time_point rate_limiter::paused_until() const {
    std::lock_guard lock(mutex_);
    return paused_until_;
}

bool rate_limiter::paused() const {
    std::lock_guard lock(mutex_);
    return clock_.now() < paused_until_;
}

bool rate_limiter::banned() const {
    std::lock_guard lock(mutex_);
    return clock_.now() < paused_until_ && banned_;
}

rate_limiter_stats rate_limiter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

order_count_limiter::order_count_limiter(const clock& clk, rate_limit_options ten_s, rate_limit_options day) noexcept
        : ten_s_(clk, ten_s), day_(clk, day) {}

admission order_count_limiter::try_acquire() {
    // Counted in both or in neither.
    const admission day = day_.try_acquire(1);
    if (!day.admitted)
        return day;
    admission a = ten_s_.try_acquire(1);
    if (!a.admitted) {
        day_.refund(1, day);
        return a;
    }
    a.windows[1] = day.windows[0];
    std::lock_guard lock(mutex_);
    ++in_flight_;
    return a;
}

void order_count_limiter::refund(const admission& held) noexcept {
    if (!held.admitted)
        return;
    ten_s_.refund_window(1, held.windows[0]);
    day_.refund_window(1, held.windows[1]);
    settle();
}

void order_count_limiter::settle() noexcept {
    std::lock_guard lock(mutex_);
    in_flight_ = std::max<std::int64_t>(in_flight_ - 1, 0);
}

void order_count_limiter::on_counts(std::optional<std::int64_t> ten_s, std::optional<std::int64_t> day) {
    if (!ten_s && !day)
        return;
    std::lock_guard lock(mutex_);
    if (ten_s)
        ten_s_.assign_used(*ten_s + in_flight_);
    if (day)
        day_.assign_used(*day + in_flight_);
}

std::int64_t order_count_limiter::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
}

void order_count_limiter::set_limits(std::optional<std::int64_t> ten_s, std::optional<std::int64_t> day) noexcept {
    if (ten_s && *ten_s > 0)
        ten_s_.set_weight_limit(*ten_s);
    if (day && *day > 0)
        day_.set_weight_limit(*day);
}

void order_count_limiter::set_venue_offset(nanos offset) noexcept {
    ten_s_.set_venue_offset(offset);
    day_.set_venue_offset(offset);
}

} // namespace genesis::rest
