#include "genesis/gateway/runtime/status_writer.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <unistd.h>

namespace genesis::gateway::runtime {

status_writer::status_writer(int fd) {
    // A description of our own for a tty or a pipe (opening /proc/self/fd/N opens the device or
    // the pipe again), so O_NONBLOCK does not change the shell's. Anything else: a duplicate that
    // stays blocking, written only once poll() says it takes data.
    const auto path = "/proc/self/fd/" + std::to_string(fd);
    fd_ = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0)
        fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    thread_ = std::thread([this] { run(); });
}

status_writer::~status_writer() {
    {
        std::lock_guard lk(m_);
        stopping_ = true;
        give_up_at_ = std::chrono::steady_clock::now() + linger;
    }
    cv_.notify_all();
    thread_.join();
    if (fd_ >= 0)
        ::close(fd_);
}

void status_writer::post(std::string block, unsigned lines) {
    {
        std::lock_guard lk(m_);
        if (has_pending_)
            ++skipped_;
        pending_ = std::move(block);
        pending_lines_ = lines;
        has_pending_ = true;
    }
    cv_.notify_all();
}

std::uint64_t status_writer::written() const {
    std::lock_guard lk(m_);
    return written_;
}

std::uint64_t status_writer::skipped() const {
    std::lock_guard lk(m_);
    return skipped_;
}

bool status_writer::wait_written(std::uint64_t n, std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lk(m_);
    return cv_.wait_until(lk, deadline, [&] { return written_ >= n; });
}

bool status_writer::wait_taken(std::uint64_t n, std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lk(m_);
    return cv_.wait_until(lk, deadline, [&] { return taken_ >= n; });
}

void status_writer::run() {
    for (;;) {
        std::string block;
        unsigned lines = 0;
        {
            std::unique_lock lk(m_);
            cv_.wait(lk, [&] { return has_pending_ || stopping_; });
            if (!has_pending_)
                return;
            block = std::move(pending_);
            lines = pending_lines_;
            has_pending_ = false;
            ++taken_;
        }
        cv_.notify_all();
        std::string text;
        if (drawn_lines_ > 0)
            text = "\033[" + std::to_string(drawn_lines_) + "F\033[J";
        text += block;
        const bool whole = write_all(text);
        {
            std::lock_guard lk(m_);
            if (whole)
                ++written_;
        }
        cv_.notify_all();
        if (!whole)
            return; // stopping, and the fd did not take it in time
        drawn_lines_ = lines;
    }
}

bool status_writer::write_all(const std::string& text) {
    if (fd_ < 0)
        return false;
    std::size_t done = 0;
    while (done < text.size()) {
        {
            std::lock_guard lk(m_);
            if (stopping_ && std::chrono::steady_clock::now() >= give_up_at_)
                return false;
        }
        // Wait (at most 50 ms at a time, to notice a stop) until the fd takes data.
        ::pollfd p{fd_, POLLOUT, 0};
        const int ready = ::poll(&p, 1, 50);
        if (ready < 0 && errno != EINTR)
            return false;
        if (ready <= 0)
            continue;
        if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
            return false;
        const auto n = ::write(fd_, text.data() + done, text.size() - done);
        if (n > 0)
            done += static_cast<std::size_t>(n);
        else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return false;
    }
    return true;
}

} // namespace genesis::gateway::runtime
