// Helpers of the gateway end-to-end tests: a genesis-gateway child process with a config written
// by the test, bounded waits on its output lines, and a tiny HTTP/1.1 client for its ops endpoint.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace genesis::test {

/// A child process with its stdout read line by line and stderr sent to a file.
class child {
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string buf_;
    std::vector<std::string> lines_;
    int status_ = -1;

public:
    child() = default;
    ~child();
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    /// Starts argv[0] with argv (after reset()); stderr goes to err_file. The child keeps no other
    /// descriptor of this process: Asio does not mark sockets close-on-exec, and an in-process
    /// sim's connections living on in the child would never close.
    bool start(const std::vector<std::string>& argv, const std::filesystem::path& err_file);
    /// Kills (SIGKILL) and reaps a running process, and forgets its output.
    void reset();
    /// True while the process runs (reaps it once it has exited).
    bool alive();
    /// Reads stdout until a line satisfies pred or the process exits or the deadline passes.
    std::optional<std::string> wait_line(const std::function<bool(const std::string&)>& pred,
                                         std::chrono::milliseconds timeout);
    std::optional<std::string> wait_line(const std::function<bool(const std::string&)>& pred,
                                         std::chrono::steady_clock::time_point until);
    /// Drains stdout until `until`, or until the process exits.
    void drain_until(std::chrono::steady_clock::time_point until);
    /// Sends sig.
    void signal(int sig);
    /// Waits for the exit (bounded); the exit code, or 128+signal, or nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    [[nodiscard]] const std::vector<std::string>& lines() const noexcept { return lines_; }
    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
};

/// An HTTP answer.
struct http_answer {
    unsigned status = 0;
    std::string body;
};

/// One request to 127.0.0.1:port (Connection: close); nullopt when the connection fails.
std::optional<http_answer> http_request(unsigned short port, const std::string& method, const std::string& target,
                                        const std::string& bearer = {},
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds{5000});

/// The build folder of this test binary's build (where gateway/genesis-gateway lives).
std::filesystem::path build_dir();

/// A string field of a flat JSON line ("key":"value"), or empty.
std::string json_string_field(const std::string& line, const std::string& key);

} // namespace genesis::test
