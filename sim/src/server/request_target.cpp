#include "request_target.hpp"

namespace genesis::sim::server {

split_target_result split_target(std::string_view target) noexcept {
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

std::vector<std::string> split_nonempty(std::string_view s, char sep) {
    std::vector<std::string> out;
    while (!s.empty()) {
        const auto p = s.find(sep);
        if (p != 0)
            out.emplace_back(s.substr(0, p));
        if (p == std::string_view::npos)
            break;
        s.remove_prefix(p + 1);
    }
    return out;
}

ws_target parse_ws_target(std::string_view target) {
    const auto [path, query] = split_target(target);
    ws_target out;
    out.path = std::string(path);
    if (path == "/ws-api/v3") {
        out.k = ws_target::kind::api;
    } else if (path == "/stream") {
        out.k = ws_target::kind::combined;
        // The first streams= parameter; '&' ends it.
        for (const auto& kv : split_nonempty(query, '&'))
            if (kv.starts_with("streams=")) {
                out.names = split_nonempty(std::string_view(kv).substr(8), '/');
                break;
            }
    } else if (path == "/ws" || path.starts_with("/ws/")) {
        out.k = ws_target::kind::raw;
        if (path.size() > 4)
            out.names = split_nonempty(path.substr(4), '/');
    }
    return out;
}

} // namespace genesis::sim::server
