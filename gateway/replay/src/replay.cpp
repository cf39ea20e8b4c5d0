#include "genesis/gateway/replay/replay.hpp"

#include "genesis/binance/decoder.hpp"
#include "genesis/gateway/replay/json_text.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <ostream>
#include <utility>

namespace genesis::gateway::replay {

namespace od = simdjson::ondemand;
using binance::book_action;
using binance::stream_kind;

namespace {

/// Longest prefix of a bad line quoted on err.
constexpr std::size_t sample_size = 120;

bool is_digits(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The kind of a raw stream from its name's suffix, as the combined-stream decoder reads it.
bool raw_kind(std::string_view type, stream_kind& kind) noexcept {
    // Strip an "@100ms" / "@1000ms" update-speed suffix.
    if (const auto at = type.find('@'); at != std::string_view::npos) {
        const auto speed = type.substr(at + 1);
        if (speed.size() > 2 && speed.ends_with("ms") && is_digits(speed.substr(0, speed.size() - 2)))
            type = type.substr(0, at);
    }
    if (type == "depth")
        kind = stream_kind::depth_update;
    else if (type == "trade")
        kind = stream_kind::trade;
    else if (type == "aggTrade")
        kind = stream_kind::agg_trade;
    else if (type == "bookTicker")
        kind = stream_kind::book_ticker;
    else if (type == "depth5" || type == "depth10" || type == "depth20")
        kind = stream_kind::partial_depth;
    else if (type.starts_with("kline_"))
        kind = stream_kind::kline;
    else
        return false;
    return true;
}

/// The value of `key` in a URL query ("symbol=BTCUSDT&limit=1000"), %XX decoded.
bool query_param(std::string_view query, std::string_view key, std::string& out) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != key)
            continue;
        const auto v = pair.substr(eq + 1);
        out.clear();
        for (std::size_t i = 0; i < v.size(); ++i) {
            int byte = 0;
            if (v[i] == '%' && i + 2 < v.size() &&
                std::from_chars(v.data() + i + 1, v.data() + i + 3, byte, 16).ptr == v.data() + i + 3) {
                out.push_back(static_cast<char>(byte));
                i += 2;
            } else {
                out.push_back(v[i] == '+' ? ' ' : v[i]);
            }
        }
        return true;
    }
    return false;
}

/// Top-level keys of a WebSocket payload that decide how it is decoded.
struct payload_shape {
    bool stream = false;
    bool data = false;
    bool id = false;
    bool result = false;
    bool error = false;
    bool event = false; ///< "e": a raw stream event
};

} // namespace

struct replayer::impl {
    std::ostream& out;
    std::ostream& err;
    replay_options options;
    manual_clock clk{time_point{0}};
    binance::decoder dec;
    binance::market_events ev;
    book_snapshot snap;
    od::parser line_parser;  // the recording lines
    od::parser shape_parser; // the top-level keys of WebSocket payloads
    std::string line_buf;    // padded copy of the current line
    std::string payload_buf; // padded copy of the current payload (decoded in place)
    std::string param;
    std::string text; // the output line being built
    std::map<std::string, std::unique_ptr<binance::local_book>, std::less<>> books;
    std::map<std::string, book_snapshot, std::less<>> held; // snapshots no book asked for yet
    replay_summary sum;
    std::uint64_t line_no = 0;
    std::string_view line; // the current line, for error samples
    bool finished = false;

    impl(std::ostream& o, std::ostream& e, const replay_options& opt) : out(o), err(e), options(opt) {}

    // --- output ------------------------------------------------------------------------------

    void fail(std::string_view why) {
        ++sum.errors;
        std::string msg = "replay: line ";
        msg += std::to_string(line_no);
        msg += ": ";
        msg += why;
        msg += ": ";
        append_json_escaped(msg, line.substr(0, sample_size));
        if (line.size() > sample_size)
            msg += "...";
        msg += '\n';
        err.write(msg.data(), static_cast<std::streamsize>(msg.size()));
    }

