// Every documented example and every captured frame of the shared fixtures, decoded field by field.
#include "genesis/binance/decoder.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

using namespace genesis;
using namespace genesis::binance;
using genesis::binance::test::dec;
using genesis::binance::test::ms;

namespace {

/// Every innermost {...} (no nested braces) of a text, in order. std::regex trips GCC 12's
/// -Wmaybe-uninitialized under the sanitizers, so this is done by hand.
std::vector<std::string> flat_objects(const std::string& text) {
    std::vector<std::string> out;
    std::size_t open = std::string::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{')
            open = i;
        else if (text[i] == '}' && open != std::string::npos) {
            out.push_back(text.substr(open, i - open + 1));
            open = std::string::npos;
        }
    }
    return out;
}

class DecoderTest : public ::testing::Test {
protected:
    decoder dec_;
    market_events md_;
    user_events ud_;
    const time_point rx_{42};

    static std::string combined(std::string_view stream, const std::string& payload) {
        return "{\"stream\":\"" + std::string(stream) + "\",\"data\":" + payload + "}";
    }
};

} // namespace

TEST_F(DecoderTest, depthUpdateDocExampleRawAndCombined) {
    GENESIS_LOAD_FIXTURE(json, "docs/ws_depthUpdate.json");
    for (const std::string& frame : {json, combined("bnbbtc@depth@100ms", json), combined("bnbbtc@depth", json)}) {
        auto k = frame == json ? dec_.decode_raw(frame, stream_kind::depth_update, {}, rx_, md_)
                               : dec_.decode_stream(frame, rx_, md_);
        ASSERT_TRUE(k) << k.error().message();
        EXPECT_EQ(*k, stream_kind::depth_update);
        const auto& d = md_.depth;
        EXPECT_EQ(d.venue, "binance");
        EXPECT_EQ(d.sym, "BNBBTC");
        EXPECT_EQ(d.first_update_id, 157u);
        EXPECT_EQ(d.last_update_id, 160u);
        EXPECT_EQ(d.exchange_time, ms(1672515782136));
        EXPECT_EQ(d.receive_time, rx_);
        ASSERT_EQ(d.bids.size(), 1u);
        EXPECT_EQ(d.bids[0], (book_level{dec("0.0024"), dec("10")}));
        ASSERT_EQ(d.asks.size(), 1u);
        EXPECT_EQ(d.asks[0], (book_level{dec("0.0026"), dec("100")}));
    }
    EXPECT_EQ(dec_.stats().frames, 3u);
    EXPECT_EQ(dec_.stats().decoded, 3u);
}

TEST_F(DecoderTest, partialDepthDocExampleTakesSymbolFromStream) {
    GENESIS_LOAD_FIXTURE(json, "docs/ws_partial_depth5.json");
    auto k = dec_.decode_stream(combined("bnbbtc@depth5@100ms", json), rx_, md_);
    ASSERT_TRUE(k);
    EXPECT_EQ(*k, stream_kind::partial_depth);
    EXPECT_EQ(md_.partial.sym, "BNBBTC");
    EXPECT_EQ(md_.partial.last_update_id, 160u);
    EXPECT_EQ(md_.partial.bids, (std::vector<book_level>{{dec("0.0024"), dec("10")}}));
    EXPECT_EQ(md_.partial.asks, (std::vector<book_level>{{dec("0.0026"), dec("100")}}));
    for (const char* s : {"bnbbtc@depth10", "bnbbtc@depth20@1000ms"})
        EXPECT_EQ(*dec_.decode_stream(combined(s, json), rx_, md_), stream_kind::partial_depth);
    auto raw = dec_.decode_raw(json, stream_kind::partial_depth, symbol::truncating("ETHBTC"), rx_, md_);
    ASSERT_TRUE(raw);
    EXPECT_EQ(md_.partial.sym, "ETHBTC");
}

TEST_F(DecoderTest, tradeDocExample) {
    GENESIS_LOAD_FIXTURE(json, "docs/ws_trade.json");
    auto k = dec_.decode_raw(json, stream_kind::trade, {}, rx_, md_);
    ASSERT_TRUE(k);
    const auto& t = md_.trade_event;
    EXPECT_EQ(t.sym, "BNBBTC");
    EXPECT_EQ(t.trade_id, 12345u);
    EXPECT_EQ(t.price, dec("0.001"));
    EXPECT_EQ(t.quantity, dec("100"));
    EXPECT_EQ(t.trade_time, ms(1672515782136));
    EXPECT_TRUE(t.buyer_is_maker);
    EXPECT_EQ(t.receive_time, rx_);
}

