// Our own frames: every field, reordered and unknown fields, missing fields, wrong types,
// truncation, huge numbers, counters, and no allocation on the hot path.
#include "genesis/binance/decoder.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>

using namespace genesis;
using namespace genesis::binance;
using genesis::binance::test::dec;
using genesis::binance::test::ms;

namespace {
std::atomic<long> g_allocations{0};
thread_local bool g_counting = false;
} // namespace

// Counts allocations made while g_counting is set (this test binary only). GCC sees malloc/free
// behind operator new/delete once they are inlined and warns of a mismatch that is not one.
// Under AddressSanitizer, whose own operator new some libraries bind to, counting is left out.
#ifndef __SANITIZE_ADDRESS__
#define GENESIS_COUNT_ALLOCATIONS 1
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
    if (g_counting)
        g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#endif

namespace {

constexpr std::string_view trade_frame =
    R"({"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true})";
constexpr std::string_view depth_frame =
    R"({"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"BTCUSDT","U":157,"u":160,)"
    R"("b":[["60650.00000000","0.00213000"],["60648.08000000","0"]],"a":[["60650.01000000","0.61982000"]]}})";

/// The full executionReport field list, every optional field included (a TRADE on a pegged,
/// prevented, SOR, allocation order: no real message has all of them at once).
constexpr std::string_view full_execution_report =
    R"({"subscriptionId":7,"event":{"e":"executionReport","E":1700000000001,"s":"BTCUSDT","c":"newId","S":"SELL",)"
    R"("o":"STOP_LOSS_LIMIT","f":"IOC","q":"2.50000000","p":"60000.10000000","P":"59000.00000000",)"
    R"("F":"0.50000000","g":12,"C":"origId","x":"TRADE","X":"PARTIALLY_FILLED","r":"NONE","i":987654321,)"
    R"("l":"1.00000000","z":"1.50000000","L":"60000.20000000","n":"0.00100000","N":"BNB","T":1700000000002,)"
    R"("t":555,"v":9,"I":123,"w":false,"m":true,"M":true,"O":1700000000000,"Z":"90000.30000000",)"
    R"("Y":"60000.20000000","Q":"0.00000000","W":1700000000003,"V":"EXPIRE_MAKER","d":100,"D":1700000000004,)"
    R"("j":1000000,"J":1000001,"A":"0.10000000","B":"0.20000000","u":1,"U":2,"Cs":"BTCUSDT","pl":"0.30000000",)"
    R"("pL":"60001.00000000","pY":"18000.30000000","b":"ONE_PARTY_TRADE_REPORT","a":1234,"k":"SOR","uS":true,)"
    R"("gP":"PRIMARY_PEG","gOT":"PRICE_LEVEL","gOV":5,"gp":"60002.00000000","zz":{"unknown":[1,{"x":null}]}}})";

class DecoderEdgeTest : public ::testing::Test {
protected:
    decoder dec_;
    market_events md_;
    user_events ud_;
    const time_point rx_{7};

    error_code trade_error(const std::string& frame) {
        auto r = dec_.decode_raw(frame, stream_kind::trade, {}, rx_, md_);
        return r ? error_code{} : r.error();
    }
};

} // namespace

TEST_F(DecoderEdgeTest, errorCategoryAndConditions) {
    const error_code e = make_error_code(binance_errc::malformed_json);
    EXPECT_STREQ(e.category().name(), "genesis.binance");
    EXPECT_EQ(e.message(), "malformed JSON");
    EXPECT_EQ(e, binance_condition::bad_frame);
    EXPECT_EQ(make_error_code(binance_errc::unknown_stream), binance_condition::unsupported);
    EXPECT_EQ(make_error_code(binance_errc::venue_error), binance_condition::rejected);
    EXPECT_NE(make_error_code(binance_errc::venue_error), binance_condition::bad_frame);
    for (int i = 1; i < static_cast<int>(binance_errc_count); ++i)
        EXPECT_NE(make_error_code(static_cast<binance_errc>(i)).message(), "unknown genesis.binance error") << i;
}

