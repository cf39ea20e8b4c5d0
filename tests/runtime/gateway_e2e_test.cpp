// genesis-gateway end to end: the real executable as a child process, against genesis-sim running
// in this test process (real TLS sockets on loopback), observed through its ops endpoint and
// checked against the sim's ground truth.
#include "runtime_test_support.hpp"

#include "genesis/core/decimal.hpp"
#include "genesis/core/thread.hpp"
#include "genesis/gateway/ops/prometheus.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <unistd.h>

namespace genesis::test {
namespace {

namespace sim = genesis::sim::server;
using namespace std::chrono_literals;

decimal plus(decimal a, decimal b) { return *a.add(b); }
decimal minus(decimal a, decimal b) { return *a.sub(b); }
decimal times(decimal a, decimal b) { return *a.mul(b); }

decimal dec(std::string_view s) {
    auto d = decimal::parse(s);
    return d ? *d : decimal{};
}

// The 1-based number of the first line of `file` that contains `text` (0: none), so that the
// expected positions follow what write_config writes.
std::string line_of(const std::filesystem::path& file, std::string_view text) {
    std::ifstream in(file);
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n)
        if (line.find(text) != std::string::npos)
            return std::to_string(n);
    return "0";
}

// genesis-gateway's status after a forced stop (gateway::runtime::exit_forced_stop).
constexpr int forced_stop_exit = 4;

class GatewayE2eTest : public ::testing::Test, protected gateway_fixture {
protected:
    std::unique_ptr<sim::sim_server> srv;

    void SetUp() override {
        make_test_dir("genesis-e2e");
        auto cfg = sim::default_server_config(1);
        // Not the gateway's default (Binance's 160,000): the gateway must take it from exchangeInfo.
        cfg.limits.orders_per_day = 150'000;
        srv = std::make_unique<sim::sim_server>(cfg);
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();
    }

    void TearDown() override {
        gw.reset();
        if (srv)
            srv->stop();
        end_test(HasFailure());
    }

    std::string venue_section() const {
        const auto& u = srv->urls();
        return "[venue]\nrest_urls = [\"" + u.rest.front() + "\"]\nws_streams_url = \"" + u.ws_streams +
               "\"\nws_api_url = \"" + u.ws_api + "\"\nca_file = \"" + srv->ca_file() + "\"\nsymbols = [\"BTCUSDT\"]\n";
    }

    // risk: the keys of [risk] itself (its sub-tables may follow in body).
    std::filesystem::path write_config(const std::string& body,
                                       const std::string& risk = "max_orders_per_second = 100\n") {
        const auto file = dir / "gateway.toml";
        std::ofstream(file) << "[gateway]\ninstance_id = \"e2e\"\ndata_dir = \"" << (dir / "var").string()
                            << "\"\n[logging]\nfile = \"" << (dir / "gateway.log").string()
                            << "\"\n[ops]\nport = 0\n[risk]\n"
                            << risk << body;
        return file;
    }

    static std::string gateway_exe() { return GENESIS_GATEWAY_EXE; }

    std::size_t sim_open_orders() {
        std::size_t n = 0;
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            auto acc = ex.find_account("sim-test-api-key");
            if (auto o = acc ? ex.open_orders(*acc) : result<std::vector<genesis::sim::order_record>>{}; acc && o)
                n = o->size();
        });
        return n;
    }

    // The sim answers every POST /api/v3/order `by` late (placements stay PENDING_NEW that long).
    void delay_placements(std::chrono::milliseconds by) {
        sim::fault_rule slow;
        slow.kind = sim::fault_kind::latency;
        slow.target = "/api/v3/order";
        slow.method = "POST";
        slow.latency_min = by;
        slow.latency_max = by;
        sim::fault_config f;
        f.rules = {slow};
        srv->set_faults(f);
    }

    void trade_and_agree_with_the_sim(const std::string& venue_keys);

    // data_dir/kill-switch.carried holds `reason`; a start with config `body` shows the kill switch
    // engaged for it (503) and removes the file.
    void expect_kill_switch_from_carried_file(const std::string& body, const std::string& reason) {
        std::filesystem::create_directories(dir / "var");
        const auto marker = dir / "var" / "kill-switch.carried";
        std::ofstream(marker) << reason;
        start_gateway(write_config(body));
        auto h = http_request(ops_port, "GET", "/healthz");
        ASSERT_TRUE(h);
        EXPECT_EQ(h->status, 503u) << h->body;
        EXPECT_NE(h->body.find("engaged before the restart (" + reason + ")"), std::string::npos) << h->body;
        EXPECT_FALSE(std::filesystem::exists(marker));
        gw.signal(SIGTERM);
        ASSERT_EQ(gw.wait_exit(5s), 0) << tail_log();
    }

    // Polls /metrics (every `poll`, at most `timeout`) until holds() on its parsed exposition; ex
    // and text keep the last one read.
    bool wait_metrics(const std::function<bool(const gateway::ops::exposition&)>& holds,
                      std::chrono::milliseconds timeout, gateway::ops::exposition& ex, std::string& text,
                      std::chrono::milliseconds poll = 200ms) {
        for (const auto until = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < until;) {
            auto m = http_request(ops_port, "GET", "/metrics");
            if (m && m->status == 200) {
                text = m->body;
                ex = {};
                if (!gateway::ops::parse_exposition(text, ex) && holds(ex))
                    return true;
            }
            gw.pause(poll, true);
        }
        return false;
    }

    bool wait_sim_open_orders(std::size_t n, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (sim_open_orders() == n)
                return true;
            gw.pause(50ms, true);
        }
        return false;
    }
};

TEST_F(GatewayE2eTest, runBadConfigExitsTwoNamingFileLineAndKey) {
    const auto file = write_config(venue_section() + "[checkpoint]\ninterval_ms = \"often\"\n[venue2]\nx = 1\n");
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", file.string()}, dir / "stderr.txt"));
    const auto rc = gw.wait_exit(20s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 2);
    const auto err = read_file(dir / "stderr.txt");
    // The line of interval_ms, the column of its value.
    const auto at = file.string() + ":" + line_of(file, "interval_ms") + ":15: checkpoint.interval_ms: ";
    EXPECT_NE(err.find(at), std::string::npos) << at << "\n" << err;
    EXPECT_NE(err.find(file.string() + ":" + line_of(file, "[venue2]") + ":2: unknown section 'venue2'"),
              std::string::npos)
        << err;
}

TEST_F(GatewayE2eTest, runCrossSectionConfigErrorExitsTwoNamingFileLineAndKey) {
    // Valid on its own, wrong with [venue]: found after parsing, before anything is connected.
    const auto file = write_config(venue_section() + "[strategies.mm]\npath = \"" + GENESIS_MM_SO +
                                   "\"\nsymbols = [\"BTCUSDT\", \"ETHUSDT\"]\n");
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", file.string()}, dir / "stderr.txt"));
    const auto rc = gw.wait_exit(20s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 2);
    const auto err = read_file(dir / "stderr.txt");
    const auto line = line_of(file, "symbols = [\"BTCUSDT\", \"ETHUSDT\"]");
    ASSERT_NE(line, "0");
    EXPECT_EQ(err, file.string() + ":" + line + ":11: strategies.mm.symbols: ETHUSDT is not one of venue.symbols\n");
    EXPECT_EQ(sim_open_orders(), 0u);
}

// Mode sim with its own genesis-sim knows its REST endpoints only once the sim runs: a breaker
// beyond them is a configuration error all the same (status 2, its line). A sim executable that
// is not one is found with the configuration (status 2, its key).
TEST_F(GatewayE2eTest, ownSimConfigErrorsFoundAtStartExitTwoNamingTheirLine) {
    srv->stop();
    const auto breaker = write_config("[venue]\nsymbols = [\"BTCUSDT\"]\n[sim]\nagents = false\n"
                                      "[resilience.breakers.rest3]\nfailure_threshold = 1\n");
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", breaker.string()}, dir / "stderr.txt"));
    auto rc = gw.wait_exit(60s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 2) << read_file(dir / "stderr.txt");
    auto err = read_file(dir / "stderr.txt");
    const auto at = breaker.string() + ":" + line_of(breaker, "[resilience.breakers.rest3]") +
                    ":1: resilience.breakers.rest3: no breaker has this name";
    EXPECT_NE(err.find(at), std::string::npos) << at << "\n" << err;
    EXPECT_NE(err.find("rest0..rest0)"), std::string::npos) << err; // REST order entry: no orders breaker
    // Found before anything was set aside or opened.
    EXPECT_FALSE(std::filesystem::exists(dir / "var" / "genesis.db"));

    const auto exe = write_config("[venue]\nsymbols = [\"BTCUSDT\"]\n[sim]\nexecutable = \"" +
                                  (dir / "no-such-sim").string() + "\"\n");
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", exe.string()}, dir / "stderr.txt"));
    rc = gw.wait_exit(30s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 2) << read_file(dir / "stderr.txt");
    err = read_file(dir / "stderr.txt");
    const auto exe_at = exe.string() + ":" + line_of(exe, "executable = ") +
                        ":14: sim.executable: genesis-sim not found or not executable";
    EXPECT_NE(err.find(exe_at), std::string::npos) << exe_at << "\n" << err;
}

TEST_F(GatewayE2eTest, runVenueSymbolTheVenueDoesNotListNamesItsLine) {
    // Known only once the venue answers exchangeInfo.
    auto venue = venue_section();
    venue.replace(venue.find("symbols = [\"BTCUSDT\"]"), std::string_view("symbols = [\"BTCUSDT\"]").size(),
                  "symbols = [\"BTCUSDT\", \"NOSUCHUSDT\"]");
    const auto file = write_config(venue);
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", file.string()}, dir / "stderr.txt"));
    const auto rc = gw.wait_exit(30s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 1);
    const auto err = read_file(dir / "stderr.txt");
    const auto at = file.string() + ":" + line_of(file, "NOSUCHUSDT") + ":11: venue.symbols: NOSUCHUSDT is not listed";
    EXPECT_NE(err.find(at), std::string::npos) << at << "\n" << err;
}

