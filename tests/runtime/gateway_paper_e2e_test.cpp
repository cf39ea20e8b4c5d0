// genesis-gateway in mode paper end to end: the real executable as a child process, market data
// from genesis-sim running in this test process (its public streams and REST only), the sample
// market maker trading on the paper account. Ground truth that nothing was sent: the sim's
// /sim/stats counts no order from any account but its own background agents', and no order
// request over REST or the WebSocket API.
#include "runtime_test_support.hpp"

#include "genesis/gateway/ops/prometheus.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <csignal>
#include <fstream>

namespace genesis::test {
namespace {

namespace sim = genesis::sim::server;
using namespace std::chrono_literals;

class GatewayPaperE2eTest : public ::testing::Test, protected gateway_fixture {
protected:
    std::unique_ptr<sim::sim_server> srv;

    void SetUp() override {
        make_test_dir("genesis-paper-e2e");
        srv = std::make_unique<sim::sim_server>(sim::default_server_config(1));
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();
    }

    void TearDown() override {
        gw.reset();
        if (srv)
            srv->stop();
        end_test(HasFailure());
    }

    // Market data URLs only: no ws_api_url, no key.
    std::filesystem::path write_config() {
        const auto& u = srv->urls();
        const auto file = dir / "gateway.toml";
        std::ofstream(file) << "[gateway]\nmode = \"paper\"\ninstance_id = \"paper\"\ndata_dir = \""
                            << (dir / "var").string() << "\"\n[logging]\nfile = \"" << (dir / "gateway.log").string()
                            << "\"\n[ops]\nport = 0\n[risk]\nmax_orders_per_second = 100\n"
                            << "[venue]\nrest_urls = [\"" << u.rest.front() << "\"]\nws_streams_url = \""
                            << u.ws_streams << "\"\nca_file = \"" << srv->ca_file() << "\"\nsymbols = [\"BTCUSDT\"]\n"
                            << "[paper]\nmaker_fee_bps = \"1\"\ntaker_fee_bps = \"5\"\n"
                            << "balances = { USDT = \"100000\", BTC = \"1\" }\n"
                            << market_maker_toml("mm", GENESIS_MM_SO);
        return file;
    }

    // The sim's /sim/stats from its control endpoint.
    std::string sim_stats() {
        const auto& control = srv->urls().control;
        const auto colon = control.rfind(':');
        if (colon == std::string::npos)
            return {};
        const auto port = static_cast<unsigned short>(std::stoul(control.substr(colon + 1)));
        auto r = http_request(port, "GET", "/sim/stats");
        return r && r->status == 200 ? r->body : std::string{};
    }
};

TEST_F(GatewayPaperE2eTest, marketMakerGetsPaperFillsAndNothingReachesTheSim) {
    start_gateway(write_config());
    // The sim's agents trade at and through our paper quotes: wait for paper fills.
    ASSERT_TRUE(wait_status([](simdjson::dom::element s) { return uint_at(s, "orders", "fills") >= 2; }, 90s))
        << status_text << "\n"
        << tail_log();
    EXPECT_EQ(uint_at(*status(), "orders", "duplicate_fills"), 0u) << status_text;
    // The simulator's own counters, in valid Prometheus text.
    auto m = http_request(ops_port, "GET", "/metrics");
    ASSERT_TRUE(m);
    gateway::ops::exposition ex;
    const auto bad = gateway::ops::parse_exposition(m->body, ex);
    ASSERT_FALSE(bad) << bad->str();
    const auto maker = ex.value("genesis_paper_fills_total", {{"liquidity", "maker"}});
    const auto taker = ex.value("genesis_paper_fills_total", {{"liquidity", "taker"}});
    ASSERT_TRUE(maker && taker) << m->body;
    EXPECT_GE(*maker + *taker, 2.0) << m->body;

    // Ground truth: no order from anyone but the sim's own agents, and none over the network.
    const auto stats = sim_stats();
    ASSERT_FALSE(stats.empty());
    simdjson::dom::parser p;
    simdjson::dom::element st;
    ASSERT_FALSE(p.parse(stats).get(st)) << stats;
    std::uint64_t via_rest = 1, via_ws_api = 1, ws_api_requests = 1;
    ASSERT_FALSE(st["net"]["orders_via_rest"].get_uint64().get(via_rest)) << stats;
    ASSERT_FALSE(st["net"]["orders_via_ws_api"].get_uint64().get(via_ws_api)) << stats;
    ASSERT_FALSE(st["net"]["ws_api_requests"].get_uint64().get(ws_api_requests)) << stats;
    EXPECT_EQ(via_rest, 0u) << stats;
    EXPECT_EQ(via_ws_api, 0u) << stats;
    EXPECT_EQ(ws_api_requests, 0u) << stats; // the user data stream was never opened
    simdjson::dom::array accounts;
    ASSERT_FALSE(st["accounts"].get_array().get(accounts)) << stats;
    std::size_t checked = 0;
    for (auto a : accounts) {
        std::string_view name;
        ASSERT_FALSE(a["name"].get_string().get(name));
        if (name == "agents")
            continue;
        std::uint64_t received = 1;
        ASSERT_FALSE(a["orders"]["received"].get_uint64().get(received)) << stats;
        EXPECT_EQ(received, 0u) << name << ": " << stats;
        ++checked;
    }
    EXPECT_GE(checked, 1u) << stats; // the test account exists and received nothing

    // A clean stop: paper orders cancelled, a final checkpoint, exit 0.
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0) << tail_log();

