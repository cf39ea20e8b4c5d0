#include "genesis/gateway/runtime/resource_manager.hpp"

#include <cmath>

namespace genesis::gateway::runtime {

std::string_view to_string(resource_stage s) noexcept {
    switch (s) {
    case resource_stage::normal: return "normal";
    case resource_stage::shed_telemetry: return "shed_telemetry";
    case resource_stage::conflate_books: return "conflate_books";
    }
    return "normal";
}

bool resource_manager::update(const resource_sample& s) {
    if (have_last_ && s.at > last_at_) {
        const double wall = static_cast<double>((s.at - last_at_).count()) / 1e9;
        cpu_percent_ = 100.0 * (s.cpu_seconds - last_cpu_) / wall;
    }
    have_last_ = true;
    last_at_ = s.at;
    last_cpu_ = s.cpu_seconds;

    // Over a limit: pressure. Under 90% of every limit: calm. In between: hold the stage.
    pressure_.clear();
    bool calm = true;
    const auto check = [&](bool on, double value, double limit, const char* what, const char* unit) {
        if (!on)
            return;
        if (value > limit)
            pressure_ += (pressure_.empty() ? "" : ", ") + std::string(what) + " " +
                         std::to_string(std::llround(value)) + unit + " > " + std::to_string(std::llround(limit)) +
                         unit;
        if (value > 0.9 * limit)
            calm = false;
    };
    check(limits_.max_rss_bytes != 0, static_cast<double>(s.rss_bytes >> 20),
          static_cast<double>(limits_.max_rss_bytes >> 20), "rss", " MiB");
    check(limits_.max_cpu_percent != 0 && cpu_percent_ > 0, cpu_percent_, limits_.max_cpu_percent, "cpu", "%");
    check(limits_.max_book_queue != 0, static_cast<double>(s.book_queue), static_cast<double>(limits_.max_book_queue),
          "book queue", "");

    const auto before = stage_;
    if (!pressure_.empty()) {
        // One stage per reading: telemetry goes first; books are conflated only if that was not enough.
        if (stage_ != resource_stage::conflate_books)
            stage_ = static_cast<resource_stage>(static_cast<int>(stage_) + 1);
    } else if (calm && stage_ != resource_stage::normal) {
        stage_ = static_cast<resource_stage>(static_cast<int>(stage_) - 1);
    }
    return stage_ != before;
}

} // namespace genesis::gateway::runtime
