// Protocol layer: rendered JSON compared with Binance's documented examples (key sets, order and
// value types; exact text where the example's values can be reproduced).
#include "genesis/sim/protocol/render.hpp"

#include "genesis/sim/protocol/json_writer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace genesis::sim::protocol {
namespace {

using namespace genesis::literals;
namespace od = simdjson::ondemand;

std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(GENESIS_FIXTURES_DIR) + "/exchanges/binance_spot/docs/" + name);
    if (!in)
        return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The structure of a JSON value: objects as {key:shape,...} in order, arrays by their first
// element, scalars by type (s string, n number, b boolean, z null). Keys in `skip` are left out.
bool shape_of(od::value v, std::string& out, const std::set<std::string>& skip);

bool shape_of_object(od::object o, std::string& out, const std::set<std::string>& skip) {
    out += '{';
    bool first = true;
    for (auto f : o) {
        od::field field;
        if (std::move(f).get(field))
            return false;
        std::string_view key;
        if (field.unescaped_key().get(key))
            return false;
        if (skip.count(std::string(key)) != 0)
            continue;
        if (!first)
            out += ',';
        first = false;
        out += key;
        out += ':';
        if (!shape_of(field.value(), out, skip))
            return false;
    }
    out += '}';
    return true;
}

bool shape_of(od::value v, std::string& out, const std::set<std::string>& skip) {
    od::json_type t{};
    if (v.type().get(t))
        return false;
    switch (t) {
    case od::json_type::object: {
        od::object o;
        return !v.get_object().get(o) && shape_of_object(o, out, skip);
    }
    case od::json_type::array: {
        od::array a;
        if (v.get_array().get(a))
            return false;
        out += '[';
        bool first = true;
        for (auto el : a) {
            od::value e;
            if (std::move(el).get(e))
                return false;
            if (first) {
                if (!shape_of(e, out, skip))
                    return false;
                first = false;
            } else {
                std::string ignored;
                if (!shape_of(e, ignored, skip))
                    return false;
            }
        }
        out += ']';
        return true;
    }
    case od::json_type::string: {
        std::string_view s;
        out += 's';
        return !v.get_string().get(s);
    }
    case od::json_type::number: {
        double d = 0;
        out += 'n';
        return !v.get_double().get(d);
    }
    case od::json_type::boolean: {
        bool b = false;
        out += 'b';
        return !v.get_bool().get(b);
    }
    case od::json_type::null: out += 'z'; return true;
    }
    return false;
}

std::string shape(std::string_view json, const std::set<std::string>& skip = {}) {
    od::parser parser;
    simdjson::padded_string padded(json);
    od::document doc;
    if (parser.iterate(padded).get(doc))
        return "<invalid>";
    od::json_type t{};
    if (doc.type().get(t))
        return "<invalid>";
    std::string out;
    if (t == od::json_type::object) {
        od::object o;
        if (doc.get_object().get(o) || !shape_of_object(o, out, skip))
            return "<invalid>";
    } else if (t == od::json_type::array) {
        // Wrap so that the array is a value.
        return shape("{\"_\":" + std::string(json) + "}", skip);
    } else {
        return "<scalar>";
    }
    return out;
}

std::string minify(const std::string& json) {
    std::string out(json.size(), '\0');
    std::size_t len = 0;
    if (simdjson::minify(json.data(), json.size(), out.data(), len))
        return "<invalid>";
    out.resize(len);
    return out;
}

class ProtocolRenderTest : public ::testing::Test {
protected:
    json_writer w_;

    std::string fixture(const std::string& name) {
        std::string text = read_fixture(name);
        if (text.empty())
            ADD_FAILURE() << "fixture " << name << " missing under " << GENESIS_FIXTURES_DIR;
        return text;
    }
    // The "result"/"event"/"data" member of a fixture, as text.
    std::string member(const std::string& json, std::string_view key) {
        od::parser parser;
        simdjson::padded_string padded(json);
        od::document doc;
        std::string_view raw;
        od::object o;
        if (parser.iterate(padded).get(doc) || doc.get_object().get(o))
            return {};
        od::value v;
        if (o[key].get(v))
            return {};
        od::json_type t{};
        if (v.type().get(t))
            return {};
        if (t == od::json_type::object) {
            od::object inner;
            if (v.get_object().get(inner) || inner.raw_json().get(raw))
                return {};
        } else {
            od::array inner;
            if (v.get_array().get(inner) || inner.raw_json().get(raw))
                return {};
        }
        return std::string(raw);
    }
    void SetUp() override {
        if (read_fixture("rest_order_resp_ACK.json").empty())
            GTEST_SKIP() << "Binance fixtures not found under " << GENESIS_FIXTURES_DIR
                         << "/exchanges/binance_spot/docs: rendering comparisons skipped";
    }
};

