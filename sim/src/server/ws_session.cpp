// WebSocket sessions: market streams (/ws/<s>, /stream?streams=a/b, SUBSCRIBE & co.), legacy
// listenKey user data (/ws/<listenKey>) and the WebSocket API (/ws-api/v3). One reader loop plus
// a writer, a pinger, and lifetime/disconnect timers, all on the connection's strand. The writer
// builds text frames straight into a coalescing_stream (one write on the wire at a time, the
// frames queued meanwhile leave together) and leaves ping/close to Beast.
#include "coalescing_stream.hpp"
#include "request_target.hpp"
#include "rest_api.hpp"
#include "server_io.hpp"
#include "ws_api.hpp"

#include "genesis/sim/protocol/render.hpp"
#include "genesis/sim/protocol/ws_api.hpp"

#include <spdlog/logger.h>

#include <deque>
#include <mutex>
#include <set>

namespace genesis::sim::server {

namespace proto = genesis::sim::protocol;

namespace {

enum class ws_mode : std::uint8_t { streams, user_stream, api };

// The writer stops handing frames to the socket layer while this much is gathered or in flight;
// the rest waits in the frame queue, where a slow consumer is noticed (max_queued_frames).
constexpr std::size_t max_buffered_bytes = 256 * 1024;

class ws_session final : public stream_subscriber,
                         public user_subscriber,
                         public std::enable_shared_from_this<ws_session> {
    struct out_frame {
        enum class kind : std::uint8_t { text, ping, close } k = kind::text;
        std::string text;
        std::chrono::steady_clock::time_point not_before{}; // latency fault
    };

    server_io& io_;
    server_state& st_;
    websocket::stream<coalescing_stream<tls_stream>> ws_;
    std::string listener_;
    std::string path_;
    ws_mode mode_ = ws_mode::streams;
    bool combined_ = false;
    std::set<std::string> streams_;
    std::vector<std::string> initial_streams_; // from the URL, subscribed once the upgrade is done
    std::string listen_key_;
    account_id user_account_ = 0;
    std::deque<out_frame> queue_;
    net::steady_timer wake_;
    net::steady_timer ping_timer_;
    net::steady_timer lifetime_timer_;
    net::steady_timer disconnect_timer_;
    net::steady_timer listen_key_timer_;
    net::steady_timer api_timer_;
    time_point last_pong_;
    std::deque<time_point> incoming_; // arrival times in the last second (max_incoming_per_second)
    websocket::close_code close_code_ = websocket::close_code::going_away;
    std::uint64_t watch_id_ = 0;         // server_state::watch
    bool key_expired_ = false;           // listenKeyExpired sent: no more user events
    std::uint32_t pings_unanswered_ = 0; // our pings on the wire without a pong yet
    bool closed_ = false;
    bool close_queued_ = false;
    std::optional<std::string> held_; // reorder fault: a frame held back
    proto::ws_parser parser_;
    ws_api_session api_;
    struct inbound {
        std::string stream;
        std::shared_ptr<const std::string> payload;
        bool depth_diff = false;
    };
    std::mutex inbox_mutex_; // deliver() may run off the strand
    std::vector<inbound> inbox_;
    std::vector<inbound> draining_;

public:
    ws_session(server_io& io, std::string listener, tls_stream&& stream, std::string client_key)
            : io_(io), st_(io.st), ws_(std::move(stream), io.st.cfg.ws.coalesce_writes), listener_(std::move(listener)),
              wake_(ws_.get_executor()), ping_timer_(ws_.get_executor()), lifetime_timer_(ws_.get_executor()),
              disconnect_timer_(ws_.get_executor()), listen_key_timer_(ws_.get_executor()),
              api_timer_(ws_.get_executor()) {
        api_.client_key = std::move(client_key);
    }
    ~ws_session() override {
        if (watch_id_ != 0)
            st_.unwatch(watch_id_);
    }
    ws_session(const ws_session&) = delete;
    ws_session& operator=(const ws_session&) = delete;

    net::awaitable<void> run(http::request<http::string_body> req);

    void deliver(const std::string& stream, const std::shared_ptr<const std::string>& payload,
                 bool depth_diff) override {
        bool first = false;
        {
            std::lock_guard lk(inbox_mutex_);
            first = inbox_.empty();
            inbox_.push_back({stream, payload, depth_diff});
        }
        // One hand-off per batch, not per frame: thousands of handlers queued on the strand ahead
        // of the writer would let it send one frame per pass while the backlog grows.
        if (first)
            net::post(ws_.get_executor(), [self = shared_from_this()] { self->drain_inbox(); });
    }

    void deliver_user(account_id acc, std::string_view type, const std::shared_ptr<const std::string>& event) override {
        net::post(ws_.get_executor(), [self = shared_from_this(), acc, t = std::string(type), event] {
            self->on_user_event(acc, t, *event);
        });
    }

    /// Closes the socket and stops every timer (shutdown, resets, the end of the reader).
    void abort() {
        if (closed_)
            return;
        closed_ = true;
        boost::system::error_code ec;
        beast::get_lowest_layer(ws_).socket().close(ec);
        wake_.cancel();
        ping_timer_.cancel();
        lifetime_timer_.cancel();
        disconnect_timer_.cancel();
        listen_key_timer_.cancel();
        api_timer_.cancel();
        if (watch_id_ != 0) {
            st_.unwatch(watch_id_);
            watch_id_ = 0;
        }
    }

private:
    bool setup(const http::request<http::string_body>& req, std::string& why);
    bool add_stream(const std::string& name);
    void enqueue(out_frame f) {
        if (closed_ || close_queued_)
            return;
        // A consumer that cannot keep up is dropped, as Binance does, rather than buffered forever.
        if (queue_.size() >= st_.cfg.ws.max_queued_frames) {
            ++st_.stats.ws_slow_consumer_drops;
            if (io_.log)
                io_.log->warn("sim: dropping slow WebSocket consumer on {} ({} frames queued)", listener_,
                              queue_.size());
            abort();
            return;
        }
        if (f.k == out_frame::kind::close)
            close_queued_ = true;
        if (f.k == out_frame::kind::text)
            ++st_.stats.ws_frames_queued;
        queue_.push_back(std::move(f));
        st_.stats.ws_queue_max = std::max<std::uint64_t>(st_.stats.ws_queue_max, queue_.size());
        wake_.cancel();
    }
    void send_text(std::string text, std::chrono::nanoseconds delay = {}) {
        out_frame f{out_frame::kind::text, std::move(text), {}};
        if (delay.count() > 0)
            f.not_before = std::chrono::steady_clock::now() + delay;
        enqueue(std::move(f));
    }
    void drain_inbox() {
        {
            std::lock_guard lk(inbox_mutex_);
            draining_.swap(inbox_);
        }
        for (const auto& f : draining_)
            on_stream_frame(f.stream, *f.payload, f.depth_diff);
        draining_.clear();
    }
    void send_with_fault(std::string text, std::string_view fault_target, bool depth_diff);
    void on_stream_frame(const std::string& stream, const std::string& payload, bool depth_diff);
    void on_user_event(account_id acc, const std::string& type, const std::string& event);
    void on_text(std::string_view text);
    void on_control(std::string_view text);

    net::awaitable<void> writer();
    net::awaitable<void> pinger();
    net::awaitable<void> close_at_end_of_life();
    net::awaitable<void> disconnect_fault();
    net::awaitable<void> watch_listen_key();
    bool admit_connection_attempt();
    bool count_incoming();
    net::awaitable<void> api_request(std::string frame);
};

bool ws_session::add_stream(const std::string& name) {
    if (!st_.hub.parse(name) || streams_.size() >= st_.cfg.ws.max_streams)
        return false;
    if (streams_.insert(name).second)
        st_.hub.subscribe(name, shared_from_this());
    return true;
}

bool ws_session::setup(const http::request<http::string_body>& req, std::string& why) {
    ws_target t = parse_ws_target(std::string_view(req.target().data(), req.target().size()));
    path_ = std::move(t.path);
    switch (t.k) {
    case ws_target::kind::api: mode_ = ws_mode::api; return true;
    case ws_target::kind::unknown: why = "unknown path"; return false;
    case ws_target::kind::combined: combined_ = true; break;
    case ws_target::kind::raw:
        // /ws/<listenKey>: the legacy user data stream.
        if (t.names.size() == 1 && listen_key_live(st_, t.names[0])) {
            mode_ = ws_mode::user_stream;
            listen_key_ = t.names[0];
            user_account_ = st_.listen_keys.find(listen_key_)->second.account;
            return true;
        }
        break;
    }
    for (const auto& n : t.names)
        if (!st_.hub.parse(n)) {
            why = "invalid stream name";
            return false;
        }
    initial_streams_ = std::move(t.names);
    return true;
}

net::awaitable<void> ws_session::run(http::request<http::string_body> req) {
    auto self = shared_from_this();
    closer_guard guard(io_, [this] { abort(); });
    std::string why;
    if (!setup(req, why)) {
        // Refuse the upgrade with a plain HTTP error, as Binance does for a bad stream name.
        http::response<http::string_body> res{http::status::bad_request, req.version()};
        res.set(http::field::content_type, "application/json;charset=UTF-8");
        res.body() = error_json({-1121, "Invalid symbol."});
        if (why == "unknown path") {
            res.result(http::status::not_found);
            res.body().clear();
        }
        res.keep_alive(false);
        res.prepare_payload();
        beast::get_lowest_layer(ws_).expires_after(st_.cfg.read_timeout);
        co_await http::async_write(ws_.next_layer(), res, use_tuple);
        co_return;
    }

    if (mode_ != ws_mode::api && !admit_connection_attempt()) {
        // Over the connection-attempt limit: refused like an over-weight request.
        const auto retry_s = std::max<std::int64_t>(
            1, std::chrono::duration_cast<std::chrono::seconds>(st_.cfg.ws.connection_attempt_window).count());
        http::response<http::string_body> res{http::status::too_many_requests, req.version()};
        res.set(http::field::content_type, "application/json;charset=UTF-8");
        res.set(http::field::retry_after, std::to_string(retry_s));
        res.body() =
            error_json({-1003, "Too many connection attempts; current limit is " +
                                   std::to_string(st_.cfg.ws.max_connection_attempts) + " per " +
                                   std::to_string(st_.cfg.ws.connection_attempt_window.count() / 1000) + " seconds."});
        res.keep_alive(false);
        res.prepare_payload();
        beast::get_lowest_layer(ws_).expires_after(st_.cfg.read_timeout);
        co_await http::async_write(ws_.next_layer(), res, use_tuple);
        co_return;
    }

    // Keep-alive is ours (pinger); Beast's own timeouts only guard the handshake.
    websocket::stream_base::timeout to{};
    to.handshake_timeout = st_.cfg.handshake_timeout;
    to.idle_timeout = websocket::stream_base::none();
    to.keep_alive_pings = false;
    ws_.set_option(to);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "genesis-sim"); }));
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::pong)
            last_pong_ = st_.clk.now();
        // Binance counts pings and pongs as incoming messages; a pong answering our own ping
        // is not the client's doing and is not counted.
        if (kind == websocket::frame_type::pong && pings_unanswered_ > 0)
            --pings_unanswered_;
        else if (kind != websocket::frame_type::close)
            count_incoming();
    });
    beast::get_lowest_layer(ws_).expires_never();
    if (auto [ec] = co_await ws_.async_accept(req, use_tuple); ec) {
        abort();
        co_return;
    }
    ++st_.stats.ws_connections;
    last_pong_ = st_.clk.now();
    api_.connected_ms = proto::to_ms(st_.clk.wall());

    if (mode_ == ws_mode::user_stream)
        st_.hub.subscribe_user(user_account_, self);
    if (mode_ == ws_mode::streams) {
        // Names were validated by setup(); subscribe now that the session is live.
        for (const auto& n : initial_streams_)
            add_stream(n);
        initial_streams_.clear();
    }

    const auto ex = ws_.get_executor();
    net::co_spawn(ex, writer(), net::detached);
    net::co_spawn(ex, pinger(), net::detached);
    net::co_spawn(ex, close_at_end_of_life(), net::detached);
    // Rule and listenKey changes reach this session at once (the timers below re-read them).
    watch_id_ = st_.watch([this](state_change c) {
        if (c == state_change::faults)
            disconnect_timer_.cancel();
        else
            listen_key_timer_.cancel();
    });
    net::co_spawn(ex, disconnect_fault(), net::detached);
    if (mode_ == ws_mode::user_stream)
        net::co_spawn(ex, watch_listen_key(), net::detached);

    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await ws_.async_read(buffer, use_tuple);
        if (ec || closed_)
            break;
        const std::string text = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        if (count_incoming())
            on_text(text);
    }
    for (const auto& s : streams_)
        st_.hub.unsubscribe(s, this);
    for (account_id acc : st_.ex.accounts())
        st_.hub.unsubscribe_user(acc, this);
    abort();
}

