#include "genesis/gateway/runtime/streams.hpp"

#include "genesis/binance/decoder.hpp"
#include "genesis/binance/encoder.hpp"
#include "genesis/log/logger.hpp"
#include "genesis/rest/server_time.hpp"
#include "genesis/rest/signer.hpp"
#include "genesis/ws/session.hpp"

#include <optional>

namespace genesis::gateway::runtime {

std::string_view to_string(feed_state s) noexcept {
    switch (s) {
    case feed_state::connecting: return "connecting";
    case feed_state::open: return "open";
    case feed_state::degraded: return "degraded";
    case feed_state::closed: return "closed";
    }
    return "closed";
}

namespace {

feed_state from(ws::session_state s) {
    switch (s) {
    case ws::session_state::connecting: return feed_state::connecting;
    case ws::session_state::open: return feed_state::open;
    case ws::session_state::degraded: return feed_state::degraded;
    case ws::session_state::closed: return feed_state::closed;
    }
    return feed_state::closed;
}

struct counters {
    std::atomic<std::uint64_t> frames{0}, events{0}, decode_errors{0}, ignored{0}, connects{0}, reconnects{0};
    std::atomic<std::int64_t> last_frame_ns{0};
    std::atomic<feed_state> state{feed_state::connecting};

    feed_stats read() const noexcept {
        feed_stats s;
        s.frames = frames.load();
        s.events = events.load();
        s.decode_errors = decode_errors.load();
        s.ignored = ignored.load();
        s.connects = connects.load();
        s.reconnects = reconnects.load();
        s.last_frame_ns = last_frame_ns.load();
        return s;
    }
};

// A malformed frame: counted and logged with a truncated sample; the stream goes on.
void malformed(const log::logger_ptr& log, counters& c, std::string_view feed, error_code ec, std::string_view text) {
    ++c.decode_errors;
    if (log)
        log->warn("{}: malformed frame skipped ({}): {:.120}", feed, ec.message(), text);
}

} // namespace

// ---- market data ----

struct market_feed::impl {
    market_feed_options opt;
    market_sink sink;
    log::logger_ptr log;
    binance::decoder decoder;
    binance::market_events events;
    counters c;
    frame_tap tap;
    std::string channel;
    bool was_open = false;
    std::optional<ws::session> session;

    impl(boost::asio::io_context& ioc, market_feed_options o, market_sink s, const clock& clk, log::logger_ptr l,
         std::shared_ptr<ws::reconnect_budget> budget)
            : opt(std::move(o)), sink(std::move(s)), log(std::move(l)) {
        ws::session_config cfg;
        cfg.name = "market";
        cfg.url = opt.ws_base + "/stream";
        cfg.ca_file = opt.ca_file;
        cfg.mode = ws::subscribe_mode::url;
        cfg.idle_watchdog = opt.idle_watchdog;
        for (const auto& sym : opt.symbols) {
            std::string lower = sym.str();
            for (auto& ch : lower)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            cfg.streams.push_back(lower + opt.depth_suffix);
            if (opt.trades)
                cfg.streams.push_back(lower + "@trade");
        }
        channel = "/stream?streams=";
        for (std::size_t i = 0; i < cfg.streams.size(); ++i)
            channel += (i ? "/" : "") + cfg.streams[i];
        ws::session_handlers h;
        h.on_frame = [this](const ws::ws_frame& f) { on_frame(f); };
        h.on_event = [this](const ws::ws_event& e) { on_event(e); };
        session.emplace(ioc, std::move(cfg), std::move(h), clk, log, std::move(budget));
    }

    void on_frame(const ws::ws_frame& f) {
        ++c.frames;
        c.last_frame_ns = f.received.ns;
        if (tap)
            tap(channel, f.text, f.received_wall.ns);
        auto k = decoder.decode_stream(f.text, f.received, events);
        if (!k) {
            malformed(log, c, "market", k.error(), f.text);
            return;
        }
        switch (*k) {
        case binance::stream_kind::depth_update:
            ++c.events;
            if (sink.on_delta)
                sink.on_delta(book_delta(events.depth));
            break;
        case binance::stream_kind::trade:
            ++c.events;
            if (sink.on_trade)
                sink.on_trade(trade(events.trade_event));
            break;
        default: ++c.ignored; break;
        }
    }

    void on_event(const ws::ws_event& e) {
        const auto before = c.state.load();
        c.state = from(e.state);
        if (e.state == ws::session_state::open) {
            ++c.connects;
            // A fresh connection after a loss (not a rotation, which keeps the state open).
            if (was_open && before != feed_state::open) {
                ++c.reconnects;
                if (sink.on_reconnect)
                    sink.on_reconnect();
            }
            was_open = true;
        } else if (log && e.state == ws::session_state::degraded) {
            log->warn("market feed degraded: {} ({})", e.reason.message(), e.cause.message());
        }
    }
};

market_feed::market_feed(boost::asio::io_context& ioc, market_feed_options options, market_sink sink, const clock& clk,
                         log::logger_ptr log, std::shared_ptr<ws::reconnect_budget> budget)
        : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(sink), clk, std::move(log),
                                       std::move(budget))) {}
