#include "genesis/config/gateway_config.hpp"

#include "genesis/config/error.hpp"
#include "genesis/config/loader.hpp"
#include "genesis/config/positions.hpp"
#include "genesis/config/reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace cfg = genesis::config;

// A fake environment, so tests never touch the real one.
cfg::env_lookup fake_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        if (auto it = vars.find(std::string(name)); it != vars.end())
            return it->second;
        return std::nullopt;
    };
}

std::vector<std::string> lines(const std::vector<cfg::diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        out.push_back(d.str());
    return out;
}

class ConfigTest : public ::testing::Test {
protected:
    cfg::env_lookup env_ = fake_env({{"GW_ID", "gw7"}, {"LOG_DIR", "/tmp/logs"}, {"EMPTY", ""}});

    cfg::loaded<cfg::gateway_config> parse(std::string_view text) {
        return cfg::parse_gateway_config(text, "sim.toml", env_);
    }
};

TEST_F(ConfigTest, parseEmptyGivesDefaults) {
    const auto r = parse("");
    ASSERT_TRUE(r.ok()) << cfg::to_string(r.errors);
    EXPECT_EQ(r.value.gateway.mode, cfg::run_mode::sim);
    EXPECT_EQ(r.value.gateway.instance_id, "gw1");
    EXPECT_FALSE(r.value.gateway.live_confirmed);
    EXPECT_EQ(r.value.gateway.data_dir, "./var");
    EXPECT_EQ(r.value.logging.level, "info");
    EXPECT_EQ(r.value.logging.fmt, genesis::log::format::text);
    EXPECT_EQ(r.value.logging.file, "");
    EXPECT_EQ(r.value.logging.queue_size, 8192u);
    EXPECT_EQ(r.value.logging.on_overflow, genesis::log::overflow::overrun_oldest);
}

TEST_F(ConfigTest, parseFullFile) {
    const auto r = parse(R"(
[gateway]
mode = "live"
instance_id = "Gw42"
live_confirmed = true
data_dir = "/srv/genesis"

[logging]
level = "debug"
format = "json"
file = "${LOG_DIR}/gw.log"
queue_size = 1024
overflow = "discard_new"
)");
    ASSERT_TRUE(r.ok()) << cfg::to_string(r.errors);
    EXPECT_EQ(r.value.gateway.mode, cfg::run_mode::live);
    EXPECT_EQ(r.value.gateway.instance_id, "Gw42");
    EXPECT_TRUE(r.value.gateway.live_confirmed);
    EXPECT_EQ(r.value.gateway.data_dir, "/srv/genesis");
    EXPECT_EQ(r.value.logging.level, "debug");
    EXPECT_EQ(r.value.logging.fmt, genesis::log::format::json);
    EXPECT_EQ(r.value.logging.file, "/tmp/logs/gw.log");
    EXPECT_EQ(r.value.logging.queue_size, 1024u);
    EXPECT_EQ(r.value.logging.on_overflow, genesis::log::overflow::discard_new);
}

TEST_F(ConfigTest, parsePartialSectionKeepsOtherDefaults) {
    const auto r = parse("[gateway]\nmode = \"paper\"\n[logging]\nlevel = \"warn\"\n");
    ASSERT_TRUE(r.ok()) << cfg::to_string(r.errors);
    EXPECT_EQ(r.value.gateway.mode, cfg::run_mode::paper);
    EXPECT_EQ(r.value.gateway.instance_id, "gw1");
    EXPECT_EQ(r.value.logging.level, "warn");
    EXPECT_EQ(r.value.logging.queue_size, 8192u);
}

TEST_F(ConfigTest, parseEnvSubstitution) {
    const auto r = parse(R"([gateway]
instance_id = "${GW_ID}"
data_dir = "a${EMPTY}b/$${NOT_ENV}"
)");
    ASSERT_TRUE(r.ok()) << cfg::to_string(r.errors);
    EXPECT_EQ(r.value.gateway.instance_id, "gw7");
    EXPECT_EQ(r.value.gateway.data_dir, "ab/${NOT_ENV}");
}