order_result sample_result() {
    order_result r;
    auto& o = r.order;
    o.sym = symbol::truncating("BTCUSDT");
    o.order_id = 28;
    o.client_id = client_order_id::truncating("6gCrw2kRUAF9CvJDGP16IP");
    o.order_side = side::sell;
    o.type = order_type::market;
    o.tif = time_in_force::gtc;
    o.status = order_status::filled;
    o.orig_qty = "10"_d;
    o.executed_qty = "10"_d;
    o.cumulative_quote_qty = "10"_d;
    o.time = time_point{1'507'725'176'595'000'000};
    r.transact_time = o.time;
    r.fills.push_back({"4000"_d, "1"_d, "4"_d, asset::truncating("USDT"), 56});
    return r;
}

TEST_F(ProtocolRenderTest, errorBodyMatchesDocs) {
    const binance_error e{-1121, "Invalid symbol."};
    EXPECT_EQ(error_body(e), minify(fixture("error_body_sample.json")));
    EXPECT_EQ(ping_body(), "{}");
    EXPECT_EQ(time_body(1499827319559), R"({"serverTime":1499827319559})");
}

TEST_F(ProtocolRenderTest, newOrderResponsesMatchDocs) {
    const auto r = sample_result();
    const std::pair<order_resp_type, std::string> rows[] = {
        {order_resp_type::ack, "rest_order_resp_ACK.json"},
        {order_resp_type::result, "rest_order_resp_RESULT.json"},
        {order_resp_type::full, "rest_order_resp_FULL.json"},
    };
    for (const auto& [type, file] : rows) {
        w_.clear();
        write_new_order(w_, r, type);
        EXPECT_EQ(shape(w_.str()), shape(fixture(file))) << file;
    }
    w_.clear();
    write_new_order(w_, r, order_resp_type::ack);
    EXPECT_EQ(w_.str(), minify(fixture("rest_order_resp_ACK.json")));
}

TEST_F(ProtocolRenderTest, exchangeInfoMatchesDocs) {
    instrument ins;
    ins.name = symbol::truncating("BNBBTC");
    ins.base = asset::truncating("BNB");
    ins.quote = asset::truncating("BTC");
    ins.tick_size = "0.000001"_d;
    ins.min_price = "0.000001"_d;
    ins.max_price = "100000"_d;
    ins.step_size = "0.001"_d;
    ins.min_qty = "0.001"_d;
    ins.max_qty = "100000"_d;
    ins.min_notional = "0.001"_d;
    const instrument list[] = {ins};
    write_exchange_info(w_, list, 1655969291181, {25, {}});
    const std::string result = member(fixture("wsapi_exchangeInfo_response.json"), "result");
    ASSERT_FALSE(result.empty());
    // The sim has no smart order routing, so no "sors".
    EXPECT_EQ(shape(w_.str()), shape(result, {"sors"}));
    EXPECT_NE(
        w_.str().find(
            R"({"filterType":"PRICE_FILTER","minPrice":"0.00000100","maxPrice":"100000.00000000","tickSize":"0.00000100"})"),
        std::string::npos);
    EXPECT_NE(
        w_.str().find(
            R"({"filterType":"LOT_SIZE","minQty":"0.00100000","maxQty":"100000.00000000","stepSize":"0.00100000"})"),
        std::string::npos);
    EXPECT_NE(
        w_.str().find(
            R"("rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50},{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000},{"rateLimitType":"CONNECTIONS","interval":"MINUTE","intervalNum":5,"limit":300}])"),
        std::string::npos);
    // NOTIONAL and MAX_NUM_ORDERS as filters_examples.json shapes them.
    const std::string filters = fixture("filters_examples.json");
    const std::string notional = member(filters, "NOTIONAL");
    const std::string max_orders = member(filters, "MAX_NUM_ORDERS");
    json_writer one;
    write_symbol_info(one, ins, {25, {}});
    const auto at = one.str().find(R"({"filterType":"NOTIONAL")");
    ASSERT_NE(at, std::string::npos);
    const auto end = one.str().find('}', at);
    EXPECT_EQ(shape(one.str().substr(at, end - at + 1)), shape(notional));
    EXPECT_NE(one.str().find(R"({"filterType":"MAX_NUM_ORDERS","maxNumOrders":25})"), std::string::npos);
    EXPECT_EQ(shape(R"({"filterType":"MAX_NUM_ORDERS","maxNumOrders":25})"), shape(max_orders));
}

