// The gateway's configuration: the [gateway] and [logging] sections.
#pragma once

#include "genesis/config/loader.hpp"
#include "genesis/config/resilience_config.hpp"
#include "genesis/log/options.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace genesis::config {

/// Where orders go (ARCHITECTURE.md "Modes").
enum class run_mode { sim, paper, testnet, live };

/// "sim", "paper", "testnet" or "live".
[[nodiscard]] std::string_view to_string(run_mode m) noexcept;

/// [gateway]
struct gateway_section {
    run_mode mode = run_mode::sim;
    /// Client-order-id prefix: 1-8 characters [A-Za-z0-9].
    std::string instance_id = "gw1";
    /// Must be true for mode = "live".
    bool live_confirmed = false;
    std::string data_dir = "./var";
};

struct gateway_config {
    gateway_section gateway;
    log::options logging;
    resilience_config resilience;
};

/// Parses [gateway] into `out`.
void parse_gateway_section(table_reader& r, gateway_section& out);

/// Parses [logging] into `out`.
void parse_logging_section(table_reader& r, log::options& out);

/// Registers every section of gateway_config on `l`; `cfg` must outlive the loader's runs.
void register_sections(loader& l, gateway_config& cfg);

/// Parses TOML text (`file_name` is used in messages). Non-throwing.
[[nodiscard]] loaded<gateway_config> parse_gateway_config(std::string_view text, std::string_view file_name,
                                                          env_lookup env = process_environment());

/// Reads and parses a file. Non-throwing.
[[nodiscard]] loaded<gateway_config> try_load_gateway_config(const std::filesystem::path& file,
                                                             env_lookup env = process_environment());

/// Reads and parses a file; throws config_error listing every error (start-up only).
[[nodiscard]] gateway_config load_gateway_config(const std::filesystem::path& file,
                                                 env_lookup env = process_environment());

} // namespace genesis::config
