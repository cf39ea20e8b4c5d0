#include "genesis/rest/http_client.hpp"

#include "connection.hpp"
#include "genesis/log/logger.hpp"
#include "genesis/resilience/timer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <utility>

namespace genesis::rest {

namespace http = beast::http;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr auto relaxed = std::memory_order_relaxed;

http::verb to_verb(http_method m) noexcept {
    switch (m) {
    case http_method::get: return http::verb::get;
    case http_method::post: return http::verb::post;
    case http_method::put: return http::verb::put;
    case http_method::del: return http::verb::delete_;
    }
    return http::verb::get;
}

std::optional<std::int64_t> parse_int(std::string_view s) noexcept {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::optional<std::int64_t> header_int(const http::response<http::string_body>& res, std::string_view name) {
    const auto it = res.find(name);
    if (it == res.end())
        return std::nullopt;
    return parse_int(std::string_view(it->value().data(), it->value().size()));
}

// Errors after which a pooled connection was simply stale (the server had closed it).
bool is_stale_error(const error_code& ec) noexcept {
    return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == net::ssl::error::stream_truncated;
}

// The outcome of one request on the wire.
struct wire_outcome {
    error_code ec;
    bool written = false;   // the whole request went out
    bool got_bytes = false; // part of an answer arrived before the error
    bool reused = false;
    // When the request got its connection (after any wait at the host's cap), before connecting.
    time_point started{};
    http::response<http::string_body> res;
};

} // namespace

const char* to_string(http_method m) noexcept {
    switch (m) {
    case http_method::get: return "GET";
    case http_method::post: return "POST";
    case http_method::put: return "PUT";
    case http_method::del: return "DELETE";
    }
    return "GET";
}

std::optional<std::int64_t> find_json_int(std::string_view body, std::string_view key) noexcept {
    std::size_t pos = 0;
    while ((pos = body.find(key, pos)) != std::string_view::npos) {
        const std::size_t start = pos;
        pos += key.size();
        if (start == 0 || body[start - 1] != '"' || pos >= body.size() || body[pos] != '"')
            continue;
        std::size_t i = pos + 1;
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
            ++i;
        if (i >= body.size() || body[i] != ':')
            continue;
        ++i;
        while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r'))
            ++i;
        std::size_t j = i;
        if (j < body.size() && body[j] == '-')
            ++j;
        while (j < body.size() && body[j] >= '0' && body[j] <= '9')
            ++j;
        return parse_int(body.substr(i, j - i));
    }
    return std::nullopt;
}

struct http_client::impl : std::enable_shared_from_this<impl> {
    struct counters {
        std::atomic<std::uint64_t> requests{0}, responses{0}, failures{0}, cancelled{0}, outcome_unknown{0}, refused{0},
            resyncs{0}, stale_retries{0}, time_syncs{0}, sync_waits{0};
    };
    // The server-time sync in flight: signed requests that find the time unsynced wait for it
    // instead of each running their own (a burst of N would otherwise send N x sync_samples
    // requests to /api/v3/time into the same queues). The timer never expires: cancelling it
    // wakes the waiters once the sync has ended.
    struct sync_flight {
        net::steady_timer ended;
        std::size_t endpoint;
        bool leader_cancelled = false;
        error_code ec;
        sync_flight(const net::any_io_executor& e, std::size_t ep)
                : ended(e, net::steady_timer::time_point::max()), endpoint(ep) {}
    };
    struct credentials {
        std::string api_key;
        signer sign;
    };

    net::any_io_executor ex;
    const clock& clk;
    resilience::timer_service& timers;
    http_client_options opt;
    log::logger_ptr log;
    endpoint_pool pool;
    rate_limiter limiter;
    order_count_limiter orders;
    server_time time;
    std::optional<credentials> creds;
    counters c;
    std::shared_ptr<sync_flight> syncing;
    // Warm connections (pool_options::warm_connections_per_host), from keep_warm() until the client goes.
    std::atomic<bool> warm_on{false};
    net::cancellation_signal warm_stop;

    impl(net::any_io_executor e, const clock& k, resilience::timer_service& t, http_client_options o, log::logger_ptr l,
         endpoint_pool p)
            : ex(std::move(e)), clk(k), timers(t), opt(std::move(o)), log(std::move(l)), pool(std::move(p)),
              limiter(k, opt.limits), orders(k), time(k, opt.time) {}

