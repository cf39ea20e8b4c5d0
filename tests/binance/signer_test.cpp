#include "genesis/rest/signer.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <cctype>

#include <ostream>
#include <type_traits>

using namespace genesis;
using namespace genesis::rest;
using genesis::binance::test::json_string_field;

namespace {

template <class T, class = void>
struct is_streamable : std::false_type {};
template <class T>
struct is_streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
        : std::true_type {};

// The documented key and vectors (signing_vectors.json); also read from the file below.
constexpr std::string_view doc_secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

struct vector_case {
    std::string_view payload;
    std::string_view signature;
};

constexpr vector_case documented_vectors[] = {
    // REST, ASCII.
    {"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
     "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"},
    // REST, non-ASCII symbol percent-encoded.
    {"symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&"
     "price=0.1&recvWindow=5000&timestamp=1499827319559",
     "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"},
    // WS-API, ASCII.
    {"apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&"
     "recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
     "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"},
    // WS-API, non-ASCII symbol as raw UTF-8.
    {"apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=0.10000000&quantity=1.00000000&"
     "recvWindow=5000&side=BUY&symbol=\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96&"
     "timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
     "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd"},
    // WS-API order.place example.
    {"apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=23416.10000000&quantity=0.00847000&"
     "side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1660801715431&type=LIMIT",
     "15af09e41c36f3cc61378c2fbe2c33719a03dd5eba8d0f9206fbda44de717c88"},
};

class SignerTest : public ::testing::Test {};

} // namespace

TEST_F(SignerTest, secretNeverPrintsItself) {
    static_assert(!is_streamable<secret>::value, "secret must have no operator<<");
    static_assert(!std::is_copy_constructible_v<secret> && !std::is_copy_assignable_v<secret>);
    secret s{doc_secret};
    EXPECT_EQ(s.to_string(), "<redacted 64 bytes>");
    EXPECT_EQ(s.to_string().find("Nhq"), std::string::npos);
    secret moved{std::move(s)};
    EXPECT_EQ(moved.size(), 64u);
    EXPECT_TRUE(s.empty()); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
}

TEST_F(SignerTest, hmacReproducesEveryDocumentedVector) {
    auto sg = signer::hmac_sha256(secret{doc_secret});
    ASSERT_TRUE(sg);
    EXPECT_EQ(sg->type(), key_type::hmac_sha256);
    // Twice each: the keyed context is re-armed, not rebuilt, between calls.
    for (int round = 0; round < 2; ++round)
        for (const auto& v : documented_vectors) {
            auto sig = sg->sign(v.payload);
            ASSERT_TRUE(sig);
            EXPECT_EQ(*sig, v.signature) << v.payload;
        }
    auto copy = sg->clone();
    ASSERT_TRUE(copy);
    EXPECT_EQ(*copy->sign(documented_vectors[0].payload), documented_vectors[0].signature);
}

TEST_F(SignerTest, hmacVectorsFromTheFixtureFile) {
    GENESIS_LOAD_FIXTURE(json, "docs/signing_vectors.json");
    EXPECT_EQ(json_string_field(json, "secretKey"), doc_secret);
    auto sg = signer::hmac_sha256(secret{json_string_field(json, "secretKey")});
    ASSERT_TRUE(sg);
    // Every "payload"/"signature" pair of rest_vectors and wsapi_vectors, in file order.
    std::size_t pos = 0;
    int checked = 0;
    const auto ed = json.find("\"ed25519\"");
    while ((pos = json.find("\"payload\"", pos)) != std::string::npos && pos < ed) {
        const std::string tail = json.substr(pos);
        const std::string payload = json_string_field(tail, "payload");
        const std::string signature = json_string_field(tail, "signature");
        EXPECT_EQ(*sg->sign(payload), signature) << payload;
        ++checked;
        ++pos;
    }
    EXPECT_EQ(checked, 5);
}

TEST_F(SignerTest, signToWritesWithoutAllocatingAndChecksRoom) {
    auto sg = signer::hmac_sha256(secret{doc_secret});
    ASSERT_TRUE(sg);
    char buf[64];
    auto n = sg->sign_to(documented_vectors[0].payload, buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string_view(buf, *n), documented_vectors[0].signature);
    char small[10];
    auto e = sg->sign_to(documented_vectors[0].payload, small);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error(), make_error_code(rest_errc::buffer_too_small));
    EXPECT_STREQ(e.error().category().name(), "genesis.rest");
}

TEST_F(SignerTest, rejectsEmptyAndMalformedKeys) {
    EXPECT_EQ(signer::hmac_sha256(secret{}).error(), make_error_code(rest_errc::invalid_key));
    EXPECT_EQ(signer::ed25519_from_raw(secret{"short"}).error(), make_error_code(rest_errc::invalid_key));
    EXPECT_EQ(signer::ed25519_from_pem(secret{"not a pem"}).error(), make_error_code(rest_errc::invalid_key));
    auto h = signer::hmac_sha256(secret{"k"});
    ASSERT_TRUE(h);
    EXPECT_EQ(h->public_key_pem().error(), make_error_code(rest_errc::wrong_key_type));
}

