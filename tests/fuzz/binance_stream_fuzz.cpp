// libFuzzer target for the Binance market data decoders: decode_stream (combined streams) and
// decode_raw (each stream kind). The input is up to 16 frames, one per line, decoded in order by
// one decoder as on one connection; decoded depth feeds a local order book.
#include "genesis/binance/decoder.hpp"

#include "fuzz_check.hpp"
#include "genesis/binance/order_book.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace {

using namespace genesis;
using namespace genesis::binance;

constexpr time_point receive_time{1'700'000'000'000'000'000};
constexpr stream_kind all_kinds[] = {stream_kind::depth_update,   stream_kind::partial_depth, stream_kind::trade,
                                     stream_kind::agg_trade,      stream_kind::book_ticker,   stream_kind::kline,
                                     stream_kind::server_shutdown};

void check_levels(const std::vector<book_level>& levels) {
    for (const auto& l : levels) {
        fuzz::check_decimal(l.price);
        fuzz::check_decimal(l.quantity);
    }
}

/// Invariants of the slot the decoder says it filled.
void check_event(stream_kind kind, const market_events& ev) {
    switch (kind) {
    case stream_kind::depth_update:
        GENESIS_FUZZ_CHECK(ev.depth.first_update_id <= ev.depth.last_update_id);
        check_levels(ev.depth.bids);
        check_levels(ev.depth.asks);
        break;
    case stream_kind::partial_depth:
        check_levels(ev.partial.bids);
        check_levels(ev.partial.asks);
        break;
    case stream_kind::trade:
        fuzz::check_decimal(ev.trade_event.price);
        fuzz::check_decimal(ev.trade_event.quantity);
        break;
    case stream_kind::agg_trade:
        fuzz::check_decimal(ev.agg.price);
        fuzz::check_decimal(ev.agg.quantity);
        break;
    case stream_kind::book_ticker:
        fuzz::check_decimal(ev.ticker.bid.price);
        fuzz::check_decimal(ev.ticker.ask.price);
        break;
    case stream_kind::kline:
        for (decimal d : {ev.candle.open, ev.candle.high, ev.candle.low, ev.candle.close, ev.candle.volume})
            fuzz::check_decimal(d);
        break;
    case stream_kind::server_shutdown: break;
    }
}

/// Every frame is counted once: decoded or as one error.
void check_stats(const decoder& dec) {
    const auto& s = dec.stats();
    GENESIS_FUZZ_CHECK(s.frames == s.decoded + s.error_count());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    // A small frame limit, so that the too-large path is reachable too.
    decoder dec(4096);
    decoder in_place(4096);
    market_events ev;
    market_events ev2;
    manual_clock clk;
    local_book book(symbol::truncating("BTCUSDT"), clk);

    std::size_t start = 0;
    for (int n = 0; n < 16 && start <= input.size(); ++n) {
        const std::size_t nl = input.find('\n', start);
        const std::string_view frame =
            input.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        start = nl == std::string_view::npos ? input.size() + 1 : nl + 1;

        // Combined stream, from the decoder's own padded copy.
        const auto r = dec.decode_stream(frame, receive_time, ev);
        if (r) {
            check_event(*r, ev);
            // Decoded depth drives the local book as the market data path does.
            if (*r == stream_kind::depth_update)
                (void)book.on_delta(ev.depth);
            else if (*r == stream_kind::partial_depth)
                (void)book.on_snapshot(ev.partial);
            if (book.is_valid()) {
                const auto bid = book.best_bid();
                const auto ask = book.best_ask();
                GENESIS_FUZZ_CHECK(!bid || !ask || bid->price < ask->price);
            }
        }

        // The same frame parsed in place, from a buffer with the padding: same outcome.
        const std::size_t cap = frame.size() + decoder::padding;
        const auto buf = std::make_unique<char[]>(cap);
        std::memcpy(buf.get(), frame.data(), frame.size());
        std::memset(buf.get() + frame.size(), 0, decoder::padding);
        const auto r2 = in_place.decode_stream({buf.get(), frame.size()}, receive_time, ev2, cap);
        GENESIS_FUZZ_CHECK(r.has_value() == r2.has_value());
        GENESIS_FUZZ_CHECK(r ? *r == *r2 : r.error() == r2.error());

        // Raw streams: the same bytes as each kind a caller may have subscribed to.
        for (const auto kind : all_kinds) {
            if (const auto raw = dec.decode_raw(frame, kind, symbol::truncating("ETHUSDT"), receive_time, ev)) {
                GENESIS_FUZZ_CHECK(*raw == kind);
                check_event(kind, ev);
            }
        }
        clk.advance(std::chrono::milliseconds(100));
        (void)book.check();
    }
    check_stats(dec);
    check_stats(in_place);
    return 0;
}