market_feed::~market_feed() = default;
result<void> market_feed::start() { return impl_->session->start(); }
void market_feed::stop() { impl_->session->stop(); }
void market_feed::set_tap(frame_tap tap) { impl_->tap = std::move(tap); }
feed_state market_feed::state() const noexcept { return impl_->c.state.load(); }
feed_stats market_feed::stats() const noexcept {
    auto s = impl_->c.read();
    s.budget_waits = impl_->session->stats().budget_waits;
    return s;
}
const std::string& market_feed::channel() const noexcept { return impl_->channel; }

// ---- user data ----

struct user_feed::impl {
    user_feed_options opt;
    user_sink sink;
    const rest::server_time& time;
    log::logger_ptr log;
    binance::decoder decoder;
    binance::user_events events;
    binance::ws_response response;
    std::optional<rest::signer> signer;
    counters c;
    std::uint64_t next_id = 1;
    std::string pending_id;
    bool ever_subscribed = false;
    std::atomic<bool> subscribed{false};
    std::optional<ws::session> session;

    impl(boost::asio::io_context& ioc, user_feed_options o, user_sink s, const clock& clk, const rest::server_time& t,
         log::logger_ptr l, std::shared_ptr<ws::reconnect_budget> budget)
            : opt(std::move(o)), sink(std::move(s)), time(t), log(std::move(l)) {
        ws::session_config cfg;
        cfg.name = "user";
        cfg.url = opt.ws_api_url;
        cfg.budget_reserve = opt.budget_reserve;
        cfg.ca_file = opt.ca_file;
        cfg.mode = ws::subscribe_mode::message;
        cfg.idle_watchdog = opt.idle_watchdog;
        ws::session_handlers h;
        h.on_frame = [this](const ws::ws_frame& f) { on_frame(f); };
        h.on_event = [this](const ws::ws_event& e) { on_event(e); };
        session.emplace(ioc, std::move(cfg), std::move(h), clk, log, std::move(budget));
    }

    void subscribe() {
        if (!signer)
            return;
        binance::request_params p;
        p.push_back({"timestamp", std::to_string(time.timestamp_ms()), false});
        pending_id = "uds-" + std::to_string(next_id++);
        auto req = binance::ws_api_request(pending_id, "userDataStream.subscribe.signature", p, opt.api_key, *signer);
        if (!req) {
            if (log)
                log->error("user data: cannot sign the subscription: {}", req.error().message());
            return;
        }
        session->send(std::move(*req));
    }

    void on_frame(const ws::ws_frame& f) {
        ++c.frames;
        c.last_frame_ns = f.received.ns;
        if (f.text.find("\"event\"") != std::string_view::npos) {
            auto k = decoder.decode_user(f.text, f.received, events);
            if (!k) {
                malformed(log, c, "user", k.error(), f.text);
                return;
            }
            switch (*k) {
            case binance::user_event_kind::execution_report:
                ++c.events;
                if (sink.on_execution)
                    sink.on_execution(execution_report(events.execution));
                break;
            case binance::user_event_kind::account_position:
                ++c.events;
                if (sink.on_account)
                    sink.on_account(account_update(events.account));
                break;
            case binance::user_event_kind::stream_terminated:
                // The subscription ended: subscribe again on this connection.
                subscribed = false;
                subscribe();
                break;
            default: ++c.ignored; break;
            }
            return;
        }
        auto r = decoder.decode_ws_response(f.text, binance::ws_result_kind::none, f.received, response);
        if (!r) {
            malformed(log, c, "user", r.error(), f.text);
            return;
        }
        if (response.id != pending_id) {
            ++c.ignored;
            return;
        }
        if (!response.ok) {
            if (log)
                log->error("user data subscription refused: {} {}", response.error.code, response.error.msg);
            return;
        }
        subscribed = true;
        if (ever_subscribed) {
            if (sink.on_resubscribed)
                sink.on_resubscribed();
        } else {
            ever_subscribed = true;
            if (sink.on_subscribed)
                sink.on_subscribed();
        }
    }

    void on_event(const ws::ws_event& e) {
        c.state = from(e.state);
        if (e.state == ws::session_state::open) {
            ++c.connects;
            if (ever_subscribed)
                ++c.reconnects;
            subscribe();
        } else {
            subscribed = false;
            if (log && e.state == ws::session_state::degraded)
                log->warn("user feed degraded: {} ({})", e.reason.message(), e.cause.message());
        }
    }
};

user_feed::user_feed(boost::asio::io_context& ioc, user_feed_options options, user_sink sink, const clock& clk,
                     const rest::server_time& time, log::logger_ptr log, std::shared_ptr<ws::reconnect_budget> budget)
        : impl_(std::make_shared<impl>(ioc, std::move(options), std::move(sink), clk, time, std::move(log),
                                       std::move(budget))) {}
user_feed::~user_feed() = default;

result<void> user_feed::start() {
    auto s = rest::signer::hmac_sha256(rest::secret(impl_->opt.api_secret));
    if (!s)
        return s.error();
    impl_->signer.emplace(std::move(*s));
    return impl_->session->start();
}
void user_feed::stop() { impl_->session->stop(); }
feed_state user_feed::state() const noexcept { return impl_->c.state.load(); }
bool user_feed::subscribed() const noexcept { return impl_->subscribed.load(); }
feed_stats user_feed::stats() const noexcept {
    auto s = impl_->c.read();
    s.budget_waits = impl_->session->stats().budget_waits;
    return s;
}

} // namespace genesis::gateway::runtime
