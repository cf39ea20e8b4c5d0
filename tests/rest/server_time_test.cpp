#include "genesis/rest/server_time.hpp"

#include <gtest/gtest.h>

namespace genesis::rest {
namespace {

using namespace std::chrono_literals;

class ServerTimeTest : public ::testing::Test {
protected:
    manual_clock clk{time_point{0}, time_point{1'700'000'000'000'000'000}};

    // A round trip that starts now, takes rtt, and finds the venue `offset` ahead at its midpoint.
    void sample(server_time& st, nanos offset, nanos rtt) {
        const time_point sent = clk.wall();
        clk.advance(rtt);
        const time_point received = clk.wall();
        const std::int64_t server_ms = (sent.ns + rtt.count() / 2 + offset.count()) / 1'000'000;
        st.add_sample(sent, received, server_ms);
    }
};

TEST_F(ServerTimeTest, addSampleCorrectsHalfTheRoundTrip) {
    server_time st(clk);
    EXPECT_FALSE(st.synced());
    sample(st, 1000ms, 100ms);
    EXPECT_TRUE(st.synced());
    EXPECT_EQ(st.offset(), 1000ms);
    EXPECT_EQ(st.last_rtt(), 100ms);
}

TEST_F(ServerTimeTest, offsetIsTheMedianOfRecentSamples) {
    server_time st(clk);
    for (auto off : {10ms, 12ms, 500ms, 11ms, 13ms})
        sample(st, off, 2ms);
    EXPECT_EQ(st.sample_count(), 5u);
    EXPECT_EQ(st.offset(), 12ms); // the 500 ms outlier (a slow, skewed answer) does not move it
}

TEST_F(ServerTimeTest, offsetKeepsOnlyTheLastSamples) {
    server_time_options o;
    o.samples = 3;
    server_time st(clk, o);
    for (auto off : {900ms, 900ms, 900ms, -5ms, -6ms})
        sample(st, off, 2ms);
    EXPECT_EQ(st.sample_count(), 3u);
    EXPECT_EQ(st.offset(), -5ms);
}

TEST_F(ServerTimeTest, offsetOfAnEvenCountIsTheMeanOfTheMiddleTwo) {
    server_time st(clk);
    for (auto off : {10ms, 40ms, 20ms, 30ms})
        sample(st, off, 2ms);
    EXPECT_EQ(st.offset(), 25ms);
}

TEST_F(ServerTimeTest, timestampIsLocalWallClockPlusOffset) {
    server_time st(clk);
    EXPECT_EQ(st.timestamp_ms(), clk.wall().ns / 1'000'000);
    sample(st, -2500ms, 10ms);
    EXPECT_EQ(st.timestamp_ms(), clk.wall().ns / 1'000'000 - 2500);
    clk.advance(1s);
    EXPECT_EQ(st.timestamp_ms(), clk.wall().ns / 1'000'000 - 2500);
}

TEST_F(ServerTimeTest, markStaleForgetsSamples) {
    server_time st(clk);
    sample(st, 5s, 2ms);
    st.mark_stale();
    EXPECT_FALSE(st.synced());
    EXPECT_EQ(st.sample_count(), 0u);
    EXPECT_EQ(st.offset(), 0ns);
    sample(st, 7s, 2ms);
    EXPECT_TRUE(st.synced());
    EXPECT_EQ(st.offset(), 7s);
}

TEST_F(ServerTimeTest, addSampleIgnoresABackwardRoundTrip) {
    server_time st(clk);
    st.add_sample(clk.wall() + 1s, clk.wall(), 0);
    EXPECT_FALSE(st.synced());
}

TEST_F(ServerTimeTest, recvWindowIsClampedToTheVenueMaximum) {
    server_time st(clk);
    EXPECT_EQ(st.recv_window(), 5000ms);
    st.set_recv_window(120'000ms);
    EXPECT_EQ(st.recv_window(), 60'000ms);
    st.set_recv_window(0ms);
    EXPECT_EQ(st.recv_window(), 1ms);
}

} // namespace
} // namespace genesis::rest