TEST_F(GatewayE2eTest, threadsAreNamedAndPinnedAsConfigured) {
    // The processing thread on the first CPU this process may use, the others on the last (the
    // same one on a one-CPU machine: the pinning still has to read back).
    const auto allowed = allowed_cpus();
    ASSERT_FALSE(allowed.empty());
    const auto proc_cpu = std::to_string(allowed.front()), rest_cpu = std::to_string(allowed.back());
    start_gateway(write_config(venue_section() + "[threads]\nprocessing = [" + proc_cpu + "]\nio = [" + rest_cpu +
                               "]\ndatabase = [" + rest_cpu + "]\nlog = [" + rest_cpu + "]\n"));
    ASSERT_TRUE(wait_log("thread genesis-proc pinned to CPUs " + proc_cpu, 10s)) << tail_log();
    ASSERT_TRUE(wait_log("thread genesis-io pinned to CPUs " + rest_cpu, 10s)) << tail_log();

    // What the kernel says of each of the gateway's threads (/proc/PID/task/TID).
    std::map<std::string, std::string> cpus_of;
    const auto tasks = std::filesystem::path("/proc") / std::to_string(gw.pid()) / "task";
    for (const auto& t : std::filesystem::directory_iterator(tasks)) {
        auto comm = read_file(t.path() / "comm");
        if (!comm.empty() && comm.back() == '\n')
            comm.pop_back();
        const auto status = read_file(t.path() / "status");
        const auto at = status.find("Cpus_allowed_list:\t");
        if (at == std::string::npos)
            continue;
        const auto from = at + std::string_view("Cpus_allowed_list:\t").size();
        cpus_of[comm] = status.substr(from, status.find('\n', from) - from);
    }
    std::string seen;
    for (const auto& [name, list] : cpus_of)
        seen += name + "=" + list + " ";
    const std::map<std::string, std::string> want{{"genesis-proc", proc_cpu},
                                                  {"genesis-io", rest_cpu},
                                                  {"genesis-db", rest_cpu},
                                                  {"genesis-log", rest_cpu},
                                                  {"genesis-logsync", rest_cpu}};
    for (const auto& [name, list] : want) {
        ASSERT_TRUE(cpus_of.contains(name)) << name << " not among " << seen;
        EXPECT_EQ(cpus_of[name], list) << name << ": " << seen;
    }
}

TEST_F(GatewayE2eTest, balanceBelowItsAlertThresholdIsDegradedInHealthAndMetrics) {
    // The sim's test account holds 100000 USDT and 1 BTC: USDT is below 1000000, BTC above 0.5.
    start_gateway(write_config(venue_section() + "[balances]\nalert_below = { USDT = \"1000000\", BTC = \"0.5\" }\n"));
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            const auto c = component_of(s, "balance.USDT");
            return c && c->health == "DEGRADED";
        },
        10s))
        << status_text;
    auto s = status();
    ASSERT_TRUE(s);
    EXPECT_EQ(component_of(*s, "balance.USDT")->reason, "total 100000 below 1000000") << status_text;
    EXPECT_FALSE(component_of(*s, "balance.BTC")) << status_text;
    ASSERT_TRUE(wait_log("balance alert: USDT total 100000 below 1000000", 5s)) << tail_log();
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200u) << h->body; // DEGRADED still serves
    EXPECT_NE(h->body.find("DEGRADED"), std::string::npos) << h->body;
    EXPECT_NE(h->body.find("balance.USDT"), std::string::npos) << h->body;
    auto m = http_request(ops_port, "GET", "/metrics");
    ASSERT_TRUE(m);
    gateway::ops::exposition ex;
    const auto bad = gateway::ops::parse_exposition(m->body, ex);
    ASSERT_FALSE(bad) << bad->str();
    EXPECT_EQ(ex.value("genesis_balance_alerts_total", {}), std::optional<double>{1.0}) << m->body;
    EXPECT_EQ(ex.value("genesis_balance_below_threshold", {{"asset", "USDT"}}), std::optional<double>{1.0});
    EXPECT_FALSE(ex.value("genesis_balance_below_threshold", {{"asset", "BTC"}}));
}

TEST_F(GatewayE2eTest, runRefusesStrategyWithWrongAbi) {
    const auto file = write_config(venue_section() + market_maker_toml("bad", GENESIS_BAD_ABI_SO));
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", file.string()}, dir / "stderr.txt"));
    const auto rc = gw.wait_exit(30s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 1);
    const auto err = read_file(dir / "stderr.txt");
    // At the strategy's table header.
    const auto at = file.string() + ":" + line_of(file, "[strategies.bad]") + ":1: strategies.bad: ";
    EXPECT_NE(err.find(at), std::string::npos) << at << "\n" << err;
    EXPECT_NE(err.find("999"), std::string::npos) << err; // the version found
    EXPECT_EQ(sim_open_orders(), 0u);
}

// The BTCUSDT position and realized PnL of a /status answer (each 0 when absent; none without
// the symbols).
std::optional<std::pair<decimal, decimal>> btc_position_and_pnl(simdjson::dom::element s) {
    simdjson::dom::array syms;
    std::string_view pos = "0", pnl = "0";
    if (s["symbols"].get_array().get(syms))
        return std::nullopt;
    for (auto e : syms) {
        std::string_view name;
        if (!e["symbol"].get_string().get(name) && name == "BTCUSDT") {
            if (e["position"].get_string().get(pos))
                pos = "0";
            if (e["realized_pnl"].get_string().get(pnl))
                pnl = "0";
        }
    }
    return std::pair{dec(pos), dec(pnl)};
}

// The market maker trades with the sim's agents; the kill switch, positions and PnL against the
// sim's fills, /metrics, and a graceful stop. venue_keys go into [venue] (order entry).
void GatewayE2eTest::trade_and_agree_with_the_sim(const std::string& venue_keys) {
    const auto config = write_config(venue_section() + venue_keys + market_maker_toml("mm", GENESIS_MM_SO));
    start_gateway(config);
    // The sim's agents trade through our quotes: wait for fills.
    ASSERT_TRUE(wait_status([](simdjson::dom::element s) { return uint_at(s, "orders", "fills") >= 2; }, 90s))
        << status_text << "\n"
        << tail_log();

    // The kill switch: everything is cancelled and nothing new is sent.
    auto k = http_request(ops_port, "POST", "/kill");
    ASSERT_TRUE(k);
    EXPECT_EQ(k->status, 200u) << k->body;
    ASSERT_TRUE(wait_sim_open_orders(0, 10s)) << tail_log();
    ASSERT_TRUE(wait_status([](simdjson::dom::element s) { return uint_at(s, "orders", "open") == 0; }, 10s));
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 503u) << h->body; // halted by the kill switch
    EXPECT_NE(h->body.find("kill"), std::string::npos) << h->body;

    // Ground truth: the sim's fills of our account; the gateway saw each exactly once.
    std::vector<genesis::sim::account_trade> fills;
    srv->with_exchange([&](genesis::sim::exchange& ex) { fills = ex.fills(*ex.find_account("sim-test-api-key")); });
    ASSERT_GE(fills.size(), 2u);
    // Average-cost position and realized PnL (quote, before commissions) from the sim's fills.
    decimal pos, cost, pnl;
    for (const auto& f : fills) {
        if (f.sym != symbol::truncating("BTCUSDT"))
            continue;
        const decimal q = f.order_side == side::buy ? f.qty : -f.qty;
        if (pos.is_zero() || pos.is_negative() == q.is_negative()) {
            cost = *plus(times(pos.abs(), cost), times(q.abs(), f.price)).div(plus(pos, q).abs());
            pos = plus(pos, q);
            continue;
        }
        const decimal closing = std::min(pos.abs(), q.abs());
        const decimal diff = minus(f.price, cost);
        pnl = plus(pnl, times(closing, pos.is_negative() ? -diff : diff));
        const decimal next = plus(pos, q);
        const bool reversed = !next.is_zero() && next.is_negative() != pos.is_negative();
        pos = next;
        if (pos.is_zero())
            cost = decimal{};
        else if (reversed)
            cost = f.price;
    }
    ASSERT_TRUE(
        wait_status([&](simdjson::dom::element s) { return uint_at(s, "orders", "fills") == fills.size(); }, 10s))
        << status_text;
    auto s = status();
    ASSERT_TRUE(s);
    const auto seen = btc_position_and_pnl(*s);
    ASSERT_TRUE(seen) << status_text;
    EXPECT_EQ(seen->first, pos) << status_text;
    EXPECT_EQ(seen->second, pnl) << status_text;
    EXPECT_EQ(uint_at(*s, "orders", "duplicate_fills"), 0u);

    // /metrics is valid Prometheus text.
    auto m = http_request(ops_port, "GET", "/metrics");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->status, 200u);
    gateway::ops::exposition ex;
    const auto bad = gateway::ops::parse_exposition(m->body, ex);
    ASSERT_FALSE(bad) << bad->str() << "\n" << m->body;
    ASSERT_NE(ex.find("genesis_orders_total"), nullptr);
    ASSERT_NE(ex.find("genesis_tick_to_order_seconds"), nullptr);
    // Recorded on the I/O thread when a placement's bytes reach the socket (book-driven quotes).
    const auto ticks = ex.value("genesis_tick_to_order_seconds_count", {});
    ASSERT_TRUE(ticks);
    EXPECT_GT(*ticks, 0.0);
    ASSERT_NE(ex.find("genesis_breaker_state"), nullptr);
    // The predictor's view of the venue's endpoints (the market maker's queries and cancels fed it).
    ASSERT_NE(ex.find("genesis_predictor_success_probability"), nullptr);
    ASSERT_NE(ex.find("genesis_predictor_latency_seconds"), nullptr);
    const auto* attempts = ex.find("genesis_predictor_attempts");
    ASSERT_NE(attempts, nullptr);
    EXPECT_FALSE(attempts->samples.empty());
    // Nothing refused or run out of turn by the processing queue in a plain run.
    EXPECT_EQ(ex.value("genesis_queue_push_failures_total", {}), 0.0);
    EXPECT_EQ(ex.value("genesis_queue_self_overflow_total", {}), 0.0);
    // The venue's order limits came from its exchangeInfo, and never held an order back.
    EXPECT_EQ(ex.value("genesis_venue_orders_limit", {{"window", "1d"}}), 150'000.0);
    EXPECT_EQ(ex.value("genesis_venue_orders_limit", {{"window", "10s"}}), 50.0);
    EXPECT_EQ(ex.value("genesis_rest_rate_limit_refusals_total", {{"reason", "orders"}}), 0.0);
    const auto fills_metric = ex.value("genesis_fills_total", {});
    ASSERT_TRUE(fills_metric);
    EXPECT_EQ(*fills_metric, static_cast<double>(fills.size()));
    // By WebSocket API frame: every placement went that way, none was lost or left unknown.
    if (venue_keys.find("order_entry = \"ws\"") != std::string::npos) {
        const auto placed = ex.value("genesis_ws_order_entry_total", {{"kind", "placements"}});
        ASSERT_TRUE(placed) << m->body;
        EXPECT_GE(*placed, static_cast<double>(fills.size()));
        EXPECT_EQ(ex.value("genesis_ws_order_entry_total", {{"kind", "unknown"}}), 0.0);
        EXPECT_EQ(ex.value("genesis_ws_order_entry_pending", {}), 0.0);
        // Its connection is a component of the health, and so is its breaker.
        EXPECT_NE(status_text.find(R"({"name":"order_entry","health":"GREEN")"), std::string::npos) << status_text;
        EXPECT_NE(status_text.find(R"({"name":"breaker.orders","health":"GREEN")"), std::string::npos) << status_text;
        EXPECT_EQ(ex.value("genesis_breaker_state", {{"endpoint", "orders"}, {"state", "CLOSED"}}), 1.0);
        // The sim's limits were never reached: nothing was held back, no 429 came.
        EXPECT_EQ(ex.value("genesis_ws_order_entry_total", {{"kind", "throttled"}}), 0.0);
        EXPECT_EQ(ex.value("genesis_ws_order_entry_total", {{"kind", "rate_limited"}}), 0.0);
    } else {
        EXPECT_EQ(ex.find("genesis_ws_order_entry_total"), nullptr);
        EXPECT_EQ(ex.value("genesis_breaker_state", {{"endpoint", "orders"}, {"state", "CLOSED"}}), std::nullopt);
    }

    // Graceful stop: exit 0 within 5 s, nothing left open.
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(5s);
    ASSERT_TRUE(rc) << "did not exit within 5 s";
    EXPECT_EQ(*rc, 0) << read_file(dir / "stderr.txt");
    EXPECT_EQ(sim_open_orders(), 0u);

    // A restart against the venue, which outlived the gateway (as Binance does; the kill switch
    // holds, so nothing trades). Reconciliation fetches again the trades of orders that ended
    // before the last checkpoint: they are known, so none is looked up or adopted as an order
    // whose intent was never journaled, and the position and PnL are still the sim's.
    const auto from = read_file(dir / "gateway.log").size();
    start_gateway(config);
    ASSERT_TRUE(wait_log("reconciliation done", 30s, from)) << tail_log();
    const auto restarted = read_file(dir / "gateway.log").substr(from);
    EXPECT_EQ(restarted.find("trade of unknown order"), std::string::npos) << restarted;
    EXPECT_EQ(restarted.find("intent never journaled"), std::string::npos) << restarted;
    const auto again = status();
    ASSERT_TRUE(again);
    EXPECT_EQ(uint_at(*again, "orders", "fills"), 0u) << status_text; // none applied again
    const auto restored = btc_position_and_pnl(*again);
    ASSERT_TRUE(restored) << status_text;
    EXPECT_EQ(restored->first, pos) << status_text;
    EXPECT_EQ(restored->second, pnl) << status_text;
    gw.signal(SIGTERM);
    const auto rc2 = gw.wait_exit(5s);
    ASSERT_TRUE(rc2) << "the restarted gateway did not exit within 5 s";
    EXPECT_EQ(*rc2, 0) << read_file(dir / "stderr.txt");
}

