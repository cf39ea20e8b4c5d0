// The session: a supervisor coroutine (connect, watchdog, rotation, reconnect with backoff under
// the venue budget) and, per connection, a reader and a writer coroutine, all on one strand.
#include "genesis/ws/session.hpp"

#include "connection.hpp"

#include "genesis/log/logger.hpp"
#include "genesis/ws/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>

namespace genesis::ws {

namespace {

constexpr time_point never{std::numeric_limits<std::int64_t>::max()};

} // namespace

class session::impl : public std::enable_shared_from_this<impl> {
    strand_t strand_;
    session_config cfg_;
    session_handlers handlers_;
    const clock& clock_;
    log::logger_ptr log_;
    std::shared_ptr<reconnect_budget> budget_;

    ws_url url_;
    std::string tls_host_;
    std::string redacted_;
    std::optional<ssl::context> tls_;
    backoff backoff_;
    // The supervisor sleeps on this timer; cancelling it wakes the supervisor to re-check state.
    net::steady_timer wake_;

    std::vector<std::string> subscriptions_;
    std::uint64_t next_request_id_ = 1;
    std::uint64_t next_connection_id_ = 1;
    std::shared_ptr<connection> active_;
    std::shared_ptr<connection> candidate_;         // the new connection of a rotation
    std::vector<std::shared_ptr<connection>> live_; // every connection whose reader has not ended
    std::optional<time_point> rotate_at_;

    std::atomic<bool> started_{false};
    bool stopped_ = false;
    bool supervisor_done_ = false;
    bool closed_emitted_ = false;

    std::atomic<session_state> state_{session_state::closed};
    std::atomic<std::uint64_t> frames_{0}, bytes_{0}, control_frames_{0}, connects_{0}, reconnects_{0}, rotations_{0},
        watchdog_trips_{0}, budget_waits_{0};
    std::array<std::atomic<std::uint64_t>, ws_errc_count> errors_{};

public:
    impl(net::io_context& ioc, session_config cfg, session_handlers handlers, const clock& clk, log::logger_ptr log,
         std::shared_ptr<reconnect_budget> budget)
            : strand_(net::make_strand(ioc)), cfg_(std::move(cfg)), handlers_(std::move(handlers)), clock_(clk),
              log_(std::move(log)), budget_(std::move(budget)), backoff_(cfg_.backoff, cfg_.seed), wake_(strand_),
              subscriptions_(cfg_.streams) {}

    const std::string& name() const noexcept { return cfg_.name; }
    session_state state() const noexcept { return state_.load(std::memory_order_acquire); }

    result<void> start();
    void stop() {
        net::post(strand_, [self = shared_from_this()] { self->do_stop(); });
    }
    void send(std::string text, send_done done) {
        if (strand_.running_in_this_thread())
            return do_send(std::move(text), std::move(done));
        net::post(strand_, [self = shared_from_this(), t = std::move(text), d = std::move(done)]() mutable {
            self->do_send(std::move(t), std::move(d));
        });
    }
    void subscribe(std::vector<std::string> streams, bool add) {
        net::post(strand_, [self = shared_from_this(), s = std::move(streams), add]() mutable {
            self->do_subscribe(std::move(s), add);
        });
    }
    session_stats stats() const;

private:
    void count_error(ws_errc e) noexcept {
        errors_[static_cast<std::size_t>(e)].fetch_add(1, std::memory_order_relaxed);
    }
    void emit(session_state s, ws_errc reason, error_code cause, std::uint64_t conn);
    void tell_connection_end(const connection& c, ws_errc reason, error_code cause);
    void do_stop();
    void do_send(std::string text, send_done done);
    void do_subscribe(std::vector<std::string> streams, bool add);
    bool enqueue(connection& c, std::string text, send_done done = {});
    // Tells a message's sender what became of it, once; a throwing callback is counted.
    void tell(send_done& done, send_outcome o, std::uint64_t conn) noexcept;
    // The connection ended: whatever it still queued was never written.
    void drop_queued(connection& c) noexcept;
    void close_gracefully(const std::shared_ptr<connection>& c);
    net::awaitable<void> close_deadline(std::shared_ptr<connection> c);
    void maybe_finish();
    std::string connect_target() const;