TEST_F(ProtocolRenderTest, depthAndStreamsMatchDocs) {
    book_snapshot book;
    book.last_update_id = 1027024;
    book.bids.push_back({"4"_d, "431"_d});
    book.asks.push_back({"4.000002"_d, "12"_d});
    write_depth(w_, book);
    EXPECT_EQ(w_.str(), minify(fixture("rest_depth_snapshot.json")));
    EXPECT_EQ(shape(w_.str()), shape(fixture("ws_partial_depth5.json")));

    book_delta d;
    d.sym = symbol::truncating("BNBBTC");
    d.first_update_id = 157;
    d.last_update_id = 160;
    d.bids.push_back({"0.0024"_d, "10"_d});
    d.asks.push_back({"0.0026"_d, "100"_d});
    w_.clear();
    write_depth_update(w_, d, 1672515782136);
    EXPECT_EQ(shape(w_.str()), shape(fixture("ws_depthUpdate.json")));
    EXPECT_EQ(
        w_.str(),
        R"({"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.00240000","10.00000000"]],"a":[["0.00260000","100.00000000"]]})");

    trade t;
    t.sym = symbol::truncating("BNBBTC");
    t.trade_id = 12345;
    t.price = "0.001"_d;
    t.quantity = "100"_d;
    t.buyer_is_maker = true;
    t.trade_time = time_point{1'672'515'782'136'000'000};
    w_.clear();
    write_trade_event(w_, t, 1672515782136);
    EXPECT_EQ(shape(w_.str()), shape(fixture("ws_trade.json")));

    agg_trade a;
    a.sym = t.sym;
    a.agg_id = 12345;
    a.price = t.price;
    a.qty = t.quantity;
    a.first_trade_id = 100;
    a.last_trade_id = 105;
    a.buyer_is_maker = true;
    a.time = t.trade_time;
    w_.clear();
    write_agg_trade_event(w_, a, 1672515782136);
    EXPECT_EQ(shape(w_.str()), shape(fixture("ws_aggTrade.json")));

    top_of_book tob;
    tob.sym = symbol::truncating("BNBUSDT");
    tob.update_id = 400900217;
    tob.bid = {"25.3519"_d, "31.21"_d};
    tob.ask = {"25.3652"_d, "40.66"_d};
    w_.clear();
    write_book_ticker_event(w_, tob);
    EXPECT_EQ(w_.str(), minify(fixture("ws_bookTicker.json")));

    const std::string combined = wrap_combined("!serverShutdown", R"({"e":"serverShutdown","E":1770123456789})");
    EXPECT_EQ(combined, minify(fixture("ws_combined_serverShutdown.json")));

    // REST shapes without a fixture file: field lists from rest-api.md.
    w_.clear();
    const trade trades[] = {t};
    write_trades(w_, trades);
    EXPECT_EQ(shape(w_.str()), "{_:[{id:n,price:s,qty:s,quoteQty:s,time:n,isBuyerMaker:b,isBestMatch:b}]}");
    w_.clear();
    const agg_trade aggs[] = {a};
    write_agg_trades(w_, aggs);
    EXPECT_EQ(shape(w_.str()), "{_:[{a:n,p:s,q:s,f:n,l:n,T:n,m:b,M:b}]}");
    w_.clear();
    write_book_ticker(w_, tob);
    EXPECT_EQ(shape(w_.str()), "{symbol:s,bidPrice:s,bidQty:s,askPrice:s,askQty:s}");
}

