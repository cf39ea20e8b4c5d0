// The ops HTTP server: one coroutine per connection on its own strand, handlers replying from
// any thread through a post back to that strand.
#include "genesis/gateway/ops/ops_server.hpp"

#include "genesis/gateway/ops/error.hpp"
#include "genesis/gateway/ops/ops_config.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace genesis::gateway::ops {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// Expected errors (closed, timeout, aborted) become values: auto [ec, n] = co_await op(use_tuple).
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct route_entry {
    http_method method = http_method::get;
    std::string pattern;
    std::vector<std::string> segments;
    // Index of the {name} segment, or -1.
    int param_index = -1;
    std::string param_name;
    ops_handler handler;
};

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t pos = 1;
    while (pos <= path.size()) {
        const std::size_t slash = path.find('/', pos);
        out.emplace_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
        if (slash == std::string_view::npos)
            break;
        pos = slash + 1;
    }
    return out;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// Compares every byte whatever the first difference, so timing does not reveal the token.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = std::max(a.size(), b.size());
    unsigned diff = a.size() == b.size() ? 0U : 1U;
    for (std::size_t i = 0; i < n; ++i) {
        const auto ca = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
        const auto cb = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
        diff |= static_cast<unsigned>(ca ^ cb);
    }
    return diff == 0;
}

// Whether a request may come from a web page rather than from a tool on this machine. A browser
// sends Origin on cross-origin POSTs (a page could otherwise POST /kill to 127.0.0.1) and
// Sec-Fetch-Site on every request; a DNS-rebinding page reaches 127.0.0.1 under its own Host name.
// curl, Prometheus and scripts send none of these and name the loopback address in Host.
bool from_browser(const http::request<http::string_body>& req) {
    if (req.find(http::field::origin) != req.end())
        return true;
    if (const auto it = req.find("Sec-Fetch-Site"); it != req.end() && !beast::iequals(it->value(), "none"))
        return true;
    const auto host = req.find(http::field::host);
    if (host == req.end())
        return false; // HTTP/1.0 without Host: not a browser
    std::string_view h(host->value().data(), host->value().size());
    if (h.starts_with('[')) {
        h = h.substr(0, h.find(']') + 1);
    } else if (const auto colon = h.rfind(':'); colon != std::string_view::npos) {
        h = h.substr(0, colon);
    }
    const bool loopback = beast::iequals(h, "localhost") || h == "[::1]" || h.starts_with("127.");
    return !loopback;
}

std::optional<http_method> to_method(http::verb v) noexcept {
    switch (v) {
    case http::verb::get: return http_method::get;
    case http::verb::post: return http_method::post;
    case http::verb::put: return http_method::put;
    case http::verb::delete_: return http_method::delete_;
    default: return std::nullopt;
    }
}

// One handler's answer, reached from any thread through a post to the connection's strand.
struct pending_reply {
    net::steady_timer timer;
    std::optional<ops_response> response;
    // Set by the first reply, by a timeout or by a close: later replies are ignored.
    std::atomic<bool> done{false};

    explicit pending_reply(const net::any_io_executor& ex) : timer(ex) {}
};

struct connection {
    beast::tcp_stream stream;
    bool closed = false;
    std::shared_ptr<pending_reply> pending;

    explicit connection(tcp::socket s) : stream(std::move(s)) {}

    // Runs on the connection's strand.
    void close() {
        closed = true;
        if (pending) {
            pending->done.store(true);
            pending->timer.cancel();
        }
        boost::system::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream.close();
    }
};

} // namespace

struct ops_server::impl : std::enable_shared_from_this<ops_server::impl> {
    net::io_context& ioc;
    ops_server_options opts;
    log::logger_ptr log;
    std::vector<route_entry> routes;
    net::strand<net::io_context::executor_type> acceptor_strand;
    tcp::acceptor acceptor;
    std::atomic<bool> started{false};
    std::atomic<bool> stopped{false};
    std::atomic<std::uint16_t> bound_port{0};

    std::mutex mu;
    std::unordered_map<std::uint64_t, std::weak_ptr<connection>> connections;
    std::uint64_t next_id = 0;

    std::atomic<std::uint64_t> requests{0};
    std::array<std::atomic<std::uint64_t>, 5> by_class{};
    std::atomic<std::uint64_t> unauthorized{0};
    std::atomic<std::uint64_t> forbidden{0};
    std::atomic<std::uint64_t> handler_timeouts{0};
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> rejected{0};
    std::atomic<std::uint64_t> active{0};

    impl(net::io_context& io, ops_server_options o, log::logger_ptr l)
            : ioc(io), opts(std::move(o)), log(std::move(l)), acceptor_strand(net::make_strand(io)),
              acceptor(acceptor_strand) {}