    net::awaitable<void> supervise();
    net::awaitable<void> wait_until(time_point due);
    net::awaitable<bool> pause(nanos d);
    net::awaitable<bool> take_budget();
    net::awaitable<std::shared_ptr<connection>> open_connection(bool rotation);
    net::awaitable<void> rotate();
    net::awaitable<void> linger_then_close(std::shared_ptr<connection> c);
    void activate(const std::shared_ptr<connection>& c, ws_errc reason);
    net::awaitable<void> reader(std::shared_ptr<connection> c);
    net::awaitable<void> writer(std::shared_ptr<connection> c);
    void on_data(connection& c, const beast::flat_buffer& buffer, bool binary);
    void on_connection_end(const std::shared_ptr<connection>& c, ws_errc reason, error_code cause);
};

result<void> session::impl::start() {
    if (started_.exchange(true))
        return make_error_code(ws_errc::already_started);
    auto parsed = parse_ws_url(cfg_.url);
    if (!parsed || !parsed->secure) {
        started_ = false;
        return make_error_code(ws_errc::invalid_url);
    }
    url_ = std::move(*parsed);
    redacted_ = url_.redacted();
    tls_host_ = cfg_.verify_host.empty() ? url_.host : cfg_.verify_host;
    auto ctx = make_tls_context(cfg_.ca_file);
    if (!ctx) {
        started_ = false;
        return ctx.error();
    }
    tls_.emplace(std::move(*ctx));
    state_.store(session_state::connecting, std::memory_order_release);
    net::co_spawn(strand_, supervise(), net::detached);
    return {};
}

session_stats session::impl::stats() const {
    session_stats s;
    s.frames = frames_.load(std::memory_order_relaxed);
    s.bytes = bytes_.load(std::memory_order_relaxed);
    s.control_frames = control_frames_.load(std::memory_order_relaxed);
    s.connects = connects_.load(std::memory_order_relaxed);
    s.reconnects = reconnects_.load(std::memory_order_relaxed);
    s.rotations = rotations_.load(std::memory_order_relaxed);
    s.watchdog_trips = watchdog_trips_.load(std::memory_order_relaxed);
    s.budget_waits = budget_waits_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < ws_errc_count; ++i)
        s.errors[i] = errors_[i].load(std::memory_order_relaxed);
    return s;
}

void session::impl::tell_connection_end(const connection& c, ws_errc reason, error_code cause) {
    if (closed_emitted_ || !handlers_.on_connection_end)
        return;
    ws_connection_end e{c.id, make_error_code(reason), cause, c.retired, clock_.now()};
    try {
        handlers_.on_connection_end(e);
    } catch (...) {
        count_error(ws_errc::callback_failed);
    }
}

void session::impl::emit(session_state s, ws_errc reason, error_code cause, std::uint64_t conn) {
    // After stop() only the final `closed` event is reported.
    if (closed_emitted_ || (stopped_ && s != session_state::closed))
        return;
    state_.store(s, std::memory_order_release);
    if (!handlers_.on_event)
        return;
    ws_event e{s, reason == ws_errc::ok ? error_code{} : make_error_code(reason), cause, conn, clock_.now()};
    // A throwing callback must not unwind through the event loop.
    try {
        handlers_.on_event(e);
    } catch (...) {
        count_error(ws_errc::callback_failed);
    }
}

std::string session::impl::connect_target() const {
    if (cfg_.mode == subscribe_mode::url)
        return combined_stream_target(url_.path(), subscriptions_);
    return url_.target;
}

void session::impl::do_stop() {
    if (stopped_)
        return;
    stopped_ = true;
    if (log_)
        log_->info("ws {}: stopping ({} connections)", cfg_.name, live_.size());
    wake_.cancel();
    if (!started_)
        supervisor_done_ = true;
    // Copy: closing a connection that never opened ends its reader, which edits live_.
    const auto conns = live_;
    for (const auto& c : conns)
        close_gracefully(c);
    maybe_finish();
}

