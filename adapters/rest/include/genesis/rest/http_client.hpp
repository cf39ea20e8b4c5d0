// The HTTPS client of one venue: keep-alive pools over several base URLs, per-request timeouts,
// TLS verification, the venue's rate-limit budget, its server-time offset and request signing.
// C++20 coroutines on one io_context; every request honours the awaiting coroutine's cancellation
// (a cancelled request closes its connection instead of returning it to the pool, and a request
// cancelled while queued for a connection at pool_options::max_connections_per_host just leaves).
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"
#include "genesis/log/fwd.hpp"
#include "genesis/rest/endpoint_pool.hpp"
#include "genesis/rest/http_error.hpp"
#include "genesis/rest/rate_limiter.hpp"
#include "genesis/rest/server_time.hpp"
#include "genesis/rest/signer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace genesis::resilience {
class timer_service;
}

namespace genesis::rest {

namespace net = boost::asio;

/// HTTP methods the venues use.
enum class http_method : std::uint8_t { get, post, put, del };

/// "GET", "POST", "PUT", "DELETE".
[[nodiscard]] const char* to_string(http_method m) noexcept;

/// One request. path is relative to the base URL's prefix; query and body are already
/// URL-encoded (the venue encoders build them).
struct request {
    http_method method = http_method::get;
    std::string path;
    std::string query;
    /// Form body (application/x-www-form-urlencoded) for POST/PUT/DELETE; usually empty.
    std::string body;
    /// Request weight charged against the venue's budget.
    std::int64_t weight = 1;
    /// SIGNED: adds recvWindow, timestamp and signature, and the X-MBX-APIKEY header.
    bool is_signed = false;
    /// Sends X-MBX-APIKEY without signing (USER_STREAM / MARKET_DATA endpoints).
    bool send_api_key = false;
    /// False for order placement: after it is written, a 5xx, timeout or lost connection gives
    /// http_errc::outcome_unknown (it may have been executed) and it is never retried.
    bool idempotent = true;
    /// Counts toward the venue's order limits (a placement): refused at once (http_errc::throttled)
    /// when order_count_limiter leaves no room, never sent into a 429.
    bool counts_as_order = false;
    /// I/O timeout of this request (any wait for a connection at the host's cap + connect + TLS +
    /// write + read); default options.request_timeout.
    std::optional<nanos> timeout;
    /// Monotonic (clock::now()) time after which the request must not still be waiting for the
    /// rate limiter (a longer wait is refused at once) or for a connection at the host's cap
    /// (timed_out); default now + options.max_rate_wait.
    std::optional<time_point> deadline;
    /// False: refused at once (the limiter's reason: paused, banned, throttled) rather than held
    /// while the rate limiter would hold it back. For an order placement (stale by the end of a
    /// pause) and for a request whose caller waited already (wait_for_limits), so that no wait
    /// counts against a timeout around the request. Waits for a connection are not affected.
    bool may_wait = true;
    /// Called on the I/O thread each time the request's bytes have been handed to the socket (the
    /// write completed; once for a request that is never resent). Tick-to-order ends there.
    std::function<void()> on_written;
};

/// The headers the gateway acts on.
struct response_headers {
    /// X-MBX-USED-WEIGHT-1M: the IP's used weight in the current minute.
    std::optional<std::int64_t> used_weight_1m;
    /// X-MBX-ORDER-COUNT-10S / -1D (successful orders only).
    std::optional<std::int64_t> order_count_10s;
    std::optional<std::int64_t> order_count_1d;
    /// Retry-After (429/418).
    std::optional<nanos> retry_after;
};

/// A complete HTTP answer (any status but 429, 418 and 5xx, which are errors).
struct response {
    unsigned status = 0;
    response_headers headers;
    std::string body;
    /// From sending the request to the complete response: after any rate-limit wait and any wait
    /// for a connection at the host's cap; a new connection's connect and TLS handshake count.
    nanos latency{0};
    /// The endpoint that answered.
    std::size_t endpoint = 0;
    /// Sent on a kept-alive connection from the pool.
    bool reused_connection = false;
};

/// Client settings.
struct http_client_options {
    /// Log label (never a key).
    std::string venue = "binance";
    /// Base URLs: the endpoint set, in executor index order ("https://api.binance.com", ...).
    std::vector<std::string> base_urls;
    tls_options tls;
    pool_options pool;
    /// Default I/O timeout of a request (pool wait + connect + TLS + write + read).
    nanos request_timeout = std::chrono::seconds{10};
    /// Default longest wait for the rate limiter when the request has no deadline.
    nanos max_rate_wait = std::chrono::seconds{61};
    /// Largest response body accepted.
    std::size_t max_body_bytes = 16u << 20;
    rate_limit_options limits;
    server_time_options time;
    /// The venue's server-time endpoint; it answers {"serverTime":<ms>}.
    std::string time_path = "/api/v3/time";
    /// Round trips per sync_time().
    std::size_t sync_samples = 3;
    /// Resync and resend a signed request once when the venue answers -1021 (timestamp outside
    /// recvWindow: the request was rejected, so resending is safe).
    bool resync_on_1021 = true;
    std::string user_agent = "genesis/0.1";
};

/// Counters since construction.
struct http_client_stats {
    std::uint64_t requests = 0;  ///< sent on the wire
    std::uint64_t responses = 0; ///< complete answers (any status)
    std::uint64_t failures = 0;  ///< transport errors and timeouts
    std::uint64_t cancelled = 0; ///< cancelled by the caller (e.g. a losing hedge)
    std::uint64_t outcome_unknown = 0;
    std::uint64_t refused = 0;       ///< refused by the rate limiter without sending
    std::uint64_t resyncs = 0;       ///< server-time resyncs after -1021
    std::uint64_t stale_retries = 0; ///< resent on a fresh connection after a stale pooled one
    std::uint64_t time_syncs = 0;    ///< server-time syncs run (each sync_samples requests)
    std::uint64_t sync_waits = 0;    ///< signed requests that waited for a sync another one ran
};

/// Use from the io_context's thread. Movable; in-flight requests keep the internals alive.
class http_client {
    struct impl;
    std::shared_ptr<impl> impl_;