TEST_F(DecoderEdgeTest, reorderedAndUnknownFields) {
    const std::string frame =
        R"({"a":[["2.5","1"]],"zz":{"x":[1,2,{"y":"}]"}],"w":null},"b":[["1.5","3"],["1.4","0"]],"u":20,)"
        R"("U":10,"s":"BTCUSDT","extra":[[["deep"]]],"E":1,"e":"depthUpdate","n":-1.5e300})";
    auto k = dec_.decode_raw(frame, stream_kind::depth_update, {}, rx_, md_);
    ASSERT_TRUE(k) << k.error().message();
    EXPECT_EQ(md_.depth.sym, "BTCUSDT");
    EXPECT_EQ(md_.depth.first_update_id, 10u);
    EXPECT_EQ(md_.depth.last_update_id, 20u);
    EXPECT_EQ(md_.depth.exchange_time, ms(1));
    EXPECT_EQ(md_.depth.bids, (std::vector<book_level>{{dec("1.5"), dec("3")}, {dec("1.4"), dec("0")}}));
    EXPECT_EQ(md_.depth.asks, (std::vector<book_level>{{dec("2.5"), dec("1")}}));
}

TEST_F(DecoderEdgeTest, combinedWithDataBeforeStream) {
    const std::string frame =
        R"({"data":{"m":false,"T":5,"q":"2","p":"3","t":9,"s":"ETHUSDT"},"x":1,"stream":"ethusdt@trade"})";
    auto k = dec_.decode_stream(frame, rx_, md_);
    ASSERT_TRUE(k) << k.error().message();
    EXPECT_EQ(*k, stream_kind::trade);
    EXPECT_EQ(md_.trade_event.trade_id, 9u);
    EXPECT_EQ(md_.trade_event.price, dec("3"));
    EXPECT_EQ(md_.trade_event.trade_time, ms(5));
}

TEST_F(DecoderEdgeTest, combinedEnvelopeErrors) {
    EXPECT_EQ(dec_.decode_stream(R"({"stream":"btcusdt@ticker","data":{}})", rx_, md_).error(),
              make_error_code(binance_errc::unknown_stream));
    EXPECT_EQ(dec_.decode_stream(R"({"stream":"!miniTicker@arr","data":{}})", rx_, md_).error(),
              make_error_code(binance_errc::unknown_stream));
    EXPECT_EQ(dec_.decode_stream(R"({"stream":"btcusdt@trade"})", rx_, md_).error(),
              make_error_code(binance_errc::missing_field));
    EXPECT_EQ(dec_.decode_stream(R"({"data":{}})", rx_, md_).error(), make_error_code(binance_errc::missing_field));
    EXPECT_EQ(dec_.decode_stream(R"({"stream":5,"data":{}})", rx_, md_).error(),
              make_error_code(binance_errc::wrong_type));
    EXPECT_EQ(dec_.decode_stream(R"({"stream":"btcusdt@trade","data":[]})", rx_, md_).error(),
              make_error_code(binance_errc::wrong_type));
    EXPECT_EQ(
        dec_.decode_stream(R"({"stream":"@depth5","data":{"lastUpdateId":1,"bids":[],"asks":[]}})", rx_, md_).error(),
        make_error_code(binance_errc::unknown_stream));
    EXPECT_EQ(
        dec_.decode_stream(
                R"({"stream":"averyveryverylongsymbolname123@depth5","data":{"lastUpdateId":1,"bids":[],"asks":[]}})",
                rx_, md_)
            .error(),
        make_error_code(binance_errc::string_too_long));
}

