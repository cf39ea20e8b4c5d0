#include "genesis/ws/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace genesis::ws {

backoff::backoff(backoff_policy policy, std::uint64_t seed) : policy_(policy), engine_(seed) {}

backoff::backoff(backoff_policy policy, random_source random) : policy_(policy), random_(std::move(random)) {}

nanos backoff::ceiling() const noexcept {
    const double initial = static_cast<double>(std::max<std::int64_t>(policy_.initial.count(), 0));
    const double cap = static_cast<double>(std::max<std::int64_t>(policy_.max.count(), 0));
    const double mult = std::max(policy_.multiplier, 1.0);
    // Compute in double and clamp, so a long outage cannot overflow the exponent.
    const double c = std::min(cap, initial * std::pow(mult, static_cast<double>(std::min(attempt_, 1000u))));
    return nanos{static_cast<std::int64_t>(c)};
}

nanos backoff::next() {
    const auto c = static_cast<std::uint64_t>(ceiling().count());
    ++attempt_;
    if (c == 0)
        return nanos{0};
    // Full jitter: uniform in [0, ceiling]. The modulo bias is below 2^-30 for ceilings under
    // ~17 minutes of nanoseconds, far below anything a reconnect storm could notice.
    return nanos{static_cast<std::int64_t>((random_ ? random_() : engine_()) % (c + 1))};
}

} // namespace genesis::ws
