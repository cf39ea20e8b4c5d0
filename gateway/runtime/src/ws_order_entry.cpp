#include "genesis/gateway/runtime/ws_order_entry.hpp"

#include "genesis/binance/decoder.hpp"
#include "genesis/binance/encoder.hpp"
#include "genesis/log/logger.hpp"
#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/error.hpp"
#include "genesis/rest/http_error.hpp"
#include "genesis/rest/server_time.hpp"
#include "genesis/rest/signer.hpp"
#include "genesis/ws/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <deque>
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

// What a request reserved in the limiters (admitted: a refund gives it back, in its windows).
struct held_limits {
    rest::admission weight;
    rest::admission orders;
};

struct pending_request {
    request_kind kind = request_kind::place;
    venue_callback<execution_report> done;
    placement_facts facts;
    time_point sent; // handed to the session (monotonic)
    time_point deadline;
    resilience::ticket ticket;    // the breaker's (rejected: no breaker)
    held_limits held;             // the weight and (a placement) the order count it reserved
    bool written = false;         // its frame went to the socket: a loss now means outcome unknown
    std::uint64_t connection = 0; // the one it was written on (its answer comes there)
};

// The integer at a JSON pointer of an answer ("/error/data/retryAfter" of a 429/418,
// "/result/serverTime" of a "time" answer), if it has one.
std::optional<std::int64_t> answer_int(std::string_view frame, std::string_view pointer) {
    simdjson::dom::parser parser;
    std::int64_t v = 0;
    if (parser.parse(frame.data(), frame.size()).at_pointer(pointer).get_int64().get(v))
        return std::nullopt;
    return v;
}

// Request ids: "o<n>" orders and cancels, "t<n>" server-time samples.
constexpr char time_id_prefix = 't';

} // namespace

struct ws_order_entry::impl : std::enable_shared_from_this<impl> {
    net::io_context& ioc;
    ws_order_entry_options opt;
    order_venue& rest;
    rest::server_time& time;
    const clock& clk;
    log::logger_ptr log;
    // The venue's request weight and order counts (the REST client's, or our own without them).
    std::optional<rest::rate_limiter> own_weight;
    std::optional<rest::order_count_limiter> own_orders;
    rest::rate_limiter& weight;
    rest::order_count_limiter& orders;
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
    // The one server-time sample in flight ("t<n>"; empty: none), and when it left (wall).
    std::string time_request;
    time_point time_sent{};  // wall, for the sample
    time_point time_asked{}; // monotonic, for the next ask
    std::atomic<bool> open{false};
    std::atomic<bool> stopped{false};
    std::uint64_t connection = 0; // the one requests go to (the session's strand)
    // The last connections reported lost (under mutex): a write's completion can come after its
    // connection's loss, and is then settled at once.
    std::deque<std::uint64_t> lost_connections;

    std::atomic<std::uint64_t> placements{0}, cancels{0}, refused{0}, not_sent{0}, unknown{0}, timeouts{0},
        bad_answers{0}, late_answers{0}, rate_limited{0}, throttled{0}, breaker_open{0}, clock_rejects{0},
        time_syncs{0}, rotations{0}, retired_answers{0};

    impl(net::io_context& io, ws_order_entry_options o, order_venue& r, rest::server_time& t,
         ws_order_entry_limits limits, const clock& c, log::logger_ptr l)
            : ioc(io), opt(std::move(o)), rest(r), time(t), clk(c), log(std::move(l)),
              own_weight(limits.weight ? std::nullopt : std::make_optional<rest::rate_limiter>(c)),
              own_orders(limits.orders ? std::nullopt : std::make_optional<rest::order_count_limiter>(c)),
              weight(limits.weight ? *limits.weight : *own_weight),
              orders(limits.orders ? *limits.orders : *own_orders), strand(net::make_strand(io)), sweeper(strand) {}

    void make_session(std::shared_ptr<ws::reconnect_budget> budget) {
        ws::session_config cfg;
        cfg.name = "orders";
        cfg.url = opt.ws_api_url;
        cfg.ca_file = opt.ca_file;
        cfg.mode = ws::subscribe_mode::message;
        // Rotation: the WebSocket API sends nothing unasked, so there is no first frame to wait
        // for; the new connection takes the requests at once. Answers come on the connection that
        // carried the request (ids are unique across both), so the old one is read until each of
        // its requests is answered or has timed out.
        cfg.rotate_after = opt.rotate_after;
        cfg.rotation_overlap = std::chrono::nanoseconds{0};
        cfg.retire_linger = std::max(opt.place_timeout, opt.cancel_timeout) + opt.sweep_interval;
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
        // Any connection's end, the retired ones' included (their loss changes no state, so no
        // event tells of it): what it carried unanswered is settled now, not at its timeout.
        h.on_connection_end = [weak = weak_from_this()](const ws::ws_connection_end& e) {
            if (auto self = weak.lock())
                self->on_connection_end(e);
        };
        session.emplace(ioc, std::move(cfg), std::move(h), clk, log, std::move(budget));
    }

