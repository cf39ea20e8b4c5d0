#include "genesis/sim/account.hpp"

#include <utility>

namespace genesis::sim {

account::account(account_id id, account_config config, decimal default_maker, decimal default_taker)
        : id_(id), config_(std::move(config)), maker_rate_(config_.maker_commission.value_or(default_maker)),
          taker_rate_(config_.taker_commission.value_or(default_taker)) {
    // Starting balances are free funds; a negative one is ignored rather than trusted.
    for (const auto& b : config_.balances) {
        if (!b.free.is_negative())
            funds_[b.name].free = b.free;
    }
}

decimal account::free(const asset& a) const noexcept {
    const auto it = funds_.find(a);
    return it == funds_.end() ? decimal{} : it->second.free;
}

decimal account::locked(const asset& a) const noexcept {
    const auto it = funds_.find(a);
    return it == funds_.end() ? decimal{} : it->second.locked;
}

std::vector<balance> account::balances() const {
    std::vector<balance> out;
    out.reserve(funds_.size());
    for (const auto& [name, f] : funds_)
        out.push_back({name, f.free, f.locked});
    return out;
}

balance account::get(const asset& a) const noexcept { return {a, free(a), locked(a)}; }

bool account::lock(const asset& a, decimal amount) noexcept {
    if (amount.is_negative())
        return false;
    auto& f = funds_[a];
    if (f.free < amount)
        return false;
    auto locked = f.locked.add(amount);
    if (!locked)
        return false;
    f.free = decimal::from_raw(f.free.raw() - amount.raw());
    f.locked = *locked;
    return true;
}

decimal account::unlock(const asset& a, decimal amount) noexcept {
    if (!amount.is_positive())
        return {};
    auto& f = funds_[a];
    const decimal moved = amount < f.locked ? amount : f.locked;
    auto free = f.free.add(moved);
    if (!free)
        return {};
    f.locked = decimal::from_raw(f.locked.raw() - moved.raw());
    f.free = *free;
    return moved;
}

decimal account::consume_locked(const asset& a, decimal amount) noexcept {
    if (!amount.is_positive())
        return {};
    auto& f = funds_[a];
    const decimal taken = amount < f.locked ? amount : f.locked;
    f.locked = decimal::from_raw(f.locked.raw() - taken.raw());
    return taken;
}

bool account::credit(const asset& a, decimal amount) noexcept {
    auto& f = funds_[a];
    auto next = f.free.add(amount);
    if (!next || next->is_negative())
        return false;
    f.free = *next;
    return true;
}

} // namespace genesis::sim
