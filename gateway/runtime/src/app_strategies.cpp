// gateway_app: the strategy host and what it calls back into (risk, then the OMS), on the
// processing thread.
#include "app_impl.hpp"

#include "genesis/log/logger.hpp"
#include "genesis/log/system.hpp"

#include "genesis/gateway/oms/client_id.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <sstream>

namespace genesis::gateway::runtime {

namespace {

// A strategy's stored state: "genesis-state-view 1 <n>\n<last placed>\n<n open ids, a line
// each>" then the blob, so that the view and the blob are one row.
constexpr std::string_view view_magic = "genesis-state-view 1 ";

std::string with_saved_view(const plugins::saved_view& v, const std::string& blob) {
    std::string out(view_magic);
    out += std::to_string(v.open.size()) + "\n" + v.last_placed.str() + "\n";
    for (const auto& id : v.open)
        out += id.str() + "\n";
    return out + blob;
}

// Splits a stored state into its view and the blob; nullopt (state untouched) for one written
// by an older gateway, or not readable as a view.
std::optional<plugins::saved_view> take_saved_view(std::string& state) {
    if (!std::string_view(state).starts_with(view_magic))
        return std::nullopt;
    std::size_t at = view_magic.size();
    const auto line = [&]() -> std::optional<std::string_view> {
        const auto end = state.find('\n', at);
        if (end == std::string::npos)
            return std::nullopt;
        const std::string_view l(state.data() + at, end - at);
        at = end + 1;
        return l;
    };
    const auto count = line();
    const auto last = line();
    std::size_t n = 0;
    if (!count || !last)
        return std::nullopt;
    if (const auto r = std::from_chars(count->data(), count->data() + count->size(), n);
        r.ec != std::errc{} || r.ptr != count->data() + count->size())
        return std::nullopt;
    plugins::saved_view v;
    v.last_placed = client_order_id::truncating(*last);
    for (std::size_t i = 0; i < n; ++i) {
        const auto id = line();
        if (!id)
            return std::nullopt;
        v.open.push_back(client_order_id::truncating(*id));
    }
    std::sort(v.open.begin(), v.open.end());
    state.erase(0, at);
    return v;
}

// Whether client id a was placed after b (same instance; ids count up across restarts).
bool placed_after(const client_order_id& a, const client_order_id& b) {
    if (b.empty())
        return true;
    const auto x = parse_client_id(a.view());
    const auto y = parse_client_id(b.view());
    return x && y && x->instance == y->instance && x->counter > y->counter;
}

} // namespace

// A final order of a strategy whose saved blob may not have the last word on it: the blob names
// it, or it was placed after the blob was saved. Without a blob: none. The restatement after a
// restart and the checkpoints (which keep such orders for it) use this one rule.
bool owed_restatement(const client_order_id& id, const std::optional<plugins::saved_view>& v) {
    if (!v)
        return false;
    return std::binary_search(v->open.begin(), v->open.end(), id) || placed_after(id, v->last_placed);
}

namespace {

// Orders that may still trade: working, or not yet known to be final (a placement in flight or
// with an unknown outcome counts, the conservative side for limits).
bool may_still_trade(order_status s) {
    return s == order_status::new_ || s == order_status::partially_filled || s == order_status::pending_new ||
           s == order_status::unknown || s == order_status::pending_cancel;
}

} // namespace

// What strategies call: risk checks before the OMS, positions and balances from the OMS's ledger.
class app_services final : public plugins::services {
    gateway_app::impl& a_;

public:
    explicit app_services(gateway_app::impl& a) : a_(a) {}

    plugins::place_outcome place(std::uint32_t strategy_id, const order_intent& in) override {
        if (a_.shutdown_started)
            return plugins::place_outcome::reject("the gateway is shutting down");
        if (!a_.orders || !a_.orders->health().accepting())
            return plugins::place_outcome::reject("not trading: " +
                                                  (a_.orders ? a_.orders->health().reason : std::string("no OMS")));
        order_intent intent = in;
        intent.strategy_id = strategy_id;
        intent.venue = binance::venue_name;
        intent.created = a_.clk.wall();
        intent.tick = a_.tick_receive;
        if (auto v = a_.risk_gate(intent); !v.empty()) {
            ++a_.risk_rejections;
            a_.log->info("risk: strategy {} order on {} refused: {}", strategy_id, intent.sym.str(), v);
            return plugins::place_outcome::reject(v);
        }
        auto id = a_.orders->submit(intent);
        if (!id)
            return plugins::place_outcome::reject("OMS: " + id.error().message());
        a_.risk_accepted(intent, *id);
        // Tick-to-order ends when the order's bytes reach the socket (binance_venue, on the I/O
        // thread); mode paper has no socket: it ends at the hand-off to the fill simulator.
        if (a_.paper_mode() && intent.tick.ns != 0)
            a_.tick_to_order.record((a_.clk.now() - intent.tick).count());
        return plugins::place_outcome::accept(*id);
    }

