// Error codes of the ops endpoint and the Prometheus format (category "genesis.ops").
#pragma once

#include "genesis/core/error.hpp"

#include <type_traits>

namespace genesis::gateway::ops {

/// Why an ops operation failed. Values are stable: never renumber, only append.
enum class ops_errc {
    ok = 0,
    /// The ops endpoint may only listen on loopback (127.x.x.x, ::1, localhost).
    non_loopback_host = 1,
    /// start() was called twice, or after stop().
    already_started = 2,
    /// A metric or label name does not match the Prometheus grammar.
    invalid_name = 3,
    /// The writer was used out of order (sample before family, duplicate family, wrong type).
    invalid_usage = 4,
    /// A Prometheus text exposition could not be parsed or fails a consistency check.
    malformed_exposition = 5,
};

/// The category of ops_errc values ("genesis.ops").
const boost::system::error_category& ops_category() noexcept;

inline error_code make_error_code(ops_errc e) noexcept { return {static_cast<int>(e), ops_category()}; }

} // namespace genesis::gateway::ops

template <>
struct boost::system::is_error_code_enum<genesis::gateway::ops::ops_errc> : std::true_type {};
