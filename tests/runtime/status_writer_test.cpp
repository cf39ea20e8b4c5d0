#include "genesis/gateway/runtime/status_writer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <unistd.h>

namespace genesis::gateway::runtime {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// A pipe standing in for the terminal. Its read end is drained only when a test says so.
class StatusWriterTest : public ::testing::Test {
protected:
    int fds[2] = {-1, -1};

    void SetUp() override { ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0); }
    void TearDown() override {
        for (int fd : fds)
            if (fd >= 0)
                ::close(fd);
    }

    // Everything readable now and until `until` is in `out` (bounded wait for each chunk).
    std::string read_until(const std::string& until) {
        std::string out;
        const auto deadline = steady::now() + 10s;
        while (out.find(until) == std::string::npos && steady::now() < deadline) {
            ::pollfd p{fds[0], POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                continue;
            char buf[65536];
            const auto n = ::read(fds[0], buf, sizeof buf);
            if (n <= 0)
                break;
            out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }
};

TEST_F(StatusWriterTest, eachBlockIsDrawnOverTheOneBefore) {
    status_writer w(fds[1]);
    w.post("a1\n", 1);
    ASSERT_TRUE(w.wait_written(1, steady::now() + 10s));
    w.post("b1\nb2\n", 2);
    ASSERT_TRUE(w.wait_written(2, steady::now() + 10s));
    w.post("c1\n", 1);
    ASSERT_TRUE(w.wait_written(3, steady::now() + 10s));
    EXPECT_EQ(read_until("c1\n"), "a1\n\033[1F\033[Jb1\nb2\n\033[2F\033[Jc1\n");
    EXPECT_EQ(w.skipped(), 0u);
}

// The terminal stops reading (Ctrl-S, a stalled session): post() still returns at once, only the
// newest block is kept, and once the terminal reads again the newest is drawn over the last block
// that was actually written, by that block's line count.
TEST_F(StatusWriterTest, aTerminalThatStopsReadingNeverBlocksPostAndGetsTheNewestBlock) {
    ASSERT_GT(::fcntl(fds[1], F_SETPIPE_SZ, 4096), 0);
    status_writer w(fds[1]);
    const std::string big(3000, 'x');
    w.post(big + "\n", 1); // fits the pipe
    ASSERT_TRUE(w.wait_written(1, steady::now() + 10s));
    w.post(big + "y\nz\n", 2); // does not fit: the writer waits for the reader
    ASSERT_TRUE(w.wait_taken(2, steady::now() + 10s));
    // These are posted while it waits: all but the last are replaced before their turn. If post()
    // blocked on the pipe, this loop would never end (and the test would time out).
    for (int i = 0; i < 1000; ++i)
        w.post("old " + std::to_string(i) + "\n", 1);
    w.post("newest\nline two\nline three\n", 3);
    EXPECT_EQ(w.written(), 1u);
    EXPECT_EQ(w.skipped(), 1000u);

    const auto out = read_until("line three\n");
    const auto second = big + "\n\033[1F\033[J" + big + "y\nz\n";
    ASSERT_EQ(out.substr(0, second.size()), second);
    EXPECT_EQ(out.substr(second.size()), "\033[2F\033[Jnewest\nline two\nline three\n");
    ASSERT_TRUE(w.wait_written(3, steady::now() + 10s));
    EXPECT_EQ(w.written(), 3u);
}

// Shutdown with a terminal that never reads again: the destructor gives up after `linger`
// instead of waiting for the reader (the gateway must exit within its limit).
TEST_F(StatusWriterTest, destroyingItWithATerminalThatDoesNotReadEnds) {
    ASSERT_GT(::fcntl(fds[1], F_SETPIPE_SZ, 4096), 0);
    {
        status_writer w(fds[1]);
        w.linger = 100ms;
        w.post(std::string(8000, 'x') + "\n", 1);
        ASSERT_TRUE(w.wait_taken(1, steady::now() + 10s));
        w.post("never\n", 1);
    }
    // Ended without the reader: what reached the pipe is a part of the first block, and nothing
    // after it. (Closing our write end makes the read below end at EOF.)
    ::close(fds[1]);
    fds[1] = -1;
    const auto out = read_until("never");
    EXPECT_GT(out.size(), 0u);
    EXPECT_LT(out.size(), 8001u);
    EXPECT_EQ(out.find("never"), std::string::npos);
}

} // namespace
} // namespace genesis::gateway::runtime