net::awaitable<void> ws_session::writer() {
    auto self = shared_from_this();
    while (!closed_) {
        if (queue_.empty()) {
            wake_.expires_at(net::steady_timer::time_point::max());
            co_await wake_.async_wait(use_tuple);
            continue;
        }
        // A delayed frame (latency fault) holds back the queue behind it.
        if (queue_.front().not_before > std::chrono::steady_clock::now()) {
            wake_.expires_at(queue_.front().not_before);
            co_await wake_.async_wait(use_tuple);
            continue;
        }
        out_frame f = std::move(queue_.front());
        queue_.pop_front();
        if (f.k == out_frame::kind::ping) {
            ++pings_unanswered_; // before the write: its pong may be read before we resume
            if (auto [ec] = co_await ws_.async_ping({}, use_tuple); ec)
                break;
        } else if (f.k == out_frame::kind::close) {
            co_await ws_.async_close(close_code_, use_tuple);
            break;
        } else {
            // Frames gathered while a flush is on the wire leave together; beyond
            // max_buffered_bytes wait for the socket to take them.
            while (!closed_ && ws_.next_layer().buffered() >= max_buffered_bytes) {
                ++st_.stats.ws_writer_buffer_waits;
                wake_.expires_at(net::steady_timer::time_point::max());
                ws_.next_layer().when_idle([w = weak_from_this()] {
                    if (auto p = w.lock())
                        p->wake_.cancel();
                });
                co_await wake_.async_wait(use_tuple);
            }
            if (closed_)
                break;
            // A close received from the client (Beast answers it) ends the data frames.
            if (ws_.next_layer().gathering() && !ws_.is_open())
                break;
            if (ws_.next_layer().gathering()) {
                // Build this frame and every other one ready now straight into the write layer:
                // one pass of the loop and one TLS write for the lot, not one async_write each.
                auto& layer = ws_.next_layer();
                if (!layer.append_text_frame(f.text))
                    break;
                ++st_.stats.ws_frames_sent;
                const auto now = std::chrono::steady_clock::now();
                while (!queue_.empty() && queue_.front().k == out_frame::kind::text &&
                       queue_.front().not_before <= now && layer.buffered() < max_buffered_bytes && ws_.is_open()) {
                    if (!layer.append_text_frame(queue_.front().text))
                        break;
                    queue_.pop_front();
                    ++st_.stats.ws_frames_sent;
                }
                continue;
            }
            ws_.text(true);
            if (auto [ec, n] = co_await ws_.async_write(net::buffer(f.text), use_tuple); ec)
                break;
            ++st_.stats.ws_frames_sent;
        }
    }
    abort();
}