TEST_F(DecoderTest, aggTradeDocExample) {
    GENESIS_LOAD_FIXTURE(json, "docs/ws_aggTrade.json");
    ASSERT_TRUE(dec_.decode_stream(combined("bnbbtc@aggTrade", json), rx_, md_));
    const auto& a = md_.agg;
    EXPECT_EQ(a.sym, "BNBBTC");
    EXPECT_EQ(a.agg_id, 12345u);
    EXPECT_EQ(a.price, dec("0.001"));
    EXPECT_EQ(a.quantity, dec("100"));
    EXPECT_EQ(a.first_trade_id, 100u);
    EXPECT_EQ(a.last_trade_id, 105u);
    EXPECT_EQ(a.trade_time, ms(1672515782136));
    EXPECT_EQ(a.event_time, ms(1672515782136));
    EXPECT_TRUE(a.buyer_is_maker);
}

TEST_F(DecoderTest, bookTickerDocExample) {
    GENESIS_LOAD_FIXTURE(json, "docs/ws_bookTicker.json");
    auto k = dec_.decode_raw(json, stream_kind::book_ticker, {}, rx_, md_);
    ASSERT_TRUE(k);
    const auto& t = md_.ticker;
    EXPECT_EQ(t.update_id, 400900217u);
    EXPECT_EQ(t.sym, "BNBUSDT");
    EXPECT_EQ(t.bid, (book_level{dec("25.35190000"), dec("31.21000000")}));
    EXPECT_EQ(t.ask, (book_level{dec("25.36520000"), dec("40.66000000")}));
}

TEST_F(DecoderTest, klineDocExample) {
    GENESIS_LOAD_FIXTURE(json, "docs/ws_kline_1m.json");
    auto k = dec_.decode_stream(combined("bnbbtc@kline_1m", json), rx_, md_);
    ASSERT_TRUE(k);
    EXPECT_EQ(*k, stream_kind::kline);
    const auto& c = md_.candle;
    EXPECT_EQ(c.sym, "BNBBTC");
    EXPECT_EQ(c.interval, "1m");
    EXPECT_EQ(c.event_time, ms(1672515782136));
    EXPECT_EQ(c.open_time, ms(1672515780000));
    EXPECT_EQ(c.close_time, ms(1672515839999));
    EXPECT_EQ(c.first_trade_id, 100);
    EXPECT_EQ(c.last_trade_id, 200);
    EXPECT_EQ(c.open, dec("0.0010"));
    EXPECT_EQ(c.close, dec("0.0020"));
    EXPECT_EQ(c.high, dec("0.0025"));
    EXPECT_EQ(c.low, dec("0.0015"));
    EXPECT_EQ(c.volume, dec("1000"));
    EXPECT_EQ(c.trade_count, 100u);
    EXPECT_FALSE(c.closed);
    EXPECT_EQ(c.quote_volume, dec("1.0000"));
    EXPECT_EQ(c.taker_buy_volume, dec("500"));
    EXPECT_EQ(c.taker_buy_quote_volume, dec("0.500"));
    EXPECT_EQ(c.receive_time, rx_);
}

TEST_F(DecoderTest, combinedServerShutdownDocExample) {
    GENESIS_LOAD_FIXTURE(json, "docs/ws_combined_serverShutdown.json");
    auto k = dec_.decode_stream(json, rx_, md_);
    ASSERT_TRUE(k);
    EXPECT_EQ(*k, stream_kind::server_shutdown);
    EXPECT_EQ(md_.shutdown_time, ms(1770123456789));
}

TEST_F(DecoderTest, capturedCombinedFrames) {
    {
        GENESIS_LOAD_FIXTURE(json, "captured/ws_combined_aggTrade_ethusdt.json");
        auto k = dec_.decode_stream(json, rx_, md_);
        ASSERT_TRUE(k);
        EXPECT_EQ(*k, stream_kind::agg_trade);
        EXPECT_EQ(md_.agg.sym, "ETHUSDT");
        EXPECT_EQ(md_.agg.agg_id, 226532u);
        EXPECT_EQ(md_.agg.price, dec("1632.46"));
        EXPECT_EQ(md_.agg.quantity, dec("0.34305"));
        EXPECT_EQ(md_.agg.first_trade_id, 228423u);
        EXPECT_EQ(md_.agg.last_trade_id, 228423u);
        EXPECT_EQ(md_.agg.trade_time, ms(1675759520847));
        EXPECT_FALSE(md_.agg.buyer_is_maker); // the undocumented "st" is ignored
    }
    {
        GENESIS_LOAD_FIXTURE(json, "captured/ws_combined_bookTicker_ethusdt.json");
        auto k = dec_.decode_stream(json, rx_, md_);
        ASSERT_TRUE(k);
        EXPECT_EQ(*k, stream_kind::book_ticker);
        EXPECT_EQ(md_.ticker.update_id, 12711621188u);
        EXPECT_EQ(md_.ticker.bid, (book_level{dec("4507.24"), dec("2.3595")}));
        EXPECT_EQ(md_.ticker.ask, (book_level{dec("4507.25"), dec("2.8457")}));
    }
    {
        GENESIS_LOAD_FIXTURE(json, "captured/ws_combined_trade_ethusdt.json");
        auto k = dec_.decode_stream(json, rx_, md_);
        ASSERT_TRUE(k);
        EXPECT_EQ(*k, stream_kind::trade);
        EXPECT_EQ(md_.trade_event.trade_id, 705291099u);
        EXPECT_EQ(md_.trade_event.price, dec("4149.74"));
        EXPECT_EQ(md_.trade_event.quantity, dec("0.4387"));
        EXPECT_EQ(md_.trade_event.trade_time, ms(1639351062243));
        EXPECT_TRUE(md_.trade_event.buyer_is_maker); // the removed b and a are ignored
    }
}

