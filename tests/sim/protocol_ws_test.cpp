// Protocol layer: WS-API request and stream control parsing, including malformed input.
#include "genesis/sim/protocol/ws_api.hpp"

#include "genesis/sim/protocol/auth.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace genesis::sim::protocol {
namespace {

class ProtocolWsTest : public ::testing::Test {
protected:
    ws_parser parser_;
};

TEST_F(ProtocolWsTest, parseRequestFromDocsExample) {
    std::ifstream in(std::string(GENESIS_FIXTURES_DIR) + "/exchanges/binance_spot/docs/wsapi_order_place_request.json");
    if (!in)
        GTEST_SKIP() << "wsapi_order_place_request.json not found under " << GENESIS_FIXTURES_DIR;
    std::ostringstream ss;
    ss << in.rdbuf();
    auto r = parser_.parse_request(ss.str());
    ASSERT_FALSE(r.has_error()) << r.error().error.msg;
    EXPECT_EQ(r->id, R"("56374a46-3061-486b-a311-99ee972eb648")");
    EXPECT_EQ(r->method, "order.place");
    ASSERT_EQ(r->args.size(), 9u);
    EXPECT_EQ(r->args.items()[0].name, "symbol");
    EXPECT_EQ(r->args.peek("timestamp")->value, "1660801715431");
    EXPECT_FALSE(r->args.peek("timestamp")->is_json_string);
    EXPECT_TRUE(r->args.peek("price")->is_json_string);
    // The docs' signature covers exactly this payload.
    EXPECT_EQ(ws_signature_payload(r->args),
              "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=23416.10000000&quantity=0."
              "00847000"
              "&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1660801715431&type=LIMIT");
    EXPECT_TRUE(verify_hmac_sha256("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
                                   ws_signature_payload(r->args), r->args.peek("signature")->value));
}

TEST_F(ProtocolWsTest, parseRequestIdsAndValues) {
    struct row {
        std::string_view frame, id, method;
    };
    const row rows[] = {
        {R"({"id":1,"method":"ping"})", "1", "ping"},
        {R"({"id":-7,"method":"time","params":{}})", "-7", "time"},
        {R"({"id":null,"method":"v3/order.place"})", "null", "order.place"},
        {R"( {"method":"depth","id":"a\"b"} )", R"("a\"b")", "depth"},
    };
    for (const auto& r : rows) {
        auto res = parser_.parse_request(r.frame);
        ASSERT_FALSE(res.has_error()) << r.frame << " " << res.error().error.msg;
        EXPECT_EQ(res->id, r.id);
        EXPECT_EQ(res->method, r.method);
    }
    auto v = parser_.parse_request(
        R"({"id":1,"method":"x","params":{"a":"s\u0041","b":1.50,"c":true,"d":null,"e":["X","Y"],"f":{"k":1}}})");
    ASSERT_FALSE(v.has_error());
    ASSERT_EQ(v->args.size(), 5u); // null is not sent
    EXPECT_EQ(v->args.peek("a")->value, "sA");
    EXPECT_EQ(v->args.peek("b")->value, "1.50");
    EXPECT_EQ(v->args.peek("c")->value, "true");
    EXPECT_EQ(v->args.peek("e")->value, R"(["X","Y"])");
    EXPECT_EQ(v->args.peek("f")->value, R"({"k":1})");
}

TEST_F(ProtocolWsTest, parseRequestErrors) {
    struct row {
        std::string_view frame;
        std::string_view id;
        int code;
        std::string_view msg;
    };
    const row rows[] = {
        {"", "null", -1135, "Invalid JSON Request"},
        {"{", "null", -1135, "Invalid JSON Request"},
        {"not json", "null", -1135, "Invalid JSON Request"},
        {R"({"id":1,"method":"ping"} x)", "null", -1135, "Invalid JSON Request"},
        {"[1,2]", "null", -1135, "Invalid JSON Request"},
        {"42", "null", -1135, "Invalid JSON Request"},
        {R"({"method":"ping"})", "null", -1102, "Mandatory parameter 'id' was not sent, was empty/null, or malformed."},
        {R"({"id":1.5,"method":"ping"})", "null", -1102,
         "Mandatory parameter 'id' was not sent, was empty/null, or malformed."},
        {R"({"id":"0123456789012345678901234567890123456","method":"ping"})", "null", -1102,
         "Mandatory parameter 'id' was not sent, was empty/null, or malformed."},
        {R"({"id":{},"method":"ping"})", "null", -1102,
         "Mandatory parameter 'id' was not sent, was empty/null, or malformed."},
        {R"({"id":3})", "3", -1102, "Mandatory parameter 'method' was not sent, was empty/null, or malformed."},
        {R"({"id":3,"method":7})", "3", -1102,
         "Mandatory parameter 'method' was not sent, was empty/null, or malformed."},
        {R"({"id":3,"method":"x","params":[1]})", "3", -1135, "Invalid 'params' in JSON request; expected an object."},
        {R"({"id":3,"method":"x","params":{"a":1,"a":2}})", "3", -1101, "Duplicate values for a parameter detected."},
        {R"({"id":3,"method":"x","extra":1})", "3", -1103, "An unknown parameter was sent."},
    };
    for (const auto& r : rows) {
        auto res = parser_.parse_request(r.frame);
        ASSERT_TRUE(res.has_error()) << r.frame;
        EXPECT_EQ(res.error().id, r.id) << r.frame;
        EXPECT_EQ(res.error().error.code, r.code) << r.frame;
        EXPECT_EQ(res.error().error.msg, r.msg) << r.frame;
    }
}

