// The local book against Binance's documented sync procedure, as tables of steps.
#include "genesis/binance/order_book.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace genesis;
using namespace genesis::binance;
using namespace std::chrono_literals;
using genesis::binance::test::dec;

namespace {

using levels = std::vector<std::pair<const char*, const char*>>;

enum class op { delta, snapshot, advance_and_check, reset };

/// One step: an input, then what the book must answer and look like.
struct step {
    op what;
    std::uint64_t first = 0; ///< delta U
    std::uint64_t last = 0;  ///< delta u, or snapshot lastUpdateId
    levels bids;
    levels asks;
    std::chrono::milliseconds advance{0};
    // Expectations.
    book_action action = book_action::none;
    book_state state = book_state::syncing;
    book_reason reason = book_reason::none;
    std::uint64_t update_id = 0;
    levels top_bids = {}; ///< checked when the state is valid (best first)
    levels top_asks = {};
};

step delta(std::uint64_t U, std::uint64_t u, levels b, levels a, book_action act, book_state st,
           book_reason r = book_reason::none, std::uint64_t id = 0, levels tb = {}, levels ta = {}) {
    return {op::delta, U, u, std::move(b), std::move(a), {}, act, st, r, id, std::move(tb), std::move(ta)};
}
step snapshot(std::uint64_t id_in, levels b, levels a, book_action act, book_state st,
              book_reason r = book_reason::none, std::uint64_t id = 0, levels tb = {}, levels ta = {}) {
    return {op::snapshot, 0, id_in, std::move(b), std::move(a), {}, act, st, r, id, std::move(tb), std::move(ta)};
}
step wait(std::chrono::milliseconds d, book_action act, book_state st, book_reason r = book_reason::none,
          std::uint64_t id = 0) {
    return {op::advance_and_check, 0, 0, {}, {}, d, act, st, r, id, {}, {}};
}

struct scenario {
    const char* name;
    std::vector<step> steps;
    // Final counters.
    std::uint64_t gaps = 0;
    std::uint64_t resyncs = 0;
    std::uint64_t snapshots_requested = 0;
};

constexpr auto N = book_action::none;
constexpr auto S = book_action::need_snapshot;
constexpr auto syncing = book_state::syncing;
constexpr auto valid = book_state::valid;
constexpr auto invalid = book_state::invalid;

const levels snap_bids = {{"100", "1"}, {"99", "2"}, {"98", "3"}};
const levels snap_asks = {{"101", "1"}, {"102", "2"}};

std::vector<scenario> scenarios() {
    return {
        {"documented happy path: buffer, snapshot inside the buffer, replay",
         {delta(101, 105, {{"100", "5"}}, {}, S, syncing), delta(106, 110, {{"97", "1"}}, {{"101", "0"}}, N, syncing),
          // lastUpdateId 103: drop nothing (105 > 103), first straddles 104 in [101;105].
          snapshot(103, snap_bids, snap_asks, N, valid, book_reason::none, 110,
                   {{"100", "5"}, {"99", "2"}, {"98", "3"}, {"97", "1"}}, {{"102", "2"}}),
          delta(111, 111, {{"99", "0"}}, {{"101.5", "4"}}, N, valid, book_reason::none, 111,
                {{"100", "5"}, {"98", "3"}}, {{"101.5", "4"}, {"102", "2"}})},
         0,
         0,
         1},
        {"snapshot older than the first buffered U is fetched again (step 4: lastUpdateId < U)",
         {delta(101, 105, {}, {}, S, syncing), snapshot(99, snap_bids, snap_asks, S, syncing),
          snapshot(100, snap_bids, snap_asks, S, syncing),
          snapshot(101, snap_bids, snap_asks, N, valid, book_reason::none, 105)},
         0,
         0,
         3},
        {"buffered diffs with u <= lastUpdateId are dropped",
         {delta(90, 95, {{"50", "1"}}, {}, S, syncing), delta(96, 100, {{"51", "1"}}, {}, N, syncing),
          delta(101, 104, {{"100", "7"}}, {}, N, syncing),
          // 102 >= first U 90: accepted; 90-95 and 96-100 dropped; 101-104 straddles 103.
          snapshot(102, snap_bids, snap_asks, N, valid, book_reason::none, 104, {{"100", "7"}, {"99", "2"}}, {})},
         0,
         0,
         1},
        {"duplicates and old diffs are ignored",
         {delta(101, 105, {}, {}, S, syncing), snapshot(104, snap_bids, snap_asks, N, valid, book_reason::none, 105),
          delta(101, 105, {{"100", "9"}}, {}, N, valid, book_reason::none, 105, {{"100", "1"}}, {}),
          delta(104, 104, {{"100", "9"}}, {}, N, valid, book_reason::none, 105, {{"100", "1"}}, {}),
          delta(106, 107, {{"100", "9"}}, {}, N, valid, book_reason::none, 107, {{"100", "9"}}, {})},
         0,
         0,
         1},
        {"overlapping diff (U <= id < u) is applied",
         {delta(101, 105, {}, {}, S, syncing), snapshot(105, snap_bids, snap_asks, N, valid, book_reason::none, 105),
          delta(103, 108, {{"100", "4"}}, {}, N, valid, book_reason::none, 108, {{"100", "4"}}, {})},
         0,
         0,
         1},
        {"gap: discard, count, resync; the gapped diff is the first buffered one",
         {delta(101, 105, {}, {}, S, syncing), snapshot(104, snap_bids, snap_asks, N, valid, book_reason::none, 105),
          delta(107, 110, {}, {}, S, invalid, book_reason::gap, 0),
          delta(111, 112, {}, {}, N, invalid, book_reason::gap, 0),
          snapshot(106, snap_bids, snap_asks, S, invalid, book_reason::gap, 0), // 106 < U=107: again
          snapshot(108, snap_bids, snap_asks, N, valid, book_reason::none, 112)},
         1,
         1,
         3},
        {"out of order: a late diff after a gap is buffered, then dropped by the snapshot",
         {delta(101, 105, {}, {}, S, syncing), snapshot(105, snap_bids, snap_asks, N, valid, book_reason::none, 105),
          delta(108, 110, {}, {}, S, invalid, book_reason::gap, 0),
          delta(106, 107, {}, {}, N, invalid, book_reason::gap, 0),
          snapshot(110, snap_bids, snap_asks, N, valid, book_reason::none, 110)},
         1,
         1,
         2},
        {"first diff after the snapshot must straddle lastUpdateId + 1",
         {delta(101, 102, {}, {}, S, syncing),
          snapshot(103, snap_bids, snap_asks, N, valid, book_reason::none, 103), // all buffered dropped
          delta(105, 106, {}, {}, S, invalid, book_reason::gap, 0)},             // 105 > 104
         1,
         1,
         2},
        {"crossed book after a diff resyncs",
         {delta(101, 105, {}, {}, S, syncing), snapshot(105, snap_bids, snap_asks, N, valid, book_reason::none, 105),
          delta(106, 106, {{"101", "1"}}, {}, S, invalid, book_reason::crossed, 0),
          delta(107, 107, {}, {}, N, invalid, book_reason::crossed, 0),
          snapshot(107, snap_bids, snap_asks, N, valid, book_reason::none, 107)},
         0,
         1,
         2},
        {"crossed snapshot is refused",
         {delta(101, 105, {}, {}, S, syncing),
          snapshot(105, {{"103", "1"}}, snap_asks, S, invalid, book_reason::crossed, 0)},
         0,
         1,
         2},
        {"quantity 0 removes a level, unknown level removal is harmless",
         {delta(101, 105, {}, {}, S, syncing), snapshot(105, snap_bids, snap_asks, N, valid, book_reason::none, 105),
          delta(106, 106, {{"100", "0"}, {"42", "0"}}, {{"101", "0"}}, N, valid, book_reason::none, 106,
                {{"99", "2"}, {"98", "3"}}, {{"102", "2"}})},
         0,
         0,
         1},
        {"stale: no update within stale_after resyncs (injected clock)",
         {delta(101, 105, {}, {}, S, syncing), snapshot(105, snap_bids, snap_asks, N, valid, book_reason::none, 105),
          wait(999ms, N, valid, book_reason::none, 105), wait(2ms, S, invalid, book_reason::stale, 0)},
         0,
         1,
         2},
        {"unanswered snapshot request is repeated after snapshot_timeout",
         {delta(101, 105, {}, {}, S, syncing), wait(1999ms, N, syncing), wait(2ms, S, syncing)},
         0,
         0,
         2},
        {"a snapshot nobody asked for is ignored",
         {snapshot(100, snap_bids, snap_asks, N, syncing), delta(101, 105, {}, {}, S, syncing)},
         0,
         0,
         1},
    };
}

book_delta make_delta(const step& s) {
    book_delta d;
    d.sym = symbol::truncating("BTCUSDT");
    d.first_update_id = s.first;
    d.last_update_id = s.last;
    for (auto [p, q] : s.bids)
        d.bids.push_back({dec(p), dec(q)});
    for (auto [p, q] : s.asks)
        d.asks.push_back({dec(p), dec(q)});
    return d;
}

book_snapshot make_snapshot(const step& s) {
    book_snapshot snap;
    snap.sym = symbol::truncating("BTCUSDT");
    snap.last_update_id = s.last;
    for (auto [p, q] : s.bids)
        snap.bids.push_back({dec(p), dec(q)});
    for (auto [p, q] : s.asks)
        snap.asks.push_back({dec(p), dec(q)});
    return snap;
}

std::vector<book_level> to_levels(const levels& l) {
    std::vector<book_level> out;
    for (auto [p, q] : l)
        out.push_back({dec(p), dec(q)});
    return out;
}

class OrderBookTest : public ::testing::Test {
protected:
    manual_clock clock_;
    book_config config_{1s, 2s, 100};
};

} // namespace