TEST_F(GatewayE2eTest, marketMakerTradesAndPositionsAgreeWithTheSim) { trade_and_agree_with_the_sim(""); }

// Orders, cancels, the kill switch's and the stop's cancels by WebSocket API frame.
TEST_F(GatewayE2eTest, marketMakerTradesByWebSocketApiFrameAndPositionsAgreeWithTheSim) {
    trade_and_agree_with_the_sim("order_entry = \"ws\"\n");
}

// The live terminal status on a stdout nobody reads (a terminal after Ctrl-S, a stalled ssh
// session; here a pipe filled before the gateway writes to it): trading goes on, /status answers,
// the blocks nobody takes are skipped rather than queued; once stdout is read again the status is
// drawn again; with stdout full again, SIGTERM still stops it cleanly within 5 s.
TEST_F(GatewayE2eTest, aTerminalThatStopsReadingStallsNeitherTradingNorShutdown) {
    const auto config = write_config(venue_section() + "[status]\nterminal = \"on\"\ninterval_ms = 100\n" +
                                     market_maker_toml("mm", GENESIS_MM_SO));
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", config.string()}, dir / "stderr.txt"));
    // A write end of the child's stdout pipe of our own (opened through /proc), to fill it with.
    const int rd = gw.stdout_fd();
    ASSERT_GE(rd, 0);
    ASSERT_GT(::fcntl(rd, F_SETPIPE_SZ, 4096), 0) << std::strerror(errno);
    struct fd_closer {
        int fd;
        ~fd_closer() {
            if (fd >= 0)
                ::close(fd);
        }
    } wr{::open(("/proc/self/fd/" + std::to_string(rd)).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)};
    ASSERT_GE(wr.fd, 0) << std::strerror(errno);
    const auto fill = [&] {
        const std::string junk(512, '.');
        std::size_t n = 0;
        for (ssize_t w; (w = ::write(wr.fd, junk.data(), junk.size())) > 0;)
            n += static_cast<std::size_t>(w);
        return n; // stops at EAGAIN: the pipe is full
    };
    ASSERT_GT(fill(), 0u);

    // With the terminal status on there is no JSON trading line: the log says where the ops
    // endpoint is and when trading starts. No wait below reads stdout until it is drained on purpose.
    ASSERT_TRUE(wait_log("[gateway] trading\n", 60s, 0, false)) << read_file(dir / "stderr.txt") << tail_log();
    const auto ops = log_line("ops endpoint on http://127.0.0.1:");
    ASSERT_FALSE(ops.empty()) << tail_log();
    ops_port = static_cast<unsigned short>(std::stoul(ops.substr(ops.rfind(':') + 1)));
    const auto first = status();
    ASSERT_TRUE(first) << "no /status on port " << ops_port;
    const auto submitted_before = uint_at(*first, "orders", "submitted");
    const auto written_stalled = uint_at(*first, "terminal", "written");
    const auto skipped_before = uint_at(*first, "terminal", "skipped");

    // Stalled: the market maker goes on quoting, the newer blocks replace the one not taken.
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            return uint_at(s, "orders", "submitted") >= submitted_before + 4 &&
                   uint_at(s, "terminal", "skipped") >= skipped_before + 5;
        },
        60s, false))
        << status_text << "\n"
        << tail_log();
    const auto stalled = status();
    ASSERT_TRUE(stalled);
    EXPECT_EQ(uint_at(*stalled, "terminal", "written"), written_stalled) << status_text;

    // Read again: the status is drawn again, and the writer counts it.
    ASSERT_TRUE(gw.wait_line(
        [](const std::string& l) { return l.find("genesis-gateway sim  health") != std::string::npos; }, 20s))
        << "no status block once stdout was read again";
    ASSERT_TRUE(
        wait_status([&](simdjson::dom::element s) { return uint_at(s, "terminal", "written") > written_stalled; }, 20s))
        << status_text;

    // Full again, then SIGTERM: the stop does not wait for the terminal (the writer gives up on it).
    const auto refill = status();
    ASSERT_TRUE(refill);
    const auto skipped_refill = uint_at(*refill, "terminal", "skipped");
    ASSERT_GT(fill(), 0u);
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) { return uint_at(s, "terminal", "skipped") >= skipped_refill + 3; }, 30s, false))
        << status_text;
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(5s, false);
    ASSERT_TRUE(rc) << "did not exit within 5 s with its terminal not reading";
    EXPECT_EQ(*rc, 0) << read_file(dir / "stderr.txt");
    EXPECT_EQ(sim_open_orders(), 0u);
}

} // namespace
} // namespace genesis::test

namespace genesis::test {
namespace {

// The strategy entry of /status named `name`, as raw JSON fields read through simdjson.
struct strategy_view {
    std::string state, reason, preview;
    std::uint64_t orders_placed = 0, callbacks = 0;
};

std::optional<strategy_view> strategy_of(simdjson::dom::element s, std::string_view name) {
    simdjson::dom::array arr;
    if (s["strategies"].get_array().get(arr))
        return std::nullopt;
    for (auto e : arr) {
        std::string_view n, st, reason, preview;
        if (e["name"].get_string().get(n) || n != name)
            continue;
        strategy_view v;
        if (!e["state"].get_string().get(st))
            v.state = st;
        if (!e["reason"].get_string().get(reason))
            v.reason = reason;
        if (!e["state_preview"].get_string().get(preview))
            v.preview = preview;
        if (e["orders_placed"].get_uint64().get(v.orders_placed))
            v.orders_placed = 0;
        if (e["callbacks"].get_uint64().get(v.callbacks))
            v.callbacks = 0;
        return v;
    }
    return std::nullopt;
}

// "key=<number>" in a market maker state blob (text lines).
std::int64_t blob_field(const std::string& blob, const std::string& key) {
    const auto p = blob.find(key + "=");
    return p == std::string::npos ? -1 : std::stoll(blob.substr(p + key.size() + 1));
}

// A gateway killed with the market maker's two quotes open (checkpointed with its state), and its
// bid filled while it is down: after the restart the market maker is told (a RESTATED report), so
// its inventory is the gateway's position and its saved state names only orders the sim has open.
// Then a graceful stop, whose cancels are answered after the strategy stopped: after the next
// start its state no longer names them either. No agents: another account makes the market (bid
// 60,000, ask 60,100), so the quotes inside it are the best ones.
TEST_F(GatewayE2eTest, aFillWhileTheGatewayWasDownReachesTheMarketMakerAfterTheRestart) {
    srv->stop();
    auto sc = sim::default_server_config(1);
    sc.agents_enabled = false;
    srv = std::make_unique<sim::sim_server>(sc);
    ASSERT_FALSE(srv->start().has_error());
    const symbol btc = symbol::truncating("BTCUSDT");
    genesis::sim::account_id maker = 0;
    const auto order = [&](side sd, std::string_view price, std::optional<time_in_force> tif) {
        genesis::sim::new_order_request req;
        req.sym = btc;
        req.order_side = sd;
        req.type = order_type::limit;
        req.tif = tif;
        req.price = dec(price);
        req.quantity = dec("0.001");
        bool ok = false;
        srv->with_exchange([&](genesis::sim::exchange& ex) { ok = ex.new_order(maker, req).has_value(); });
        return ok;
    };
    srv->with_exchange([&](genesis::sim::exchange& ex) {
        genesis::sim::account_config ac;
        ac.name = "maker";
        ac.api_key = "e2e-maker-key";
        ac.secret_key = "e2e-maker-secret";
        ac.balances = {{asset::truncating("BTC"), dec("1"), {}}, {asset::truncating("USDT"), dec("100000"), {}}};
        if (auto a = ex.create_account(ac))
            maker = *a;
    });
    ASSERT_NE(maker, 0u);
    ASSERT_TRUE(order(side::buy, "60000", time_in_force::gtc));
    ASSERT_TRUE(order(side::sell, "60100", time_in_force::gtc));

    const auto config =
        write_config(venue_section() + "[checkpoint]\ninterval_ms = 200\n" + market_maker_toml("mm", GENESIS_MM_SO));
    start_gateway(config);
    ASSERT_TRUE(wait_sim_open_orders(2, 30s)) << tail_log();
    // A checkpoint after both were placed: the state it holds names them.
    const auto checkpoints = [](simdjson::dom::element s) {
        std::uint64_t n = 0;
        return s["checkpoints"].get_uint64().get(n) ? std::uint64_t{0} : n;
    };
    const auto after = checkpoints(*status());
    ASSERT_TRUE(wait_status([&](simdjson::dom::element s) { return checkpoints(s) >= after + 2; }, 10s)) << status_text;
    gw.signal(SIGKILL);
    ASSERT_TRUE(gw.wait_exit(10s));
    // While it is down, the maker sells into the market maker's bid (IOC at its price).
    std::string bid_price, bid_id;
    srv->with_exchange([&](genesis::sim::exchange& ex) {
        const auto acc = ex.find_account("sim-test-api-key");
        if (auto o = acc ? ex.open_orders(*acc) : result<std::vector<genesis::sim::order_record>>{}; acc && o)
            for (const auto& r : *o)
                if (r.order_side == side::buy) {
                    bid_price = r.price.to_string();
                    bid_id = r.client_id.str();
                }
    });
    ASSERT_FALSE(bid_price.empty());
    ASSERT_TRUE(order(side::sell, bid_price, time_in_force::ioc));
    ASSERT_EQ(sim_open_orders(), 1u); // the bid is filled, the ask still open

    start_gateway(config);
    std::int64_t inventory = -1;
    std::string preview;
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            const auto mm = strategy_of(s, "mm");
            const auto pos = btc_position_and_pnl(s);
            if (!mm || !pos)
                return false;
            preview = mm->preview;
            inventory = blob_field(mm->preview, "inventory");
            return pos->first == dec("0.001") && inventory == dec("0.001").raw() &&
                   mm->preview.find(bid_id) == std::string::npos;
        },
        30s))
        << "inventory " << inventory << "\n"
        << preview << "\n"
        << status_text << "\n"
        << tail_log();
    EXPECT_TRUE(wait_log("restored order(s) restated to their strategies", 10s)) << tail_log();

    // A graceful stop with quotes open: the strategy stops (its state names them, being
    // cancelled), then their CANCELED comes. After the next start its state names none of them.
    ASSERT_TRUE(wait_sim_open_orders(2, 30s)) << tail_log();
    std::vector<std::string> quotes;
    srv->with_exchange([&](genesis::sim::exchange& ex) {
        const auto acc = ex.find_account("sim-test-api-key");
        if (auto o = acc ? ex.open_orders(*acc) : result<std::vector<genesis::sim::order_record>>{}; acc && o)
            for (const auto& r : *o)
                quotes.push_back(r.client_id.str());
    });
    gw.signal(SIGINT);
    ASSERT_EQ(gw.wait_exit(10s), 0) << tail_log();
    EXPECT_EQ(sim_open_orders(), 0u);
    start_gateway(config);
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            const auto mm = strategy_of(s, "mm");
            if (!mm || blob_field(mm->preview, "quotes_placed") < 0)
                return false;
            preview = mm->preview;
            for (const auto& q : quotes)
                if (mm->preview.find(q) != std::string::npos)
                    return false;
            return blob_field(mm->preview, "inventory") == dec("0.001").raw();
        },
        30s))
        << preview << "\n"
        << tail_log();
    gw.signal(SIGINT);
    EXPECT_EQ(gw.wait_exit(10s), 0) << tail_log();
    EXPECT_EQ(log_line("not an open order of this strategy"), "") << tail_log();
    EXPECT_EQ(sim_open_orders(), 0u);
}