    net::awaitable<void> accept_loop();
    net::awaitable<void> run_connection(std::shared_ptr<connection> c, std::uint64_t id);
    net::awaitable<ops_response> answer(connection& c, const http::request<http::string_body>& req);
    net::awaitable<void> write(connection& c, const http::request<http::string_body>& req, const ops_response& r,
                               bool keep_alive, boost::system::error_code& ec);
    bool authorized(const http::request<http::string_body>& req) const;
};

namespace {

void count_status(std::array<std::atomic<std::uint64_t>, 5>& by_class, unsigned status) {
    const unsigned cls = std::clamp(status / 100U, 1U, 5U) - 1U;
    by_class[cls].fetch_add(1, std::memory_order_relaxed);
}

} // namespace

std::string_view to_string(http_method m) noexcept {
    switch (m) {
    case http_method::get: return "GET";
    case http_method::post: return "POST";
    case http_method::put: return "PUT";
    case http_method::delete_: return "DELETE";
    }
    return "GET";
}

std::optional<std::string_view> ops_request::param(std::string_view name) const {
    for (const auto& [k, v] : params)
        if (k == name)
            return std::string_view(v);
    return std::nullopt;
}

ops_response ops_response::text(unsigned status, std::string body) {
    ops_response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

ops_response ops_response::json(unsigned status, std::string body) {
    ops_response r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(body);
    return r;
}

ops_server::ops_server(boost::asio::io_context& ioc, ops_server_options options, log::logger_ptr log)
        : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(log))) {}

ops_server::~ops_server() { stop(); }

void ops_server::route(http_method method, std::string pattern, ops_handler handler) {
    if (pattern.empty() || pattern.front() != '/' || pattern.find('?') != std::string::npos)
        throw std::invalid_argument("ops route pattern must be an absolute path: " + pattern);
    if (!handler)
        throw std::invalid_argument("ops route without a handler: " + pattern);
    route_entry e;
    e.method = method;
    e.pattern = pattern;
    e.segments = split_path(pattern);
    for (std::size_t i = 0; i < e.segments.size(); ++i) {
        const std::string& s = e.segments[i];
        const bool open = s.find('{') != std::string::npos || s.find('}') != std::string::npos;
        if (!open)
            continue;
        if (s.size() < 3 || s.front() != '{' || s.back() != '}' || e.param_index >= 0 ||
            s.find_first_of("{}", 1) != s.size() - 1)
            throw std::invalid_argument("ops route pattern may hold one whole {name} segment: " + pattern);
        e.param_index = static_cast<int>(i);
        e.param_name = s.substr(1, s.size() - 2);
    }
    for (const auto& r : impl_->routes)
        if (r.method == method && r.segments == e.segments)
            throw std::invalid_argument("duplicate ops route: " + std::string(to_string(method)) + " " + pattern);
    e.handler = std::move(handler);
    impl_->routes.push_back(std::move(e));
}

result<void> ops_server::start() {
    impl& s = *impl_;
    if (!is_loopback_host(s.opts.host))
        return make_error_code(ops_errc::non_loopback_host);
    if (s.started.exchange(true) || s.stopped.load())
        return make_error_code(ops_errc::already_started);
    std::string host = s.opts.host;
    if (host == "localhost")
        host = "127.0.0.1";
    else if (host == "[::1]")
        host = "::1";
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (ec)
        return ec;
    // Open, bind and listen synchronously: errors belong to start(), not to the event loop.
    const tcp::endpoint ep(address, s.opts.port);
    if (s.acceptor.open(ep.protocol(), ec); ec)
        return ec;
    if (s.acceptor.set_option(net::socket_base::reuse_address(true), ec); ec)
        return ec;
    if (s.acceptor.bind(ep, ec); ec)
        return ec;
    if (s.acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
        return ec;
    s.bound_port.store(s.acceptor.local_endpoint(ec).port());
    if (s.log)
        s.log->info("ops: listening on http://{}:{} (auth {})", s.opts.host, s.bound_port.load(),
                    s.opts.bearer_token.empty() ? "off" : "bearer");
    net::co_spawn(
        s.acceptor_strand, [self = impl_]() { return self->accept_loop(); }, net::detached);
    return {};
}

void ops_server::stop() {
    if (impl_->stopped.exchange(true))
        return;
    auto self = impl_;
    // The acceptor and each connection close on their own strands.
    net::post(self->acceptor_strand, [self] {
        boost::system::error_code ec;
        self->acceptor.close(ec);
    });
    std::lock_guard lock(self->mu);
    for (auto& [id, weak] : self->connections) {
        if (auto c = weak.lock())
            net::post(c->stream.get_executor(), [c] { c->close(); });
    }
}

std::uint16_t ops_server::port() const noexcept { return impl_->bound_port.load(); }

ops_counters ops_server::counters() const noexcept {
    const impl& s = *impl_;
    ops_counters c;
    c.requests = s.requests.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < 5; ++i)
        c.responses_by_class[i] = s.by_class[i].load(std::memory_order_relaxed);
    c.unauthorized = s.unauthorized.load(std::memory_order_relaxed);
    c.forbidden = s.forbidden.load(std::memory_order_relaxed);
    c.handler_timeouts = s.handler_timeouts.load(std::memory_order_relaxed);
    c.accepted_connections = s.accepted.load(std::memory_order_relaxed);
    c.rejected_connections = s.rejected.load(std::memory_order_relaxed);
    c.active_connections = s.active.load(std::memory_order_relaxed);
    return c;
}