    template <class T>
    void refuse_now(const venue_callback<T>& done, error_code ec) {
        ++not_sent;
        done(ec);
    }

    // What may be sent now: the breaker's ticket, or the reason to refuse (then nothing is held:
    // the ticket released, the weight and order counted given back). Admitted, the request holds
    // one weight and, a placement, one order in flight: unsent() or settled() gives them back.
    // (place and cancel have checked that the server-time offset is fresh before signing.)
    error_code admit(request_kind kind, resilience::ticket& t, held_limits& held) {
        if (opt.breaker) {
            t = opt.breaker->acquire();
            if (t.kind == resilience::admission::rejected) {
                ++breaker_open;
                return make_error_code(resilience::errc::rejected);
            }
        }
        held.weight = weight.try_acquire(1); // order.place and order.cancel weigh 1
        const rest::admission* denied = held.weight.admitted ? nullptr : &held.weight;
        if (!denied && kind == request_kind::place) {
            orders.set_venue_offset(time.offset());
            held.orders = orders.try_acquire();
            if (!held.orders.admitted) {
                weight.refund(1, held.weight);
                denied = &held.orders;
            }
        }
        if (!denied)
            return {};
        ++throttled;
        release(t);
        return denied->reason;
    }

    // A request admitted and certainly never written.
    void unsent(request_kind kind, resilience::ticket& t, const held_limits& held) {
        release(t);
        weight.refund(1, held.weight);
        if (kind == request_kind::place)
            orders.refund(held.orders);
    }

    // A request admitted and written (or maybe written): answered, timed out or lost.
    void settled(request_kind kind) {
        if (kind == request_kind::place)
            orders.settle();
    }

    void release(resilience::ticket& t) {
        if (opt.breaker && t.kind != resilience::admission::rejected)
            opt.breaker->release(t);
        t.kind = resilience::admission::rejected;
    }

    // Builds, signs and registers one request, then hands its frame to the session. Runs on the
    // caller's thread.
    void send(request_kind kind, std::string_view method, const binance::request_params& params, placement_facts facts,
              time_point tick, venue_callback<execution_report> done) {
        if (stopped || !open.load(std::memory_order_acquire))
            return refuse_now(done, make_error_code(venue_errc::not_sent));
        resilience::ticket ticket;
        held_limits held;
        if (auto why = admit(kind, ticket, held))
            return refuse_now(done, why);
        std::string id;
        std::string frame;
        error_code refusal; // answered outside the lock: the callback may call in again
        {
            std::lock_guard lk(mutex);
            id = "o" + std::to_string(next_id++);
            auto f = binance::ws_api_request(id, method, params, opt.api_key, *signer);
            if (f) {
                frame = std::move(*f);
                const auto now = clk.now();
                const auto timeout = kind == request_kind::place ? opt.place_timeout : opt.cancel_timeout;
                pending.emplace(
                    id, pending_request{kind, std::move(done), facts, now, now + timeout, ticket, held, false, 0});
            } else {
                refusal = make_error_code(venue_errc::not_sent);
            }
        }
        if (refusal) {
            unsent(kind, ticket, held);
            return refuse_now(done, refusal);
        }
        (kind == request_kind::place ? placements : cancels)++;
        std::weak_ptr<impl> weak = weak_from_this();
        session->send(std::move(frame), [weak, id = std::move(id), kind, tick](ws::send_outcome o, std::uint64_t conn) {
            if (auto self = weak.lock())
                self->on_sent(id, kind, tick, o, conn);
        });
        // Write it here and now (the hand-off above is ready to run, the write's completion next).
        for (unsigned i = 0; i < opt.write_on_caller && ioc.poll_one() != 0; ++i) {
        }
    }