    plugins::cancel_outcome cancel(std::uint32_t, const client_order_id& id) override {
        auto r = a_.orders->cancel(id);
        if (!r)
            return {false, r.error().message()};
        return {true, {}};
    }

    std::optional<plugins::order_info> query(const client_order_id& id) override {
        const auto* o = a_.orders->find(id);
        if (!o)
            return std::nullopt;
        plugins::order_info i;
        i.sym = o->intent.sym;
        i.order_side = o->intent.order_side;
        i.type = o->intent.type;
        i.status = o->status;
        i.price = o->intent.price.value_or(decimal{});
        i.quantity = o->intent.quantity.value_or(decimal{});
        i.cumulative_quantity = o->cumulative_quantity;
        return i;
    }

    std::optional<plugins::position_info> position(const symbol& sym) override {
        const auto* p = a_.orders->book().find(sym);
        if (!p)
            return std::nullopt;
        return plugins::position_info{p->quantity, p->average_cost, p->realized_pnl};
    }

    std::optional<balance> balance_of(const asset& name) override {
        if (const auto* b = a_.balances->find(name))
            return *b;
        if (auto total = a_.orders->book().balance_of(name))
            return balance{name, *total, decimal{}};
        return std::nullopt;
    }

    void log(std::string_view strategy, plugins::strategy_log_level level, std::string_view message) override {
        switch (level) {
        case plugins::strategy_log_level::trace: a_.strategy_log->trace("{}: {}", strategy, message); break;
        case plugins::strategy_log_level::debug: a_.strategy_log->debug("{}: {}", strategy, message); break;
        case plugins::strategy_log_level::info: a_.strategy_log->info("{}: {}", strategy, message); break;
        case plugins::strategy_log_level::warn: a_.strategy_log->warn("{}: {}", strategy, message); break;
        case plugins::strategy_log_level::error: a_.strategy_log->error("{}: {}", strategy, message); break;
        }
    }

    void cancel_all(std::uint32_t strategy_id) override {
        const auto& w = a_.orders->working();
        for (const auto& id : std::vector<client_order_id>(w.begin(), w.end()))
            // One that cannot be canceled yet (PENDING_NEW, UNKNOWN, ...) would stay working with
            // nobody following it: the tick cancels it once it is answered.
            if (const auto* o = a_.orders->find(id); o && o->intent.strategy_id == strategy_id)
                if (!a_.cancel_if_working(id))
                    a_.unfollowed_orders.insert(id);
    }