net::awaitable<void> ops_server::impl::accept_loop() {
    auto self = shared_from_this();
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), use_tuple);
        if (stopped.load() || ec == net::error::operation_aborted)
            break;
        if (ec) {
            if (log)
                log->warn("ops: accept failed: {}", ec.message());
            // Out of descriptors and the like: back off briefly instead of spinning.
            net::steady_timer t(acceptor_strand, std::chrono::milliseconds(50));
            co_await t.async_wait(use_tuple);
            continue;
        }
        // Bounded connections: close the extra one at once.
        if (active.load() >= opts.max_connections) {
            rejected.fetch_add(1, std::memory_order_relaxed);
            boost::system::error_code ignored;
            socket.close(ignored);
            continue;
        }
        accepted.fetch_add(1, std::memory_order_relaxed);
        active.fetch_add(1);
        auto c = std::make_shared<connection>(std::move(socket));
        std::uint64_t id = 0;
        {
            std::lock_guard lock(mu);
            id = next_id++;
            connections.emplace(id, c);
        }
        net::co_spawn(
            c->stream.get_executor(), [self, c, id]() { return self->run_connection(c, id); }, net::detached);
    }
}

bool ops_server::impl::authorized(const http::request<http::string_body>& req) const {
    if (opts.bearer_token.empty())
        return true;
    const auto it = req.find(http::field::authorization);
    if (it == req.end())
        return false;
    const std::string_view value(it->value().data(), it->value().size());
    constexpr std::string_view scheme = "bearer ";
    if (value.size() < scheme.size() || !beast::iequals(value.substr(0, scheme.size()), scheme))
        return false;
    return constant_time_equal(value.substr(scheme.size()), opts.bearer_token);
}

net::awaitable<ops_response> ops_server::impl::answer(connection& c, const http::request<http::string_body>& req) {
    if (from_browser(req)) {
        forbidden.fetch_add(1, std::memory_order_relaxed);
        co_return ops_response::text(403, "requests from web pages are refused (Origin, Sec-Fetch-Site or a Host "
                                          "that is not a loopback address)\n");
    }
    if (!authorized(req)) {
        unauthorized.fetch_add(1, std::memory_order_relaxed);
        ops_response r = ops_response::text(401, "unauthorized\n");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"genesis-ops\"");
        co_return r;
    }
    const std::string_view target(req.target().data(), req.target().size());
    const std::size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    if (path.empty() || path.front() != '/')
        co_return ops_response::text(400, "bad request target\n");
    const auto segments = split_path(path);
    const auto method = to_method(req.method());

    // Find the route; a path known under other methods is a 405 listing them.
    const route_entry* chosen = nullptr;
    std::string allow;
    for (const auto& r : routes) {
        if (r.segments.size() != segments.size())
            continue;
        bool match = true;
        for (std::size_t i = 0; i < segments.size() && match; ++i)
            match = static_cast<int>(i) == r.param_index ? !segments[i].empty() : segments[i] == r.segments[i];
        if (!match)
            continue;
        if (method && r.method == *method) {
            chosen = &r;
            break;
        }
        if (allow.find(to_string(r.method)) == std::string::npos)
            allow += allow.empty() ? std::string(to_string(r.method)) : ", " + std::string(to_string(r.method));
    }
    if (chosen == nullptr && allow.empty())
        co_return ops_response::text(404, "not found\n");
    if (chosen == nullptr) {
        ops_response r = ops_response::text(405, "method not allowed\n");
        r.headers.emplace_back("Allow", allow);
        co_return r;
    }

    ops_request request;
    request.method = *method;
    request.path = std::string(path);
    request.query = q == std::string_view::npos ? std::string{} : std::string(target.substr(q + 1));
    request.body = req.body();
    if (const auto ct = req.find(http::field::content_type); ct != req.end())
        request.content_type = std::string(ct->value());
    if (chosen->param_index >= 0)
        request.params.emplace_back(chosen->param_name,
                                    percent_decode(segments[static_cast<std::size_t>(chosen->param_index)]));

    // The handler replies from wherever it wants; the reply is posted back to this strand.
    auto p = std::make_shared<pending_reply>(c.stream.get_executor());
    c.pending = p;
    p->timer.expires_after(opts.handler_timeout);
    ops_reply reply = [p, ex = c.stream.get_executor()](ops_response r) {
        if (p->done.exchange(true))
            return;
        net::post(ex, [p, r = std::move(r)]() mutable {
            p->response = std::move(r);
            p->timer.cancel();
        });
    };
    try {
        chosen->handler(request, std::move(reply));
    } catch (const std::exception& e) {
        if (log)
            log->error("ops: handler of {} {} threw: {}", to_string(*method), chosen->pattern, e.what());
        if (!p->done.exchange(true))
            p->response = ops_response::text(500, "internal error\n");
    }
    while (!p->response && !c.closed) {
        co_await p->timer.async_wait(use_tuple);
        if (p->response || c.closed)
            break;
        if (!p->done.exchange(true)) {
            handler_timeouts.fetch_add(1, std::memory_order_relaxed);
            if (log)
                log->warn("ops: handler of {} {} did not reply in {} ms", to_string(*method), chosen->pattern,
                          opts.handler_timeout.count());
            p->response = ops_response::text(503, "handler timed out\n");
            break;
        }
        // The reply was made just as the timer fired: its post is on the way and cancels this wait.
        p->timer.expires_after(opts.handler_timeout);
    }
    c.pending.reset();
    if (!p->response)
        co_return ops_response::text(503, "closed\n");
    co_return std::move(*p->response);
}