TEST_F(DecoderEdgeTest, executionReportEveryFieldIncludingOptional) {
    auto k = dec_.decode_user(full_execution_report, rx_, ud_);
    ASSERT_TRUE(k) << k.error().message();
    EXPECT_EQ(*k, user_event_kind::execution_report);
    EXPECT_EQ(ud_.subscription_id, 7);
    const auto& r = ud_.execution;
    const auto& x = ud_.extra;
    EXPECT_EQ(r.event_time, ms(1700000000001));
    EXPECT_EQ(r.sym, "BTCUSDT");
    EXPECT_EQ(r.client_id, "newId");
    EXPECT_EQ(r.order_side, side::sell);
    EXPECT_EQ(r.type, order_type::stop_loss_limit);
    EXPECT_EQ(r.tif, time_in_force::ioc);
    EXPECT_EQ(r.quantity, dec("2.5"));
    EXPECT_EQ(r.price, dec("60000.1"));
    EXPECT_EQ(r.stop_price, dec("59000"));
    EXPECT_EQ(x.iceberg_quantity, dec("0.5"));
    EXPECT_EQ(x.order_list_id, 12);
    EXPECT_EQ(r.orig_client_id, "origId");
    EXPECT_EQ(r.exec_type, execution_type::trade);
    EXPECT_EQ(r.status, order_status::partially_filled);
    EXPECT_EQ(r.reject_reason, "NONE");
    EXPECT_EQ(r.order_id, 987654321u);
    EXPECT_EQ(r.last_quantity, dec("1"));
    EXPECT_EQ(r.cumulative_quantity, dec("1.5"));
    EXPECT_EQ(r.last_price, dec("60000.2"));
    EXPECT_EQ(r.commission, dec("0.001"));
    EXPECT_EQ(r.commission_asset, "BNB");
    EXPECT_EQ(r.transaction_time, ms(1700000000002));
    EXPECT_EQ(r.trade_id, std::optional<std::uint64_t>{555});
    EXPECT_EQ(x.prevented_match_id, 9);
    EXPECT_FALSE(r.is_working);
    EXPECT_TRUE(r.is_maker);
    EXPECT_EQ(r.order_creation_time, ms(1700000000000));
    EXPECT_EQ(r.cumulative_quote, dec("90000.3"));
    EXPECT_EQ(x.last_quote_quantity, dec("60000.2"));
    EXPECT_EQ(r.quote_order_qty, dec("0"));
    EXPECT_EQ(r.working_time, ms(1700000000003));
    EXPECT_EQ(x.self_trade_prevention, "EXPIRE_MAKER");
    EXPECT_EQ(x.trailing_delta, 100);
    EXPECT_EQ(x.trailing_time, 1700000000004);
    EXPECT_EQ(x.strategy_id, 1000000);
    EXPECT_EQ(x.strategy_type, 1000001);
    EXPECT_EQ(x.prevented_quantity, dec("0.1"));
    EXPECT_EQ(x.last_prevented_quantity, dec("0.2"));
    EXPECT_EQ(x.trade_group_id, 1);
    EXPECT_EQ(x.counter_order_id, 2);
    EXPECT_EQ(x.counter_symbol, "BTCUSDT");
    EXPECT_EQ(x.prevented_execution_quantity, dec("0.3"));
    EXPECT_EQ(x.prevented_execution_price, dec("60001"));
    EXPECT_EQ(x.prevented_execution_quote_quantity, dec("18000.3"));
    EXPECT_EQ(x.match_type, "ONE_PARTY_TRADE_REPORT");
    EXPECT_EQ(x.allocation_id, 1234);
    EXPECT_EQ(x.working_floor, "SOR");
    EXPECT_TRUE(x.used_sor);
    EXPECT_EQ(x.peg_price_type, "PRIMARY_PEG");
    EXPECT_EQ(x.peg_offset_type, "PRICE_LEVEL");
    EXPECT_EQ(x.peg_offset_value, 5);
    EXPECT_EQ(x.pegged_price, dec("60002"));

    // The next report has none of the optional fields: none of the previous values may linger.
    const std::string plain = R"({"e":"executionReport","E":1,"s":"BTCUSDT","c":"c2","S":"BUY","o":"MARKET","f":"GTC",)"
                              R"("q":"1","p":"0","x":"NEW","X":"NEW","i":1,"l":"0","z":"0","L":"0","T":2})";
    ASSERT_TRUE(dec_.decode_user(plain, rx_, ud_));
    EXPECT_EQ(ud_.subscription_id, -1); // bare event, no envelope
    EXPECT_FALSE(ud_.execution.trade_id);
    EXPECT_TRUE(ud_.execution.commission_asset.empty());
    EXPECT_TRUE(ud_.execution.orig_client_id.empty());
    EXPECT_FALSE(ud_.extra.trailing_delta);
    EXPECT_FALSE(ud_.extra.used_sor);
    EXPECT_TRUE(ud_.execution.reject_reason.empty());
}

