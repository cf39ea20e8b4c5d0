#include "genesis/resilience/replicator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace genesis::resilience {
namespace {

snapshot make_snapshot(std::uint64_t version, std::string_view text) {
    snapshot s;
    s.version = version;
    for (char c : text)
        s.bytes.push_back(static_cast<std::byte>(c));
    return s;
}

// An in-memory sink standing in for the SQLite replicas.
class memory_sink final : public snapshot_sink {
public:
    std::map<std::string, snapshot, std::less<>> stored;
    bool fail = false;

    result<void> save(std::string_view component, const snapshot& s) override {
        if (fail)
            return make_error_code(core_errc::invalid_argument);
        stored.insert_or_assign(std::string(component), s);
        return {};
    }
    result<std::optional<snapshot>> load(std::string_view component) override {
        auto it = stored.find(component);
        if (it == stored.end())
            return std::optional<snapshot>{};
        return std::optional<snapshot>{it->second};
    }
};

class ReplicatorTest : public ::testing::Test {
protected:
    static replicator_config seeded(std::uint64_t seed) {
        replicator_config c;
        c.seed = seed;
        return c;
    }

    static std::vector<std::string> names(int n) {
        std::vector<std::string> out;
        for (int i = 0; i < n; ++i)
            out.push_back("component-" + std::to_string(i));
        return out;
    }

    // Registers all names and returns each one's peers.
    static std::map<std::string, std::vector<std::string>> register_all(replicator& r,
                                                                        const std::vector<std::string>& all) {
        for (const auto& n : all)
            EXPECT_TRUE(r.register_component(n));
        std::map<std::string, std::vector<std::string>> peers;
        for (const auto& n : all)
            peers[n] = r.peers_of(n);
        return peers;
    }
};

TEST_F(ReplicatorTest, registerComponentIsReproducibleWithSeed) {
    const auto all = names(20);
    replicator a(seeded(42));
    replicator b(seeded(42));
    replicator c(seeded(43));
    const auto pa = register_all(a, all);
    EXPECT_EQ(pa, register_all(b, all));
    EXPECT_NE(pa, register_all(c, all));
}

TEST_F(ReplicatorTest, registerComponentCapsPeersAtFive) {
    auto config = seeded(7);
    config.max_peers = 9;
    replicator r(config);
    const auto peers = register_all(r, names(12));
    for (const auto& [name, list] : peers) {
        EXPECT_EQ(list.size(), max_replication_peers) << name;
        // Distinct peers, never itself.
        EXPECT_EQ(std::set<std::string>(list.begin(), list.end()).size(), list.size());
        EXPECT_EQ(std::count(list.begin(), list.end(), name), 0);
    }
}

TEST_F(ReplicatorTest, registerComponentWithoutBackfillOnlyPicksEarlierComponents) {
    auto config = seeded(7);
    config.backfill_peers = false;
    replicator r(config);
    const auto all = names(8);
    const auto peers = register_all(r, all);
    EXPECT_TRUE(peers.at(all[0]).empty());
    EXPECT_EQ(peers.at(all[3]).size(), 3u);
    EXPECT_EQ(peers.at(all[7]).size(), 5u);
    // Registering again changes nothing.
    EXPECT_EQ(*r.register_component(all[7]), peers.at(all[7]));
    EXPECT_FALSE(r.register_component(""));
}

TEST_F(ReplicatorTest, savePropagatesToPeers) {
    replicator r(seeded(1));
    const auto all = names(8);
    register_all(r, all);
    const auto report = r.save(all[2], make_snapshot(3, "state"));
    ASSERT_TRUE(report);
    EXPECT_EQ(report->peer_copies, 5u);
    EXPECT_FALSE(report->persisted);
    for (const auto& peer : r.peers_of(all[2]))
        EXPECT_EQ(r.held_version(peer, all[2]), 3u) << peer;
    // Nobody else holds a copy.
    int holders = 0;
    for (const auto& n : all)
        holders += r.held_version(n, all[2]).has_value();
    EXPECT_EQ(holders, 5);
}

TEST_F(ReplicatorTest, saveRejectsUnknownComponentAndOlderVersion) {
    replicator r;
    ASSERT_TRUE(r.register_component("oms"));
    EXPECT_FALSE(r.save("nobody", make_snapshot(1, "x")));
    ASSERT_TRUE(r.save("oms", make_snapshot(5, "x")));
    EXPECT_EQ(r.save("oms", make_snapshot(4, "old")).error(), make_error_code(core_errc::invalid_argument));
    EXPECT_TRUE(r.save("oms", make_snapshot(5, "same version again")));
}

TEST_F(ReplicatorTest, restoreReturnsOwnState) {
    replicator r;
    const auto all = names(3);
    register_all(r, all);
    ASSERT_TRUE(r.save(all[1], make_snapshot(2, "mine")));
    const auto got = r.restore(all[1]);
    ASSERT_TRUE(got);
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->source, snapshot_source::own);
    EXPECT_EQ((*got)->state, make_snapshot(2, "mine"));
}

