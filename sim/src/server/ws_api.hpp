// The WebSocket API (/ws-api/v3) of genesis-sim, Beast-free: per-connection session state and
// the dispatcher from a parsed request to its response text.
#pragma once

#include "genesis/sim/protocol/ws_api.hpp"
#include "genesis/sim/types.hpp"

#include "stream_hub.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace genesis::sim::server {

struct server_state;

/// What a WS-API connection remembers between requests.
struct ws_api_session {
    std::optional<account_id> logged_on; ///< after session.logon (Ed25519)
    std::string logon_api_key;
    std::int64_t logon_time_ms = 0;
    std::int64_t connected_ms = 0;
    std::map<std::uint64_t, account_id> subscriptions; ///< user data stream subscriptions
    std::uint64_t next_subscription = 0;
    std::string client_key; ///< rate limit key
};

struct ws_api_outcome {
    std::string response;        ///< the JSON reply
    bool reached_engine = false; ///< an order operation was processed
};

/// Serves one request. self receives user data when the request subscribes.
ws_api_outcome handle_ws_api(server_state& st, ws_api_session& session, const std::shared_ptr<user_subscriber>& self,
                             const protocol::ws_request& req);

/// The response to a request the injector failed (http_error / lost_ack with a status); a 429
/// or 418 carries error.data.retryAfter = now + retry_after.
std::string ws_api_fault_response(const server_state& st, std::string_view id_json, int status,
                                  std::chrono::seconds retry_after);

} // namespace genesis::sim::server