TEST_F(ProtocolWsTest, parseControlMessages) {
    auto sub = parser_.parse_control(R"({"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth"],"id":1})");
    ASSERT_FALSE(sub.has_error()) << sub.error().msg;
    EXPECT_EQ(sub->method, stream_method::subscribe);
    ASSERT_EQ(sub->params.size(), 2u);
    EXPECT_EQ(sub->params[1], "btcusdt@depth");
    EXPECT_EQ(sub->id, 1u);
    auto list = parser_.parse_control(R"({"method":"LIST_SUBSCRIPTIONS","id":3})");
    ASSERT_FALSE(list.has_error());
    EXPECT_EQ(list->method, stream_method::list_subscriptions);
    auto set = parser_.parse_control(R"({"method":"SET_PROPERTY","params":["combined",true],"id":5})");
    ASSERT_FALSE(set.has_error());
    EXPECT_EQ(set->value, true);
    auto get = parser_.parse_control(R"({"method":"GET_PROPERTY","params":["combined"],"id":2})");
    ASSERT_FALSE(get.has_error());
    EXPECT_EQ(stream_control_response(1), R"({"result":null,"id":1})");
    EXPECT_EQ(stream_control_response(3, R"(["btcusdt@depth"])"), R"({"result":["btcusdt@depth"],"id":3})");
}

TEST_F(ProtocolWsTest, parseControlErrorsAsDocumented) {
    struct row {
        std::string_view frame;
        int code;
        std::string_view msg;
        std::string_view rendered_id;
    };
    const row rows[] = {
        {R"({"method":"SUBSCRIBE","params":["a"]})", 2, "Invalid request: request ID must be an unsigned integer",
         "null"},
        {R"({"method":"SUBSCRIBE","params":["a"],"id":"x"})", 2,
         "Invalid request: request ID must be an unsigned integer", "null"},
        {R"({"method":"SUBSCRIBE","params":["a"],"id":-1})", 2,
         "Invalid request: request ID must be an unsigned integer", "null"},
        {R"({"method":"SUBSCRIBEX","params":["a"],"id":1})", 2,
         "Invalid request: unknown variant `SUBSCRIBEX`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, "
         "`LIST_SUBSCRIPTIONS`, "
         "`SET_PROPERTY`, `GET_PROPERTY` at line 1 column 45",
         "1"},
        {R"({"params":["a"],"id":1})", 2, "Invalid request: missing field `method` at line 1 column 23", "1"},
        {R"({"method":"SUBSCRIBE","params":["a"],"id":1,"x":2})", 2, "Invalid request: too many parameters", "1"},
        {R"({"method":"SET_PROPERTY","params":["combined","yes"],"id":4})", 1, "Invalid value type: expected Boolean",
         "4"},
        {R"({"method":"SET_PROPERTY","params":[5],"id":4})", 2, "Invalid request: property name must be a string", "4"},
        {R"({"method":"GET_PROPERTY","params":["colour"],"id":4})", 0, "Unknown property", "4"},
        {R"({"method":"SUBSCRIBE","params":"a","id":1})", 2, "Invalid request: invalid stream", "1"},
        {R"({"method":"SUBSCRIBE","id":1)", 3, "Invalid JSON: expected value at line 1 column 28", "null"},
        {"garbage", 3, "Invalid JSON: expected value at line 1 column 7", "null"},
    };
    for (const auto& r : rows) {
        auto res = parser_.parse_control(r.frame);
        ASSERT_TRUE(res.has_error()) << r.frame;
        EXPECT_EQ(res.error().code, r.code) << r.frame;
        EXPECT_EQ(res.error().msg, r.msg) << r.frame;
        EXPECT_EQ(render(res.error()), "{\"error\":{\"code\":" + std::to_string(r.code) + ",\"msg\":\"" +
                                           std::string(r.msg) + "\"},\"id\":" + std::string(r.rendered_id) + "}")
            << r.frame;
    }
}

TEST_F(ProtocolWsTest, malformedInputNeverCrashes) {
    // Every prefix and single-byte mutation of valid frames, plus random bytes: no crash, no hang.
    const std::string seeds[] = {
        R"({"id":"e2a85d9f","method":"order.place","params":{"symbol":"BTCUSDT","price":"0.1","timestamp":1655716096498,"x":[1,{"y":null}]}})",
        R"({"method":"SUBSCRIBE","params":["btcusdt@depth","btcusdt@trade"],"id":1})",
    };
    std::size_t parsed = 0;
    for (const auto& seed : seeds) {
        for (std::size_t n = 0; n <= seed.size(); ++n) {
            parsed += parser_.parse_request(seed.substr(0, n)).has_value();
            parsed += parser_.parse_control(seed.substr(0, n)).has_value();
        }
        for (std::size_t i = 0; i < seed.size(); ++i) {
            for (char c : {'"', '{', '}', '[', ']', ',', ':', '\\', '\0', '\xff', '1', 'n'}) {
                std::string m = seed;
                m[i] = c;
                parsed += parser_.parse_request(m).has_value();
                parsed += parser_.parse_control(m).has_value();
            }
        }
    }
    std::mt19937 rng(7);
    for (int i = 0; i < 2000; ++i) {
        std::string junk(rng() % 64, '\0');
        for (auto& ch : junk)
            ch = "{}[]\":,0123456789.-eE truefalsnul\\"[rng() % 34];
        parsed += parser_.parse_request(junk).has_value();
        parsed += parser_.parse_control(junk).has_value();
    }
    EXPECT_GT(parsed, 0u);
}

} // namespace
} // namespace genesis::sim::protocol
