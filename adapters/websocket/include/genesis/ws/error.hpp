// Error codes of genesis_ws (category "genesis.ws") and the conditions that group them.
#pragma once

#include "genesis/core/error.hpp"

#include <cstddef>
#include <type_traits>

namespace genesis::ws {

/// Why a WebSocket session failed to connect or lost a connection. Values are stable (they index
/// session_stats::errors): never renumber, only append and raise ws_errc_count.
enum class ws_errc {
    ok = 0,
    /// The URL is not wss://host[:port]/target (plain ws:// is refused: TLS only).
    invalid_url = 1,
    /// The CA file could not be loaded.
    ca_file_invalid = 2,
    /// The host name did not resolve.
    resolve_failed = 3,
    /// TCP connect failed (refused, unreachable).
    connect_failed = 4,
    /// The TLS handshake failed for a reason other than the certificate.
    tls_handshake_failed = 5,
    /// The server certificate did not verify against the CA file or the host name.
    certificate_rejected = 6,
    /// The HTTP upgrade was refused (bad path, bad stream name, HTTP error).
    ws_handshake_failed = 7,
    /// Connect, handshake or keep-alive (no pong) deadline passed.
    timeout = 8,
    /// The idle watchdog saw no data frame for idle_watchdog.
    idle_timeout = 9,
    /// The server closed the connection (close frame, EOF, reset).
    closed_by_peer = 10,
    /// Reading failed for another reason.
    read_failed = 11,
    /// Writing failed.
    write_failed = 12,
    /// The write queue was full; the message was dropped.
    write_queue_full = 13,
    /// send() while no connection was open; the message was dropped.
    not_connected = 14,
    /// The venue's reconnect budget is used up: the session waits for a slot.
    budget_exhausted = 15,
    /// stop() was called.
    stopped = 16,
    /// The connection was retired by a proactive rotation (not a failure).
    rotated = 17,
    /// A frame or event callback threw; the exception was caught and counted.
    callback_failed = 18,
    /// start() was called twice, or after stop().
    already_started = 19,
};
inline constexpr std::size_t ws_errc_count = 20;

/// Groups of ws_errc for callers that only need to know what to do about an error.
enum class ws_condition {
    /// Bad settings: retrying will not help (invalid_url, ca_file_invalid, already_started).
    configuration = 1,
    /// The peer's identity was refused (certificate_rejected).
    security = 2,
    /// The network or the peer failed; the session retries by itself.
    connection = 3,
    /// Local back-pressure or usage (write_queue_full, not_connected, budget_exhausted, callback_failed).
    local = 4,
};

/// The category of ws_errc values ("genesis.ws").
const boost::system::error_category& ws_category() noexcept;
/// The category of ws_condition values ("genesis.ws.condition").
const boost::system::error_category& ws_condition_category() noexcept;

inline error_code make_error_code(ws_errc e) noexcept { return {static_cast<int>(e), ws_category()}; }
inline boost::system::error_condition make_error_condition(ws_condition c) noexcept {
    return {static_cast<int>(c), ws_condition_category()};
}

} // namespace genesis::ws

template <>
struct boost::system::is_error_code_enum<genesis::ws::ws_errc> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<genesis::ws::ws_condition> : std::true_type {};