TEST_F(DecoderEdgeTest, userEventTypeLastAndUnknownEvents) {
    ASSERT_TRUE(dec_.decode_user(R"({"d":"-1.5","a":"USDT","E":5,"T":6,"e":"balanceUpdate"})", rx_, ud_));
    EXPECT_EQ(ud_.balance.delta, dec("-1.5"));
    EXPECT_EQ(ud_.balance.name, "USDT");
    auto k = dec_.decode_user(R"({"subscriptionId":3,"event":{"e":"listStatus","E":9,"s":"X"}})", rx_, ud_);
    ASSERT_TRUE(k);
    EXPECT_EQ(*k, user_event_kind::other);
    EXPECT_EQ(ud_.event_time, ms(9));
    EXPECT_EQ(dec_.stats().ignored, 1u);
    k = dec_.decode_user(R"({"subscriptionId":3,"event":{"e":"eventStreamTerminated","E":10}})", rx_, ud_);
    ASSERT_TRUE(k);
    EXPECT_EQ(*k, user_event_kind::stream_terminated);
    EXPECT_EQ(dec_.decode_user(R"({"subscriptionId":3})", rx_, ud_).error(),
              make_error_code(binance_errc::missing_field));
    EXPECT_EQ(dec_.decode_user(R"({"subscriptionId":3,"event":{"E":1}})", rx_, ud_).error(),
              make_error_code(binance_errc::missing_field));
    // An execution type we do not know must not pass as another one.
    EXPECT_EQ(
        dec_.decode_user(R"({"e":"executionReport","E":1,"s":"B","c":"c","S":"BUY","o":"LIMIT","f":"GTC","q":"1",)"
                         R"("p":"1","x":"NOPE","X":"NEW","i":1,"l":"0","z":"0","L":"0","T":2})",
                         rx_, ud_)
            .error(),
        make_error_code(binance_errc::bad_enum));
}

TEST_F(DecoderEdgeTest, missingEachRequiredTradeField) {
    for (const char* field : {"\"s\":\"BNBBTC\",", "\"t\":12345,", "\"p\":\"0.001\",", "\"q\":\"100\",",
                              "\"T\":1672515782136,", "\"m\":true,"}) {
        std::string frame(trade_frame);
        const auto at = frame.find(field);
        ASSERT_NE(at, std::string::npos) << field;
        frame.erase(at, std::string_view(field).size());
        EXPECT_EQ(trade_error(frame), make_error_code(binance_errc::missing_field)) << frame;
    }
    EXPECT_EQ(trade_error(std::string(trade_frame)), error_code{});
}

TEST_F(DecoderEdgeTest, wrongTypes) {
    const std::pair<const char*, const char*> cases[] = {
        {"\"p\":\"0.001\"", "\"p\":0.001"}, {"\"t\":12345", "\"t\":\"12345\""},   {"\"m\":true", "\"m\":\"true\""},
        {"\"s\":\"BNBBTC\"", "\"s\":null"}, {"\"T\":1672515782136", "\"T\":1.5"}, {"\"q\":\"100\"", "\"q\":[\"100\"]"},
    };
    for (const auto& [from, to] : cases) {
        std::string frame(trade_frame);
        frame.replace(frame.find(from), std::string_view(from).size(), to);
        const auto e = trade_error(frame);
        EXPECT_TRUE(e == binance_errc::wrong_type || e == binance_errc::number_out_of_range)
            << frame << " " << e.message();
    }
    // Levels that are not pairs of strings.
    for (const char* levels : {R"([["1","2","3"]])", R"([["1"]])", R"([[1,2]])", R"({"1":"2"})", R"([null])"}) {
        const std::string frame = std::string(R"({"s":"X","U":1,"u":2,"a":[],"b":)") + levels + "}";
        auto r = dec_.decode_raw(frame, stream_kind::depth_update, {}, rx_, md_);
        ASSERT_FALSE(r) << frame;
        EXPECT_EQ(r.error(), make_error_code(binance_errc::wrong_type)) << frame;
    }
}