net::awaitable<void> ws_session::pinger() {
    auto self = shared_from_this();
    while (!closed_) {
        ping_timer_.expires_after(st_.cfg.ws.ping_interval);
        co_await ping_timer_.async_wait(use_tuple);
        if (closed_)
            break;
        // No pong within pong_timeout of the previous one: the client is gone or deaf.
        if (st_.clk.now() - last_pong_ > std::chrono::duration_cast<nanos>(st_.cfg.ws.pong_timeout)) {
            ++st_.stats.pong_timeouts;
            if (io_.log)
                io_.log->info("sim: closing WebSocket on {}: no pong within {} ms", listener_,
                              st_.cfg.ws.pong_timeout.count());
            enqueue({out_frame::kind::close, {}});
            break;
        }
        enqueue({out_frame::kind::ping, {}});
    }
}

net::awaitable<void> ws_session::close_at_end_of_life() {
    auto self = shared_from_this();
    lifetime_timer_.expires_after(st_.cfg.ws.connection_lifetime);
    auto [ec] = co_await lifetime_timer_.async_wait(use_tuple);
    if (ec || closed_)
        co_return;
    ++st_.stats.lifetime_closes;
    enqueue({out_frame::kind::close, {}});
}

net::awaitable<void> ws_session::disconnect_fault() {
    auto self = shared_from_this();
    while (!closed_) {
        // The period restarts when the rules change (the watcher cancels the wait).
        const auto d = st_.faults.disconnect_interval(listener_, path_);
        if (d)
            disconnect_timer_.expires_after(*d);
        else
            disconnect_timer_.expires_at(net::steady_timer::time_point::max());
        auto [ec] = co_await disconnect_timer_.async_wait(use_tuple);
        if (closed_)
            co_return;
        if (ec || !st_.faults.disconnect_interval(listener_, path_))
            continue;
        // The ws_disconnect fault drops the connection without a close handshake.
        st_.faults.count(fault_kind::ws_disconnect);
        reset_socket(beast::get_lowest_layer(ws_).socket());
        abort();
        co_return;
    }
}

