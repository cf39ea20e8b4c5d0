// Accounts of the simulated exchange: API key, balances (free and locked per asset), commissions.
#pragma once

#include "genesis/core/decimal.hpp"
#include "genesis/core/events.hpp"
#include "genesis/core/fixed_string.hpp"
#include "genesis/sim/types.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace genesis::sim {

/// How to create an account.
struct account_config {
    std::string name;                        ///< for logs and /sim/stats
    std::string api_key;                     ///< X-MBX-APIKEY; unique per exchange
    std::string secret_key;                  ///< HMAC-SHA256 secret the server verifies against
    std::vector<balance> balances;           ///< starting free balances (locked is ignored)
    std::optional<decimal> maker_commission; ///< rate, e.g. 0.001; absent: the exchange default
    std::optional<decimal> taker_commission;
    /// Keep final orders and fills queryable forever. The agents' account turns this off so that
    /// a long-running market does not grow without bound.
    bool keep_history = true;
};

/// One account's ledger. The exchange owns accounts and hands out const references; the mutators
/// are for the engine and keep free/locked non-negative (they refuse rather than go below zero).
class account {
    struct funds {
        decimal free;
        decimal locked;
    };

    account_id id_ = 0;
    account_config config_;
    decimal maker_rate_;
    decimal taker_rate_;
    std::map<asset, funds> funds_; // ordered: deterministic balance listings

public:
    account(account_id id, account_config config, decimal default_maker, decimal default_taker);

    account_id id() const noexcept { return id_; }
    const std::string& name() const noexcept { return config_.name; }
    const std::string& api_key() const noexcept { return config_.api_key; }
    const std::string& secret_key() const noexcept { return config_.secret_key; }
    bool keep_history() const noexcept { return config_.keep_history; }
    decimal maker_commission() const noexcept { return maker_rate_; }
    decimal taker_commission() const noexcept { return taker_rate_; }

    decimal free(const asset& a) const noexcept;
    decimal locked(const asset& a) const noexcept;
    /// Every asset the account has ever held, by name.
    std::vector<balance> balances() const;
    /// One asset's balance (zeros when never held).
    balance get(const asset& a) const noexcept;

    /// Moves amount from free to locked; false (nothing changes) when free is short.
    bool lock(const asset& a, decimal amount) noexcept;
    /// Moves up to amount from locked back to free; returns what moved.
    decimal unlock(const asset& a, decimal amount) noexcept;
    /// Removes up to amount from locked (spent by a fill); returns what was removed.
    decimal consume_locked(const asset& a, decimal amount) noexcept;
    /// Adds amount (may be negative) to free; false (nothing changes) when free would go negative
    /// or leave the decimal range.
    bool credit(const asset& a, decimal amount) noexcept;
};

} // namespace genesis::sim
