// Internal: one pooled TLS connection and the pool's internals (Beast lives here, not in the
// public headers).
#pragma once

#include "genesis/rest/endpoint_pool.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <vector>

namespace genesis::rest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;

/// One TLS connection; destroying it closes the socket.
struct connection {
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    time_point idle_since{};
    std::uint64_t requests = 0;

    connection(const net::any_io_executor& ex, ssl::context& ctx) : stream(ex, ctx) {}
};

struct endpoint_pool::impl {
    struct host {
        std::deque<std::unique_ptr<connection>> idle;
        std::atomic<std::uint64_t> connects{0}, reuses{0}, returned{0}, discarded{0}, expired{0}, tls_failures{0};
        std::atomic<std::size_t> idle_count{0};
    };

    std::vector<base_url> urls;
    tls_options tls;
    pool_options options;
    ssl::context ctx{ssl::context::tls_client};
    std::vector<std::unique_ptr<host>> hosts;

    /// The most recently used idle connection of endpoint i that is still usable, or null.
    std::unique_ptr<connection> take_idle(std::size_t i, time_point now);
    /// Puts a connection that finished a response cleanly back (or closes it when the pool is full).
    void give_back(std::size_t i, std::unique_ptr<connection> c, time_point now);
    /// Counts a connection closed instead of returned.
    void discard(std::size_t i, std::unique_ptr<connection> c);
    /// Resolves, connects and handshakes a new connection to endpoint i before deadline.
    net::awaitable<result<std::unique_ptr<connection>>> connect(std::size_t i, net::any_io_executor ex,
                                                                std::chrono::steady_clock::time_point deadline);
};

} // namespace genesis::rest
