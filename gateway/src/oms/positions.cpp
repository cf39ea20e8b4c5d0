#include "genesis/gateway/oms/positions.hpp"

namespace genesis::gateway {

void ledger::set_assets(const std::vector<symbol_assets>& assets) {
    for (const auto& a : assets)
        assets_[a.sym] = a;
}

const symbol_assets* ledger::assets_of(const symbol& sym) const noexcept {
    const auto it = assets_.find(sym);
    return it == assets_.end() ? nullptr : &it->second;
}

namespace {

// The position after a signed fill of `qty` at `price` (average cost method).
result<position> next_position(position p, decimal signed_qty, decimal price) {
    const bool same_direction = p.quantity.is_zero() || (p.quantity.is_negative() == signed_qty.is_negative());
    if (same_direction) {
        // Opening or adding: the average cost is the quantity-weighted mean.
        auto old_cost = p.quantity.abs().mul(p.average_cost);
        if (!old_cost)
            return old_cost.error();
        auto add_cost = signed_qty.abs().mul(price);
        if (!add_cost)
            return add_cost.error();
        auto cost = old_cost->add(*add_cost);
        auto qty = p.quantity.add(signed_qty);
        if (!cost || !qty)
            return make_error_code(core_errc::decimal_overflow);
        auto avg = cost->div(qty->abs());
        if (!avg)
            return avg.error();
        p.quantity = *qty;
        p.average_cost = *avg;
        return p;
    }
    // Reducing (and maybe reversing): realize PnL on the closed part at the average cost.
    const decimal closing = std::min(p.quantity.abs(), signed_qty.abs());
    auto diff = price.sub(p.average_cost);
    if (!diff)
        return diff.error();
    auto pnl = closing.mul(p.quantity.is_negative() ? -*diff : *diff);
    if (!pnl)
        return pnl.error();
    auto realized = p.realized_pnl.add(*pnl);
    auto qty = p.quantity.add(signed_qty);
    if (!realized || !qty)
        return make_error_code(core_errc::decimal_overflow);
    p.realized_pnl = *realized;
    const bool reversed = !qty->is_zero() && qty->is_negative() != p.quantity.is_negative();
    p.quantity = *qty;
    if (p.quantity.is_zero())
        p.average_cost = decimal{};
    else if (reversed)
        p.average_cost = price; // the remainder opened a new position at this price
    return p;
}

} // namespace

result<void> ledger::apply_fill(const db::fill_record& f) {
    if (!f.quantity.is_positive() || f.price.is_negative())
        return make_error_code(core_errc::invalid_argument);
    const decimal signed_qty = f.order_side == side::buy ? f.quantity : -f.quantity;
    position current{f.sym, {}, {}, {}};
    if (const auto it = positions_.find(f.sym); it != positions_.end())
        current = it->second;
    auto next = next_position(current, signed_qty, f.price);
    if (!next)
        return next.error();

    // Balances: the base moves by the quantity, the quote by the notional, the commission is paid.
    std::map<asset, decimal> changed;
    auto move = [&](const asset& a, decimal delta) -> bool {
        decimal base_value;
        if (auto c = changed.find(a); c != changed.end())
            base_value = c->second;
        else if (auto b = balances_.find(a); b != balances_.end())
            base_value = b->second;
        auto v = base_value.add(delta);
        if (!v)
            return false;
        changed[a] = *v;
        return true;
    };
    if (const auto* a = assets_of(f.sym)) {
        auto notional = f.quantity.mul(f.price);
        if (!notional)
            return notional.error();
        const bool buy = f.order_side == side::buy;
        if (!move(a->base, buy ? f.quantity : -f.quantity) || !move(a->quote, buy ? -*notional : *notional))
            return make_error_code(core_errc::decimal_overflow);
    }
    if (!f.commission.is_zero() && !f.commission_asset.empty() && !move(f.commission_asset, -f.commission))
        return make_error_code(core_errc::decimal_overflow);

    positions_[f.sym] = *next;
    for (const auto& [a, v] : changed)
        balances_[a] = v;
    return {};
}

void ledger::set_balance(const asset& name, decimal total) { balances_[name] = total; }

void ledger::set_position(const position& p) { positions_[p.sym] = p; }

const position* ledger::find(const symbol& sym) const noexcept {
    const auto it = positions_.find(sym);
    return it == positions_.end() ? nullptr : &it->second;
}

std::optional<decimal> ledger::balance_of(const asset& name) const noexcept {
    const auto it = balances_.find(name);
    if (it == balances_.end())
        return std::nullopt;
    return it->second;
}

std::vector<balance_difference> ledger::compare(const std::vector<balance>& exchange) const {
    std::vector<balance_difference> out;
    for (const auto& b : exchange) {
        auto total = b.free.add(b.locked);
        const decimal ex = total ? *total : decimal::max();
        const auto ours = balance_of(b.name);
        if (!ours || *ours != ex)
            out.push_back({b.name, ours, ex});
    }
    return out;
}

} // namespace genesis::gateway
