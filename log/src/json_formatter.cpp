#include "json_formatter.hpp"

#include "json_escape.hpp"
#include "level.hpp"

#include <spdlog/details/log_msg.h>

#include <chrono>

namespace genesis::log::detail {

void json_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    using namespace std::chrono;
    const auto since_epoch = msg.time.time_since_epoch();
    const auto secs = duration_cast<seconds>(since_epoch);
    const auto micros = duration_cast<microseconds>(since_epoch - secs).count();
    const std::time_t t = secs.count();
    // Calendar conversion is the costly part; records within one second share it.
    if (t != cached_secs_) {
        std::tm tm{};
        gmtime_r(&t, &tm);
        std::strftime(cached_, sizeof cached_, "%Y-%m-%dT%H:%M:%S", &tm);
        cached_secs_ = t;
    }
    fmt::format_to(std::back_inserter(dest), R"({{"ts":"{}.{:06}Z","level":"{}","logger":")", cached_, micros,
                   level_name(msg.level));
    append_json_escaped(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
    const std::string_view mid = R"(","msg":")";
    dest.append(mid.data(), mid.data() + mid.size());
    append_json_escaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    const std::string_view tail = "\"}\n";
    dest.append(tail.data(), tail.data() + tail.size());
}

std::unique_ptr<spdlog::formatter> json_formatter::clone() const { return std::make_unique<json_formatter>(); }

void raw_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
}

std::unique_ptr<spdlog::formatter> raw_formatter::clone() const { return std::make_unique<raw_formatter>(); }

} // namespace genesis::log::detail
