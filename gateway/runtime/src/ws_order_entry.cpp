#include "genesis/gateway/runtime/ws_order_entry.hpp"

#include "genesis/binance/decoder.hpp"
#include "genesis/binance/encoder.hpp"
#include "genesis/log/logger.hpp"
#include "genesis/rest/http_error.hpp"
#include "genesis/rest/server_time.hpp"
#include "genesis/rest/signer.hpp"
#include "genesis/ws/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <simdjson.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace genesis::gateway::runtime {

namespace net = boost::asio;

namespace {

enum class request_kind : std::uint8_t { place, cancel };

// What a refused placement's report carries (the venue answered with an error, not an order).
struct placement_facts {
    symbol sym;
    client_order_id client_id;
    side order_side = side::buy;
    order_type type = order_type::limit;
};

struct pending_request {
    request_kind kind = request_kind::place;
    venue_callback<execution_report> done;
    placement_facts facts;
    time_point deadline;
    bool written = false; // its frame went to the socket: a loss now means outcome unknown
};

// error.data.retryAfter (venue ms) of a 429/418 answer, if it has one.
std::optional<std::int64_t> retry_after_ms(std::string_view frame) {
    simdjson::dom::parser parser;
    std::int64_t ms = 0;
    if (parser.parse(frame.data(), frame.size())["error"]["data"]["retryAfter"].get_int64().get(ms))
        return std::nullopt;
    return ms;
}

} // namespace

struct ws_order_entry::impl : std::enable_shared_from_this<impl> {
    net::io_context& ioc;
    ws_order_entry_options opt;
    order_venue& rest;
    const rest::server_time& time;
    const clock& clk;
    log::logger_ptr log;
    std::optional<ws::session> session;
    // The sweeper and stop run on this strand; the session's handlers on the session's own.
    net::strand<net::io_context::executor_type> strand;
    net::steady_timer sweeper;
    binance::decoder decoder; // on_frame only (the session's strand)
    binance::ws_response response;

    // Caller threads build and sign under this lock; the I/O thread settles under it.
    std::mutex mutex;
    std::optional<rest::signer> signer;
    std::unordered_map<std::string, pending_request> pending;
    std::uint64_t next_id = 1;
    time_point paused_until{}; // after a 429/418, monotonic
    std::atomic<bool> open{false};
    std::atomic<bool> stopped{false};

    std::atomic<std::uint64_t> placements{0}, cancels{0}, refused{0}, not_sent{0}, unknown{0}, timeouts{0},
        bad_answers{0}, late_answers{0}, rate_limited{0};

    impl(net::io_context& io, ws_order_entry_options o, order_venue& r, const rest::server_time& t, const clock& c,
         log::logger_ptr l)
            : ioc(io), opt(std::move(o)), rest(r), time(t), clk(c), log(std::move(l)), strand(net::make_strand(io)),
              sweeper(strand) {}

    void make_session(std::shared_ptr<ws::reconnect_budget> budget) {
        ws::session_config cfg;
        cfg.name = "orders";
        cfg.url = opt.ws_api_url;
        cfg.ca_file = opt.ca_file;
        cfg.mode = ws::subscribe_mode::message;
        // No proactive rotation: a second connection would answer requests sent on the first.
        // At the venue's 24 h limit the connection closes; pending requests settle as lost.
        cfg.rotate_after = std::chrono::nanoseconds{0};
        // The session may outlive this (its close runs on after stop): its callbacks check.
        ws::session_handlers h;
        h.on_frame = [weak = weak_from_this()](const ws::ws_frame& f) {
            if (auto self = weak.lock())
                self->on_frame(f);
        };
        h.on_event = [weak = weak_from_this()](const ws::ws_event& e) {
            if (auto self = weak.lock())
                self->on_event(e);
        };
        session.emplace(ioc, std::move(cfg), std::move(h), clk, log, std::move(budget));
    }

    template <class T>
    void refuse_now(const venue_callback<T>& done, error_code ec) {
        ++not_sent;
        done(ec);
    }