net::awaitable<void> ws_session::watch_listen_key() {
    auto self = shared_from_this();
    while (!closed_) {
        auto it = st_.listen_keys.find(listen_key_);
        if (it == st_.listen_keys.end()) {
            // Closed (DELETE /api/v3/userDataStream, userDataStream.stop): the stream ends. Binance
            // sends no listenKeyExpired for a normal close.
            enqueue({out_frame::kind::close, {}});
            co_return;
        }
        const time_point now = st_.clk.now();
        if (it->second.expires <= now) {
            // No keepalive in time: Binance says so once and sends nothing more on this stream.
            key_expired_ = true;
            ++st_.stats.listen_key_expired_events;
            st_.hub.unsubscribe_user(user_account_, this);
            send_text(proto::listen_key_expired_event(proto::to_ms(st_.clk.wall()), listen_key_));
            co_return;
        }
        listen_key_timer_.expires_after(it->second.expires - now);
        co_await listen_key_timer_.async_wait(use_tuple); // cancelled on a keepalive or close
    }
}

bool ws_session::admit_connection_attempt() {
    const std::uint32_t limit = st_.cfg.ws.max_connection_attempts;
    if (limit == 0)
        return true;
    boost::system::error_code ec;
    const auto ep = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    auto& attempts = st_.ws_attempts[ec ? std::string("?") : ep.address().to_string()];
    const time_point now = st_.clk.now();
    const auto window = std::chrono::duration_cast<nanos>(st_.cfg.ws.connection_attempt_window);
    while (!attempts.empty() && now - attempts.front() >= window)
        attempts.pop_front();
    if (attempts.size() >= limit) {
        ++st_.stats.ws_connection_attempts_refused;
        return false;
    }
    attempts.push_back(now);
    return true;
}