void session::impl::maybe_finish() {
    if (stopped_ && supervisor_done_ && live_.empty() && !closed_emitted_) {
        emit(session_state::closed, ws_errc::stopped, {}, 0);
        closed_emitted_ = true;
        if (log_)
            log_->info("ws {}: closed", cfg_.name);
    }
}

void session::impl::close_gracefully(const std::shared_ptr<connection>& c) {
    if (c->dead || c->closing)
        return;
    if (!c->open) {
        // Still connecting: nothing to close gracefully, cut it.
        c->cut();
        return;
    }
    c->closing = true;
    c->out.push_back({{}, true, {}});
    c->write_wake.cancel();
    // A peer that never answers (or a write stuck behind a full TCP window) cannot hold us up.
    net::co_spawn(strand_, close_deadline(c), net::detached);
}

net::awaitable<void> session::impl::close_deadline(std::shared_ptr<connection> c) {
    auto self = shared_from_this();
    c->deadline.expires_after(cfg_.close_timeout);
    co_await c->deadline.async_wait(use_tuple);
    if (!c->dead)
        c->cut();
}

bool session::impl::enqueue(connection& c, std::string text, send_done done) {
    if (c.dead || c.closing) {
        tell(done, send_outcome::not_sent, c.id);
        return false;
    }
    if (c.out.size() >= cfg_.max_write_queue) {
        count_error(ws_errc::write_queue_full);
        if (log_)
            log_->warn("ws {}: write queue full ({} messages), dropping one", cfg_.name, c.out.size());
        tell(done, send_outcome::not_sent, c.id);
        return false;
    }
    c.out.push_back({std::move(text), false, std::move(done)});
    c.write_wake.cancel();
    return true;
}

void session::impl::tell(send_done& done, send_outcome o, std::uint64_t conn) noexcept {
    if (!done)
        return;
    auto d = std::move(done);
    done = nullptr;
    try {
        d(o, conn);
    } catch (...) {
        count_error(ws_errc::callback_failed);
    }
}

void session::impl::drop_queued(connection& c) noexcept {
    auto queued = std::move(c.out);
    c.out.clear();
    for (auto& item : queued)
        tell(item.done, send_outcome::not_sent, c.id);
}

void session::impl::do_send(std::string text, send_done done) {
    if (stopped_)
        return tell(done, send_outcome::not_sent, 0);
    if (!active_ || !active_->open) {
        count_error(ws_errc::not_connected);
        return tell(done, send_outcome::not_sent, 0);
    }
    enqueue(*active_, std::move(text), std::move(done));
}

void session::impl::do_subscribe(std::vector<std::string> streams, bool add) {
    std::vector<std::string> changed;
    for (auto& s : streams) {
        const auto it = std::find(subscriptions_.begin(), subscriptions_.end(), s);
        if (add && it == subscriptions_.end()) {
            subscriptions_.push_back(s);
            changed.push_back(std::move(s));
        } else if (!add && it != subscriptions_.end()) {
            subscriptions_.erase(it);
            changed.push_back(std::move(s));
        }
    }
    if (changed.empty() || stopped_)
        return;
    // Both connections of a rotation overlap follow the list.
    for (const auto& c : {active_, candidate_})
        if (c && c->open)
            enqueue(*c, stream_control_message(add ? "SUBSCRIBE" : "UNSUBSCRIBE", changed, next_request_id_++));
}

net::awaitable<void> session::impl::wait_until(time_point due) {
    if (due == never) {
        wake_.expires_at(net::steady_timer::time_point::max());
    } else {
        const auto left = due - clock_.now();
        wake_.expires_after(std::max(left, nanos{0}));
    }
    // Woken early (cancel) or at the deadline: the caller re-checks state either way.
    co_await wake_.async_wait(use_tuple);
}

net::awaitable<bool> session::impl::pause(nanos d) {
    const auto until = clock_.now() + d;
    while (!stopped_ && clock_.now() < until)
        co_await wait_until(until);
    co_return !stopped_;
}

