// genesis-sim as a child process of the gateway (mode "sim"): started with its own process group
// (so a terminal's Ctrl-C reaches the gateway alone, which cancels its orders on the sim before
// stopping it) and a parent-death signal (a killed gateway never leaves a sim behind).
#pragma once

#include "genesis/core/error.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace genesis::gateway::runtime {

/// What the sim announced on its ready line.
struct sim_endpoints {
    std::vector<std::string> rest;
    std::string ws_streams;
    std::string ws_api;
    std::string control;
    std::string ca_file;
};

/// Parses genesis-sim's ready line ({"event":"ready","rest":[...],...}); nullopt when malformed.
[[nodiscard]] std::optional<sim_endpoints> parse_sim_ready(std::string_view line);

class sim_process {
    pid_t pid_ = -1;
    sim_endpoints endpoints_;

public:
    sim_process() = default;
    /// Stops the child (SIGTERM, then SIGKILL after the grace period).
    ~sim_process();
    sim_process(const sim_process&) = delete;
    sim_process& operator=(const sim_process&) = delete;

    /// Starts `executable args...` and waits up to `timeout` for its ready line. The error message
    /// (in `why`) says what failed: not found, exited early (with its status), no ready line.
    /// The child's stderr goes to log_file when given (appended).
    [[nodiscard]] bool start(const std::filesystem::path& executable, const std::vector<std::string>& args,
                             std::chrono::milliseconds timeout, std::string& why,
                             const std::filesystem::path& log_file = {});
    /// SIGTERM, wait up to grace, then SIGKILL. Idempotent.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000});

    [[nodiscard]] const sim_endpoints& endpoints() const noexcept { return endpoints_; }
    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
};

} // namespace genesis::gateway::runtime
