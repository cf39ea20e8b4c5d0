// The terminal status block's writer. The processing thread builds the block; this writes it on a
// thread of its own, so a terminal that stops reading (Ctrl-S, a stalled ssh session, a pipe nobody
// drains) never blocks the processing thread: post() only swaps a string under a mutex.
//
// Only the newest block is kept: one posted while an earlier one is still waiting replaces it (the
// earlier one is counted as skipped). Each block is drawn over the last one actually written (ANSI
// "cursor up N lines, clear to the end"), N being that block's line count, not the skipped one's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace genesis::gateway::runtime {

class status_writer {
public:
    /// Writes to `fd` through a non-blocking file description of its own (the shell's stays as it
    /// is). Not owning: `fd` must stay open until the writer is destroyed.
    explicit status_writer(int fd);
    /// Writes what is pending if the fd takes it within `linger`, then stops the thread. A terminal
    /// that does not read does not hold the destructor longer than that.
    ~status_writer();
    status_writer(const status_writer&) = delete;
    status_writer& operator=(const status_writer&) = delete;

    /// The next block: `lines` lines, each ending in '\n'. Never blocks on the fd.
    void post(std::string block, unsigned lines);

    /// Blocks written whole, and blocks replaced before their turn.
    std::uint64_t written() const;
    std::uint64_t skipped() const;
    /// Waits until `written() >= n` or the deadline; returns whether it got there.
    bool wait_written(std::uint64_t n, std::chrono::steady_clock::time_point deadline) const;
    /// Waits until the writer has taken its `n`th block to write (it may still be writing it).
    bool wait_taken(std::uint64_t n, std::chrono::steady_clock::time_point deadline) const;

    std::chrono::milliseconds linger{500};

private:
    void run();
    // Writes all of `text` unless stopping and past the linger deadline; false if it gave up.
    bool write_all(const std::string& text);

    int fd_ = -1; // ours (closed by the destructor); -1 when neither open nor dup worked
    mutable std::mutex m_;
    mutable std::condition_variable cv_;
    std::string pending_;
    unsigned pending_lines_ = 0;
    bool has_pending_ = false;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point give_up_at_{};
    unsigned drawn_lines_ = 0; // of the last block written (writer thread)
    std::uint64_t taken_ = 0;
    std::uint64_t written_ = 0;
    std::uint64_t skipped_ = 0;
    std::thread thread_;
};

} // namespace genesis::gateway::runtime
