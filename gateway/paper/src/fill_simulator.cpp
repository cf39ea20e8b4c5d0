#include "genesis/gateway/paper/fill_simulator.hpp"

#include <algorithm>
#include <utility>

namespace genesis::gateway::paper {

namespace {

constexpr std::string_view no_reason = "NONE";
constexpr std::string_view insufficient_balance = "-2010 Account has insufficient balance for requested action.";
constexpr std::string_view would_take = "-2010 Order would immediately match and take.";
constexpr std::string_view duplicate_order = "-2010 Duplicate order sent.";
constexpr std::size_t latest_trades_page = 500;
constexpr std::size_t trades_page_limit = 1000;

// Money never overflows in practice (8 decimals in an int64: up to 9.2e10); when it would, the
// order is refused rather than mis-booked (callers check through the optional).
std::optional<decimal> mul(decimal a, decimal b, rounding m) {
    auto r = a.mul(b, m);
    return r ? std::optional{*r} : std::nullopt;
}
decimal plus(decimal a, decimal b) {
    auto r = a.add(b);
    return r ? *r : decimal::max();
}
decimal minus(decimal a, decimal b) {
    auto r = a.sub(b);
    return r ? *r : decimal::lowest();
}

// The asset an order locks: quote for a buy, base for a sell.
asset lock_asset(const instrument& rules, side s) { return s == side::buy ? rules.quote : rules.base; }

side other(side s) { return s == side::buy ? side::sell : side::buy; }

// p is at least as good as limit for an order on side s (a buy pays at most its limit).
bool within(side s, decimal p, decimal limit) { return s == side::buy ? p <= limit : p >= limit; }

} // namespace

fill_simulator::fill_simulator(paper_config cfg, const genesis::clock& clk, paper_sink sink, venue_id venue)
        : cfg_(std::move(cfg)), clk_(clk), sink_(std::move(sink)), venue_(venue) {
    cfg_.final_order_history = std::max<std::size_t>(cfg_.final_order_history, 1);
    for (const auto& [a, amount] : cfg_.balances)
        balances_[a].free = amount;
}

void fill_simulator::add_symbol(const instrument& rules, const book_view* book) {
    auto& sb = symbols_[rules.name];
    sb.rules = rules;
    sb.book = book;
    // Every traded asset shows in the account, even at zero (as on Binance).
    (void)balances_[rules.base];
    (void)balances_[rules.quote];
}

execution_report fill_simulator::report_of(const paper_order& o, execution_type et) const {
    execution_report r;
    r.venue = venue_;
    r.sym = o.sym;
    r.order_id = o.order_id;
    r.client_id = o.client_id;
    r.order_side = o.order_side;
    r.type = o.type;
    r.tif = o.tif;
    r.status = o.status;
    r.exec_type = et;
    r.price = o.price;
    r.quantity = o.quantity;
    r.cumulative_quantity = o.cumulative_quantity;
    r.cumulative_quote = o.cumulative_quote;
    r.is_working = is_working(o.status);
    r.reject_reason = std::string(no_reason);
    r.event_time = o.updated;
    r.transaction_time = o.updated;
    r.order_creation_time = o.created;
    r.working_time = o.created;
    r.receive_time = clk_.now();
    return r;
}

execution_report fill_simulator::reject_of(const order_intent& in, std::string reason) const {
    execution_report r;
    r.venue = venue_;
    r.sym = in.sym;
    r.client_id = in.client_id;
    r.order_side = in.order_side;
    r.type = in.type;
    r.tif = in.tif;
    r.status = order_status::rejected;
    r.exec_type = execution_type::rejected;
    r.reject_reason = std::move(reason);
    r.transaction_time = clk_.wall();
    r.event_time = r.transaction_time;
    r.receive_time = clk_.now();
    return r;
}

decimal fill_simulator::fee_of(decimal amount, bool maker) const {
    const decimal bps = maker ? cfg_.maker_fee_bps : cfg_.taker_fee_bps;
    // commission = amount * bps / 10000, rounded up to the 8th decimal (never in the trader's favour).
    auto per = amount.mul(bps, rounding::up);
    if (!per)
        return decimal::max();
    auto fee = per->div(decimal::from_raw(10'000 * decimal::one_raw), rounding::up);
    return fee ? *fee : decimal::max();
}

std::vector<fill_simulator::planned_fill> fill_simulator::plan_taker(const symbol_book& sb, const order_intent& in,
                                                                     decimal quantity) const {
    std::vector<planned_fill> plan;
    const side book_side = other(in.order_side);
    const bool limited = in.type != order_type::market;
    const bool by_quote = in.type == order_type::market && !in.quantity && in.quote_quantity;
    decimal left = quantity;
    decimal quote_left = by_quote ? *in.quote_quantity : decimal{};
    for (std::size_t i = 0, n = sb.book->depth(book_side); i < n; ++i) {
        const auto lvl = sb.book->level(book_side, i);
        if (limited && !within(in.order_side, lvl.price, *in.price))
            break;
        decimal take = lvl.quantity;
        if (by_quote) {
            // quoteOrderQty: as much base as the quote left buys at this level, on the step grid.
            auto q = quote_left.div(lvl.price, rounding::down);
            if (!q)
                break;
            auto stepped = sb.rules.round_quantity(*q, rounding::down);
            take = std::min(take, stepped ? *stepped : decimal{});
        } else {
            take = std::min(take, left);
        }
        if (!take.is_positive())
            break;
        plan.push_back({lvl.price, take});
        if (by_quote) {
            auto cost = mul(lvl.price, take, rounding::up);
            quote_left = cost ? minus(quote_left, *cost) : decimal{};
        } else {
            left = minus(left, take);
            if (left.is_zero())
                break;
        }
    }
    return plan;
}

void fill_simulator::remember_final(const paper_order& o) {
    symbols_[o.sym].working.erase(o.client_id);
    finals_.push_back(o.client_id);
    while (finals_.size() > cfg_.final_order_history) {
        orders_.erase(finals_.front());
        finals_.pop_front();
    }
}

void fill_simulator::unlock_rest(paper_order& o, std::vector<asset>& touched) {
    if (o.locked.is_zero())
        return;
    const auto a = lock_asset(symbols_[o.sym].rules, o.order_side);
    auto& f = balances_[a];
    f.locked = minus(f.locked, o.locked);
    f.free = plus(f.free, o.locked);
    o.locked = decimal{};
    touched.push_back(a);
}

void fill_simulator::fill(paper_order& o, decimal p, decimal q, bool maker, std::vector<asset>& touched) {
    auto& sb = symbols_[o.sym];
    const auto& rules = sb.rules;
    const auto notional = mul(p, q, o.order_side == side::buy ? rounding::up : rounding::down).value_or(decimal{});
    db::fill_record f;
    f.venue = venue_;
    f.sym = o.sym;
    f.trade_id = next_trade_id_++;
    f.client_id = o.client_id;
    f.order_id = o.order_id;
    f.order_side = o.order_side;
    f.price = p;
    f.quantity = q;
    f.is_maker = maker;
    f.time = clk_.wall();
    if (o.order_side == side::buy) {
        // The lock was taken at the limit price (MARKET: at the planned cost); a better price
        // gives the difference back at once.
        auto at_limit = o.type == order_type::market ? std::optional{notional} : mul(o.price, q, rounding::up);
        const decimal release = std::min(o.locked, at_limit.value_or(o.locked));
        auto& quote = balances_[rules.quote];
        quote.locked = minus(quote.locked, release);
        quote.free = plus(quote.free, minus(release, notional));
        o.locked = minus(o.locked, release);
        // Binance charges the commission in the asset received (BNB discounts are not simulated).
        f.commission = fee_of(q, maker);
        f.commission_asset = rules.base;
        auto& base = balances_[rules.base];
        base.free = plus(base.free, minus(q, f.commission));
        touched.push_back(rules.quote);
        touched.push_back(rules.base);
    } else {
        auto& base = balances_[rules.base];
        const decimal release = std::min(o.locked, q);
        base.locked = minus(base.locked, release);
        o.locked = minus(o.locked, release);
        f.commission = fee_of(notional, maker);
        f.commission_asset = rules.quote;
        auto& quote = balances_[rules.quote];
        quote.free = plus(quote.free, minus(notional, f.commission));
        touched.push_back(rules.base);
        touched.push_back(rules.quote);
    }
    o.cumulative_quantity = plus(o.cumulative_quantity, q);
    o.cumulative_quote = plus(o.cumulative_quote, notional);
    o.status = o.cumulative_quantity >= o.quantity ? order_status::filled : order_status::partially_filled;
    o.updated = f.time;
    if (maker)
        ++stats_.maker_fills;
    else
        ++stats_.taker_fills;

    sb.trades.push_back(f);
    while (sb.trades.size() > std::max<std::size_t>(cfg_.trade_history, 1))
        sb.trades.pop_front();

    auto rep = report_of(o, execution_type::trade);
    rep.last_quantity = q;
    rep.last_price = p;
    rep.commission = f.commission;
    rep.commission_asset = f.commission_asset;
    rep.trade_id = f.trade_id;
    rep.is_maker = maker;
    if (o.status == order_status::filled) {
        unlock_rest(o, touched);
        remember_final(o);
    }
    if (sink_.on_execution)
        sink_.on_execution(rep);
}

void fill_simulator::finalize(paper_order& o, order_status s, execution_type et, std::vector<asset>& touched) {
    o.status = s;
    o.updated = clk_.wall();
    unlock_rest(o, touched);
    remember_final(o);
    if (sink_.on_execution)
        sink_.on_execution(report_of(o, et));
}

void fill_simulator::emit_account(const std::vector<asset>& touched) {
    if (touched.empty() || !sink_.on_account)
        return;
    account_update u;
    u.venue = venue_;
    u.event_time = clk_.wall();
    u.last_update_time = u.event_time;
    u.receive_time = clk_.now();
    std::vector<asset> names(touched);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& a : names) {
        const auto& f = balances_[a];
        u.balances.push_back({a, f.free, f.locked});
    }
    sink_.on_account(u);
}

paper_order* fill_simulator::find(const symbol& sym, const client_order_id& cid,
                                  std::optional<std::uint64_t> order_id) {
    if (!cid.empty()) {
        auto it = orders_.find(cid);
        if (it != orders_.end() && it->second.sym == sym)
            return &it->second;
    }
    if (order_id)
        for (auto& [id, o] : orders_)
            if (o.order_id == *order_id && o.sym == sym)
                return &o;
    return nullptr;
}

void fill_simulator::place(const order_intent& in, venue_callback<execution_report> done) {
    auto refuse = [&](std::string reason) {
        ++stats_.rejected;
        done(reject_of(in, std::move(reason)));
    };
    auto sit = symbols_.find(in.sym);
    if (sit == symbols_.end())
        return refuse("-1121 Invalid symbol.");
    auto& sb = sit->second;
    if (in.client_id.empty() || orders_.contains(in.client_id))
        return refuse(std::string(duplicate_order));
    if (in.type != order_type::limit && in.type != order_type::market && in.type != order_type::limit_maker)
        return refuse("-1013 paper mode simulates LIMIT, LIMIT_MAKER and MARKET orders only, not " +
                      std::string(to_string(in.type)));
    if (!sb.book || !sb.book->valid())
        return refuse("-1013 paper mode: no valid book for " + in.sym.str() + " yet");
    const bool by_quote = in.type == order_type::market && !in.quantity && in.quote_quantity;
    if (!in.quantity && !by_quote)
        return refuse("-1102 Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    if (in.type != order_type::market && !in.price)
        return refuse("-1102 Mandatory parameter 'price' was not sent, was empty/null, or malformed.");

    // The whole order as it would match now, against the displayed levels.
    const decimal asked = in.quantity ? *in.quantity : decimal::max();
    auto plan = plan_taker(sb, in, asked);
    decimal planned;
    decimal planned_cost;
    for (const auto& p : plan) {
        planned = plus(planned, p.quantity);
        planned_cost = plus(planned_cost, mul(p.price, p.quantity, rounding::up).value_or(decimal::max()));
    }
    const decimal quantity = by_quote ? planned : asked;

    // Filters (exchangeInfo): a MARKET order's notional is checked at the best opposite price.
    std::optional<decimal> reference;
    if (!plan.empty())
        reference = plan.front().price;
    if (!by_quote || quantity.is_positive()) {
        if (auto v = sb.rules.validate(in.type, in.price, quantity, reference))
            return refuse("-1013 Filter failure: " + std::string(filter_name(*v)));
    }
    if (in.type == order_type::limit_maker && !plan.empty())
        return refuse(std::string(would_take));

    // Funds: a LIMIT buy locks price x quantity of quote, a MARKET buy its planned cost, a sell
    // its quantity of base.
    decimal need;
    if (in.order_side == side::sell) {
        need = quantity;
    } else if (in.type == order_type::market) {
        need = planned_cost;
    } else {
        auto n = mul(*in.price, quantity, rounding::up);
        if (!n)
            return refuse(std::string(insufficient_balance));
        need = *n;
    }
    const auto lock = lock_asset(sb.rules, in.order_side);
    auto& wallet = balances_[lock];
    if (wallet.free < need)
        return refuse(std::string(insufficient_balance));

    // Accepted: the answer (an ACK) first, then the events the user stream would carry.
    ++stats_.placed;
    paper_order& o = orders_[in.client_id];
    o.order_id = next_order_id_++;
    o.seq = next_seq_++;
    o.client_id = in.client_id;
    o.sym = in.sym;
    o.order_side = in.order_side;
    o.type = in.type;
    o.tif = in.type == order_type::market ? time_in_force::gtc : in.tif;
    o.price = in.price ? *in.price : decimal{};
    o.quantity = quantity;
    o.created = clk_.wall();
    o.updated = o.created;
    o.status = order_status::new_;
    o.locked = need;
    wallet.free = minus(wallet.free, need);
    wallet.locked = plus(wallet.locked, need);
    std::vector<asset> touched{lock};
    sb.working.insert(o.client_id);
    const auto ack = report_of(o, execution_type::new_);
    done(ack);
    if (sink_.on_execution)
        sink_.on_execution(ack);

    const bool fok = in.type == order_type::limit && in.tif == time_in_force::fok;
    if (fok && planned < quantity) {
        // FOK: all or nothing.
        ++stats_.expired;
        finalize(o, order_status::expired, execution_type::expired, touched);
        emit_account(touched);
        return;
    }
    for (const auto& p : plan)
        fill(o, p.price, p.quantity, false, touched);
    if (o.status == order_status::filled) {
        emit_account(touched);
        return;
    }
    const bool rests =
        in.type != order_type::market && (in.type == order_type::limit_maker || in.tif == time_in_force::gtc);
    if (!rests || !o.quantity.is_positive()) {
        // IOC leftover and MARKET beyond the displayed depth: expired, as Binance does.
        ++stats_.expired;
        finalize(o, order_status::expired, execution_type::expired, touched);
        emit_account(touched);
        return;
    }
    // Resting: behind everything displayed at our price when we join (0 at a new price).
    o.queue_ahead = sb.book->quantity_at(o.order_side, o.price);
    emit_account(touched);
}

void fill_simulator::cancel(const cancel_intent& c, venue_callback<execution_report> done) {
    paper_order* o = find(c.sym, c.orig_client_id, c.order_id);
    if (!o || !is_working(o->status)) {
        done(make_error_code(venue_errc::cancel_refused));
        return;
    }
    ++stats_.canceled;
    std::vector<asset> touched;
    o->status = order_status::canceled;
    o->updated = clk_.wall();
    unlock_rest(*o, touched);
    auto rep = report_of(*o, execution_type::canceled);
    rep.orig_client_id = o->client_id;
    remember_final(*o);
    done(rep);
    if (sink_.on_execution)
        sink_.on_execution(rep);
    emit_account(touched);
}

void fill_simulator::query(const symbol& sym, const client_order_id& id,
                           venue_callback<std::optional<execution_report>> done) {
    const paper_order* o = find(sym, id, std::nullopt);
    if (!o) {
        done(std::optional<execution_report>{});
        return;
    }
    done(std::optional{report_of(*o, execution_type::new_)});
}

void fill_simulator::query_order_id(const symbol& sym, std::uint64_t order_id,
                                    venue_callback<std::optional<execution_report>> done) {
    const paper_order* o = find(sym, client_order_id{}, order_id);
    if (!o) {
        done(std::optional<execution_report>{});
        return;
    }
    done(std::optional{report_of(*o, execution_type::new_)});
}

void fill_simulator::open_orders(venue_callback<std::vector<execution_report>> done) {
    std::vector<execution_report> out;
    for (const auto& [sym, sb] : symbols_)
        for (const auto& cid : sb.working)
            if (auto it = orders_.find(cid); it != orders_.end())
                out.push_back(report_of(it->second, execution_type::new_));
    done(std::move(out));
}

void fill_simulator::my_trades(const symbol& sym, std::uint64_t from,
                               venue_callback<std::vector<db::fill_record>> done) {
    std::vector<db::fill_record> out;
    auto it = symbols_.find(sym);
    if (it != symbols_.end()) {
        const auto& t = it->second.trades;
        if (from == 0) {
            const auto n = std::min(t.size(), latest_trades_page);
            out.assign(t.end() - static_cast<std::ptrdiff_t>(n), t.end());
        } else {
            for (const auto& f : t)
                if (f.trade_id >= from && out.size() < trades_page_limit)
                    out.push_back(f);
        }
    }
    done(std::move(out));
}

void fill_simulator::account(venue_callback<std::vector<balance>> done) { done(balances()); }

std::vector<balance> fill_simulator::balances() const {
    std::vector<balance> out;
    for (const auto& [a, f] : balances_)
        out.push_back({a, f.free, f.locked});
    return out;
}

const paper_order* fill_simulator::find_order(const client_order_id& cid) const {
    auto it = orders_.find(cid);
    return it == orders_.end() ? nullptr : &it->second;
}

void fill_simulator::on_book(const symbol& sym) {
    auto it = symbols_.find(sym);
    if (it == symbols_.end() || !it->second.book || !it->second.book->valid())
        return;
    auto& sb = it->second;
    // Cancels are assumed to come from behind us: only a level shrinking below our queue ahead
    // moves us forward (to its new size).
    for (const auto& cid : sb.working) {
        auto& o = orders_[cid];
        const auto shown = sb.book->quantity_at(o.order_side, o.price);
        if (shown < o.queue_ahead)
            o.queue_ahead = shown;
    }
}

void fill_simulator::on_trade(const trade& t) {
    auto it = symbols_.find(t.sym);
    if (it == symbols_.end() || !t.quantity.is_positive())
        return;
    auto& sb = it->second;
    // The trade's aggressor: the seller when the buyer was the maker.
    const side aggressor = t.buyer_is_maker ? side::sell : side::buy;
    std::vector<paper_order*> reached;
    for (const auto& cid : sb.working) {
        auto& o = orders_[cid];
        const bool through = o.order_side == side::buy ? t.price < o.price : t.price > o.price;
        const bool at = t.price == o.price && aggressor == other(o.order_side);
        if (through || at)
            reached.push_back(&o);
    }
    if (reached.empty())
        return;
    // Our own price-time priority: the best price first, then the oldest.
    std::sort(reached.begin(), reached.end(), [](const paper_order* a, const paper_order* b) {
        if (a->price != b->price)
            return a->order_side == side::buy ? a->price > b->price : a->price < b->price;
        return a->seq < b->seq;
    });
    decimal budget = t.quantity;
    std::vector<asset> touched;
    for (paper_order* o : reached) {
        if (!budget.is_positive())
            break;
        const bool through = o->order_side == side::buy ? t.price < o->price : t.price > o->price;
        if (through) {
            // The aggressor went past our price: everything at our price, us included, was taken.
            o->queue_ahead = decimal{};
        } else {
            const decimal ahead = std::min(o->queue_ahead, budget);
            o->queue_ahead = minus(o->queue_ahead, ahead);
            budget = minus(budget, ahead);
        }
        const decimal open = minus(o->quantity, o->cumulative_quantity);
        auto q = sb.rules.round_quantity(std::min(open, budget), rounding::down);
        if (!q || !q->is_positive())
            continue;
        budget = minus(budget, *q);
        // A maker fill at our own limit price.
        fill(*o, o->price, *q, true, touched);
    }
    emit_account(touched);
}

} // namespace genesis::gateway::paper