TEST_F(OrderBookTest, syncProcedureTable) {
    for (const auto& sc : scenarios()) {
        SCOPED_TRACE(sc.name);
        manual_clock clk;
        local_book book(symbol::truncating("BTCUSDT"), clk, config_);
        int i = 0;
        for (const auto& s : sc.steps) {
            SCOPED_TRACE("step " + std::to_string(i++));
            book_action a = book_action::none;
            switch (s.what) {
            case op::delta: a = book.on_delta(make_delta(s)); break;
            case op::snapshot: a = book.on_snapshot(make_snapshot(s)); break;
            case op::advance_and_check:
                clk.advance(s.advance);
                a = book.check();
                break;
            case op::reset: a = book.reset(book_reason::reset); break;
            }
            EXPECT_EQ(to_string(a), to_string(s.action));
            EXPECT_EQ(to_string(book.state()), to_string(s.state));
            EXPECT_EQ(to_string(book.reason()), to_string(s.reason));
            EXPECT_EQ(book.is_valid(), s.state == book_state::valid);
            if (s.state == book_state::valid) {
                EXPECT_EQ(book.update_id(), s.update_id);
                std::vector<book_level> bids, asks;
                if (!s.top_bids.empty()) {
                    book.top(s.top_bids.size(), bids, asks);
                    EXPECT_EQ(bids, to_levels(s.top_bids));
                }
                if (!s.top_asks.empty()) {
                    book.top(s.top_asks.size(), bids, asks);
                    EXPECT_EQ(asks, to_levels(s.top_asks));
                }
            } else {
                EXPECT_EQ(book.bids().size() + book.asks().size(), 0u);
            }
        }
        EXPECT_EQ(book.stats().gaps, sc.gaps);
        EXPECT_EQ(book.stats().resyncs, sc.resyncs);
        EXPECT_EQ(book.stats().snapshots_requested, sc.snapshots_requested);
    }
}