    void num(std::string_view key, std::int64_t v) {
        char buf[24];
        text += ",\"";
        text += key;
        text += "\":";
        text.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }
    void unum(std::string_view key, std::uint64_t v) {
        char buf[24];
        text += ",\"";
        text += key;
        text += "\":";
        text.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
    }
    void str(std::string_view key, std::string_view v) {
        text += ",\"";
        text += key;
        text += "\":";
        append_json_string(text, v);
    }
    void dec_text(decimal d) {
        char buf[32];
        text += '"';
        text.append(buf, d.format_to(buf));
        text += '"';
    }
    void dec_field(std::string_view key, decimal d) {
        text += ",\"";
        text += key;
        text += "\":";
        dec_text(d);
    }
    void flag(std::string_view key, bool v) {
        text += ",\"";
        text += key;
        text += v ? "\":true" : "\":false";
    }
    void level(const book_level& l) {
        text += '[';
        dec_text(l.price);
        text += ',';
        dec_text(l.quantity);
        text += ']';
    }
    void levels(std::string_view key, const std::vector<book_level>& ls) {
        text += ",\"";
        text += key;
        text += "\":[";
        for (std::size_t i = 0; i < ls.size(); ++i) {
            if (i > 0)
                text += ',';
            level(ls[i]);
        }
        text += ']';
    }
    void side(std::string_view key, const binance::book_side& s) {
        text += ",\"";
        text += key;
        text += "\":[";
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (i > 0)
                text += ',';
            level(s.level(i));
        }
        text += ']';
    }
    void begin(std::string_view type) {
        text.clear();
        text += "{\"type\":\"";
        text += type;
        text += '"';
    }
    void begin_event(std::string_view type, time_point ts, std::string_view sym) {
        ++sum.events;
        begin(type);
        num("ts_ns", ts.ns);
        str("symbol", sym);
    }
    void end() {
        text += "}\n";
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    void end_event() {
        if (options.events)
            end();
    }

    void print_snapshot(std::string_view type, const book_snapshot& s, time_point ts) {
        begin_event(type, ts, s.sym.view());
        unum("last_update_id", s.last_update_id);
        levels("bids", s.bids);
        levels("asks", s.asks);
        end_event();
    }

    void print_market(stream_kind kind, time_point ts) {
        switch (kind) {
        case stream_kind::depth_update: {
            const auto& d = ev.depth;
            begin_event("depth_update", ts, d.sym.view());
            unum("first_update_id", d.first_update_id);
            unum("last_update_id", d.last_update_id);
            num("event_time_ns", d.exchange_time.ns);
            levels("bids", d.bids);
            levels("asks", d.asks);
            break;
        }
        case stream_kind::partial_depth: print_snapshot("partial_depth", ev.partial, ts); return;
        case stream_kind::trade: {
            const auto& t = ev.trade_event;
            begin_event("trade", ts, t.sym.view());
            unum("trade_id", t.trade_id);
            dec_field("price", t.price);
            dec_field("quantity", t.quantity);
            flag("buyer_is_maker", t.buyer_is_maker);
            num("trade_time_ns", t.trade_time.ns);
            break;
        }
        case stream_kind::agg_trade: {
            const auto& a = ev.agg;
            begin_event("agg_trade", ts, a.sym.view());
            unum("agg_id", a.agg_id);
            dec_field("price", a.price);
            dec_field("quantity", a.quantity);
            unum("first_trade_id", a.first_trade_id);
            unum("last_trade_id", a.last_trade_id);
            flag("buyer_is_maker", a.buyer_is_maker);
            num("trade_time_ns", a.trade_time.ns);
            num("event_time_ns", a.event_time.ns);
            break;
        }
        case stream_kind::book_ticker: {
            const auto& t = ev.ticker;
            begin_event("book_ticker", ts, t.sym.view());
            unum("update_id", t.update_id);
            dec_field("bid_price", t.bid.price);
            dec_field("bid_qty", t.bid.quantity);
            dec_field("ask_price", t.ask.price);
            dec_field("ask_qty", t.ask.quantity);
            break;
        }
        case stream_kind::kline: {
            const auto& k = ev.candle;
            begin_event("kline", ts, k.sym.view());
            str("interval", k.interval.view());
            num("open_time_ns", k.open_time.ns);
            num("close_time_ns", k.close_time.ns);
            num("first_trade_id", k.first_trade_id);
            num("last_trade_id", k.last_trade_id);
            dec_field("open", k.open);
            dec_field("high", k.high);
            dec_field("low", k.low);
            dec_field("close", k.close);
            dec_field("volume", k.volume);
            dec_field("quote_volume", k.quote_volume);
            dec_field("taker_buy_volume", k.taker_buy_volume);
            dec_field("taker_buy_quote_volume", k.taker_buy_quote_volume);
            unum("trade_count", k.trade_count);
            flag("closed", k.closed);
            num("event_time_ns", k.event_time.ns);
            break;
        }
        case stream_kind::server_shutdown:
            ++sum.events;
            begin("server_shutdown");
            num("ts_ns", ts.ns);
            num("event_time_ns", ev.shutdown_time.ns);
            break;
        }
        end_event();
    }

    // --- books -------------------------------------------------------------------------------

    binance::local_book& book_of(const symbol& sym) {
        auto it = books.find(sym.view());
        if (it == books.end())
            it = books.emplace(sym.str(), std::make_unique<binance::local_book>(sym, clk, options.book)).first;
        return *it->second;
    }

    /// A book that asks for a snapshot takes one recorded earlier that no book took, if any;
    /// otherwise it waits for the next one recorded.
    void serve(binance::local_book& b) {
        if (!b.snapshot_pending())
            return;
        const auto it = held.find(b.sym().view());
        if (it == held.end())
            return;
        const book_snapshot s = std::move(it->second);
        held.erase(it);
        (void)b.on_snapshot(s);
    }

    /// The books' watchdog, as the live gateway's timer runs it, at the recording's time.
    void check_books() {
        for (auto& [name, b] : books) {
            if (b->check() == book_action::need_snapshot)
                serve(*b);
        }
    }

    // --- frames ------------------------------------------------------------------------------

    void on_ws(std::string_view channel, time_point ts) {
        payload_shape shape;
        {
            od::document doc;
            od::object obj;
            if (shape_parser.iterate(payload_buf.data(), payload_buf.size(), payload_buf.capacity()).get(doc) ||
                doc.get_object().get(obj))
                return fail("payload is not a JSON object");
            for (auto fr : obj) {
                od::field field;
                std::string_view key;
                if (std::move(fr).get(field) || field.unescaped_key().get(key))
                    return fail("payload is not valid JSON");
                shape.stream |= key == "stream";
                shape.data |= key == "data";
                shape.id |= key == "id";
                shape.result |= key == "result";
                shape.error |= key == "error";
                shape.event |= key == "e";
            }
        }
        const std::string_view payload{payload_buf};
        const std::size_t cap = payload_buf.capacity();
        result<stream_kind> r = stream_kind::depth_update;
        if (shape.stream && shape.data) {
            r = dec.decode_stream(payload, ts, ev, cap);
        } else if (shape.id && (shape.result || shape.error) && !shape.event) {
            // A SUBSCRIBE / WS-API answer on a market data connection: nothing to replay.
            ++sum.ignored;
            return;
        } else {
            std::string_view name = channel;
            if (name.starts_with("/ws/"))
                name.remove_prefix(4);
            const auto at = name.find('@');
            stream_kind kind{};
            if (name.starts_with('/') || at == std::string_view::npos || !raw_kind(name.substr(at + 1), kind))
                return fail("channel names no known raw stream");
            std::string upper(name.substr(0, at));
            std::transform(upper.begin(), upper.end(), upper.begin(),
                           [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
            const auto sym = symbol::make(upper);
            if (!sym)
                return fail("stream symbol too long");
            r = dec.decode_raw(payload, kind, *sym, ts, ev, cap);
        }
        if (!r)
            return fail(r.error().message());
        print_market(*r, ts);
        if (*r == stream_kind::depth_update) {
            auto& b = book_of(ev.depth.sym);
            (void)b.on_delta(ev.depth);
            serve(b);
        }
    }

    void on_rest(std::string_view channel, time_point ts) {
        const auto q = channel.find('?');
        const auto path = channel.substr(0, q);
        if (path != "/api/v3/depth") {
            // exchangeInfo, order answers, ...: not market data.
            ++sum.ignored;
            return;
        }
        const auto query = q == std::string_view::npos ? std::string_view{} : channel.substr(q + 1);
        if (!query_param(query, "symbol", param))
            return fail("depth snapshot channel names no symbol");
        const auto sym = symbol::make(param);
        if (!sym)
            return fail("snapshot symbol too long");
        if (const auto r = dec.decode_depth_snapshot(std::string_view{payload_buf}, *sym, ts, snap); !r)
            return fail(r.error().message());
        print_snapshot("snapshot", snap, ts);
        const auto it = books.find(sym->view());
        if (it != books.end() && it->second->snapshot_pending()) {
            (void)it->second->on_snapshot(snap);
            return;
        }
        // No book asked for it yet: the next request of this symbol's book takes it.
        held[sym->str()] = snap;
    }

    void on_line(std::string_view raw) {
        ++line_no;
        while (!raw.empty() && (raw.back() == '\r' || raw.back() == ' ' || raw.back() == '\t'))
            raw.remove_suffix(1);
        if (raw.empty())
            return;
        line = raw;
        ++sum.frames;
        line_buf.reserve(raw.size() + simdjson::SIMDJSON_PADDING);
        line_buf.assign(raw);

        // The record: each field read once, in any order.
        od::document doc;
        od::object obj;
        if (line_parser.iterate(line_buf.data(), line_buf.size(), line_buf.capacity()).get(doc) ||
            doc.get_object().get(obj))
            return fail("line is not a JSON object");
        std::int64_t ts_ns = 0;
        std::string_view source, channel, payload;
        bool has_ts = false, has_source = false, has_channel = false, has_payload = false;
        for (auto fr : obj) {
            od::field field;
            std::string_view key;
            if (std::move(fr).get(field) || field.unescaped_key().get(key))
                return fail("line is not valid JSON");
            bool bad = false;
            if (key == "ts_ns") {
                has_ts = true;
                bad = field.value().get_int64().get(ts_ns) != simdjson::SUCCESS;
            } else if (key == "source") {
                has_source = true;
                bad = field.value().get_string().get(source) != simdjson::SUCCESS;
            } else if (key == "channel") {
                has_channel = true;
                bad = field.value().get_string().get(channel) != simdjson::SUCCESS;
            } else if (key == "payload") {
                has_payload = true;
                bad = field.value().get_string().get(payload) != simdjson::SUCCESS;
            }
            if (bad)
                return fail(std::string("bad field \"").append(key).append("\""));
        }
        if (!has_ts || !has_source || !has_channel || !has_payload)
            return fail("missing ts_ns, source, channel or payload");

        // The payload, padded, so that both parsers read it in place.
        payload_buf.reserve(payload.size() +
                            std::max<std::size_t>(simdjson::SIMDJSON_PADDING, binance::decoder::padding));
        payload_buf.assign(payload);

        // Time moves to the frame's receive time (never back), and the watchdog runs first, as
        // its timer would have fired while the gateway waited for this frame.
        const time_point ts{ts_ns};
        if (ts > clk.now())
            clk.set(ts);
        check_books();

        if (source == "ws")
            on_ws(channel, ts);
        else if (source == "rest")
            on_rest(channel, ts);
        else
            fail("source is neither ws nor rest");
    }

    replay_summary summary() const {
        replay_summary s = sum;
        s.gaps = 0;
        s.resyncs = 0;
        for (const auto& [name, b] : books) {
            s.gaps += b->stats().gaps;
            s.resyncs += b->stats().resyncs;
        }
        return s;
    }

    void finish() {
        if (finished)
            return;
        finished = true;
        for (const auto& [name, b] : books) {
            begin("book");
            str("symbol", name);
            unum("last_update_id", b->update_id());
            flag("valid", b->is_valid());
            str("state", binance::to_string(b->state()));
            str("reason", binance::to_string(b->reason()));
            if (b->is_valid()) {
                side("bids", b->bids());
                side("asks", b->asks());
            } else {
                // Never print a book that is not in sync: whatever it holds is not the venue's.
                text += ",\"bids\":[],\"asks\":[]";
            }
            end();
        }
        const replay_summary s = summary();
        begin("summary");
        unum("frames", s.frames);
        unum("events", s.events);
        unum("gaps", s.gaps);
        unum("resyncs", s.resyncs);
        unum("errors", s.errors);
        unum("ignored", s.ignored);
        end();
        out.flush();
    }
};

replayer::replayer(std::ostream& out, std::ostream& err, const replay_options& options)
        : impl_(std::make_unique<impl>(out, err, options)) {}
replayer::replayer(replayer&&) noexcept = default;
replayer& replayer::operator=(replayer&&) noexcept = default;
replayer::~replayer() = default;

void replayer::on_line(std::string_view line) { impl_->on_line(line); }
void replayer::finish() { impl_->finish(); }
replay_summary replayer::summary() const { return impl_->summary(); }
const binance::local_book* replayer::book(std::string_view sym) const {
    const auto it = impl_->books.find(sym);
    return it == impl_->books.end() ? nullptr : it->second.get();
}

} // namespace genesis::gateway::replay
