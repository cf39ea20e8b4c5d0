// The [resilience] section: breaker defaults and per-breaker overrides, predictor, hedging and
// the priority processor.
#pragma once

#include "genesis/config/reader.hpp"
#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/resilience/predictor.hpp"
#include "genesis/resilience/priority_processor.hpp"

#include <map>
#include <string>

namespace genesis::config {

/// Settings of the resilience layer.
struct resilience_config {
    /// [resilience.breaker]: every breaker starts from these.
    resilience::breaker_options breaker_defaults;
    /// [resilience.breakers.NAME]: a named breaker's settings (defaults, then its own keys).
    std::map<std::string, resilience::breaker_options, std::less<>> breakers;
    /// [resilience.predictor]
    resilience::predictor_options predictor;
    /// [resilience.executor]: hedging and its budget.
    resilience::executor_options executor;
    /// [resilience.processor]
    resilience::priority_processor_config processor;

    /// The options of breaker `name`: its own section when there is one, else the defaults.
    const resilience::breaker_options& breaker(std::string_view name) const;
};

/// Reads [resilience] into out (keys absent keep out's values).
void parse_resilience_section(table_reader& r, resilience_config& out);

} // namespace genesis::config
