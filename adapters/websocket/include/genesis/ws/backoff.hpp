// Exponential backoff with full jitter (AWS "Exponential Backoff And Jitter"): the n-th delay is
// uniform in [0, min(max, initial * multiplier^n)]. Deterministic for a given seed.
#pragma once

#include "genesis/core/clock.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

namespace genesis::ws {

/// Shape of the backoff curve.
struct backoff_policy {
    nanos initial{std::chrono::milliseconds(100)}; ///< ceiling of the first delay
    nanos max{std::chrono::seconds(30)};           ///< ceiling never exceeds this
    double multiplier = 2.0;                       ///< ceiling growth per attempt (>= 1)
};

/// Draws reconnect delays. Not thread-safe: one per session, used on its strand.
class backoff {
public:
    /// A source of uniformly distributed 64-bit values (tests inject fixed ones).
    using random_source = std::function<std::uint64_t()>;

private:
    backoff_policy policy_;
    std::mt19937_64 engine_;
    random_source random_;
    unsigned attempt_ = 0;

public:
    /// Seeded std::mt19937_64: the same seed gives the same delays.
    backoff(backoff_policy policy, std::uint64_t seed);
    /// Delays from an injected random source.
    backoff(backoff_policy policy, random_source random);

    /// The ceiling of the next delay: min(max, initial * multiplier^attempts()).
    [[nodiscard]] nanos ceiling() const noexcept;
    /// A delay uniform in [0, ceiling()], then one more attempt.
    [[nodiscard]] nanos next();
    /// Back to the first attempt (after a connection proved healthy).
    void reset() noexcept { attempt_ = 0; }
    /// Delays drawn since the last reset.
    [[nodiscard]] unsigned attempts() const noexcept { return attempt_; }
    [[nodiscard]] const backoff_policy& policy() const noexcept { return policy_; }
};

} // namespace genesis::ws
