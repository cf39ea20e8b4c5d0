#include "genesis/rest/endpoint_pool.hpp"

#include "connection.hpp"
#include "genesis/rest/http_error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

namespace genesis::rest {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// A pooled connection the peer closed (or wrote to unasked) reads as ready: it cannot be reused.
bool peer_closed(connection& c) {
    auto& sock = beast::get_lowest_layer(c.stream).socket();
    if (!sock.is_open())
        return true;
    pollfd p{};
    p.fd = sock.native_handle();
    p.events = POLLIN;
    return ::poll(&p, 1, 0) != 0;
}

// Publishes the I/O thread's view of h to the counters stats() reads from any thread.
void publish(endpoint_pool::impl::host& h) noexcept {
    h.idle_count.store(h.idle.size(), std::memory_order_relaxed);
    h.open_count.store(h.open, std::memory_order_relaxed);
    h.waiting.store(h.waiters.size(), std::memory_order_relaxed);
    if (h.open > h.peak_open.load(std::memory_order_relaxed))
        h.peak_open.store(h.open, std::memory_order_relaxed);
    if (h.waiters.size() > h.max_waiting.load(std::memory_order_relaxed))
        h.max_waiting.store(h.waiters.size(), std::memory_order_relaxed);
}

// Takes h's first waiter out of the queue; the caller gives it a connection or a share and wakes it.
pool_waiter& pop_waiter(endpoint_pool::impl::host& h) noexcept {
    pool_waiter& w = *h.waiters.front();
    w.unlink();
    return w;
}

// Wakes a served waiter (its wait completes as if cancelled; the waiter looks at what it holds).
void wake(pool_waiter& w) noexcept { w.timer.cancel(); }

} // namespace

void host_slot::reset() noexcept {
    if (pool_ == nullptr)
        return;
    std::exchange(pool_, nullptr)->release_slot(host_);
}

endpoint_pool::impl::~impl() {
    for (auto& h : hosts)
        h->idle.clear();
}

host_slot endpoint_pool::impl::take_slot(std::size_t i) noexcept {
    host& h = *hosts[i];
    ++h.open;
    publish(h);
    return {*this, i};
}

void endpoint_pool::impl::release_slot(std::size_t i) noexcept {
    host& h = *hosts[i];
    // FIFO: the share goes to the first waiter (it opens the next connection), never to a newcomer.
    if (!h.waiters.empty()) {
        pool_waiter& w = pop_waiter(h);
        w.slot = host_slot(*this, i);
        publish(h);
        wake(w);
        return;
    }
    --h.open;
    publish(h);
}

net::awaitable<result<lease>> endpoint_pool::impl::acquire(std::size_t i, net::any_io_executor ex, time_point now,
                                                           std::chrono::steady_clock::time_point deadline, bool fresh) {
    host& h = *hosts[i];
    if (!fresh) {
        if (auto c = take_idle(i, now))
            co_return lease{std::move(c), {}, true};
    } else if (at_cap(h) && !h.idle.empty()) {
        // A fresh connection at the cap: close the oldest idle one rather than wait for a busy one.
        std::unique_ptr<connection> oldest = std::move(h.idle.front());
        h.idle.pop_front();
        publish(h);
        discard(i, std::move(oldest));
    }
    if (!at_cap(h))
        co_return lease{nullptr, take_slot(i), false};

    // At the cap: queue until a connection comes back or a share frees, within the request's own
    // deadline. The timer is the wake-up: expiry is the timeout, cancel() means served.
    const auto cs = co_await net::this_coro::cancellation_state;
    pool_waiter w(ex);
    w.timer.expires_at(deadline);
    w.pos = h.waiters.insert(h.waiters.end(), &w);
    w.queue = &h.waiters;
    h.waits.fetch_add(1, std::memory_order_relaxed);
    publish(h);
    const auto queued_at = std::chrono::steady_clock::now();
    co_await w.timer.async_wait(use_tuple);
    w.unlink();
    publish(h);
    const auto left_at = std::chrono::steady_clock::now();
    h.wait_ns.fetch_add(std::chrono::duration_cast<nanos>(left_at - queued_at).count(), std::memory_order_relaxed);

    // Read synchronously: once cancelled, awaiting anything more would throw (throw_if_cancelled).
    const bool cancelled = cs.cancelled() != net::cancellation_type::none;
    const bool served = w.conn != nullptr || static_cast<bool>(w.slot);
    if (cancelled || !served || left_at >= deadline) {
        // Leaving: whatever this waiter was served with goes on to the next one, so it frees
        // nothing it did not hold and keeps nothing.
        if (w.conn)
            give_back(i, std::move(w.conn), now);
        w.slot.reset();
        if (cancelled) {
            h.wait_cancels.fetch_add(1, std::memory_order_relaxed);
            co_return error_code(net::error::operation_aborted);
        }
        h.wait_timeouts.fetch_add(1, std::memory_order_relaxed);
        co_return error_code(beast::error::timeout);
    }
    if (w.conn) {
        h.reuses.fetch_add(1, std::memory_order_relaxed);
        co_return lease{std::move(w.conn), {}, true};
    }
    co_return lease{nullptr, std::move(w.slot), false};
}