TEST_F(DecoderEdgeTest, hugeAndBadNumbers) {
    const std::pair<const char*, binance_errc> cases[] = {
        {R"("t":123456789012345678901234567890)", binance_errc::number_out_of_range},
        {R"("t":-5)", binance_errc::number_out_of_range},
        {R"("T":99999999999999999)", binance_errc::number_out_of_range},
        {R"("T":-1)", binance_errc::number_out_of_range},
        {R"("p":"99999999999999999999.5")", binance_errc::bad_decimal},
        {R"("p":"1e5")", binance_errc::bad_decimal},
        {R"("p":"0.000000001")", binance_errc::bad_decimal},
        {R"("p":"")", binance_errc::bad_decimal},
        {R"("p":"NaN")", binance_errc::bad_decimal},
        {R"("s":"ABCDEFGHIJKLMNOPQRSTUVWXYZ")", binance_errc::string_too_long},
    };
    for (const auto& [field, expected] : cases) {
        std::string frame(trade_frame);
        const std::string key = std::string(field).substr(0, std::string(field).find(':') + 1);
        const auto at = frame.find(key);
        const auto end = frame.find_first_of(",}", frame.find(':', at) + 1);
        frame.replace(at, end - at, field);
        const auto e = trade_error(frame);
        // A negative id may be reported as a type mismatch by simdjson; both are bad frames.
        if (std::string_view(field) == R"("t":-5)")
            EXPECT_EQ(e, binance_condition::bad_frame) << frame;
        else
            EXPECT_EQ(e, make_error_code(expected)) << frame << " -> " << e.message();
    }
    // U > u is not a range.
    EXPECT_EQ(
        dec_.decode_raw(R"({"s":"X","U":5,"u":2,"a":[],"b":[]})", stream_kind::depth_update, {}, rx_, md_).error(),
        make_error_code(binance_errc::number_out_of_range));
}

TEST_F(DecoderEdgeTest, everyTruncationIsAnErrorNeverACrash) {
    const std::string frames[] = {std::string(trade_frame), std::string(depth_frame),
                                  std::string(full_execution_report)};
    for (const auto& full : frames) {
        for (std::size_t n = 0; n < full.size(); ++n) {
            const std::string cut = full.substr(0, n);
            bool ok = false;
            if (full.starts_with(R"({"stream")"))
                ok = static_cast<bool>(dec_.decode_stream(cut, rx_, md_));
            else if (full.find("executionReport") != std::string::npos)
                ok = static_cast<bool>(dec_.decode_user(cut, rx_, ud_));
            else
                ok = static_cast<bool>(dec_.decode_raw(cut, stream_kind::trade, {}, rx_, md_));
            EXPECT_FALSE(ok) << "prefix of " << n << " bytes decoded: " << cut;
        }
    }
    EXPECT_EQ(dec_.stats().decoded, 0u);
    EXPECT_EQ(dec_.stats().error_count(), dec_.stats().frames);
    EXPECT_GT(dec_.stats().errors_of(binance_errc::malformed_json), 0u);
}

TEST_F(DecoderEdgeTest, garbageFrames) {
    for (const char* junk : {"", " ", "null", "[]", "42", "\"x\"", "{", "}", "{]", "{\"s\":}", "{\"e\":\"trade\"",
                             "\xff\xfe", "{\"s\":\"\\ud800\"}", "{\"s\":\"X\"}}", "nul", "{\"a\":tru}"}) {
        EXPECT_FALSE(dec_.decode_raw(junk, stream_kind::trade, {}, rx_, md_)) << junk;
        EXPECT_FALSE(dec_.decode_stream(junk, rx_, md_)) << junk;
        EXPECT_FALSE(dec_.decode_user(junk, rx_, ud_)) << junk;
        ws_response w;
        EXPECT_FALSE(dec_.decode_ws_response(junk, ws_result_kind::order, rx_, w)) << junk;
        order_response o;
        EXPECT_FALSE(dec_.decode_order(junk, rx_, o)) << junk;
    }
}

TEST_F(DecoderEdgeTest, statsCountFramesAndErrorsByKind) {
    ASSERT_TRUE(dec_.decode_raw(trade_frame, stream_kind::trade, {}, rx_, md_));
    EXPECT_FALSE(dec_.decode_raw("{", stream_kind::trade, {}, rx_, md_));
    EXPECT_FALSE(dec_.decode_raw(R"({"s":"X"})", stream_kind::trade, {}, rx_, md_));
    EXPECT_FALSE(dec_.decode_stream(R"({"stream":"x@nope","data":{}})", rx_, md_));
    const auto& s = dec_.stats();
    EXPECT_EQ(s.frames, 4u);
    EXPECT_EQ(s.decoded, 1u);
    EXPECT_EQ(s.errors_of(binance_errc::malformed_json), 1u);
    EXPECT_EQ(s.errors_of(binance_errc::missing_field), 1u);
    EXPECT_EQ(s.errors_of(binance_errc::unknown_stream), 1u);
    EXPECT_EQ(s.error_count(), 3u);
}

