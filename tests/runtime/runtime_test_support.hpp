// Helpers of the gateway end-to-end tests: a genesis-gateway child process with a config written
// by the test, bounded waits on its output lines, a tiny HTTP/1.1 client for its ops endpoint, and
// gateway_fixture, the part every end-to-end fixture shares (start, log, /status polling).
#pragma once

#include <simdjson.h>

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
    int pid_fd_ = -1; // readable once the process has exited (pidfd_open)
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
    /// Waits up to `timeout` for the process to exit; with `drain`, reads its stdout meanwhile.
    void pause(std::chrono::milliseconds timeout, bool drain = false);
    /// Waits for the exit (bounded); the exit code, or 128+signal, or nullopt on timeout. With
    /// `drain`, stdout is read meanwhile so the child never blocks on a full pipe while exiting.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout, bool drain = true);
    /// The read end of the child's stdout (-1 once it reached end of file).
    [[nodiscard]] int stdout_fd() const noexcept { return out_fd_; }
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

/// What the gateway end-to-end fixtures share: the test's folder (its config, gateway.log and
/// stderr.txt), the genesis-gateway child, its ops port, and bounded waits on its log and /status.
/// Mix it into a ::testing::Test fixture; the fixture sets `dir` and writes the config (whose
/// [logging] file must be dir/gateway.log).
class gateway_fixture {
    simdjson::dom::parser parser_; // keeps the last /status document alive

public:
    std::filesystem::path dir;
    child gw;
    unsigned short ops_port = 0;
    std::string status_text; ///< the body of the last /status answer

    /// dir = <temp>/<prefix>-<pid>-<test name> ('/' of parameterised names replaced), created empty.
    void make_test_dir(std::string_view prefix);
    /// Kills the gateway and removes dir, except for a failed test with GENESIS_KEEP_TEST_DIR set
    /// (its log and databases are kept for a look).
    void end_test(bool failed);
    /// The whole file, empty when it cannot be read.
    static std::string read_file(const std::filesystem::path& f);
    /// The last `n` characters of gateway.log.
    std::string tail_log(std::size_t n = 4000) const;
    /// Starts genesis-gateway run --config config (after `prefix`, e.g. env with LD_PRELOAD) and
    /// waits (60 s) for its "trading" line, then takes its ops port from it. Fails the test if not.
    /// Runs `prefix... genesis-gateway run --config config args...` and waits for its trading line.
    void start_gateway(const std::filesystem::path& config, std::vector<std::string> prefix = {},
                       const std::vector<std::string>& args = {});
    /// GET /status parsed; nullopt without a 200 answer or with bad JSON.
    std::optional<simdjson::dom::element> status();
    /// Polls /status (bounded) until pred holds, waiting on the gateway's output between polls
    /// (`drain` false: on its exit only, leaving stdout unread).
    bool wait_status(const std::function<bool(simdjson::dom::element)>& pred, std::chrono::milliseconds timeout,
                     bool drain = true);
    /// Waits (bounded) until gateway.log holds text at or after byte `from` (the log is asynchronous).
    bool wait_log(std::string_view text, std::chrono::milliseconds timeout, std::size_t from = 0, bool drain = true);
    /// gateway.log from the first `text` at or after byte `from` to the end of its line; empty when none.
    std::string log_line(std::string_view text, std::size_t from = 0) const;
    /// e[a][b] as an unsigned integer, 0 when absent.
    static std::uint64_t uint_at(simdjson::dom::element e, const char* a, const char* b);
    /// A health component of /status ("breaker.rest0", "db.replica.1"...): its health and reason.
    struct component {
        std::string health, reason;
    };
    static std::optional<component> component_of(simdjson::dom::element status, std::string_view name);
};

/// A [strategies.NAME] table running the sample market maker (its .so at `so_path`) on BTCUSDT with
/// genesis-sim's tick and step sizes; `extra` goes into the table, before its params.
std::string market_maker_toml(const std::string& name, const std::string& so_path, const std::string& extra = {});

/// A string field of a flat JSON line ("key":"value"), or empty.
std::string json_string_field(const std::string& line, const std::string& key);

} // namespace genesis::test
