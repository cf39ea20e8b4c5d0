// The order path of genesis::sim::exchange: new order, cancel, cancel all.
#include "genesis/sim/exchange.hpp"

#include "exchange_impl.hpp"

#include <utility>

namespace genesis::sim {
namespace {

// Checks the parameter combination of a new order the way Binance does, before any filter.
sim_errc check_params(const new_order_request& req) noexcept {
    switch (req.type) {
    case order_type::limit:
        if (!req.tif)
            return sim_errc::missing_time_in_force;
        if (!req.price)
            return sim_errc::missing_price;
        if (!req.quantity)
            return sim_errc::missing_quantity;
        if (req.quote_order_qty)
            return sim_errc::quote_order_qty_not_required;
        return sim_errc::ok;
    case order_type::limit_maker:
        if (req.tif)
            return sim_errc::time_in_force_not_required;
        if (!req.price)
            return sim_errc::missing_price;
        if (!req.quantity)
            return sim_errc::missing_quantity;
        if (req.quote_order_qty)
            return sim_errc::quote_order_qty_not_required;
        return sim_errc::ok;
    case order_type::market:
        if (req.tif)
            return sim_errc::time_in_force_not_required;
        if (req.price)
            return sim_errc::price_not_required;
        if (!req.quantity && !req.quote_order_qty)
            return sim_errc::missing_quantity_or_quote;
        if (req.quantity && req.quote_order_qty)
            return sim_errc::quote_order_qty_not_required;
        return sim_errc::ok;
    default:
        // Stop and take-profit orders are not simulated.
        return sim_errc::unsupported_order_combination;
    }
}

// The price a MARKET order's notional is checked against: the last trade, else the best price
// it would meet.
std::optional<decimal> reference_price(const market& m, side s) {
    if (m.ticker.trade_count > 0)
        return m.ticker.last_price;
    const auto best = s == side::buy ? m.book.best_ask() : m.book.best_bid();
    if (best)
        return best->price;
    return std::nullopt;
}

} // namespace

result<order_result> exchange::new_order(account_id acc, const new_order_request& req_in) {
    auto& st = impl_->stats;
    st.total.received++;
    account* a = impl_->find_account(acc);
    if (!a) {
        impl_->reject(acc, req_in, sim_errc::invalid_api_key);
        return make_error_code(sim_errc::invalid_api_key);
    }
    st.by_account[acc].received++;
    auto fail = [&](sim_errc e) -> result<order_result> {
        impl_->reject(acc, req_in, e);
        return make_error_code(e);
    };

    market* mp = impl_->find_market(req_in.sym);
    if (!mp)
        return fail(sim_errc::invalid_symbol);
    market& m = *mp;
    const instrument& inst = m.inst;
    if (const sim_errc e = check_params(req_in); e != sim_errc::ok)
        return fail(e);

    // Filters: PRICE_FILTER and LOT_SIZE (and NOTIONAL) from the instrument's rules.
    const bool by_quote = req_in.type == order_type::market && req_in.quote_order_qty.has_value();
    if (by_quote) {
        const decimal q = *req_in.quote_order_qty;
        if (!q.is_positive() || (!inst.min_notional.is_zero() && q < inst.min_notional) ||
            (!inst.max_notional.is_zero() && q > inst.max_notional))
            return fail(sim_errc::filter_notional);
    } else {
        const std::optional<decimal> ref =
            req_in.type == order_type::market ? reference_price(m, req_in.order_side) : std::nullopt;
        if (auto v = inst.validate(req_in.type, req_in.price, *req_in.quantity, ref))
            return fail(from_rule_violation(*v));
    }

    // newClientOrderId must be unique among the account's open orders on the symbol.
    new_order_request req = req_in;
    if (req.client_id.empty())
        req.client_id = impl_->generate_client_id();
    else if (m.open_by_client.contains({acc, req.client_id}))
        return fail(sim_errc::duplicate_order);

    const bool may_rest =
        req.type == order_type::limit_maker || (req.type == order_type::limit && *req.tif == time_in_force::gtc);
    if (may_rest && impl_->config.max_open_orders > 0) {
        const auto it = m.open_by_account.find(acc);
        if (it != m.open_by_account.end() && it->second.size() >= impl_->config.max_open_orders)
            return fail(sim_errc::filter_max_num_orders);
    }
    if (req.type == order_type::limit_maker && m.book.would_cross(req.order_side, *req.price))
        return fail(sim_errc::would_match_and_take);

    match_limits lim;
    lim.limit_price = req.price;
    lim.max_qty = req.quantity;
    lim.max_quote = req.quote_order_qty;
    lim.step_size = inst.step_size;

    // FOK trades only when the whole quantity is there now.
    bool fok_fails = false;
    if (req.type == order_type::limit && *req.tif == time_in_force::fok)
        fok_fails = m.book.estimate(req.order_side, lim).qty < *req.quantity;

    // Funds to lock: what the order can spend at most.
    const bool buy = req.order_side == side::buy;
    order_state o;
    o.locked_asset = buy ? inst.quote : inst.base;
    if (req.type != order_type::market) {
        if (buy) {
            auto cost = req.price->mul(*req.quantity, rounding::up);
            if (!cost)
                return fail(sim_errc::insufficient_balance);
            o.locked_amount = *cost;
        } else {
            o.locked_amount = *req.quantity;
        }
    } else if (by_quote) {
        o.locked_amount = buy ? *req.quote_order_qty : m.book.estimate(req.order_side, lim).qty;
    } else {
        o.locked_amount = buy ? m.book.estimate(req.order_side, lim).quote : *req.quantity;
    }
    if (!a->lock(o.locked_asset, o.locked_amount))
        return fail(sim_errc::insufficient_balance);

    // Accepted: the order gets its id and a NEW report.
    const time_point at = impl_->now();
    st.total.accepted++;
    st.by_account[acc].accepted++;
    impl_->note_balance(acc, o.locked_asset);
    o.rec.account = acc;
    o.rec.sym = inst.name;
    o.rec.order_id = m.next_order_id++;
    o.rec.client_id = req.client_id;
    o.rec.order_side = req.order_side;
    o.rec.type = req.type;
    o.rec.tif = req.tif.value_or(time_in_force::gtc);
    o.rec.status = order_status::new_;
    o.rec.price = req.price.value_or(decimal{});
    o.rec.orig_qty = req.quantity.value_or(decimal{});
    o.rec.orig_quote_order_qty = req.quote_order_qty.value_or(decimal{});
    o.rec.time = at;
    o.rec.update_time = at;
    o.rec.is_working = may_rest;
    o.rec.working_time = may_rest ? at : time_point{};
    const std::uint64_t id = o.rec.order_id;
    order_state& os = m.orders.emplace(id, std::move(o)).first->second;
    m.open_by_client[{acc, os.rec.client_id}] = id;
    m.open_by_account[acc].insert(id);
    if (a->keep_history()) {
        m.latest_by_client[{acc, os.rec.client_id}] = id;
        m.history_by_account[acc].push_back(id);
        impl_->acceptance.emplace_back(impl_->index_of(m), id);
    }
    impl_->ev.reports.emplace_back(acc, impl_->make_report(m, os, execution_type::new_, at));

    order_result out;
    out.transact_time = at;

    // Match against the book, price-time priority, unless it must not take.
    if (req.type != order_type::limit_maker && !fok_fails) {
        const auto matches = m.book.match(req.order_side, lim);
        if (!matches.empty())
            impl_->ev.markets.insert(impl_->index_of(m));
        const std::uint64_t first_trade = m.next_trade_id;
        for (const auto& mt : matches)
            impl_->settle(m, os, mt, at, out);
        // aggTrade: consecutive fills of this taker at one price.
        std::uint64_t tid = first_trade;
        for (std::size_t i = 0; i < matches.size();) {
            agg_trade g;
            g.sym = inst.name;
            g.agg_id = m.next_agg_id++;
            g.price = matches[i].price;
            g.first_trade_id = tid;
            g.buyer_is_maker = !buy;
            g.time = at;
            for (; i < matches.size() && matches[i].price == g.price; ++i, ++tid)
                g.qty = plus(g.qty, matches[i].qty);
            g.last_trade_id = tid - 1;
            m.recent_aggs.push_back(g);
            while (m.recent_aggs.size() > std::max<std::size_t>(impl_->config.trade_history, 1))
                m.recent_aggs.pop_front();
            impl_->ev.aggs.push_back(g);
        }
    }

    // What is left rests (GTC, LIMIT_MAKER), or expires (IOC, FOK, MARKET).
    if (by_quote) {
        os.rec.orig_qty = os.rec.executed_qty;
        const decimal quote_left = minus(*req.quote_order_qty, os.rec.cumulative_quote_qty);
        const bool book_left = buy ? m.book.best_ask().has_value() : m.book.best_bid().has_value();
        const bool filled = os.rec.executed_qty.is_positive() && (book_left || quote_left.is_zero());
        impl_->finish(m, os, filled ? order_status::filled : order_status::expired, at);
        // Its size was unknown while it traded: the last TRADE report is the one that filled it.
        for (auto it = impl_->ev.reports.rbegin(); filled && it != impl_->ev.reports.rend(); ++it) {
            if (it->first == acc && it->second.order_id == id && it->second.sym == inst.name &&
                it->second.exec_type == execution_type::trade) {
                it->second.status = order_status::filled;
                break;
            }
        }
        if (!filled)
            impl_->ev.reports.emplace_back(acc, impl_->make_report(m, os, execution_type::expired, at));
    } else if (os.rec.executed_qty >= os.rec.orig_qty) {
        impl_->finish(m, os, order_status::filled, at);
    } else if (may_rest) {
        const decimal remaining = minus(os.rec.orig_qty, os.rec.executed_qty);
        m.book.add({id, acc, os.rec.order_side, os.rec.price, remaining});
        impl_->ev.markets.insert(impl_->index_of(m));
        if (buy) {
            // Fills at better prices leave more locked than the rest needs: release the surplus.
            const decimal needed = times(os.rec.price, remaining, rounding::up);
            if (os.locked_amount > needed) {
                a->unlock(os.locked_asset, minus(os.locked_amount, needed));
                os.locked_amount = needed;
            }
        }
    } else {
        impl_->finish(m, os, order_status::expired, at);
        impl_->ev.reports.emplace_back(acc, impl_->make_report(m, os, execution_type::expired, at));
    }

    out.order = os.rec;
    impl_->flush();
    return out;
}

result<cancel_result> exchange::cancel_order(account_id acc, const cancel_request& req) {
    auto& st = impl_->stats;
    st.cancel_requests++;
    auto fail = [&](sim_errc e) -> result<cancel_result> {
        st.cancel_rejected++;
        return make_error_code(e);
    };
    if (!impl_->find_account(acc))
        return fail(sim_errc::invalid_api_key);
    market* m = impl_->find_market(req.sym);
    if (!m)
        return fail(sim_errc::invalid_symbol);
    if (!req.order_id && req.orig_client_id.empty())
        return fail(sim_errc::missing_order_id);

    // orderId wins when both are given; a client id names an open order only.
    std::uint64_t id = 0;
    if (req.order_id) {
        id = *req.order_id;
    } else if (auto it = m->open_by_client.find({acc, req.orig_client_id}); it != m->open_by_client.end()) {
        id = it->second;
    }
    const auto it = m->orders.find(id);
    if (it == m->orders.end() || it->second.rec.account != acc || is_final(it->second.rec.status))
        return fail(sim_errc::unknown_order);
    if (req.order_id && !req.orig_client_id.empty() && it->second.rec.client_id != req.orig_client_id)
        return fail(sim_errc::unknown_order);

    const client_order_id cancel_id = req.new_client_id.empty() ? impl_->generate_client_id() : req.new_client_id;
    auto out = impl_->cancel_open(*m, id, cancel_id, impl_->now());
    impl_->flush();
    return out;
}

result<std::vector<cancel_result>> exchange::cancel_open_orders(account_id acc, const symbol& sym) {
    auto& st = impl_->stats;
    st.cancel_requests++;
    if (!impl_->find_account(acc)) {
        st.cancel_rejected++;
        return make_error_code(sim_errc::invalid_api_key);
    }
    market* m = impl_->find_market(sym);
    if (!m) {
        st.cancel_rejected++;
        return make_error_code(sim_errc::invalid_symbol);
    }
    const auto it = m->open_by_account.find(acc);
    if (it == m->open_by_account.end() || it->second.empty()) {
        st.cancel_rejected++;
        return make_error_code(sim_errc::unknown_order);
    }
    // Oldest first; copy the ids because each cancel edits the set.
    const std::vector<std::uint64_t> ids(it->second.begin(), it->second.end());
    const time_point at = impl_->now();
    std::vector<cancel_result> out;
    out.reserve(ids.size());
    for (const std::uint64_t id : ids)
        out.push_back(impl_->cancel_open(*m, id, impl_->generate_client_id(), at));
    impl_->flush();
    return out;
}

} // namespace genesis::sim