struct error_case {
    const char* name;
    const char* text;
    std::vector<std::string> expected;
};

TEST_F(ConfigTest, parseReportsEachErrorKind) {
    const std::vector<error_case> cases = {
        {"syntax error with line",
         "[logging]\nlevel = \"info\"\nqueue_size = = 3\n",
         {"sim.toml:3:14: syntax error: Error while parsing value: could not determine value type"}},
        {"syntax error: unterminated string",
         "[gateway]\nmode = \"sim\n",
         {"sim.toml:2:12: syntax error: Error while parsing string: "
          "unescaped control characters other than TAB (U+0009) "
          "are explicitly prohibited"}},
        {"wrong type",
         "[logging]\nqueue_size = \"big\"\n",
         {"sim.toml:2:14: logging.queue_size: expected a positive integer, found string \"big\""}},
        {"out of range",
         "[logging]\nqueue_size = 0\n",
         {"sim.toml:2:14: logging.queue_size: expected a positive integer, found integer 0"}},
        {"wrong type bool",
         "[gateway]\nlive_confirmed = \"yes\"\n",
         {"sim.toml:2:18: gateway.live_confirmed: expected a boolean (true or false), found string \"yes\""}},
        {"bad enum with suggestion",
         "[logging]\nlevel = \"debgu\"\n",
         {"sim.toml:2:9: logging.level: expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", "
          "\"critical\", \"off\", found string \"debgu\" (did you mean \"debug\"?)"}},
        {"bad enum without suggestion",
         "[gateway]\nmode = \"production\"\n",
         {"sim.toml:2:8: gateway.mode: expected one of \"sim\", \"paper\", \"testnet\", \"live\", "
          "found string \"production\""}},
        {"enum of wrong type",
         "[logging]\nformat = 1\n",
         {"sim.toml:2:10: logging.format: expected one of \"text\", \"json\", found integer 1"}},
        {"unknown key with suggestion",
         "[logging]\nlevle = \"info\"\n",
         {"sim.toml:2:1: unknown key 'logging.levle' (did you mean 'level'?)"}},
        {"unknown key without suggestion",
         "[gateway]\ncolour = \"blue\"\n",
         {"sim.toml:2:1: unknown key 'gateway.colour'"}},
        {"unknown section",
         "[loging]\nlevel = \"info\"\n",
         {"sim.toml:1:2: unknown section 'loging' (did you mean 'logging'?)"}},
        {"unknown top-level key", "mode = \"sim\"\n", {"sim.toml:1:1: unknown key 'mode'"}},
        {"unknown sub-table", "[logging.sinks]\nx = 1\n", {"sim.toml:1:10: unknown key 'logging.sinks'"}},
        {"section is not a table", "logging = 3\n", {"sim.toml:1:11: logging: expected a table, found integer 3"}},
        {"missing env var",
         "[logging]\nfile = \"${NOPE}/x.log\"\n",
         {"sim.toml:2:8: logging.file: environment variable 'NOPE' is not set"}},
        {"unterminated env reference",
         "[logging]\nfile = \"${NOPE\"\n",
         {"sim.toml:2:8: logging.file: unterminated ${ in string (write $${ for a literal ${)"}},
        {"invalid instance id",
         "[gateway]\ninstance_id = \"gw-01\"\n",
         {"sim.toml:2:15: gateway.instance_id: expected 1-8 characters [A-Za-z0-9], found string \"gw-01\""}},
        {"live without confirmation",
         "[gateway]\nmode = \"live\"\n",
         {"sim.toml:1:1: gateway.live_confirmed: mode \"live\" requires live_confirmed = true"}},
        {"all errors collected in file order",
         "[gateway]\nmode = \"simm\"\ninstance_id = \"much_too_long\"\n[logging]\nqueue_size = -5\nlevl = \"x\"\n",
         {"sim.toml:2:8: gateway.mode: expected one of \"sim\", \"paper\", \"testnet\", \"live\", "
          "found string \"simm\" (did you mean \"sim\"?)",
          "sim.toml:3:15: gateway.instance_id: expected 1-8 characters [A-Za-z0-9], "
          "found string \"much_too_long\"",
          "sim.toml:5:14: logging.queue_size: expected a positive integer, found integer -5",
          "sim.toml:6:1: unknown key 'logging.levl' (did you mean 'level'?)"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto r = parse(c.text);
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(lines(r.errors), c.expected);
    }
}

TEST_F(ConfigTest, parseErrorCarriesKindAndKey) {
    const auto r = parse("[logging]\nqueue_size = \"big\"\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].kind, cfg::diagnostic_kind::wrong_type);
    EXPECT_EQ(r.errors[0].key, "logging.queue_size");
    EXPECT_EQ(r.errors[0].file, "sim.toml");
    EXPECT_EQ(r.errors[0].line, 2u);
    EXPECT_EQ(r.errors[0].column, 14u);
}

// An extra section, as a later issue would add it: one parse function plus one registration.
struct risk_section {
    std::string max_notional = "1000";
    double alpha = 0.5;
    std::chrono::milliseconds window{250};
    std::int64_t max_orders = 10;
    std::vector<std::string> symbols{"BTCUSDT"};
};

struct venue_section {
    std::string name;
    std::string api_key;
    bool enabled = true;
};

struct extended_config {
    cfg::gateway_config base;
    risk_section risk;
    std::vector<venue_section> venues;
};

void parse_risk(cfg::table_reader& r, risk_section& out) {
    out.max_notional = r.get_string("max_notional", out.max_notional);
    out.alpha = r.get_double("alpha", out.alpha, 0.0, 1.0);
    out.window = r.get_duration_ms("window_ms", out.window);
    out.max_orders = r.get_int("max_orders", out.max_orders, 1, 100);
    out.symbols = r.get_string_array("symbols", out.symbols);
}

void parse_venues(cfg::table_reader& r, std::vector<venue_section>& out) {
    for (auto& [name, t] : r.tables()) {
        venue_section v;
        v.name = name;
        v.api_key = t.get_string("api_key", "");
        v.enabled = t.get_bool("enabled", v.enabled);
        out.push_back(std::move(v));
    }
}

class ConfigSectionTest : public ::testing::Test {
protected:
    extended_config cfg_;
    cfg::loader loader_{fake_env({{"BINANCE_API_KEY", "k-123"}})};

    void SetUp() override {
        cfg::register_sections(loader_, cfg_.base);
        loader_.section("risk", [this](cfg::table_reader& r) { parse_risk(r, cfg_.risk); });
        loader_.section("venues", [this](cfg::table_reader& r) { parse_venues(r, cfg_.venues); });
    }
};

TEST_F(ConfigSectionTest, parseExtraSections) {
    const auto errors = loader_.parse(R"(
[gateway]
mode = "testnet"
[risk]
max_notional = "2500.50"
alpha = 0.25
window_ms = 1500
max_orders = 7
symbols = ["BTCUSDT", "ETHUSDT"]
[venues.binance]
api_key = "${BINANCE_API_KEY}"
[venues.sim]
enabled = false
)",
                                      "ext.toml");
    ASSERT_TRUE(errors.empty()) << cfg::to_string(errors);
    EXPECT_EQ(cfg_.base.gateway.mode, cfg::run_mode::testnet);
    EXPECT_EQ(cfg_.risk.max_notional, "2500.50");
    EXPECT_DOUBLE_EQ(cfg_.risk.alpha, 0.25);
    EXPECT_EQ(cfg_.risk.window, std::chrono::milliseconds{1500});
    EXPECT_EQ(cfg_.risk.max_orders, 7);
    EXPECT_EQ(cfg_.risk.symbols, (std::vector<std::string>{"BTCUSDT", "ETHUSDT"}));
    ASSERT_EQ(cfg_.venues.size(), 2u);
    EXPECT_EQ(cfg_.venues[0].name, "binance");
    EXPECT_EQ(cfg_.venues[0].api_key, "k-123");
    EXPECT_TRUE(cfg_.venues[0].enabled);
    EXPECT_EQ(cfg_.venues[1].name, "sim");
    EXPECT_FALSE(cfg_.venues[1].enabled);
}

TEST_F(ConfigSectionTest, parseExtraSectionErrors) {
    const auto errors = loader_.parse(R"([risk]
alpha = 1.5
window_ms = -1
max_orders = 101
symbols = ["BTCUSDT", 3]
max_notionl = "5"
[venues.binance]
api_key = "${MISSING_KEY}"
enabeld = true
[venues]
oops = 1
)",
                                      "ext.toml");
    EXPECT_EQ(lines(errors), (std::vector<std::string>{
                                 "ext.toml:2:9: risk.alpha: expected a number between 0 and 1, found float 1.5",
                                 "ext.toml:3:13: risk.window_ms: expected a non-negative integer (milliseconds), "
                                 "found integer -1",
                                 "ext.toml:4:14: risk.max_orders: expected an integer between 1 and 100, "
                                 "found integer 101",
                                 "ext.toml:5:23: risk.symbols[1]: expected a string, found integer 3",
                                 "ext.toml:6:1: unknown key 'risk.max_notionl' (did you mean 'max_notional'?)",
                                 "ext.toml:8:11: venues.binance.api_key: environment variable 'MISSING_KEY' "
                                 "is not set",
                                 "ext.toml:9:1: unknown key 'venues.binance.enabeld' (did you mean 'enabled'?)",
                                 "ext.toml:11:8: venues.oops: expected a table, found integer 1",
                             }));
    // Typos never fall back silently: invalid values keep their defaults but are reported.
    EXPECT_DOUBLE_EQ(cfg_.risk.alpha, 0.5);
}

TEST_F(ConfigSectionTest, parseRecordsEveryKeyPosition) {
    cfg::key_positions at;
    const auto errors = loader_.parse(R"(# a comment
[risk]
alpha = 0.25
  symbols = ["BTCUSDT", "ETHUSDT"]
[venues.binance]
api_key = "k"
[venues."a.b"]
enabled = true
[logging]
level = "warn"
)",
                                      "ext.toml", &at);
    ASSERT_TRUE(errors.empty()) << cfg::to_string(errors);
    using pos = cfg::source_position;
    // Values where their value starts, tables at their header (as the loader's own errors point).
    EXPECT_EQ(at.exact("risk"), (pos{2, 1}));
    EXPECT_EQ(at.exact("risk.alpha"), (pos{3, 9}));
    EXPECT_EQ(at.exact("risk.symbols"), (pos{4, 13}));
    EXPECT_EQ(at.exact("risk.symbols[1]"), (pos{4, 25}));
    // [venues.binance] makes [venues] too, at the same header.
    EXPECT_EQ(at.exact("venues"), (pos{5, 1}));
    EXPECT_EQ(at.exact("venues.binance"), (pos{5, 1}));
    EXPECT_EQ(at.exact("venues.binance.api_key"), (pos{6, 11}));
    EXPECT_EQ(at.exact("venues.a.b"), (pos{7, 1})); // dotted paths join names as the errors do
    EXPECT_EQ(at.exact("venues.a.b.enabled"), (pos{8, 11}));
    EXPECT_EQ(at.exact("logging.level"), (pos{10, 9}));
    EXPECT_FALSE(at.exact("gateway"));
    EXPECT_FALSE(at.exact("risk.window_ms"));

    // An absent key falls back to its table's header; nothing in the file: no position.
    EXPECT_EQ(at.find("risk.window_ms"), (pos{2, 1}));
    EXPECT_EQ(at.find("venues.binance.enabled"), (pos{5, 1}));
    EXPECT_EQ(at.find("risk.symbols[7]"), (pos{4, 13}));
    EXPECT_FALSE(at.find("gateway.mode"));
    EXPECT_EQ(at.where("ext.toml", "risk.alpha"), "ext.toml:3:9: risk.alpha");
    EXPECT_EQ(at.where("ext.toml", "risk.window_ms"), "ext.toml:2:1: risk.window_ms");
    EXPECT_EQ(at.where("ext.toml", "gateway.mode"), "ext.toml: gateway.mode");
    EXPECT_EQ(at.where("ext.toml", "risk.max_orders", "risk.max_orders / risk.alpha"),
              "ext.toml:2:1: risk.max_orders / risk.alpha");

    // Each parse starts afresh; a syntax error leaves no positions.
    ASSERT_TRUE(loader_.parse("[gateway]\nmode = \"sim\"\n", "ext.toml", &at).empty());
    EXPECT_EQ(at.exact("gateway.mode"), (pos{2, 8}));
    EXPECT_FALSE(at.exact("risk"));
    EXPECT_EQ(loader_.parse("[gateway\n", "ext.toml", &at).size(), 1u);
    EXPECT_TRUE(at.empty());
}

