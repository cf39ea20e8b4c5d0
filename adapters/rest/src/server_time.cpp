#include "genesis/rest/server_time.hpp"

#include <algorithm>
#include <vector>

namespace genesis::rest {

namespace {

std::chrono::milliseconds clamp_window(std::chrono::milliseconds w) {
    return std::clamp(w, std::chrono::milliseconds{1}, std::chrono::milliseconds{60'000});
}

} // namespace

server_time::server_time(const clock& clk, server_time_options options) : clock_(clk), options_(options) {
    options_.samples = std::max<std::size_t>(options_.samples, 1);
    options_.recv_window = clamp_window(options_.recv_window);
}

bool server_time::add_sample(time_point sent_wall, time_point received_wall, std::int64_t server_ms) {
    if (received_wall < sent_wall)
        return false;
    const nanos rtt = received_wall - sent_wall;
    // The venue stamped its answer about halfway through the round trip.
    const std::int64_t mid_ns = sent_wall.ns + rtt.count() / 2;
    const nanos offset{server_ms * 1'000'000 - mid_ns};
    std::lock_guard lock(mutex_);
    offsets_.push_back(offset);
    while (offsets_.size() > options_.samples)
        offsets_.pop_front();
    last_rtt_ = rtt;
    stale_ = false;
    return true;
}

void server_time::mark_stale() {
    std::lock_guard lock(mutex_);
    offsets_.clear();
    stale_ = true;
}

bool server_time::synced() const {
    std::lock_guard lock(mutex_);
    return !stale_ && !offsets_.empty();
}

nanos server_time::offset() const {
    std::lock_guard lock(mutex_);
    if (offsets_.empty())
        return nanos{0};
    std::vector<nanos> v(offsets_.begin(), offsets_.end());
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    if (v.size() % 2 == 1)
        return *mid;
    // Even count: the mean of the two middle values.
    const nanos upper = *mid;
    const nanos lower = *std::max_element(v.begin(), mid);
    return lower + (upper - lower) / 2;
}

nanos server_time::last_rtt() const {
    std::lock_guard lock(mutex_);
    return last_rtt_;
}

std::size_t server_time::sample_count() const {
    std::lock_guard lock(mutex_);
    return offsets_.size();
}

std::int64_t server_time::timestamp_ms() const {
    const nanos off = offset();
    const std::int64_t ns = clock_.wall().ns + off.count();
    // Floor division: a timestamp must never run ahead of the venue's clock.
    return ns >= 0 ? ns / 1'000'000 : -((-ns + 999'999) / 1'000'000);
}

std::chrono::milliseconds server_time::recv_window() const {
    std::lock_guard lock(mutex_);
    return options_.recv_window;
}

void server_time::set_recv_window(std::chrono::milliseconds w) {
    std::lock_guard lock(mutex_);
    options_.recv_window = clamp_window(w);
}

} // namespace genesis::rest