bool ws_session::count_incoming() {
    const std::uint32_t limit = st_.cfg.ws.max_incoming_per_second;
    if (limit == 0 || mode_ == ws_mode::api || close_queued_ || closed_)
        return !close_queued_ && !closed_;
    const time_point now = st_.clk.now();
    while (!incoming_.empty() && now - incoming_.front() >= std::chrono::seconds(1))
        incoming_.pop_front();
    incoming_.push_back(now);
    if (incoming_.size() <= limit)
        return true;
    ++st_.stats.ws_incoming_limit_closes;
    if (io_.log)
        io_.log->info("sim: closing WebSocket on {}: more than {} incoming messages in one second", listener_, limit);
    close_code_ = websocket::close_code::policy_error;
    enqueue({out_frame::kind::close, {}});
    return false;
}

void ws_session::send_with_fault(std::string text, std::string_view fault_target, bool depth_diff) {
    const auto delay = st_.faults.frame_delay(listener_, fault_target);
    switch (st_.faults.on_frame(listener_, fault_target, depth_diff)) {
    case frame_fault::drop: return;
    case frame_fault::duplicate: send_text(text, delay); break;
    case frame_fault::reorder:
        if (!held_) {
            held_ = std::move(text);
            return;
        }
        break;
    case frame_fault::malformed: text = "{\"e\":" + text.substr(0, text.size() / 3) + ",]"; break;
    case frame_fault::truncated: text.resize(text.size() / 2); break;
    case frame_fault::none: break;
    }
    send_text(std::move(text), delay);
    if (held_) {
        send_text(std::move(*held_), delay);
        held_.reset();
    }
}