TEST_F(SignerTest, ed25519Rfc8032KnownAnswers) {
    // RFC 8032 section 7.1, tests 1 (empty message) and 2 (one byte 0x72).
    const unsigned char seed1[] = {0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
                                   0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
                                   0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
    auto s1 = signer::ed25519_from_raw(secret{std::string_view(reinterpret_cast<const char*>(seed1), 32)});
    ASSERT_TRUE(s1);
    EXPECT_EQ(*s1->sign(""),
              "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==");
    const unsigned char seed2[] = {0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3,
                                   0x46, 0xec, 0x11, 0x4e, 0x0f, 0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab,
                                   0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};
    auto s2 = signer::ed25519_from_raw(secret{std::string_view(reinterpret_cast<const char*>(seed2), 32)});
    ASSERT_TRUE(s2);
    EXPECT_EQ(*s2->sign("r"),
              "kqAJqfDUyrhyDoILX2QlQKKye1QWUD+Ps3YiI+vbadoIWsHkPhWZbkWPNhPQ8R2MOHsurrQwKu6wDSkWErsMAA==");
    // The same key as PKCS#8 PEM signs identically.
    auto s3 = signer::ed25519_from_pem(secret{"-----BEGIN PRIVATE KEY-----\n"
                                              "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                                              "-----END PRIVATE KEY-----\n"});
    ASSERT_TRUE(s3);
    EXPECT_EQ(*s3->sign(""), *s1->sign(""));
}

TEST_F(SignerTest, ed25519FreshKeySignsAndVerifies) {
    auto sg = signer::ed25519_generate();
    ASSERT_TRUE(sg);
    EXPECT_EQ(sg->type(), key_type::ed25519);
    auto pem = sg->public_key_pem();
    ASSERT_TRUE(pem);
    EXPECT_NE(pem->find("BEGIN PUBLIC KEY"), std::string::npos);
    for (const auto& v : documented_vectors) {
        auto sig = sg->sign(v.payload);
        ASSERT_TRUE(sig);
        EXPECT_EQ(sig->size(), 88u);
        EXPECT_TRUE(verify_ed25519(*pem, v.payload, *sig));
        // Ed25519 is deterministic: the same payload gives the same signature.
        EXPECT_EQ(*sg->sign(v.payload), *sig);
        std::string tampered(v.payload);
        tampered.back() ^= 1;
        EXPECT_FALSE(verify_ed25519(*pem, tampered, *sig));
    }
    auto other = signer::ed25519_generate();
    ASSERT_TRUE(other);
    EXPECT_FALSE(verify_ed25519(*other->public_key_pem(), "x", *sg->sign("x")));
    auto copy = sg->clone();
    ASSERT_TRUE(copy);
    EXPECT_TRUE(verify_ed25519(*pem, "x", *copy->sign("x")));
}

TEST_F(SignerTest, payloadRules) {
    EXPECT_EQ(rest_payload("symbol=LTCBTC&side=BUY", "quantity=1&price=0.1"),
              "symbol=LTCBTC&side=BUYquantity=1&price=0.1");
    EXPECT_EQ(rest_payload("", "a=1"), "a=1");
    const param params[] = {
        {"symbol", "BTCUSDT"}, {"signature", "zzz"}, {"apiKey", "K"}, {"timestamp", "1"}, {"price", "1.0"}};
    EXPECT_EQ(ws_api_payload(params), "apiKey=K&price=1.0&symbol=BTCUSDT&timestamp=1");
    std::string enc;
    append_url_encoded(enc, "a+b/c=d e~_.-\xEF\xBC\x91");
    EXPECT_EQ(enc, "a%2Bb%2Fc%3Dd%20e~_.-%EF%BC%91");
}

TEST_F(SignerTest, urlEncodingOfEveryByte) {
    // Each byte between two unreserved runs: only A-Z a-z 0-9 - _ . ~ pass as they are.
    for (int c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        std::string in = "ab";
        in.push_back(ch);
        in += "cd";
        std::string out = "=";
        append_url_encoded(out, in);
        const bool plain = std::isalnum(c) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~';
        std::string mid(1, ch);
        if (!plain) {
            static constexpr char hex[] = "0123456789ABCDEF";
            mid = {'%', hex[c >> 4], hex[c & 0xF]};
        }
        EXPECT_EQ(out, "=ab" + mid + "cd") << "byte " << c;
    }
    std::string empty;
    append_url_encoded(empty, "");
    EXPECT_TRUE(empty.empty());
}