TEST_F(GatewayE2eTest, throwingStrategyIsDisabledAloneAndReloadKeepsState) {
    start_gateway(write_config(venue_section() + "[checkpoint]\ninterval_ms = 200\n" +
                               market_maker_toml("mm", GENESIS_MM_SO) +
                               "[strategies.boom]\npath = \"" GENESIS_THROWER_SO "\"\n[strategies.boom.params]\n"
                               "throw_on = \"book\"\n"));
    // The thrower is disabled with its reason; the market maker goes on quoting.
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            auto boom = strategy_of(s, "boom");
            auto mm = strategy_of(s, "mm");
            return boom && boom->state == "disabled" && mm && mm->state == "running" && mm->orders_placed >= 4 &&
                   blob_field(mm->preview, "quotes_placed") >= 4;
        },
        60s))
        << status_text;
    auto s = status();
    ASSERT_TRUE(s);
    EXPECT_NE(strategy_of(*s, "boom")->reason.find("boom in on_book"), std::string::npos) << status_text;
    const auto before = *strategy_of(*s, "mm");
    const auto quotes_before = blob_field(before.preview, "quotes_placed");

    // Hot reload: the same .so again, handed its saved state.
    auto r = http_request(ops_port, "POST", "/strategies/mm/reload");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u) << r->body;
    auto missing = http_request(ops_port, "POST", "/strategies/nope/reload");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404u);
    // Its counters carry on from where they were (a fresh instance would start again from 0).
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element st) {
            auto mm = strategy_of(st, "mm");
            return mm && mm->state == "running" && mm->callbacks > before.callbacks &&
                   blob_field(mm->preview, "quotes_placed") > quotes_before;
        },
        30s))
        << status_text;
    s = status();
    EXPECT_GE(blob_field(strategy_of(*s, "mm")->preview, "fills"), blob_field(before.preview, "fills"));
    EXPECT_EQ(strategy_of(*s, "boom")->state, "disabled");

    gw.signal(SIGINT);
    const auto rc = gw.wait_exit(5s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0);
    EXPECT_EQ(sim_open_orders(), 0u);
}

// A strategy's saved state is in every replica file: after a clean stop and the loss of the primary
// file, the restarted market maker goes on from its counters (a fresh one, with the market frozen,
// would show the two quotes it places first).
TEST_F(GatewayE2eTest, strategyStateSurvivesARestartFromAReplica) {
    const auto config = write_config(venue_section() + "[checkpoint]\ninterval_ms = 200\n" +
                                     "[persistence]\nprimary = \"genesis.db\"\nreplicas = [\"replica-1.db\"]\n" +
                                     market_maker_toml("mm", GENESIS_MM_SO));
    start_gateway(config);
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            auto mm = strategy_of(s, "mm");
            return mm && blob_field(mm->preview, "quotes_placed") >= 6;
        },
        60s))
        << status_text;
    srv->set_agents_enabled(false); // no more price moves: a fresh market maker would quote once
    auto s = status();
    ASSERT_TRUE(s);
    const auto quotes = blob_field(strategy_of(*s, "mm")->preview, "quotes_placed");
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    ASSERT_EQ(*rc, 0) << tail_log();
    ASSERT_EQ(sim_open_orders(), 0u);

    // The primary file is lost: the state comes from replica-1.db.
    for (const auto* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(dir / "var" / (std::string("genesis.db") + suffix));
    const auto log_size = read_file(dir / "gateway.log").size();
    start_gateway(config);
    ASSERT_TRUE(wait_log("strategy mm loaded from", 10s, log_size)) << tail_log();
    const auto line = log_line("strategy mm loaded from", log_size);
    EXPECT_EQ(line.find("(0 bytes of saved state)"), std::string::npos) << line;
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element st) {
            auto mm = strategy_of(st, "mm");
            return mm && mm->state == "running" && blob_field(mm->preview, "quotes_placed") >= 0;
        },
        30s))
        << status_text;
    EXPECT_GE(blob_field(strategy_of(*status(), "mm")->preview, "quotes_placed"), quotes) << status_text;
}

} // namespace
} // namespace genesis::test

namespace genesis::test {
namespace {

TEST_F(GatewayE2eTest, recordingReplaysToTheSimsBook) {
    const auto rec = dir / "session.rec";
    start_gateway(write_config(venue_section() + "record_file = \"" + rec.string() + "\"\n"));
    // Let the market move, then freeze it and wait until the gateway's book caught up with the sim.
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            std::uint64_t u = 0;
            return !s["symbols"].at(0)["update_id"].get_uint64().get(u) && u > 20;
        },
        30s))
        << status_text;
    srv->set_agents_enabled(false);
    book_snapshot truth;
    srv->with_exchange([&](genesis::sim::exchange& ex) { truth = *ex.depth(symbol::truncating("BTCUSDT"), 0); });
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            std::uint64_t u = 0;
            return !s["symbols"].at(0)["update_id"].get_uint64().get(u) && u == truth.last_update_id;
        },
        10s))
        << status_text << " sim at " << truth.last_update_id;
    gw.signal(SIGTERM);
    ASSERT_TRUE(gw.wait_exit(5s));

    // Replay with the same executable: the same decoders and book builder, no network.
    child replay;
    ASSERT_TRUE(replay.start({gateway_exe(), "replay", "--venue", "binance", "--input", rec.string(), "--books-only"},
                             dir / "replay.err"));
    auto book =
        replay.wait_line([](const std::string& l) { return l.find("\"type\":\"book\"") != std::string::npos; }, 20s);
    ASSERT_TRUE(book) << read_file(dir / "replay.err");
    auto summary =
        replay.wait_line([](const std::string& l) { return l.find("\"type\":\"summary\"") != std::string::npos; }, 20s);
    ASSERT_TRUE(summary);
    EXPECT_EQ(replay.wait_exit(10s), 0);
    EXPECT_NE(summary->find("\"errors\":0"), std::string::npos) << *summary;

    simdjson::dom::parser p;
    simdjson::dom::element b;
    ASSERT_FALSE(p.parse(*book).get(b)) << *book;
    EXPECT_EQ(uint64_t(b["last_update_id"]), truth.last_update_id);
    EXPECT_TRUE(bool(b["valid"]));
    auto side_equals = [](simdjson::dom::array got, const std::vector<book_level>& want) {
        std::size_t i = 0;
        for (auto lvl : got) {
            if (i >= want.size())
                return false;
            auto price = decimal::parse(std::string_view(lvl.at(0)));
            auto qty = decimal::parse(std::string_view(lvl.at(1)));
            if (!price || !qty || *price != want[i].price || *qty != want[i].quantity)
                return false;
            ++i;
        }
        return i == want.size();
    };
    EXPECT_TRUE(side_equals(b["bids"].get_array(), truth.bids)) << *book;
    EXPECT_TRUE(side_equals(b["asks"].get_array(), truth.asks)) << *book;
}

} // namespace
} // namespace genesis::test

