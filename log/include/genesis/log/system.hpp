// The logging system: one async worker with a bounded queue, named per-component loggers,
// and redaction of secrets on every output.
#pragma once

#include <genesis/log/fwd.hpp>
#include <genesis/log/options.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace genesis::log {

/// Owns the logging thread and its queue. Create it first in main and destroy it last;
/// components receive loggers from get() by injection and never look them up.
/// Logging never blocks: a full queue overruns the oldest record or discards the new one,
/// as options::on_overflow says. Records logged after shutdown are dropped and counted.
class system {
    struct impl;
    std::unique_ptr<impl> impl_;

    void start_flusher(std::chrono::milliseconds every, const std::vector<unsigned>& cpus);

public:
    /// Throws std::invalid_argument for an unknown level or a zero queue size, and
    /// spdlog::spdlog_ex if the log file cannot be opened (startup only).
    explicit system(const options& opts);
    /// Drains the queue, joins the worker and flushes every output.
    ~system();
    system(const system&) = delete;
    system& operator=(const system&) = delete;

    /// The logger named `name` ("ws.binance", "rest", "db", "risk"), created on first use
    /// at the system level. Takes a lock: call at startup and inject the result.
    [[nodiscard]] logger_ptr get(std::string_view name);

    /// Masks `value` (API key, secret) as "***" in every record from now on.
    void add_secret(std::string_view value);
    /// Registers the value of environment variable `name`; false if unset or empty.
    bool add_secret_from_env(const char* name);

    /// Attaches an output (file, memory_sink, ...). It receives formatted, redacted lines;
    /// its own formatter is replaced by a pass-through one.
    void add_sink(sink_ptr sink);

    /// Sets the level of every logger, present and future. Throws std::invalid_argument.
    void set_level(std::string_view level);

    /// Waits until every record logged before the call has been written and the outputs
    /// flushed, or until `timeout`; false on timeout or after shutdown. Its marker waits for
    /// room in a full queue instead of overrunning a record: not for the trading path.
    [[nodiscard]] bool sync(std::chrono::milliseconds timeout);

    /// Records lost so far: overrun by the queue, discarded when full, or logged after shutdown.
    [[nodiscard]] std::size_t dropped() const;

    /// Drains the queue, joins the worker and flushes. Idempotent; the destructor calls it.
    void shutdown() noexcept;
};

} // namespace genesis::log