std::unique_ptr<connection> endpoint_pool::impl::take_idle(std::size_t i, time_point now) {
    host& h = *hosts[i];
    while (!h.idle.empty()) {
        std::unique_ptr<connection> c = std::move(h.idle.back());
        h.idle.pop_back();
        publish(h);
        // Servers drop idle peers: an old or half-closed connection would fail the request.
        if (now - c->idle_since > options.idle_timeout || peer_closed(*c)) {
            h.expired.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        h.reuses.fetch_add(1, std::memory_order_relaxed);
        return c;
    }
    return nullptr;
}

void endpoint_pool::impl::give_back(std::size_t i, std::unique_ptr<connection> c, time_point now) {
    put_back(i, std::move(c), now, false);
}

void endpoint_pool::impl::add_warm(std::size_t i, std::unique_ptr<connection> c, time_point now) {
    hosts[i]->warm_connects.fetch_add(1, std::memory_order_relaxed);
    put_back(i, std::move(c), now, true);
}

std::size_t endpoint_pool::impl::sweep_idle(std::size_t i, time_point now, nanos max_age) {
    host& h = *hosts[i];
    std::size_t closed = 0;
    for (auto it = h.idle.begin(); it != h.idle.end();) {
        const bool gone = peer_closed(**it);
        if (!gone && now - (*it)->idle_since <= max_age) {
            ++it;
            continue;
        }
        (gone ? h.expired : h.renewed).fetch_add(1, std::memory_order_relaxed);
        boost::system::error_code ec;
        beast::get_lowest_layer((*it)->stream).socket().close(ec);
        it = h.idle.erase(it);
        ++closed;
    }
    publish(h);
    return closed;
}

void endpoint_pool::impl::put_back(std::size_t i, std::unique_ptr<connection> c, time_point now, bool warm) {
    host& h = *hosts[i];
    // A waiter gets it at once: it is warm, and going idle would only make the waiter open another.
    if (!h.waiters.empty()) {
        pool_waiter& w = pop_waiter(h);
        c->idle_since = now;
        w.conn = std::move(c);
        if (!warm)
            h.returned.fetch_add(1, std::memory_order_relaxed);
        h.handoffs.fetch_add(1, std::memory_order_relaxed);
        publish(h);
        wake(w);
        return;
    }
    if (h.idle.size() >= options.max_idle_per_host) {
        discard(i, std::move(c));
        return;
    }
    c->idle_since = now;
    // A warm connection goes to the front: take_idle() hands out the most recently used first, so
    // the warm ones are kept in reserve for the bursts that need more than one.
    if (warm)
        h.idle.push_front(std::move(c));
    else
        h.idle.push_back(std::move(c));
    publish(h);
    if (!warm)
        h.returned.fetch_add(1, std::memory_order_relaxed);
}

void endpoint_pool::impl::discard(std::size_t i, std::unique_ptr<connection> c) {
    if (!c)
        return;
    boost::system::error_code ec;
    beast::get_lowest_layer(c->stream).socket().close(ec);
    hosts[i]->discarded.fetch_add(1, std::memory_order_relaxed);
}

net::awaitable<result<std::unique_ptr<connection>>>
endpoint_pool::impl::connect(std::size_t i, net::any_io_executor ex, host_slot slot,
                             std::chrono::steady_clock::time_point deadline) {
    const base_url& u = urls[i];
    host& h = *hosts[i];
    auto c = std::make_unique<connection>(ex, ctx, std::move(slot));
    const std::string& name = tls.verify_host.empty() ? u.host : tls.verify_host;

    // Set SNI Hostname (many hosts need this to handshake successfully); never for an IP literal.
    const bool name_is_ip = u.host_is_ip && tls.verify_host.empty();
    if (!name_is_ip && !SSL_set_tlsext_host_name(c->stream.native_handle(), name.c_str()))
        co_return error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
    // Verify the certificate against the host name (or IP) we meant to reach.
    if (tls.verify_peer) {
        c->stream.set_verify_mode(ssl::verify_peer);
        c->stream.set_verify_callback(ssl::host_name_verification(name));
    } else {
        c->stream.set_verify_mode(ssl::verify_none);
    }

    net::ip::tcp::resolver resolver(ex);
    auto [rec, results] = co_await resolver.async_resolve(u.host, std::to_string(u.port),
                                                          net::ip::tcp::resolver::numeric_service, use_tuple);
    if (rec)
        co_return rec;

    auto& tcp = beast::get_lowest_layer(c->stream);
    tcp.expires_at(deadline);
    auto [cec, ep] = co_await tcp.async_connect(results, use_tuple);
    if (cec)
        co_return cec;
    boost::system::error_code nd_ec;
    tcp.socket().set_option(net::ip::tcp::no_delay(true), nd_ec);

    tcp.expires_at(deadline);
    auto [hec] = co_await c->stream.async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) {
        if (hec.category() == net::error::get_ssl_category())
            h.tls_failures.fetch_add(1, std::memory_order_relaxed);
        co_return hec;
    }
    tcp.expires_never();
    h.connects.fetch_add(1, std::memory_order_relaxed);
    co_return std::move(c);
}

