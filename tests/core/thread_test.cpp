#include "genesis/core/thread.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace genesis {
namespace {

std::string task_file(pid_t tid, const char* name) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(ThreadTest, cpuListTextIsLinuxsFormat) {
    EXPECT_EQ(cpu_list_text(std::vector<unsigned>{}), "");
    EXPECT_EQ(cpu_list_text(std::vector<unsigned>{3}), "3");
    EXPECT_EQ(cpu_list_text(std::vector<unsigned>{0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
}

TEST(ThreadTest, pinnedThreadRunsOnlyOnItsCpuAndTheKernelSaysSo) {
    const auto allowed = allowed_cpus();
    ASSERT_FALSE(allowed.empty());
    // The last allowed CPU (on a one-CPU machine the only one, which still has to read back).
    const unsigned cpu = allowed.back();
    std::vector<unsigned> seen;
    error_code ec;
    std::string status, comm;
    std::thread t([&] {
        name_this_thread("genesis-test-pinned-long-name");
        ec = pin_this_thread(std::vector<unsigned>{cpu});
        seen = this_thread_cpus();
        const auto tid = static_cast<pid_t>(::syscall(SYS_gettid));
        status = task_file(tid, "status");
        comm = task_file(tid, "comm");
    });
    t.join();
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(seen, std::vector<unsigned>{cpu});
    EXPECT_NE(status.find("Cpus_allowed_list:\t" + std::to_string(cpu) + "\n"), std::string::npos) << status;
    EXPECT_EQ(comm, "genesis-test-pi\n"); // 15 characters kept
    // The process (this thread) is untouched.
    EXPECT_EQ(allowed_cpus(), allowed);
}

TEST(ThreadTest, emptyListLeavesTheAffinityAndBadIdsAreRefused) {
    const auto before = this_thread_cpus();
    EXPECT_FALSE(pin_this_thread({}));
    EXPECT_EQ(this_thread_cpus(), before);
    EXPECT_EQ(pin_this_thread(std::vector<unsigned>{100000}), make_error_code(core_errc::invalid_argument));
    EXPECT_EQ(this_thread_cpus(), before);
    // A CPU outside the machine (but inside CPU_SETSIZE) is the kernel's EINVAL.
    const std::vector<unsigned> absent{before.back() + 64};
    const auto ec = pin_this_thread(absent);
    EXPECT_TRUE(ec);
    EXPECT_EQ(this_thread_cpus(), before);
}

} // namespace
} // namespace genesis
