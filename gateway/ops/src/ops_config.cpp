#include "genesis/gateway/ops/ops_config.hpp"

#include <charconv>

namespace genesis::gateway::ops {

bool is_loopback_host(std::string_view host) noexcept {
    if (host == "localhost" || host == "::1" || host == "[::1]")
        return true;
    // A strict dotted quad whose first octet is 127.
    int octets = 0;
    int first = -1;
    std::size_t pos = 0;
    while (pos <= host.size()) {
        const std::size_t dot = host.find('.', pos);
        const std::string_view part =
            host.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
        if (part.empty() || part.size() > 3)
            return false;
        int v = 0;
        const auto r = std::from_chars(part.data(), part.data() + part.size(), v);
        if (r.ec != std::errc{} || r.ptr != part.data() + part.size() || v > 255)
            return false;
        if (octets == 0)
            first = v;
        ++octets;
        if (dot == std::string_view::npos)
            break;
        pos = dot + 1;
    }
    return octets == 4 && first == 127;
}

void parse_ops_section(config::table_reader& r, ops_config& out) {
    out.enabled = r.get_bool("enabled", out.enabled);
    std::string host = r.get_string("host", out.host);
    if (is_loopback_host(host))
        out.host = std::move(host);
    else
        r.reject("host", "a loopback address (127.x.x.x, ::1 or localhost)");
    out.port = static_cast<std::uint16_t>(r.get_int("port", out.port, 0, 65535));
    out.bearer_token = r.get_string("bearer_token", out.bearer_token);
    // An empty token (often an environment variable set to nothing) would turn the check off.
    if (r.contains("bearer_token") && out.bearer_token.empty())
        r.reject("bearer_token", "a non-empty token (remove the key to run without one)");
}

} // namespace genesis::gateway::ops