TEST_F(ConfigSectionTest, sectionRejectsDuplicateRegistration) {
    EXPECT_THROW(loader_.section("risk", [](cfg::table_reader&) {}), std::invalid_argument);
    EXPECT_EQ(loader_.section_names(),
              (std::vector<std::string>{"gateway", "logging", "resilience", "risk", "venues"}));
}

// Files on disk: a unique temp dir per test, removed afterwards.
class ConfigFileTest : public ConfigTest {
protected:
    std::filesystem::path dir_;

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("genesis_config_test_" + std::to_string(::getpid()) + "_" + info->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::filesystem::path write(const std::string& name, std::string_view text) {
        const auto p = dir_ / name;
        std::ofstream(p) << text;
        return p;
    }
};

TEST_F(ConfigFileTest, loadValidFile) {
    const auto p = write("gw.toml", "[logging]\nlevel = \"error\"\n");
    const auto c = cfg::load_gateway_config(p, env_);
    EXPECT_EQ(c.logging.level, "error");
}

TEST_F(ConfigFileTest, loadThrowsConfigErrorListingEveryError) {
    const auto p = write("bad.toml", "[logging]\nqueue_size = \"big\"\nlevle = \"info\"\n");
    const std::string f = p.string();
    try {
        (void)cfg::load_gateway_config(p, env_);
        FAIL() << "expected config_error";
    } catch (const cfg::config_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  f + ":2:14: logging.queue_size: expected a positive integer, found string \"big\"\n" + f +
                      ":3:1: unknown key 'logging.levle' (did you mean 'level'?)");
        EXPECT_EQ(e.diagnostics().size(), 2u);
    }
}

TEST_F(ConfigFileTest, parseFileRecordsPositions) {
    const auto p = write("gw.toml", "\n[logging]\nlevel = \"error\"\n");
    cfg::gateway_config c;
    cfg::loader l(env_);
    cfg::register_sections(l, c);
    cfg::key_positions at;
    ASSERT_TRUE(l.parse_file(p, &at).empty());
    EXPECT_EQ(at.where(p.string(), "logging.level"), p.string() + ":3:9: logging.level");
    EXPECT_EQ(at.where(p.string(), "logging.file"), p.string() + ":2:1: logging.file");
    // An unreadable file leaves none (not the last file's).
    EXPECT_EQ(l.parse_file(dir_ / "absent.toml", &at).size(), 1u);
    EXPECT_TRUE(at.empty());
}

TEST_F(ConfigFileTest, loadMissingFile) {
    const auto p = dir_ / "absent.toml";
    const auto r = cfg::try_load_gateway_config(p, env_);
    EXPECT_EQ(lines(r.errors),
              (std::vector<std::string>{p.string() + ": cannot open file (No such file or directory)"}));
    EXPECT_EQ(r.errors.at(0).kind, cfg::diagnostic_kind::io);
}

} // namespace