    // The session's strand: it says what became of a frame.
    void on_sent(const std::string& id, request_kind kind, time_point tick, ws::send_outcome o, std::uint64_t conn) {
        if (o == ws::send_outcome::written && kind == request_kind::place && tick.ns != 0 && opt.on_order_written)
            opt.on_order_written(tick);
        std::unique_lock lk(mutex);
        auto it = pending.find(id);
        if (it == pending.end())
            return; // already answered
        if (o != ws::send_outcome::not_sent) {
            it->second.written = true;
            it->second.connection = conn;
            const bool gone =
                std::find(lost_connections.begin(), lost_connections.end(), conn) != lost_connections.end();
            if (!stopped && !gone)
                return;
            // Stopping (no sweep will time it out), or written on a connection already reported
            // lost: unknown now.
            auto p = std::move(it->second);
            pending.erase(it);
            lk.unlock();
            settle_unanswered(p, false);
            return;
        }
        // Never written: certainly not executed.
        auto p = std::move(it->second);
        pending.erase(it);
        lk.unlock();
        unsent(p.kind, p.ticket, p.held);
        ++not_sent;
        p.done(make_error_code(venue_errc::not_sent));
    }

    // Settles one request that will get no answer: lost with its connection, or timed out.
    // A placement is then unknown, written or not (a frame not yet written may still be).
    void settle_unanswered(pending_request& p, bool timed_out) {
        if (timed_out)
            ++timeouts;
        settled(p.kind);
        if (opt.breaker && p.ticket.kind != resilience::admission::rejected) {
            if (stopped)
                opt.breaker->release(p.ticket); // we hung up, the venue did not fail
            else
                opt.breaker->record_failure(p.ticket, timed_out ? resilience::failure_kind::timeout
                                                                : resilience::failure_kind::error);
        }
        if (p.kind == request_kind::cancel) {
            p.done(make_error_code(rest::http_errc::timed_out));
            return;
        }
        ++unknown;
        p.done(make_error_code(rest::http_errc::outcome_unknown));
    }

    // Connection `conn` ended (0: every connection, at stop): the requests written on it will not
    // be answered. Those written on another (the one a rotation replaced, still read until its
    // answers are in) wait for their answers or time out. Requests whose frames the session has
    // not reported on stay: the session says not_sent or written for each of them (only its word
    // makes "not sent" safe: a frame still on its way to the session could be written on the next
    // connection), and a written one times out into an unknown outcome.
    std::size_t settle_lost(std::uint64_t conn) {
        std::vector<pending_request> lost;
        {
            std::lock_guard lk(mutex);
            // Told twice for an active connection (degraded, then its end): remembered once.
            if (conn != 0 &&
                std::find(lost_connections.begin(), lost_connections.end(), conn) == lost_connections.end()) {
                lost_connections.push_back(conn);
                if (lost_connections.size() > 8)
                    lost_connections.pop_front();
            }
            for (auto it = pending.begin(); it != pending.end();)
                if (it->second.written && (conn == 0 || it->second.connection == conn)) {
                    lost.push_back(std::move(it->second));
                    it = pending.erase(it);
                } else {
                    ++it;
                }
        }
        for (auto& p : lost)
            settle_unanswered(p, false);
        return lost.size();
    }

    void on_event(const ws::ws_event& e) {
        const bool is_open = e.state == ws::session_state::open;
        open.store(is_open, std::memory_order_release);
        if (opt.on_state)
            opt.on_state(is_open);
        if (is_open) {
            const bool rotated = e.reason == ws::ws_errc::rotated;
            if (log)
                log->info("order entry: WebSocket API connection {} open{}", e.connection,
                          rotated ? " (rotation: the last one is read until its answers are in)" : "");
            connection = e.connection;
            if (rotated) {
                ++rotations;
            } else {
                std::lock_guard lk(mutex);
                time_request.clear(); // a sample asked on the lost connection will not be answered
            }
            if (!time.synced())
                sample_time();
            return;
        }
        // The connection is gone: whatever it carried and did not answer may or may not have
        // been executed.
        if (log && e.state == ws::session_state::closed)
            log->info("order entry: WebSocket API closed ({})", e.reason.message());
        else if (log && e.state != ws::session_state::connecting)
            log->warn("order entry: WebSocket API connection {}: {} ({})", e.connection, ws::to_string(e.state),
                      e.reason.message());
        // Closed: we stopped, every connection is gone. Degraded with a connection: that one was
        // lost (without one, the reconnect budget is spent: nothing new was lost). Connecting
        // names the new connection, on which nothing was written yet.
        if (e.state == ws::session_state::closed)
            settle_lost(0);
        else if (e.state == ws::session_state::degraded && e.connection != 0)
            settle_lost(e.connection);
    }

