#include "genesis/gateway/paper/paper_config.hpp"

#include "genesis/config/reader.hpp"

#include <string>

namespace genesis::gateway::paper {

namespace {

// A non-negative decimal string (money is never a float); a wrong type is reported by get_string.
void read_decimal(config::table_reader& r, std::string_view key, decimal& out) {
    constexpr std::string_view wrong_type = "\x01";
    if (!r.contains(key))
        return;
    const std::string value = r.get_string(key, wrong_type);
    if (value == wrong_type)
        return;
    auto d = decimal::parse(value);
    if (!d || d->is_negative()) {
        r.reject(key, "a non-negative decimal string, e.g. \"10\"");
        return;
    }
    out = *d;
}

} // namespace

void parse_paper_section(config::table_reader& r, paper_config& out) {
    read_decimal(r, "maker_fee_bps", out.maker_fee_bps);
    read_decimal(r, "taker_fee_bps", out.taker_fee_bps);
    out.trade_history =
        static_cast<std::size_t>(r.get_int("trade_history", static_cast<std::int64_t>(out.trade_history), 1, 100000));
    if (!r.contains("balances"))
        return;
    auto t = r.table("balances");
    out.balances.clear();
    for (const auto& [key, text] : t.scalars()) {
        auto name = asset::make(key);
        if (!name || key.empty()) {
            t.error(key, "an asset name of 1-16 characters");
            continue;
        }
        decimal d;
        read_decimal(t, key, d);
        out.balances[*name] = d;
    }
}

} // namespace genesis::gateway::paper
