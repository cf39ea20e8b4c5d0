#include "genesis/gateway/risk/risk_engine.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace genesis::gateway::risk {

namespace {

constexpr nanos one_second = std::chrono::seconds{1};
constexpr nanos one_minute = std::chrono::minutes{1};

// Types that carry a limit price (the rest execute at market once triggered).
bool is_priced(order_type t) noexcept {
    return t == order_type::limit || t == order_type::limit_maker || t == order_type::stop_loss_limit ||
           t == order_type::take_profit_limit;
}

std::string str(decimal d) { return d.to_string(); }

std::string side_name(side s) { return s == side::buy ? "buy" : "sell"; }

// The mid when both sides are present, else the side that is.
std::optional<decimal> reference_price(const book_prices& b) {
    if (b.bid && b.ask) {
        auto sum = b.bid->add(*b.ask);
        if (!sum)
            return std::nullopt;
        auto mid = sum->div(decimal::from_raw(2 * decimal::one_raw), rounding::nearest);
        if (!mid)
            return std::nullopt;
        return *mid;
    }
    if (b.bid)
        return b.bid;
    return b.ask;
}

verdict invalid(const order_intent& o, std::string_view what) {
    return verdict::reject(reject_code::invalid_order,
                           std::string(to_string(o.type)) + " order " + std::string(what) + " for " + o.sym.str());
}

// What the intent must carry for its type.
std::optional<verdict> validate(const order_intent& o) {
    if (o.sym.empty())
        return verdict::reject(reject_code::invalid_order, "order without a symbol");
    if (o.quantity && !o.quantity->is_positive())
        return invalid(o, "needs a positive quantity, got " + str(*o.quantity));
    if (o.quote_quantity && !o.quote_quantity->is_positive())
        return invalid(o, "needs a positive quote_quantity, got " + str(*o.quote_quantity));
    if (is_priced(o.type)) {
        if (!o.price || !o.price->is_positive())
            return invalid(o, "needs a positive price");
        if (!o.quantity)
            return invalid(o, "needs a quantity");
        if (o.quote_quantity)
            return invalid(o, "cannot have a quote_quantity");
    } else {
        if (o.quantity.has_value() == o.quote_quantity.has_value())
            return invalid(o, "needs exactly one of quantity and quote_quantity");
        if (o.quote_quantity && o.type != order_type::market)
            return invalid(o, "cannot have a quote_quantity");
    }
    if ((o.type != order_type::market && o.type != order_type::limit && o.type != order_type::limit_maker) &&
        (!o.stop_price || !o.stop_price->is_positive()))
        return invalid(o, "needs a positive stop_price");
    return std::nullopt;
}

} // namespace

risk_engine::risk_engine(risk_config cfg, const clock& clk) : cfg_(std::move(cfg)), clock_(&clk) {}

verdict risk_engine::check(const check_input& in) {
    ++stats_.checks;
    verdict v = evaluate(in);
    if (v.ok()) {
        ++stats_.accepted;
        accepted_times_.push_back(clock_->now());
    } else {
        ++stats_.rejected[static_cast<std::size_t>(v.code)];
    }
    return v;
}

