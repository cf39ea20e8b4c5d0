#include "genesis/rest/endpoint_pool.hpp"

#include "connection.hpp"
#include "genesis/rest/http_error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

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

} // namespace

std::unique_ptr<connection> endpoint_pool::impl::take_idle(std::size_t i, time_point now) {
    host& h = *hosts[i];
    while (!h.idle.empty()) {
        std::unique_ptr<connection> c = std::move(h.idle.back());
        h.idle.pop_back();
        h.idle_count.store(h.idle.size(), std::memory_order_relaxed);
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
    host& h = *hosts[i];
    if (h.idle.size() >= options.max_idle_per_host) {
        discard(i, std::move(c));
        return;
    }
    c->idle_since = now;
    h.idle.push_back(std::move(c));
    h.idle_count.store(h.idle.size(), std::memory_order_relaxed);
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
endpoint_pool::impl::connect(std::size_t i, net::any_io_executor ex, std::chrono::steady_clock::time_point deadline) {
    const base_url& u = urls[i];
    host& h = *hosts[i];
    auto c = std::make_unique<connection>(ex, ctx);
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
    return {h.connects.load(r), h.reuses.load(r),       h.returned.load(r),  h.discarded.load(r),
            h.expired.load(r),  h.tls_failures.load(r), h.idle_count.load(r)};
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
        t.idle += s.idle;
    }
    return t;
}

void endpoint_pool::close_idle() {
    for (std::size_t i = 0; i < impl_->hosts.size(); ++i) {
        auto& h = *impl_->hosts[i];
        while (!h.idle.empty()) {
            impl_->discard(i, std::move(h.idle.back()));
            h.idle.pop_back();
        }
        h.idle_count.store(0, std::memory_order_relaxed);
    }
}

} // namespace genesis::rest