namespace genesis::test {
namespace {

// Every risk limit, end to end: a scripted strategy places one order per limit against the sim's
// book (prices relative to its mid), each within every other limit, and each must come back to the
// strategy refused with its own code; the accepted ones rest on the sim until the stop cancels them.
TEST_F(GatewayE2eTest, eachRiskLimitRefusesItsOrderWithItsReason) {
    const std::string risk = "max_orders_per_second = 3\nmax_open_orders = 4\nself_cross_prevention = true\n";
    const std::string limits = "[risk.symbols.BTCUSDT]\nmax_order_qty = \"0.01\"\nmax_order_notional = \"500\"\n"
                               "max_position = \"0.02\"\nprice_band_bps = 100\n";
    // Mid ~67000: 0.009 is ~600 USDT (> 500), 0.007 ~467. a and b are two resting buys (0.014 BTC
    // worst case), so a third makes 0.021 (> 0.02); a sell at b's price would cross a; c is the
    // third order accepted in the second (rate 3); 1.5 s later d is the fourth open order.
    const std::string orders = "band:buy:-500:0.001;qty:buy:-50:0.011;notional:buy:-50:0.009;a:buy:-50:0.007;"
                               "b:buy:-60:0.007;position:buy:-70:0.007;cross:sell:-60:0.001;c:sell:50:0.001;"
                               "rate:sell:60:0.001";
    start_gateway(write_config(venue_section() + limits + "[checkpoint]\ninterval_ms = 200\n" +
                                   "[strategies.risk]\npath = \"" + GENESIS_SCRIPTED_SO + "\"\ntimer_ms = 100\n" +
                                   "[strategies.risk.params]\norders = \"" + orders +
                                   "\"\nlater = \"d:sell:60:0.001;open:sell:70:0.001\"\nlater_ms = \"1500\"\n",
                               risk));
    std::string preview;
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            auto st = strategy_of(s, "risk");
            preview = st ? st->preview : std::string{};
            return preview.find("open=") != std::string::npos;
        },
        60s))
        << status_text << tail_log();
    EXPECT_EQ(preview, "band=price_band;qty=max_order_qty;notional=max_order_notional;a=ok;b=ok;position=max_position;"
                       "cross=self_cross;c=ok;rate=order_rate;d=ok;open=max_open_orders")
        << tail_log();
    // Counted per reason, and each reason is in the gateway's log (written asynchronously: bounded wait).
    auto m = http_request(ops_port, "GET", "/metrics");
    ASSERT_TRUE(m);
    gateway::ops::exposition ex;
    ASSERT_FALSE(gateway::ops::parse_exposition(m->body, ex));
    for (const char* code : {"price_band", "max_order_qty", "max_order_notional", "max_position", "self_cross",
                             "order_rate", "max_open_orders"}) {
        EXPECT_EQ(ex.value("genesis_risk_rejections_total", {{"reason", code}}).value_or(0.0), 1.0) << code;
        EXPECT_TRUE(wait_log(std::string("refused: ") + code + ": ", 5s)) << code << "\n" << tail_log();
    }
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0);
    EXPECT_EQ(sim_open_orders(), 0u) << tail_log();
}

// The balance check counts what accepted orders will lock: the sim's account has 1 BTC free, and
// three sells placed in one callback (before any account update) need 0.6, 0.6 and 0.4. The second
// is refused by the gateway itself (before, it passed against the stale free balance and the venue
// rejected it); the third fits in what is left.
TEST_F(GatewayE2eTest, balanceCheckReservesForOrdersTheVenueHasNotCountedYet) {
    start_gateway(write_config(venue_section() + "[checkpoint]\ninterval_ms = 200\n[strategies.sells]\npath = \"" +
                                   GENESIS_SCRIPTED_SO +
                                   "\"\ntimer_ms = 100\n[strategies.sells.params]\n"
                                   "orders = \"s1:sell:300:0.6;s2:sell:300:0.6;s3:sell:300:0.4\"\n",
                               "max_orders_per_second = 100\nmax_order_notional = \"unlimited\"\n"));
    std::string preview;
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            auto st = strategy_of(s, "sells");
            preview = st ? st->preview : std::string{};
            return !preview.empty();
        },
        60s))
        << status_text << tail_log();
    EXPECT_EQ(preview, "s1=ok;s2=insufficient_balance;s3=ok") << tail_log();
    EXPECT_TRUE(wait_log("(0.6 reserved) < required 0.6 for sell BTCUSDT", 5s)) << tail_log();
    // Both accepted sells rest on the sim (none was refused there).
    (void)wait_sim_open_orders(2, 10s);
    EXPECT_EQ(sim_open_orders(), 2u) << tail_log();
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0) << tail_log();
    EXPECT_EQ(sim_open_orders(), 0u) << tail_log();
}

// Orders left open over a restart go back to the strategy of the same name, whatever strategies
// were added or removed; those of a strategy no longer configured are cancelled at start. (Ids
// used to follow the config's order: here "keeper" was 1 and "zgone" 2, then "added" took 1 and
// "keeper" 2, so keeper's orders went to "added" and zgone's to keeper.)
TEST_F(GatewayE2eTest, restoredOrdersGoBackToTheirStrategyByName) {
    auto scripted = [](const std::string& name, const std::string& orders) {
        return "[strategies." + name + "]\npath = \"" + GENESIS_SCRIPTED_SO + "\"\ntimer_ms = 100\n[strategies." +
               name + ".params]\norders = \"" + orders + "\"\n";
    };
    const std::string keep = "[shutdown]\ncancel_open_orders = false\n[checkpoint]\ninterval_ms = 200\n";
    start_gateway(write_config(venue_section() + keep + scripted("keeper", "a:buy:-300:0.001;b:buy:-350:0.001") +
                               scripted("zgone", "c:buy:-400:0.001")));
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            auto k = strategy_of(s, "keeper");
            auto z = strategy_of(s, "zgone");
            return k && z && k->preview == "a=ok;b=ok" && z->preview == "c=ok" && uint_at(s, "orders", "open") == 3;
        },
        60s))
        << status_text << tail_log();
    srv->set_agents_enabled(false); // no price moves: the buys 3-4% under the mid stay unfilled
    // All three answered NEW by the sim before the stop (the stop leaves them open).
    (void)wait_sim_open_orders(3, 10s);
    ASSERT_EQ(sim_open_orders(), 3u);
    gw.signal(SIGTERM);
    auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    ASSERT_EQ(*rc, 0) << tail_log();
    ASSERT_EQ(sim_open_orders(), 3u) << tail_log();
    // Orders left open on purpose are not waited for until the cancel timeout.
    EXPECT_EQ(read_file(dir / "gateway.log").find("after the cancel timeout"), std::string::npos) << tail_log();

    const auto from = read_file(dir / "gateway.log").size();
    start_gateway(write_config(venue_section() + keep + scripted("added", "") + scripted("keeper", "")));
    ASSERT_TRUE(wait_log("restored open order(s) handed back to their strategies", 10s, from)) << tail_log();
    EXPECT_TRUE(wait_log("] 2 restored open order(s) handed back to their strategies (keeper 2)", 1s, from))
        << tail_log();
    EXPECT_TRUE(wait_log("belongs to no loaded strategy", 5s, from)) << tail_log();
    // zgone's order is cancelled; keeper's two stay open.
    (void)wait_sim_open_orders(2, 10s);
    EXPECT_EQ(sim_open_orders(), 2u) << tail_log();
    gw.signal(SIGTERM);
    rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0) << tail_log();
    EXPECT_EQ(sim_open_orders(), 2u) << tail_log();
}

TEST_F(GatewayE2eTest, riskLimitRejectsWithItsReasonToTheStrategy) {
    // The market maker quotes 0.001 BTC; the symbol allows 0.0005 per order.
    start_gateway(write_config(venue_section() + "[risk.symbols.BTCUSDT]\nmax_order_qty = \"0.0005\"\n" +
                               "[checkpoint]\ninterval_ms = 200\n" + market_maker_toml("mm", GENESIS_MM_SO)));
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            auto mm = strategy_of(s, "mm");
            return mm && mm->preview.find("last_reject=max_order_qty") != std::string::npos;
        },
        30s))
        << status_text;
    auto s = status();
    EXPECT_EQ(uint_at(*s, "orders", "submitted"), 0u) << status_text; // nothing reached the OMS
    EXPECT_EQ(sim_open_orders(), 0u);
    auto m = http_request(ops_port, "GET", "/metrics");
    ASSERT_TRUE(m);
    gateway::ops::exposition ex;
    ASSERT_FALSE(gateway::ops::parse_exposition(m->body, ex));
    const auto n = ex.value("genesis_risk_rejections_total", {{"reason", "max_order_qty"}});
    ASSERT_TRUE(n);
    EXPECT_GT(*n, 0.0);
    // The log is asynchronous: wait (bounded) for the line to reach the file.
    EXPECT_TRUE(wait_log("max_order_qty", 10s)) << tail_log();
}

} // namespace
} // namespace genesis::test

namespace genesis::test {
namespace {

TEST_F(GatewayE2eTest, failedStartupReconciliationIsRetriedUntilItWorks) {
    // The first two openOrders queries fail: recovery's reconciliation fails, the gateway sends
    // nothing, then reconciles again with backoff and starts trading.
    sim::fault_rule r;
    r.kind = sim::fault_kind::http_error;
    r.target = "/api/v3/openOrders";
    r.method = "GET";
    r.status = 503;
    r.max_count = 2;
    sim::fault_config f;
    f.rules = {r};
    srv->set_faults(f);
    start_gateway(write_config(venue_section() + market_maker_toml("mm", GENESIS_MM_SO)));
    EXPECT_TRUE(wait_log("reconciling again", 10s)) << tail_log();
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_NE(h->status, 503u) << h->body;
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(5s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0);
}

// SIGINT while placements are in flight: every placement is answered 2.5 s late (under the 3 s placement timeout), so
// the market maker's first quotes are still PENDING_NEW when the stop begins and cannot be cancelled yet. They are
// cancelled on a later tick, once answered: nothing is left open on the sim. (Before, only orders already NEW were
// cancelled and these two stayed open: a CI run under ASan caught it.)
TEST_F(GatewayE2eTest, ordersPlacedWhileStoppingAreCancelledOnceAnswered) {
    delay_placements(2500ms);
    start_gateway(write_config(venue_section() + "[shutdown]\ncancel_timeout_ms = 4000\n" +
                               market_maker_toml("mm", GENESIS_MM_SO)));
    // The first quotes are open (PENDING_NEW: sent, unanswered for 2.5 s): /status is polled every
    // ~100 ms, far inside that window (the log, flushed once a second, would not be).
    ASSERT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    gw.signal(SIGINT);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0);
    EXPECT_EQ(sim_open_orders(), 0u) << tail_log();
    const auto log = read_file(dir / "gateway.log");
    EXPECT_NE(log.find("cancel(s) sent for orders placed while stopping"), std::string::npos) << tail_log();
    EXPECT_EQ(log.find("still open after the cancel timeout"), std::string::npos) << tail_log();
}

// A stop that cannot end (placements answered 2.5 s late, the stop waiting for them) is forced at
// shutdown.hard_limit_ms: exit 4 at once, saying why. The sim is left with the orders the final
// cancels never reached; the next start reconciles them (not this test's subject).
TEST_F(GatewayE2eTest, aStopOverItsHardLimitIsForced) {
    delay_placements(2500ms);
    start_gateway(write_config(venue_section() + "[shutdown]\ncancel_timeout_ms = 4000\nhard_limit_ms = 1000\n" +
                               market_maker_toml("mm", GENESIS_MM_SO)));
    ASSERT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    gw.signal(SIGINT);
    const auto rc = gw.wait_exit(5s);
    ASSERT_TRUE(rc) << tail_log();
    EXPECT_EQ(*rc, forced_stop_exit) << read_file(dir / "stderr.txt");
    EXPECT_NE(read_file(dir / "stderr.txt").find("forced stop (the stop did not end within shutdown.hard_limit_ms"),
              std::string::npos)
        << read_file(dir / "stderr.txt");
}

// A second SIGINT while the first stop waits forces it (the operator's "now").
TEST_F(GatewayE2eTest, aSecondInterruptForcesTheStop) {
    delay_placements(2500ms);
    start_gateway(write_config(venue_section() + "[shutdown]\ncancel_timeout_ms = 4000\nhard_limit_ms = 60000\n" +
                               market_maker_toml("mm", GENESIS_MM_SO)));
    ASSERT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    gw.signal(SIGINT);
    // The first is being handled: /healthz says so (and the stop waits ~2.5 s for the placements).
    bool stopping = false;
    for (int i = 0; i < 40 && !stopping; ++i) {
        auto h = http_request(ops_port, "GET", "/healthz");
        stopping = h && h->status == 503u && h->body.find("stopping (SIGINT)") != std::string::npos;
        if (!stopping)
            gw.pause(25ms, true);
    }
    ASSERT_TRUE(stopping) << tail_log();
    gw.signal(SIGINT);
    const auto rc = gw.wait_exit(3s);
    ASSERT_TRUE(rc) << tail_log();
    EXPECT_EQ(*rc, forced_stop_exit) << read_file(dir / "stderr.txt");
    EXPECT_NE(read_file(dir / "stderr.txt").find("forced stop (a second SIGINT)"), std::string::npos)
        << read_file(dir / "stderr.txt");
}

// The kill switch by signal, while placements are in flight: SIGUSR1 halts trading, and the orders
// whose placement is answered after it are cancelled too (the sweep on later ticks).
TEST_F(GatewayE2eTest, killSignalCancelsOrdersAnsweredAfterIt) {
    delay_placements(2500ms);
    start_gateway(write_config(venue_section() + market_maker_toml("mm", GENESIS_MM_SO)));
    ASSERT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    gw.signal(SIGUSR1);
    ASSERT_TRUE(wait_log("KILL SWITCH (SIGUSR1)", 10s)) << tail_log();
    // The quotes in flight at the kill are answered NEW 2.5 s later and swept.
    ASSERT_TRUE(wait_log("kill switch: ", 15s)) << tail_log();
    ASSERT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") == 0; }, 15s))
        << status_text << tail_log();
    EXPECT_TRUE(wait_sim_open_orders(0, 10s)) << tail_log();
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 503u) << h->body;
    EXPECT_NE(h->body.find("kill switch: SIGUSR1"), std::string::npos) << h->body;
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0);
    EXPECT_EQ(sim_open_orders(), 0u) << tail_log();
}