TEST_F(DecoderTest, executionReportDocExampleEveryField) {
    GENESIS_LOAD_FIXTURE(json, "docs/uds_executionReport_new.json");
    auto k = dec_.decode_user(json, rx_, ud_);
    ASSERT_TRUE(k) << k.error().message();
    EXPECT_EQ(*k, user_event_kind::execution_report);
    EXPECT_EQ(ud_.subscription_id, 0);
    const auto& r = ud_.execution;
    const auto& x = ud_.extra;
    EXPECT_EQ(r.venue, "binance");
    EXPECT_EQ(r.event_time, ms(1499405658658));
    EXPECT_EQ(r.sym, "ETHBTC");
    EXPECT_EQ(r.client_id, "mUvoqJxFIILMdfAW5iGSOW");
    EXPECT_EQ(r.order_side, side::buy);
    EXPECT_EQ(r.type, order_type::limit);
    EXPECT_EQ(r.tif, time_in_force::gtc);
    EXPECT_EQ(r.quantity, dec("1"));
    EXPECT_EQ(r.price, dec("0.10264410"));
    EXPECT_EQ(r.stop_price, dec("0"));
    EXPECT_EQ(x.iceberg_quantity, dec("0"));
    EXPECT_EQ(x.order_list_id, -1);
    EXPECT_TRUE(r.orig_client_id.empty());
    EXPECT_EQ(r.exec_type, execution_type::new_);
    EXPECT_EQ(r.status, order_status::new_);
    EXPECT_EQ(r.reject_reason, "NONE");
    EXPECT_EQ(r.order_id, 4293153u);
    EXPECT_EQ(r.last_quantity, dec("0"));
    EXPECT_EQ(r.cumulative_quantity, dec("0"));
    EXPECT_EQ(r.last_price, dec("0"));
    EXPECT_EQ(r.commission, dec("0"));
    EXPECT_TRUE(r.commission_asset.empty()); // "N": null
    EXPECT_EQ(r.transaction_time, ms(1499405658657));
    EXPECT_FALSE(r.trade_id.has_value()); // "t": -1
    EXPECT_EQ(x.prevented_match_id, 3);
    EXPECT_TRUE(r.is_working);
    EXPECT_FALSE(r.is_maker);
    EXPECT_EQ(r.order_creation_time, ms(1499405658657));
    EXPECT_EQ(r.cumulative_quote, dec("0"));
    EXPECT_EQ(x.last_quote_quantity, dec("0"));
    EXPECT_EQ(r.quote_order_qty, dec("0"));
    EXPECT_EQ(r.working_time, ms(1499405658657));
    EXPECT_EQ(x.self_trade_prevention, "NONE");
    EXPECT_EQ(r.receive_time, rx_);
    EXPECT_EQ(ud_.event_time, ms(1499405658658));
}

TEST_F(DecoderTest, accountPositionAndBalanceUpdateDocExamples) {
    {
        GENESIS_LOAD_FIXTURE(json, "docs/uds_outboundAccountPosition.json");
        auto k = dec_.decode_user(json, rx_, ud_);
        ASSERT_TRUE(k);
        EXPECT_EQ(*k, user_event_kind::account_position);
        EXPECT_EQ(ud_.account.event_time, ms(1564034571105));
        EXPECT_EQ(ud_.account.last_update_time, ms(1564034571073));
        EXPECT_EQ(ud_.account.balances, (std::vector<balance>{{asset::truncating("ETH"), dec("10000"), dec("0")}}));
    }
    {
        GENESIS_LOAD_FIXTURE(json, "docs/wsapi_event_outboundAccountPosition.json");
        auto k = dec_.decode_user(json, rx_, ud_);
        ASSERT_TRUE(k);
        EXPECT_EQ(ud_.account.last_update_time, ms(1728972148778));
        EXPECT_EQ(ud_.account.balances, (std::vector<balance>{{asset::truncating("BTC"), dec("11818"), dec("182")},
                                                              {asset::truncating("USDT"), dec("10580"), dec("70")}}));
    }
    {
        GENESIS_LOAD_FIXTURE(json, "docs/uds_balanceUpdate.json");
        auto k = dec_.decode_user(json, rx_, ud_);
        ASSERT_TRUE(k);
        EXPECT_EQ(*k, user_event_kind::balance_update);
        EXPECT_EQ(ud_.balance.name, "BTC");
        EXPECT_EQ(ud_.balance.delta, dec("100"));
        EXPECT_EQ(ud_.balance.event_time, ms(1573200697110));
        EXPECT_EQ(ud_.balance.clear_time, ms(1573200697068));
    }
}