TEST_F(DecoderEdgeTest, frameTooLarge) {
    decoder small(64);
    auto r = small.decode_raw(trade_frame, stream_kind::trade, {}, rx_, md_);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(binance_errc::frame_too_large));
    EXPECT_EQ(small.stats().errors_of(binance_errc::frame_too_large), 1u);
}

TEST_F(DecoderEdgeTest, parsesInPlaceWhenTheBufferHasPadding) {
    std::string buf(depth_frame);
    const std::size_t len = buf.size();
    buf.resize(len + decoder::padding, '\0');
    auto k = dec_.decode_stream(std::string_view(buf.data(), len), rx_, md_, buf.size());
    ASSERT_TRUE(k);
    EXPECT_EQ(md_.depth.bids.size(), 2u);
}

TEST_F(DecoderEdgeTest, noAllocationPerMessageOnceWarm) {
#ifndef GENESIS_COUNT_ALLOCATIONS
    GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
    // Warm: the parser, the padded buffer and the event vectors reach their sizes.
    ASSERT_TRUE(dec_.decode_stream(depth_frame, rx_, md_));
    ASSERT_TRUE(dec_.decode_raw(trade_frame, stream_kind::trade, {}, rx_, md_));
    ASSERT_TRUE(dec_.decode_user(full_execution_report, rx_, ud_));
    const long before = g_allocations.load();
    g_counting = true;
    bool ok = true;
    for (int i = 0; i < 1000; ++i) {
        ok &= static_cast<bool>(dec_.decode_stream(depth_frame, rx_, md_));
        ok &= static_cast<bool>(dec_.decode_raw(trade_frame, stream_kind::trade, {}, rx_, md_));
        ok &= static_cast<bool>(dec_.decode_user(full_execution_report, rx_, ud_));
    }
    g_counting = false;
    EXPECT_TRUE(ok);
    EXPECT_EQ(g_allocations.load() - before, 0);
}

TEST_F(DecoderEdgeTest, wsResponseIdsAndFieldOrder) {
    ws_response w;
    // The result before the id: read after the walk, with the id's kind.
    const auto lookup = [](std::string_view id) { return id == "17" ? ws_result_kind::order : ws_result_kind::none; };
    ASSERT_TRUE(dec_.decode_ws_response_with(
        R"({"result":{"symbol":"BTCUSDT","orderId":5,"clientOrderId":"x","transactTime":1},"status":200,"id":17})",
        lookup, rx_, w));
    EXPECT_EQ(w.id, "17");
    EXPECT_TRUE(w.ok);
    EXPECT_EQ(w.order.report.order_id, 5u);
    ASSERT_TRUE(dec_.decode_ws_response(R"({"id":null,"status":200,"result":{}})", ws_result_kind::none, rx_, w));
    EXPECT_EQ(w.id, "");
    // Open orders: an array result.
    ASSERT_TRUE(dec_.decode_ws_response(
        R"({"id":"a","status":200,"result":[{"symbol":"A","orderId":1,"clientOrderId":"c1","status":"NEW"},)"
        R"({"symbol":"B","orderId":2,"clientOrderId":"c2","origClientOrderId":"o","isWorking":true,"stopPrice":"1.5",)"
        R"("icebergQty":"0.1","time":3,"updateTime":4,"status":"CANCELED"}]})",
        ws_result_kind::order_list, rx_, w));
    ASSERT_EQ(w.orders.size(), 2u);
    EXPECT_EQ(w.orders[1].report.orig_client_id, "o");
    EXPECT_EQ(w.orders[1].report.status, order_status::canceled);
    EXPECT_TRUE(w.orders[1].report.is_working);
    EXPECT_EQ(w.orders[1].report.stop_price, dec("1.5"));
    EXPECT_EQ(w.orders[1].iceberg_quantity, dec("0.1"));
    EXPECT_EQ(w.orders[1].report.order_creation_time, ms(3));
    EXPECT_EQ(w.orders[1].report.transaction_time, ms(4));
    EXPECT_FALSE(dec_.decode_ws_response(R"({"id":true,"status":200})", ws_result_kind::none, rx_, w));
    EXPECT_FALSE(dec_.decode_ws_response(R"({"id":"1","status":"200"})", ws_result_kind::none, rx_, w));
    std::vector<order_response> open;
    ASSERT_TRUE(dec_.decode_orders("[]", rx_, open));
    EXPECT_TRUE(open.empty());
}