// The kill switch is checkpointed: a restart (a supervisor's, say) stays halted, cancels what is
// open and refuses every order, until a start with --clear-kill.
TEST_F(GatewayE2eTest, killSwitchSurvivesARestartUntilClearKill) {
    const auto config = write_config(venue_section() + market_maker_toml("mm", GENESIS_MM_SO));
    start_gateway(config);
    ASSERT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    auto k = http_request(ops_port, "POST", "/kill");
    ASSERT_TRUE(k);
    EXPECT_EQ(k->status, 200u) << k->body;
    EXPECT_TRUE(wait_sim_open_orders(0, 10s)) << tail_log();
    gw.signal(SIGTERM);
    auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    ASSERT_EQ(*rc, 0) << tail_log();

    auto from = read_file(dir / "gateway.log").size();
    start_gateway(config);
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 503u) << h->body;
    EXPECT_NE(h->body.find("kill switch: engaged before the restart (ops endpoint)"), std::string::npos) << h->body;
    // The market maker quotes on its first book: refused, nothing reaches the sim.
    EXPECT_TRUE(wait_log("refused: killed", 30s, from)) << tail_log();
    EXPECT_EQ(sim_open_orders(), 0u) << tail_log();
    EXPECT_EQ(uint_at(*status(), "orders", "submitted"), 0u) << status_text;
    gw.signal(SIGTERM);
    rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    ASSERT_EQ(*rc, 0) << tail_log();

    from = read_file(dir / "gateway.log").size();
    start_gateway(config, {}, {"--clear-kill"});
    EXPECT_TRUE(wait_log("released by --clear-kill", 10s, from)) << tail_log();
    EXPECT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    gw.signal(SIGTERM);
    rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    ASSERT_EQ(*rc, 0) << tail_log();

    // Released for good: a plain start trades.
    start_gateway(config);
    h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_NE(h->status, 503u) << h->body;
    EXPECT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    gw.signal(SIGTERM);
    rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0) << tail_log();
    EXPECT_EQ(sim_open_orders(), 0u) << tail_log();
}

// A hot reload (on_reload = "cancel") while the market maker's placements are in flight: the
// orders still PENDING_NEW at the reload cannot be canceled then, and the new instance never placed
// them; they are canceled once answered NEW 2.5 s later (the tick's sweep), not left working.
TEST_F(GatewayE2eTest, reloadCancelsOrdersAnsweredAfterIt) {
    delay_placements(2500ms);
    start_gateway(write_config(venue_section() + market_maker_toml("mm", GENESIS_MM_SO)));
    ASSERT_TRUE(wait_status([](simdjson::dom::element st) { return uint_at(st, "orders", "open") > 0; }, 60s))
        << status_text << tail_log();
    auto r = http_request(ops_port, "POST", "/strategies/mm/reload");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200u) << r->body;
    ASSERT_TRUE(wait_log("cancel(s) sent for orders of disabled or reloaded strategies answered since", 15s))
        << tail_log();
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0);
    EXPECT_EQ(sim_open_orders(), 0u) << tail_log();
}

} // namespace
} // namespace genesis::test

namespace genesis::test {
namespace {

sim::fault_rule rule(sim::fault_kind kind, std::string listener, std::string target, double probability = 1.0) {
    sim::fault_rule r;
    r.kind = kind;
    r.listener = std::move(listener);
    r.target = std::move(target);
    r.probability = probability;
    return r;
}

double metric(const gateway::ops::exposition& ex, std::string_view name,
              std::initializer_list<gateway::ops::label> ls) {
    return ex.value(name, ls).value_or(0.0);
}

// The health component of one name in /status: its health and reason ("" when absent).
std::pair<std::string, std::string> health_component(simdjson::dom::element s, std::string_view name) {
    simdjson::dom::array cs;
    if (s["components"].get_array().get(cs))
        return {};
    for (auto c : cs) {
        std::string_view n, health, reason;
        if (!c["name"].get_string().get(n) && n == name && !c["health"].get_string().get(health) &&
            !c["reason"].get_string().get(reason))
            return {std::string(health), std::string(reason)};
    }
    return {};
}

// A 429 on a placement (Retry-After 8 s, longer than the 3 s request timeout) while the market
// maker trades over REST: /status says why it is DEGRADED while the pause lasts; what would be
// sent meanwhile is refused (placements) or waits for the end (cancels), so no breaker counts a
// failure, and trading goes on after it.
TEST_F(GatewayE2eTest, aVenuePauseAfter429IsShownAndTripsNoBreaker) {
    start_gateway(write_config(venue_section() + market_maker_toml("mm", GENESIS_MM_SO)));
    ASSERT_TRUE(
        wait_status([](simdjson::dom::element s) { return health_component(s, "rate_limit").first == "GREEN"; }, 30s))
        << status_text;
    ASSERT_TRUE(wait_status([](simdjson::dom::element s) { return uint_at(s, "orders", "submitted") >= 2; }, 60s))
        << status_text << "\n"
        << tail_log();
    auto limited = rule(sim::fault_kind::http_error, "rest0", "/api/v3/order");
    limited.method = "POST";
    limited.status = 429;
    limited.retry_after = 8s;
    limited.max_count = 1;
    sim::fault_config f;
    f.rules = {limited};
    srv->set_faults(f);
    std::string reason;
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) {
            const auto c = health_component(s, "rate_limit");
            reason = c.second;
            return c.first == "DEGRADED";
        },
        60s))
        << status_text << "\n"
        << tail_log();
    EXPECT_NE(reason.find("paused by the venue (429)"), std::string::npos) << reason;
    const auto submitted = uint_at(*status(), "orders", "submitted");
    ASSERT_TRUE(
        wait_status([](simdjson::dom::element s) { return health_component(s, "rate_limit").first == "GREEN"; }, 30s))
        << status_text;
    ASSERT_TRUE(
        wait_status([&](simdjson::dom::element s) { return uint_at(s, "orders", "submitted") >= submitted + 2; }, 60s))
        << status_text << "\n"
        << tail_log();
    gateway::ops::exposition ex;
    std::string text;
    ASSERT_TRUE(wait_metrics([](const gateway::ops::exposition&) { return true; }, 10s, ex, text));
    EXPECT_EQ(metric(ex, "genesis_breaker_failures_total", {{"endpoint", "rest0"}}), 0.0) << text << "\n" << tail_log();
    EXPECT_EQ(metric(ex, "genesis_breaker_state", {{"endpoint", "rest0"}, {"state", "CLOSED"}}), 1.0) << text;
    gw.signal(SIGINT);
    EXPECT_EQ(gw.wait_exit(10s), 0) << tail_log();
}

