// Internal: one pooled TLS connection and the pool's internals (Beast lives here, not in the
// public headers).
#pragma once

#include "genesis/rest/endpoint_pool.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <list>
#include <memory>
#include <utility>
#include <vector>

namespace genesis::rest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;

/// One share of a host's max_connections_per_host, held from the start of a connect until the
/// connection closes. Releasing it hands it to the host's first waiter, or frees it. I/O thread only.
class host_slot {
    endpoint_pool::impl* pool_ = nullptr;
    std::size_t host_ = 0;

public:
    host_slot() noexcept = default;
    host_slot(endpoint_pool::impl& pool, std::size_t host) noexcept : pool_(&pool), host_(host) {}
    host_slot(host_slot&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)), host_(o.host_) {}
    host_slot& operator=(host_slot&& o) noexcept {
        if (this != &o) {
            reset();
            pool_ = std::exchange(o.pool_, nullptr);
            host_ = o.host_;
        }
        return *this;
    }
    host_slot(const host_slot&) = delete;
    host_slot& operator=(const host_slot&) = delete;
    ~host_slot() { reset(); }

    /// Gives the share back (to the first waiter, if any); then holds nothing.
    void reset() noexcept;
    explicit operator bool() const noexcept { return pool_ != nullptr; }
};

/// One TLS connection; destroying it closes the socket and releases its share of the cap.
struct connection {
    // First member: released last, after the socket is closed.
    host_slot slot;
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    time_point idle_since{};
    std::uint64_t requests = 0;

    connection(const net::any_io_executor& ex, ssl::context& ctx, host_slot s) : slot(std::move(s)), stream(ex, ctx) {}
};

/// A request queued at a host's cap. Served with either a returned connection or a freed share.
struct pool_waiter {
    /// Expires at the request's deadline; cancelled when the waiter is served.
    net::steady_timer timer;
    std::unique_ptr<connection> conn;
    host_slot slot;
    std::list<pool_waiter*>* queue = nullptr;
    std::list<pool_waiter*>::iterator pos;

    explicit pool_waiter(const net::any_io_executor& ex) : timer(ex) {}
    pool_waiter(const pool_waiter&) = delete;
    pool_waiter& operator=(const pool_waiter&) = delete;
    // A coroutine frame destroyed mid-wait (io_context torn down) must not stay in the queue.
    ~pool_waiter() { unlink(); }

    void unlink() noexcept {
        if (queue != nullptr)
            queue->erase(pos);
        queue = nullptr;
    }
};

/// What a request got from the pool: a connection, or a share of the cap to open one with.
struct lease {
    std::unique_ptr<connection> conn;
    host_slot slot;
    /// conn was kept alive from an earlier response (idle, or handed over by another request).
    bool reused = false;
};

struct endpoint_pool::impl {
    struct host {
        std::deque<std::unique_ptr<connection>> idle;
        /// FIFO of requests waiting at the cap; non-empty only while idle is empty.
        std::list<pool_waiter*> waiters;
        /// Shares held: open connections, idle and connecting ones included.
        std::size_t open = 0;
        std::atomic<std::uint64_t> connects{0}, reuses{0}, returned{0}, discarded{0}, expired{0}, tls_failures{0};
        std::atomic<std::uint64_t> waits{0}, wait_timeouts{0}, wait_cancels{0}, handoffs{0};
        std::atomic<std::uint64_t> warm_connects{0}, warm_failures{0}, renewed{0};
        /// After a warm connect failed, none is tried again before this (the host may be down).
        time_point warm_retry_at{};
        std::atomic<std::int64_t> wait_ns{0};
        std::atomic<std::size_t> idle_count{0}, open_count{0}, peak_open{0}, waiting{0}, max_waiting{0};
    };

    std::vector<base_url> urls;
    tls_options tls;
    pool_options options;
    ssl::context ctx{ssl::context::tls_client};
    std::vector<std::unique_ptr<host>> hosts;

    impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    /// Closes idle connections while the hosts their shares point to still exist.
    ~impl();

    /// A connection to endpoint i or a share to connect() with: an idle connection (never when
    /// fresh), else a share while the host is under its cap, else the first connection that comes
    /// back or share that frees up, in FIFO order, before deadline. A fresh request at the cap
    /// closes the oldest idle connection instead of waiting behind it. Errors:
    /// beast::error::timeout (deadline passed in the queue), net::error::operation_aborted
    /// (cancelled in the queue).
    net::awaitable<result<lease>> acquire(std::size_t i, net::any_io_executor ex, time_point now,
                                          std::chrono::steady_clock::time_point deadline, bool fresh);
    /// The most recently used idle connection of endpoint i that is still usable, or null.
    std::unique_ptr<connection> take_idle(std::size_t i, time_point now);
    /// Puts a connection that finished a response cleanly back: to the first waiter, else idle
    /// (or closes it when the idle list is full).
    void give_back(std::size_t i, std::unique_ptr<connection> c, time_point now);
    /// Adds a warm connection (opened ahead of need): to the first waiter, else idle (or closes it
    /// when the idle list is full). Counted as a warm connect, not a return.
    void add_warm(std::size_t i, std::unique_ptr<connection> c, time_point now);
    /// Closes endpoint i's idle connections that the peer closed (counted as expired) or that have
    /// been idle longer than max_age (counted as renewed: closed before the server drops them, so
    /// that a warm one replaces them). Returns how many were closed.
    std::size_t sweep_idle(std::size_t i, time_point now, nanos max_age);
    /// give_back() and add_warm().
    void put_back(std::size_t i, std::unique_ptr<connection> c, time_point now, bool warm);
    /// Counts a connection closed instead of returned.
    void discard(std::size_t i, std::unique_ptr<connection> c);
    /// Takes a share of endpoint i's cap (the caller checked there is one).
    host_slot take_slot(std::size_t i) noexcept;
    /// host_slot::reset(): hands the share to the first waiter, or frees it.
    void release_slot(std::size_t i) noexcept;
    /// Resolves, connects and handshakes a new connection to endpoint i before deadline; the
    /// connection holds slot (a failed connect releases it).
    net::awaitable<result<std::unique_ptr<connection>>> connect(std::size_t i, net::any_io_executor ex, host_slot slot,
                                                                std::chrono::steady_clock::time_point deadline);
    /// Every share of h is held (never with max_connections_per_host 0).
    [[nodiscard]] bool at_cap(const host& h) const noexcept {
        return options.max_connections_per_host != 0 && h.open >= options.max_connections_per_host;
    }
};

} // namespace genesis::rest