verdict risk_engine::evaluate(const check_input& in) {
    const order_intent& o = in.intent;
    if (killed_)
        return verdict::reject(reject_code::killed, "kill switch engaged: " + kill_reason_);
    if (auto bad = validate(o))
        return std::move(*bad);

    const symbol_limits& lim = cfg_.limits_for(o.sym);
    const bool priced = is_priced(o.type);
    const bool buy = o.order_side == side::buy;

    // Market orders are priced from the book; limit orders need it only for the band.
    const std::optional<decimal> mid = reference_price(in.book);
    if (!mid && (!priced || lim.price_band_bps > 0))
        return verdict::reject(reject_code::no_reference_price, "no reference price for " + o.sym.str());

    if (priced && lim.price_band_bps > 0) {
        auto scaled = mid->mul(decimal::from_raw(lim.price_band_bps * decimal::one_raw), rounding::down);
        auto band = scaled ? scaled->div(decimal::from_raw(10'000 * decimal::one_raw), rounding::down) : scaled;
        auto lower = band ? mid->sub(*band) : band;
        auto upper = band ? mid->add(*band) : band;
        if (!lower || !upper || *o.price < *lower || *o.price > *upper)
            return verdict::reject(reject_code::price_band, "price " + str(*o.price) + " outside band " +
                                                                std::to_string(lim.price_band_bps) +
                                                                " bps around mid " + str(*mid) + " for " + o.sym.str());
    }

    // The price the order executes at: its limit, its stop, or the far side of the book.
    decimal exec_price;
    if (priced)
        exec_price = *o.price;
    else if (o.type != order_type::market)
        exec_price = *o.stop_price;
    else
        exec_price = buy ? in.book.ask.value_or(*mid) : in.book.bid.value_or(*mid);

    decimal qty;
    if (o.quantity) {
        qty = *o.quantity;
    } else {
        auto q = o.quote_quantity->div(exec_price, rounding::up);
        qty = q ? *q : unlimited;
    }
    if (qty > lim.max_order_qty)
        return verdict::reject(reject_code::max_order_qty,
                               "quantity " + str(qty) + " > max " + str(lim.max_order_qty) + " for " + o.sym.str());

    decimal notional;
    if (o.quote_quantity) {
        notional = *o.quote_quantity;
    } else {
        auto n = qty.mul(exec_price, rounding::up);
        notional = n ? *n : unlimited;
    }
    if (notional > lim.max_order_notional || notional == unlimited)
        return verdict::reject(reject_code::max_order_notional, "notional " + str(notional) + " > max " +
                                                                    str(lim.max_order_notional) + " for " +
                                                                    o.sym.str());

    // Worst case: every open order of the same side fills, and so does this one.
    decimal open_same;
    bool overflow = false;
    for (const auto& oo : in.open_orders) {
        if (oo.sym != o.sym || oo.order_side != o.order_side)
            continue;
        auto s = open_same.add(oo.remaining);
        overflow = overflow || !s;
        if (s)
            open_same = *s;
    }
    auto before = buy ? in.position.add(open_same) : in.position.sub(open_same);
    auto after = before ? (buy ? before->add(qty) : before->sub(qty)) : before;
    if (overflow || !after || (after->abs() > lim.max_position && after->abs() > before->abs())) {
        const std::string op = buy ? " + " : " - ";
        return verdict::reject(reject_code::max_position,
                               "worst-case position " + (after ? str(*after) : std::string("overflow")) + " > max " +
                                   str(lim.max_position) + " for " + o.sym.str() + " (position " + str(in.position) +
                                   op + "open " + side_name(o.order_side) + "s " + str(open_same) + op + "order " +
                                   str(qty) + ")");
    }

    if (cfg_.self_cross_prevention) {
        for (const auto& oo : in.open_orders) {
            if (oo.sym != o.sym || oo.order_side == o.order_side)
                continue;
            // A market order, or one of ours still working at market, crosses at any price.
            const bool crosses = !priced || oo.price.is_zero() || (buy ? *o.price >= oo.price : *o.price <= oo.price);
            if (crosses)
                return verdict::reject(reject_code::self_cross,
                                       side_name(o.order_side) + " " + (priced ? str(*o.price) : "MARKET") +
                                           " would cross own " + side_name(oo.order_side) + " " + str(oo.price) + " (" +
                                           oo.client_id.str() + ") on " + o.sym.str());
        }
    }

    if (static_cast<std::int64_t>(in.open_orders.size()) >= cfg_.max_open_orders)
        return verdict::reject(reject_code::max_open_orders, "open orders " + std::to_string(in.open_orders.size()) +
                                                                 " >= max " + std::to_string(cfg_.max_open_orders));

    return check_rate(clock_->now());
}

verdict risk_engine::check_rate(time_point now) {
    // Keep only what the longest window still counts.
    const nanos window = cfg_.max_orders_per_minute > 0 ? one_minute : one_second;
    while (!accepted_times_.empty() && now - accepted_times_.front() >= window)
        accepted_times_.pop_front();

    const std::size_t last_second = orders_in_last_second();
    if (static_cast<std::int64_t>(last_second) >= cfg_.max_orders_per_second)
        return verdict::reject(reject_code::order_rate, "orders " + std::to_string(last_second) +
                                                            " in the last second >= max " +
                                                            std::to_string(cfg_.max_orders_per_second));
    if (cfg_.max_orders_per_minute > 0 &&
        static_cast<std::int64_t>(accepted_times_.size()) >= cfg_.max_orders_per_minute)
        return verdict::reject(reject_code::order_rate, "orders " + std::to_string(accepted_times_.size()) +
                                                            " in the last minute >= max " +
                                                            std::to_string(cfg_.max_orders_per_minute));
    return verdict::accept();
}

std::size_t risk_engine::orders_in_last_second() const noexcept {
    // accepted_times_ is in time order: the first one within the last second, by binary search.
    const time_point now = clock_->now();
    const auto first = std::partition_point(accepted_times_.begin(), accepted_times_.end(),
                                            [&](time_point t) { return !(now - t < one_second); });
    return static_cast<std::size_t>(accepted_times_.end() - first);
}

void risk_engine::kill(std::string reason) {
    killed_ = true;
    kill_reason_ = std::move(reason);
}

void risk_engine::reset_kill() noexcept {
    killed_ = false;
    kill_reason_.clear();
}

void risk_engine::set_config(risk_config cfg) { cfg_ = std::move(cfg); }

} // namespace genesis::gateway::risk