// Issue 5's faults while the market maker trades: three REST hosts (one slowed by 0.5-3 s, one
// resetting connections), and on the market streams disconnects, depth gaps, malformed and
// truncated frames. The gateway recovers by itself: it counts each fault, resyncs its book, goes on
// placing orders, resolves every unknown outcome, and in the end its book equals the sim's.
TEST_F(GatewayE2eTest, marketDataAndRestFaultsAreRecoveredAndTheBookEqualsTheSims) {
    srv->stop();
    srv = std::make_unique<sim::sim_server>(sim::default_server_config(3));
    ASSERT_FALSE(srv->start().has_error());
    const auto& u = srv->urls();
    ASSERT_EQ(u.rest.size(), 3u);
    const std::string venue = "[venue]\nrest_urls = [\"" + u.rest[0] + "\", \"" + u.rest[1] + "\", \"" + u.rest[2] +
                              "\"]\nws_streams_url = \"" + u.ws_streams + "\"\nws_api_url = \"" + u.ws_api +
                              "\"\nca_file = \"" + srv->ca_file() + "\"\nsymbols = [\"BTCUSDT\"]\n";
    // A connection's disconnect period is fixed when it opens: this rule is in place before the
    // gateway connects (every market-stream connection is dropped 5 s after it opened).
    auto disconnect = rule(sim::fault_kind::ws_disconnect, "streams", "");
    disconnect.interval = 5000ms;
    sim::fault_config f;
    f.seed = 7;
    f.rules = {disconnect};
    srv->set_faults(f);
    start_gateway(write_config(venue + market_maker_toml("mm", GENESIS_MM_SO)));
    const auto before = status();
    ASSERT_TRUE(before);
    const auto submitted_before = uint_at(*before, "orders", "submitted");

    auto slow = rule(sim::fault_kind::latency, "rest1", "");
    slow.latency_min = 500ms;
    slow.latency_max = 3000ms;
    auto resets = rule(sim::fault_kind::reset, "rest2", "", 0.3);
    auto gap = rule(sim::fault_kind::depth_gap, "streams", "btcusdt@depth*", 0.05);
    gap.max_count = 3;
    auto bad = rule(sim::fault_kind::malformed, "streams", "btcusdt@trade", 0.2);
    bad.max_count = 3;
    auto cut = rule(sim::fault_kind::truncated, "streams", "btcusdt@depth*", 0.05);
    cut.max_count = 2;
    // Two book snapshots answered 429 with Retry-After: 1 s (every REST host).
    auto limited = rule(sim::fault_kind::http_error, "", "/api/v3/depth");
    limited.status = 429;
    limited.retry_after = 1s;
    limited.max_count = 2;
    f.rules = {slow, resets, disconnect, gap, bad, cut, limited};
    srv->set_faults(f);

    // Every market-data fault is seen and counted, and the book is valid again after each.
    gateway::ops::exposition ex;
    std::string last;
    const auto seen_all = [](const gateway::ops::exposition& e) {
        const gateway::ops::label btc{"symbol", "BTCUSDT"};
        const gateway::ops::label market{"feed", "market"};
        const gateway::ops::label too_many{"status", "429"};
        return metric(e, "genesis_book_gaps_total", {btc}) >= 1 &&
               metric(e, "genesis_book_resyncs_total", {btc}) >= 2 &&
               metric(e, "genesis_decode_errors_total", {market}) >= 2 &&
               metric(e, "genesis_ws_reconnects_total", {market}) >= 1 &&
               metric(e, "genesis_rest_rate_limit_answers_total", {too_many}) >= 1 &&
               metric(e, "genesis_book_valid", {btc}) == 1.0;
    };
    const bool all = wait_metrics(seen_all, 90s, ex, last);
    ASSERT_TRUE(all) << last << "\nsim: " << srv->stats_json() << "\n" << tail_log();

    // The order path went on through the slow and the resetting hosts.
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element s) { return uint_at(s, "orders", "submitted") >= submitted_before + 4; }, 60s))
        << status_text << "\n"
        << tail_log();

    // Faults off, kill switch, market paused: every unknown outcome is resolved, nothing is open,
    // and the gateway's book converges to the sim's (top of book compared, as /status shows it).
    srv->set_faults({});
    auto k = http_request(ops_port, "POST", "/kill");
    ASSERT_TRUE(k);
    ASSERT_TRUE(wait_sim_open_orders(0, 20s)) << tail_log();
    srv->set_agents_enabled(false);
    // A side may be empty once the market maker's quotes are gone (the agents' resting orders
    // are all there is): an empty side is "" on both, and /status leaves its field out.
    std::string sim_bid, sim_ask;
    const auto same_book = [&](simdjson::dom::element s) {
        bool sim_ok = false;
        srv->with_exchange([&](genesis::sim::exchange& x) {
            if (auto d = x.depth(symbol::truncating("BTCUSDT"), 1); d) {
                sim_ok = true;
                sim_bid = d->bids.empty() ? "" : d->bids.front().price.to_string();
                sim_ask = d->asks.empty() ? "" : d->asks.front().price.to_string();
            }
        });
        if (!sim_ok || (sim_bid.empty() && sim_ask.empty()))
            return false;
        simdjson::dom::array syms;
        if (s["symbols"].get_array().get(syms))
            return false;
        for (auto e : syms) {
            std::string_view bid, ask;
            bool valid = false;
            if (e["book_valid"].get_bool().get(valid))
                return false;
            if (e["bid"].get_string().get(bid) != simdjson::SUCCESS)
                bid = {}; // no bids
            if (e["ask"].get_string().get(ask) != simdjson::SUCCESS)
                ask = {}; // no asks
            return valid && bid == sim_bid && ask == sim_ask && uint_at(s, "orders", "unknown") == 0 &&
                   uint_at(s, "orders", "open") == 0;
        }
        return false;
    };
    EXPECT_TRUE(wait_status(same_book, 20s)) << "sim " << sim_bid << " / " << sim_ask << "\n" << status_text;

    // Nothing the gateway sent was refused for going on after a rate-limit answer.
    EXPECT_NE(srv->stats_json().find("\"bans\":0"), std::string::npos) << srv->stats_json();

    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(5s);
    ASSERT_TRUE(rc) << "did not exit within 5 s";
    EXPECT_EQ(*rc, 0) << read_file(dir / "stderr.txt");
}

// A venue that drops every market-data connection 300 ms after it opens. Each connection delivers
// before it goes, so the session's backoff starts afresh every time: only the venue's reconnect
// budget keeps the gateway from reconnecting several times a second (into Binance's connection
// limit). With 3 per 10 minutes, the 4th reconnect waits, and health says why. The WebSocket API
// (order entry, cancels included) has a budget of its own: with the streams' spent, it still
// reconnects.
TEST_F(GatewayE2eTest, aVenueDroppingEveryConnectionGetsNoMoreReconnectsThanTheBudget) {
    auto drop = rule(sim::fault_kind::ws_disconnect, "streams", "");
    drop.interval = 300ms;
    sim::fault_config f;
    f.seed = 11;
    f.rules = {drop};
    srv->set_faults(f);
    start_gateway(
        write_config(venue_section() + "order_entry = \"ws\"\nreconnect_budget = 3\nreconnect_window_ms = 600000\n"));

    const gateway::ops::label market{"feed", "market"};
    gateway::ops::exposition ex;
    std::string last;
    const bool held = wait_metrics(
        [&](const gateway::ops::exposition& e) {
            return metric(e, "genesis_ws_reconnect_budget_waits_total", {market}) >= 1;
        },
        30s, ex, last, 100ms);
    ASSERT_TRUE(held) << last << "\n" << tail_log();
    // Three reconnects, then the wait: the 4th would leave the budget's 10-minute window first.
    EXPECT_EQ(metric(ex, "genesis_ws_reconnects_total", {market}), 3.0) << last;
    const gateway::ops::label streams{"listener", "streams"}, ws_api{"listener", "ws_api"};
    EXPECT_EQ(metric(ex, "genesis_ws_reconnect_budget_used", {streams}), 3.0) << last;
    EXPECT_EQ(metric(ex, "genesis_ws_reconnect_budget_capacity", {streams}), 3.0) << last;
    EXPECT_EQ(metric(ex, "genesis_ws_reconnect_budget_used", {ws_api}), 0.0) << last;
    EXPECT_EQ(metric(ex, "genesis_ws_reconnect_budget_capacity", {ws_api}), 3.0) << last;
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            const auto c = component_of(s, "ws_reconnects");
            return c && c->health == "DEGRADED";
        },
        10s))
        << status_text;
    EXPECT_EQ(component_of(*status(), "ws_reconnects")->reason,
              "3 of 3 reconnects in the last 600 s: the streams' reconnect budget is spent")
        << status_text;
    ASSERT_TRUE(wait_log("reconnect budget exhausted", 5s)) << tail_log();

    // Now the WebSocket API drops its connection too: order entry reconnects, on its own budget.
    auto drop_api = rule(sim::fault_kind::ws_disconnect, "wsapi", "");
    drop_api.interval = 300ms;
    f.rules = {drop, drop_api};
    srv->set_faults(f);
    const gateway::ops::label orders{"feed", "orders"};
    ASSERT_TRUE(wait_metrics(
        [&](const gateway::ops::exposition& e) {
            return metric(e, "genesis_ws_reconnects_total", {orders}) >= 1 &&
                   metric(e, "genesis_ws_reconnect_budget_used", {ws_api}) >= 1;
        },
        30s, ex, last, 100ms))
        << last << "\n"
        << tail_log();
    EXPECT_EQ(metric(ex, "genesis_ws_reconnect_budget_used", {streams}), 3.0) << last;

    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(5s);
    ASSERT_TRUE(rc) << "did not exit within 5 s";
    EXPECT_EQ(*rc, 0) << read_file(dir / "stderr.txt");
}

// BTCUSDT's position in /status ("0" when the gateway shows none).
std::string btc_position(simdjson::dom::element s) {
    simdjson::dom::array syms;
    if (s["symbols"].get_array().get(syms))
        return "?";
    for (auto e : syms) {
        std::string_view name, pos;
        if (!e["symbol"].get_string().get(name) && name == "BTCUSDT")
            return e["position"].get_string().get(pos) ? "0" : std::string(pos);
    }
    return "0";
}

// Mode sim with the gateway's own genesis-sim (no [venue] URLs): each start is a new exchange, so
// the last run's orders, fills and positions would belong to one that is gone (and its trade ids
// would come again, dropping real fills as duplicates). The state is moved aside and the gateway
// starts afresh, keeping only an engaged kill switch.
TEST_F(GatewayE2eTest, ownSimIsANewExchangeEachStartSoTheLastStateIsSetAsideButAKillSwitchKept) {
    srv->stop(); // not this process's sim: the gateway starts its own
    const auto config = [&](bool agents) {
        return write_config(market_maker_toml("mm", GENESIS_MM_SO) + "[sim]\nagents = " + (agents ? "true" : "false") +
                            "\n");
    };
    const auto stop = [&] {
        gw.signal(SIGTERM);
        const auto rc = gw.wait_exit(5s);
        ASSERT_TRUE(rc) << "did not exit within 5 s";
        ASSERT_EQ(*rc, 0) << tail_log();
    };
    // Run 1: the market maker trades with the sim's agents until it holds a position.
    start_gateway(config(true));
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) { return uint_at(s, "orders", "fills") >= 1 && btc_position(s) != "0"; }, 90s))
        << status_text << "\n"
        << tail_log();
    ASSERT_NO_FATAL_FAILURE(stop());
    const auto previous = dir / "var" / "previous";
    EXPECT_FALSE(std::filesystem::exists(previous));

    // Run 2 (no agents: nothing fills): nothing of run 1 is restored; its database is kept aside.
    auto log_size = read_file(dir / "gateway.log").size();
    start_gateway(config(false));
    auto s = status();
    ASSERT_TRUE(s);
    EXPECT_EQ(btc_position(*s), "0") << status_text;
    EXPECT_EQ(uint_at(*s, "orders", "fills"), 0u) << status_text;
    EXPECT_EQ(uint_at(*s, "orders", "duplicate_fills"), 0u) << status_text;
    ASSERT_TRUE(wait_log("is moved to", 5s, log_size)) << tail_log();
    std::vector<std::filesystem::path> runs;
    for (const auto& e : std::filesystem::directory_iterator(previous))
        runs.push_back(e.path());
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_TRUE(std::filesystem::exists(runs.front() / "genesis.db"));
    auto k = http_request(ops_port, "POST", "/kill");
    ASSERT_TRUE(k);
    EXPECT_EQ(k->status, 200u) << k->body;
    ASSERT_NO_FATAL_FAILURE(stop());

    // Run 3: set aside again, and the kill switch of run 2 still holds.
    log_size = read_file(dir / "gateway.log").size();
    start_gateway(config(false));
    ASSERT_TRUE(wait_log("its kill switch stays engaged", 5s, log_size)) << tail_log();
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 503u) << h->body;
    EXPECT_NE(h->body.find("engaged before the restart"), std::string::npos) << h->body;
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(previous), std::filesystem::directory_iterator{}), 2);
    ASSERT_NO_FATAL_FAILURE(stop());
}