    // Builds, signs and registers one request, then hands its frame to the session. Runs on the
    // caller's thread.
    void send(request_kind kind, std::string_view method, const binance::request_params& params, placement_facts facts,
              time_point tick, venue_callback<execution_report> done) {
        if (stopped || !open.load(std::memory_order_acquire))
            return refuse_now(done, make_error_code(venue_errc::not_sent));
        std::string id;
        std::string frame;
        error_code refusal; // answered outside the lock: the callback may call in again
        {
            std::lock_guard lk(mutex);
            if (clk.now() < paused_until) {
                refusal = make_error_code(rest::http_errc::paused);
            } else {
                id = "o" + std::to_string(next_id++);
                auto f = binance::ws_api_request(id, method, params, opt.api_key, *signer);
                if (f) {
                    frame = std::move(*f);
                    const auto timeout = kind == request_kind::place ? opt.place_timeout : opt.cancel_timeout;
                    pending.emplace(id, pending_request{kind, std::move(done), facts, clk.now() + timeout, false});
                } else {
                    refusal = make_error_code(venue_errc::not_sent);
                }
            }
        }
        if (refusal)
            return refuse_now(done, refusal);
        (kind == request_kind::place ? placements : cancels)++;
        std::weak_ptr<impl> weak = weak_from_this();
        session->send(std::move(frame), [weak, id = std::move(id), kind, tick](ws::send_outcome o) {
            if (auto self = weak.lock())
                self->on_sent(id, kind, tick, o);
        });
        // Write it here and now (the hand-off above is ready to run, the write's completion next).
        for (unsigned i = 0; i < opt.write_on_caller && ioc.poll_one() != 0; ++i) {
        }
    }

    // The session's strand: it says what became of a frame.
    void on_sent(const std::string& id, request_kind kind, time_point tick, ws::send_outcome o) {
        if (o == ws::send_outcome::written && kind == request_kind::place && tick.ns != 0 && opt.on_order_written)
            opt.on_order_written(tick);
        std::unique_lock lk(mutex);
        auto it = pending.find(id);
        if (it == pending.end())
            return; // already answered
        if (o != ws::send_outcome::not_sent) {
            it->second.written = true;
            if (!stopped)
                return;
            // Stopping: no sweep will time it out, and its connection may already have been
            // reported lost. Unknown now.
            auto p = std::move(it->second);
            pending.erase(it);
            lk.unlock();
            settle_unanswered(p, false);
            return;
        }
        // Never written: certainly not executed.
        auto done = std::move(it->second.done);
        pending.erase(it);
        lk.unlock();
        ++not_sent;
        done(make_error_code(venue_errc::not_sent));
    }

    // Settles one request that will get no answer: lost with its connection, or timed out.
    // A placement is then unknown, written or not (a frame not yet written may still be).
    void settle_unanswered(pending_request& p, bool timed_out) {
        if (timed_out)
            ++timeouts;
        if (p.kind == request_kind::cancel) {
            p.done(make_error_code(rest::http_errc::timed_out));
            return;
        }
        ++unknown;
        p.done(make_error_code(rest::http_errc::outcome_unknown));
    }

    // The connection ended: the requests it wrote will not be answered. Requests whose frames the
    // session has not reported on stay: the session says not_sent or written for each of them
    // (only its word makes "not sent" safe: a frame still on its way to the session could be
    // written on the next connection), and a written one times out into an unknown outcome.
    void settle_lost() {
        std::vector<pending_request> lost;
        {
            std::lock_guard lk(mutex);
            for (auto it = pending.begin(); it != pending.end();)
                if (it->second.written) {
                    lost.push_back(std::move(it->second));
                    it = pending.erase(it);
                } else {
                    ++it;
                }
        }
        for (auto& p : lost)
            settle_unanswered(p, false);
    }

