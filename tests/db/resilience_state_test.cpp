// The resilience layer's checkpoint sections: breakers and predictor windows survive a real
// checkpoint in SQLite replicas, and a damaged record is refused with its line named.
#include "genesis/db/resilience_state.hpp"

#include "db_test_support.hpp"
#include "genesis/db/database.hpp"
#include "genesis/db/error.hpp"

#include <chrono>

namespace genesis::db {
namespace {

using namespace std::chrono_literals;
using resilience::breaker_state;

resilience_state sample_state() {
    resilience_state s;
    s.breakers = {{"rest0", {breaker_state::closed, 1, 15, 0, 0ns}},
                  {"rest1", {breaker_state::open, 0, 40, 0, 250ms}},
                  {"ws-api", {breaker_state::eternal, 0, 70, 2, 0ns}}};
    s.windows = {{"rest0", "depth", {{12ms, true}, {900us, true}, {3s, false}}},
                 {"rest1", "get_order", {}},
                 {"rest1", "open_orders", {{1ns, false}}}};
    return s;
}

void expect_same(const resilience_state& a, const resilience_state& b) {
    EXPECT_EQ(a.breakers, b.breakers);
    ASSERT_EQ(a.windows.size(), b.windows.size());
    for (std::size_t i = 0; i < a.windows.size(); ++i) {
        EXPECT_EQ(a.windows[i].endpoint, b.windows[i].endpoint);
        EXPECT_EQ(a.windows[i].operation, b.windows[i].operation);
        ASSERT_EQ(a.windows[i].samples.size(), b.windows[i].samples.size()) << i;
        for (std::size_t k = 0; k < a.windows[i].samples.size(); ++k) {
            EXPECT_EQ(a.windows[i].samples[k].latency, b.windows[i].samples[k].latency);
            EXPECT_EQ(a.windows[i].samples[k].ok, b.windows[i].samples[k].ok);
        }
    }
}

TEST(ResilienceStateTest, roundTripsThroughACheckpointInEveryReplica) {
    test::temp_dir dir;
    manual_clock clock;
    db_config c;
    c.primary = dir / "primary.db";
    c.replicas = {dir / "r1.db"};
    c.clock = &clock;
    const auto original = sample_state();
    {
        auto db = database::open(c);
        ASSERT_TRUE(db) << db.error().message();
        auto secs = encode_resilience_state(original);
        ASSERT_EQ(secs.size(), 2u);
        secs.push_back({"oms.orders", test::bytes_of("")});
        std::sort(secs.begin(), secs.end(), [](const section& a, const section& b) { return a.name < b.name; });
        auto w = (*db)->write_checkpoint_sync(std::move(secs));
        ASSERT_TRUE(w) << w.error().message();
        EXPECT_EQ(w->written, 2u);
    }
    // The primary is lost: the replica alone gives the same state back.
    std::filesystem::remove(c.primary);
    auto db = database::open(c);
    ASSERT_TRUE(db) << db.error().message();
    auto rep = (*db)->restore();
    ASSERT_TRUE(rep) << rep.error().message();
    ASSERT_TRUE(rep->state);
    auto back = decode_resilience_state(rep->state->sections);
    ASSERT_TRUE(back) << back.error().message();
    expect_same(*back, original);
}

TEST(ResilienceStateTest, absentSectionsGiveAnEmptyState) {
    auto s = decode_resilience_state({{"oms.orders", test::bytes_of("x")}});
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->breakers.empty());
    EXPECT_TRUE(s->windows.empty());
}

TEST(ResilienceStateTest, namesThatCannotBeWrittenAreLeftOut) {
    resilience_state s;
    s.breakers = {{"bad\tname", {}}, {"", {}}, {"rest0", {}}};
    s.windows = {{"rest0", "op\nx", {{1ms, true}}}, {"rest0", "depth", {{1ms, true}}}};
    auto back = decode_resilience_state(encode_resilience_state(s));
    ASSERT_TRUE(back);
    ASSERT_EQ(back->breakers.size(), 1u);
    EXPECT_EQ(back->breakers[0].name, "rest0");
    ASSERT_EQ(back->windows.size(), 1u);
    EXPECT_EQ(back->windows[0].operation, "depth");
}

TEST(ResilienceStateTest, aDamagedRecordIsRefusedNamingItsLine) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"resilience.breakers", "rest0\t0\t0\t0\t0\t0\nrest1\t9\t0\t0\t0\t0\n"},  // unknown state
        {"resilience.breakers", "rest0\t0\t0\t0\t0\t0\nrest1\t1\t0\t0\t0\n"},     // a field short
        {"resilience.breakers", "rest0\t0\t0\t0\t0\t0\nrest1\t1\t0\t0\t0\t-5\n"}, // negative wait
        {"resilience.predictor", "rest0\tdepth\t5:1\nrest1\tdepth\t5:2\n"},       // bad outcome
        {"resilience.predictor", "rest0\tdepth\t5:1\nrest1\tdepth\tfast:1\n"},    // bad latency
        {"resilience.predictor", "rest0\tdepth\t5:1\nrest1\tdepth\n"},            // no samples field
    };
    for (const auto& [name, text] : cases) {
        std::string why;
        auto s = decode_resilience_state({{name, test::bytes_of(text)}}, &why);
        ASSERT_FALSE(s) << text;
        EXPECT_EQ(s.error(), make_error_code(db_errc::bad_row));
        EXPECT_EQ(why.rfind(name + " line 2: malformed", 0), 0u) << why;
    }
}

} // namespace
} // namespace genesis::db