TEST_F(ReplicatorTest, restoreTakesNewestPeerCopy) {
    replicator r(seeded(9));
    const auto all = names(8);
    register_all(r, all);
    const auto& origin = all[4];
    const auto peers = r.peers_of(origin);
    ASSERT_EQ(peers.size(), 5u);
    ASSERT_TRUE(r.save(origin, make_snapshot(1, "v1")));
    // One peer is unreachable during the next save and keeps v1.
    ASSERT_TRUE(r.set_online(peers[0], false));
    ASSERT_EQ(r.save(origin, make_snapshot(2, "v2"))->peer_copies, 4u);
    ASSERT_TRUE(r.set_online(peers[0], true));
    EXPECT_EQ(r.held_version(peers[0], origin), 1u);
    ASSERT_TRUE(r.drop_own(origin));

    const auto got = r.restore(origin);
    ASSERT_TRUE(got && got->has_value());
    EXPECT_EQ((*got)->source, snapshot_source::peer);
    EXPECT_EQ((*got)->state, make_snapshot(2, "v2"));
    EXPECT_NE((*got)->from, peers[0]);
    EXPECT_NE(std::find(peers.begin(), peers.end(), (*got)->from), peers.end());

    // With every v2 holder offline, the stale copy is the newest reachable one.
    for (std::size_t i = 1; i < peers.size(); ++i)
        ASSERT_TRUE(r.set_online(peers[i], false));
    const auto stale = r.restore(origin);
    ASSERT_TRUE(stale && stale->has_value());
    EXPECT_EQ((*stale)->state.version, 1u);
    EXPECT_EQ((*stale)->from, peers[0]);
}

TEST_F(ReplicatorTest, restoreReturnsNothingWithoutAnyCopy) {
    replicator r;
    const auto all = names(3);
    register_all(r, all);
    const auto got = r.restore(all[0]);
    ASSERT_TRUE(got);
    EXPECT_FALSE(got->has_value());
    EXPECT_FALSE(r.restore("unknown"));

    // Saved, then lost along with every peer: nothing is left.
    ASSERT_TRUE(r.save(all[0], make_snapshot(1, "x")));
    ASSERT_TRUE(r.drop_own(all[0]));
    for (const auto& p : r.peers_of(all[0]))
        ASSERT_TRUE(r.set_online(p, false));
    EXPECT_FALSE(r.restore(all[0])->has_value());
}

TEST_F(ReplicatorTest, registerComponentBackfillHandsOverExistingState) {
    replicator r(seeded(3));
    ASSERT_TRUE(r.register_component("first"));
    ASSERT_TRUE(r.save("first", make_snapshot(7, "early")));
    ASSERT_TRUE(r.register_component("second"));
    EXPECT_EQ(r.peers_of("first"), std::vector<std::string>{"second"});
    EXPECT_EQ(r.held_version("second", "first"), 7u);
    ASSERT_TRUE(r.drop_own("first"));
    EXPECT_EQ((*r.restore("first"))->source, snapshot_source::peer);
}

TEST_F(ReplicatorTest, restoreFallsBackToSink) {
    auto sink = std::make_shared<memory_sink>();
    auto config = seeded(5);
    config.sink = sink;
    replicator r(config);
    ASSERT_TRUE(r.register_component("solo"));
    const auto report = r.save("solo", make_snapshot(4, "durable"));
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->persisted);
    EXPECT_EQ(report->peer_copies, 0u);
    ASSERT_TRUE(r.drop_own("solo"));
    const auto got = r.restore("solo");
    ASSERT_TRUE(got && got->has_value());
    EXPECT_EQ((*got)->source, snapshot_source::persistence);
    EXPECT_EQ((*got)->state.version, 4u);

    sink->fail = true;
    EXPECT_FALSE(r.save("solo", make_snapshot(5, "x")));
    // The in-memory copy was still made.
    EXPECT_EQ((*r.restore("solo"))->state.version, 5u);
}

TEST_F(ReplicatorTest, saveIsThreadSafe) {
    replicator r(seeded(11));
    const auto all = names(6);
    register_all(r, all);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < all.size(); ++t) {
        threads.emplace_back([&r, &all, t] {
            for (std::uint64_t v = 1; v <= 200; ++v) {
                EXPECT_TRUE(r.save(all[t], make_snapshot(v, "s")));
                EXPECT_TRUE(r.restore(all[(t + 1) % all.size()]));
            }
        });
    }
    for (auto& th : threads)
        th.join();
    for (const auto& n : all)
        EXPECT_EQ((*r.restore(n))->state.version, 200u);
}

} // namespace
} // namespace genesis::resilience