net::awaitable<void> ops_server::impl::write(connection& c, const http::request<http::string_body>& req,
                                             const ops_response& r, bool keep_alive, boost::system::error_code& ec) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), req.version() == 0 ? 11 : req.version()};
    res.set(http::field::server, "genesis-gateway");
    res.set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers)
        res.set(k, v);
    res.body() = r.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    count_status(by_class, r.status);
    c.stream.expires_after(opts.read_timeout);
    auto [wec, n] = co_await http::async_write(c.stream, res, use_tuple);
    ec = wec;
}

net::awaitable<void> ops_server::impl::run_connection(std::shared_ptr<connection> c, std::uint64_t id) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    bool linger = false;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(opts.body_limit);
        parser.header_limit(static_cast<std::uint32_t>(opts.header_limit));
        c->stream.expires_after(opts.read_timeout);
        auto [ec, n] = co_await http::async_read(c->stream, buffer, parser, use_tuple);
        if (c->closed || stopped.load())
            break;
        if (ec == http::error::body_limit || ec == http::error::header_limit) {
            // Answer once, then close: the rest of the request is never read.
            requests.fetch_add(1, std::memory_order_relaxed);
            const bool body = ec == http::error::body_limit;
            http::request<http::string_body> req;
            req.version(11);
            boost::system::error_code wec;
            co_await write(
                *c, req,
                ops_response::text(body ? 413 : 431, body ? "request body too large\n" : "request header too large\n"),
                false, wec);
            linger = !wec;
            break;
        }
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
            ec == net::error::eof || ec == net::error::connection_reset)
            break;
        if (ec) {
            // Not HTTP: say so and close.
            http::request<http::string_body> req;
            req.version(11);
            boost::system::error_code wec;
            co_await write(*c, req, ops_response::text(400, "bad request\n"), false, wec);
            break;
        }
        requests.fetch_add(1, std::memory_order_relaxed);
        const auto& req = parser.get();
        const ops_response res = co_await answer(*c, req);
        if (c->closed)
            break;
        if (log)
            log->debug("ops: {} {} -> {}", std::string_view(req.method_string().data(), req.method_string().size()),
                       std::string_view(req.target().data(), req.target().size()), res.status);
        const bool keep = req.keep_alive() && !stopped.load();
        boost::system::error_code wec;
        co_await write(*c, req, res, keep, wec);
        if (wec || !keep)
            break;
    }
    if (!c->closed) {
        boost::system::error_code ec;
        c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        // Drain what the client still sends (a bounded time and size), so that closing with
        // unread data does not reset the connection before the client reads our answer.
        if (linger) {
            std::array<char, 4096> scratch{};
            std::size_t drained = 0;
            c->stream.expires_after(std::chrono::seconds(1));
            while (drained < 1024 * 1024 && !c->closed) {
                auto [rec, n] = co_await c->stream.async_read_some(net::buffer(scratch), use_tuple);
                if (rec)
                    break;
                drained += n;
            }
        }
        c->stream.close();
    }
    {
        std::lock_guard lock(mu);
        connections.erase(id);
    }
    active.fetch_sub(1);
}

} // namespace genesis::gateway::ops
