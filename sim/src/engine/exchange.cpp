#include "genesis/sim/exchange.hpp"

#include "exchange_impl.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace genesis::sim {
namespace {

// Binance's "r" field for the rejections this engine can report.
std::string reject_reason(sim_errc e) {
    switch (e) {
    case sim_errc::insufficient_balance: return "INSUFFICIENT_BALANCES";
    case sim_errc::would_match_and_take: return "WOULD_MATCH_AND_TAKE";
    default: return std::string(binance_message(e));
    }
}

order_counters& counters(engine_stats& s, account_id acc) { return s.by_account[acc]; }

} // namespace

// --- impl -----------------------------------------------------------------------------------

result<account_id> exchange::impl::add_account(const account_config& cfg) {
    if (by_key.contains(cfg.api_key))
        return make_error_code(sim_errc::duplicate_account);
    const auto id = static_cast<account_id>(accounts.size() + 1);
    accounts.push_back(std::make_unique<account>(id, cfg, config.maker_commission, config.taker_commission));
    by_key.emplace(cfg.api_key, id);
    return id;
}

client_order_id exchange::impl::generate_client_id() {
    // Unique within this exchange; clients never use the "sim-" prefix in tests.
    return client_order_id::truncating("sim-" + std::to_string(++generated_ids));
}

execution_report exchange::impl::make_report(const market& m, const order_state& o, execution_type t,
                                             time_point at) const {
    execution_report r;
    r.venue = config.venue;
    r.sym = m.inst.name;
    r.order_id = o.rec.order_id;
    r.client_id = o.rec.client_id;
    r.order_side = o.rec.order_side;
    r.type = o.rec.type;
    r.tif = o.rec.tif;
    r.status = o.rec.status;
    r.exec_type = t;
    r.price = o.rec.price;
    r.quantity = o.rec.orig_qty;
    r.quote_order_qty = o.rec.orig_quote_order_qty;
    r.cumulative_quantity = o.rec.executed_qty;
    r.cumulative_quote = o.rec.cumulative_quote_qty;
    r.is_working = o.rec.is_working;
    r.reject_reason = "NONE";
    r.event_time = at;
    r.transaction_time = at;
    r.order_creation_time = o.rec.time;
    r.working_time = o.rec.working_time;
    return r;
}

void exchange::impl::reject(account_id acc, const new_order_request& req, sim_errc why) {
    stats.total.rejected++;
    stats.total.rejected_by_reason[why]++;
    const account* a = find_account(acc);
    if (a) {
        auto& c = counters(stats, acc);
        c.rejected++;
        c.rejected_by_reason[why]++;
    }
    if (!a || a->keep_history())
        rejections.push_back({acc, req.sym, req.client_id, why, now()});
    // Optional REJECTED report; never for a duplicate id, which would alias the live order.
    const bool reportable = why == sim_errc::insufficient_balance || why == sim_errc::would_match_and_take ||
                            why == sim_errc::filter_price || why == sim_errc::filter_lot_size ||
                            why == sim_errc::filter_notional || why == sim_errc::filter_max_num_orders;
    if (config.report_rejections && a && reportable && find_market(req.sym)) {
        order_state o;
        o.rec.account = acc;
        o.rec.sym = req.sym;
        o.rec.client_id = req.client_id;
        o.rec.order_side = req.order_side;
        o.rec.type = req.type;
        o.rec.tif = req.tif.value_or(time_in_force::gtc);
        o.rec.status = order_status::rejected;
        o.rec.price = req.price.value_or(decimal{});
        o.rec.orig_qty = req.quantity.value_or(decimal{});
        o.rec.orig_quote_order_qty = req.quote_order_qty.value_or(decimal{});
        o.rec.time = now();
        auto r = make_report(*find_market(req.sym), o, execution_type::rejected, now());
        r.reject_reason = reject_reason(why);
        ev.reports.emplace_back(acc, std::move(r));
    }
    flush();
}