net::awaitable<bool> session::impl::take_budget() {
    if (!budget_)
        co_return !stopped_;
    bool reported = false;
    while (!stopped_) {
        const nanos wait = budget_->try_acquire(clock_.now(), cfg_.budget_reserve);
        if (wait.count() <= 0)
            co_return true;
        if (!reported) {
            reported = true;
            budget_waits_.fetch_add(1, std::memory_order_relaxed);
            count_error(ws_errc::budget_exhausted);
            if (log_)
                log_->warn("ws {}: venue reconnect budget exhausted ({} per {} ms), waiting {} ms", cfg_.name,
                           budget_->capacity(),
                           std::chrono::duration_cast<std::chrono::milliseconds>(budget_->window()).count(),
                           std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
            emit(session_state::degraded, ws_errc::budget_exhausted, {}, 0);
        }
        if (!co_await pause(wait))
            break;
    }
    co_return false;
}

net::awaitable<void> session::impl::supervise() {
    auto self = shared_from_this();
    bool first = true;
    while (!stopped_) {
        if (!active_) {
            if (!first) {
                // Full-jitter backoff spreads the venue's sessions; the budget caps the rate.
                const nanos delay = backoff_.next();
                if (!co_await pause(delay) || !co_await take_budget())
                    break;
                reconnects_.fetch_add(1, std::memory_order_relaxed);
            }
            first = false;
            if (auto c = co_await open_connection(false))
                activate(c, ws_errc::ok);
            continue;
        }
        // Healthy: sleep until the watchdog or the rotation is due, or until woken.
        time_point due = never;
        if (cfg_.idle_watchdog.count() > 0)
            due = std::min(due, active_->last_frame + cfg_.idle_watchdog);
        if (rotate_at_)
            due = std::min(due, *rotate_at_);
        co_await wait_until(due);
        if (stopped_ || !active_)
            continue;
        const auto now = clock_.now();
        if (cfg_.idle_watchdog.count() > 0 && now - active_->last_frame >= cfg_.idle_watchdog) {
            watchdog_trips_.fetch_add(1, std::memory_order_relaxed);
            count_error(ws_errc::idle_timeout);
            auto dead = std::move(active_);
            if (log_)
                log_->warn("ws {}: no data frame on connection {} for {} ms, reconnecting", cfg_.name, dead->id,
                           std::chrono::duration_cast<std::chrono::milliseconds>(now - dead->last_frame).count());
            emit(session_state::degraded, ws_errc::idle_timeout, {}, dead->id);
            // A stalled peer may not answer a close handshake either: cut at once.
            dead->cut();
            continue;
        }
        if (rotate_at_ && now >= *rotate_at_)
            co_await rotate();
    }
    supervisor_done_ = true;
    maybe_finish();
}

void session::impl::activate(const std::shared_ptr<connection>& c, ws_errc reason) {
    active_ = c;
    connects_.fetch_add(1, std::memory_order_relaxed);
    rotate_at_.reset();
    if (cfg_.rotate_after.count() > 0)
        rotate_at_ = clock_.now() + cfg_.rotate_after;
    if (log_)
        log_->info("ws {}: open on connection {} to {} ({} streams)", cfg_.name, c->id, redacted_,
                   subscriptions_.size());
    emit(session_state::open, reason, {}, c->id);
}

net::awaitable<std::shared_ptr<connection>> session::impl::open_connection(bool rotation) {
    auto c = std::make_shared<connection>(strand_, *tls_, next_connection_id_++);
    live_.push_back(c);
    if (!rotation)
        emit(session_state::connecting, ws_errc::ok, {}, c->id);
    connect_settings s{url_.host,
                       url_.port,
                       tls_host_,
                       url_.host_header(),
                       connect_target(),
                       cfg_.user_agent,
                       cfg_.connect_timeout,
                       cfg_.handshake_timeout,
                       cfg_.keepalive_idle,
                       cfg_.max_message_bytes};
    c->ws.control_callback(
        [this](websocket::frame_type, beast::string_view) { control_frames_.fetch_add(1, std::memory_order_relaxed); });
    auto [reason, cause] = co_await connect(*c, s);
    if (stopped_ || reason != ws_errc::ok) {
        c->dead = true;
        c->cut();
        std::erase(live_, c);
        if (!stopped_) {
            count_error(reason);
            if (log_)
                log_->warn("ws {}: connection {} to {} failed: {} ({})", cfg_.name, c->id, redacted_,
                           make_error_code(reason).message(), cause.message());
            if (!rotation)
                emit(session_state::degraded, reason, cause, c->id);
        }
        maybe_finish();
        co_return nullptr;
    }
    c->open = true;
    c->last_frame = clock_.now();
    net::co_spawn(strand_, reader(c), net::detached);
    net::co_spawn(strand_, writer(c), net::detached);
    // Restore the subscriptions (url mode carried them in the target already).
    if (cfg_.mode == subscribe_mode::message && !subscriptions_.empty())
        enqueue(*c, stream_control_message("SUBSCRIBE", subscriptions_, next_request_id_++));
    co_return c;
}

net::awaitable<void> session::impl::rotate() {
    rotate_at_.reset();
    const auto old_id = active_ ? active_->id : 0;
    if (log_)
        log_->info("ws {}: rotating connection {}", cfg_.name, old_id);
    auto fresh = co_await open_connection(true);
    if (stopped_)
        co_return;
    if (!fresh) {
        // Keep the old connection and try again later; it still has hours of lifetime.
        rotate_at_ = clock_.now() + std::max(backoff_.next(), cfg_.handshake_timeout);
        co_return;
    }
    // Overlap: both connections deliver until the new one has proved itself with a data frame
    // (in message mode its first frame is normally the SUBSCRIBE acknowledgement), or until
    // rotation_overlap on a quiet stream.
    candidate_ = fresh;
    const std::uint64_t proof = cfg_.mode == subscribe_mode::message && !subscriptions_.empty() ? 2 : 1;
    const auto deadline = clock_.now() + cfg_.rotation_overlap;
    while (!stopped_ && !fresh->dead && fresh->frames < proof && active_ && clock_.now() < deadline)
        co_await wait_until(deadline);
    candidate_.reset();
    if (stopped_)
        co_return;
    if (fresh->dead) {
        rotate_at_ = clock_.now() + std::max(backoff_.next(), cfg_.handshake_timeout);
        co_return;
    }
    auto old = std::move(active_);
    activate(fresh, old ? ws_errc::rotated : ws_errc::ok);
    if (old) {
        rotations_.fetch_add(1, std::memory_order_relaxed);
        old->retired = true;
        if (cfg_.retire_linger.count() > 0)
            net::co_spawn(strand_, linger_then_close(old), net::detached);
        else
            close_gracefully(old);
    }
}

net::awaitable<void> session::impl::linger_then_close(std::shared_ptr<connection> c) {
    auto self = shared_from_this();
    // Still read (its reader runs on), no longer written to: do_send writes to the active one.
    // stop() or the connection's end cancels the wait (close_deadline re-arms it, cut() cancels it).
    c->deadline.expires_after(cfg_.retire_linger);
    co_await c->deadline.async_wait(use_tuple);
    if (!c->dead && !c->closing && !stopped_)
        close_gracefully(c);
}

void session::impl::on_data(connection& c, const beast::flat_buffer& buffer, bool binary) {
    const auto now = clock_.now();
    c.last_frame = now;
    ++c.frames;
    frames_.fetch_add(1, std::memory_order_relaxed);
    bytes_.fetch_add(buffer.size(), std::memory_order_relaxed);
    // A connection that delivers is healthy: the next loss starts the backoff afresh.
    if (c.frames == 1)
        backoff_.reset();
    // A rotation waits for the candidate's first frames.
    if (candidate_.get() == &c)
        wake_.cancel();
    if (stopped_ || !handlers_.on_frame)
        return;
    const auto data = buffer.cdata();
    ws_frame f{std::string_view(static_cast<const char*>(data.data()), data.size()), binary, c.id, now, clock_.wall()};
    try {
        handlers_.on_frame(f);
    } catch (...) {
        count_error(ws_errc::callback_failed);
    }
}

net::awaitable<void> session::impl::reader(std::shared_ptr<connection> c) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    error_code cause;
    for (;;) {
        auto [ec, n] = co_await c->ws.async_read(buffer, use_tuple);
        if (ec) {
            cause = ec;
            break;
        }
        on_data(*c, buffer, !c->ws.got_text());
        buffer.consume(buffer.size());
    }
    const ws_errc reason = classify_read_error(cause, c->closing || stopped_);
    c->dead = true;
    c->cut();
    drop_queued(*c);
    std::erase(live_, c);
    on_connection_end(c, reason, cause);
    tell_connection_end(*c, c->retired && c->closing && !stopped_ ? ws_errc::rotated : reason, cause);
    maybe_finish();
}

