// Errors of the HTTPS client (category "genesis.http"), grouped by http_condition.
#pragma once

#include "genesis/core/error.hpp"

#include <type_traits>

namespace genesis::rest {

/// Errors raised by http_client and its parts. Values are stable: never renumber, only append.
enum class http_errc {
    ok = 0,
    /// A base URL is not "https://host[:port][/prefix]".
    invalid_url = 1,
    /// The endpoint index is outside the client's endpoint list.
    bad_endpoint = 2,
    /// Connect, TLS handshake, write or read did not finish within the request timeout (nor, at
    /// the per-host connection cap, did a connection come free in time).
    timed_out = 3,
    /// A non-idempotent request (order placement) was sent and then got a 5xx, a timeout or a lost
    /// connection: it may or may not have been executed. Look it up; never treat it as failed.
    outcome_unknown = 4,
    /// The local weight budget (throttle) is spent and the window rolls after the caller's deadline.
    throttled = 5,
    /// The venue is paused after a 429 (Retry-After) beyond the caller's deadline.
    paused = 6,
    /// The venue is paused after a 418 (IP ban) beyond the caller's deadline.
    banned = 7,
    /// This request got 429: the venue is now paused for Retry-After.
    rate_limited = 8,
    /// This request got 418: the IP is banned for Retry-After.
    ip_banned = 9,
    /// An idempotent request got a 5xx.
    server_error = 10,
    /// The request alone weighs more than the throttle: it can never be admitted.
    weight_over_limit = 11,
    /// A signed request without credentials (set_credentials).
    no_credentials = 12,
    /// The server-time answer could not be read.
    bad_time_response = 13,
    /// The response is malformed or exceeds the body limit.
    bad_response = 14,
};

/// Groups of http_errc values.
enum class http_condition {
    /// The venue's or our own rate limit stopped the request (throttled, paused, banned,
    /// rate_limited, ip_banned, weight_over_limit).
    rate_limit = 1,
    /// A transient transport or server failure an idempotent request may retry elsewhere
    /// (timed_out, server_error, bad_response).
    transient = 2,
};

/// The category of http_errc values ("genesis.http").
const boost::system::error_category& http_category() noexcept;
/// The category of http_condition values ("genesis.http.condition").
const boost::system::error_category& http_condition_category() noexcept;

inline error_code make_error_code(http_errc e) noexcept { return {static_cast<int>(e), http_category()}; }
inline boost::system::error_condition make_error_condition(http_condition c) noexcept {
    return {static_cast<int>(c), http_condition_category()};
}

} // namespace genesis::rest

template <>
struct boost::system::is_error_code_enum<genesis::rest::http_errc> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<genesis::rest::http_condition> : std::true_type {};
