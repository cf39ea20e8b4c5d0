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
    for (const auto& b : u.balances)
        apply(b, alerts);
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

verdict balance_monitor::check(const order_intent& o, const asset& base, const asset& quote,
                               std::optional<decimal> reference_price) {
    ++stats_.checks;
    auto fail = [this](reject_code c, std::string text) {
        ++stats_.rejected;
        return verdict::reject(c, std::move(text));
    };
    const bool buy = o.order_side == side::buy;
    const bool priced = o.type == order_type::limit || o.type == order_type::limit_maker ||
                        o.type == order_type::stop_loss_limit || o.type == order_type::take_profit_limit;

    // What the order needs of which asset.
    decimal needed;
    if (buy) {
        if (o.quote_quantity) {
            needed = *o.quote_quantity;
        } else if (!o.quantity) {
            return fail(reject_code::invalid_order, "order without a quantity for " + o.sym.str());
        } else {
            std::optional<decimal> px = priced ? o.price : reference_price;
            if (!px)
                return fail(priced ? reject_code::invalid_order : reject_code::no_reference_price,
                            "no price to value a buy of " + o.quantity->to_string() + " " + o.sym.str());
            auto n = o.quantity->mul(*px, rounding::up);
            needed = n ? *n : decimal::max();
        }
    } else {
        if (o.quantity) {
            needed = *o.quantity;
        } else if (!o.quote_quantity) {
            return fail(reject_code::invalid_order, "order without a quantity for " + o.sym.str());
        } else {
            if (!reference_price || !reference_price->is_positive())
                return fail(reject_code::no_reference_price,
                            "no price to value a sell of " + o.quote_quantity->to_string() + " quote " + o.sym.str());
            auto n = o.quote_quantity->div(*reference_price, rounding::up);
            needed = n ? *n : decimal::max();
        }
    }

    const asset& from = buy ? quote : base;
    const balance* b = find(from);
    const decimal free = b ? b->free : decimal{};
    if (free < needed)
        return fail(reject_code::insufficient_balance, from.str() + " free " + free.to_string() + " < required " +
                                                           needed.to_string() + " for " + (buy ? "buy " : "sell ") +
                                                           o.sym.str());
    return verdict::accept();
}

} // namespace genesis::gateway::risk