endpoint_pool::endpoint_pool(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
endpoint_pool::endpoint_pool(endpoint_pool&&) noexcept = default;
endpoint_pool& endpoint_pool::operator=(endpoint_pool&&) noexcept = default;
endpoint_pool::~endpoint_pool() = default;

result<endpoint_pool> endpoint_pool::create(const std::vector<std::string>& urls, tls_options tls,
                                            pool_options options) {
    if (urls.empty())
        return http_errc::invalid_url;
    auto p = std::make_unique<impl>();
    for (const auto& text : urls) {
        auto u = parse_base_url(text);
        if (!u)
            return u.error();
        p->urls.push_back(std::move(*u));
        p->hosts.push_back(std::make_unique<impl::host>());
    }
    p->tls = std::move(tls);
    p->options = options;
    boost::system::error_code ec;
    // TLS 1.2 or later only; compression and renegotiation off.
    p->ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression,
                       ec);
    if (ec)
        return ec;
    if (p->tls.verify_peer) {
        if (p->tls.ca_file.empty())
            p->ctx.set_default_verify_paths(ec);
        else
            p->ctx.load_verify_file(p->tls.ca_file, ec);
        if (ec)
            return ec;
    }
    return endpoint_pool(std::move(p));
}

std::size_t endpoint_pool::size() const noexcept { return impl_->urls.size(); }

const base_url& endpoint_pool::url(std::size_t i) const { return impl_->urls.at(i); }

pool_stats endpoint_pool::stats(std::size_t i) const {
    const auto& h = *impl_->hosts.at(i);
    constexpr auto r = std::memory_order_relaxed;
    pool_stats s;
    s.connects = h.connects.load(r);
    s.reuses = h.reuses.load(r);
    s.returned = h.returned.load(r);
    s.discarded = h.discarded.load(r);
    s.expired = h.expired.load(r);
    s.tls_failures = h.tls_failures.load(r);
    s.waits = h.waits.load(r);
    s.wait_timeouts = h.wait_timeouts.load(r);
    s.wait_cancels = h.wait_cancels.load(r);
    s.handoffs = h.handoffs.load(r);
    s.warm_connects = h.warm_connects.load(r);
    s.warm_failures = h.warm_failures.load(r);
    s.renewed = h.renewed.load(r);
    s.wait_time = nanos{h.wait_ns.load(r)};
    s.idle = h.idle_count.load(r);
    s.open = h.open_count.load(r);
    s.peak_open = h.peak_open.load(r);
    s.waiting = h.waiting.load(r);
    s.max_waiting = h.max_waiting.load(r);
    return s;
}

pool_stats endpoint_pool::total_stats() const {
    pool_stats t;
    for (std::size_t i = 0; i < size(); ++i) {
        const pool_stats s = stats(i);
        t.connects += s.connects;
        t.reuses += s.reuses;
        t.returned += s.returned;
        t.discarded += s.discarded;
        t.expired += s.expired;
        t.tls_failures += s.tls_failures;
        t.waits += s.waits;
        t.wait_timeouts += s.wait_timeouts;
        t.wait_cancels += s.wait_cancels;
        t.handoffs += s.handoffs;
        t.warm_connects += s.warm_connects;
        t.warm_failures += s.warm_failures;
        t.renewed += s.renewed;
        t.wait_time += s.wait_time;
        t.idle += s.idle;
        t.open += s.open;
        t.peak_open = std::max(t.peak_open, s.peak_open);
        t.waiting += s.waiting;
        t.max_waiting = std::max(t.max_waiting, s.max_waiting);
    }
    return t;
}

void endpoint_pool::close_idle() {
    for (std::size_t i = 0; i < impl_->hosts.size(); ++i) {
        auto& h = *impl_->hosts[i];
        while (!h.idle.empty()) {
            std::unique_ptr<connection> c = std::move(h.idle.back());
            h.idle.pop_back();
            impl_->discard(i, std::move(c));
        }
        publish(h);
    }
}

} // namespace genesis::rest
