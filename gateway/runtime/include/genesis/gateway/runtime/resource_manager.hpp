// ResourceManager: the gateway's answer to running short of memory, CPU or queue room. It reads
// one sample per tick and decides how much to give up, in stages: first telemetry (the terminal
// status line), then, if the pressure is still there at the next sample, book updates to
// strategies are conflated (the books themselves stay exact; strategies see the latest book once
// per tick). Orders and control (P0/P1) are never touched: no stage drops or delays them.
// Back under 90% of every limit it steps down one stage per sample.
#pragma once

#include "genesis/core/clock.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace genesis::gateway::runtime {

/// The limits ([resources]). 0 turns a limit off.
struct resource_limits {
    std::uint64_t max_rss_bytes = 2048ull << 20;
    /// Process CPU (all threads) over the last sample interval, in percent of one core.
    std::uint32_t max_cpu_percent = 0;
    /// Queued book deltas (P3).
    std::size_t max_book_queue = 2000;
};

/// One reading.
struct resource_sample {
    time_point at; ///< monotonic
    std::uint64_t rss_bytes = 0;
    double cpu_seconds = 0; ///< user + system since the process started
    std::size_t book_queue = 0;
};

/// What the gateway gives up, in order.
enum class resource_stage : std::uint8_t {
    normal,         ///< nothing shed
    shed_telemetry, ///< the terminal status line is not printed
    conflate_books, ///< and book updates to strategies are conflated
};

std::string_view to_string(resource_stage s) noexcept;

class resource_manager {
    resource_limits limits_;
    resource_stage stage_ = resource_stage::normal;
    time_point last_at_{};
    double last_cpu_ = 0;
    bool have_last_ = false;
    double cpu_percent_ = 0;
    std::string pressure_;

public:
    explicit resource_manager(resource_limits limits) : limits_(limits) {}

    /// Takes one reading; returns true when the stage changed.
    bool update(const resource_sample& s);

    [[nodiscard]] resource_stage stage() const noexcept { return stage_; }
    [[nodiscard]] bool shedding_telemetry() const noexcept { return stage_ >= resource_stage::shed_telemetry; }
    [[nodiscard]] bool conflating_books() const noexcept { return stage_ >= resource_stage::conflate_books; }
    /// CPU over the last interval, percent of one core (0 before the second sample).
    [[nodiscard]] double cpu_percent() const noexcept { return cpu_percent_; }
    /// Which limits the last reading was above ("rss 2100 MiB > 2048", ...), empty when none.
    [[nodiscard]] const std::string& pressure() const noexcept { return pressure_; }
};

} // namespace genesis::gateway::runtime
