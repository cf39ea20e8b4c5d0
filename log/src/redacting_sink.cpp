#include "redacting_sink.hpp"

#include "json_formatter.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <exception>

namespace genesis::log::detail {

redacting_sink::redacting_sink(std::unique_ptr<spdlog::formatter> formatter, std::shared_ptr<const redactor> r)
        : formatter_(std::move(formatter)), redactor_(std::move(r)) {}

void redacting_sink::add_sink(spdlog::sink_ptr output) {
    output->set_formatter(std::make_unique<raw_formatter>());
    std::lock_guard lock(mutex_);
    sinks_.push_back(std::move(output));
}

void redacting_sink::log(const spdlog::details::log_msg& msg) {
    std::lock_guard lock(mutex_);
    buf_.clear();
    formatter_->format(msg, buf_);
    std::string_view text(buf_.data(), buf_.size());
    // Fast path: most records hold no key word and no registered secret.
    if (redactor_->may_contain_secret(text)) {
        scratch_.assign(text);
        redactor_->redact(scratch_);
        text = scratch_;
    }
    spdlog::details::log_msg out = msg;
    out.payload = spdlog::string_view_t(text.data(), text.size());
    out.color_range_start = 0;
    out.color_range_end = 0;
    // One failing output must not starve the others; report the first failure afterwards.
    std::exception_ptr failure;
    for (const auto& output : sinks_) {
        if (!output->should_log(out.level))
            continue;
        try {
            output->log(out);
        } catch (...) {
            if (!failure)
                failure = std::current_exception();
        }
    }
    if (failure)
        std::rethrow_exception(failure);
}

void redacting_sink::flush() {
    std::lock_guard lock(mutex_);
    std::exception_ptr failure;
    for (const auto& output : sinks_) {
        try {
            output->flush();
        } catch (...) {
            if (!failure)
                failure = std::current_exception();
        }
    }
    if (failure)
        std::rethrow_exception(failure);
}

void redacting_sink::set_pattern(const std::string& pattern) {
    set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
}

void redacting_sink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
    std::lock_guard lock(mutex_);
    formatter_ = std::move(formatter);
}

} // namespace genesis::log::detail
