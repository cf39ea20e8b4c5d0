// An in-memory sink for tests that assert on log output.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>
#include <vector>

namespace genesis::log {

/// Keeps each formatted record as one line (trailing newline removed). Attach it with
/// log::system::add_sink, then call log::system::sync before reading.
class memory_sink final : public spdlog::sinks::base_sink<std::mutex> {
    std::vector<std::string> lines_;

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override;

public:
    /// A copy of the lines written so far.
    [[nodiscard]] std::vector<std::string> lines();
    /// All lines joined by '\n'.
    [[nodiscard]] std::string text();
    void clear();
};

} // namespace genesis::log
