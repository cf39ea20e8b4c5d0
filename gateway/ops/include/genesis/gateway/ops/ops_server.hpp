// The ops endpoint: plain HTTP/1.1 on loopback with an optional bearer token, a small router
// and asynchronous handlers that may reply from any thread.
#pragma once

#include "genesis/core/error.hpp"
#include "genesis/log/fwd.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace genesis::gateway::ops {

/// The methods the router knows; anything else is answered 405 (or 501 when unparsable).
enum class http_method { get, post, put, delete_ };

/// "GET", "POST", "PUT", "DELETE".
[[nodiscard]] std::string_view to_string(http_method m) noexcept;

/// One request, as a handler sees it. Valid only during the handler call: copy what you keep.
struct ops_request {
    http_method method = http_method::get;
    /// The path without the query, e.g. "/strategies/mm/reload".
    std::string path;
    /// The text after '?', undecoded; empty when absent.
    std::string query;
    std::string body;
    /// The Content-Type header; empty when absent.
    std::string content_type;
    /// The {name} segment of the route pattern, percent-decoded, as (name, value); at most one.
    std::vector<std::pair<std::string, std::string>> params;

    /// The value of route parameter `name`, if the pattern has it.
    [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const;
};

/// A reply. Connection, Content-Length and Server are set by the server.
struct ops_response {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    /// Extra headers (e.g. Retry-After).
    std::vector<std::pair<std::string, std::string>> headers;

    [[nodiscard]] static ops_response text(unsigned status, std::string body);
    [[nodiscard]] static ops_response json(unsigned status, std::string body);
};

/// Sends the reply of one request. Callable once, from any thread; later calls are ignored, and
/// so is a call after the connection closed or the handler timed out.
using ops_reply = std::function<void(ops_response)>;

/// Handles a request asynchronously: do the work wherever it belongs (post it to the processing
/// thread) and call `reply` from there. An exception thrown by the handler itself is answered 500.
using ops_handler = std::function<void(const ops_request&, ops_reply reply)>;

/// How the server listens and what it tolerates.
struct ops_server_options {
    /// Must be loopback (127.x.x.x, ::1, localhost); start() refuses anything else.
    std::string host = "127.0.0.1";
    /// 0: an ephemeral port (see ops_server::port()).
    std::uint16_t port = 0;
    /// When non-empty, "Authorization: Bearer <token>" is required on every request (else 401).
    std::string bearer_token;
    /// Larger request bodies are answered 413 and the connection is closed.
    std::size_t body_limit = 64 * 1024;
    /// Larger request headers are answered 431 and the connection is closed.
    std::size_t header_limit = 8 * 1024;
    /// Time to receive one request (also the keep-alive idle time) and to write one response.
    std::chrono::milliseconds read_timeout{10'000};
    /// Time a handler has to reply before the server answers 503 itself.
    std::chrono::milliseconds handler_timeout{10'000};
    /// Connections beyond this are closed at once (counted in rejected_connections).
    std::size_t max_connections = 16;
};

/// A snapshot of the server's counters (readable from any thread).
struct ops_counters {
    std::uint64_t requests = 0;
    /// Responses by status class: [0] 1xx ... [4] 5xx.
    std::uint64_t responses_by_class[5] = {};
    std::uint64_t unauthorized = 0;
    /// Refused as coming from a web page (Origin or Sec-Fetch-Site header, or a Host that is not
    /// a loopback address: cross-site requests and DNS rebinding), before any handler runs.
    std::uint64_t forbidden = 0;
    std::uint64_t handler_timeouts = 0;
    std::uint64_t accepted_connections = 0;
    std::uint64_t rejected_connections = 0;
    std::uint64_t active_connections = 0;
};

/// The ops HTTP server. Routes are added before start(); it then runs on the given io_context
/// (the gateway's I/O thread), each connection on its own strand, one request at a time.
/// Unknown paths get 404, a known path with another method 405 with Allow. Auth is checked
/// before routing (constant-time compare); the token is never logged.
class ops_server {
public:
    struct impl;

private:
    std::shared_ptr<impl> impl_;

public:
    /// `log` may be null (no logging).
    ops_server(boost::asio::io_context& ioc, ops_server_options options, log::logger_ptr log = nullptr);
    /// Calls stop().
    ~ops_server();
    ops_server(const ops_server&) = delete;
    ops_server& operator=(const ops_server&) = delete;

    /// Adds a route. `pattern` is an absolute path; one segment may be "{name}", matching any
    /// one non-empty segment (POST /strategies/{name}/reload). Call before start(). Throws
    /// std::invalid_argument for a malformed pattern or a duplicate (method, pattern) (startup only).
    void route(http_method method, std::string pattern, ops_handler handler);

    /// Binds and listens, then accepts on the io_context. Errors: ops_errc::non_loopback_host,
    /// ops_errc::already_started, or the resolve/bind/listen error. Call from any thread.
    [[nodiscard]] result<void> start();

    /// Closes the acceptor and every connection (pending handler replies are then ignored).
    /// Idempotent; callable from any thread (the closing runs on the io_context).
    void stop();

    /// The bound port after a successful start() (the ephemeral one when options.port is 0).
    [[nodiscard]] std::uint16_t port() const noexcept;

    /// The counters so far.
    [[nodiscard]] ops_counters counters() const noexcept;
};

} // namespace genesis::gateway::ops