net::awaitable<void> session::impl::writer(std::shared_ptr<connection> c) {
    auto self = shared_from_this();
    while (!c->dead) {
        if (c->out.empty()) {
            c->write_wake.expires_at(net::steady_timer::time_point::max());
            co_await c->write_wake.async_wait(use_tuple);
            continue;
        }
        out_item item = std::move(c->out.front());
        c->out.pop_front();
        if (item.close) {
            // The peer's close frame then ends the reader; close_gracefully's deadline bounds both.
            auto [ec] = co_await c->ws.async_close(websocket::close_code::normal, use_tuple);
            if (ec)
                c->cut();
            co_return;
        }
        c->ws.text(true);
        auto [ec, n] = co_await c->ws.async_write(net::buffer(item.text), use_tuple);
        tell(item.done, ec ? send_outcome::unknown : send_outcome::written, c->id);
        if (ec) {
            if (!c->dead && !c->closing && !stopped_) {
                count_error(ws_errc::write_failed);
                if (log_)
                    log_->warn("ws {}: write on connection {} failed: {}", cfg_.name, c->id, ec.message());
            }
            // The reader sees the broken connection too and reports it.
            c->cut();
            co_return;
        }
    }
}

void session::impl::on_connection_end(const std::shared_ptr<connection>& c, ws_errc reason, error_code cause) {
    if (c == active_) {
        active_.reset();
        if (!stopped_) {
            count_error(reason);
            if (log_)
                log_->warn("ws {}: connection {} lost: {} ({})", cfg_.name, c->id, make_error_code(reason).message(),
                           cause.message());
            // During a rotation the candidate takes over at once; otherwise report the loss.
            if (!candidate_)
                emit(session_state::degraded, reason, cause, c->id);
        }
        wake_.cancel();
    } else if (c == candidate_) {
        if (!stopped_)
            count_error(reason);
        wake_.cancel();
    }
}

