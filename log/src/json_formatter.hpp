// One JSON object per record: {"ts","level","logger","msg"} (private header).
#pragma once

#include <spdlog/formatter.h>

#include <ctime>

namespace genesis::log::detail {

class json_formatter final : public spdlog::formatter {
    // "YYYY-MM-DDTHH:MM:SS" of cached_secs_, rebuilt once per second.
    std::time_t cached_secs_ = -1;
    char cached_[32] = {};

public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

// Writes the payload unchanged: the record was formatted and redacted upstream.
class raw_formatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

} // namespace genesis::log::detail