    template <class... A>
    void debug(spdlog::format_string_t<A...> fmt, A&&... args) {
        if (log)
            log->debug(fmt, std::forward<A>(args)...);
    }
    template <class... A>
    void warn(spdlog::format_string_t<A...> fmt, A&&... args) {
        if (log)
            log->warn(fmt, std::forward<A>(args)...);
    }

    // Read synchronously: once cancelled, awaiting anything more would throw (throw_if_cancelled).
    static bool is_cancelled(const net::cancellation_state& cs) noexcept {
        return cs.cancelled() != net::cancellation_type::none;
    }

    net::awaitable<wire_outcome> round_trip(std::size_t ep, const http::request<http::string_body>& req,
                                            std::chrono::steady_clock::time_point wait_deadline,
                                            std::chrono::steady_clock::time_point deadline, bool fresh,
                                            const std::function<void()>& on_written);
    net::awaitable<result<response>> send_once(const request& req, std::size_t ep, time_point deadline);
    /// Waits for the rate limiter to admit `weight` (reserve: reserving it; else only until it
    /// would), or refuses at once: never admittable, !may_wait, or a wait past the deadline.
    net::awaitable<result<admission>> admit(std::int64_t weight, time_point deadline, bool reserve, bool may_wait,
                                            std::string_view method, std::string_view path);
    net::awaitable<result<response>> send(request req, std::size_t ep);
    net::awaitable<result<void>> sync(std::size_t ep);
    net::awaitable<result<void>> shared_sync(std::size_t ep);

