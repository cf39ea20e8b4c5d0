#include "genesis/gateway/oms/client_id.hpp"

#include "oms_test_support.hpp"

#include <gtest/gtest.h>

#include <set>

namespace genesis::gateway {
namespace {

using namespace test;

class ClientIdTest : public ::testing::Test {};

// Binance's newClientOrderId pattern ^[.A-Z:/a-z0-9_-]{1,36}$ (std::regex trips GCC 12 warnings
// under the sanitizers, so the class is spelled out).
bool binance_client_id(std::string_view s) {
    if (s.empty() || s.size() > 36)
        return false;
    for (char c : s) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == ':' || c == '/' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

TEST_F(ClientIdTest, formatFitsBinanceCharsetAndLength) {
    for (std::uint64_t counter : {1ull, 42ull, 18446744073709551615ull}) {
        auto id = format_client_id("ABCdef12", counter);
        ASSERT_TRUE(id);
        EXPECT_LE(id->size(), 36u);
        EXPECT_TRUE(binance_client_id(id->view())) << id->view();
    }
    EXPECT_EQ(format_client_id("gw1", 42)->view(), "gn-gw1-42");
}

TEST_F(ClientIdTest, formatRefusesBadInstanceOrZero) {
    EXPECT_FALSE(format_client_id("", 1));
    EXPECT_FALSE(format_client_id("toolong12", 1));
    EXPECT_FALSE(format_client_id("gw-1", 1));
    EXPECT_FALSE(format_client_id("gw1", 0));
}

TEST_F(ClientIdTest, parseRoundTripsAndRejectsForeignIds) {
    auto p = parse_client_id("gn-gw1-42");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->instance, "gw1");
    EXPECT_EQ(p->counter, 42u);
    for (std::uint64_t c : {1ull, 999ull, 18446744073709551615ull})
        EXPECT_EQ(parse_client_id(format_client_id("Z9", c)->view())->counter, c);
    for (std::string_view bad :
         {"", "gn-", "gn-gw1", "gn-gw1-", "gn-gw1-042", "gn-gw1-0", "gn-gw1-4x", "gn--42", "gn-toolong12-1", "x-gw1-1",
          "web_abc123", "6gCrw2kRUAF9CvJDGP16IP", "gn-gw1-18446744073709551616", "gn-g.w-1"})
        EXPECT_EQ(parse_client_id(bad).error(), oms_errc::malformed_client_id) << bad;
}

TEST_F(ClientIdTest, sourceRefillsBeforeRunningOutWithoutWaiting) {
    std::vector<std::function<void(result<db::id_block>)>> pending;
    std::uint64_t next = 1;
    client_id_source src({"gw1", 4, 2}, [&](std::uint64_t n, auto done) {
        pending.push_back(std::move(done));
        (void)n;
    });
    src.add_block({next, next + 4});
    next += 4;
    std::set<std::string> ids;
    ids.insert(src.next()->str());
    ids.insert(src.next()->str());
    EXPECT_TRUE(pending.empty()); // 2 left: not yet below the mark
    ids.insert(src.next()->str());
    ASSERT_EQ(pending.size(), 1u); // 1 left: the refill is asked for, the id is still given
    EXPECT_TRUE(src.refill_pending());
    ids.insert(src.next()->str());
    // Out of ids while the refill is in flight: refused at once, never waits.
    EXPECT_EQ(src.next().error(), oms_errc::ids_exhausted);
    EXPECT_EQ(pending.size(), 1u);
    pending[0](db::id_block{next, next + 4});
    ids.insert(src.next()->str());
    EXPECT_EQ(ids.size(), 5u);
    EXPECT_EQ(src.refills(), 1u);
}

TEST_F(ClientIdTest, idsUniqueAcrossRestartAndInstances) {
    oms_harness h;
    h.cfg.ids.block_size = 8;
    h.cfg.ids.refill_below = 3;
    std::set<std::string> seen;
    for (int run = 0; run < 3; ++run) {
        // Each run reopens the database: a restart.
        h.o.reset();
        h.db.reset();
        h.open_db();
        h.make_oms();
        h.start_empty();
        for (int i = 0; i < 20; ++i) {
            auto id = h.o->submit(limit_intent());
            if (!id) {
                // The background refill runs on its own thread: wait for its answer (bounded).
                ASSERT_EQ(id.error(), oms_errc::ids_exhausted);
                ASSERT_TRUE(h.queue.run_until([&] { return h.o->ids().remaining() > 0; }));
                id = h.o->submit(limit_intent());
            }
            ASSERT_TRUE(id) << id.error().message();
            EXPECT_TRUE(seen.insert(id->str()).second) << "duplicate id " << id->view();
            auto p = parse_client_id(id->view());
            ASSERT_TRUE(p);
            EXPECT_EQ(p->instance, "gw1");
            ASSERT_TRUE(h.queue.run_until([&] { return !h.o->ids().refill_pending(); }));
        }
    }
    EXPECT_EQ(seen.size(), 60u);
    // Another instance on the same database never collides.
    h.cfg.ids.instance = "gw2";
    h.make_oms();
    h.start_empty();
    auto other = h.o->submit(limit_intent());
    ASSERT_TRUE(other);
    EXPECT_EQ(parse_client_id(other->view())->instance, "gw2");
    EXPECT_FALSE(seen.contains(other->str()));
}

} // namespace
} // namespace genesis::gateway
