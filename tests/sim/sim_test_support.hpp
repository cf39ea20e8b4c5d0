// Shared helpers of the sim engine tests: a small exchange without agents and a recording listener.
#pragma once

#include "genesis/sim/exchange.hpp"

#include <string_view>
#include <utility>
#include <vector>

namespace genesis::sim::test {

using namespace genesis::literals;

/// Records every event the exchange emits.
struct recorder final : exchange_listener {
    std::vector<std::pair<account_id, execution_report>> reports;
    std::vector<std::pair<account_id, account_update>> positions;
    std::vector<std::pair<account_id, balance_update>> balance_updates;
    std::vector<book_delta> diffs;
    std::vector<trade> trades;
    std::vector<agg_trade> aggs;
    std::vector<top_of_book> tickers;

    void on_execution_report(account_id a, const execution_report& r) override { reports.emplace_back(a, r); }
    void on_account_position(account_id a, const account_update& u) override { positions.emplace_back(a, u); }
    void on_balance_update(account_id a, const balance_update& b) override { balance_updates.emplace_back(a, b); }
    void on_depth_diff(const book_delta& d) override { diffs.push_back(d); }
    void on_trade(const trade& t) override { trades.push_back(t); }
    void on_agg_trade(const agg_trade& g) override { aggs.push_back(g); }
    void on_book_ticker(const top_of_book& t) override { tickers.push_back(t); }

    /// Reports of one account, in order.
    std::vector<execution_report> reports_of(account_id a) const {
        std::vector<execution_report> out;
        for (const auto& [acc, r] : reports)
            if (acc == a)
                out.push_back(r);
        return out;
    }
    void clear() { *this = recorder{}; }
};

inline instrument btcusdt() {
    instrument i;
    i.name = symbol::truncating("BTCUSDT");
    i.base = asset::truncating("BTC");
    i.quote = asset::truncating("USDT");
    i.tick_size = "0.01"_d;
    i.min_price = "0.01"_d;
    i.max_price = "1000000"_d;
    i.step_size = "0.00001"_d;
    i.min_qty = "0.00001"_d;
    i.max_qty = "9000"_d;
    i.min_notional = "5"_d;
    return i;
}

inline instrument ethusdt() {
    instrument i = btcusdt();
    i.name = symbol::truncating("ETHUSDT");
    i.base = asset::truncating("ETH");
    i.step_size = "0.0001"_d;
    i.min_qty = "0.0001"_d;
    return i;
}

inline account_config funded(std::string_view name) {
    account_config c;
    c.name = std::string(name);
    c.api_key = std::string(name) + "-key";
    c.secret_key = std::string(name) + "-secret";
    c.balances = {{asset::truncating("USDT"), "100000"_d, {}},
                  {asset::truncating("BTC"), "10"_d, {}},
                  {asset::truncating("ETH"), "100"_d, {}}};
    return c;
}

/// Two markets, two funded accounts (alice = 1, bob = 2), maker 0.1%, taker 0.2%, no agents.
inline exchange_config small_config() {
    exchange_config cfg;
    cfg.markets = {btcusdt(), ethusdt()};
    cfg.accounts = {funded("alice"), funded("bob")};
    cfg.maker_commission = "0.001"_d;
    cfg.taker_commission = "0.002"_d;
    return cfg;
}

inline const symbol btc = symbol::truncating("BTCUSDT");
inline const symbol eth = symbol::truncating("ETHUSDT");
inline const asset usdt_a = asset::truncating("USDT");
inline const asset btc_a = asset::truncating("BTC");

inline new_order_request limit(side s, decimal px, decimal qty, time_in_force tif = time_in_force::gtc,
                               std::string_view cid = {}, const symbol& sym = btc) {
    new_order_request r;
    r.sym = sym;
    r.order_side = s;
    r.type = order_type::limit;
    r.tif = tif;
    r.price = px;
    r.quantity = qty;
    r.client_id = client_order_id::truncating(cid);
    return r;
}

inline new_order_request limit_maker(side s, decimal px, decimal qty) {
    new_order_request r = limit(s, px, qty);
    r.type = order_type::limit_maker;
    r.tif.reset();
    return r;
}

inline new_order_request market_qty(side s, decimal qty, const symbol& sym = btc) {
    new_order_request r;
    r.sym = sym;
    r.order_side = s;
    r.type = order_type::market;
    r.quantity = qty;
    return r;
}

inline new_order_request market_quote(side s, decimal quote) {
    new_order_request r;
    r.sym = btc;
    r.order_side = s;
    r.type = order_type::market;
    r.quote_order_qty = quote;
    return r;
}

} // namespace genesis::sim::test