TEST_F(DecoderTest, restOrderResponsesAckResultFull) {
    order_response o;
    {
        GENESIS_LOAD_FIXTURE(json, "docs/rest_order_resp_ACK.json");
        ASSERT_TRUE(dec_.decode_order(json, rx_, o));
        EXPECT_EQ(o.type, response_type::ack);
        EXPECT_EQ(o.report.sym, "BTCUSDT");
        EXPECT_EQ(o.report.order_id, 28u);
        EXPECT_EQ(o.order_list_id, -1);
        EXPECT_EQ(o.report.client_id, "6gCrw2kRUAF9CvJDGP16IP");
        EXPECT_EQ(o.report.transaction_time, ms(1507725176595));
        EXPECT_EQ(o.report.status, order_status::new_);
    }
    for (const char* file : {"docs/rest_order_resp_RESULT.json", "docs/rest_order_resp_FULL.json"}) {
        GENESIS_LOAD_FIXTURE(json, file);
        ASSERT_TRUE(dec_.decode_order(json, rx_, o)) << file;
        const auto& r = o.report;
        EXPECT_EQ(r.price, dec("0"));
        EXPECT_EQ(r.quantity, dec("10"));
        EXPECT_EQ(r.cumulative_quantity, dec("10"));
        EXPECT_EQ(r.quote_order_qty, dec("0"));
        EXPECT_EQ(r.cumulative_quote, dec("10"));
        EXPECT_EQ(r.status, order_status::filled);
        EXPECT_EQ(r.tif, time_in_force::gtc);
        EXPECT_EQ(r.type, order_type::market);
        EXPECT_EQ(r.order_side, side::sell);
        EXPECT_EQ(r.working_time, ms(1507725176595));
        EXPECT_EQ(o.self_trade_prevention, "NONE");
    }
    EXPECT_EQ(o.type, response_type::full);
    ASSERT_EQ(o.fills.size(), 5u);
    EXPECT_EQ(o.fills[0], (fill{dec("4000"), dec("1"), dec("4"), asset::truncating("USDT"), 56}));
    EXPECT_EQ(o.fills[1], (fill{dec("3999"), dec("5"), dec("19.995"), asset::truncating("USDT"), 57}));
    EXPECT_EQ(o.fills[4], (fill{dec("3995"), dec("1"), dec("3.995"), asset::truncating("USDT"), 60}));
}

TEST_F(DecoderTest, restErrorBody) {
    GENESIS_LOAD_FIXTURE(json, "docs/error_body_sample.json");
    api_error e;
    ASSERT_TRUE(dec_.decode_error(json, e));
    EXPECT_EQ(e.code, -1121);
    EXPECT_EQ(e.msg, "Invalid symbol.");
    order_response o;
    auto r = dec_.decode_order(json, rx_, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(binance_errc::venue_error));
    EXPECT_EQ(r.error(), binance_condition::rejected);
    EXPECT_STREQ(r.error().category().name(), "genesis.binance");
}

