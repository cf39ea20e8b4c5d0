// Binance Spot encoders: core intents -> REST query strings and WebSocket API requests. Pure.
#pragma once

#include "genesis/binance/types.hpp"
#include "genesis/rest/signer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::binance {

/// An HTTP method and path of the REST API.
struct rest_endpoint {
    std::string_view method;
    std::string_view path;
};

inline constexpr rest_endpoint order_place_endpoint{"POST", "/api/v3/order"};
inline constexpr rest_endpoint order_cancel_endpoint{"DELETE", "/api/v3/order"};
inline constexpr rest_endpoint order_query_endpoint{"GET", "/api/v3/order"};
inline constexpr rest_endpoint open_orders_endpoint{"GET", "/api/v3/openOrders"};

/// WebSocket API method names.
inline constexpr std::string_view order_place_method = "order.place";
inline constexpr std::string_view order_cancel_method = "order.cancel";
inline constexpr std::string_view order_status_method = "order.status";
inline constexpr std::string_view open_orders_method = "openOrders.status";

/// The header that carries the API key on REST requests.
inline constexpr std::string_view api_key_header = "X-MBX-APIKEY";

/// One parameter: its name (a literal) and its exact text. `quoted` says whether the WS-API JSON
/// writes it as a string (symbols, decimals) or a number (timestamp, recvWindow, orderId).
struct request_param {
    std::string_view name;
    std::string value;
    bool quoted = true;
};

/// Parameters in the order they are sent (REST signs them in this order).
using request_params = std::vector<request_param>;

/// How decimals are written. -1 means canonical ("0.1", "1"); 0..8 means that many fractional
/// digits ("0.10000000"). The signature covers the text, so it must match what is sent.
struct decimal_format {
    int price_digits = -1;
    int quantity_digits = -1;
};

/// Options of an order placement.
struct order_options {
    std::optional<response_type> resp_type;      ///< newOrderRespType (venue default when absent)
    std::optional<std::uint32_t> recv_window_ms; ///< recvWindow (venue default 5000 when absent)
    decimal_format format;
};

/// Order placement, in Binance's documented order: symbol, side, type, timeInForce (limit types
/// only), quantity, quoteOrderQty, price, newClientOrderId, stopPrice, newOrderRespType,
/// recvWindow, timestamp. Errors with invalid_argument when the intent lacks what its type needs.
[[nodiscard]] result<request_params> order_place_params(const order_intent& intent, const order_options& options,
                                                        std::int64_t timestamp_ms);
/// Cancel: symbol, orderId (when known) else origClientOrderId, recvWindow, timestamp.
[[nodiscard]] result<request_params> order_cancel_params(const cancel_intent& intent,
                                                         std::optional<std::uint32_t> recv_window_ms,
                                                         std::int64_t timestamp_ms);
/// Query one order: symbol, orderId or origClientOrderId, recvWindow, timestamp.
[[nodiscard]] result<request_params> order_query_params(const symbol& sym, std::optional<std::uint64_t> order_id,
                                                        const client_order_id& orig_client_id,
                                                        std::optional<std::uint32_t> recv_window_ms,
                                                        std::int64_t timestamp_ms);
/// Open orders of one symbol (or of all when sym is empty): symbol, recvWindow, timestamp.
request_params open_orders_params(const symbol& sym, std::optional<std::uint32_t> recv_window_ms,
                                  std::int64_t timestamp_ms);

/// The REST query string, parameters in order, values percent-encoded: what is signed.
std::string rest_query(const request_params& params);
/// rest_query plus "&signature=<sig>" (an Ed25519 base64 signature is percent-encoded).
[[nodiscard]] result<std::string> rest_signed_query(const request_params& params, const rest::signer& signer);

/// A signed WS-API request: adds apiKey, signs every parameter but signature sorted by name, and
/// writes {"id":"<id>","method":"<method>","params":{...sorted...,"signature":"..."}}.
[[nodiscard]] result<std::string> ws_api_request(std::string_view id, std::string_view method,
                                                 const request_params& params, std::string_view api_key,
                                                 const rest::signer& signer);
/// An unsigned WS-API request (after session.logon, or for public methods), params as given.
std::string ws_api_unsigned_request(std::string_view id, std::string_view method, const request_params& params);

/// The WS-API signing payload of params plus apiKey (sorted, signature excluded).
std::string ws_api_signing_payload(const request_params& params, std::string_view api_key);

} // namespace genesis::binance
