// Protocol layer: parameters, order parsing, authentication and weights.
#include "genesis/sim/protocol/params.hpp"

#include "genesis/sim/exchange.hpp"
#include "genesis/sim/protocol/auth.hpp"
#include "genesis/sim/protocol/orders.hpp"
#include "genesis/sim/protocol/weights.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <string>

namespace genesis::sim::protocol {
namespace {

using namespace genesis::literals;

constexpr std::string_view vector_api_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
constexpr std::string_view vector_secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

params parse(std::string_view q, std::string_view body = {}) {
    auto r = params::from_urlencoded(q, body);
    EXPECT_FALSE(r.has_error()) << (r.has_error() ? r.error().msg : "");
    return r.has_error() ? params{} : *r;
}

class ProtocolTest : public ::testing::Test {};

// --- parameters ---------------------------------------------------------------------------------

TEST_F(ProtocolTest, fromUrlencodedDecodesInOrder) {
    auto p = parse("symbol=BTCUSDT&note=a+b%20c%2Bd", "price=0.1&empty=&flag");
    ASSERT_EQ(p.size(), 5u);
    EXPECT_EQ(p.items()[0].name, "symbol");
    EXPECT_EQ(p.items()[1].value, "a b c+d");
    EXPECT_EQ(p.items()[2].name, "price");
    EXPECT_EQ(p.items()[3].value, "");
    EXPECT_EQ(p.items()[4].name, "flag");
    EXPECT_EQ(parse("a=1&&b=2&").size(), 2u);
    EXPECT_EQ(parse("%EF%BC%91=x").items()[0].name, "\xEF\xBC\x91");
}

TEST_F(ProtocolTest, fromUrlencodedErrors) {
    struct row {
        std::string_view query, body;
        int code;
        std::string_view msg;
    };
    const row rows[] = {
        {"a=1&a=2", "", -1101, "Duplicate values for a parameter detected."},
        {"a=1", "a=1", -1101, "Duplicate values for a parameter detected."},
        {"a=%G1", "", -1100, "Illegal characters found in a parameter."},
        {"a=%4", "", -1100, "Illegal characters found in a parameter."},
        {"a=1", "b=%", -1100, "Illegal characters found in a parameter."},
    };
    for (const auto& r : rows) {
        auto res = params::from_urlencoded(r.query, r.body);
        ASSERT_TRUE(res.has_error()) << r.query;
        EXPECT_EQ(res.error().code, r.code) << r.query;
        EXPECT_EQ(res.error().msg, r.msg) << r.query;
    }
}

TEST_F(ProtocolTest, typedGettersProduceBinanceErrors) {
    struct row {
        std::string_view query;
        std::function<binance_error(const params&)> get;
        int code;
        std::string_view msg;
    };
    const auto err = [](auto r) { return r.has_error() ? r.error() : binance_error{}; };
    const row rows[] = {
        {"", [&](const params& p) { return err(p.required("symbol")); }, -1102,
         "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."},
        {"symbol=", [&](const params& p) { return err(p.required_symbol()); }, -1102,
         "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."},
        {"symbol=btcusdt", [&](const params& p) { return err(p.required_symbol()); }, -1100,
         "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."},
        {"symbol=ABCDEFGHIJKLMNOPQRSTU", [&](const params& p) { return err(p.required_symbol()); }, -1100,
         "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."},
        {"quantity=1e5", [&](const params& p) { return err(p.required_decimal("quantity")); }, -1100,
         "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."},
        {"quantity=-1", [&](const params& p) { return err(p.required_decimal("quantity")); }, -1100,
         "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."},
        {"quantity=.5", [&](const params& p) { return err(p.optional_decimal("quantity")); }, -1100,
         "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."},
        {"price=0.123456789", [&](const params& p) { return err(p.required_decimal("price")); }, -1111,
         "Parameter 'price' has too much precision."},
        {"price=123456789012", [&](const params& p) { return err(p.required_decimal("price")); }, -1108,
         "Parameter 'price' overflowed."},
        {"orderId=12a", [&](const params& p) { return err(p.optional_uint("orderId")); }, -1100,
         "Illegal characters found in parameter 'orderId'; legal range is '^[0-9]{1,20}$'."},
        {"orderId=99999999999999999999", [&](const params& p) { return err(p.optional_uint("orderId")); }, -1108,
         "Parameter 'orderId' overflowed."},
        {"timestamp=", [&](const params& p) { return err(p.required_uint("timestamp")); }, -1102,
         "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."},
        {"side=buy", [&](const params& p) { return err(p.required_side()); }, -1117, "Invalid side."},
        {"type=LIMITED", [&](const params& p) { return err(p.required_order_type()); }, -1116, "Invalid orderType."},
        {"timeInForce=GTX", [&](const params& p) { return err(p.optional_time_in_force()); }, -1115,
         "Invalid timeInForce."},
        {"newClientOrderId=bad%20id", [&](const params& p) { return err(p.optional_client_id("newClientOrderId")); },
         -1100,
         "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."},
        {"newClientOrderId=0123456789012345678901234567890123456",
         [&](const params& p) { return err(p.optional_client_id("newClientOrderId")); }, -1100,
         "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."},
    };
    for (const auto& r : rows) {
        const auto p = parse(r.query);
        const auto e = r.get(p);
        EXPECT_EQ(e.code, r.code) << r.query;
        EXPECT_EQ(e.msg, r.msg) << r.query;
    }
}

TEST_F(ProtocolTest, typedGettersAcceptValidValues) {
    const auto p = parse("symbol=BTC-USD_1.X&quantity=0.00100000&price=67000.5&orderId=42&side=SELL&type=LIMIT_MAKER"
                         "&timeInForce=IOC&newClientOrderId=my.id:1/2_-&flag=true&big=92233720368.54775807");
    EXPECT_EQ(p.required_symbol()->view(), "BTC-USD_1.X");
    EXPECT_EQ(*p.required_decimal("quantity"), "0.001"_d);
    EXPECT_EQ(*p.required_decimal("price"), "67000.5"_d);
    EXPECT_EQ(**p.optional_uint("orderId"), 42u);
    EXPECT_EQ(*p.required_side(), side::sell);
    EXPECT_EQ(*p.required_order_type(), order_type::limit_maker);
    EXPECT_EQ(**p.optional_time_in_force(), time_in_force::ioc);
    EXPECT_EQ(p.optional_client_id("newClientOrderId")->view(), "my.id:1/2_-");
    EXPECT_EQ(**p.optional_bool("flag"), true);
    EXPECT_EQ(*p.required_decimal("big"), decimal::max());
    EXPECT_FALSE(p.optional_uint("absent")->has_value());
    EXPECT_FALSE(p.check_all_read().has_error());
}

TEST_F(ProtocolTest, checkAllReadCountsUnread) {
    const auto p = parse("symbol=BTCUSDT&foo=1&bar=2");
    (void)p.required_symbol();
    const auto r = p.check_all_read();
    ASSERT_TRUE(r.has_error());
    EXPECT_EQ(r.error().code, -1104);
    EXPECT_EQ(r.error().msg, "Not all sent parameters were read; read '1' parameter(s) but was sent '3'.");
    p.mark_read("foo");
    p.mark_read("bar");
    EXPECT_FALSE(p.check_all_read().has_error());
}

// --- orders -------------------------------------------------------------------------------------

TEST_F(ProtocolTest, parseNewOrderReadsEveryField) {
    const auto p = parse("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.5&price=100.25"
                         "&newClientOrderId=abc&recvWindow=5000&timestamp=1499827319559&signature=x");
    auto r = parse_new_order(p);
    ASSERT_FALSE(r.has_error()) << r.error().msg;
    EXPECT_EQ(r->request.sym.view(), "BTCUSDT");
    EXPECT_EQ(r->request.order_side, side::buy);
    EXPECT_EQ(r->request.type, order_type::limit);
    EXPECT_EQ(r->request.tif, time_in_force::gtc);
    EXPECT_EQ(r->request.quantity, "0.5"_d);
    EXPECT_EQ(r->request.price, "100.25"_d);
    EXPECT_FALSE(r->request.quote_order_qty.has_value());
    EXPECT_EQ(r->request.client_id.view(), "abc");
    EXPECT_EQ(r->resp_type, order_resp_type::full);
    EXPECT_FALSE(p.check_all_read().has_error());
}

TEST_F(ProtocolTest, parseNewOrderRespTypeDefaults) {
    struct row {
        std::string_view query;
        order_resp_type expected;
    };
    const row rows[] = {
        {"symbol=X&side=BUY&type=LIMIT", order_resp_type::full},
        {"symbol=X&side=BUY&type=MARKET", order_resp_type::full},
        {"symbol=X&side=BUY&type=LIMIT_MAKER", order_resp_type::ack},
        {"symbol=X&side=BUY&type=STOP_LOSS_LIMIT", order_resp_type::ack},
        {"symbol=X&side=BUY&type=LIMIT&newOrderRespType=ACK", order_resp_type::ack},
        {"symbol=X&side=BUY&type=MARKET&newOrderRespType=RESULT", order_resp_type::result},
        {"symbol=X&side=BUY&type=LIMIT_MAKER&newOrderRespType=FULL", order_resp_type::full},
    };
    for (const auto& r : rows) {
        auto res = parse_new_order(parse(r.query));
        ASSERT_FALSE(res.has_error()) << r.query;
        EXPECT_EQ(res->resp_type, r.expected) << r.query;
    }
    auto bad = parse_new_order(parse("symbol=X&side=BUY&type=LIMIT&newOrderRespType=MINI"));
    ASSERT_TRUE(bad.has_error());
    EXPECT_EQ(bad.error().code, -1100);
}

TEST_F(ProtocolTest, parseNewOrderErrorsInBinanceOrder) {
    struct row {
        std::string_view query;
        int code;
        std::string_view msg;
    };
    const row rows[] = {
        {"side=BUY&type=LIMIT", -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."},
        {"symbol=BTCUSDT&type=LIMIT", -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed."},
        {"symbol=BTCUSDT&side=BUY", -1102, "Mandatory parameter 'type' was not sent, was empty/null, or malformed."},
        {"symbol=BTCUSDT&side=HOLD&type=LIMIT", -1117, "Invalid side."},
        {"symbol=BTCUSDT&side=BUY&type=ICEBERG", -1116, "Invalid orderType."},
        {"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=DAY", -1115, "Invalid timeInForce."},
        {"symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=abc", -1100,
         "Illegal characters found in parameter 'quantity'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'."},
        {"symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=1.000000001", -1111,
         "Parameter 'quoteOrderQty' has too much precision."},
        {"symbol=NOPE&side=BUY&type=LIMIT", -1121, "Invalid symbol."},
    };
    manual_clock clk;
    exchange_config cfg;
    instrument ins;
    ins.name = symbol::truncating("BTCUSDT");
    ins.base = asset::truncating("BTC");
    ins.quote = asset::truncating("USDT");
    cfg.markets.push_back(ins);
    exchange ex(cfg, clk);
    for (const auto& r : rows) {
        auto res = parse_new_order(parse(r.query), &ex);
        ASSERT_TRUE(res.has_error()) << r.query;
        EXPECT_EQ(res.error().code, r.code) << r.query;
        EXPECT_EQ(res.error().msg, r.msg) << r.query;
    }
}

TEST_F(ProtocolTest, parseCancelAndQuery) {
    auto c = parse_cancel(parse("symbol=BTCUSDT&orderId=7&newClientOrderId=cx"));
    ASSERT_FALSE(c.has_error());
    EXPECT_EQ(c->order_id, 7u);
    EXPECT_EQ(c->new_client_id.view(), "cx");
    auto c2 = parse_cancel(parse("symbol=BTCUSDT&origClientOrderId=abc"));
    ASSERT_FALSE(c2.has_error());
    EXPECT_EQ(c2->orig_client_id.view(), "abc");
    auto missing = parse_cancel(parse("symbol=BTCUSDT"));
    ASSERT_TRUE(missing.has_error());
    EXPECT_EQ(missing.error().code, -1102);
    EXPECT_EQ(missing.error().msg, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    auto q = parse_order_query(parse("symbol=BTCUSDT&orderId=3"));
    ASSERT_FALSE(q.has_error());
    EXPECT_EQ(q->order_id, 3u);
    EXPECT_TRUE(parse_order_query(parse("symbol=BTCUSDT")).has_error());
}

TEST_F(ProtocolTest, parseLimitClampsAndDefaults) {
    EXPECT_EQ(*parse_limit(parse(""), 100, 5000), 100u);
    EXPECT_EQ(*parse_limit(parse("limit=0"), 100, 5000), 100u);
    EXPECT_EQ(*parse_limit(parse("limit=20"), 100, 5000), 20u);
    EXPECT_EQ(*parse_limit(parse("limit=9999"), 100, 5000), 5000u);
    EXPECT_EQ(parse_limit(parse("limit=x"), 100, 5000).error().code, -1100);
}

// --- signatures ---------------------------------------------------------------------------------

std::string read_fixture(const std::string& name) {
    std::ifstream in(std::string(GENESIS_FIXTURES_DIR) + "/exchanges/binance_spot/docs/" + name);
    if (!in)
        return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST_F(ProtocolTest, hmacSigningVectorsFromFixture) {
    const std::string text = read_fixture("signing_vectors.json");
    if (text.empty())
        GTEST_SKIP() << "signing_vectors.json not found under " << GENESIS_FIXTURES_DIR
                     << "/exchanges/binance_spot/docs: HMAC known-answer vectors skipped";
    simdjson::ondemand::parser parser;
    simdjson::padded_string json(text);
    simdjson::ondemand::document doc;
    ASSERT_FALSE(parser.iterate(json).get(doc));
    std::string_view secret;
    ASSERT_FALSE(doc["secretKey"].get_string().get(secret));
    const std::string secret_s(secret);
    int checked = 0;
    for (const char* group : {"rest_vectors", "wsapi_vectors"}) {
        simdjson::ondemand::array arr;
        ASSERT_FALSE(doc[group].get_array().get(arr)) << group;
        for (auto item : arr) {
            simdjson::ondemand::object o;
            ASSERT_FALSE(std::move(item).get_object().get(o));
            std::string_view payload, sig;
            ASSERT_FALSE(o["payload"].get_string().get(payload));
            ASSERT_FALSE(o["signature"].get_string().get(sig));
            EXPECT_EQ(hmac_sha256_hex(secret_s, payload), sig) << payload;
            EXPECT_TRUE(verify_hmac_sha256(secret_s, payload, sig));
            std::string upper(sig);
            for (auto& ch : upper)
                ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            EXPECT_TRUE(verify_hmac_sha256(secret_s, payload, upper)) << "case-insensitive";
            std::string tampered(payload);
            tampered.back() = tampered.back() == '1' ? '2' : '1';
            EXPECT_FALSE(verify_hmac_sha256(secret_s, tampered, sig));
            ++checked;
        }
    }
    EXPECT_EQ(checked, 5);
}

TEST_F(ProtocolTest, restSignaturePayloadRemovesSignatureWhereItStands) {
    struct row {
        std::string_view query, body, payload, signature;
    };
    const row rows[] = {
        {"a=1&b=2&signature=abc", "", "a=1&b=2", "abc"}, {"signature=abc&a=1", "", "a=1", "abc"},
        {"a=1&signature=abc&b=2", "", "a=1&b=2", "abc"}, {"a=1", "b=2&signature=abc", "a=1b=2", "abc"},
        {"signature=abc", "b=2", "b=2", "abc"},          {"a=1", "b=2", "a=1b=2", ""},
        {"a=1&signature=ab%2Bc%3D", "", "a=1", "ab+c="}, {"a=1&signaturex=1", "", "a=1&signaturex=1", ""},
    };
    for (const auto& r : rows) {
        const auto out = rest_signature_payload(r.query, r.body);
        EXPECT_EQ(out.payload, r.payload) << r.query << " | " << r.body;
        EXPECT_EQ(out.signature, r.signature) << r.query << " | " << r.body;
    }
}

TEST_F(ProtocolTest, wsSignaturePayloadSortsAndUsesRawValues) {
    params p;
    ASSERT_FALSE(p.add({"symbol", "BTCUSDT", true}).has_error());
    ASSERT_FALSE(p.add({"timestamp", "1660801715431", false}).has_error());
    ASSERT_FALSE(p.add({"signature", "zz", true}).has_error());
    ASSERT_FALSE(p.add({"apiKey", "K", true}).has_error());
    ASSERT_FALSE(p.add({"price", "23416.10000000", true}).has_error());
    EXPECT_EQ(ws_signature_payload(p), "apiKey=K&price=23416.10000000&symbol=BTCUSDT&timestamp=1660801715431");
}

// --- timing -------------------------------------------------------------------------------------

TEST_F(ProtocolTest, checkTimingBoundaries) {
    constexpr std::int64_t server = 1'700'000'000'000'000; // us
    struct row {
        std::int64_t ts_offset_us;
        std::int64_t window_ms;
        int code; // 0: accepted
        std::string_view msg;
    };
    const row rows[] = {
        {0, 5000, 0, ""},
        {999'999, 5000, 0, ""},
        {1'000'000, 5000, -1021, "Timestamp for this request was 1000ms ahead of the server's time."},
        {2'000'000, 5000, -1021, "Timestamp for this request was 1000ms ahead of the server's time."},
        {-5'000'000, 5000, 0, ""},
        {-5'000'001, 5000, -1021, "Timestamp for this request is outside of the recvWindow."},
        {-60'000'000, 60000, 0, ""},
        {-1, 0, -1021, "Timestamp for this request is outside of the recvWindow."},
    };
    for (const auto& r : rows) {
        const auto res = check_timing(server + r.ts_offset_us, r.window_ms * 1000, server);
        if (r.code == 0) {
            EXPECT_FALSE(res.has_error()) << r.ts_offset_us;
        } else {
            ASSERT_TRUE(res.has_error()) << r.ts_offset_us;
            EXPECT_EQ(res.error().code, r.code);
            EXPECT_EQ(res.error().msg, r.msg);
        }
    }
}

TEST_F(ProtocolTest, checkTimestampReadsParams) {
    const time_point server{1'700'000'000'000'000'000}; // ns
    struct row {
        std::string query;
        int code;
    };
    const row rows[] = {
        {"timestamp=1700000000000", 0},
        {"timestamp=1700000000999", 0},
        {"timestamp=1700000001000", -1021},
        {"timestamp=1699999995000", 0},
        {"timestamp=1699999994999", -1021},
        {"timestamp=1699999994999&recvWindow=5001", 0},
        {"timestamp=1699999994999&recvWindow=5001.5", 0},
        {"timestamp=1699999994999&recvWindow=5000.999", -1021},
        {"timestamp=1699999990000&recvWindow=10000", 0},
        {"timestamp=1700000000000000", 0}, // microseconds
        {"timestamp=1699999994999999", -1021},
        {"timestamp=1700000000000&recvWindow=60001", -1131},
        {"timestamp=1700000000000&recvWindow=60000", 0},
        {"timestamp=1700000000000&recvWindow=1.0001", -1111},
        {"timestamp=1700000000000&recvWindow=-1", -1100},
        {"timestamp=abc", -1100},
        {"recvWindow=5000", -1102},
    };
    for (const auto& r : rows) {
        const auto res = check_timestamp(parse(r.query), server);
        EXPECT_EQ(res.has_error() ? res.error().code : 0, r.code) << r.query;
    }
}

// --- authentication against an exchange ----------------------------------------------------------

struct ed25519_key {
    std::string public_pem;
    EVP_PKEY* key = nullptr;
    ed25519_key() {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, key);
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        public_pem.assign(data, static_cast<std::size_t>(n));
        BIO_free(bio);
    }
    ~ed25519_key() { EVP_PKEY_free(key); }
    ed25519_key(const ed25519_key&) = delete;
    ed25519_key& operator=(const ed25519_key&) = delete;

    std::string sign_base64(std::string_view payload) const {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        unsigned char sig[64];
        std::size_t len = sizeof sig;
        EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
        EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
        EVP_MD_CTX_free(ctx);
        unsigned char b64[128];
        const int n = EVP_EncodeBlock(b64, sig, static_cast<int>(len));
        return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
    }
};

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

class ProtocolAuthTest : public ::testing::Test {
protected:
    manual_clock clk_;
    ed25519_key ed_;
    std::unique_ptr<exchange> ex_;
    const time_point now_{1'499'827'319'559'000'000};

    void SetUp() override {
        exchange_config cfg;
        instrument ins;
        ins.name = symbol::truncating("LTCBTC");
        ins.base = asset::truncating("LTC");
        ins.quote = asset::truncating("BTC");
        cfg.markets.push_back(ins);
        cfg.accounts.push_back({"hmac", std::string(vector_api_key), std::string(vector_secret), {}, {}, {}, true});
        cfg.accounts.push_back({"ed", "ed-key", ed_.public_pem, {}, {}, {}, true});
        ex_ = std::make_unique<exchange>(cfg, clk_);
    }
};

TEST_F(ProtocolAuthTest, authenticateRestWithDocsVector) {
    const std::string query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&"
                              "timestamp=1499827319559";
    const std::string sig = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
    struct row {
        std::string query, body;
        std::optional<std::string_view> key;
        int code;
        std::string_view msg;
    };
    const row rows[] = {
        {query + "&signature=" + sig, "", vector_api_key, 0, ""},
        {query, "signature=" + sig, vector_api_key, 0, ""},
        {"symbol=LTCBTC&side=BUY&type=LIMIT",
         "timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=" + sig,
         vector_api_key, -1022, "Signature for this request is not valid."},
        {query + "&signature=" + sig, "", std::nullopt, -2014, "API-key format invalid."},
        {query + "&signature=" + sig, "", "", -2014, "API-key format invalid."},
        {query + "&signature=" + sig, "", "nope", -2015, "Invalid API-key, IP, or permissions for action."},
        {query, "", vector_api_key, -1102,
         "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."},
        {query + "&signature=00" + sig.substr(2), "", vector_api_key, -1022,
         "Signature for this request is not valid."},
    };
    for (const auto& r : rows) {
        const auto p = parse(r.query, r.body);
        const auto res = authenticate_rest(*ex_, r.key, r.query, r.body, p, now_);
        if (r.code == 0) {
            ASSERT_FALSE(res.has_error()) << r.query << " " << res.error().msg;
            EXPECT_EQ(*res, *ex_->find_account(vector_api_key));
            // Every parameter is read by the order parser plus authentication.
            ASSERT_FALSE(parse_new_order(p).has_error());
            EXPECT_FALSE(p.check_all_read().has_error());
        } else {
            ASSERT_TRUE(res.has_error()) << r.query;
            EXPECT_EQ(res.error().code, r.code) << r.query;
            EXPECT_EQ(res.error().msg, r.msg) << r.query;
        }
    }
    // The same request 5001 ms later is outside the recvWindow (checked before the signature).
    const auto p = parse(query + "&signature=" + sig);
    const auto late = authenticate_rest(*ex_, vector_api_key, query + "&signature=" + sig, "", p,
                                        now_ + std::chrono::milliseconds(5001));
    ASSERT_TRUE(late.has_error());
    EXPECT_EQ(late.error().code, -1021);
}

TEST_F(ProtocolAuthTest, authenticateWsWithDocsVector) {
    params p;
    const std::pair<std::string_view, std::string_view> items[] = {
        {"symbol", "BTCUSDT"},
        {"side", "SELL"},
        {"type", "LIMIT"},
        {"timeInForce", "GTC"},
        {"price", "23416.10000000"},
        {"quantity", "0.00847000"},
        {"apiKey", vector_api_key},
        {"signature", "15af09e41c36f3cc61378c2fbe2c33719a03dd5eba8d0f9206fbda44de717c88"},
        {"timestamp", "1660801715431"},
    };
    for (const auto& [k, v] : items)
        ASSERT_FALSE(p.add({std::string(k), std::string(v), k != "timestamp"}).has_error());
    const time_point server{1'660'801'715'500'000'000};
    const auto ok = authenticate_ws(*ex_, p, server);
    ASSERT_FALSE(ok.has_error()) << ok.error().msg;

    params missing_key;
    ASSERT_FALSE(missing_key.add({"timestamp", "1660801715431", false}).has_error());
    const auto r = authenticate_ws(*ex_, missing_key, server);
    ASSERT_TRUE(r.has_error());
    EXPECT_EQ(r.error().msg, "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed.");
}

TEST_F(ProtocolAuthTest, ed25519VerifiesFreshKeyAndRejectsTampering) {
    const std::string payload =
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&timestamp=1499827319559";
    const std::string sig = ed_.sign_base64(payload);
    ASSERT_EQ(sig.size(), 88u);
    EXPECT_TRUE(is_ed25519_key(ed_.public_pem));
    EXPECT_TRUE(verify_ed25519(ed_.public_pem, payload, sig));
    EXPECT_FALSE(verify_ed25519(ed_.public_pem, payload + "0", sig));
    EXPECT_FALSE(verify_ed25519(ed_.public_pem, payload, sig.substr(4)));
    EXPECT_FALSE(verify_ed25519(ed_.public_pem, payload, "not base64!"));
    EXPECT_FALSE(verify_ed25519("-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n", payload, sig));
    EXPECT_FALSE(verify_ed25519(ed_.public_pem, payload, ""));

    // Over REST the base64 signature travels percent-encoded.
    const std::string query = payload + "&signature=" + percent_encode(sig);
    const auto p = parse(query);
    const auto ok = authenticate_rest(*ex_, "ed-key", query, "", p, now_);
    ASSERT_FALSE(ok.has_error()) << ok.error().msg;
    const std::string tampered =
        "symbol=LTCBTC&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&timestamp=1499827319559&signature=" +
        percent_encode(sig);
    const auto bad = authenticate_rest(*ex_, "ed-key", tampered, "", parse(tampered), now_);
    ASSERT_TRUE(bad.has_error());
    EXPECT_EQ(bad.error().code, -1022);

    // WS-API: the same key signs the sorted payload.
    params wp;
    ASSERT_FALSE(wp.add({"apiKey", "ed-key", true}).has_error());
    ASSERT_FALSE(wp.add({"timestamp", "1499827319559", false}).has_error());
    ASSERT_FALSE(wp.add({"symbol", "LTCBTC", true}).has_error());
    ASSERT_FALSE(wp.add({"signature", ed_.sign_base64(ws_signature_payload(wp)), true}).has_error());
    EXPECT_FALSE(authenticate_ws(*ex_, wp, now_).has_error());
}

// --- weights ------------------------------------------------------------------------------------

TEST_F(ProtocolTest, requestWeights) {
    struct row {
        std::string_view verb, path, query;
        int weight;
    };
    const row rows[] = {
        {"GET", "/api/v3/ping", "", 1},
        {"GET", "/api/v3/time", "", 1},
        {"GET", "/api/v3/exchangeInfo", "", 20},
        {"GET", "/api/v3/depth", "symbol=X", 5},
        {"GET", "/api/v3/depth", "symbol=X&limit=100", 5},
        {"GET", "/api/v3/depth", "symbol=X&limit=101", 25},
        {"GET", "/api/v3/depth", "symbol=X&limit=500", 25},
        {"GET", "/api/v3/depth", "symbol=X&limit=1000", 50},
        {"GET", "/api/v3/depth", "symbol=X&limit=5000", 250},
        {"GET", "/api/v3/trades", "symbol=X", 25},
        {"GET", "/api/v3/aggTrades", "symbol=X", 4},
        {"GET", "/api/v3/ticker/bookTicker", "symbol=X", 2},
        {"GET", "/api/v3/ticker/bookTicker", "", 4},
        {"POST", "/api/v3/order", "", 1},
        {"DELETE", "/api/v3/order", "", 1},
        {"GET", "/api/v3/order", "", 4},
        {"GET", "/api/v3/openOrders", "symbol=X", 6},
        {"GET", "/api/v3/openOrders", "", 80},
        {"DELETE", "/api/v3/openOrders", "symbol=X", 1},
        {"GET", "/api/v3/account", "", 20},
        {"GET", "/api/v3/myTrades", "symbol=X", 20},
        {"GET", "/api/v3/allOrders", "symbol=X", 20},
    };
    for (const auto& r : rows)
        EXPECT_EQ(rest_weight(r.verb, r.path, parse(r.query)), r.weight) << r.verb << " " << r.path << "?" << r.query;
    EXPECT_EQ(ws_api_weight("depth", parse("limit=1000")), 50);
    EXPECT_EQ(ws_api_weight("openOrders.status", parse("")), 80);
    EXPECT_EQ(ws_api_weight("openOrders.status", parse("symbol=X")), 6);
    EXPECT_EQ(ws_api_weight("order.place", parse("")), 1);
    EXPECT_EQ(ws_api_weight("account.status", parse("")), 20);
    EXPECT_TRUE(counts_as_order("POST", "/api/v3/order"));
    EXPECT_FALSE(counts_as_order("DELETE", "/api/v3/order"));
    EXPECT_TRUE(ws_counts_as_order("order.place"));
    // Weights peek: nothing is marked read.
    const auto p = parse("limit=10");
    (void)rest_weight("GET", "/api/v3/depth", p);
    EXPECT_EQ(p.read_count(), 0u);
}

} // namespace
} // namespace genesis::sim::protocol
