// The resilience layer's state inside a checkpoint: every breaker's persisted state and the
// predictor's latency windows, so that a restarted gateway neither hammers an endpoint that was
// failing nor starts its hedging decisions from nothing.
#pragma once

#include "genesis/db/types.hpp"
#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/predictor.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace genesis::db {

inline constexpr std::string_view breakers_section = "resilience.breakers";
inline constexpr std::string_view predictor_section = "resilience.predictor";

/// One breaker's state under its endpoint name.
struct named_breaker_state {
    std::string name;
    resilience::breaker_persisted state;
    friend bool operator==(const named_breaker_state&, const named_breaker_state&) = default;
};

/// What a checkpoint carries of the resilience layer.
struct resilience_state {
    std::vector<named_breaker_state> breakers;
    std::vector<resilience::predictor::window> windows;
};

/// Two sections (breakers_section, predictor_section): a line per breaker or window, fields
/// separated by tabs, durations in nanoseconds. A name holding a tab or a newline cannot be written
/// and is left out (endpoint and operation names are identifiers such as "rest0", "get_order").
std::vector<section> encode_resilience_state(const resilience_state& s);

/// Reads the two sections among a checkpoint's; an absent section gives an empty part (a
/// checkpoint written before they existed). db_errc::bad_row names the section and line of a
/// malformed record (in *why when given).
[[nodiscard]] result<resilience_state> decode_resilience_state(const std::vector<section>& sections,
                                                               std::string* why = nullptr);

} // namespace genesis::db
