// Error codes of genesis_resilience.
#pragma once

#include "genesis/core/error.hpp"

namespace genesis::resilience {

/// Outcomes of the resilience layer that are not the operation's own errors.
/// Values are stable: never renumber, only append.
enum class errc {
    ok = 0,
    /// The breaker is OPEN (or a HALF_OPEN trial is in flight) and there is no fallback.
    rejected = 1,
    /// The live attempt did not answer within its timeout.
    timed_out = 2,
    /// A non-idempotent operation was sent but its answer was lost: the caller must look it up.
    unknown_outcome = 3,
    /// Every endpoint is OPEN or failed.
    all_endpoints_down = 4,
    /// The attempt was cancelled because another attempt won.
    cancelled = 5,
    /// A bounded queue is full and the event was dropped.
    queue_full = 6,
    /// The component is stopped.
    stopped = 7,
};

const boost::system::error_category& resilience_category() noexcept;

inline error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), resilience_category()}; }

} // namespace genesis::resilience

template <>
struct boost::system::is_error_code_enum<genesis::resilience::errc> : std::true_type {};