    // How many connections keep_warm() keeps open per host.
    [[nodiscard]] std::size_t warm_target() const noexcept {
        return std::min(opt.pool.warm_connections_per_host, opt.pool.max_idle_per_host);
    }
    // Opens warm connections to ep in the background until it has warm_target() open (idle,
    // busy or connecting), within the cap. I/O thread.
    void top_up(std::size_t ep);
    static net::awaitable<void> open_warm(std::shared_ptr<impl> self, std::size_t ep, host_slot slot);
    // Every idle_timeout / 4: renews idle connections older than idle_timeout / 2, then tops up.
    static net::awaitable<void> warm_loop(std::shared_ptr<impl> self);
};

void http_client::impl::top_up(std::size_t ep) {
    auto& pi = pool.internals();
    auto& h = *pi.hosts[ep];
    const std::size_t want = warm_target();
    if (!warm_on || want == 0 || clk.now() < h.warm_retry_at)
        return;
    while (h.open < want && h.waiters.empty() && !pi.at_cap(h)) {
        net::co_spawn(ex, open_warm(shared_from_this(), ep, pi.take_slot(ep)), net::detached);
    }
}

net::awaitable<void> http_client::impl::open_warm(std::shared_ptr<impl> self, std::size_t ep, host_slot slot) {
    auto& pi = self->pool.internals();
    auto& h = *pi.hosts[ep];
    const auto fail = [&](const error_code& ec) {
        // The next request connects on its own and reports the error; warming waits a second.
        h.warm_failures.fetch_add(1, relaxed);
        h.warm_retry_at = self->clk.now() + std::chrono::seconds{1};
        self->debug("{} warm connection to {} failed: {}", self->opt.venue, pi.urls[ep].host, ec.message());
    };
    // The proving request below costs weight 1: within the venue's budget, or not now.
    if (const admission a = self->limiter.try_acquire(1); !a.admitted) {
        fail(a.reason);
        co_return;
    }
    const auto deadline = std::chrono::steady_clock::now() + self->opt.request_timeout;
    auto r = co_await pi.connect(ep, self->ex, std::move(slot), deadline);
    if (!r) {
        fail(r.error());
        co_return;
    }
    std::unique_ptr<connection> conn = std::move(*r);
    // One cheap request (the server-time path) before the connection goes idle. It proves the
    // connection end to end, and it reads the session tickets a TLS 1.3 server sends after the
    // handshake: left unread they make the idle socket look readable, and take_idle() would
    // throw the connection away as closed by the peer.
    const base_url& url = pi.urls[ep];
    http::request<http::string_body> req{http::verb::get, make_target(url, self->opt.time_path, {}), 11};
    req.set(http::field::host, url.host_header());
    req.set(http::field::user_agent, self->opt.user_agent);
    req.keep_alive(true);
    auto& tcp = beast::get_lowest_layer(conn->stream);
    tcp.expires_at(deadline);
    self->c.requests.fetch_add(1, relaxed);
    auto [wec, wn] = co_await http::async_write(conn->stream, req, use_tuple);
    http::response_parser<http::string_body> parser;
    parser.body_limit(self->opt.max_body_bytes);
    error_code ec = wec;
    if (!ec) {
        auto [rec, rn] = co_await http::async_read(conn->stream, conn->buffer, parser, use_tuple);
        ec = rec;
    }
    if (!ec) {
        self->c.responses.fetch_add(1, relaxed);
        if (parser.get().result_int() != 200 || !parser.get().keep_alive())
            ec = http_errc::server_error;
    } else {
        self->c.failures.fetch_add(1, relaxed);
    }
    if (ec) {
        pi.discard(ep, std::move(conn));
        fail(ec);
        co_return;
    }
    tcp.expires_never();
    ++conn->requests;
    pi.add_warm(ep, std::move(conn), self->clk.now());
}

net::awaitable<void> http_client::impl::warm_loop(std::shared_ptr<impl> self) {
    const nanos max_age = self->opt.pool.idle_timeout / 2;
    const nanos period = std::max<nanos>(self->opt.pool.idle_timeout / 4, std::chrono::milliseconds{1});
    auto& pi = self->pool.internals();
    for (;;) {
        for (std::size_t ep = 0; ep < self->pool.size(); ++ep) {
            pi.sweep_idle(ep, self->clk.now(), max_age);
            self->top_up(ep);
        }
        if (const error_code ec = co_await self->timers.wait(period); ec || !self->warm_on)
            co_return;
    }
}

net::awaitable<wire_outcome> http_client::impl::round_trip(std::size_t ep, const http::request<http::string_body>& req,
                                                           std::chrono::steady_clock::time_point wait_deadline,
                                                           std::chrono::steady_clock::time_point deadline, bool fresh,
                                                           const std::function<void()>& on_written) {
    const auto cs = co_await net::this_coro::cancellation_state;
    wire_outcome out;
    out.started = clk.now();
    auto& pi = pool.internals();
    // An idle connection, or a share of the host's cap to open one with: at the cap, this waits in
    // the host's queue until wait_deadline.
    auto leased = co_await pi.acquire(ep, ex, out.started, wait_deadline, fresh);
    if (!leased) {
        out.ec = leased.error();
        co_return out;
    }
    // take_idle() may have dropped expired connections: replace them in the background.
    top_up(ep);
    // Latency (and the server-time samples taken from it) starts here, without the queue wait.
    out.started = clk.now();
    std::unique_ptr<connection> conn = std::move(leased->conn);
    out.reused = leased->reused;
    if (!conn) {
        auto r = co_await pi.connect(ep, ex, std::move(leased->slot), deadline);
        if (!r) {
            out.ec = r.error();
            co_return out;
        }
        conn = std::move(*r);
    }
    auto& tcp = beast::get_lowest_layer(conn->stream);
    tcp.expires_at(deadline);
    auto [wec, wn] = co_await http::async_write(conn->stream, req, use_tuple);
    if (wec) {
        out.ec = wec;
        pi.discard(ep, std::move(conn));
        top_up(ep);
        co_return out;
    }
    out.written = true;
    if (on_written)
        on_written();
    http::response_parser<http::string_body> parser;
    parser.body_limit(opt.max_body_bytes);
    auto [rec, rn] = co_await http::async_read(conn->stream, conn->buffer, parser, use_tuple);
    if (rec) {
        out.ec = rec;
        out.got_bytes = rn > 0 || parser.got_some();
        // Mid-response (error, timeout or cancellation): the connection's state is unknown, close it.
        pi.discard(ep, std::move(conn));
        top_up(ep);
        co_return out;
    }
    tcp.expires_never();
    ++conn->requests;
    out.res = parser.release();
    // Only a connection that finished a response cleanly, and was not cancelled meanwhile, is reused.
    if (out.res.keep_alive() && !is_cancelled(cs))
        pi.give_back(ep, std::move(conn), clk.now());
    else
        pi.discard(ep, std::move(conn));
    top_up(ep);
    co_return out;
}

net::awaitable<result<admission>> http_client::impl::admit(std::int64_t weight, time_point deadline, bool reserve,
                                                           bool may_wait, std::string_view method,
                                                           std::string_view path) {
    const auto cs = co_await net::this_coro::cancellation_state;
    // Counted once as held back (or refused), however long it waits.
    for (bool first = true;; first = false) {
        const admission a = reserve ? limiter.try_acquire(weight) : limiter.check(weight, first);
        if (a.admitted)
            co_return a;
        if (a.reason == http_errc::weight_over_limit || !may_wait || clk.now() + a.wait > deadline) {
            c.refused.fetch_add(1, relaxed);
            warn("{} {} {} refused: {} (wait {} ms)", opt.venue, method, path, a.reason.message(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(a.wait).count());
            co_return a.reason;
        }
        debug("{} {} {} waits {} ms: {}", opt.venue, method, path,
              std::chrono::duration_cast<std::chrono::milliseconds>(a.wait).count(), a.reason.message());
        if (is_cancelled(cs)) {
            c.cancelled.fetch_add(1, relaxed);
            co_return error_code(net::error::operation_aborted);
        }
        if (const error_code ec = co_await timers.wait(a.wait); ec) {
            c.cancelled.fetch_add(1, relaxed);
            co_return ec;
        }
    }
}

net::awaitable<result<response>> http_client::impl::send_once(const request& req, std::size_t ep, time_point deadline) {
    const auto cs = co_await net::this_coro::cancellation_state;
    // Wait for the venue's budget, or refuse at once when the wait would outlast the deadline.
    // Named: GCC 12 mishandles temporaries inside a co_await expression.
    const std::string_view method = to_string(req.method), path = req.path;
    auto admitted = co_await admit(req.weight, deadline, true, req.may_wait, method, path);
    if (!admitted)
        co_return admitted.error();
    const admission held = *admitted; // given back if the venue's order counts refuse the order
    // An order the venue's order counts leave no room for is refused at once (its weight given
    // back): by the time the window rolls (up to a day) the order is stale. Admitted, it is in
    // flight until this returns, however it returns.
    struct order_in_flight {
        order_count_limiter* counts = nullptr;
        ~order_in_flight() {
            if (counts)
                counts->settle();
        }
    } in_flight;
    if (req.counts_as_order) {
        orders.set_venue_offset(time.offset());
        if (const admission a = orders.try_acquire(); a.admitted) {
            in_flight.counts = &orders;
        } else {
            limiter.refund(req.weight, held);
            c.refused.fetch_add(1, relaxed);
            warn("{} {} {} refused: {} (ORDERS {} of {} per 10 s, {} of {} per day)", opt.venue, to_string(req.method),
                 req.path, a.reason.message(), orders.used_10s(), orders.limit_10s(), orders.used_1d(),
                 orders.limit_1d());
            co_return a.reason;
        }
    }

    const base_url& url = pool.url(ep);
    std::string query = req.query;
    std::string_view logged_query = req.query;
    if (req.is_signed) {
        // The venue checks timestamp against its own clock: local wall clock + measured offset.
        if (!query.empty())
            query += '&';
        query += "recvWindow=" + std::to_string(time.recv_window().count());
        query += "&timestamp=" + std::to_string(time.timestamp_ms());
        auto sig = creds->sign.sign(rest_payload(query, req.body));
        if (!sig)
            co_return sig.error();
        const std::size_t unsigned_size = query.size();
        query += "&signature=";
        append_url_encoded(query, *sig);
        // Logs carry path and parameters, never the signature.
        logged_query = std::string_view(query).substr(0, unsigned_size);
    }

    http::request<http::string_body> hreq{to_verb(req.method), make_target(url, req.path, query), 11};
    hreq.set(http::field::host, url.host_header());
    hreq.set(http::field::user_agent, opt.user_agent);
    hreq.keep_alive(true);
    if (req.is_signed || req.send_api_key)
        hreq.set("X-MBX-APIKEY", creds->api_key);
    if (!req.body.empty()) {
        hreq.set(http::field::content_type, "application/x-www-form-urlencoded");
        hreq.body() = req.body;
    }
    hreq.prepare_payload();

    const nanos timeout = req.timeout.value_or(opt.request_timeout);
    const auto steady_now = std::chrono::steady_clock::now();
    const auto io_deadline = steady_now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
    // A wait for a connection at the host's cap ends at the timeout or at the request's deadline.
    const auto wait_deadline =
        std::min(io_deadline, steady_now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::max(deadline - clk.now(), nanos{0})));
    if (is_cancelled(cs)) {
        c.cancelled.fetch_add(1, relaxed);
        co_return error_code(net::error::operation_aborted);
    }
    c.requests.fetch_add(1, relaxed);
    wire_outcome w = co_await round_trip(ep, hreq, wait_deadline, io_deadline, false, req.on_written);
    const time_point started = w.started;
    // A pooled connection the server had closed: resend on a fresh one when nothing can have run.
    if (w.ec && w.reused && !is_cancelled(cs) &&
        (!w.written || (req.idempotent && !w.got_bytes && is_stale_error(w.ec)))) {
        c.stale_retries.fetch_add(1, relaxed);
        debug("{} {} {} stale pooled connection ({}), resending", opt.venue, to_string(req.method), req.path,
              w.ec.message());
        w = co_await round_trip(ep, hreq, wait_deadline, io_deadline, true, req.on_written);
    }
    const nanos latency = clk.now() - started;
    const auto latency_us = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();

    if (w.ec) {
        const bool cancelled = w.ec == net::error::operation_aborted || is_cancelled(cs);
        // Sent and unanswered: a non-idempotent request may have been executed.
        if (!req.idempotent && w.written) {
            c.outcome_unknown.fetch_add(1, relaxed);
            warn("{} {} {}?{} [{}] outcome unknown after {} us on {}: {}", opt.venue, to_string(req.method), req.path,
                 logged_query, req.body, latency_us, url.authority(), w.ec.message());
            co_return http_errc::outcome_unknown;
        }
        if (cancelled) {
            c.cancelled.fetch_add(1, relaxed);
            debug("{} {} {} cancelled after {} us on {}", opt.venue, to_string(req.method), req.path, latency_us,
                  url.authority());
            co_return error_code(net::error::operation_aborted);
        }
        c.failures.fetch_add(1, relaxed);
        const error_code ec = w.ec == beast::error::timeout ? error_code(http_errc::timed_out) : w.ec;
        warn("{} {} {} failed after {} us on {}: {}", opt.venue, to_string(req.method), req.path, latency_us,
             url.authority(), ec.message());
        co_return ec;
    }

    response out;
    out.status = w.res.result_int();
    out.headers.used_weight_1m = header_int(w.res, "X-MBX-USED-WEIGHT-1M");
    out.headers.order_count_10s = header_int(w.res, "X-MBX-ORDER-COUNT-10S");
    out.headers.order_count_1d = header_int(w.res, "X-MBX-ORDER-COUNT-1D");
    if (auto ra = header_int(w.res, "Retry-After"); ra && *ra >= 0)
        out.headers.retry_after = std::chrono::seconds{*ra};
    out.body = std::move(w.res.body());
    out.latency = latency;
    out.endpoint = ep;
    out.reused_connection = w.reused;
    c.responses.fetch_add(1, relaxed);
    limiter.on_response(out.status, out.headers.used_weight_1m, out.headers.retry_after);
    if (in_flight.counts) {
        in_flight.counts->settle(); // answered: the venue's count below holds it
        in_flight.counts = nullptr;
    }
    orders.on_counts(out.headers.order_count_10s, out.headers.order_count_1d);
    debug("{} {} {}?{} [{}] -> {} in {} us on {} (weight {})", opt.venue, to_string(req.method), req.path, logged_query,
          req.body, out.status, latency_us, url.authority(), out.headers.used_weight_1m.value_or(-1));

    if (out.status == 429 || out.status == 418) {
        // Every request of the venue now waits out Retry-After: going on would earn (longer) bans.
        warn("{} {} {} got {}: venue paused for {} s", opt.venue, to_string(req.method), req.path, out.status,
             out.headers.retry_after
                 ? std::chrono::duration_cast<std::chrono::seconds>(*out.headers.retry_after).count()
                 : -1);
        co_return out.status == 429 ? http_errc::rate_limited : http_errc::ip_banned;
    }
    if (out.status >= 500) {
        // 5xx: the venue does not know whether it executed the request.
        if (!req.idempotent) {
            c.outcome_unknown.fetch_add(1, relaxed);
            warn("{} {} {}?{} [{}] outcome unknown: status {}", opt.venue, to_string(req.method), req.path,
                 logged_query, req.body, out.status);
            co_return http_errc::outcome_unknown;
        }
        co_return http_errc::server_error;
    }
    co_return out;
}

net::awaitable<result<response>> http_client::impl::send(request req, std::size_t ep) {
    // In-flight requests keep the internals alive even if the client object goes away.
    auto self = shared_from_this();
    const auto cs = co_await net::this_coro::cancellation_state;
    if (ep >= pool.size())
        co_return http_errc::bad_endpoint;
    if ((req.is_signed || req.send_api_key) && !creds)
        co_return http_errc::no_credentials;
    const time_point deadline = req.deadline.value_or(clk.now() + opt.max_rate_wait);
    // A request that may not wait is refused before anything else (a server-time sync first
    // would wait for the limits itself).
    if (!req.may_wait)
        if (const admission a = limiter.check(req.weight, true); !a.admitted) {
            c.refused.fetch_add(1, relaxed);
            co_return a.reason;
        }
    if (req.is_signed && !time.synced()) {
        if (auto s = co_await shared_sync(ep); !s)
            co_return s.error();
    }
    auto r = co_await send_once(req, ep, deadline);
    // -1021: the timestamp fell outside recvWindow and the request was rejected unexecuted, so
    // resync and resend once.
    if (r && req.is_signed && opt.resync_on_1021 && r->status == 400 && find_json_int(r->body, "code") == -1021 &&
        !is_cancelled(cs)) {
        c.resyncs.fetch_add(1, relaxed);
        warn("{} {} {} got -1021: resyncing server time", opt.venue, to_string(req.method), req.path);
        time.mark_stale();
        if (auto s = co_await shared_sync(ep); !s)
            co_return s.error();
        r = co_await send_once(req, ep, deadline);
    }
    co_return r;
}

net::awaitable<result<void>> http_client::impl::shared_sync(std::size_t ep) {
    auto self = shared_from_this();
    const auto cs = co_await net::this_coro::cancellation_state;
    while (!time.synced()) {
        if (auto f = syncing) {
            // Another request is syncing: wait for it to end.
            c.sync_waits.fetch_add(1, relaxed);
            co_await f->ended.async_wait(use_tuple);
            if (is_cancelled(cs))
                co_return error_code(net::error::operation_aborted);
            // Its failure is ours if it asked our endpoint and was not merely cancelled itself
            // (a losing hedge); otherwise, sync again (perhaps leading the next one).
            if (f->ec && !f->leader_cancelled && f->endpoint == ep)
                co_return f->ec;
            continue;
        }
        // Ends the flight however sync() ends (an exception included): waiters never hang on it.
        struct flight_end {
            impl& self;
            std::shared_ptr<sync_flight> f;
            const net::cancellation_state& cs;
            ~flight_end() {
                f->leader_cancelled = f->leader_cancelled || is_cancelled(cs);
                if (self.syncing == f)
                    self.syncing.reset();
                f->ended.cancel();
            }
        };
        flight_end end{*this, std::make_shared<sync_flight>(ex, ep), cs};
        syncing = end.f;
        // Pessimistic until sync() returns: an exception leaves the waiters to sync again.
        end.f->leader_cancelled = true;
        auto r = co_await sync(ep);
        end.f->leader_cancelled = false;
        end.f->ec = r ? error_code{} : r.error();
        if (!r)
            co_return r;
    }
    co_return result<void>{};
}

net::awaitable<result<void>> http_client::impl::sync(std::size_t ep) {
    auto self = shared_from_this();
    c.time_syncs.fetch_add(1, relaxed);
    if (ep >= pool.size())
        co_return http_errc::bad_endpoint;
    const auto cs = co_await net::this_coro::cancellation_state;
    const std::size_t n = std::max<std::size_t>(opt.sync_samples, 1);
    for (std::size_t i = 0; i < n; ++i) {
        request r;
        r.path = opt.time_path;
        auto res = co_await send_once(r, ep, clk.now() + opt.max_rate_wait);
        const time_point received = clk.wall();
        if (!res)
            co_return res.error();
        if (is_cancelled(cs))
            co_return error_code(net::error::operation_aborted);
        const auto server_ms = find_json_int(res->body, "serverTime");
        if (res->status != 200 || !server_ms)
            co_return http_errc::bad_time_response;
        // The round trip is the monotonic latency of the exchange itself (not any rate-limit wait).
        time.add_sample(received - res->latency, received, *server_ms);
    }
    limiter.set_venue_offset(time.offset());
    if (log)
        log->info("{} server time offset {} ms (rtt {} us, {} samples)", opt.venue,
                  std::chrono::duration_cast<std::chrono::milliseconds>(time.offset()).count(),
                  std::chrono::duration_cast<std::chrono::microseconds>(time.last_rtt()).count(), time.sample_count());
    co_return result<void>{};
}

http_client::http_client(std::shared_ptr<impl> p) noexcept : impl_(std::move(p)) {}
http_client::http_client(http_client&&) noexcept = default;
http_client& http_client::operator=(http_client&& o) noexcept {
    if (this != &o) {
        stop_warm();
        impl_ = std::move(o.impl_);
    }
    return *this;
}
http_client::~http_client() { stop_warm(); }

void http_client::stop_warm() noexcept {
    // The warm-up loop holds the internals: stop it on the I/O thread (the io_context outlives
    // the client; if it never runs again, the loop goes with it).
    if (impl_ && impl_->warm_on)
        net::post(impl_->ex, [p = impl_] {
            p->warm_on = false;
            p->warm_stop.emit(net::cancellation_type::terminal);
        });
}

void http_client::keep_warm() {
    if (impl_->warm_on || impl_->warm_target() == 0)
        return;
    impl_->warm_on = true;
    net::co_spawn(impl_->ex, impl::warm_loop(impl_),
                  net::bind_cancellation_slot(impl_->warm_stop.slot(), net::detached));
}

result<http_client> http_client::create(net::any_io_executor ex, const clock& clk, resilience::timer_service& timers,
                                        http_client_options options, log::logger_ptr log) {
    auto pool = endpoint_pool::create(options.base_urls, options.tls, options.pool);
    if (!pool)
        return pool.error();
    return http_client(
        std::make_shared<impl>(std::move(ex), clk, timers, std::move(options), std::move(log), std::move(*pool)));
}

void http_client::set_credentials(std::string api_key, signer sign) {
    impl_->creds.emplace(impl::credentials{std::move(api_key), std::move(sign)});
}

net::awaitable<result<response>> http_client::send(request req, std::size_t endpoint) {
    return impl_->send(std::move(req), endpoint);
}

net::awaitable<result<void>> http_client::wait_for_limits(std::int64_t weight, std::optional<time_point> deadline) {
    auto self = impl_; // alive until this returns, whatever happens to the client
    const time_point until = deadline.value_or(self->clk.now() + self->opt.max_rate_wait);
    const std::string_view what = "limits for", whom = "a call"; // named: see send_once
    auto a = co_await self->admit(weight, until, false, true, what, whom);
    if (!a)
        co_return a.error();
    co_return result<void>{};
}

net::awaitable<result<void>> http_client::sync_time(std::size_t endpoint) { return impl_->sync(endpoint); }

std::size_t http_client::endpoint_count() const noexcept { return impl_->pool.size(); }
endpoint_pool& http_client::endpoints() noexcept { return impl_->pool; }
const endpoint_pool& http_client::endpoints() const noexcept { return impl_->pool; }
rate_limiter& http_client::limits() noexcept { return impl_->limiter; }
const rate_limiter& http_client::limits() const noexcept { return impl_->limiter; }
order_count_limiter& http_client::orders() noexcept { return impl_->orders; }
const order_count_limiter& http_client::orders() const noexcept { return impl_->orders; }
server_time& http_client::time() noexcept { return impl_->time; }

rate_limiter_stats http_client::limiter_stats() const { return impl_->limiter.stats(); }

http_client_stats http_client::stats() const noexcept {
    const auto& k = impl_->c;
    return {k.requests.load(relaxed),  k.responses.load(relaxed),       k.failures.load(relaxed),
            k.cancelled.load(relaxed), k.outcome_unknown.load(relaxed), k.refused.load(relaxed),
            k.resyncs.load(relaxed),   k.stale_retries.load(relaxed),   k.time_syncs.load(relaxed),
            k.sync_waits.load(relaxed)};
}

} // namespace genesis::rest
