// Options of the logging system, filled from the [logging] config section.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::log {

/// How each record is written.
enum class format { text, json };

/// What the async queue does when it is full. Never `block` on the trading path.
enum class overflow { overrun_oldest, discard_new };

struct options {
    /// Minimum level: trace, debug, info, warn, error, critical, off.
    std::string level = "info";
    format fmt = format::text;
    /// Empty: standard error. Otherwise the path of a log file (appended).
    std::string file;
    /// Records held by the async queue.
    std::size_t queue_size = 8192;
    overflow on_overflow = overflow::overrun_oldest;
    /// Outputs are flushed at least this often (a killed process loses at most this much of its
    /// log); 0: only on error records, sync() and shutdown.
    std::chrono::milliseconds flush_interval{1000};
    /// CPUs the logging thread and its flusher may run on; empty: any ([threads] log in the
    /// gateway's config, not [logging]).
    std::vector<unsigned> cpus;
};

/// True if `level` names a level accepted by options::level
/// (trace, debug, info, warn|warning, error|err, critical, off).
[[nodiscard]] bool is_valid_level(std::string_view level) noexcept;

} // namespace genesis::log
