// Errors of genesis_binance: why a frame did not decode, or why the venue refused a request.
#pragma once

#include "genesis/core/error.hpp"

#include <cstddef>
#include <type_traits>

namespace genesis::binance {

/// Errors raised by genesis_binance. Values are stable: never renumber, only append.
enum class binance_errc {
    ok = 0,
    /// The frame is not JSON: truncated, unbalanced, bad literal, bad string (simdjson).
    malformed_json = 1,
    /// A field has another JSON type than the one documented (a number where a string is due, ...).
    wrong_type = 2,
    /// A required field is absent.
    missing_field = 3,
    /// A price or quantity string is not an exact decimal within range.
    bad_decimal = 4,
    /// An enumeration field names no value we know (side, order type, status, ...).
    bad_enum = 5,
    /// An integer is negative where it must not be, or does not fit 64 bits.
    number_out_of_range = 6,
    /// A string is longer than its field allows (symbol, asset, client order id).
    string_too_long = 7,
    /// A combined-stream name whose suffix we do not decode.
    unknown_stream = 8,
    /// The venue answered with an error body ({"code","msg"} or a WS-API "error").
    venue_error = 9,
    /// The frame is larger than the decoder accepts.
    frame_too_large = 10,
};

/// Number of binance_errc values (for per-kind counters).
inline constexpr std::size_t binance_errc_count = 11;

/// The category of binance_errc values ("genesis.binance").
const boost::system::error_category& binance_category() noexcept;

inline error_code make_error_code(binance_errc e) noexcept { return {static_cast<int>(e), binance_category()}; }

/// Broad groups of errors, for handling: the frame is bad, or the venue said no.
enum class binance_condition {
    bad_frame = 1,   ///< malformed_json .. frame_too_large except venue_error and unknown_stream
    unsupported = 2, ///< unknown_stream
    rejected = 3,    ///< venue_error
};

const boost::system::error_category& binance_condition_category() noexcept;

inline boost::system::error_condition make_error_condition(binance_condition c) noexcept {
    return {static_cast<int>(c), binance_condition_category()};
}

} // namespace genesis::binance

template <>
struct boost::system::is_error_code_enum<genesis::binance::binance_errc> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<genesis::binance::binance_condition> : std::true_type {};