    void on_event(const ws::ws_event& e) {
        const bool is_open = e.state == ws::session_state::open;
        open.store(is_open, std::memory_order_release);
        if (opt.on_state)
            opt.on_state(is_open);
        if (is_open) {
            if (log)
                log->info("order entry: WebSocket API connection {} open", e.connection);
            return;
        }
        // The connection is gone: whatever it carried and did not answer may or may not have
        // been executed.
        if (log && e.state != ws::session_state::connecting)
            log->warn("order entry: WebSocket API connection {}: {} ({})", e.connection, ws::to_string(e.state),
                      e.reason.message());
        settle_lost();
    }

    void on_frame(const ws::ws_frame& f) {
        auto r = decoder.decode_ws_response(f.text, binance::ws_result_kind::order, f.received, response);
        if (!r) {
            // Its request (if any) times out into an unknown outcome and is looked up.
            ++bad_answers;
            if (log)
                log->warn("order entry: undecodable answer ({}): {:.160}", r.error().message(), f.text);
            return;
        }
        std::optional<pending_request> p;
        {
            std::lock_guard lk(mutex);
            auto it = pending.find(response.id);
            if (it != pending.end()) {
                p.emplace(std::move(it->second));
                pending.erase(it);
            }
            if (!response.ok && (response.status == 429 || response.status == 418))
                pause_locked(f.text);
        }
        if (!p) {
            ++late_answers;
            if (log)
                log->info("order entry: answer to {} after it was settled (status {})", response.id, response.status);
            return;
        }
        answer(*p);
    }

    // A 429 or 418 stops order entry until the venue's retryAfter (at least 1 s, 10 s without one).
    void pause_locked(std::string_view frame) {
        ++rate_limited;
        auto wait = std::chrono::milliseconds{10'000};
        if (auto until = retry_after_ms(frame))
            wait = std::chrono::milliseconds{std::max<std::int64_t>(*until - time.timestamp_ms(), 1000)};
        paused_until = std::max(paused_until, clk.now() + wait);
        if (log)
            log->warn("order entry: HTTP {} from the venue: no order or cancel is sent for {} ms", response.status,
                      wait.count());
    }

    void answer(pending_request& p) {
        if (response.ok) {
            response.order.report.venue = opt.venue;
            p.done(response.order.report);
            return;
        }
        const int status = response.status;
        if (status == 429 || status == 418) {
            // Binance refuses the request itself: nothing was executed.
            ++not_sent;
            p.done(make_error_code(status == 429 ? rest::http_errc::rate_limited : rest::http_errc::ip_banned));
            return;
        }
        // 5xx, and -1007 (backend timeout), leave the execution status unknown.
        const bool unknown_status = status >= 500 || response.error.code == -1007;
        if (p.kind == request_kind::cancel) {
            if (unknown_status) {
                p.done(make_error_code(rest::http_errc::server_error));
                return;
            }
            ++refused;
            p.done(make_error_code(venue_errc::cancel_refused));
            return;
        }
        if (unknown_status || status < 400) {
            ++unknown;
            p.done(make_error_code(rest::http_errc::outcome_unknown));
            return;
        }
        ++refused;
        execution_report rep;
        rep.venue = opt.venue;
        rep.sym = p.facts.sym;
        rep.client_id = p.facts.client_id;
        rep.order_side = p.facts.order_side;
        rep.type = p.facts.type;
        rep.status = order_status::rejected;
        rep.exec_type = execution_type::rejected;
        rep.reject_reason = std::to_string(response.error.code) + " " + response.error.msg;
        p.done(rep);
    }

    void sweep() {
        sweeper.expires_after(opt.sweep_interval);
        sweeper.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || self->stopped)
                return;
            std::vector<pending_request> expired;
            {
                std::lock_guard lk(self->mutex);
                const auto now = self->clk.now();
                for (auto it = self->pending.begin(); it != self->pending.end();)
                    if (it->second.deadline <= now) {
                        expired.push_back(std::move(it->second));
                        it = self->pending.erase(it);
                    } else {
                        ++it;
                    }
            }
            for (auto& p : expired) {
                if (self->log)
                    self->log->warn("order entry: no answer to a {} in time",
                                    p.kind == request_kind::place ? "placement" : "cancel");
                self->settle_unanswered(p, true);
            }
            self->sweep();
        });
    }
};

