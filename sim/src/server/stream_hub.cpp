#include "stream_hub.hpp"

#include "server_state.hpp"

#include "genesis/sim/protocol/render.hpp"

#include <algorithm>
#include <cctype>

namespace genesis::sim::server {

namespace proto = genesis::sim::protocol;

std::string to_lower(std::string_view s) {
    std::string o(s);
    for (char& c : o)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
}

namespace {

std::string to_upper(std::string_view s) {
    std::string o(s);
    for (char& c : o)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return o;
}

std::string name_of(const symbol& s, std::string_view suffix) { return to_lower(s.view()) + std::string(suffix); }

} // namespace

std::optional<stream_spec> stream_hub::parse(std::string_view name) const {
    const auto at = name.find('@');
    if (at == std::string_view::npos || at == 0)
        return std::nullopt;
    const std::string_view sym_part = name.substr(0, at);
    // Binance wants lower-case symbols in stream names.
    if (std::any_of(sym_part.begin(), sym_part.end(),
                    [](char c) { return std::isupper(static_cast<unsigned char>(c)); }))
        return std::nullopt;
    auto sym = symbol::make(to_upper(sym_part));
    if (!sym || st_.ex.find_instrument(*sym) == nullptr)
        return std::nullopt;
    stream_spec spec;
    spec.sym = *sym;
    std::string_view rest = name.substr(at + 1);
    if (rest == "trade") {
        spec.k = stream_spec::kind::trade;
    } else if (rest == "aggTrade") {
        spec.k = stream_spec::kind::agg_trade;
    } else if (rest == "bookTicker") {
        spec.k = stream_spec::kind::book_ticker;
    } else if (rest.starts_with("depth")) {
        rest.remove_prefix(5);
        std::string_view speed;
        if (const auto a = rest.find('@'); a != std::string_view::npos) {
            speed = rest.substr(a + 1);
            rest = rest.substr(0, a);
        }
        if (!speed.empty() && speed != "100ms" && speed != "1000ms")
            return std::nullopt;
        spec.fast = speed == "100ms";
        if (rest.empty()) {
            spec.k = stream_spec::kind::depth_diff;
        } else if (rest == "5" || rest == "10" || rest == "20") {
            spec.k = stream_spec::kind::partial_depth;
            spec.levels = rest == "5" ? 5 : rest == "10" ? 10 : 20;
        } else {
            return std::nullopt;
        }
    } else {
        return std::nullopt;
    }
    return spec;
}

void stream_hub::subscribe(const std::string& stream, const std::shared_ptr<stream_subscriber>& s) {
    auto& v = subs_[stream];
    for (const auto& w : v)
        if (w.lock() == s)
            return;
    v.push_back(s);
}

void stream_hub::unsubscribe(const std::string& stream, const stream_subscriber* s) {
    auto it = subs_.find(stream);
    if (it == subs_.end())
        return;
    std::erase_if(it->second, [s](const auto& w) {
        auto p = w.lock();
        return !p || p.get() == s;
    });
    if (it->second.empty())
        subs_.erase(it);
}

void stream_hub::subscribe_user(account_id acc, const std::shared_ptr<user_subscriber>& s) {
    auto& v = users_[acc];
    for (const auto& w : v)
        if (w.lock() == s)
            return;
    v.push_back(s);
}

void stream_hub::unsubscribe_user(account_id acc, const user_subscriber* s) {
    auto it = users_.find(acc);
    if (it == users_.end())
        return;
    std::erase_if(it->second, [s](const auto& w) {
        auto p = w.lock();
        return !p || p.get() == s;
    });
    if (it->second.empty())
        users_.erase(it);
}

bool stream_hub::has_subscribers(std::string_view stream) const {
    auto it = subs_.find(stream);
    return it != subs_.end() && !it->second.empty();
}

void stream_hub::publish(const std::string& stream, const std::string& payload, bool depth_diff) {
    auto it = subs_.find(stream);
    if (it == subs_.end())
        return;
    auto shared = std::make_shared<const std::string>(payload);
    auto& v = it->second;
    // Copy first: a subscriber may unsubscribe from inside deliver.
    std::vector<std::shared_ptr<stream_subscriber>> live;
    live.reserve(v.size());
    for (const auto& w : v)
        if (auto p = w.lock())
            live.push_back(std::move(p));
    std::erase_if(v, [](const auto& w) { return w.expired(); });
    for (const auto& p : live)
        p->deliver(stream, shared, depth_diff);
}

void stream_hub::publish_user(account_id acc, std::string_view type, std::string event) {
    auto it = users_.find(acc);
    if (it == users_.end())
        return;
    auto shared = std::make_shared<const std::string>(std::move(event));
    std::vector<std::shared_ptr<user_subscriber>> live;
    for (const auto& w : it->second)
        if (auto p = w.lock())
            live.push_back(std::move(p));
    std::erase_if(it->second, [](const auto& w) { return w.expired(); });
    for (const auto& p : live)
        p->deliver_user(acc, type, shared);
}

void stream_hub::flush(bool fast) {
    const std::int64_t now_ms = proto::to_ms(st_.clk.wall());
    proto::json_writer w;
    // Diff windows of every symbol, kept even without subscribers so that U/u always chain.
    for (const instrument& ins : st_.ex.instruments()) {
        auto& ss = symbols_[ins.name];
        auto& acc = fast ? ss.fast : ss.slow;
        if (auto d = acc.take()) {
            const std::string name = name_of(ins.name, fast ? "@depth@100ms" : "@depth");
            const std::string alt = name_of(ins.name, "@depth@1000ms");
            const bool any = has_subscribers(name) || (!fast && has_subscribers(alt));
            if (any) {
                d->sym = ins.name;
                proto::write_depth_update(w, *d, now_ms);
                const std::string payload = w.take();
                publish(name, payload, true);
                if (!fast)
                    publish(alt, payload, true);
            }
        }
        // Partial books at the window's speed.
        for (std::size_t levels : {std::size_t{5}, std::size_t{10}, std::size_t{20}}) {
            const std::string base = name_of(ins.name, "@depth" + std::to_string(levels));
            const std::string name = fast ? base + "@100ms" : base;
            const std::string alt = base + "@1000ms";
            const bool want = has_subscribers(name) || (!fast && has_subscribers(alt));
            if (!want)
                continue;
            auto snap = st_.ex.depth(ins.name, levels);
            if (!snap)
                continue;
            proto::write_depth(w, *snap);
            const std::string payload = w.take();
            publish(name, payload, false);
            if (!fast)
                publish(alt, payload, false);
        }
    }
}

void stream_hub::on_depth_diff(const book_delta& d) {
    auto& ss = symbols_[d.sym];
    ss.fast.add(d);
    ss.slow.add(d);
}

void stream_hub::on_trade(const trade& t) {
    const std::string name = name_of(t.sym, "@trade");
    if (!has_subscribers(name))
        return;
    proto::json_writer w;
    proto::write_trade_event(w, t, proto::to_ms(st_.clk.wall()));
    publish(name, w.str(), false);
}

void stream_hub::on_agg_trade(const agg_trade& t) {
    const std::string name = name_of(t.sym, "@aggTrade");
    if (!has_subscribers(name))
        return;
    proto::json_writer w;
    proto::write_agg_trade_event(w, t, proto::to_ms(st_.clk.wall()));
    publish(name, w.str(), false);
}

void stream_hub::on_book_ticker(const top_of_book& t) {
    const std::string name = name_of(t.sym, "@bookTicker");
    if (!has_subscribers(name))
        return;
    proto::json_writer w;
    proto::write_book_ticker_event(w, t);
    publish(name, w.str(), false);
}

void stream_hub::on_execution_report(account_id acc, const execution_report& r) {
    if (!users_.contains(acc))
        return;
    proto::json_writer w;
    proto::write_execution_report(w, r);
    publish_user(acc, "executionReport", w.take());
}

void stream_hub::on_account_position(account_id acc, const account_update& u) {
    if (!users_.contains(acc))
        return;
    proto::json_writer w;
    proto::write_account_position(w, u);
    publish_user(acc, "outboundAccountPosition", w.take());
}

void stream_hub::on_balance_update(account_id acc, const balance_update& u) {
    if (!users_.contains(acc))
        return;
    proto::json_writer w;
    proto::write_balance_update(w, u);
    publish_user(acc, "balanceUpdate", w.take());
}

} // namespace genesis::sim::server
