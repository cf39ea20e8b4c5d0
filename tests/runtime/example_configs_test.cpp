// Every example config in config/ loads without an error (with the variables it names set), with
// every section the gateway registers (config/'s own tests cover [gateway] and [logging] alone).
#include "genesis/gateway/runtime/runtime_config.hpp"

#include "genesis/config/error.hpp"
#include "genesis/config/loader.hpp"

#include <gtest/gtest.h>

namespace genesis::gateway::runtime {
namespace {

TEST(ExampleConfigsTest, loadEveryExample) {
    const auto env = [](std::string_view name) -> std::optional<std::string> {
        return "value-of-" + std::string(name);
    };
    for (const char* name : {"sim.toml", "testnet.toml", "paper-testnet.toml"}) {
        runtime_config cfg;
        config::loader l(env);
        register_runtime_sections(l, cfg);
        register_component_sections(l, cfg);
        const auto file = std::filesystem::path(GENESIS_SOURCE_DIR) / "config" / name;
        const auto errors = l.parse_file(file, &cfg.positions);
        EXPECT_TRUE(errors.empty()) << name << ": " << config::to_string(errors);
        EXPECT_EQ(finish_runtime_config(cfg, file), "") << name;
        EXPECT_FALSE(cfg.strategies.empty()) << name;
        EXPECT_TRUE(cfg.positions.exact("gateway.mode")) << name;
        EXPECT_EQ(cfg.base.logging.queue_size, 8192u) << name;
    }
}

} // namespace
} // namespace genesis::gateway::runtime
