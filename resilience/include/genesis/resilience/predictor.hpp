// predictor: per (endpoint, operation) latency/outcome windows turned into a success probability,
// an attempt count and latency percentiles.
#pragma once

#include "genesis/core/clock.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace genesis::resilience {

/// Latency estimates over a key's window (nearest-rank percentiles over all samples).
struct latency_percentiles {
    nanos p50{0};
    nanos p95{0};
    nanos p99{0};
    std::size_t samples = 0;
};

/// Window settings.
struct predictor_options {
    /// Samples kept per key (the last N latencies and outcomes).
    std::size_t window = 100;
};

/// Predicts how likely a call to (endpoint, operation) succeeds, from its last `window` samples.
/// Thread-safe (one mutex; every call is O(1) except percentiles(), which sorts at most once per change).
///
/// success_probability(), with n samples, avg their mean latency (successes and failures alike),
/// s the successes among them:
///   n == 0                      -> 0.5
///   base = avg < 50 ms -> 0.99, < 100 ms -> 0.95, < 200 ms -> 0.85, < 500 ms -> 0.65, < 1 s -> 0.4, else 0.2
///   if n >= 5 and latency[last] - latency[5th-last] > 100 ms (rising):
///          base = max(0.1, 0.9 - 2 * avg_seconds)
///   p = base * (s / n)          -- outcome scaling: fast failures must not look healthy
/// attempts_for(p): p < 0.4 -> 3, p < 0.7 -> 2, else 1.
class predictor {
public:
    /// One recorded call.
    struct sample {
        nanos latency{0};
        bool ok = false;
    };

    /// One key's window, oldest sample first (predictor::windows / load: carried across restarts).
    struct window {
        std::string endpoint;
        std::string operation;
        std::vector<sample> samples;
    };

private:
    struct series;
    struct key_hash {
        using is_transparent = void;
        std::size_t operator()(const std::pair<std::string, std::string>& k) const noexcept {
            return (*this)(std::pair<std::string_view, std::string_view>(k.first, k.second));
        }
        std::size_t operator()(std::pair<std::string_view, std::string_view> k) const noexcept {
            const std::size_t a = std::hash<std::string_view>{}(k.first);
            return a ^ (std::hash<std::string_view>{}(k.second) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
        }
    };
    struct key_equal {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return std::string_view(a.first) == std::string_view(b.first) &&
                   std::string_view(a.second) == std::string_view(b.second);
        }
    };

    predictor_options options_;
    mutable std::mutex mutex_;
    std::unordered_map<std::pair<std::string, std::string>, std::unique_ptr<series>, key_hash, key_equal> series_;

    series* find_locked(std::string_view endpoint, std::string_view operation) const;

public:
    explicit predictor(predictor_options options = {});
    ~predictor();
    predictor(const predictor&) = delete;
    predictor& operator=(const predictor&) = delete;

    /// Adds one call's latency and outcome to the key's window (the oldest sample drops out).
    void record(std::string_view endpoint, std::string_view operation, nanos latency, bool ok);
    /// Probability in [0, 1] that the next call succeeds (formula in the class comment).
    [[nodiscard]] double success_probability(std::string_view endpoint, std::string_view operation) const;
    /// attempts_for(success_probability(endpoint, operation)).
    [[nodiscard]] unsigned attempts(std::string_view endpoint, std::string_view operation) const;
    /// p50/p95/p99 of the key's window; nullopt without samples.
    [[nodiscard]] std::optional<latency_percentiles> percentiles(std::string_view endpoint,
                                                                 std::string_view operation) const;
    /// Samples currently in the key's window.
    [[nodiscard]] std::size_t samples(std::string_view endpoint, std::string_view operation) const;

    /// Every key's window, sorted by (endpoint, operation).
    [[nodiscard]] std::vector<window> windows() const;
    /// Records each window's samples, oldest first, after what the key already holds (only the
    /// newest `window` samples stay, as with record()).
    void load(const std::vector<window>& windows);

    /// The attempt mapping: p < 0.4 -> 3, p < 0.7 -> 2, else 1.
    [[nodiscard]] static constexpr unsigned attempts_for(double p) noexcept { return p < 0.4 ? 3 : p < 0.7 ? 2 : 1; }
    /// The latency band alone: avg < 50 ms 0.99, < 100 ms 0.95, < 200 ms 0.85, < 500 ms 0.65, < 1 s 0.4, else 0.2.
    [[nodiscard]] static double latency_band(nanos avg) noexcept;
};

} // namespace genesis::resilience
