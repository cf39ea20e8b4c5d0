// REST endpoints of genesis-sim: a Beast-free request/reply pair and the router that serves
// Binance's /api/v3 paths from the exchange (rate limits included). Faults are applied by the
// caller (the HTTPS session) around it.
#pragma once

#include "genesis/sim/protocol/errors.hpp"
#include "genesis/sim/protocol/render.hpp"
#include "genesis/sim/server/rate_limiter.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace genesis::sim::server {

struct server_state;

struct rest_request {
    std::string_view verb;  ///< "GET", "POST", ...
    std::string_view path;  ///< "/api/v3/order"
    std::string_view query; ///< without '?'
    std::string_view body;
    std::string_view content_type;
    std::optional<std::string_view> api_key; ///< X-MBX-APIKEY
    std::string client_key;                  ///< rate limit key (IP or connection)
};

struct rest_reply {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool reached_engine = false; ///< the request changed (or could change) orders
};

/// Serves one request.
rest_reply handle_rest(server_state& st, const rest_request& req);

/// The body of a Binance error.
std::string error_json(const binance_error& e);

/// The 429/418 error for a rate decision that is not allowed.
binance_error rate_error(const rate_limiter& lim, const rate_decision& d, time_point now);

/// exchangeInfo's "rateLimits": the enforced limits of the configuration (REQUEST_WEIGHT per
/// minute, ORDERS per 10 s and per day), then CONNECTIONS 300 per 5 minutes (listed, not enforced).
std::vector<protocol::rate_limit> configured_rate_limits(const rate_limit_config& c);

// The legacy listenKey flow, shared by REST (/api/v3/userDataStream) and the WebSocket API
// (userDataStream.start/ping/stop). Keys live 60 minutes unless kept alive.

/// The account's valid key (its lifetime extended), else a new one.
std::string listen_key_start(server_state& st, account_id acc);
/// Extends (keepalive) or removes (close) the account's key; false when it is not the account's.
bool listen_key_keepalive(server_state& st, account_id acc, std::string_view key);
bool listen_key_close(server_state& st, account_id acc, std::string_view key);

} // namespace genesis::sim::server
