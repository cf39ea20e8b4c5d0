// The request-target of an HTTP request, split as the sim routes it: REST path and query, and the
// WebSocket paths (/ws-api/v3, /ws/<a>/<b>, /stream?streams=a/b). Pure and Beast-free, so that
// the parsing of untrusted targets is fuzzed directly (tests/fuzz/sim_http_fuzz.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace genesis::sim::server {

/// "/api/v3/depth?symbol=X" -> path "/api/v3/depth", query "symbol=X" (views into target).
struct split_target_result {
    std::string_view path;
    std::string_view query; ///< without '?'; empty when there is none
};
split_target_result split_target(std::string_view target) noexcept;

/// What a WebSocket upgrade asks for.
struct ws_target {
    enum class kind : unsigned char {
        api,      ///< /ws-api/v3
        raw,      ///< /ws or /ws/<name>[/<name>...] (one name may be a listenKey)
        combined, ///< /stream?streams=<name>[/<name>...] ({"stream","data"} wrapper)
        unknown,  ///< any other path: 404
    };
    kind k = kind::unknown;
    std::string path;
    std::vector<std::string> names; ///< stream names (or the listenKey), empty segments skipped
};
ws_target parse_ws_target(std::string_view target);

/// Splits s at sep, skipping empty segments ("a//b/" -> {"a","b"}).
std::vector<std::string> split_nonempty(std::string_view s, char sep);

} // namespace genesis::sim::server