// Overwrites a database's first 100 bytes (SQLite's file header) with 'x': it no longer opens.
void damage_header(const std::filesystem::path& db) {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    const std::string junk(100, 'x');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

// Mode sim with its own genesis-sim, a kill switch engaged and then a start that fails after the
// last state was set aside (here: a symbol the sim does not list): the kill switch was saved into
// the new database before the failure, so the next start still holds it.
TEST_F(GatewayE2eTest, ownSimKeepsACarriedKillSwitchThroughAStartThatFailsAfterTheSetAside) {
    srv->stop();
    const auto config = [&](const std::string& symbols) {
        return write_config("[venue]\nsymbols = [" + symbols + "]\n[sim]\nagents = false\n");
    };
    start_gateway(config("\"BTCUSDT\""));
    auto k = http_request(ops_port, "POST", "/kill");
    ASSERT_TRUE(k);
    ASSERT_EQ(k->status, 200u) << k->body;
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(5s), 0) << tail_log();

    // Known to fail only when the sim answers exchangeInfo: after the set-aside.
    auto log_size = read_file(dir / "gateway.log").size();
    const auto bad = config("\"BTCUSDT\", \"NOSUCHUSDT\"");
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", bad.string()}, dir / "stderr.txt"));
    ASSERT_EQ(gw.wait_exit(60s), 1) << read_file(dir / "stderr.txt");
    EXPECT_NE(read_file(dir / "stderr.txt").find("NOSUCHUSDT is not listed"), std::string::npos)
        << read_file(dir / "stderr.txt");
    ASSERT_TRUE(wait_log("its kill switch stays engaged", 5s, log_size)) << tail_log();
    EXPECT_FALSE(std::filesystem::exists(dir / "var" / "kill-switch.carried")); // it is in the new database

    log_size = read_file(dir / "gateway.log").size();
    start_gateway(config("\"BTCUSDT\""));
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 503u) << h->body;
    EXPECT_NE(h->body.find("engaged before the restart"), std::string::npos) << h->body;
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "var" / "previous"),
                            std::filesystem::directory_iterator{}),
              2);
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(5s), 0) << tail_log();
}

// The kill switch is read from every file of the state set aside, each on its own: with the
// primary damaged, the replica's copy holds it (and a replica of the primary's file name, in
// another folder, is kept beside it under a name of its own).
TEST_F(GatewayE2eTest, ownSimReadsTheCarriedKillSwitchFromAReplicaWhenThePrimaryIsDamaged) {
    srv->stop();
    std::filesystem::create_directories(dir / "var" / "copies");
    const auto config = write_config("[persistence]\nprimary = \"genesis.db\"\nreplicas = [\"copies/genesis.db\"]\n"
                                     "[sim]\nagents = false\n");
    start_gateway(config);
    auto k = http_request(ops_port, "POST", "/kill");
    ASSERT_TRUE(k);
    ASSERT_EQ(k->status, 200u) << k->body;
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(5s), 0) << tail_log();

    const auto primary = dir / "var" / "genesis.db";
    ASSERT_TRUE(std::filesystem::exists(primary));
    damage_header(primary);
    // Ten older sets and a move that did not finish: the oldest set goes, the .partial stays.
    const auto previous = dir / "var" / "previous";
    for (int i = 0; i < 10; ++i)
        std::filesystem::create_directories(previous / ("2020010" + std::to_string(i) + "T000000Z"));
    std::filesystem::create_directories(previous / "20191231T000000Z.partial");
    const auto log_size = read_file(dir / "gateway.log").size();
    start_gateway(config);
    ASSERT_TRUE(wait_log("these files of the last run's state do not open: " + primary.string(), 5s, log_size))
        << tail_log();
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 503u) << h->body;
    EXPECT_NE(h->body.find("engaged before the restart"), std::string::npos) << h->body;
    EXPECT_FALSE(std::filesystem::exists(previous / "20200100T000000Z"));
    EXPECT_TRUE(std::filesystem::exists(previous / "20200101T000000Z"));
    EXPECT_TRUE(std::filesystem::exists(previous / "20191231T000000Z.partial"));
    std::vector<std::filesystem::path> runs;
    for (const auto& e : std::filesystem::directory_iterator(previous))
        if (const auto n = e.path().filename().string(); !n.starts_with("2020") && !n.starts_with("2019"))
            runs.push_back(e.path()); // this start's
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(previous), std::filesystem::directory_iterator{}), 11);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs.front().extension(), "") << runs.front(); // not left as <time>.partial
    // The primary (the damaged file) keeps its name, the replica is 2-genesis.db.
    EXPECT_EQ(read_file(runs.front() / "genesis.db").substr(0, 4), "xxxx");
    EXPECT_EQ(read_file(runs.front() / "2-genesis.db").substr(0, 15), "SQLite format 3");
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(5s), 0) << tail_log();
}

// A file of the last state that does not open may hold the newest kill switch (a replica that
// missed a write holds an older one): with no engaged copy elsewhere the start stops, naming the
// file, rather than release it; --clear-kill starts.
TEST_F(GatewayE2eTest, ownSimStopsRatherThanReleaseAKillSwitchItCannotRead) {
    srv->stop();
    const auto config = write_config("[persistence]\nprimary = \"genesis.db\"\nreplicas = [\"replica-1.db\"]\n"
                                     "[sim]\nagents = false\n");
    start_gateway(config);
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(5s), 0) << tail_log();
    const auto primary = dir / "var" / "genesis.db";
    damage_header(primary);
    ASSERT_TRUE(gw.start({gateway_exe(), "run", "--config", config.string()}, dir / "stderr.txt"));
    ASSERT_EQ(gw.wait_exit(30s), 1) << read_file(dir / "stderr.txt");
    const auto err = read_file(dir / "stderr.txt");
    EXPECT_NE(err.find("not all of its files open to read its kill switch (" + primary.string()), std::string::npos)
        << err;
    EXPECT_NE(err.find("--clear-kill"), std::string::npos) << err;
    EXPECT_TRUE(std::filesystem::exists(primary)); // nothing was moved

    start_gateway(config, {}, {"--clear-kill"});
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200u) << h->body;
    EXPECT_FALSE(std::filesystem::exists(primary) &&
                 read_file(primary).substr(0, 4) == "xxxx"); // set aside, a fresh one in its place
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(5s), 0) << tail_log();
}

// A kill switch carried by a start that was killed between the set-aside and its save waits in
// data_dir/kill-switch.carried: the next start takes it from there.
TEST_F(GatewayE2eTest, ownSimTakesAKillSwitchLeftInItsCarriedFile) {
    srv->stop();
    expect_kill_switch_from_carried_file("[sim]\nagents = false\n", "ops: POST /kill");
}

// The same file found by a start against a venue that outlives the gateway (the data folder of an
// own-sim start reused): the kill switch holds there too.
TEST_F(GatewayE2eTest, aKillSwitchLeftInTheCarriedFileHoldsAgainstAnyVenue) {
    expect_kill_switch_from_carried_file(venue_section(), "ops endpoint");
}

// The breakers and the predictor's windows are in the checkpoint: a gateway stopped while rest0's
// breaker was OPEN comes back with it OPEN (for what was left of its recovery timeout), although
// rest0 answers again, and with the latency history it had; a fresh data folder starts CLOSED.
TEST_F(GatewayE2eTest, breakerAndPredictorStateSurviveARestart) {
    srv->stop();
    srv = std::make_unique<sim::sim_server>(sim::default_server_config(2));
    ASSERT_FALSE(srv->start().has_error());
    const auto& u = srv->urls();
    const std::string venue = "[venue]\nrest_urls = [\"" + u.rest[0] + "\", \"" + u.rest[1] +
                              "\"]\nws_streams_url = \"" + u.ws_streams + "\"\nws_api_url = \"" + u.ws_api +
                              "\"\nca_file = \"" + srv->ca_file() + "\"\nsymbols = [\"BTCUSDT\"]\n";
    // rest0 trips on its first failure and then stays OPEN for ten minutes.
    const std::string breakers = "[resilience.breakers.rest0]\nfailure_threshold = 1\nrecovery_timeout_ms = 600000\n";
    const auto config = write_config(venue + breakers);
    // Book snapshots fail on rest0 (time sync, exchangeInfo and the account go on there).
    auto depth = rule(sim::fault_kind::http_error, "rest0", "/api/v3/depth");
    depth.status = 500;
    sim::fault_config f;
    f.rules = {depth};
    srv->set_faults(f);

    const auto breaker_reason = [](simdjson::dom::element s, std::string_view name) {
        const auto c = component_of(s, name);
        return c ? c->reason : std::string{};
    };
    start_gateway(config);
    ASSERT_TRUE(
        wait_status([&](simdjson::dom::element s) { return breaker_reason(s, "breaker.rest0") == "OPEN"; }, 30s))
        << status_text << "\n"
        << tail_log();
    ASSERT_TRUE(wait_status(
        [](simdjson::dom::element s) {
            simdjson::dom::array syms;
            bool valid = false;
            return !s["symbols"].get_array().get(syms) && syms.size() == 1 &&
                   !(*syms.begin())["book_valid"].get_bool().get(valid) && valid;
        },
        30s))
        << status_text; // the snapshot came from rest1
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(10s), 0) << tail_log();

    // rest0 is healthy now; only the carried state can keep its breaker OPEN.
    srv->set_faults({});
    const auto log_size = read_file(dir / "gateway.log").size();
    start_gateway(config);
    ASSERT_TRUE(wait_log("resilience state from checkpoint", 10s, log_size)) << tail_log();
    const auto line = log_line("resilience state from checkpoint", log_size);
    EXPECT_NE(line.find("rest0 OPEN"), std::string::npos) << line;
    EXPECT_NE(line.find("rest1 CLOSED"), std::string::npos) << line;
    EXPECT_EQ(line.find(" 0 latency window(s)"), std::string::npos) << line;
    auto st = status();
    ASSERT_TRUE(st);
    EXPECT_EQ(breaker_reason(*st, "breaker.rest0"), "OPEN") << status_text;
    EXPECT_EQ(breaker_reason(*st, "breaker.rest1"), "CLOSED") << status_text;
    gw.signal(SIGTERM);
    ASSERT_EQ(gw.wait_exit(10s), 0) << tail_log();

    // Without the data folder there is nothing to carry: CLOSED.
    std::filesystem::remove_all(dir / "var");
    start_gateway(config);
    st = status();
    ASSERT_TRUE(st);
    EXPECT_EQ(breaker_reason(*st, "breaker.rest0"), "CLOSED") << status_text;
}

} // namespace
} // namespace genesis::test
