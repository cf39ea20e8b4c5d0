// libFuzzer target for the TOML config loader: arbitrary text through the gateway's sections and
// the sim's. parse() reports every problem as a diagnostic and never throws, so any exception
// that escapes (config_error or other) is a finding; so is an error without a message.
#include "genesis/config/loader.hpp"

#include "fuzz_check.hpp"
#include "genesis/config/gateway_config.hpp"
#include "genesis/sim/server/config_file.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace genesis;

/// A fixed environment, so that a crash reproduces: ${GENESIS_FUZZ} is set, the rest are not.
std::optional<std::string> fuzz_env(std::string_view name) {
    if (name == "GENESIS_FUZZ")
        return std::string("value");
    return std::nullopt;
}

void check_diagnostics(const std::vector<config::diagnostic>& errors) {
    for (const auto& d : errors) {
        GENESIS_FUZZ_CHECK(!d.message.empty());
        (void)d.str();
    }
    (void)config::to_string(errors);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // The gateway's file: [gateway], [logging], [resilience].
    const auto gw = config::parse_gateway_config(text, "gateway.toml", fuzz_env);
    check_diagnostics(gw.errors);

    // The sim's file, through a loader of its own: [server], [websocket], [rate_limits], ...
    sim::server::sim_settings settings;
    config::loader sim_loader(fuzz_env);
    sim::server::register_sim_sections(sim_loader, settings);
    check_diagnostics(sim_loader.parse(text, "sim.toml"));
    return 0;
}
