#include <genesis/log/memory_sink.hpp>

namespace genesis::log {

void memory_sink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    std::string line(buf.data(), buf.size());
    if (!line.empty() && line.back() == '\n')
        line.pop_back();
    lines_.push_back(std::move(line));
}

void memory_sink::flush_() {}

std::vector<std::string> memory_sink::lines() {
    std::lock_guard lock(mutex_);
    return lines_;
}

std::string memory_sink::text() {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& l : lines_) {
        out += l;
        out += '\n';
    }
    return out;
}

void memory_sink::clear() {
    std::lock_guard lock(mutex_);
    lines_.clear();
}

} // namespace genesis::log
