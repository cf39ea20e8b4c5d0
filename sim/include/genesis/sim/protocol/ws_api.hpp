// Parsing of WebSocket text frames: WS-API requests ({"id","method","params"}) and market
// stream control messages ({"method":"SUBSCRIBE","params":[...],"id":1}). Never throws; one
// parser per connection (it keeps simdjson's buffers between frames).
#pragma once

#include "genesis/sim/protocol/params.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::sim::protocol {

/// A WS-API request.
struct ws_request {
    std::string id = "null"; ///< the request id as raw JSON, to echo back: 7, "abc" (quoted), null
    std::string method;      ///< "order.place"; a "v3/" prefix is removed
    params args;             ///< the "params" object (empty when omitted)
};

/// A WS-API request that cannot be served, with the id to answer with ("null" when unknown).
struct ws_request_error {
    std::string id = "null";
    binance_error error;
};

/// The market stream control methods.
enum class stream_method : std::uint8_t { subscribe, unsubscribe, list_subscriptions, set_property, get_property };

/// A control message on a market stream connection.
struct stream_control {
    stream_method method = stream_method::subscribe;
    std::vector<std::string> params; ///< stream names (SUBSCRIBE/UNSUBSCRIBE) or property names
    std::optional<bool> value;       ///< SET_PROPERTY ["combined", true]
    std::uint64_t id = 0;
};

/// A refused control message: {"error":{"code":2,"msg":"Invalid request: ..."},"id":<id|null>}.
struct stream_control_error {
    int code = 2;
    std::string msg;
    std::optional<std::uint64_t> id;
};

/// Renders a control error as Binance sends it.
std::string render(const stream_control_error& e);
/// {"result":null,"id":N} or, with result_json, {"result":<result_json>,"id":N}.
std::string stream_control_response(std::uint64_t id, std::string_view result_json = "null");

class ws_parser {
    struct impl;
    std::unique_ptr<impl> impl_;

public:
    ws_parser();
    ~ws_parser();
    ws_parser(ws_parser&&) noexcept;
    ws_parser& operator=(ws_parser&&) noexcept;

    /// Parses a WS-API request. Errors (status 400): not JSON, or JSON that is not an object, or
    /// trailing bytes: -1135 "Invalid JSON Request"; bad or missing "id" (must be an integer, a
    /// string of at most 36 chars, or null) or "method": -1102 "Mandatory parameter '<name>' was
    /// not sent, was empty/null, or malformed.";
    /// "params" not an object: -1135 "Invalid 'params' in JSON request; expected an object.";
    /// duplicate parameter -1101; an unknown top-level key -1103 "An unknown parameter was sent.".
    /// A null parameter value counts as not sent. The id in the error is the request's when it was
    /// read before the failure, else "null".
    [[nodiscard]] boost::system::result<ws_request, ws_request_error> parse_request(std::string_view frame);

    /// Parses a stream control message. Errors (web-socket-streams.md): code 3 "Invalid JSON:
    /// ..." for bad JSON, code 2 "Invalid request: ..." for a bad id, method, params or extra keys.
    [[nodiscard]] boost::system::result<stream_control, stream_control_error> parse_control(std::string_view frame);
};

} // namespace genesis::sim::protocol