void exchange::impl::finish(market& m, order_state& o, order_status final_status, time_point at) {
    account& a = *find_account(o.rec.account);
    // Whatever the order still holds goes back to free.
    if (o.locked_amount.is_positive()) {
        a.unlock(o.locked_asset, o.locked_amount);
        note_balance(o.rec.account, o.locked_asset);
        o.locked_amount = decimal{};
    }
    o.rec.status = final_status;
    o.rec.is_working = false;
    o.rec.update_time = at;
    m.open_by_client.erase({o.rec.account, o.rec.client_id});
    if (auto it = m.open_by_account.find(o.rec.account); it != m.open_by_account.end()) {
        it->second.erase(o.rec.order_id);
        if (it->second.empty())
            m.open_by_account.erase(it);
    }
    auto& c = counters(stats, o.rec.account);
    switch (final_status) {
    case order_status::filled: c.filled++, stats.total.filled++; break;
    case order_status::canceled: c.canceled++, stats.total.canceled++; break;
    case order_status::expired: c.expired++, stats.total.expired++; break;
    default: break;
    }
    if (!a.keep_history())
        to_forget.emplace_back(index_of(m), o.rec.order_id);
}

fill exchange::impl::apply_fill(market& m, order_state& o, const book_match& mt, std::uint64_t trade_id, bool is_maker,
                                time_point at) {
    account& a = *find_account(o.rec.account);
    const asset& base = m.inst.base;
    const asset& quote = m.inst.quote;
    const bool buy = o.rec.order_side == side::buy;
    const decimal rate = is_maker ? a.maker_commission() : a.taker_commission();

    // Pay from the order's lock; a rounding shortfall of the lock comes out of free.
    const asset& pay_asset = buy ? quote : base;
    const decimal pay = buy ? mt.quote : mt.qty;
    const decimal consumed = a.consume_locked(pay_asset, min_of(o.locked_amount, pay));
    o.locked_amount = minus(o.locked_amount, consumed);
    if (consumed < pay)
        (void)a.credit(pay_asset, -minus(pay, consumed));

    // Receive the other asset less the commission, charged in it (Binance's default).
    const asset& recv_asset = buy ? base : quote;
    const decimal received = buy ? mt.qty : mt.quote;
    const decimal commission = times(received, rate, rounding::nearest);
    (void)a.credit(recv_asset, minus(received, commission));
    note_balance(o.rec.account, pay_asset);
    note_balance(o.rec.account, recv_asset);

    o.rec.executed_qty = plus(o.rec.executed_qty, mt.qty);
    o.rec.cumulative_quote_qty = plus(o.rec.cumulative_quote_qty, mt.quote);
    const bool done = o.rec.orig_qty.is_positive() && o.rec.executed_qty >= o.rec.orig_qty;
    o.rec.status = done ? order_status::filled : order_status::partially_filled;
    o.rec.update_time = at;

    auto r = make_report(m, o, execution_type::trade, at);
    r.last_quantity = mt.qty;
    r.last_price = mt.price;
    r.commission = commission;
    r.commission_asset = recv_asset;
    r.trade_id = trade_id;
    r.is_maker = is_maker;
    r.is_working = is_maker && !done;
    ev.reports.emplace_back(o.rec.account, std::move(r));

    for (order_counters* c : {&counters(stats, o.rec.account), &stats.total}) {
        c->fills++;
        c->executed_qty = plus(c->executed_qty, mt.qty);
        c->executed_quote = plus(c->executed_quote, mt.quote);
    }
    if (a.keep_history()) {
        account_trade t{o.rec.account,    m.inst.name, trade_id, o.rec.order_id, o.rec.client_id,
                        o.rec.order_side, mt.price,    mt.qty,   mt.quote,       commission,
                        recv_asset,       is_maker,    at};
        m.trades_by_account[o.rec.account].push_back(t);
        fills[o.rec.account].push_back(std::move(t));
    }
    return {mt.price, mt.qty, commission, recv_asset, trade_id};
}