session::session(boost::asio::io_context& ioc, session_config cfg, session_handlers handlers, const clock& clk,
                 log::logger_ptr log, std::shared_ptr<reconnect_budget> budget)
        : impl_(std::make_shared<impl>(ioc, std::move(cfg), std::move(handlers), clk, std::move(log),
                                       std::move(budget))) {}

session::~session() {
    if (impl_)
        impl_->stop();
}

result<void> session::start() { return impl_->start(); }
void session::stop() { impl_->stop(); }
void session::send(std::string text) { impl_->send(std::move(text), {}); }
void session::send(std::string text, send_done done) { impl_->send(std::move(text), std::move(done)); }
void session::subscribe(std::vector<std::string> streams) { impl_->subscribe(std::move(streams), true); }
void session::unsubscribe(std::vector<std::string> streams) { impl_->subscribe(std::move(streams), false); }
session_stats session::stats() const { return impl_->stats(); }
session_state session::state() const noexcept { return impl_->state(); }
const std::string& session::name() const noexcept { return impl_->name(); }

std::string_view to_string(session_state s) noexcept {
    switch (s) {
    case session_state::connecting: return "connecting";
    case session_state::open: return "open";
    case session_state::degraded: return "degraded";
    case session_state::closed: return "closed";
    }
    return "unknown";
}

} // namespace genesis::ws