TEST_F(ProtocolRenderTest, userDataEventsMatchDocs) {
    execution_report r;
    r.sym = symbol::truncating("ETHBTC");
    r.client_id = client_order_id::truncating("mUvoqJxFIILMdfAW5iGSOW");
    r.order_side = side::buy;
    r.type = order_type::limit;
    r.tif = time_in_force::gtc;
    r.status = order_status::new_;
    r.exec_type = execution_type::new_;
    r.quantity = "1"_d;
    r.price = "0.1026441"_d;
    r.order_id = 4293153;
    r.is_working = true;
    r.event_time = time_point{1'499'405'658'658'000'000};
    r.transaction_time = time_point{1'499'405'658'657'000'000};
    r.order_creation_time = r.transaction_time;
    r.working_time = r.transaction_time;
    write_execution_report(w_, r, 8641984, 3);
    const std::string fixture_text = fixture("uds_executionReport_new.json");
    const std::string event = member(fixture_text, "event");
    EXPECT_EQ(wrap_user_event(0, w_.str()), minify(fixture_text));
    // Without a prevented match, "v" is left out, as Binance does.
    w_.clear();
    write_execution_report(w_, r, 8641984);
    EXPECT_EQ(shape(w_.str()), shape(event, {"v"}));

    // A fill carries the commission.
    r.exec_type = execution_type::trade;
    r.commission = "0.0001"_d;
    r.commission_asset = asset::truncating("BNB");
    r.trade_id = 77;
    w_.clear();
    write_execution_report(w_, r);
    EXPECT_NE(w_.str().find(R"("n":"0.00010000","N":"BNB","T":1499405658657,"t":77,"I":0)"), std::string::npos);

    account_update u;
    u.event_time = time_point{1'728'972'148'778'000'000};
    u.last_update_time = u.event_time;
    u.balances.push_back({asset::truncating("BTC"), "11818"_d, "182"_d});
    u.balances.push_back({asset::truncating("USDT"), "10580"_d, "70"_d});
    w_.clear();
    write_account_position(w_, u);
    EXPECT_EQ(wrap_user_event(0, w_.str()), minify(fixture("wsapi_event_outboundAccountPosition.json")));
    EXPECT_EQ(shape(wrap_user_event(0, w_.str())), shape(fixture("uds_outboundAccountPosition.json")));

    balance_update b;
    b.name = asset::truncating("BTC");
    b.delta = "100"_d;
    b.event_time = time_point{1'573'200'697'110'000'000};
    b.clear_time = time_point{1'573'200'697'068'000'000};
    w_.clear();
    write_balance_update(w_, b);
    EXPECT_EQ(wrap_user_event(0, w_.str()), minify(fixture("uds_balanceUpdate.json")));
}

TEST_F(ProtocolRenderTest, wsApiEnvelopesMatchDocs) {
    order_result r = sample_result();
    r.order.type = order_type::limit;
    r.order.status = order_status::new_;
    write_new_order(w_, r, order_resp_type::result);
    const rate_limit limits[] = {
        {"ORDERS", "SECOND", 10, 50, 1},
        {"ORDERS", "DAY", 1, 160000, 1},
        {"REQUEST_WEIGHT", "MINUTE", 1, 6000, 1},
    };
    const std::string ok = ws_response(R"("56374a46-3061-486b-a311-99ee972eb648")", w_.str(), limits);
    EXPECT_EQ(shape(ok), shape(fixture("wsapi_order_place_response_RESULT.json")));
    EXPECT_EQ(shape(ok), shape(fixture("wsapi_generic_success_response.json")));

    const rate_limit err_limits[] = {
        {"ORDERS", "SECOND", 10, 50, 13},
        {"ORDERS", "DAY", 1, 160000, 4044},
        {"REQUEST_WEIGHT", "MINUTE", 1, 6000, 322},
    };
    const std::string err =
        ws_error_response(R"("e2a85d9f-07a5-4f94-8d5f-789dc3deb097")",
                          {-2010, "Account has insufficient balance for requested action."}, err_limits);
    EXPECT_EQ(err, minify(fixture("wsapi_error_response_-2010.json")));
    EXPECT_EQ(ws_error_response("7", {-1021, "x"}), R"({"id":7,"status":400,"error":{"code":-1021,"msg":"x"}})");
    EXPECT_EQ(ws_error_response("null", {-2015, "x"}), R"({"id":null,"status":401,"error":{"code":-2015,"msg":"x"}})");
}