void ws_session::on_stream_frame(const std::string& stream, const std::string& payload, bool depth_diff) {
    if (closed_ || !streams_.contains(stream))
        return;
    send_with_fault(combined_ ? proto::wrap_combined(stream, payload) : payload, stream, depth_diff);
}

void ws_session::on_user_event(account_id acc, const std::string& type, const std::string& event) {
    if (closed_)
        return;
    if (mode_ == ws_mode::user_stream) {
        if (acc == user_account_ && !key_expired_)
            send_with_fault(event, type, false);
        return;
    }
    for (const auto& [id, a] : api_.subscriptions)
        if (a == acc)
            send_with_fault(proto::wrap_user_event(id, event), type, false);
}

void ws_session::on_text(std::string_view text) {
    if (mode_ == ws_mode::api) {
        net::co_spawn(ws_.get_executor(), api_request(std::string(text)), net::detached);
        return;
    }
    on_control(text);
}

void ws_session::on_control(std::string_view text) {
    auto c = parser_.parse_control(text);
    if (!c) {
        send_text(proto::render(c.error()));
        return;
    }
    switch (c->method) {
    case proto::stream_method::subscribe:
        for (const auto& n : c->params)
            if (!st_.hub.parse(n)) {
                send_text(proto::render({2, "Invalid request: invalid stream name '" + n + "'", c->id}));
                return;
            }
        for (const auto& n : c->params)
            add_stream(n);
        send_text(proto::stream_control_response(c->id));
        break;
    case proto::stream_method::unsubscribe:
        for (const auto& n : c->params) {
            streams_.erase(n);
            st_.hub.unsubscribe(n, this);
        }
        send_text(proto::stream_control_response(c->id));
        break;
    case proto::stream_method::list_subscriptions: {
        std::string r = "[";
        for (const auto& s : streams_) {
            if (r.size() > 1)
                r += ',';
            r += "\"" + s + "\"";
        }
        r += ']';
        send_text(proto::stream_control_response(c->id, r));
        break;
    }
    case proto::stream_method::set_property:
        if (c->value)
            combined_ = *c->value;
        send_text(proto::stream_control_response(c->id));
        break;
    case proto::stream_method::get_property:
        send_text(proto::stream_control_response(c->id, combined_ ? "true" : "false"));
        break;
    }
}

net::awaitable<void> ws_session::api_request(std::string frame) {
    auto self = shared_from_this();
    ++st_.stats.ws_api_requests;
    auto req = parser_.parse_request(frame);
    if (!req) {
        send_text(proto::ws_error_response(req.error().id, req.error().error));
        co_return;
    }
    const request_faults f = st_.faults.on_request(listener_, req->method, "");
    if (f.delay.count() > 0) {
        // Each delayed request waits on its own timer so later requests are not held up.
        net::steady_timer t(ws_.get_executor());
        t.expires_after(f.delay);
        co_await t.async_wait(use_tuple);
        if (closed_)
            co_return;
    }
    if (f.reset) {
        reset_socket(beast::get_lowest_layer(ws_).socket());
        abort();
        co_return;
    }
    if (f.stall)
        co_return; // never answered
    if (f.error_status != 0) {
        send_text(ws_api_fault_response(st_, req->id, f.error_status, f.retry_after));
        co_return;
    }
    ws_api_outcome out = handle_ws_api(st_, api_, self, *req);
    if (f.lost_ack) {
        ++st_.stats.acks_dropped;
        if (f.lost_ack_status != 0)
            send_text(ws_api_fault_response(st_, req->id, f.lost_ack_status, f.retry_after));
        co_return;
    }
    send_text(std::move(out.response));
}

} // namespace

net::awaitable<void> run_websocket(server_io& io, std::string listener, tls_stream stream,
                                   http::request<http::string_body> req, std::string client_key) {
    auto session = std::make_shared<ws_session>(io, std::move(listener), std::move(stream), std::move(client_key));
    co_await session->run(std::move(req));
}

} // namespace genesis::sim::server
