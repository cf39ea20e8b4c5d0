// Request authentication: HMAC-SHA256 and Ed25519 signatures over Binance's payloads, API key
// lookup and the timestamp/recvWindow rule.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/sim/protocol/params.hpp"
#include "genesis/sim/types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace genesis::sim {
class exchange;
}

namespace genesis::sim::protocol {

/// Lowercase hex HMAC-SHA256 of message with key.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// True when signature_hex (any case) is HMAC-SHA256(secret, payload). Constant-time compare.
bool verify_hmac_sha256(std::string_view secret, std::string_view payload, std::string_view signature_hex) noexcept;

/// True when signature_base64 is a valid Ed25519 signature of payload under the PEM public key
/// ("-----BEGIN PUBLIC KEY-----..."). False on any malformed input.
bool verify_ed25519(std::string_view public_key_pem, std::string_view payload,
                    std::string_view signature_base64) noexcept;

/// True when the account's stored key is an Ed25519 PEM public key (else it is an HMAC secret).
bool is_ed25519_key(std::string_view key) noexcept;

/// The REST signature payload: query string concatenated with the body exactly as sent, with the
/// first "signature=<x>" parameter removed together with the '&' that joined it (so
/// "a=1&signature=s&b=2" signs "a=1&b=2"). signature is <x> percent-decoded; empty when absent.
struct rest_signed_payload {
    std::string payload;
    std::string signature;
};
rest_signed_payload rest_signature_payload(std::string_view query, std::string_view body);

/// The WS-API signature payload: every parameter except "signature", sorted by name,
/// "name=value" joined by '&', values raw (no percent-encoding).
std::string ws_signature_payload(const params& p);

/// Default and maximum recvWindow, in milliseconds.
inline constexpr std::int64_t default_recv_window_ms = 5000;
inline constexpr std::int64_t max_recv_window_ms = 60000;

/// The timing rule with every value in microseconds: accepted iff timestamp < server + 1000 ms
/// and server - timestamp <= recv_window. -1021 (the "1000ms ahead" wording when too early).
[[nodiscard]] proto_result<void> check_timing(std::int64_t timestamp_us, std::int64_t recv_window_us,
                                              std::int64_t server_time_us);

/// Reads "timestamp" (mandatory; milliseconds, or microseconds when it has 16+ digits) and
/// "recvWindow" (optional, ms with up to 3 decimals, default 5000, max 60000 else -1131) and
/// applies check_timing against server_time (wall clock).
[[nodiscard]] proto_result<void> check_timestamp(const params& p, time_point server_time);

/// Authenticates a SIGNED REST request: api_key_header is X-MBX-APIKEY (nullopt when the header
/// is missing). Order of checks, as Binance: missing/empty key -2014, unknown key -2015,
/// timestamp/recvWindow -1102/-1021, missing signature -1102, bad signature -1022. Marks
/// timestamp, recvWindow and signature read.
[[nodiscard]] proto_result<account_id> authenticate_rest(const exchange& ex,
                                                         std::optional<std::string_view> api_key_header,
                                                         std::string_view query, std::string_view body, const params& p,
                                                         time_point server_time);

/// Authenticates a SIGNED WS-API request: "apiKey" param (missing -1102, unknown -2015), then
/// timestamp/recvWindow, then "signature" over ws_signature_payload(p). Marks apiKey,
/// timestamp, recvWindow and signature read.
[[nodiscard]] proto_result<account_id> authenticate_ws(const exchange& ex, const params& p, time_point server_time);

/// A USER_STREAM/MARKET_DATA style key-only check: missing key -2014, unknown -2015.
[[nodiscard]] proto_result<account_id> lookup_api_key(const exchange& ex, std::optional<std::string_view> api_key);

} // namespace genesis::sim::protocol
