// libFuzzer target for the Binance REST body decoders: order, open orders, exchangeInfo, depth
// snapshot, klines, aggTrades and error bodies. Every input goes through each of them, as a body
// of any endpoint may come back (an error body where an order was expected, ...).
#include "genesis/binance/decoder.hpp"

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace {

using namespace genesis;
using namespace genesis::binance;

constexpr time_point receive_time{1'700'000'000'000'000'000};

void check_order(const order_response& o) {
    for (decimal d : {o.report.price, o.report.quantity, o.report.cumulative_quantity, o.report.cumulative_quote})
        fuzz::check_decimal(d);
    for (const auto& f : o.fills) {
        fuzz::check_decimal(f.price);
        fuzz::check_decimal(f.quantity);
    }
}

/// Decoded rules are used for validation: exercising them must be safe whatever they hold.
void check_instrument(const instrument& in) {
    for (decimal d : {in.tick_size, in.min_price, in.max_price, in.step_size, in.min_qty, in.max_qty, in.min_notional,
                      in.max_notional})
        fuzz::check_decimal(d);
    for (auto mode : {rounding::down, rounding::up, rounding::nearest}) {
        if (auto p = in.round_price(in.max_price, mode))
            fuzz::check_decimal(*p);
        if (auto q = in.round_quantity(in.max_qty, mode))
            fuzz::check_decimal(*q);
    }
    (void)in.validate(order_type::limit, in.max_price, in.max_qty);
    (void)in.validate(order_type::market, std::nullopt, in.min_qty, in.min_price);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    decoder dec(1u << 16);

    order_response order;
    if (dec.decode_order(body, receive_time, order))
        check_order(order);

    std::vector<order_response> orders;
    if (dec.decode_orders(body, receive_time, orders))
        for (const auto& o : orders)
            check_order(o);

    exchange_info info;
    if (dec.decode_exchange_info(body, info))
        for (const auto& s : info.symbols)
            check_instrument(s.rules);

    book_snapshot snap;
    if (dec.decode_depth_snapshot(body, symbol::truncating("BTCUSDT"), receive_time, snap)) {
        for (const auto* side : {&snap.bids, &snap.asks}) {
            for (const auto& l : *side) {
                fuzz::check_decimal(l.price);
                fuzz::check_decimal(l.quantity);
            }
        }
    }

    std::vector<kline> klines;
    if (dec.decode_klines(body, symbol::truncating("BTCUSDT"), "1m", receive_time, klines))
        for (const auto& k : klines)
            for (decimal d : {k.open, k.high, k.low, k.close, k.volume, k.quote_volume})
                fuzz::check_decimal(d);

    std::vector<agg_trade> trades;
    if (dec.decode_agg_trades(body, symbol::truncating("BTCUSDT"), receive_time, trades))
        for (const auto& t : trades) {
            fuzz::check_decimal(t.price);
            fuzz::check_decimal(t.quantity);
        }

    api_error err;
    (void)dec.decode_error(body, err);

    const auto& s = dec.stats();
    GENESIS_FUZZ_CHECK(s.frames == s.decoded + s.error_count());
    return 0;
}
