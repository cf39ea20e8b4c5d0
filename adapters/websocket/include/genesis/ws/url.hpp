// WebSocket URLs: parsing, a log-safe form (targets may carry a listenKey), and the
// Binance combined-stream target.
#pragma once

#include "genesis/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::ws {

/// A parsed ws:// or wss:// URL.
struct ws_url {
    bool secure = true;       ///< wss
    std::string host;         ///< without brackets for IPv6 literals
    std::string port;         ///< "443" / "80" when absent
    std::string target = "/"; ///< path and query, never empty

    /// The URL with everything after the first path segment masked: "wss://h:443/ws/***",
    /// "wss://h:443/stream?***". Stream names and listenKeys never reach a log through this.
    [[nodiscard]] std::string redacted() const;
    /// "host:port" (IPv6 in brackets), as the HTTP Host header wants it.
    [[nodiscard]] std::string host_header() const;
    /// The target's path (before '?').
    [[nodiscard]] std::string_view path() const noexcept;
};

/// Parses "wss://host[:port][/target]". Errors: ws_errc::invalid_url (no or other scheme, empty
/// host, user info, bad or zero port, spaces or control characters).
[[nodiscard]] result<ws_url> parse_ws_url(std::string_view url);

/// True when host is an IPv4 or IPv6 literal (no SNI is sent for those).
[[nodiscard]] bool is_ip_literal(std::string_view host) noexcept;

/// path + "?streams=a/b/c" (Binance combined streams); path alone when streams is empty.
[[nodiscard]] std::string combined_stream_target(std::string_view path, const std::vector<std::string>& streams);

/// {"method":"SUBSCRIBE"|"UNSUBSCRIBE","params":[...],"id":id} (Binance stream control).
[[nodiscard]] std::string stream_control_message(std::string_view method, const std::vector<std::string>& streams,
                                                 std::uint64_t id);

} // namespace genesis::ws