TEST_F(ProtocolRenderTest, tradingQueriesHaveDocumentedFields) {
    order_record o = sample_result().order;
    write_order(w_, o);
    EXPECT_EQ(shape(w_.str()),
              "{symbol:s,orderId:n,orderListId:n,clientOrderId:s,price:s,origQty:s,executedQty:s,cummulativeQuoteQty:s,"
              "status:s,timeInForce:s,type:s,side:s,stopPrice:s,icebergQty:s,time:n,updateTime:n,isWorking:b,"
              "workingTime:n,origQuoteOrderQty:s,selfTradePreventionMode:s}");
    cancel_result c{o, client_order_id::truncating("cancelMyOrder1"), o.time};
    w_.clear();
    write_cancel(w_, c);
    EXPECT_EQ(shape(w_.str()),
              "{symbol:s,origClientOrderId:s,orderId:n,orderListId:n,clientOrderId:s,transactTime:n,price:s,origQty:s,"
              "executedQty:s,origQuoteOrderQty:s,cummulativeQuoteQty:s,status:s,timeInForce:s,type:s,side:s,"
              "selfTradePreventionMode:s}");
    account_trade t;
    t.sym = o.sym;
    w_.clear();
    const account_trade ts[] = {t};
    write_my_trades(w_, ts);
    EXPECT_EQ(shape(w_.str()), "{_:[{symbol:s,id:n,orderId:n,orderListId:n,price:s,qty:s,quoteQty:s,commission:s,"
                               "commissionAsset:s,time:n,isBuyer:b,isMaker:b,isBestMatch:b}]}");

    account acc(9, {"a", "k", "s", {}, "0.001"_d, "0.002"_d, true}, "0.001"_d, "0.001"_d);
    const balance bals[] = {{asset::truncating("BTC"), "1"_d, "0.5"_d}, {asset::truncating("ETH"), {}, {}}};
    w_.clear();
    write_account(w_, acc, bals, 123456789);
    EXPECT_EQ(shape(w_.str()),
              "{makerCommission:n,takerCommission:n,buyerCommission:n,sellerCommission:n,commissionRates:{maker:s,"
              "taker:s,buyer:s,seller:s},canTrade:b,canWithdraw:b,canDeposit:b,brokered:b,"
              "requireSelfTradePrevention:b,preventSor:b,updateTime:n,accountType:s,balances:[{asset:s,free:s,"
              "locked:s}],permissions:[s],uid:n}");
    EXPECT_NE(w_.str().find(R"("makerCommission":10,"takerCommission":20)"), std::string::npos);
    EXPECT_NE(w_.str().find(R"({"asset":"BTC","free":"1.00000000","locked":"0.50000000"})"), std::string::npos);
    w_.clear();
    write_account(w_, acc, bals, 0, true);
    EXPECT_EQ(w_.str().find("ETH"), std::string::npos);
}

TEST_F(ProtocolRenderTest, jsonWriterEscapesAndNests) {
    json_writer w;
    w.begin_object()
        .field("a\"b", "x\\y\n\x01")
        .key("arr")
        .begin_array()
        .begin_object()
        .end_object()
        .begin_array()
        .end_array()
        .number(-5)
        .end_array()
        .field("d", decimal::from_raw(-1), 8)
        .field("e", "1.5"_d, 2)
        .end_object();
    EXPECT_EQ(w.str(), "{\"a\\\"b\":\"x\\\\y\\n\\u0001\",\"arr\":[{},[],-5],\"d\":\"-0.00000001\",\"e\":\"1.50\"}");
    EXPECT_EQ(shape(w.str()), "{a\"b:s,arr:[{}],d:s,e:s}");
    EXPECT_FALSE(w.take().empty());
    EXPECT_TRUE(w.str().empty());
    w.begin_object().end_object();
    EXPECT_EQ(w.str(), "{}");
}

} // namespace
} // namespace genesis::sim::protocol
