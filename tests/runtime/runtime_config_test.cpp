#include "genesis/gateway/runtime/runtime_config.hpp"

#include "genesis/config/error.hpp"
#include "genesis/config/loader.hpp"
#include "genesis/core/thread.hpp"
#include "genesis/gateway/runtime/sim_process.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

namespace genesis::gateway::runtime {
namespace {

config::env_lookup fake_env(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        if (auto it = vars.find(std::string(name)); it != vars.end())
            return it->second;
        return std::nullopt;
    };
}

class RuntimeConfigTest : public ::testing::Test {
protected:
    runtime_config cfg;
    std::vector<config::diagnostic> parse(std::string_view text) {
        cfg = {};
        config::loader l(fake_env({{"KEY", "k-from-env"}, {"SECRET", "s-from-env"}, {"EMPTY", ""}}));
        register_runtime_sections(l, cfg);
        register_component_sections(l, cfg);
        // As genesis-gateway run does: the checks after parsing name the line through them.
        return l.parse(text, "gw.toml", &cfg.positions);
    }
};

// The text up to the first ": mode", ": no breaker", ...: where an error says it is.
std::string located(const std::string& e, std::string_view rest) {
    const auto at = e.find(rest);
    return at == std::string::npos ? "(\"" + std::string(rest) + "\" not in: " + e + ")" : e.substr(0, at);
}

TEST_F(RuntimeConfigTest, parseDefaultsAndSimCredentials) {
    ASSERT_TRUE(parse("").empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    EXPECT_EQ(cfg.venue.api_key, "sim-test-api-key");
    ASSERT_EQ(cfg.venue.symbols.size(), 1u);
    EXPECT_EQ(cfg.venue.symbols[0].str(), "BTCUSDT");
    EXPECT_TRUE(cfg.venue.rest_urls.empty()); // the spawned sim's URLs are used
    EXPECT_TRUE(cfg.strategies.empty());
}

TEST_F(RuntimeConfigTest, parseStrategiesWithFreeFormParams) {
    const auto errors = parse(R"(
[strategies.mm]
path = "strategies/genesis_market_maker.so"
timer_ms = 250
on_reload = "keep"
[strategies.mm.params]
symbol = "BTCUSDT"
quote_qty = "0.001"
levels = 3
skew = 0.5
enabled = true
)");
    ASSERT_TRUE(errors.empty()) << config::to_string(errors);
    ASSERT_EQ(cfg.strategies.size(), 1u);
    const auto& s = cfg.strategies[0];
    EXPECT_EQ(s.name, "mm");
    EXPECT_EQ(s.timer, std::chrono::milliseconds{250});
    EXPECT_FALSE(s.cancel_on_reload);
    const std::vector<std::pair<std::string, std::string>> want{
        {"enabled", "true"}, {"levels", "3"}, {"quote_qty", "0.001"}, {"skew", "0.5"}, {"symbol", "BTCUSDT"}};
    EXPECT_EQ(s.params, want);
}

TEST_F(RuntimeConfigTest, parseErrorsNameFileLineAndKey) {
    const auto errors = parse("[venue]\nsymbols = [\"btcusdt\"]\n\n[strategies.x]\ntimer_ms = "
                              "0\n[persistence]\ndurability = \"sometimes\"\n");
    ASSERT_EQ(errors.size(), 4u) << config::to_string(errors);
    const auto text = config::to_string(errors);
    EXPECT_NE(text.find("gw.toml:2:"), std::string::npos) << text;
    EXPECT_NE(text.find("venue.symbols"), std::string::npos) << text;
    EXPECT_NE(text.find("strategies.x.path"), std::string::npos) << text;
    EXPECT_NE(text.find("strategies.x.timer_ms"), std::string::npos) << text;
    EXPECT_NE(text.find("persistence.durability"), std::string::npos) << text;
}

TEST_F(RuntimeConfigTest, orderEntryIsRestOrWs) {
    ASSERT_TRUE(parse("").empty());
    EXPECT_EQ(cfg.venue.order_entry, "rest");
    ASSERT_TRUE(parse("[venue]\norder_entry = \"ws\"\n").empty());
    EXPECT_EQ(cfg.venue.order_entry, "ws");
    const auto errors = parse("[venue]\n\norder_entry = \"fix\"\n");
    ASSERT_EQ(errors.size(), 1u) << config::to_string(errors);
    const auto text = config::to_string(errors);
    EXPECT_NE(text.find("gw.toml:3:"), std::string::npos) << text;
    EXPECT_NE(text.find("venue.order_entry"), std::string::npos) << text;
}

TEST_F(RuntimeConfigTest, threadsTakeCpusTheProcessMayUse) {
    const auto allowed = allowed_cpus();
    ASSERT_FALSE(allowed.empty());
    const auto first = std::to_string(allowed.front());
    const auto last = std::to_string(allowed.back());
    auto errors = parse("[threads]\nprocessing = [" + first + "]\nio = [" + last + ", " + last + "]\ndatabase = [" +
                        last + "]\n");
    ASSERT_TRUE(errors.empty()) << config::to_string(errors);
    EXPECT_EQ(cfg.threads.processing, std::vector<unsigned>{allowed.front()});
    EXPECT_EQ(cfg.threads.io, std::vector<unsigned>{allowed.back()}); // duplicates kept once
    EXPECT_EQ(cfg.threads.database, std::vector<unsigned>{allowed.back()});
    EXPECT_TRUE(cfg.threads.log.empty()); // absent: unpinned

    // A CPU this process may not use, an id past CPU_SETSIZE, a scalar instead of an array.
    const auto absent = std::to_string(allowed.back() + 64);
    errors = parse("[threads]\nprocessing = [" + absent + "]\nio = [" + first + ", 5000]\ndatabase = 1\n");
    ASSERT_EQ(errors.size(), 3u) << config::to_string(errors);
    const auto text = config::to_string(errors);
    EXPECT_NE(text.find("gw.toml:2:14: threads.processing: CPU " + absent + " is not one this process may run on"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("gw.toml:3:"), std::string::npos) << text;
    EXPECT_NE(text.find("threads.io[1]"), std::string::npos) << text;
    EXPECT_NE(text.find("gw.toml:4:"), std::string::npos) << text;
    EXPECT_NE(text.find("threads.database: expected an array of integers"), std::string::npos) << text;
    EXPECT_TRUE(cfg.threads.processing.empty());
    EXPECT_TRUE(cfg.threads.io.empty());
}

TEST_F(RuntimeConfigTest, finishRequiresKeysOutsideSim) {
    ASSERT_TRUE(parse("[gateway]\nmode = \"testnet\"\n").empty());
    const auto e = finish_runtime_config(cfg, "gw.toml");
    EXPECT_NE(e.find("venue.api_key"), std::string::npos) << e;
    ASSERT_TRUE(
        parse("[gateway]\nmode = \"testnet\"\n[venue]\napi_key = \"${KEY}\"\napi_secret = \"${SECRET}\"\n").empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    EXPECT_EQ(cfg.venue.api_key, "k-from-env");
    EXPECT_EQ(cfg.venue.rest_urls.front(), "https://testnet.binance.vision");
    EXPECT_EQ(cfg.venue.ws_api_url, "wss://ws-api.testnet.binance.vision/ws-api/v3");
}

TEST_F(RuntimeConfigTest, finishRefusesBreakerOverridesNamingNoBreaker) {
    // A typo must not leave the default in force silently.
    ASSERT_TRUE(parse("[resilience.breakers.\"binance.rest\"]\nfailure_threshold = 1\n").empty());
    auto e = finish_runtime_config(cfg, "gw.toml");
    EXPECT_NE(e.find("gw.toml:1:1: resilience.breakers.binance.rest: no breaker has this name"), std::string::npos)
        << e;
    // One per URL: two URLs have rest0 and rest1, not rest2.
    const std::string urls = "[venue]\nrest_urls = [\"https://127.0.0.1:1\", \"https://127.0.0.1:2\"]\n"
                             "ws_streams_url = \"wss://127.0.0.1:3\"\nws_api_url = \"wss://127.0.0.1:4\"\n";
    ASSERT_TRUE(parse(urls + "[resilience.breakers.rest1]\nfailure_threshold = 1\n").empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    EXPECT_EQ(cfg.base.resilience.breaker("rest1").failure_threshold, 1u);
    ASSERT_TRUE(parse(urls + "[resilience.breakers.rest2]\nfailure_threshold = 1\n").empty());
    e = finish_runtime_config(cfg, "gw.toml");
    EXPECT_NE(e.find("resilience.breakers.rest2: no breaker has this name"), std::string::npos) << e;
    EXPECT_NE(e.find("rest0..rest1"), std::string::npos) << e;
    // WebSocket API order entry's breaker has its own name; with REST order entry there is none.
    ASSERT_TRUE(parse(urls + "order_entry = \"ws\"\n[resilience.breakers.orders]\nfailure_threshold = 3\n").empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    EXPECT_EQ(cfg.base.resilience.breaker(orders_breaker_name).failure_threshold, 3u);
    ASSERT_TRUE(parse(urls + "[resilience.breakers.orders]\nfailure_threshold = 3\n").empty());
    e = finish_runtime_config(cfg, "gw.toml");
    EXPECT_NE(e.find("gw.toml:5:1: resilience.breakers.orders: breaker orders is WebSocket API order entry's, and "
                     "venue.order_entry is \"rest\""),
              std::string::npos)
        << e;
    ASSERT_TRUE(parse(urls + "[resilience.breakers.rest2]\nfailure_threshold = 1\n").empty());
    e = finish_runtime_config(cfg, "gw.toml");
    EXPECT_EQ(e.find("and orders"), std::string::npos) << e; // REST order entry: no orders breaker to list
    EXPECT_FALSE(breaker_index("rest01"));
    EXPECT_EQ(breaker_index("rest10"), 10u);
}

TEST_F(RuntimeConfigTest, strategySymbolsMustBeTraded) {
    const std::string st = "[strategies.mm]\npath = \"mm.so\"\nsymbols = [\"ETHUSDT\"]\n";
    ASSERT_TRUE(parse("[venue]\nsymbols = [\"BTCUSDT\", \"ETHUSDT\"]\n" + st).empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    ASSERT_EQ(cfg.strategies.size(), 1u);
    EXPECT_EQ(cfg.strategies[0].symbols, (std::vector<symbol>{symbol::truncating("ETHUSDT")}));
    ASSERT_TRUE(parse("[venue]\nsymbols = [\"BTCUSDT\"]\n" + st).empty());
    const auto e = finish_runtime_config(cfg, "gw.toml");
    EXPECT_EQ(e, "gw.toml:5:11: strategies.mm.symbols: ETHUSDT is not one of venue.symbols");
    const auto bad = parse("[strategies.mm]\npath = \"mm.so\"\nsymbols = [\"btc\"]\n");
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].key, "strategies.mm.symbols");
}

TEST_F(RuntimeConfigTest, finishRefusesPartialUrls) {
    ASSERT_TRUE(parse("[venue]\nrest_urls = [\"https://127.0.0.1:1\"]\n").empty());
    EXPECT_NE(finish_runtime_config(cfg, "gw.toml").find("must be given together"), std::string::npos);
}

TEST_F(RuntimeConfigTest, finishPaperNeedsBalancesNotKeysAndKeepsNone) {
    ASSERT_TRUE(parse("[gateway]\nmode = \"paper\"\n").empty());
    EXPECT_NE(finish_runtime_config(cfg, "gw.toml").find("paper.balances"), std::string::npos);
    ASSERT_TRUE(parse("[gateway]\nmode = \"paper\"\n[venue]\napi_key = \"${KEY}\"\napi_secret = \"${SECRET}\"\n"
                      "ws_api_url = \"wss://ws-api.testnet.binance.vision/ws-api/v3\"\n"
                      "[paper]\ntaker_fee_bps = \"7.5\"\nbalances = { USDT = \"1000\" }\n")
                    .empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    // Public market data of the testnet; no key and no WebSocket API kept.
    EXPECT_EQ(cfg.venue.rest_urls.front(), "https://testnet.binance.vision");
    EXPECT_EQ(cfg.venue.ws_streams_url, "wss://stream.testnet.binance.vision");
    EXPECT_TRUE(cfg.venue.ws_api_url.empty());
    EXPECT_TRUE(cfg.venue.api_key.empty());
    EXPECT_TRUE(cfg.venue.api_secret.empty());
    EXPECT_EQ(cfg.paper.taker_fee_bps, *decimal::parse("7.5"));
    ASSERT_TRUE(parse("[gateway]\nmode = \"paper\"\n[venue]\nrest_urls = [\"https://127.0.0.1:1\"]\n"
                      "[paper]\nbalances = { USDT = \"1000\" }\n")
                    .empty());
    EXPECT_NE(finish_runtime_config(cfg, "gw.toml").find("given together"), std::string::npos);
}

TEST_F(RuntimeConfigTest, finishNamesTheLineOfMissingKeys) {
    const std::string keys = ": mode \"testnet\" needs API keys";
    // Nothing of [venue] in the file: the file only.
    ASSERT_TRUE(parse("[gateway]\nmode = \"testnet\"\n").empty());
    EXPECT_EQ(located(finish_runtime_config(cfg, "gw.toml"), keys), "gw.toml: venue.api_key / venue.api_secret");
    // [venue] without the keys: its header.
    ASSERT_TRUE(parse("[gateway]\nmode = \"testnet\"\n\n[venue]\nsymbols = [\"BTCUSDT\"]\n").empty());
    EXPECT_EQ(located(finish_runtime_config(cfg, "gw.toml"), keys), "gw.toml:4:1: venue.api_key / venue.api_secret");
    // A key that is there but empty (its variable set to nothing): that key.
    ASSERT_TRUE(
        parse("[gateway]\nmode = \"testnet\"\n[venue]\napi_secret = \"${SECRET}\"\napi_key = \"${EMPTY}\"\n").empty());
    EXPECT_EQ(located(finish_runtime_config(cfg, "gw.toml"), keys), "gw.toml:5:11: venue.api_key / venue.api_secret");
    // The key given, the secret absent: the table the secret belongs in.
    ASSERT_TRUE(parse("[gateway]\nmode = \"testnet\"\n[venue]\napi_key = \"${KEY}\"\n").empty());
    EXPECT_EQ(located(finish_runtime_config(cfg, "gw.toml"), keys), "gw.toml:3:1: venue.api_key / venue.api_secret");

    // Mode paper's balances: no [paper] (the file only), [paper] without them (its header), empty.
    const std::string needs = ": mode \"paper\" needs the paper account's starting balances";
    ASSERT_TRUE(parse("[gateway]\nmode = \"paper\"\n").empty());
    EXPECT_EQ(located(finish_runtime_config(cfg, "gw.toml"), needs), "gw.toml: paper.balances");
    ASSERT_TRUE(parse("[gateway]\nmode = \"paper\"\n[paper]\ntaker_fee_bps = \"7.5\"\n").empty());
    EXPECT_EQ(located(finish_runtime_config(cfg, "gw.toml"), needs), "gw.toml:3:1: paper.balances");
    ASSERT_TRUE(parse("[gateway]\nmode = \"paper\"\n[paper]\ntaker_fee_bps = \"7.5\"\nbalances = {}\n").empty());
    EXPECT_EQ(located(finish_runtime_config(cfg, "gw.toml"), needs), "gw.toml:5:12: paper.balances");
}

TEST_F(RuntimeConfigTest, finishNamesTheLineOfCrossSectionErrors) {
    // URLs given in part: the [venue] header, wherever the URLs are.
    ASSERT_TRUE(
        parse("[gateway]\nmode = \"sim\"\n[venue]\nca_file = \"\"\nrest_urls = [\"https://127.0.0.1:1\"]\n").empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"),
              "gw.toml:3:1: venue: rest_urls, ws_streams_url and ws_api_url must be given together");
    ASSERT_TRUE(parse("[gateway]\nmode = \"paper\"\n[paper]\nbalances = { USDT = \"1\" }\n[venue]\n"
                      "ws_streams_url = \"wss://127.0.0.1:3\"\n")
                    .empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"),
              "gw.toml:5:1: venue: rest_urls and ws_streams_url must be given together in mode \"paper\"");

    // A strategy's symbol the gateway does not trade: that strategy's symbols, even when
    // venue.symbols is the default.
    ASSERT_TRUE(parse("[strategies.a]\npath = \"a.so\"\n\n[strategies.b]\npath = \"b.so\"\n"
                      "symbols = [\"BTCUSDT\", \"ETHUSDT\"]\n")
                    .empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"),
              "gw.toml:6:11: strategies.b.symbols: ETHUSDT is not one of venue.symbols");

    // A breaker override naming no breaker: its header. At start-up (mode sim: the sim's endpoints
    // are known only then) the same check names the same line.
    ASSERT_TRUE(parse("[venue]\nsymbols = [\"BTCUSDT\"]\n[resilience.breaker]\nfailure_threshold = 3\n"
                      "[resilience.breakers.rest1]\nfailure_threshold = 1\n")
                    .empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    EXPECT_EQ(located(check_breaker_names(cfg, 1, "gw.toml"), ": no breaker"),
              "gw.toml:5:1: resilience.breakers.rest1");
    EXPECT_EQ(check_breaker_names(cfg, 2, "gw.toml"), "");
}

// Our own genesis-sim from a path of the user's must be a program: found with the configuration,
// at its key. A venue of URLs starts no sim, so the key is not looked at then.
TEST_F(RuntimeConfigTest, finishRefusesASimExecutableThatIsNoProgram) {
    const auto dir = std::filesystem::temp_directory_path() / ("genesis-rc-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "a-folder");
    const auto plain = dir / "plain.txt";
    { std::ofstream(plain) << "not a program\n"; }
    for (const auto& path : {dir / "missing", dir / "a-folder", plain}) {
        ASSERT_TRUE(parse("[gateway]\nmode = \"sim\"\n[sim]\nexecutable = \"" + path.string() + "\"\n").empty());
        EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"),
                  "gw.toml:4:14: sim.executable: genesis-sim not found or not executable: " + path.string());
    }
    const auto program = dir / "sim.sh";
    { std::ofstream(program) << "#!/bin/sh\n"; }
    std::filesystem::permissions(program, std::filesystem::perms::owner_all);
    ASSERT_TRUE(parse("[sim]\nexecutable = \"" + program.string() + "\"\n").empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    ASSERT_TRUE(parse("[venue]\nrest_urls = [\"https://127.0.0.1:1\"]\nws_streams_url = \"wss://127.0.0.1:2\"\n"
                      "ws_api_url = \"wss://127.0.0.1:3\"\n[sim]\nexecutable = \"" +
                      (dir / "missing").string() + "\"\n")
                    .empty());
    EXPECT_EQ(finish_runtime_config(cfg, "gw.toml"), "");
    std::filesystem::remove_all(dir);
}

TEST_F(RuntimeConfigTest, whereNamesKeyThenTableThenFile) {
    // What start-up uses for errors it finds later (a symbol the venue does not list, a strategy
    // that does not load).
    ASSERT_TRUE(
        parse("[gateway]\nmode = \"sim\"\n[venue]\nsymbols = [\"BTCUSDT\"]\n[strategies.mm]\npath = \"mm.so\"\n")
            .empty());
    EXPECT_EQ(cfg.where("gw.toml", "venue.symbols"), "gw.toml:4:11: venue.symbols");
    EXPECT_EQ(cfg.where("gw.toml", "strategies.mm"), "gw.toml:5:1: strategies.mm");
    EXPECT_EQ(cfg.where("gw.toml", "venue.record_file"), "gw.toml:3:1: venue.record_file");
    EXPECT_EQ(cfg.where("gw.toml", "logging"), "gw.toml: logging");
    EXPECT_EQ(cfg.where("gw.toml", "venue.api_secret", "venue.api_key / venue.api_secret"),
              "gw.toml:3:1: venue.api_key / venue.api_secret");
    ASSERT_TRUE(parse("").empty());
    EXPECT_EQ(cfg.where("gw.toml", "venue.symbols"), "gw.toml: venue.symbols");
    // A config made without positions (not from a file) names the file only.
    EXPECT_EQ(runtime_config{}.where("gw.toml", "venue.symbols"), "gw.toml: venue.symbols");
}

TEST(SimReadyTest, parseSimReadyLine) {
    const auto e = parse_sim_ready(
        R"({"event":"ready","rest":["https://127.0.0.1:39017"],"rest_names":["rest0"],"ws_streams":"wss://127.0.0.1:41365","ws_api":"wss://127.0.0.1:36921/ws-api/v3","control":"http://127.0.0.1:40187","ca_file":"/tmp/x/ca.pem","pid":2841})");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->rest, std::vector<std::string>{"https://127.0.0.1:39017"});
    EXPECT_EQ(e->ws_api, "wss://127.0.0.1:36921/ws-api/v3");
    EXPECT_EQ(e->ca_file, "/tmp/x/ca.pem");
    EXPECT_FALSE(parse_sim_ready("{\"event\":\"ready\"}"));
    EXPECT_FALSE(parse_sim_ready("not json"));
    EXPECT_FALSE(parse_sim_ready(R"({"event":"other","rest":["x"],"ws_streams":"a","ws_api":"b","ca_file":"c"})"));
}

} // namespace
} // namespace genesis::gateway::runtime
