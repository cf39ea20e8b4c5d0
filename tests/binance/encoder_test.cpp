#include "genesis/binance/encoder.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

using namespace genesis;
using namespace genesis::binance;
using genesis::binance::test::dec;
using genesis::binance::test::json_string_field;

namespace {

constexpr std::string_view doc_secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr std::string_view doc_api_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr std::string_view fullwidth_123456 =
    "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96";

order_intent limit(std::string_view sym, side s, const char* qty, const char* price) {
    order_intent in;
    in.sym = symbol::truncating(sym);
    in.order_side = s;
    in.type = order_type::limit;
    in.tif = time_in_force::gtc;
    in.quantity = dec(qty);
    in.price = dec(price);
    return in;
}

class EncoderTest : public ::testing::Test {
protected:
    rest::signer hmac_ = *rest::signer::hmac_sha256(rest::secret{doc_secret});
};

} // namespace

TEST_F(EncoderTest, restOrderReproducesDocumentedQueryAndSignature) {
    order_options opt;
    opt.recv_window_ms = 5000;
    auto p = order_place_params(limit("LTCBTC", side::buy, "1", "0.1"), opt, 1499827319559);
    ASSERT_TRUE(p);
    EXPECT_EQ(rest_query(*p), "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&"
                              "timestamp=1499827319559");
    auto q = rest_signed_query(*p, hmac_);
    ASSERT_TRUE(q);
    EXPECT_EQ(*q, rest_query(*p) + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST_F(EncoderTest, restOrderPercentEncodesNonAsciiBeforeSigning) {
    order_options opt;
    opt.recv_window_ms = 5000;
    auto p = order_place_params(limit(fullwidth_123456, side::buy, "1", "0.1"), opt, 1499827319559);
    ASSERT_TRUE(p);
    auto q = rest_signed_query(*p, hmac_);
    ASSERT_TRUE(q);
    EXPECT_EQ(*q, "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&"
                  "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
                  "&signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
}

TEST_F(EncoderTest, restOrderFullParameterOrder) {
    order_intent in;
    in.sym = symbol::truncating("BTCUSDT");
    in.order_side = side::sell;
    in.type = order_type::stop_loss_limit;
    in.tif = time_in_force::ioc;
    in.quantity = dec("0.00100000");
    in.price = dec("60000.10");
    in.stop_price = dec("60100");
    in.client_id = client_order_id::truncating("gen:1/abc");
    order_options opt;
    opt.resp_type = response_type::full;
    opt.recv_window_ms = 2000;
    auto p = order_place_params(in, opt, 1700000000000);
    ASSERT_TRUE(p);
    EXPECT_EQ(rest_query(*p), "symbol=BTCUSDT&side=SELL&type=STOP_LOSS_LIMIT&timeInForce=IOC&quantity=0.001&"
                              "price=60000.1&newClientOrderId=gen%3A1%2Fabc&stopPrice=60100&newOrderRespType=FULL&"
                              "recvWindow=2000&timestamp=1700000000000");
    // MARKET by quote amount: no timeInForce, no price.
    order_intent m;
    m.sym = symbol::truncating("BTCUSDT");
    m.type = order_type::market;
    m.quote_quantity = dec("25.5");
    auto pm = order_place_params(m, {}, 1);
    ASSERT_TRUE(pm);
    EXPECT_EQ(rest_query(*pm), "symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=25.5&timestamp=1");
    // Fixed digits when asked.
    order_options fixed;
    fixed.format = {2, 8};
    EXPECT_EQ(rest_query(*order_place_params(limit("X", side::buy, "1", "3"), fixed, 1)),
              "symbol=X&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1.00000000&price=3.00&timestamp=1");
}

TEST_F(EncoderTest, rejectsIncompleteIntents) {
    order_intent no_price = limit("BTCUSDT", side::buy, "1", "1");
    no_price.price.reset();
    EXPECT_FALSE(order_place_params(no_price, {}, 1));
    order_intent no_qty = limit("BTCUSDT", side::buy, "1", "1");
    no_qty.quantity.reset();
    EXPECT_FALSE(order_place_params(no_qty, {}, 1));
    order_intent no_stop = limit("BTCUSDT", side::buy, "1", "1");
    no_stop.type = order_type::take_profit_limit;
    EXPECT_FALSE(order_place_params(no_stop, {}, 1));
    EXPECT_FALSE(order_place_params(limit("", side::buy, "1", "1"), {}, 1));
    cancel_intent c;
    c.sym = symbol::truncating("BTCUSDT");
    EXPECT_FALSE(order_cancel_params(c, std::nullopt, 1));
}

TEST_F(EncoderTest, cancelQueryAndOpenOrders) {
    cancel_intent c;
    c.sym = symbol::truncating("BTCUSDT");
    c.orig_client_id = client_order_id::truncating("myOrder1");
    EXPECT_EQ(rest_query(*order_cancel_params(c, 5000, 1499827319559)),
              "symbol=BTCUSDT&origClientOrderId=myOrder1&recvWindow=5000&timestamp=1499827319559");
    c.order_id = 28;
    EXPECT_EQ(rest_query(*order_cancel_params(c, std::nullopt, 1)), "symbol=BTCUSDT&orderId=28&timestamp=1");
    EXPECT_EQ(rest_query(*order_query_params(c.sym, std::nullopt, c.orig_client_id, std::nullopt, 2)),
              "symbol=BTCUSDT&origClientOrderId=myOrder1&timestamp=2");
    EXPECT_EQ(rest_query(open_orders_params(c.sym, 100, 3)), "symbol=BTCUSDT&recvWindow=100&timestamp=3");
    EXPECT_EQ(rest_query(open_orders_params({}, std::nullopt, 3)), "timestamp=3");
    EXPECT_EQ(order_cancel_endpoint.method, "DELETE");
    EXPECT_EQ(open_orders_endpoint.path, "/api/v3/openOrders");
    // WS-API: orderId is a JSON number.
    EXPECT_EQ(ws_api_unsigned_request("7", order_status_method, *order_cancel_params(c, std::nullopt, 1)),
              R"({"id":"7","method":"order.status","params":{"symbol":"BTCUSDT","orderId":28,"timestamp":1}})");
}

TEST_F(EncoderTest, wsApiReproducesDocumentedHmacExamples) {
    // web-socket-api.md "SIGNED request example (HMAC)": price 52000.00, quantity 0.01000000.
    order_options opt;
    opt.recv_window_ms = 100;
    opt.format = {2, 8};
    auto p = order_place_params(limit("BTCUSDT", side::sell, "0.01", "52000"), opt, 1645423376532);
    ASSERT_TRUE(p);
    EXPECT_EQ(
        ws_api_signing_payload(*p, doc_api_key),
        "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&"
        "recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT");
    auto req = ws_api_request("4885f793-e5ad-4c3b-8f6c-55d891472b71", order_place_method, *p, doc_api_key, hmac_);
    ASSERT_TRUE(req);
    EXPECT_EQ(json_string_field(*req, "signature"), "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24");

    // Non-ASCII symbol, raw UTF-8 in the payload.
    order_options opt2;
    opt2.recv_window_ms = 5000;
    opt2.format = {8, 8};
    auto p2 = order_place_params(limit(fullwidth_123456, side::buy, "1", "0.1"), opt2, 1645423376532);
    ASSERT_TRUE(p2);
    auto req2 = ws_api_request("1", order_place_method, *p2, doc_api_key, hmac_);
    ASSERT_TRUE(req2);
    EXPECT_EQ(json_string_field(*req2, "signature"),
              "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd");
    EXPECT_NE(req2->find(fullwidth_123456), std::string::npos);
}

TEST_F(EncoderTest, wsApiOrderPlaceMatchesTheDocumentedRequest) {
    GENESIS_LOAD_FIXTURE(doc, "docs/wsapi_order_place_request.json");
    order_options opt;
    opt.format = {8, 8};
    auto p = order_place_params(limit("BTCUSDT", side::sell, "0.00847", "23416.1"), opt, 1660801715431);
    ASSERT_TRUE(p);
    auto req = ws_api_request(json_string_field(doc, "id"), order_place_method, *p, doc_api_key, hmac_);
    ASSERT_TRUE(req);
    // Byte for byte: our params are sorted by name; the signature equals the documented one.
    EXPECT_EQ(*req, R"({"id":"56374a46-3061-486b-a311-99ee972eb648","method":"order.place","params":{)"
                    R"("apiKey":"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",)"
                    R"("price":"23416.10000000","quantity":"0.00847000","side":"SELL","symbol":"BTCUSDT",)"
                    R"("timeInForce":"GTC","timestamp":1660801715431,"type":"LIMIT",)"
                    R"("signature":"15af09e41c36f3cc61378c2fbe2c33719a03dd5eba8d0f9206fbda44de717c88"}})");
    for (const char* key : {"symbol", "side", "type", "timeInForce", "price", "quantity", "apiKey", "signature"})
        EXPECT_EQ(json_string_field(*req, key), json_string_field(doc, key)) << key;
    EXPECT_NE(doc.find("1660801715431"), std::string::npos);
}

TEST_F(EncoderTest, ed25519SignatureIsPercentEncodedInRestAndRawInWsApi) {
    auto ed = rest::signer::ed25519_generate();
    ASSERT_TRUE(ed);
    auto p = order_place_params(limit("BTCUSDT", side::sell, "1", "0.2"), {}, 1668481559918);
    ASSERT_TRUE(p);
    const std::string query = rest_query(*p);
    auto signed_query = rest_signed_query(*p, *ed);
    ASSERT_TRUE(signed_query);
    const std::string sig = *ed->sign(query);
    std::string encoded;
    rest::append_url_encoded(encoded, sig);
    EXPECT_EQ(*signed_query, query + "&signature=" + encoded);
    EXPECT_TRUE(rest::verify_ed25519(*ed->public_key_pem(), query, sig));
    auto req = ws_api_request("1", order_place_method, *p, "KEY", *ed);
    ASSERT_TRUE(req);
    EXPECT_TRUE(rest::verify_ed25519(*ed->public_key_pem(), ws_api_signing_payload(*p, "KEY"),
                                     json_string_field(*req, "signature")));
}

TEST_F(EncoderTest, wsApiJsonEscapesStrings) {
    request_params p{{"symbol", "A\"B\\C\n"}};
    EXPECT_EQ(ws_api_unsigned_request("x\"y", "ping", p),
              R"({"id":"x\"y","method":"ping","params":{"symbol":"A\"B\\C\u000a"}})");
}