    explicit http_client(std::shared_ptr<impl> p) noexcept;
    void stop_warm() noexcept;

public:
    /// Parses the URLs and sets up TLS (errors as endpoint_pool::create). clock and timers must
    /// outlive the client and its requests; timers serve rate-limit waits. log may be null.
    [[nodiscard]] static result<http_client> create(net::any_io_executor ex, const clock& clk,
                                                    resilience::timer_service& timers, http_client_options options,
                                                    log::logger_ptr log = nullptr);

    http_client(http_client&&) noexcept;
    http_client& operator=(http_client&&) noexcept;
    ~http_client();

    /// Sets the API key and signer for SIGNED requests. Never logged.
    void set_credentials(std::string api_key, signer sign);

    /// Sends req to endpoint `endpoint` (index into base_urls): waits for the rate limiter (up to
    /// the deadline), signs (syncing server time first when needed: concurrent signed requests
    /// wait for the one sync in flight), and returns the answer. Errors: http_errc (throttled,
    /// paused, banned, rate_limited, ip_banned, server_error, outcome_unknown, timed_out, ...),
    /// TLS/socket errors, net::error::operation_aborted when cancelled. A 4xx other than 429/418 is
    /// a response, not an error.
    net::awaitable<result<response>> send(request req, std::size_t endpoint = 0);

    /// Waits until the rate limiter would admit `weight` now (the venue's 429/418 pause over, room
    /// in the budget), reserving nothing; refused at once with the limiter's reason when that wait
    /// would pass `deadline` (default now + options.max_rate_wait) or the weight is never
    /// admittable. net::error::operation_aborted when cancelled.
    net::awaitable<result<void>> wait_for_limits(std::int64_t weight, std::optional<time_point> deadline = {});

    /// Starts keeping options.pool.warm_connections_per_host connections idle per endpoint (nothing when it
    /// is 0): opens them now in the background, replaces those requests take, and renews idle ones
    /// before the server drops them (endpoint_pool.hpp). Runs until the client is destroyed. Call
    /// on the I/O thread; calling again does nothing.
    void keep_warm();

    /// Measures the server-time offset with options.sync_samples round trips to endpoint.
    net::awaitable<result<void>> sync_time(std::size_t endpoint = 0);

    [[nodiscard]] std::size_t endpoint_count() const noexcept;
    [[nodiscard]] endpoint_pool& endpoints() noexcept;
    /// For endpoint_pool::stats(), which any thread may read.
    [[nodiscard]] const endpoint_pool& endpoints() const noexcept;
    [[nodiscard]] rate_limiter& limits() noexcept;
    [[nodiscard]] const rate_limiter& limits() const noexcept;
    /// The account's order counts (X-MBX-ORDER-COUNT-*; shared with WebSocket API order entry).
    [[nodiscard]] order_count_limiter& orders() noexcept;
    [[nodiscard]] const order_count_limiter& orders() const noexcept;
    [[nodiscard]] server_time& time() noexcept;
    [[nodiscard]] http_client_stats stats() const noexcept;
    /// The rate limiter's counters (any thread: the limiter has its own lock).
    [[nodiscard]] rate_limiter_stats limiter_stats() const;
};

/// The integer after `"key":` in a flat JSON body (e.g. serverTime, code); nullopt if absent.
[[nodiscard]] std::optional<std::int64_t> find_json_int(std::string_view body, std::string_view key) noexcept;

} // namespace genesis::rest
