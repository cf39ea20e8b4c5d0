// Base URLs of a venue's REST endpoints ("https://api.binance.com", "https://127.0.0.1:8443/api").
#pragma once

#include "genesis/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace genesis::rest {

/// One parsed base URL. Only https is accepted: every venue endpoint is TLS.
struct base_url {
    /// Host name or IP literal (IPv6 without brackets).
    std::string host;
    std::uint16_t port = 443;
    /// Path prefix without a trailing '/' ("" or "/api"), prepended to every request path.
    std::string prefix;
    /// True for an IPv4/IPv6 literal: no SNI is sent and the certificate is checked by IP.
    bool host_is_ip = false;

    /// "host:port", the pool key and log label.
    [[nodiscard]] std::string authority() const;
    /// The Host header value ("host" on 443, else "host:port"; IPv6 bracketed).
    [[nodiscard]] std::string host_header() const;
    /// "https://host:port/prefix".
    [[nodiscard]] std::string to_string() const;
};

/// Parses "https://host[:port][/prefix]". Errors: http_errc::invalid_url (other schemes, user
/// info, query, fragment, empty host, bad port).
[[nodiscard]] result<base_url> parse_base_url(std::string_view text);

/// The request target: prefix + path, then "?" + query when the query is not empty.
[[nodiscard]] std::string make_target(const base_url& base, std::string_view path, std::string_view query);

} // namespace genesis::rest