TEST_F(OrderBookTest, gapWhileReplayingTheBufferKeepsLaterDiffs) {
    local_book book(symbol::truncating("BTCUSDT"), clock_, config_);
    step s1{op::delta, 101, 105, {}, {}};
    step s2{op::delta, 108, 110, {}, {}}; // gap after 105
    step s3{op::delta, 111, 112, {}, {}};
    EXPECT_EQ(book.on_delta(make_delta(s1)), book_action::need_snapshot);
    EXPECT_EQ(book.on_delta(make_delta(s2)), book_action::none);
    EXPECT_EQ(book.on_delta(make_delta(s3)), book_action::none);
    step snap{op::snapshot, 0, 103, snap_bids, snap_asks};
    EXPECT_EQ(book.on_snapshot(make_snapshot(snap)), book_action::need_snapshot);
    EXPECT_EQ(book.state(), book_state::invalid);
    EXPECT_EQ(book.reason(), book_reason::gap);
    EXPECT_EQ(book.buffered(), 2u); // 108-110 and 111-112
    step snap2{op::snapshot, 0, 109, snap_bids, snap_asks};
    EXPECT_EQ(book.on_snapshot(make_snapshot(snap2)), book_action::none);
    EXPECT_TRUE(book.is_valid());
    EXPECT_EQ(book.update_id(), 112u);
}