void exchange::impl::settle(market& m, order_state& taker, const book_match& mt, time_point at, order_result& out) {
    const std::uint64_t trade_id = m.next_trade_id++;
    auto maker_it = m.orders.find(mt.maker_order_id);
    if (maker_it != m.orders.end()) {
        order_state& maker = maker_it->second;
        apply_fill(m, maker, mt, trade_id, true, at);
        if (mt.maker_done)
            finish(m, maker, order_status::filled, at);
    }
    out.fills.push_back(apply_fill(m, taker, mt, trade_id, false, at));

    trade t;
    t.venue = config.venue;
    t.sym = m.inst.name;
    t.trade_id = trade_id;
    t.price = mt.price;
    t.quantity = mt.qty;
    t.buyer_is_maker = taker.rec.order_side == side::sell;
    t.trade_time = at;
    m.recent_trades.push_back(t);
    while (m.recent_trades.size() > std::max<std::size_t>(config.trade_history, 1))
        m.recent_trades.pop_front();
    ev.trades.push_back(t);
    stats.trades++;

    auto& tk = m.ticker;
    if (tk.trade_count == 0) {
        tk.open_price = tk.high_price = tk.low_price = mt.price;
        tk.first_trade_id = trade_id;
    }
    tk.last_price = mt.price;
    tk.high_price = std::max(tk.high_price, mt.price);
    tk.low_price = std::min(tk.low_price, mt.price);
    tk.volume = plus(tk.volume, mt.qty);
    tk.quote_volume = plus(tk.quote_volume, mt.quote);
    tk.last_trade_id = trade_id;
    tk.trade_count++;
}

cancel_result exchange::impl::cancel_open(market& m, std::uint64_t order_id, const client_order_id& cancel_id,
                                          time_point at) {
    order_state& o = m.orders.at(order_id);
    (void)m.book.remove(order_id);
    ev.markets.insert(index_of(m));
    finish(m, o, order_status::canceled, at);
    auto r = make_report(m, o, execution_type::canceled, at);
    r.client_id = cancel_id;
    r.orig_client_id = o.rec.client_id;
    ev.reports.emplace_back(o.rec.account, std::move(r));
    return {o.rec, cancel_id, at};
}

void exchange::impl::flush() {
    // Take the batch first: a listener that misbehaves and calls back in starts a new one.
    pending_events batch = std::move(ev);
    ev = {};
    const time_point at = now();
    for (const auto& [acc, r] : batch.reports)
        for (auto* l : listeners)
            l->on_execution_report(acc, r);
    for (const auto& [acc, assets] : batch.changed) {
        const account* a = find_account(acc);
        if (!a)
            continue;
        account_update u;
        u.venue = config.venue;
        for (const auto& name : assets)
            u.balances.push_back(a->get(name));
        u.event_time = at;
        u.last_update_time = at;
        for (auto* l : listeners)
            l->on_account_position(acc, u);
    }
    for (const auto& [acc, b] : batch.balance_updates)
        for (auto* l : listeners)
            l->on_balance_update(acc, b);
    for (const auto& t : batch.trades)
        for (auto* l : listeners)
            l->on_trade(t);
    for (const auto& g : batch.aggs)
        for (auto* l : listeners)
            l->on_agg_trade(g);
    for (const std::size_t idx : batch.markets) {
        market& m = markets[idx];
        // Always drain the journal so the next diff starts right after this one.
        if (auto d = m.book.take_delta()) {
            d->venue = config.venue;
            d->sym = m.inst.name;
            d->exchange_time = at;
            for (auto* l : listeners)
                l->on_depth_diff(*d);
        }
        const auto bid = m.book.best_bid();
        const auto ask = m.book.best_ask();
        if (bid != m.last_bid || ask != m.last_ask) {
            m.last_bid = bid;
            m.last_ask = ask;
            top_of_book tob;
            tob.venue = config.venue;
            tob.sym = m.inst.name;
            tob.update_id = m.book.update_id();
            tob.bid = bid.value_or(book_level{});
            tob.ask = ask.value_or(book_level{});
            for (auto* l : listeners)
                l->on_book_ticker(tob);
        }
    }
    // Final orders of accounts without history are dropped once reported.
    for (const auto& [idx, id] : to_forget) {
        market& m = markets[idx];
        auto it = m.orders.find(id);
        if (it == m.orders.end())
            continue;
        const client_key key{it->second.rec.account, it->second.rec.client_id};
        if (auto lk = m.latest_by_client.find(key); lk != m.latest_by_client.end() && lk->second == id)
            m.latest_by_client.erase(lk);
        m.orders.erase(it);
    }
    to_forget.clear();
}

