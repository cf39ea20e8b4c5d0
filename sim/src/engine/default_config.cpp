#include "genesis/sim/exchange.hpp"

namespace genesis::sim {

using namespace genesis::literals;

namespace {

instrument spot(std::string_view name, std::string_view base, std::string_view quote, decimal tick, decimal step) {
    instrument i;
    i.name = symbol::truncating(name);
    i.base = asset::truncating(base);
    i.quote = asset::truncating(quote);
    i.tick_size = tick;
    i.min_price = tick;
    i.max_price = "1000000"_d;
    i.step_size = step;
    i.min_qty = step;
    i.max_qty = "9000"_d;
    i.min_notional = "5"_d;
    i.max_notional = "9000000"_d;
    return i;
}

} // namespace

exchange_config default_config() {
    exchange_config cfg;
    cfg.markets.push_back(spot("BTCUSDT", "BTC", "USDT", "0.01"_d, "0.00001"_d));
    cfg.markets.push_back(spot("ETHUSDT", "ETH", "USDT", "0.01"_d, "0.0001"_d));

    account_config test;
    test.name = "test";
    test.api_key = "sim-test-api-key";
    test.secret_key = "sim-test-secret-key";
    test.balances = {{asset::truncating("USDT"), "100000"_d, {}},
                     {asset::truncating("BTC"), "1"_d, {}},
                     {asset::truncating("ETH"), "10"_d, {}}};
    cfg.accounts.push_back(std::move(test));

    cfg.agents.seed = 42;
    agent_market_config btc;
    btc.sym = symbol::truncating("BTCUSDT");
    btc.start_mid = "67000"_d;
    btc.spread_ticks = 50;    // quotes every 0.50 USDT around the fair price
    btc.min_qty_steps = 10;   // 0.0001 BTC: notional ~6.7 USDT, above minNotional 5
    btc.max_qty_steps = 5000; // 0.05 BTC
    cfg.agents.markets.push_back(btc);
    agent_market_config eth;
    eth.sym = symbol::truncating("ETHUSDT");
    eth.start_mid = "3500"_d;
    eth.spread_ticks = 5;
    eth.min_qty_steps = 20;   // 0.002 ETH: notional ~7 USDT
    eth.max_qty_steps = 5000; // 0.5 ETH
    cfg.agents.markets.push_back(eth);
    return cfg;
}

} // namespace genesis::sim
