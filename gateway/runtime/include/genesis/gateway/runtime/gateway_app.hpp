// The genesis-gateway process: wires the venue (REST through the resilience executor, market and
// user WebSocket feeds), the PriorityProcessor, books, risk, the OMS and its database, the strategy
// host, checkpoints, health, the ops endpoint and the terminal status, and runs until stopped.
//
// Threads (ARCHITECTURE.md): one I/O thread runs the io_context (every socket and timer); one
// processing thread drains the PriorityProcessor and runs books, risk, OMS and strategies; the
// database has its own thread. main() only starts, waits and stops.
#pragma once

#include "genesis/gateway/runtime/runtime_config.hpp"

#include <filesystem>
#include <memory>

namespace genesis::log {
class system;
}

namespace genesis::gateway::runtime {

/// run()'s exit code after a stop on a failing database (the journal or the final checkpoint
/// failed): what was committed before the failure is kept, the next start recovers the rest.
inline constexpr int exit_storage_failure = 3;
/// run()'s exit code after a forced stop: a second SIGINT/SIGTERM, or a stop that did not end
/// within shutdown.hard_limit_ms. The process ends at once, without its final checkpoint; the next
/// start restores the last checkpoint, replays the journal and reconciles with the exchange.
inline constexpr int exit_forced_stop = 4;

class gateway_app {
public:
    /// The wiring (src/app_impl.hpp), shared by the runtime's source files.
    struct impl;

private:
    std::unique_ptr<impl> impl_;

public:
    /// build_dir: the build folder (parent of the executable's folder): default genesis-sim and
    /// relative strategy paths are found under it. logs must outlive the app.
    gateway_app(runtime_config cfg, std::filesystem::path config_file, std::filesystem::path build_dir,
                log::system& logs);
    ~gateway_app();
    gateway_app(const gateway_app&) = delete;
    gateway_app& operator=(const gateway_app&) = delete;

    /// Starts everything, runs until SIGINT/SIGTERM (or request_stop()), shuts down in order and
    /// returns the exit code: 0 after a clean stop, 1 when start-up failed (the reason is logged
    /// and printed on stderr; a damaged primary database file is one), exit_storage_failure (3) after
    /// a stop with the database unhealthy or the final checkpoint failed (also logged and printed).
    /// A forced stop (exit_forced_stop) ends the process from inside run() with std::_Exit.
    int run();
    /// Asks run() to shut down (any thread).
    void request_stop();
};

} // namespace genesis::gateway::runtime
