// One TLS WebSocket connection of a session (internal: Beast lives here and in the .cpp files).
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/ws/error.hpp"
#include "genesis/ws/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <utility>

namespace genesis::ws {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;

/// Expected errors (closed, aborted, timeouts) come back as values, never as exceptions.
inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

using strand_t = net::strand<net::io_context::executor_type>;
using ws_stream = websocket::stream<ssl::stream<beast::tcp_stream>>;

/// An outgoing message, or the request to close.
struct out_item {
    std::string text;
    bool close = false;
    send_done done; // told once: written, not_sent or unknown
};

/// Socket, queue and timers of one connection; every member is used on the session's strand.
struct connection {
    std::uint64_t id;
    tcp::resolver resolver;
    ws_stream ws;
    std::deque<out_item> out;     // one async_write in flight; the rest wait here
    net::steady_timer write_wake; // the writer sleeps on it while `out` is empty
    net::steady_timer deadline;   // bounds a graceful close
    time_point last_frame{};
    std::uint64_t frames = 0;
    bool open = false;    // the WebSocket handshake completed
    bool closing = false; // a close is queued
    bool retired = false; // replaced by a rotation
    bool dead = false;    // the reader ended or the connect failed

    connection(const strand_t& strand, ssl::context& tls, std::uint64_t conn_id)
            : id(conn_id), resolver(strand), ws(strand, tls), write_wake(strand), deadline(strand) {}

    /// Cancels everything pending and closes the socket at once.
    void cut() noexcept {
        resolver.cancel();
        beast::get_lowest_layer(ws).close();
        write_wake.cancel();
        deadline.cancel();
    }
};

/// What connect() needs besides the connection.
struct connect_settings {
    std::string host;
    std::string port;
    std::string tls_host; // SNI and certificate name
    std::string host_header;
    std::string target; // may hold a secret: never logged
    std::string user_agent;
    nanos connect_timeout;
    nanos handshake_timeout;
    nanos keepalive_idle;
    std::size_t max_message_bytes;
};

/// A client TLS context: peer verification on, TLS 1.2 or later, trusting ca_file (or the
/// system's default paths when empty). Errors: ca_file_invalid.
[[nodiscard]] result<ssl::context> make_tls_context(const std::string& ca_file);

/// Resolve, TCP connect, TLS handshake (SNI + host name verification), WebSocket upgrade, each
/// under its deadline. Returns ws_errc::ok or why it failed, with the underlying error.
net::awaitable<std::pair<ws_errc, error_code>> connect(connection& c, const connect_settings& s);

/// Maps the error that ended a read loop. `local` is true when we were closing the connection.
ws_errc classify_read_error(const error_code& ec, bool local) noexcept;

} // namespace genesis::ws