    void on_connection_end(const ws::ws_connection_end& e) {
        const std::size_t lost = settle_lost(e.connection);
        if (log && e.retired && lost > 0)
            log->warn("order entry: replaced WebSocket API connection {} ended ({}): {} requests it carried "
                      "are settled as lost",
                      e.connection, e.reason.message(), lost);
        else if (log && e.retired)
            log->info("order entry: replaced WebSocket API connection {} closed ({})", e.connection,
                      e.reason.message());
    }

    void on_frame(const ws::ws_frame& f) {
        if (f.connection != connection)
            ++retired_answers;
        auto r = decoder.decode_ws_response_with(
            f.text,
            [](std::string_view id) {
                return !id.empty() && id.front() == time_id_prefix ? binance::ws_result_kind::none
                                                                   : binance::ws_result_kind::order;
            },
            f.received, response);
        if (!r) {
            // Its request (if any) times out into an unknown outcome and is looked up.
            ++bad_answers;
            if (log)
                log->warn("order entry: undecodable answer ({}): {:.160}", r.error().message(), f.text);
            return;
        }
        if (!response.id.empty() && response.id.front() == time_id_prefix) {
            account_limits(f.text);
            return on_time_answer(f.text);
        }
        std::optional<pending_request> p;
        {
            std::lock_guard lk(mutex);
            auto it = pending.find(response.id);
            if (it != pending.end()) {
                p.emplace(std::move(it->second));
                pending.erase(it);
            }
        }
        // Its order is no longer in flight: the answer's count holds it.
        if (p)
            settled(p->kind);
        account_limits(f.text);
        if (!response.ok && response.error.code == -1021) {
            // Refused unexecuted: our timestamps are off. Measure the venue's clock again.
            ++clock_rejects;
            if (log)
                log->warn("order entry: -1021 from the venue ({}): resyncing server time", response.error.msg);
            time.mark_stale();
            sample_time();
        }
        if (!p) {
            ++late_answers;
            if (log)
                log->info("order entry: answer to {} after it was settled (status {})", response.id, response.status);
            return;
        }
        answer(*p);
    }

    // The answer's rateLimits into the limiters; a 429 or 418 pauses every request of the venue
    // (REST too, when the weight limiter is the REST client's) until the venue's retryAfter.
    void account_limits(std::string_view frame) {
        const auto known = binance::known_limits(response.rate_limits);
        const auto count = [](const std::optional<binance::rate_limit>& l) {
            return l ? std::make_optional(static_cast<std::int64_t>(l->count)) : std::nullopt;
        };
        const auto limit = [](const std::optional<binance::rate_limit>& l) {
            return l ? std::make_optional(static_cast<std::int64_t>(l->limit)) : std::nullopt;
        };
        orders.set_limits(limit(known.orders_10s), limit(known.orders_1d));
        orders.on_counts(count(known.orders_10s), count(known.orders_1d));
        const auto used = count(known.weight_1m);
        const auto status = static_cast<unsigned>(response.status);
        const bool limited = !response.ok && (status == 429 || status == 418);
        std::optional<nanos> retry_after;
        if (limited) {
            ++rate_limited;
            if (auto until = answer_int(frame, "/error/data/retryAfter"))
                retry_after = std::chrono::milliseconds{std::max<std::int64_t>(*until - time.timestamp_ms(), 1000)};
        }
        if (used || limited)
            weight.on_response(status, used, retry_after);
        if (limited && log)
            log->warn("order entry: HTTP {} from the venue: no order or cancel is sent until {} ms from now", status,
                      std::chrono::duration_cast<std::chrono::milliseconds>(weight.paused_until() - clk.now()).count());
    }

    // The breaker hears how the venue answered: a 5xx or -1007 is a failure, a 429/418 neither
    // (the rate limiter's business), anything else (orders, refusals) a success.
    void record(pending_request& p, bool unknown_status) {
        if (!opt.breaker || p.ticket.kind == resilience::admission::rejected)
            return;
        if (unknown_status)
            opt.breaker->record_failure(p.ticket, resilience::failure_kind::error);
        else if (!response.ok && (response.status == 429 || response.status == 418))
            opt.breaker->release(p.ticket);
        else
            opt.breaker->record_success(p.ticket, clk.now() - p.sent);
    }

