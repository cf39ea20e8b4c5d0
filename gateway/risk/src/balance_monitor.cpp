#include "genesis/gateway/risk/balance_monitor.hpp"

#include "genesis/config/reader.hpp"

#include <string>
#include <utility>

namespace genesis::gateway::risk {

void parse_balances_section(config::table_reader& r, balance_config& out) {
    auto t = r.table("alert_below");
    // scalars() lists the keys; get_string() then insists on a string (money is never a float).
    for (const auto& [key, text] : t.scalars()) {
        constexpr std::string_view wrong_type = "\x01";
        const std::string value = t.get_string(key, wrong_type);
        if (value == wrong_type)
            continue;
        auto name = asset::make(key);
        if (!name || key.empty()) {
            t.error(key, "an asset name of 1-16 characters");
            continue;
        }
        auto d = decimal::parse(value);
        if (!d || d->is_negative()) {
            t.reject(key, "a non-negative decimal string");
            continue;
        }
        out.alert_below[*name] = *d;
    }
}

balance_monitor::balance_monitor(balance_config cfg) : cfg_(std::move(cfg)) {}

void balance_monitor::apply(const balance& b, std::vector<balance_alert>& alerts) {
    state& s = balances_[b.name];
    s.bal = b;
    auto it = cfg_.alert_below.find(b.name);
    if (it == cfg_.alert_below.end())
        return;
    // An overflowing total is certainly not below any threshold.
    auto total = b.free.add(b.locked);
    const bool below = total && *total < it->second;
    if (below && !s.below) {
        alerts.push_back({b.name, *total, it->second});
        ++stats_.alerts;
    }
    s.below = below;
}

std::vector<balance_alert> balance_monitor::on_account_update(const account_update& u) {
    std::vector<balance_alert> alerts;
    for (const auto& b : u.balances) {
        apply(b, alerts);
        for (auto& [id, r] : reserved_)
            if (r.need.name == b.name)
                r.balance_seen = true;
    }
    return alerts;
}

std::vector<balance_alert> balance_monitor::on_balance_update(const balance_update& u) {
    std::vector<balance_alert> alerts;
    balance b{u.name, {}, {}};
    if (const balance* cur = find(u.name))
        b = *cur;
    // Keep the old figure on overflow: the next account update overwrites it anyway.
    if (auto f = b.free.add(u.delta))
        b.free = *f;
    apply(b, alerts);
    return alerts;
}

std::vector<balance_alert> balance_monitor::set_balance(const balance& b) {
    std::vector<balance_alert> alerts;
    apply(b, alerts);
    return alerts;
}

std::vector<balance_alert> balance_monitor::below() const {
    std::vector<balance_alert> out;
    for (const auto& [name, s] : balances_) {
        const auto it = cfg_.alert_below.find(name);
        const auto total = s.bal.free.add(s.bal.locked);
        if (s.below && it != cfg_.alert_below.end() && total)
            out.push_back({name, *total, it->second});
    }
    return out;
}

const balance* balance_monitor::find(const asset& name) const noexcept {
    auto it = balances_.find(name);
    return it == balances_.end() ? nullptr : &it->second.bal;
}

std::variant<balance_need, verdict> balance_monitor::need(const order_intent& o, const asset& base, const asset& quote,
                                                          std::optional<decimal> reference_price) const {
    const bool buy = o.order_side == side::buy;
    const bool priced = o.type == order_type::limit || o.type == order_type::limit_maker ||
                        o.type == order_type::stop_loss_limit || o.type == order_type::take_profit_limit;
    decimal needed;
    if (buy) {
        if (o.quote_quantity) {
            needed = *o.quote_quantity;
        } else if (!o.quantity) {
            return verdict::reject(reject_code::invalid_order, "order without a quantity for " + o.sym.str());
        } else {
            std::optional<decimal> px = priced ? o.price : reference_price;
            if (!px)
                return verdict::reject(priced ? reject_code::invalid_order : reject_code::no_reference_price,
                                       "no price to value a buy of " + o.quantity->to_string() + " " + o.sym.str());
            auto n = o.quantity->mul(*px, rounding::up);
            needed = n ? *n : decimal::max();
        }
    } else {
        if (o.quantity) {
            needed = *o.quantity;
        } else if (!o.quote_quantity) {
            return verdict::reject(reject_code::invalid_order, "order without a quantity for " + o.sym.str());
        } else {
            if (!reference_price || !reference_price->is_positive())
                return verdict::reject(reject_code::no_reference_price, "no price to value a sell of " +
                                                                            o.quote_quantity->to_string() + " quote " +
                                                                            o.sym.str());
            auto n = o.quote_quantity->div(*reference_price, rounding::up);
            needed = n ? *n : decimal::max();
        }
    }
    return balance_need{buy ? quote : base, needed};
}

verdict balance_monitor::check(const order_intent& o, const asset& base, const asset& quote,
                               std::optional<decimal> reference_price) {
    ++stats_.checks;
    auto n = need(o, base, quote, reference_price);
    if (auto* v = std::get_if<verdict>(&n)) {
        ++stats_.rejected;
        return *v;
    }
    const auto& [from, needed] = std::get<balance_need>(n);
    const balance* b = find(from);
    const decimal free = b ? b->free : decimal{};
    const decimal held = reserved(from);
    // Free less reserved; a reservation over the free balance leaves nothing.
    auto left = free.sub(held);
    const decimal available = left && !left->is_negative() ? *left : decimal{};
    if (available < needed) {
        ++stats_.rejected;
        return verdict::reject(reject_code::insufficient_balance,
                               from.str() + " free " + free.to_string() +
                                   (held.is_zero() ? std::string{} : " (" + held.to_string() + " reserved)") +
                                   " < required " + needed.to_string() + " for " +
                                   (o.order_side == side::buy ? "buy " : "sell ") + o.sym.str());
    }
    return verdict::accept();
}

void balance_monitor::reserve(const client_order_id& id, const order_intent& intent, const asset& base,
                              const asset& quote, std::optional<decimal> reference_price) {
    auto n = need(intent, base, quote, reference_price);
    if (const auto* got = std::get_if<balance_need>(&n))
        reserved_[id] = reservation{*got};
}

void balance_monitor::settle(const std::function<reserved_order(const client_order_id&)>& state_of) {
    for (auto it = reserved_.begin(); it != reserved_.end();) {
        auto& r = it->second;
        const auto st = state_of(it->first);
        if (st == reserved_order::answered)
            r.answered = true;
        if (st == reserved_order::final || (r.answered && r.balance_seen))
            it = reserved_.erase(it);
        else
            ++it;
    }
}

decimal balance_monitor::reserved(const asset& name) const {
    decimal sum;
    for (const auto& [id, r] : reserved_) {
        if (r.need.name != name)
            continue;
        auto s = sum.add(r.need.amount);
        if (!s)
            return decimal::max();
        sum = *s;
    }
    return sum;
}

} // namespace genesis::gateway::risk
