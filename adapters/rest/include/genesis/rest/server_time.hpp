// The venue's clock as seen from here: offset = server time - local wall time, the median of the
// last samples of GET /api/v3/time (each corrected by half its round trip), and the timestamps
// and recvWindow of signed requests.
#pragma once

#include "genesis/core/clock.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>

namespace genesis::rest {

/// Server-time settings.
struct server_time_options {
    /// Samples kept; the offset is their median.
    std::size_t samples = 5;
    /// recvWindow sent with signed requests (Binance: default 5000 ms, max 60000 ms).
    std::chrono::milliseconds recv_window{5000};
};

/// Thread-safe (one mutex).
class server_time {
    const clock& clock_;
    server_time_options options_;
    mutable std::mutex mutex_;
    std::deque<nanos> offsets_;
    nanos last_rtt_{0};
    bool stale_ = true;

public:
    explicit server_time(const clock& clk, server_time_options options = {});

    /// One round trip: local wall time when the request left and when the answer arrived, and
    /// the venue's serverTime (ms). The venue read its clock about halfway: offset =
    /// server - (sent + received) / 2. A sample whose received < sent is ignored (returns false).
    bool add_sample(time_point sent_wall, time_point received_wall, std::int64_t server_ms);
    /// Forgets every sample (after a -1021): the next signed request resyncs first.
    void mark_stale();

    /// True once a sample arrived since construction or the last mark_stale().
    [[nodiscard]] bool synced() const;
    /// Median offset of the kept samples (0 without samples).
    [[nodiscard]] nanos offset() const;
    /// Round trip of the last sample.
    [[nodiscard]] nanos last_rtt() const;
    [[nodiscard]] std::size_t sample_count() const;
    /// The venue's current time in ms: local wall clock + offset (the signed "timestamp").
    [[nodiscard]] std::int64_t timestamp_ms() const;

    /// recvWindow in ms (clamped to 1..60000).
    [[nodiscard]] std::chrono::milliseconds recv_window() const;
    void set_recv_window(std::chrono::milliseconds w);
};

} // namespace genesis::rest
