// genesis-gateway in modes testnet and live, end to end. This machine has no network, so genesis-sim
// in this test process stands in for the Binance Spot testnet: the gateway runs in mode "testnet"
// with the venue's URLs pointed at the sim and an account whose keys only the gateway's environment
// knows (the config names them as ${VARIABLES}, like config/testnet.toml). The code past the config
// is the same as against the real testnet: signed REST, the WebSocket API's user data stream, TLS
// verified against the given CA. Mode "live" is only checked for its refusals.
#include "runtime_test_support.hpp"

#include "genesis/sim/server/sim_server.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <csignal>
#include <fstream>
#include <random>

namespace genesis::test {
namespace {

namespace sim = genesis::sim::server;
using namespace std::chrono_literals;
using namespace genesis::literals;

// A seeded random string of hex digits (the keys differ from the sim's published test account).
std::string hex_text(std::mt19937_64& rng, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(n, '0');
    for (auto& c : s)
        c = digits[rng() % 16];
    return s;
}

class GatewayTestnetE2eTest : public ::testing::Test, protected gateway_fixture {
protected:
    std::unique_ptr<sim::sim_server> srv;
    std::string api_key, api_secret;

    void SetUp() override {
        make_test_dir("genesis-testnet-e2e");
        std::mt19937_64 rng{20261203};
        api_key = "tn" + hex_text(rng, 62);
        api_secret = "tS" + hex_text(rng, 62);
        auto exchange = genesis::sim::default_config();
        genesis::sim::account_config acc;
        acc.name = "testnet-stand-in";
        acc.api_key = api_key;
        acc.secret_key = api_secret;
        acc.balances = {{asset::truncating("USDT"), "100000"_d, {}}, {asset::truncating("BTC"), "1"_d, {}}};
        exchange.accounts.push_back(std::move(acc));
        srv = std::make_unique<sim::sim_server>(sim::default_server_config(1), std::move(exchange));
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();
    }

    void TearDown() override {
        gw.reset();
        if (srv)
            srv->stop();
        end_test(HasFailure());
    }

    // The environment the gateway is started in, as a prefix for env(1).
    std::vector<std::string> env_prefix() const {
        return {"/usr/bin/env", "GENESIS_E2E_TESTNET_KEY=" + api_key, "GENESIS_E2E_TESTNET_SECRET=" + api_secret};
    }

    std::filesystem::path write_config(std::string_view mode, const std::string& gateway_extra = {},
                                       std::string_view key_var = "GENESIS_E2E_TESTNET_KEY") {
        const auto& u = srv->urls();
        const auto file = dir / "gateway.toml";
        std::ofstream(file) << "[gateway]\nmode = \"" << mode << "\"\ninstance_id = \"tn\"\ndata_dir = \""
                            << (dir / "var").string() << "\"\n"
                            << gateway_extra << "[logging]\nfile = \"" << (dir / "gateway.log").string()
                            << "\"\n[ops]\nport = 0\n[risk]\nmax_orders_per_second = 100\n"
                            << "[venue]\napi_key = \"${" << key_var << "}\"\n"
                            << "api_secret = \"${GENESIS_E2E_TESTNET_SECRET}\"\n"
                            << "rest_urls = [\"" << u.rest.front() << "\"]\nws_streams_url = \"" << u.ws_streams
                            << "\"\nws_api_url = \"" << u.ws_api << "\"\nca_file = \"" << srv->ca_file()
                            << "\"\nsymbols = [\"BTCUSDT\"]\n"
                            << market_maker_toml("mm", GENESIS_MM_SO);
        return file;
    }

    // Runs the gateway in env_prefix()'s environment with `args` after the config, expects it to
    // refuse to start (exit status 2 within 20 s) and returns its stderr.
    std::string refused_start(const std::filesystem::path& file, const std::vector<std::string>& args = {}) {
        auto argv = env_prefix();
        argv.insert(argv.end(), {GENESIS_GATEWAY_EXE, "run", "--config", file.string()});
        argv.insert(argv.end(), args.begin(), args.end());
        std::optional<int> rc;
        if (gw.start(argv, dir / "stderr.txt"))
            rc = gw.wait_exit(20s);
        EXPECT_EQ(rc, std::optional<int>{2});
        gw.reset();
        return read_file(dir / "stderr.txt");
    }

    // The sim's orders and fills of an account (0 when it does not exist).
    struct account_view {
        std::size_t orders = 0, open = 0, fills = 0;
    };
    account_view sim_account(const std::string& key) {
        account_view v;
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            const auto acc = ex.find_account(key);
            if (!acc)
                return;
            v.orders = ex.order_records(*acc).size();
            if (auto o = ex.open_orders(*acc))
                v.open = o->size();
            v.fills = ex.fills(*acc).size();
        });
        return v;
    }