// --- exchange: setup -------------------------------------------------------------------------

exchange::exchange(exchange_config cfg, const clock& clk) : impl_(std::make_unique<impl>()) {
    impl_->config = std::move(cfg);
    impl_->clk = &clk;
    for (const auto& inst : impl_->config.markets) {
        // A nameless or repeated symbol is skipped rather than trusted.
        if (inst.name.empty() || impl_->market_index.contains(inst.name))
            continue;
        impl_->market_index.emplace(inst.name, impl_->markets.size());
        auto& m = impl_->markets.emplace_back();
        m.inst = inst;
        m.ticker.sym = inst.name;
    }
    for (const auto& acc : impl_->config.accounts)
        (void)impl_->add_account(acc);
    if (!impl_->config.agents.markets.empty()) {
        account_config ac;
        ac.name = "agents";
        ac.api_key = impl_->config.agents.api_key;
        ac.keep_history = false;
        ac.balances = impl_->config.agents.balances;
        if (ac.balances.empty()) {
            // Deep pockets: agents must never be the reason a market stops moving.
            std::set<asset> seen;
            for (const auto& m : impl_->markets) {
                if (seen.insert(m.inst.base).second)
                    ac.balances.push_back({m.inst.base, decimal::from_raw(1'000'000 * decimal::one_raw), {}});
                if (seen.insert(m.inst.quote).second)
                    ac.balances.push_back({m.inst.quote, decimal::from_raw(10'000'000'000 * decimal::one_raw), {}});
            }
        }
        if (auto id = impl_->add_account(ac)) {
            impl_->agents_account = *id;
            impl_->agents = std::make_unique<market_maker_agents>(impl_->config.agents, *this, *id);
        }
    }
}

exchange::~exchange() = default;

result<account_id> exchange::create_account(const account_config& cfg) { return impl_->add_account(cfg); }

std::optional<account_id> exchange::find_account(std::string_view api_key) const noexcept {
    const auto it = impl_->by_key.find(api_key);
    if (it == impl_->by_key.end())
        return std::nullopt;
    return it->second;
}

const account* exchange::get_account(account_id id) const noexcept { return impl_->find_account(id); }

std::vector<account_id> exchange::accounts() const {
    std::vector<account_id> out;
    for (const auto& a : impl_->accounts)
        out.push_back(a->id());
    return out;
}

account_id exchange::agents_account() const noexcept { return impl_->agents_account; }

result<balance> exchange::adjust_balance(account_id id, const asset& a, decimal delta) {
    account* acc = impl_->find_account(id);
    if (!acc)
        return make_error_code(sim_errc::invalid_api_key);
    if (!acc->credit(a, delta))
        return make_error_code(sim_errc::insufficient_balance);
    const time_point at = impl_->now();
    impl_->ev.balance_updates.push_back({id, balance_update{impl_->config.venue, a, delta, at, at, {}}});
    impl_->note_balance(id, a);
    impl_->flush();
    return acc->get(a);
}

const std::vector<instrument>& exchange::instruments() const noexcept { return impl_->config.markets; }

const instrument* exchange::find_instrument(const symbol& sym) const noexcept {
    const market* m = impl_->find_market(sym);
    return m ? &m->inst : nullptr;
}

const exchange_config& exchange::config() const noexcept { return impl_->config; }

void exchange::subscribe(exchange_listener* l) {
    if (l && std::find(impl_->listeners.begin(), impl_->listeners.end(), l) == impl_->listeners.end())
        impl_->listeners.push_back(l);
}

void exchange::unsubscribe(exchange_listener* l) { std::erase(impl_->listeners, l); }

void exchange::advance_to(time_point t) {
    if (impl_->agents)
        impl_->agents->advance_to(*this, t);
}

} // namespace genesis::sim
