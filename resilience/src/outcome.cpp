#include "genesis/resilience/outcome.hpp"

namespace genesis::resilience {

std::string_view to_string(outcome_kind k) noexcept {
    switch (k) {
    case outcome_kind::live: return "live";
    case outcome_kind::fallback: return "fallback";
    case outcome_kind::rejected: return "rejected";
    case outcome_kind::failed: return "failed";
    case outcome_kind::timed_out: return "timed_out";
    }
    return "unknown";
}

} // namespace genesis::resilience
