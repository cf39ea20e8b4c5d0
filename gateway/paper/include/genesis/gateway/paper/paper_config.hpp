// [paper]: the fill simulator's fees and starting balances (mode paper).
#pragma once

#include "genesis/core/decimal.hpp"
#include "genesis/core/fixed_string.hpp"

#include <cstddef>
#include <map>

namespace genesis::config {
class table_reader;
}

namespace genesis::gateway::paper {

/// The paper account: fees in basis points of the notional, and the balances it starts with.
struct paper_config {
    /// Commission of a fill that rested on the book (maker), in bps (Binance Spot VIP 0: 10).
    decimal maker_fee_bps = decimal::from_raw(10 * decimal::one_raw);
    /// Commission of a fill that took liquidity on arrival (taker), in bps.
    decimal taker_fee_bps = decimal::from_raw(10 * decimal::one_raw);
    /// Starting free balances (used when no checkpoint holds the paper account).
    std::map<asset, decimal> balances;
    /// Trades kept per symbol for my_trades (and in the checkpoint).
    std::size_t trade_history = 1000;
    /// Final orders kept for queries by client id.
    std::size_t final_order_history = 10000;
};

/// Parses [paper] into out:
///
///     [paper]
///     maker_fee_bps = "10"                          # decimal strings >= 0
///     taker_fee_bps = "10"
///     balances = { USDT = "10000", BTC = "0.5" }    # decimal strings >= 0
///
/// A value that is not a decimal string is rejected naming its key ("paper.balances.BTC").
void parse_paper_section(config::table_reader& r, paper_config& out);

} // namespace genesis::gateway::paper
