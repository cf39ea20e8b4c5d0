// The single sink of every logger: formats once, redacts, then fans out (private header).
#pragma once

#include <genesis/log/redactor.hpp>

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace genesis::log::detail {

// Inner sinks receive a record whose payload is the final, redacted line (with its eol)
// and write it through a raw_formatter, so no sink sees unredacted text, whatever its
// formatter or whether it reads the payload directly.
class redacting_sink final : public spdlog::sinks::sink {
    std::mutex mutex_;
    std::unique_ptr<spdlog::formatter> formatter_;
    std::shared_ptr<const redactor> redactor_;
    std::vector<spdlog::sink_ptr> sinks_;
    spdlog::memory_buf_t buf_;
    std::string scratch_;

public:
    redacting_sink(std::unique_ptr<spdlog::formatter> formatter, std::shared_ptr<const redactor> r);

    // Attaches an output; its formatter is replaced by a raw one.
    void add_sink(spdlog::sink_ptr output);

    void log(const spdlog::details::log_msg& msg) override;
    void flush() override;
    void set_pattern(const std::string& pattern) override;
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;
};

} // namespace genesis::log::detail
