// libFuzzer target for what the sim does with an HTTP request before and after Beast has parsed
// it: the request-target split (REST path and query), the WebSocket upgrade targets (/ws/<a>/<b>,
// /stream?streams=a/b, /ws-api/v3) with every stream name through the hub's parser, and the whole
// REST router (parameters, signature check, weights, the engine) on a live exchange state.
// Input: "<verb>\n<target>\n<api key>\n<body>"; missing lines are empty.
#include "request_target.hpp"
#include "rest_api.hpp"
#include "server_state.hpp"

#include "genesis/sim/exchange.hpp"
#include "genesis/sim/server/server_config.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using namespace genesis::sim;
using namespace genesis::sim::server;

server_state& state() {
    static server_state st = [] {
        server_config cfg = default_server_config();
        // Limits on, every input would soon be a 429 and reach nothing else.
        cfg.limits.enabled = false;
        return server_state(std::move(cfg), default_config());
    }();
    return st;
}

std::string_view take_line(std::string_view& in) {
    const auto p = in.find('\n');
    const std::string_view line = in.substr(0, p);
    in = p == std::string_view::npos ? std::string_view{} : in.substr(p + 1);
    return line;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const std::string_view verb = take_line(in);
    const std::string_view target = take_line(in);
    const std::string_view api_key = take_line(in);
    const std::string_view body = in;

    server_state& st = state();
    const ws_target ws = parse_ws_target(target);
    for (const auto& n : ws.names)
        (void)st.hub.parse(n);

    const split_target_result parts = split_target(target);
    rest_request req;
    req.verb = verb;
    req.path = parts.path;
    req.query = parts.query;
    req.body = body;
    req.content_type = "application/x-www-form-urlencoded";
    if (!api_key.empty())
        req.api_key = api_key;
    req.client_key = "ip:fuzz";
    (void)handle_rest(st, req);
    return 0;
}
