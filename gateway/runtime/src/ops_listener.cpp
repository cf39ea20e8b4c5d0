#include "ops_listener.hpp"

#include "genesis/log/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <set>

namespace genesis::gateway::runtime {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// Constant-time comparison: the token never leaks through timing.
bool same(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

} // namespace

struct ops_listener::impl : std::enable_shared_from_this<impl> {
    net::io_context& ioc;
    ops_listener_options opt;
    ops_dispatch dispatch;
    log::logger_ptr log;
    tcp::acceptor acceptor;
    std::set<std::shared_ptr<beast::tcp_stream>> conns;
    std::atomic<std::uint16_t> bound{0};
    bool stopped = false;

    impl(net::io_context& io, ops_listener_options o, ops_dispatch d, log::logger_ptr l)
            : ioc(io), opt(std::move(o)), dispatch(std::move(d)), log(std::move(l)), acceptor(io) {}

    net::awaitable<void> accept_loop() {
        auto self = shared_from_this();
        while (!stopped) {
            auto [ec, sock] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
            if (ec)
                co_return;
            if (conns.size() >= opt.max_connections)
                continue; // the socket closes: too many clients
            auto s = std::make_shared<beast::tcp_stream>(std::move(sock));
            conns.insert(s);
            net::co_spawn(ioc, serve(s), net::detached);
        }
    }

    net::awaitable<void> serve(std::shared_ptr<beast::tcp_stream> s) {
        auto self = shared_from_this();
        beast::flat_buffer buf;
        while (!stopped) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(opt.max_body);
            s->expires_after(std::chrono::seconds{30});
            auto [ec, n] = co_await http::async_read(*s, buf, parser, net::as_tuple(net::use_awaitable));
            (void)n;
            if (ec)
                break;
            auto req = parser.release();
            ops_reply rep;
            const auto auth = req[http::field::authorization];
            if (!opt.bearer_token.empty() && !(auth.starts_with("Bearer ") && same(auth.substr(7), opt.bearer_token))) {
                rep = {401, "text/plain", "unauthorized\n"};
            } else {
                // Ask the gateway, then wait for its answer on this connection's coroutine.
                net::steady_timer wake(ioc, net::steady_timer::time_point::max());
                auto answer = std::make_shared<std::optional<ops_reply>>();
                auto* w = &wake;
                auto alive = std::make_shared<bool>(true);
                dispatch(std::string(req.method_string()), std::string(req.target().substr(0, req.target().find('?'))),
                         [this, answer, w, alive](ops_reply r) {
                             net::post(ioc, [answer, w, alive, r = std::move(r)]() mutable {
                                 if (!*alive)
                                     return;
                                 *answer = std::move(r);
                                 w->cancel();
                             });
                         });
                wake.expires_after(std::chrono::seconds{5});
                auto [wec] = co_await wake.async_wait(net::as_tuple(net::use_awaitable));
                (void)wec;
                *alive = false;
                rep = answer->has_value() ? std::move(**answer) : ops_reply{503, "text/plain", "no answer in time\n"};
            }
            http::response<http::string_body> res{static_cast<http::status>(rep.status), req.version()};
            res.set(http::field::server, "genesis-gateway");
            res.set(http::field::content_type, rep.content_type);
            if (rep.status == 401)
                res.set(http::field::www_authenticate, "Bearer");
            res.keep_alive(req.keep_alive());
            res.body() = std::move(rep.body);
            res.prepare_payload();
            auto [wec2, wn] = co_await http::async_write(*s, res, net::as_tuple(net::use_awaitable));
            (void)wn;
            if (wec2 || !res.keep_alive())
                break;
        }
        beast::error_code ignored;
        s->socket().shutdown(tcp::socket::shutdown_both, ignored);
        s->close();
        conns.erase(s);
    }
};

ops_listener::ops_listener(net::io_context& ioc, ops_listener_options options, ops_dispatch dispatch,
                           log::logger_ptr log)
        : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(dispatch), std::move(log))) {}

ops_listener::~ops_listener() = default;

result<void> ops_listener::start() {
    auto& a = *impl_;
    const std::string host = a.opt.host == "localhost" ? "127.0.0.1" : a.opt.host;
    boost::system::error_code ec;
    const auto addr = net::ip::make_address(host, ec);
    if (ec || !addr.is_loopback())
        return make_error_code(boost::system::errc::invalid_argument);
    tcp::endpoint ep(addr, a.opt.port);
    a.acceptor.open(ep.protocol(), ec);
    if (!ec)
        a.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec)
        a.acceptor.bind(ep, ec);
    if (!ec)
        a.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return ec;
    a.bound = a.acceptor.local_endpoint().port();
    net::co_spawn(a.ioc, a.accept_loop(), net::detached);
    return {};
}

void ops_listener::stop() {
    auto& a = *impl_;
    a.stopped = true;
    boost::system::error_code ec;
    a.acceptor.close(ec);
    for (const auto& c : a.conns)
        c->socket().close(ec);
}

std::uint16_t ops_listener::port() const noexcept { return impl_->bound.load(); }

} // namespace genesis::gateway::runtime