// Prices and quantities are read in one pass with an 8-digit word step; anything that pass does not
// accept goes to decimal::parse. Seeded texts, shaped like prices and random, must give exactly
// decimal::parse's value or its refusal.
TEST_F(DecoderEdgeTest, decimalFastPathAgreesWithDecimalParse) {
    std::mt19937_64 rng(20261202);
    const std::string alphabet = "0123456789.-+eE x/:";
    const auto digits = [&](std::size_t n) {
        std::string d;
        for (std::size_t i = 0; i < n; ++i)
            d += static_cast<char>('0' + rng() % 10);
        return d;
    };
    std::vector<std::string> texts = {"0",
                                      "-0",
                                      "1.",
                                      ".5",
                                      "-",
                                      ".",
                                      "00000000001",
                                      "92233720368",
                                      "92233720368.54775807",
                                      "92233720368.54775808",
                                      "-92233720368.54775807",
                                      "99999999999",
                                      "9999999999.99999999",
                                      "0.000000010",
                                      "0.00000001",
                                      "1.123456780",
                                      "1.1234567800000",
                                      "12345678901234567890",
                                      "1.2345678a",
                                      "1.234567/8",
                                      "1.:2345678",
                                      "1..2",
                                      "--1"};
    for (int i = 0; i < 20000; ++i) {
        std::string t;
        if (rng() % 4 == 0) {
            const std::size_t n = rng() % 14;
            for (std::size_t k = 0; k < n; ++k)
                t += alphabet[rng() % alphabet.size()];
        } else {
            if (rng() % 5 == 0)
                t += '-';
            t += digits(rng() % 14);
            if (rng() % 4 != 0)
                t += '.' + digits(rng() % 11);
            if (rng() % 10 == 0)
                t += std::string(rng() % 4, '0');
            if (rng() % 20 == 0 && !t.empty())
                t[rng() % t.size()] = alphabet[rng() % alphabet.size()];
        }
        texts.push_back(std::move(t));
    }
    int accepted = 0;
    for (const auto& t : texts) {
        const std::string frame = R"({"s":"X","t":1,"p":")" + t + R"(","q":")" + t + R"(","T":1,"m":true})";
        auto r = dec_.decode_raw(frame, stream_kind::trade, {}, rx_, md_);
        const auto expected = decimal::parse(t);
        if (expected) {
            ++accepted;
            ASSERT_TRUE(r) << t << ": " << r.error().message();
            EXPECT_EQ(md_.trade_event.price, *expected) << t;
            EXPECT_EQ(md_.trade_event.quantity, *expected) << t;
        } else {
            ASSERT_FALSE(r) << t << " was accepted as " << md_.trade_event.price.to_string();
            EXPECT_EQ(r.error(), make_error_code(binance_errc::bad_decimal)) << t;
        }
    }
    // Both sides of the comparison were exercised.
    EXPECT_GT(accepted, 5000);
    EXPECT_LT(accepted, static_cast<int>(texts.size()) - 2000);
}

// Strings are read in place unless they hold an escape; escaped ones are still unescaped.
TEST_F(DecoderEdgeTest, escapedStringsAreUnescaped) {
    auto r = dec_.decode_raw(R"({"s":"BTC\u0055SDT","t":1,"p":"1","q":"1","T":1,"m":true})", stream_kind::trade, {},
                             rx_, md_);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(md_.trade_event.sym, "BTCUSDT");
    auto k = dec_.decode_stream(R"({"stream":"btcusdt\u0040trade","data":{"s":"B\"C","t":1,"p":"1","q":"1","T":1,)"
                                R"("m":false}})",
                                rx_, md_);
    ASSERT_TRUE(k) << k.error().message();
    EXPECT_EQ(*k, stream_kind::trade);
    EXPECT_EQ(md_.trade_event.sym, "B\"C");
    // An escaped quote inside a decimal is not a decimal.
    EXPECT_EQ(trade_error(R"({"s":"X","t":1,"p":"1\"","q":"1","T":1,"m":true})"),
              make_error_code(binance_errc::bad_decimal));
}