TEST_F(OrderBookTest, ageOtherSymbolsResetAndBufferBound) {
    local_book book(symbol::truncating("BTCUSDT"), clock_, config_);
    step other{op::delta, 1, 2, {}, {}};
    auto d = make_delta(other);
    d.sym = symbol::truncating("ETHUSDT");
    EXPECT_EQ(book.on_delta(d), book_action::none);
    EXPECT_EQ(book.stats().other_symbol, 1u);
    for (std::uint64_t i = 0; i < 150; ++i) {
        step s{op::delta, 100 + i, 100 + i, {}, {}};
        (void)book.on_delta(make_delta(s));
    }
    EXPECT_EQ(book.buffered(), 100u);
    EXPECT_EQ(book.stats().buffer_dropped, 50u);
    // The oldest kept diff is U=150: a snapshot at 149 or below is too old (step 4), 150 joins.
    step old_snap{op::snapshot, 0, 149, snap_bids, snap_asks};
    EXPECT_EQ(book.on_snapshot(make_snapshot(old_snap)), book_action::need_snapshot);
    step snap{op::snapshot, 0, 150, snap_bids, snap_asks};
    EXPECT_EQ(book.on_snapshot(make_snapshot(snap)), book_action::none);
    EXPECT_EQ(book.update_id(), 249u);
    clock_.advance(250ms);
    EXPECT_EQ(book.age(), 250ms);
    EXPECT_EQ(book.best_bid(), (book_level{dec("100"), dec("1")}));
    EXPECT_EQ(book.best_ask(), (book_level{dec("101"), dec("1")}));
    EXPECT_EQ(book.bids().quantity_at(dec("99")), dec("2"));
    EXPECT_EQ(book.reset(book_reason::overflow), book_action::need_snapshot);
    EXPECT_EQ(book.state(), book_state::invalid);
    EXPECT_EQ(book.reason(), book_reason::overflow);
    EXPECT_FALSE(book.is_valid());
}

TEST_F(OrderBookTest, unsortedSnapshotIsSorted) {
    book_side bids(true);
    bids.assign_best_first({{dec("1"), dec("1")}, {dec("3"), dec("1")}, {dec("2"), dec("0")}, {dec("2.5"), dec("1")}});
    ASSERT_EQ(bids.size(), 3u);
    EXPECT_EQ(bids.level(0).price, dec("3"));
    EXPECT_EQ(bids.level(1).price, dec("2.5"));
    EXPECT_EQ(bids.level(2).price, dec("1"));
    book_side asks(false);
    asks.apply({dec("5"), dec("1")});
    asks.apply({dec("4"), dec("1")});
    asks.apply({dec("6"), dec("1")});
    asks.apply({dec("4"), dec("2")});
    EXPECT_EQ(asks.best(), (book_level{dec("4"), dec("2")}));
    EXPECT_EQ(asks.level(2).price, dec("6"));
}