    // Every byte the gateway wrote: its log, stdout and stderr, and each file under its data_dir
    // (databases, their WAL and journal files, replicas).
    std::vector<std::pair<std::string, std::string>> written_files() const {
        std::vector<std::pair<std::string, std::string>> out;
        out.emplace_back("gateway.log", read_file(dir / "gateway.log"));
        out.emplace_back("stderr.txt", read_file(dir / "stderr.txt"));
        std::string stdout_text;
        for (const auto& l : gw.lines())
            stdout_text += l + "\n";
        out.emplace_back("stdout", std::move(stdout_text));
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(dir / "var", ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_regular_file())
                out.emplace_back(it->path().string(), read_file(it->path()));
        }
        return out;
    }
};

TEST_F(GatewayTestnetE2eTest, tradesWithKeysFromTheEnvironmentAndNeverWritesThem) {
    start_gateway(write_config("testnet"), env_prefix());
    // The market maker's orders reach the account of the environment's key, and the sim's agents
    // fill them: signed REST, the user data stream and the fills all work with those keys.
    ASSERT_TRUE(wait_status([](simdjson::dom::element s) { return uint_at(s, "orders", "fills") >= 1; }, 90s))
        << status_text << "\n"
        << tail_log();
    const auto mid = sim_account(api_key);
    EXPECT_GE(mid.orders, 1u) << tail_log();
    EXPECT_GE(mid.fills, 1u) << tail_log();
    EXPECT_EQ(sim_account("sim-test-api-key").orders, 0u) << tail_log(); // sim mode's account is not used
    EXPECT_TRUE(wait_log("genesis-gateway running in mode testnet", 5s)) << tail_log();
    EXPECT_EQ(read_file(dir / "gateway.log").find("genesis-sim started"), std::string::npos); // none of its own

    // (The 5 s stop is asserted by GatewayE2eTest.marketMakerTradesAndPositionsAgreeWithTheSim.)
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc) << "did not exit within 10 s\n" << tail_log();
    EXPECT_EQ(*rc, 0) << read_file(dir / "stderr.txt");
    EXPECT_EQ(sim_account(api_key).open, 0u) << tail_log();

    // Neither the key nor the secret is in anything the gateway wrote, databases included.
    const auto files = written_files();
    std::size_t databases = 0;
    for (const auto& [name, text] : files) {
        EXPECT_EQ(text.find(api_key), std::string::npos) << "API key in " << name;
        EXPECT_EQ(text.find(api_secret), std::string::npos) << "API secret in " << name;
        EXPECT_EQ(text.find("signature="), std::string::npos) << "a signature in " << name;
        databases += name.ends_with(".db") ? 1 : 0;
    }
    EXPECT_GE(databases, 2u) << "the primary and a replica were checked"; // the checks saw the databases
}

TEST_F(GatewayTestnetE2eTest, anUnsetKeyVariableStopsStartUpNamingFileLineAndKey) {
    const auto file = write_config("testnet", {}, "GENESIS_E2E_TESTNET_KEY_UNSET");
    const auto err = refused_start(file);
    EXPECT_NE(err.find(file.string() + ":"), std::string::npos) << err;
    EXPECT_NE(err.find("venue.api_key"), std::string::npos) << err;
    EXPECT_NE(err.find("GENESIS_E2E_TESTNET_KEY_UNSET"), std::string::npos) << err;
    EXPECT_EQ(err.find(api_secret), std::string::npos) << err;
    EXPECT_EQ(sim_account(api_key).orders, 0u);
}

TEST_F(GatewayTestnetE2eTest, liveNeedsTheConfigAndTheCommandLineFlag) {
    struct attempt {
        std::string gateway_extra;
        bool flag;
        std::string expected;
    };
    const std::vector<attempt> attempts = {
        {"live_confirmed = true\n", false, "pass --live on the command line"},
        {{}, true, "gateway.live_confirmed"},
        {{}, false, "gateway.live_confirmed"},
    };
    for (const auto& a : attempts) {
        SCOPED_TRACE(a.gateway_extra + (a.flag ? " --live" : " (no flag)"));
        const auto file = write_config("live", a.gateway_extra);
        const auto err = refused_start(file, a.flag ? std::vector<std::string>{"--live"} : std::vector<std::string>{});
        EXPECT_NE(err.find(file.string() + ":"), std::string::npos) << err;
        EXPECT_NE(err.find(a.expected), std::string::npos) << err;
    }
    // Nothing reached the venue, nor was a data folder made.
    EXPECT_EQ(sim_account(api_key).orders, 0u);
    EXPECT_FALSE(std::filesystem::exists(dir / "var"));
}

} // namespace
} // namespace genesis::test