    time_point now() override { return a_.clk.now(); }
};

std::unique_ptr<plugins::services> make_app_services(gateway_app::impl& a) { return std::make_unique<app_services>(a); }

bool gateway_app::impl::load_strategies(std::string& why) {
    strategy_log = logs.get("strategy");
    services = make_app_services(*this);
    host = std::make_unique<plugins::host>(*services, logs.get("plugins"));
    for (const auto& s : cfg.strategies) {
        if (!s.enabled)
            continue;
        plugins::strategy_spec spec;
        spec.name = s.name;
        spec.path = s.path.is_absolute() ? s.path : build_dir / s.path;
        spec.params = s.params;
        spec.timer_interval = s.timer;
        spec.cancel_on_reload = s.cancel_on_reload;
        spec.book_depth = s.book_depth;
        spec.symbols = s.symbols;
        book_depth = std::max(book_depth, s.book_depth);
        // The state it saved before the last stop, from the replicas (start-up only).
        std::string state;
        plugins::saved_view view;
        if (auto snap = db->load_snapshot("strategy." + s.name); snap && *snap) {
            state.assign(reinterpret_cast<const char*>((*snap)->bytes.data()), (*snap)->bytes.size());
            state_versions[s.name] = (*snap)->version;
            if (auto v = take_saved_view(state))
                view = std::move(*v);
            else if (std::string_view(state).starts_with(view_magic))
                log->warn("strategy {}: the view stored with its saved state is unreadable: every final "
                          "order of it will be restated after the start",
                          s.name);
        }
        if (auto r = host->load(spec, state, view); !r) {
            why = cfg.where(config_file, "strategies." + s.name) + ": " + host->last_error();
            return false;
        }
        log->info("strategy {} loaded from {} ({} bytes of saved state)", s.name, spec.path.string(), state.size());
    }
    return true;
}

void gateway_app::impl::strategies_start() {
    if (!host)
        return;
    // Orders restored from before a restart go back to the strategies that placed them, so that
    // their reports reach them and they can cancel them (their saved state names them).
    // A strategy's id comes from its name, so renaming, removing or disabling one leaves its orders
    // with no owner: nothing would follow or cancel them. They are cancelled (once answered, if
    // still in flight), like the orders of a strategy that is disabled while running.
    std::size_t adopted = 0, orphans = 0;
    std::map<std::uint32_t, std::size_t> per_strategy;
    // Every order restored (open at the checkpoint or placed since, working or ended before the
    // stop or while the gateway was down) is restated to its strategy once it started: its saved
    // state may predate what happened to them, and those reports were never delivered.
    std::vector<execution_report> restated;
    if (orders) {
        for (const auto& [id, o] : orders->orders())
            if (is_final(o.status) && owed_restatement(id, host->view_of(o.intent.strategy_id)) &&
                host->adopt(id, o.intent.strategy_id))
                restated.push_back(state_report(o));
        for (const auto& id : std::vector<client_order_id>(orders->working().begin(), orders->working().end())) {
            const auto* o = orders->find(id);
            if (!o)
                continue;
            if (host->adopt(id, o->intent.strategy_id)) {
                restated.push_back(state_report(*o));
                ++adopted;
                ++per_strategy[o->intent.strategy_id];
                continue;
            }
            ++orphans;
            log->warn("restored open order {} ({} {} {}) belongs to no loaded strategy (id {}): cancelling it",
                      id.view(), o->intent.sym.view(), to_string(o->intent.order_side),
                      o->intent.quantity.value_or(decimal{}).to_string(), o->intent.strategy_id);
            if (!cancel_if_working(id))
                unfollowed_orders.insert(id);
        }
    }
    if (adopted) {
        std::string who;
        for (const auto& st : host->status())
            if (auto it = per_strategy.find(st.id); it != per_strategy.end())
                who += (who.empty() ? "" : ", ") + st.name + " " + std::to_string(it->second);
        log->info("{} restored open order(s) handed back to their strategies ({})", adopted, who);
    }
    if (orphans)
        log->warn("{} restored open order(s) of strategies no longer loaded: cancel(s) sent", orphans);
    host->start_all();
    // In the order they were placed; each counts as placed for the blob saved from then on, so
    // that a later restart does not restate (and count) it again.
    const auto placed = [](const client_order_id& id) {
        const auto p = parse_client_id(id.view());
        return p ? std::pair{p->instance, p->counter} : std::pair{id.str(), std::uint64_t{0}};
    };
    std::sort(restated.begin(), restated.end(), [&](const execution_report& a, const execution_report& b) {
        return placed(a.client_id) < placed(b.client_id);
    });
    for (const auto& r : restated) {
        if (const auto* o = orders->find(r.client_id);
            o && placed_after(r.client_id, host->last_placed_of(o->intent.strategy_id)))
            host->mark_placed(o->intent.strategy_id, r.client_id);
        host->restate(r);
    }
    if (!restated.empty())
        log->info("{} restored order(s) restated to their strategies", restated.size());
}

void gateway_app::impl::strategies_stop() {
    if (!host)
        return;
    strategies_save_states();
    host->stop_all();
    strategies_save_states();
}

void gateway_app::impl::strategies_on_trade(const trade& t) {
    if (host && trading_started && !shutdown_started) {
        tick_receive = t.receive_time;
        host->on_trade(t);
        tick_receive = {};
    }
}

void gateway_app::impl::strategies_on_execution(const execution_report& r) {
    if (host)
        host->on_execution(r);
}

void gateway_app::impl::strategies_on_timer(time_point now) {
    if (!host)
        return;
    // Books that are not valid: strategies hear it on every tick (they pull their quotes).
    for (auto& [sym, st] : symbols)
        if (!st.book->is_valid())
            host->on_book(sym, {}, {}, false, st.book->age());
    host->on_timer(now);
}

void gateway_app::impl::on_book_update(const symbol& sym, symbol_state& st, time_point received) {
    if (!host || !trading_started || shutdown_started)
        return;
    if (resources.conflating_books()) {
        st.conflated = true; // delivered by the next tick
        ++conflated_updates;
        return;
    }
    deliver_book(sym, st, received);
}

void gateway_app::impl::deliver_book(const symbol& sym, symbol_state& st, time_point received) {
    st.book->top(book_depth, top_bids, top_asks);
    tick_receive = received;
    host->on_book(sym, top_bids, top_asks, true, st.book->age());
    tick_receive = {};
}

void gateway_app::impl::strategies_save_states() {
    if (!host || !db)
        return;
    for (auto& [name, blob] : host->states()) {
        last_states[name] = blob;
        // What the blob knew of the strategy's orders goes with it (one row: never torn apart).
        const std::string stored = with_saved_view(host->view_of(name).value_or(plugins::saved_view{}), blob);
        std::vector<std::byte> bytes(stored.size());
        std::memcpy(bytes.data(), stored.data(), stored.size());
        const auto version = ++state_versions[name];
        db->save_snapshot("strategy." + name, version, std::move(bytes), [](result<void>) {});
    }
}

void gateway_app::impl::strategies_sweep_orders(time_point now) {
    if (unfollowed_orders.empty() || !orders || now < next_unfollowed_sweep)
        return;
    next_unfollowed_sweep = now + std::chrono::seconds{1};
    std::size_t cancels = 0;
    for (auto it = unfollowed_orders.begin(); it != unfollowed_orders.end();) {
        // Forgotten once final; kept (and canceled when it can be) until then.
        const auto* o = orders->find(*it);
        if (!o || is_final(o->status)) {
            it = unfollowed_orders.erase(it);
            continue;
        }
        if (cancel_if_working(*it))
            ++cancels;
        ++it;
    }
    if (cancels != 0)
        log->info("strategies: {} cancel(s) sent for orders of disabled or reloaded strategies answered since",
                  cancels);
}

void gateway_app::impl::reload_strategies(std::string why) {
    if (!host)
        return;
    for (const auto& s : host->status()) {
        auto r = host->reload(s.name);
        if (r)
            log->info("strategy {} reloaded ({})", s.name, why);
        else
            log->error("strategy {} reload failed ({}): {}", s.name, why, host->last_error());
    }
    checkpoint_soon(); // the reloaded strategies' state
}

std::string gateway_app::impl::strategies_json() const {
    std::ostringstream o;
    o << "[";
    if (host) {
        bool first = true;
        for (const auto& s : host->status()) {
            o << (first ? "" : ",") << "{\"id\":" << s.id << ",\"name\":" << json_quote(s.name)
              << ",\"state\":" << json_quote(plugins::to_string(s.state)) << ",\"reason\":" << json_quote(s.reason)
              << ",\"callbacks\":" << s.counters.callbacks << ",\"orders_placed\":" << s.counters.orders_placed
              << ",\"rejections\":" << s.counters.rejections << ",\"errors\":" << s.counters.errors;
            // The last state blob it saved (checkpointed): its size, and its printable start.
            if (auto it = last_states.find(s.name); it != last_states.end()) {
                std::string preview;
                for (char c : it->second.substr(0, 512))
                    preview += (c >= 0x20 && c < 0x7f) || c == '\n' ? c : '.';
                o << ",\"state_bytes\":" << it->second.size() << ",\"state_preview\":" << json_quote(preview);
            }
            o << "}";
            first = false;
        }
    }
    o << "]";
    return o.str();
}

void gateway_app::impl::balances_on_update(const account_update& u) {
    report_balance_alerts(balances->on_account_update(u));
}

void gateway_app::impl::report_balance_alerts(const std::vector<risk::balance_alert>& alerts) {
    for (const auto& alert : alerts)
        log->warn("balance alert: {} total {} below {}", alert.name.str(), alert.total.to_string(),
                  alert.threshold.to_string());
}

// The book's best bid and ask, when the book is valid: the reference prices of the pre-trade checks.
static risk::book_prices book_prices_of(const symbol_state& st) {
    risk::book_prices prices;
    if (st.book->is_valid()) {
        if (auto b = st.book->best_bid())
            prices.bid = b->price;
        if (auto a = st.book->best_ask())
            prices.ask = a->price;
    }
    return prices;
}

// Pre-trade checks: the free balance first (a refusal there must not use up the order rate), then
// the risk engine (it records accepted orders for the rate limit).
std::string gateway_app::impl::risk_gate(const order_intent& intent) {
    auto it = symbols.find(intent.sym);
    if (it == symbols.end())
        return "symbol " + intent.sym.str() + " is not traded by this gateway";
    const auto& st = it->second;
    const auto prices = book_prices_of(st);
    const auto ref = intent.order_side == side::buy ? prices.ask : prices.bid;
    settle_reservations();
    if (auto v = balances->check(intent, st.base, st.quote, ref); !v)
        return std::string(risk::to_string(v.code)) + ": " + v.text;
    open_views.clear();
    for (const auto& id : orders->working()) {
        const auto& o = *orders->find(id);
        if (!may_still_trade(o.status))
            continue;
        risk::open_order_view view;
        view.client_id = id;
        view.sym = o.intent.sym;
        view.order_side = o.intent.order_side;
        view.price = o.intent.price.value_or(decimal{});
        const auto qty = o.intent.quantity.value_or(decimal{});
        auto rest = qty.sub(o.cumulative_quantity);
        view.remaining = rest && !rest->is_negative() ? *rest : decimal{};
        view.strategy_id = o.intent.strategy_id;
        open_views.push_back(view);
    }
    decimal position;
    if (const auto* p = orders->book().find(intent.sym))
        position = p->quantity;
    const auto v = risk->check(risk::check_input{intent, prices, position, open_views});
    if (!v)
        return std::string(risk::to_string(v.code)) + ": " + v.text;
    return {};
}

// The balance check's reservation: until the venue's balances include this order, later checks
// count it as spent (the reference price, for market orders, is the one the check used).
void gateway_app::impl::risk_accepted(const order_intent& intent, const client_order_id& id) {
    auto it = symbols.find(intent.sym);
    if (it == symbols.end())
        return;
    const auto& st = it->second;
    const auto prices = book_prices_of(st);
    balances->reserve(id, intent, st.base, st.quote, intent.order_side == side::buy ? prices.ask : prices.bid);
}

void gateway_app::impl::settle_reservations() {
    if (!orders || balances->reservations() == 0)
        return;
    balances->settle([this](const client_order_id& id) {
        const auto* o = orders->find(id);
        if (!o || is_final(o->status))
            return risk::reserved_order::final;
        if (o->status == order_status::pending_new || o->status == order_status::unknown)
            return risk::reserved_order::unanswered;
        return risk::reserved_order::answered;
    });
}
bool gateway_app::impl::risk_killed() const { return risk && risk->killed(); }
std::string gateway_app::impl::risk_kill_reason() const { return risk ? risk->kill_reason() : std::string{}; }
void gateway_app::impl::risk_kill(std::string why) { risk->kill(std::move(why)); }
void gateway_app::impl::risk_metrics(const std::function<void(std::string_view, std::uint64_t)>& f) const {
    for (std::size_t i = 1; i < risk::reject_code_count; ++i) {
        const auto code = static_cast<risk::reject_code>(i);
        std::uint64_t n = risk ? risk->stats().rejections(code) : 0;
        if (code == risk::reject_code::insufficient_balance && balances)
            n += balances->stats().rejected;
        f(risk::to_string(code), n);
    }
}

void register_component_sections(config::loader& l, runtime_config& cfg) {
    l.section("risk", [&cfg](config::table_reader& r) { risk::parse_risk_section(r, cfg.risk); });
    l.section("balances", [&cfg](config::table_reader& r) { risk::parse_balances_section(r, cfg.balances); });
}

} // namespace genesis::gateway::runtime
namespace genesis::gateway::runtime {
unsigned gateway_app::impl::ops_port() const { return ops ? ops->port() : 0; }
} // namespace genesis::gateway::runtime