    void answer(pending_request& p) {
        // 5xx, and -1007 (backend timeout), leave the execution status unknown.
        const bool unknown_status = !response.ok && (response.status >= 500 || response.error.code == -1007);
        record(p, unknown_status);
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

    // Asks the venue's clock over this connection (WebSocket API "time"), unless a sample is in
    // flight. The answer is a server_time sample; until one arrives after a -1021, nothing is sent.
    void sample_time() {
        std::string frame;
        std::string id;
        {
            std::lock_guard lk(mutex);
            if (!time_request.empty() || stopped)
                return;
            time_asked = clk.now();
            // Weight 1, within the venue's budget: paused or throttled, the sweep asks later.
            if (!weight.try_acquire(1).admitted)
                return;
            time_request = std::string(1, time_id_prefix) + std::to_string(next_id++);
            time_sent = clk.wall();
            frame = binance::ws_api_unsigned_request(time_request, "time", {});
            id = time_request;
        }
        session->send(std::move(frame),
                      [weak = weak_from_this(), id = std::move(id)](ws::send_outcome o, std::uint64_t) {
                          auto self = weak.lock();
                          if (!self || o != ws::send_outcome::not_sent)
                              return;
                          // Not written (no connection): the sweep or the next open asks again.
                          std::lock_guard lk(self->mutex);
                          if (self->time_request == id)
                              self->time_request.clear();
                      });
    }

    // The sweep's part: while the offset is stale, a sample is asked again cancel_timeout after
    // the last ask (unanswered, refused, or left unasked by the rate limiter).
    void resample_if_unsynced() {
        if (time.synced() || !open.load(std::memory_order_acquire))
            return;
        {
            std::lock_guard lk(mutex);
            if (clk.now() - time_asked < opt.cancel_timeout)
                return;
            time_request.clear();
        }
        sample_time();
    }

    void on_time_answer(std::string_view frame) {
        time_point sent{};
        {
            std::lock_guard lk(mutex);
            if (response.id != time_request) {
                ++late_answers;
                return;
            }
            time_request.clear();
            sent = time_sent;
        }
        const auto server_ms = response.ok ? answer_int(frame, "/result/serverTime") : std::nullopt;
        if (!server_ms) {
            ++bad_answers;
            if (log)
                log->warn("order entry: server time answer without serverTime (status {}): {:.160}", response.status,
                          frame);
            return; // the sweep asks again
        }
        if (!time.add_sample(sent, clk.wall(), *server_ms)) {
            ++bad_answers;
            if (log)
                log->warn("order entry: server time sample dropped (the wall clock went back during its round trip)");
            return;
        }
        // The rate limits' windows roll with the venue's clock.
        weight.set_venue_offset(time.offset());
        orders.set_venue_offset(time.offset());
        ++time_syncs;
        if (opt.on_time_sample)
            opt.on_time_sample(time.offset());
        if (log)
            log->info("order entry: server time sampled over the WebSocket API: offset {} ms",
                      std::chrono::duration_cast<std::chrono::milliseconds>(time.offset()).count());
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
            self->resample_if_unsynced();
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
                               rest::server_time& time, ws_order_entry_limits limits, const clock& clk,
                               log::logger_ptr log, std::shared_ptr<ws::reconnect_budget> budget)
        : impl_(std::make_shared<impl>(ioc, std::move(options), rest, time, limits, clk, std::move(log))) {
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
        self->settle_lost(0);
    });
}

bool ws_order_entry::ready() const noexcept { return impl_->open.load(std::memory_order_acquire); }

void ws_order_entry::place(const order_intent& intent, venue_callback<execution_report> done) {
    // The offset is being measured again: a timestamp signed now would be refused (-1021).
    if (!impl_->time.synced())
        return impl_->refuse_now(done, make_error_code(venue_errc::not_sent));
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
    if (!impl_->time.synced())
        return impl_->refuse_now(done, make_error_code(venue_errc::not_sent));
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
    s.throttled = i.throttled.load();
    s.breaker_open = i.breaker_open.load();
    s.clock_rejects = i.clock_rejects.load();
    s.time_syncs = i.time_syncs.load();
    s.rotations = i.rotations.load();
    s.retired_answers = i.retired_answers.load();
    const auto ss = i.session->stats();
    s.reconnects = ss.reconnects;
    s.budget_waits = ss.budget_waits;
    {
        std::lock_guard lk(impl_->mutex);
        s.pending = impl_->pending.size();
    }
    return s;
}

} // namespace genesis::gateway::runtime
