// Forward declarations for code that stores or passes loggers without logging itself.
#pragma once

#include <spdlog/fwd.h>

#include <memory>

namespace genesis::log {

/// A named component logger ("ws.binance", "rest", "db", "risk"), handed out by log::system.
using logger_ptr = std::shared_ptr<spdlog::logger>;

/// An extra output attached to log::system (file, memory, ...).
using sink_ptr = std::shared_ptr<spdlog::sinks::sink>;

class system;
class redactor;

} // namespace genesis::log