    // A restart restores the paper account (balances moved by the fills) from the checkpoint; the
    // OMS reconciles with it (the paper venue wins), so its balances are not the starting ones.
    start_gateway(write_config());
    EXPECT_TRUE(wait_log("paper account restored from checkpoint", 10s)) << tail_log();
    auto s = status();
    ASSERT_TRUE(s);
    std::string_view usdt, btc;
    ASSERT_FALSE((*s)["balances"]["USDT"].get_string().get(usdt)) << status_text;
    ASSERT_FALSE((*s)["balances"]["BTC"].get_string().get(btc)) << status_text;
    EXPECT_TRUE(usdt != "100000" || btc != "1") << status_text;
}

TEST_F(GatewayPaperE2eTest, killedGatewayRestartsAndReconcilesWithThePaperAccount) {
    start_gateway(write_config());
    ASSERT_TRUE(wait_status([](simdjson::dom::element s) { return uint_at(s, "orders", "fills") >= 1; }, 90s))
        << status_text << "\n"
        << tail_log();
    // Killed with paper orders open: the paper account is as of the last checkpoint, the OMS's
    // journal may be ahead of it; reconciliation takes the paper venue's view and trading resumes.
    gw.signal(SIGKILL);
    ASSERT_TRUE(gw.wait_exit(10s));
    start_gateway(write_config());
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            std::string_view state;
            return !s["orders"]["state"].get_string().get(state) && state == "trading" &&
                   uint_at(s, "orders", "unknown") == 0;
        },
        20s))
        << status_text << "\n"
        << tail_log();
    // The paper account caught up with the OMS's journal after its checkpoint: the OMS's own
    // recovery finds nothing to correct (trades it already has come back as duplicates, ignored).
    ASSERT_TRUE(wait_log("journal row(s) after it", 10s)) << tail_log();
    ASSERT_TRUE(wait_log("reconciliation done", 10s)) << tail_log();
    const auto log = read_file(dir / "gateway.log");
    const auto restart = log.substr(log.find("journal row(s) after it"));
    for (const char* kind : {"order_mismatch", "order_not_found", "balance_mismatch", "missed_fill"})
        EXPECT_EQ(restart.find(kind), std::string::npos) << kind << "\n" << restart.substr(0, 4000);
}

} // namespace
} // namespace genesis::test
