// Positions and balances derived from fills and commissions, in decimals only.
#pragma once

#include "genesis/core/events.hpp"
#include "genesis/db/types.hpp"

#include <map>
#include <optional>
#include <vector>

namespace genesis::gateway {

/// One symbol's position. quantity is signed (short below zero); average_cost is the average
/// price of the open quantity (0 when flat); realized_pnl is in the quote asset, before
/// commissions (commissions are taken from the balances instead).
struct position {
    symbol sym;
    decimal quantity;
    decimal average_cost;
    decimal realized_pnl;
    friend bool operator==(const position&, const position&) = default;
};

/// The assets a symbol trades (from exchange info).
struct symbol_assets {
    symbol sym;
    asset base;
    asset quote;
};

/// An asset whose derived balance differs from the exchange's.
struct balance_difference {
    asset name;
    std::optional<decimal> ours; ///< nullopt: we did not track it
    decimal exchange;            ///< free + locked on the exchange
};

/// Positions per symbol and balances (free + locked) per asset.
class ledger {
    std::map<symbol, position> positions_;
    std::map<asset, decimal> balances_;
    std::map<symbol, symbol_assets> assets_;

public:
    /// Base and quote asset per symbol; fills of other symbols move positions but no balance.
    void set_assets(const std::vector<symbol_assets>& assets);
    [[nodiscard]] const symbol_assets* assets_of(const symbol& sym) const noexcept;

    /// Applies one fill: the position (average cost, realized PnL) and the balances (base, quote,
    /// commission). All or nothing: decimal_overflow leaves everything as it was.
    [[nodiscard]] result<void> apply_fill(const db::fill_record& f);

    /// Overwrites one balance (the exchange's figure wins).
    void set_balance(const asset& name, decimal total);
    /// Overwrites one position (restored from a checkpoint).
    void set_position(const position& p);

    [[nodiscard]] const position* find(const symbol& sym) const noexcept;
    [[nodiscard]] std::optional<decimal> balance_of(const asset& name) const noexcept;
    [[nodiscard]] const std::map<symbol, position>& positions() const noexcept { return positions_; }
    [[nodiscard]] const std::map<asset, decimal>& balances() const noexcept { return balances_; }

    /// The assets whose balance differs from the exchange's (free + locked), and those we did not track.
    [[nodiscard]] std::vector<balance_difference> compare(const std::vector<balance>& exchange) const;
};

} // namespace genesis::gateway
