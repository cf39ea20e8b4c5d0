// Fault injection for genesis-sim: rules per listener, endpoint and stream, a seeded injector
// that decides per request or frame, and the JSON form used by the control endpoint
// (GET/POST /sim/faults). Pure and I/O-free; thread-compatible (the server calls it from its
// I/O thread only).
#pragma once

#include "genesis/core/error.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::sim::server {

/// What a rule does. Values are stable (they index counters).
enum class fault_kind : std::uint8_t {
    latency,       ///< delay the response (REST, WS-API) or a stream / user-data frame by a fixed
                   ///< time or a uniform range
    http_error,    ///< answer `status` (500/502/503/429) without processing the request
    lost_ack,      ///< process the request (the order IS placed), then answer `status` or, with
                   ///< status 0, never answer ("unknown execution")
    reset,         ///< reset the TCP connection instead of answering
    stall,         ///< accept the request and never answer (the connection stays open)
    ws_disconnect, ///< close matching WebSocket connections every `interval`
    depth_gap,     ///< drop a depth diff frame: the client sees U > previous u + 1
    duplicate,     ///< send a stream / user-data frame twice
    reorder,       ///< hold a frame back and send it after the next one
    malformed,     ///< replace a frame by invalid JSON
    truncated,     ///< cut a frame in half
};
inline constexpr std::size_t fault_kind_count = 11;

/// "latency", "http_error", "lost_ack", "reset", "stall", "ws_disconnect", "depth_gap",
/// "duplicate", "reorder", "malformed", "truncated".
std::string_view to_string(fault_kind k) noexcept;
std::optional<fault_kind> parse_fault_kind(std::string_view s) noexcept;

/// One rule. Empty match fields match anything; a trailing '*' matches a prefix.
struct fault_rule {
    fault_kind kind = fault_kind::latency;
    std::string listener; ///< "rest0", "rest1", "streams", "wsapi"
    /// REST path ("/api/v3/order"), WS-API method ("order.place"), stream name
    /// ("btcusdt@depth@100ms") or user-data event type ("executionReport").
    std::string target;
    std::string method;                       ///< HTTP method ("POST"); REST only
    double probability = 1.0;                 ///< per request or frame
    std::chrono::milliseconds latency_min{0}; ///< latency: uniform in [min, max]
    std::chrono::milliseconds latency_max{0};
    int status = 503;                      ///< http_error / lost_ack (0: no answer at all)
    std::chrono::milliseconds interval{0}; ///< ws_disconnect period
    std::uint64_t max_count = 0;           ///< stop after this many injections (0: no limit)
    /// Retry-After (REST header, seconds) and retryAfter (WS-API error data) sent with an
    /// injected 429 or 418, as Binance always sends them.
    std::chrono::seconds retry_after{1};
};

/// Every rule plus the RNG seed and the server clock skew.
struct fault_config {
    std::uint64_t seed = 1;
    std::chrono::milliseconds clock_skew{0}; ///< added to the server's wall clock
    std::vector<fault_rule> rules;
};

/// What to do with one REST or WS-API request.
struct request_faults {
    std::chrono::nanoseconds delay{0};
    int error_status = 0;                ///< http_error: answer this without processing
    std::chrono::seconds retry_after{0}; ///< with an error_status / lost_ack_status of 429 or 418
    bool lost_ack = false;               ///< process, then answer lost_ack_status (0: never)
    int lost_ack_status = 0;
    bool reset = false;
    bool stall = false;
};

/// What to do with one outgoing stream or user-data frame.
enum class frame_fault : std::uint8_t { none, drop, duplicate, reorder, malformed, truncated };

/// Decides faults from the rules with a seeded RNG, and counts every injection.
class fault_injector {
    fault_config config_;
    std::mt19937_64 rng_;
    std::vector<std::uint64_t> applied_; // per rule
    std::array<std::uint64_t, fault_kind_count> counts_{};

    bool fires(std::size_t rule_index);

public:
    explicit fault_injector(fault_config cfg = {});

    /// Replaces every rule and reseeds the RNG (counters of past injections are kept).
    void set(fault_config cfg);
    const fault_config& config() const noexcept { return config_; }

    /// Faults for a request to `target` on `listener`.
    request_faults on_request(std::string_view listener, std::string_view target, std::string_view method);
    /// The fault for one frame of `stream` (diff-depth streams may also get drop).
    frame_fault on_frame(std::string_view listener, std::string_view stream, bool depth_diff);
    /// The delay of one frame of `stream` from latency rules whose listener and target match
    /// (an empty target matches frames too). Frames keep their order: a delayed frame holds
    /// back the ones queued after it.
    std::chrono::nanoseconds frame_delay(std::string_view listener, std::string_view stream);
    /// The shortest ws_disconnect period for a connection on `listener` to `path` (nullopt: none).
    std::optional<std::chrono::milliseconds> disconnect_interval(std::string_view listener,
                                                                 std::string_view path) const;
    /// Counts an injection decided elsewhere (a ws_disconnect that fired).
    void count(fault_kind k) noexcept { ++counts_[static_cast<std::size_t>(k)]; }

    /// Injections so far, per kind.
    const std::array<std::uint64_t, fault_kind_count>& counts() const noexcept { return counts_; }
};

/// True when pattern (empty: anything; "x*": prefix x) matches s.
bool fault_match(std::string_view pattern, std::string_view s) noexcept;

/// The JSON form: {"seed":1,"clock_skew_ms":0,"rules":[{"kind":"latency","listener":"rest0",
/// "target":"/api/v3/order","method":"POST","probability":1,"latency_ms":[500,3000],
/// "status":503,"retry_after_s":1,"interval_ms":0,"max_count":0}]}. Every field but "kind" is optional;
/// "latency_ms" is a number (fixed) or a [min,max] pair, at most 86400000 (one day), as is "interval_ms".
std::string to_json(const fault_config& cfg);
/// Parses the JSON form; invalid_argument (core_errc) when it is not valid.
[[nodiscard]] result<fault_config> parse_fault_config_json(std::string_view json);

} // namespace genesis::sim::server