TEST_F(DecoderTest, documentedErrorTexts) {
    // errors.md texts and the bodies users captured (error_messages.txt), in the documented shape.
    GENESIS_LOAD_FIXTURE(txt, "docs/error_messages.txt");
    int n = 0;
    for (const auto& body : flat_objects(txt)) {
        // Only the literal bodies: the shape line ({"code":<int>,...}) is not one.
        if (!body.starts_with(R"({"code":-)") || body.find(R"("msg":")") == std::string::npos)
            continue;
        const int code = std::stoi(body.substr(8));
        const auto m = body.find(R"("msg":")") + 7;
        const std::string msg = body.substr(m, body.rfind('"') - m);
        api_error e;
        ASSERT_TRUE(dec_.decode_error(body, e)) << body;
        EXPECT_EQ(e.code, code);
        EXPECT_EQ(e.msg, msg);
        ++n;
    }
    EXPECT_GE(n, 2);
}

TEST_F(DecoderTest, depthSnapshots) {
    book_snapshot s;
    {
        GENESIS_LOAD_FIXTURE(json, "docs/rest_depth_snapshot.json");
        ASSERT_TRUE(dec_.decode_depth_snapshot(json, symbol::truncating("BNBBTC"), rx_, s));
        EXPECT_EQ(s.last_update_id, 1027024u);
        EXPECT_EQ(s.bids, (std::vector<book_level>{{dec("4"), dec("431")}}));
        EXPECT_EQ(s.asks, (std::vector<book_level>{{dec("4.000002"), dec("12")}}));
    }
    {
        GENESIS_LOAD_FIXTURE(json, "captured/rest_depth_btcusdt.json");
        ASSERT_TRUE(dec_.decode_depth_snapshot(json, symbol::truncating("BTCUSDT"), rx_, s));
        EXPECT_EQ(s.sym, "BTCUSDT");
        EXPECT_EQ(s.last_update_id, 14527958487u);
        ASSERT_EQ(s.bids.size(), 10u);
        ASSERT_EQ(s.asks.size(), 10u);
        EXPECT_EQ(s.bids.front(), (book_level{dec("60650"), dec("0.00213")}));
        EXPECT_EQ(s.bids.back(), (book_level{dec("60639.93"), dec("0.07282")}));
        EXPECT_EQ(s.asks.front(), (book_level{dec("60650.01"), dec("0.61982")}));
        EXPECT_EQ(s.asks.back(), (book_level{dec("60659.94"), dec("0.9617")}));
    }
}

TEST_F(DecoderTest, exchangeInfoSkeletonAndCapture) {
    exchange_info info;
    {
        GENESIS_LOAD_FIXTURE(json, "docs/rest_exchangeInfo_skeleton.json");
        ASSERT_TRUE(dec_.decode_exchange_info(json, info));
        EXPECT_EQ(info.server_time, ms(1565246363776));
        ASSERT_EQ(info.symbols.size(), 1u);
        EXPECT_EQ(info.symbols[0].rules.name, "ETHBTC");
        EXPECT_EQ(info.symbols[0].rules.base, "ETH");
        EXPECT_EQ(info.symbols[0].rules.quote, "BTC");
        EXPECT_EQ(info.symbols[0].status, "TRADING");
        EXPECT_TRUE(info.symbols[0].rules.tick_size.is_zero()); // no filters: no bounds
    }
    {
        GENESIS_LOAD_FIXTURE(json, "captured/rest_exchangeInfo_2021_btcusdt_ethusdt.json");
        ASSERT_TRUE(dec_.decode_exchange_info(json, info));
        EXPECT_EQ(info.server_time, ms(1634942465856));
        ASSERT_EQ(info.symbols.size(), 2u);
        const auto& btc = info.symbols[0].rules;
        EXPECT_EQ(btc.name, "BTCUSDT");
        EXPECT_EQ(btc.base, "BTC");
        EXPECT_EQ(btc.quote, "USDT");
        EXPECT_EQ(btc.tick_size, dec("0.01"));
        EXPECT_EQ(btc.min_price, dec("0.01"));
        EXPECT_EQ(btc.max_price, dec("1000000"));
        EXPECT_EQ(btc.step_size, dec("0.00001"));
        EXPECT_EQ(btc.min_qty, dec("0.00001"));
        EXPECT_EQ(btc.max_qty, dec("9000"));
        EXPECT_EQ(btc.min_notional, dec("10")); // MIN_NOTIONAL (pre-2023)
        EXPECT_TRUE(btc.max_notional.is_zero());
        // MARKET_LOT_SIZE shares LOT_SIZE's keys and must not overwrite it.
        EXPECT_EQ(info.symbols[1].rules.name, "ETHUSDT");
        EXPECT_EQ(info.symbols[1].rules.step_size, dec("0.0001"));
        EXPECT_EQ(info.symbols[1].rules.max_qty, dec("9000"));
        // The venue's limits (2021: 1200 weight per minute), and the ones the gateway acts on.
        ASSERT_EQ(info.rate_limits.size(), 4u);
        EXPECT_EQ(info.rate_limits[3].type, "RAW_REQUESTS");
        EXPECT_EQ(info.rate_limits[3].interval_num, 5u);
        const auto known = known_limits(info.rate_limits);
        ASSERT_TRUE(known.weight_1m && known.orders_10s && known.orders_1d);
        EXPECT_EQ(known.weight_1m->limit, 1200u);
        EXPECT_EQ(known.orders_10s->limit, 50u);
        EXPECT_EQ(known.orders_1d->limit, 160'000u);
        EXPECT_EQ(known.orders_1d->count, 0u);
        // RAW_REQUESTS 6100 per 5 minutes: 1220 requests a minute, above the 1200 weight.
        ASSERT_TRUE(known.raw_requests);
        EXPECT_EQ(known.raw_requests->limit, 6100u);
        EXPECT_EQ(interval_length(*known.raw_requests), std::chrono::minutes{5});
        EXPECT_EQ(raw_requests_weight_cap(known), 1220);
    }
}

TEST(RateLimitsTest, rawRequestsCapTheWeightPerMinuteOnlyOverWholeMinutes) {
    const auto raw = [](std::uint64_t limit, std::string_view interval, std::uint32_t n) {
        rate_limit l;
        l.type = short_string::truncating("RAW_REQUESTS");
        l.interval = short_string::truncating(interval);
        l.interval_num = n;
        l.limit = limit;
        return l;
    };
    // Binance Spot today: 61,000 per 5 minutes.
    EXPECT_EQ(raw_requests_weight_cap(known_limits({raw(61'000, "MINUTE", 5)})), 12'200);
    EXPECT_EQ(raw_requests_weight_cap(known_limits({raw(1'000, "MINUTE", 3)})), 333); // rounded down
    EXPECT_EQ(raw_requests_weight_cap(known_limits({raw(7'200, "HOUR", 1)})), 120);
    EXPECT_EQ(interval_length(raw(1, "DAY", 2)), std::chrono::hours{48});
    // Not bounded by a per-minute budget, or nothing to bound.
    EXPECT_FALSE(raw_requests_weight_cap(known_limits({raw(100, "SECOND", 10)})));
    EXPECT_FALSE(raw_requests_weight_cap(known_limits({raw(100, "FORTNIGHT", 1)})));
    EXPECT_FALSE(raw_requests_weight_cap(known_limits({raw(0, "MINUTE", 5)})));
    EXPECT_FALSE(raw_requests_weight_cap(known_limits({})));
    EXPECT_FALSE(interval_length(raw(5, "MINUTE", 0)));
    EXPECT_FALSE(raw_requests_weight_cap(known_limits({raw(3, "MINUTE", 5)}))); // under 1 a minute
    // Of several, the tightest a per-minute budget can keep to.
    const auto several = known_limits({raw(50, "SECOND", 1), raw(61'000, "MINUTE", 5), raw(9'000, "MINUTE", 1)});
    ASSERT_TRUE(several.raw_requests);
    EXPECT_EQ(several.raw_requests->limit, 9'000u);
    EXPECT_EQ(raw_requests_weight_cap(several), 9'000);
    EXPECT_EQ(known_limits({raw(50, "SECOND", 1)}).raw_requests->limit, 50u); // none can be kept to: the first
}

TEST_F(DecoderTest, exchangeInfoEveryDocumentedFilter) {
    GENESIS_LOAD_FIXTURE(json, "docs/filters_examples.json");
    // Every filter object of filters.md in one symbol; the unknown ones must be ignored.
    std::string filters;
    int count = 0;
    for (const auto& obj : flat_objects(json)) {
        filters += (filters.empty() ? "" : ",") + obj;
        ++count;
    }
    EXPECT_EQ(count, 20);
    const std::string info_json =
        R"({"serverTime":1,"symbols":[{"symbol":"BNBBTC","baseAsset":"BNB","quoteAsset":"BTC",)"
        R"("filters":[)" +
        filters + "]}]}";
    exchange_info info;
    auto r = dec_.decode_exchange_info(info_json, info);
    ASSERT_TRUE(r) << r.error().message();
    const auto& i = info.symbols.at(0).rules;
    EXPECT_EQ(i.min_price, dec("0.000001"));
    EXPECT_EQ(i.max_price, dec("100000"));
    EXPECT_EQ(i.tick_size, dec("0.000001"));
    EXPECT_EQ(i.min_qty, dec("0.001"));
    EXPECT_EQ(i.max_qty, dec("100000"));
    EXPECT_EQ(i.step_size, dec("0.001"));
    // NOTIONAL (10..10000) wins over the older MIN_NOTIONAL (0.001), whatever their order.
    EXPECT_EQ(i.min_notional, dec("10"));
    EXPECT_EQ(i.max_notional, dec("10000"));
}

TEST_F(DecoderTest, wsApiExchangeInfoResponse) {
    GENESIS_LOAD_FIXTURE(json, "docs/wsapi_exchangeInfo_response.json");
    ws_response resp;
    ASSERT_TRUE(dec_.decode_ws_response(json, ws_result_kind::exchange_info, rx_, resp));
    EXPECT_EQ(resp.id, "5494febb-d167-46a2-996d-70533eb4d976");
    EXPECT_EQ(resp.status, 200);
    EXPECT_TRUE(resp.ok);
    EXPECT_EQ(resp.info.server_time, ms(1655969291181));
    ASSERT_EQ(resp.info.symbols.size(), 1u);
    const auto& i = resp.info.symbols[0].rules;
    EXPECT_EQ(i.name, "BNBBTC");
    EXPECT_EQ(i.tick_size, dec("0.000001"));
    EXPECT_EQ(i.step_size, dec("0.001"));
    ASSERT_EQ(resp.rate_limits.size(), 1u);
    EXPECT_EQ(resp.rate_limits[0].type, "REQUEST_WEIGHT");
    EXPECT_EQ(resp.rate_limits[0].count, 20u);
}

TEST_F(DecoderTest, wsApiErrorResponse) {
    GENESIS_LOAD_FIXTURE(json, "docs/wsapi_error_response_-2010.json");
    ws_response resp;
    ASSERT_TRUE(dec_.decode_ws_response(json, ws_result_kind::order, rx_, resp));
    EXPECT_EQ(resp.id, "e2a85d9f-07a5-4f94-8d5f-789dc3deb097");
    EXPECT_EQ(resp.status, 400);
    EXPECT_FALSE(resp.ok);
    EXPECT_EQ(resp.error.code, -2010);
    EXPECT_EQ(resp.error.msg, "Account has insufficient balance for requested action.");
    ASSERT_EQ(resp.rate_limits.size(), 3u);
    EXPECT_EQ(resp.rate_limits[0].type, "ORDERS");
    EXPECT_EQ(resp.rate_limits[0].interval, "SECOND");
    EXPECT_EQ(resp.rate_limits[0].interval_num, 10u);
    EXPECT_EQ(resp.rate_limits[0].limit, 50u);
    EXPECT_EQ(resp.rate_limits[0].count, 13u);
    EXPECT_EQ(resp.rate_limits[2].count, 322u);
}

TEST_F(DecoderTest, wsApiOrderResponsesByRequestId) {
    // The caller maps ids to methods; the lookup says how to read each result.
    const auto lookup = [](std::string_view id) {
        return id == "56374a46-3061-486b-a311-99ee972eb648" || id == "e2a85d9f-07a5-4f94-8d5f-789dc3deb097"
                   ? ws_result_kind::order
                   : ws_result_kind::none;
    };
    ws_response resp;
    {
        GENESIS_LOAD_FIXTURE(json, "docs/wsapi_order_place_response_ACK.json");
        ASSERT_TRUE(dec_.decode_ws_response_with(json, lookup, rx_, resp));
        EXPECT_EQ(resp.order.type, response_type::ack);
        EXPECT_EQ(resp.order.report.order_id, 12569099453u);
        EXPECT_EQ(resp.order.report.client_id, "4d96324ff9d44481926157ec08158a40");
        EXPECT_EQ(resp.order.report.transaction_time, ms(1660801715639));
    }
    {
        GENESIS_LOAD_FIXTURE(json, "docs/wsapi_order_place_response_RESULT.json");
        ASSERT_TRUE(dec_.decode_ws_response_with(json, lookup, rx_, resp));
        EXPECT_EQ(resp.order.type, response_type::result);
        EXPECT_EQ(resp.order.report.price, dec("23416.1"));
        EXPECT_EQ(resp.order.report.quantity, dec("0.00847"));
        EXPECT_EQ(resp.order.report.status, order_status::new_);
    }
    {
        GENESIS_LOAD_FIXTURE(json, "docs/wsapi_order_place_response_FULL.json");
        ASSERT_TRUE(dec_.decode_ws_response_with(json, lookup, rx_, resp));
        EXPECT_EQ(resp.order.type, response_type::full);
        EXPECT_EQ(resp.order.report.status, order_status::filled);
        EXPECT_EQ(resp.order.report.cumulative_quote, dec("198.335215"));
        EXPECT_EQ(
            resp.order.fills,
            (std::vector<fill>{{dec("23416.1"), dec("0.00635"), dec("0"), asset::truncating("BNB"), 1650422481},
                               {dec("23416.5"), dec("0.00212"), dec("0"), asset::truncating("BNB"), 1650422482}}));
        EXPECT_EQ(resp.rate_limits.size(), 3u);
    }
    {
        GENESIS_LOAD_FIXTURE(json, "docs/wsapi_generic_success_response.json");
        ASSERT_TRUE(dec_.decode_ws_response_with(json, lookup, rx_, resp));
        EXPECT_EQ(resp.order.report.order_id, 12510053279u);
        EXPECT_EQ(resp.order.report.client_id, "a097fe6304b20a7e4fc436");
        EXPECT_EQ(resp.order.report.order_side, side::buy);
    }
}

TEST_F(DecoderTest, wsApiRequestsAreOutboundShapes) {
    // The two request examples are what we send (see EncoderTest); as a response they lack
    // "status", which the decoder reports instead of guessing.
    for (const char* file : {"docs/wsapi_generic_request.json", "docs/wsapi_order_place_request.json"}) {
        GENESIS_LOAD_FIXTURE(json, file);
        ws_response resp;
        auto r = dec_.decode_ws_response(json, ws_result_kind::none, rx_, resp);
        ASSERT_FALSE(r) << file;
        EXPECT_EQ(r.error(), make_error_code(binance_errc::missing_field));
    }
}

TEST_F(DecoderTest, capturedRestKlinesAndAggTrades) {
    {
        GENESIS_LOAD_FIXTURE(json, "captured/rest_klines.json");
        std::vector<kline> ks;
        ASSERT_TRUE(dec_.decode_klines(json, symbol::truncating("BTCUSDT"), "1m", rx_, ks));
        ASSERT_FALSE(ks.empty());
        EXPECT_EQ(ks[0].open_time, ms(1634943780000));
        EXPECT_EQ(ks[0].open, dec("60685.22"));
        EXPECT_EQ(ks[0].high, dec("60729.84"));
        EXPECT_EQ(ks[0].low, dec("60670.9"));
        EXPECT_EQ(ks[0].close, dec("60719.27"));
        EXPECT_EQ(ks[0].volume, dec("21.63272"));
        EXPECT_EQ(ks[0].close_time, ms(1634943839999));
        EXPECT_EQ(ks[0].quote_volume, dec("1313200.0134041"));
        EXPECT_EQ(ks[0].trade_count, 617u);
        EXPECT_EQ(ks[0].taker_buy_volume, dec("12.28492"));
        EXPECT_EQ(ks[0].taker_buy_quote_volume, dec("745719.4102284"));
        EXPECT_EQ(ks[0].interval, "1m");
    }
    {
        GENESIS_LOAD_FIXTURE(json, "captured/rest_aggTrades.json");
        std::vector<agg_trade> ts;
        ASSERT_TRUE(dec_.decode_agg_trades(json, symbol::truncating("BTCUSDT"), rx_, ts));
        ASSERT_FALSE(ts.empty());
        EXPECT_EQ(ts[0].agg_id, 966492862u);
        EXPECT_EQ(ts[0].price, dec("60759.6"));
        EXPECT_EQ(ts[0].quantity, dec("0.00841"));
        EXPECT_EQ(ts[0].first_trade_id, 1111480471u);
        EXPECT_EQ(ts[0].trade_time, ms(1634944096633));
        EXPECT_FALSE(ts[0].buyer_is_maker);
        EXPECT_TRUE(ts[2].buyer_is_maker);
        EXPECT_EQ(ts[0].sym, "BTCUSDT");
    }
}

TEST_F(DecoderTest, everyFixtureFileIsCovered) {
    // A new fixture file must get a test: list the directory against the ones above.
    const std::vector<std::string> covered = {"docs/error_body_sample.json",
                                              "docs/filters_examples.json",
                                              "docs/rest_depth_snapshot.json",
                                              "docs/rest_exchangeInfo_skeleton.json",
                                              "docs/rest_order_resp_ACK.json",
                                              "docs/rest_order_resp_FULL.json",
                                              "docs/rest_order_resp_RESULT.json",
                                              "docs/signing_vectors.json",
                                              "docs/uds_balanceUpdate.json",
                                              "docs/uds_executionReport_new.json",
                                              "docs/uds_outboundAccountPosition.json",
                                              "docs/ws_aggTrade.json",
                                              "docs/ws_bookTicker.json",
                                              "docs/ws_combined_serverShutdown.json",
                                              "docs/ws_depthUpdate.json",
                                              "docs/ws_kline_1m.json",
                                              "docs/ws_partial_depth5.json",
                                              "docs/ws_trade.json",
                                              "docs/wsapi_error_response_-2010.json",
                                              "docs/wsapi_event_outboundAccountPosition.json",
                                              "docs/wsapi_exchangeInfo_response.json",
                                              "docs/wsapi_generic_request.json",
                                              "docs/wsapi_generic_success_response.json",
                                              "docs/wsapi_order_place_request.json",
                                              "docs/wsapi_order_place_response_ACK.json",
                                              "docs/wsapi_order_place_response_FULL.json",
                                              "docs/wsapi_order_place_response_RESULT.json",
                                              "captured/rest_aggTrades.json",
                                              "captured/rest_depth_btcusdt.json",
                                              "captured/rest_exchangeInfo_2021_btcusdt_ethusdt.json",
                                              "captured/rest_klines.json",
                                              "captured/ws_combined_aggTrade_ethusdt.json",
                                              "captured/ws_combined_bookTicker_ethusdt.json",
                                              "captured/ws_combined_trade_ethusdt.json"};
    if (!std::filesystem::is_directory(test::fixtures_dir() + "docs"))
        GTEST_SKIP() << "shared fixtures absent: " << test::fixtures_dir();
    std::size_t seen = 0;
    for (const char* dir : {"docs", "captured"})
        for (const auto& entry : std::filesystem::directory_iterator(test::fixtures_dir() + dir)) {
            if (entry.path().extension() != ".json")
                continue;
            const std::string rel = std::string(dir) + "/" + entry.path().filename().string();
            EXPECT_NE(std::find(covered.begin(), covered.end(), rel), covered.end()) << rel << " has no test";
            ++seen;
        }
    EXPECT_EQ(seen, covered.size());
}
