#include "genesis/config/gateway_config.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace genesis::config {

std::string_view to_string(run_mode m) noexcept {
    switch (m) {
    case run_mode::sim: return "sim";
    case run_mode::paper: return "paper";
    case run_mode::testnet: return "testnet";
    case run_mode::live: return "live";
    }
    return "sim";
}

namespace {

// The id prefixes every client order id, so it must stay short and exchange-safe.
bool valid_instance_id(std::string_view id) {
    return !id.empty() && id.size() <= 8 &&
           std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

} // namespace

void parse_gateway_section(table_reader& r, gateway_section& out) {
    out.mode = r.get_enum(
        "mode", out.mode,
        {{"sim", run_mode::sim}, {"paper", run_mode::paper}, {"testnet", run_mode::testnet}, {"live", run_mode::live}});
    std::string id = r.get_string("instance_id", out.instance_id);
    if (valid_instance_id(id)) {
        out.instance_id = std::move(id);
    } else {
        r.reject("instance_id", "1-8 characters [A-Za-z0-9]");
    }
    out.live_confirmed = r.get_bool("live_confirmed", out.live_confirmed);
    out.data_dir = r.get_string("data_dir", out.data_dir);
    if (out.data_dir.empty())
        r.reject("data_dir", "a non-empty path");

    // Real money needs an explicit, written confirmation next to the mode.
    if (out.mode == run_mode::live && !out.live_confirmed) {
        r.error("live_confirmed", "mode \"live\" requires live_confirmed = true");
    }
}

void parse_logging_section(table_reader& r, log::options& out) {
    out.level = r.get_choice("level", out.level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
    out.fmt = r.get_enum("format", out.fmt, {{"text", log::format::text}, {"json", log::format::json}});
    out.file = r.get_string("file", out.file);
    out.queue_size = static_cast<std::size_t>(r.get_int("queue_size", static_cast<std::int64_t>(out.queue_size), 1));
    out.on_overflow =
        r.get_enum("overflow", out.on_overflow,
                   {{"overrun_oldest", log::overflow::overrun_oldest}, {"discard_new", log::overflow::discard_new}});
}

void register_sections(loader& l, gateway_config& cfg) {
    // One line per section: later sections register here (or on the same loader) the same way.
    l.section("gateway", [&cfg](table_reader& r) { parse_gateway_section(r, cfg.gateway); });
    l.section("logging", [&cfg](table_reader& r) { parse_logging_section(r, cfg.logging); });
    l.section("resilience", [&cfg](table_reader& r) { parse_resilience_section(r, cfg.resilience); });
}

loaded<gateway_config> parse_gateway_config(std::string_view text, std::string_view file_name, env_lookup env) {
    loaded<gateway_config> out;
    loader l(std::move(env));
    register_sections(l, out.value);
    out.errors = l.parse(text, file_name);
    return out;
}

loaded<gateway_config> try_load_gateway_config(const std::filesystem::path& file, env_lookup env) {
    loaded<gateway_config> out;
    loader l(std::move(env));
    register_sections(l, out.value);
    out.errors = l.parse_file(file);
    return out;
}

gateway_config load_gateway_config(const std::filesystem::path& file, env_lookup env) {
    auto out = try_load_gateway_config(file, std::move(env));
    if (!out.ok())
        throw config_error(std::move(out.errors));
    return std::move(out.value);
}

} // namespace genesis::config
