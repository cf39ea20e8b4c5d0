// REST endpoints of genesis-sim: a Beast-free request/reply pair and the router that serves
// Binance's /api/v3 paths from the exchange (rate limits included). Faults are applied by the
// caller (the HTTPS session) around it.
#pragma once

#include "genesis/sim/protocol/errors.hpp"
#include "genesis/sim/protocol/render.hpp"
#include "genesis/sim/server/rate_limiter.hpp"
#include "genesis/sim/server/server_config.hpp"

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

/// The error of an injected http_error / lost_ack status: -1003 for 429 and 418 (banned until
/// retry_until_ms), -1008 for 503, else -1007 "execution status unknown".
binance_error injected_error(int status, std::int64_t retry_until_ms);
/// 429 and 418 tell the client when to come back (Retry-After, retryAfter).
constexpr bool is_rate_limit_status(int status) noexcept { return status == 429 || status == 418; }

/// exchangeInfo's "rateLimits": the enforced limits of the configuration (REQUEST_WEIGHT per
/// minute, ORDERS per 10 s and per day), then CONNECTIONS: stream connection attempts per IP
/// (ws.max_connection_attempts per window, left out when 0).
std::vector<protocol::rate_limit> configured_rate_limits(const rate_limit_config& c, const ws_config& ws);

// The legacy listenKey flow, shared by REST (/api/v3/userDataStream) and the WebSocket API
// (userDataStream.start/ping/stop). Keys live ws.listen_key_lifetime (60 minutes) unless kept
// alive; open /ws/<listenKey> sessions are told of every keepalive and close (state_change).

/// The account's valid key (its lifetime extended), else a new one.
std::string listen_key_start(server_state& st, account_id acc);
/// Extends (keepalive) or removes (close) the account's key; false when it is not the account's.
bool listen_key_keepalive(server_state& st, account_id acc, std::string_view key);
bool listen_key_close(server_state& st, account_id acc, std::string_view key);
/// True while the key exists and has not expired; an expired key is removed (and counted).
bool listen_key_live(server_state& st, std::string_view key);

} // namespace genesis::sim::server