ws_order_entry::ws_order_entry(net::io_context& ioc, ws_order_entry_options options, order_venue& rest,
                               const rest::server_time& time, const clock& clk, log::logger_ptr log,
                               std::shared_ptr<ws::reconnect_budget> budget)
        : impl_(std::make_shared<impl>(ioc, std::move(options), rest, time, clk, std::move(log))) {
    impl_->make_session(std::move(budget));
}

ws_order_entry::~ws_order_entry() { stop(); }

result<void> ws_order_entry::start() {
    auto s = rest::signer::hmac_sha256(rest::secret(impl_->opt.api_secret));
    if (!s)
        return s.error();
    {
        std::lock_guard lk(impl_->mutex);
        impl_->signer.emplace(std::move(*s));
    }
    if (auto r = impl_->session->start(); !r)
        return r;
    net::post(impl_->strand, [self = impl_] { self->sweep(); });
    return {};
}

void ws_order_entry::stop() {
    if (impl_->stopped.exchange(true))
        return;
    impl_->open = false;
    impl_->session->stop();
    net::post(impl_->strand, [self = impl_] {
        self->sweeper.cancel();
        self->settle_lost();
    });
}

bool ws_order_entry::ready() const noexcept { return impl_->open.load(std::memory_order_acquire); }

void ws_order_entry::place(const order_intent& intent, venue_callback<execution_report> done) {
    binance::order_options o;
    o.resp_type = binance::response_type::result;
    o.recv_window_ms = static_cast<std::uint32_t>(impl_->time.recv_window().count());
    auto params = binance::order_place_params(intent, o, impl_->time.timestamp_ms());
    if (!params)
        return impl_->refuse_now(done, make_error_code(venue_errc::not_sent));
    impl_->send(request_kind::place, "order.place", *params,
                {intent.sym, intent.client_id, intent.order_side, intent.type}, intent.tick, std::move(done));
}

void ws_order_entry::cancel(const cancel_intent& intent, venue_callback<execution_report> done) {
    auto params = binance::order_cancel_params(intent, static_cast<std::uint32_t>(impl_->time.recv_window().count()),
                                               impl_->time.timestamp_ms());
    if (!params)
        return impl_->refuse_now(done, params.error());
    impl_->send(request_kind::cancel, "order.cancel", *params, {intent.sym, intent.orig_client_id, {}, {}},
                time_point{}, std::move(done));
}

void ws_order_entry::query(const symbol& sym, const client_order_id& id,
                           venue_callback<std::optional<execution_report>> done) {
    impl_->rest.query(sym, id, std::move(done));
}
void ws_order_entry::query_order_id(const symbol& sym, std::uint64_t order_id,
                                    venue_callback<std::optional<execution_report>> done) {
    impl_->rest.query_order_id(sym, order_id, std::move(done));
}
void ws_order_entry::open_orders(venue_callback<std::vector<execution_report>> done) {
    impl_->rest.open_orders(std::move(done));
}
void ws_order_entry::my_trades(const symbol& sym, std::uint64_t from_trade_id,
                               venue_callback<std::vector<db::fill_record>> done) {
    impl_->rest.my_trades(sym, from_trade_id, std::move(done));
}
void ws_order_entry::account(venue_callback<std::vector<balance>> done) { impl_->rest.account(std::move(done)); }

ws_order_entry_stats ws_order_entry::stats() const noexcept {
    const auto& i = *impl_;
    ws_order_entry_stats s;
    s.placements = i.placements.load();
    s.cancels = i.cancels.load();
    s.refused = i.refused.load();
    s.not_sent = i.not_sent.load();
    s.unknown = i.unknown.load();
    s.timeouts = i.timeouts.load();
    s.bad_answers = i.bad_answers.load();
    s.late_answers = i.late_answers.load();
    s.rate_limited = i.rate_limited.load();
    {
        std::lock_guard lk(impl_->mutex);
        s.pending = impl_->pending.size();
    }
    return s;
}

} // namespace genesis::gateway::runtime
