// Crash and fault test (issue 6): genesis-gateway, a child process, trades through a strategy that
// places and cancels at a high rate against genesis-sim running in this process, with lost-ack
// and 5xx-after-execution faults on order placement. It is killed with SIGKILL at seeded random
// moments and restarted on the same data_dir each time; a last clean run reconciles and stops
// gracefully. Then the sim's ground truth is compared with the gateway's journal (its SQLite file):
// no client order id placed twice, no fill of ours missing from the journal, balances equal,
// nothing left open. It runs once per order entry: by HTTP ([venue] order_entry = "rest", the
// faults on POST /api/v3/order) and by WebSocket API frame ("ws", the faults on order.place).
#include "genesis/core/decimal.hpp"
#include "genesis/sim/server/sim_server.hpp"
#include "runtime_test_support.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace genesis::test {
namespace {

namespace sim = genesis::sim::server;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// A GET to the gateway's ops endpoint: the body of a 200 answer.
std::optional<std::string> http_get(unsigned short port, const std::string& target) {
    auto a = http_request(port, "GET", target, {}, 2s);
    if (!a || a->status != 200)
        return std::nullopt;
    return std::move(a->body);
}

// ---- helpers -------------------------------------------------------------------------------

// The TCP ports a process listens on (its socket inodes matched in /proc/net/tcp): the ops
// endpoint of a gateway that never printed its trading line.
std::vector<unsigned short> listening_ports(pid_t pid) {
    std::set<std::string> inodes;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        const auto target = fs::read_symlink(e.path(), ec).string();
        if (!ec && target.rfind("socket:[", 0) == 0)
            inodes.insert(target.substr(8, target.size() - 9));
    }
    std::vector<unsigned short> out;
    std::ifstream tcp("/proc/net/tcp");
    std::string line;
    std::getline(tcp, line); // header
    while (std::getline(tcp, line)) {
        std::istringstream in(line);
        std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
        in >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
        if (state == "0A" && inodes.contains(inode))
            out.push_back(static_cast<unsigned short>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16)));
    }
    return out;
}

std::string read_file(const fs::path& f) {
    std::ifstream in(f);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string tail(const std::string& s, std::size_t n = 3000) { return s.size() > n ? s.substr(s.size() - n) : s; }

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size()))
        ++n;
    return n;
}

// A line of a sanitizer report, an abort or an uncaught exception: a crash of its own.
std::optional<std::string> crash_marker(const std::string& text) {
    for (const char* m :
         {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "ERROR: ThreadSanitizer", "WARNING: ThreadSanitizer",
          "runtime error:", "terminate called", "Assertion `", "Aborted", "Segmentation fault"}) {
        if (const auto p = text.find(m); p != std::string::npos)
            return text.substr(p, 400);
    }
    return std::nullopt;
}

decimal dec(std::string_view s) {
    auto d = decimal::parse(s);
    return d ? *d : decimal{};
}

decimal from_raw(std::int64_t raw) { return decimal::from_raw(raw); }

// The journal's rows, read from a copy of the gateway's primary SQLite file after it exited.
struct journal_fill {
    std::string client_id;
    std::uint64_t order_id = 0;
    std::string side;
    decimal price, quantity, commission;
    std::string commission_asset;
};
struct journal {
    std::map<std::uint64_t, journal_fill> fills; ///< by trade id (BTCUSDT)
    std::size_t fill_rows = 0;
    std::set<std::string> intents;               ///< client ids with an intent row
    std::map<std::string, decimal> last_balance; ///< asset -> free + locked of its newest row
    std::size_t transitions = 0;
    std::size_t checkpoints = 0;
};

std::optional<journal> read_journal(const fs::path& primary, const fs::path& scratch, std::string& error) {
    // A copy with its WAL, so that the original is never touched.
    fs::create_directories(scratch);
    const auto copy = scratch / "journal-copy.db";
    std::error_code ec;
    fs::copy_file(primary, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) {
        error = "copy " + primary.string() + ": " + ec.message();
        return std::nullopt;
    }
    for (const char* suffix : {"-wal", "-shm"}) {
        const fs::path side = primary.string() + suffix;
        fs::remove(copy.string() + suffix, ec);
        if (fs::exists(side))
            fs::copy_file(side, copy.string() + suffix, fs::copy_options::overwrite_existing, ec);
    }
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(copy.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        error = "open " + copy.string() + ": " + (db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return std::nullopt;
    }
    journal j;
    auto each = [&](const char* sql, const std::function<void(sqlite3_stmt*)>& row) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
            error += std::string(sql) + ": " + sqlite3_errmsg(db) + "; ";
            return;
        }
        while (sqlite3_step(st) == SQLITE_ROW)
            row(st);
        sqlite3_finalize(st);
    };
    auto text = [](sqlite3_stmt* st, int col) {
        const auto* p = sqlite3_column_text(st, col);
        return p ? std::string(reinterpret_cast<const char*>(p)) : std::string{};
    };
    each("SELECT trade_id, client_id, order_id, side, price_raw, quantity_raw, commission_raw, commission_asset "
         "FROM fills WHERE symbol = 'BTCUSDT'",
         [&](sqlite3_stmt* st) {
             ++j.fill_rows;
             journal_fill f;
             f.client_id = text(st, 1);
             f.order_id = static_cast<std::uint64_t>(sqlite3_column_int64(st, 2));
             f.side = text(st, 3);
             f.price = from_raw(sqlite3_column_int64(st, 4));
             f.quantity = from_raw(sqlite3_column_int64(st, 5));
             f.commission = from_raw(sqlite3_column_int64(st, 6));
             f.commission_asset = text(st, 7);
             j.fills[static_cast<std::uint64_t>(sqlite3_column_int64(st, 0))] = f;
         });
    each("SELECT client_id FROM order_intents", [&](sqlite3_stmt* st) { j.intents.insert(text(st, 0)); });
    each("SELECT asset, free_raw, locked_raw FROM balances ORDER BY seq", [&](sqlite3_stmt* st) {
        j.last_balance[text(st, 0)] = *from_raw(sqlite3_column_int64(st, 1)).add(from_raw(sqlite3_column_int64(st, 2)));
    });
    each("SELECT COUNT(*) FROM order_transitions",
         [&](sqlite3_stmt* st) { j.transitions = static_cast<std::size_t>(sqlite3_column_int64(st, 0)); });
    each("SELECT COUNT(*) FROM checkpoints",
         [&](sqlite3_stmt* st) { j.checkpoints = static_cast<std::size_t>(sqlite3_column_int64(st, 0)); });
    sqlite3_close(db);
    if (!error.empty())
        return std::nullopt;
    return j;
}

// ---- the test ------------------------------------------------------------------------------

constexpr std::uint64_t kill_seed = 20240611;
constexpr std::uint64_t fault_seed = 7;
constexpr int kills = 30;
const std::string api_key = "sim-test-api-key";

// Faults on order placement: the sim executes the order, then drops the answer (the gateway times
// out) or answers 503 (5xx after execution). Both leave the outcome unknown to the gateway.
std::vector<sim::fault_rule> fault_rules(const std::string& order_entry) {
    sim::fault_rule dropped;
    dropped.kind = sim::fault_kind::lost_ack;
    if (order_entry == "ws") {
        dropped.listener = "wsapi";
        dropped.target = "order.place";
    } else {
        dropped.target = "/api/v3/order";
        dropped.method = "POST";
    }
    dropped.status = 0;
    dropped.probability = 0.04;
    sim::fault_rule five_xx = dropped;
    five_xx.status = 503;
    five_xx.probability = 0.06;
    return {dropped, five_xx};
}

// The parameter: [venue] order_entry.
class CrashTest : public ::testing::TestWithParam<std::string> {
protected:
    fs::path dir;
    std::unique_ptr<sim::sim_server> srv;
    child gw;
    int run_index = 0;
    std::map<std::string, decimal> initial; ///< the account's balances (free + locked) before any run

    void SetUp() override {
        dir = fs::temp_directory_path() / ("genesis-crash-" + GetParam() + "-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir / "var");
        auto cfg = sim::default_server_config(1);
        // The strategy places 10-30 orders/s: above Binance's 50 per 10 s, which is not under test here.
        cfg.limits.orders_per_10s = 100'000;
        cfg.limits.weight_per_minute = 1'000'000;
        srv = std::make_unique<sim::sim_server>(cfg);
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            auto acc = ex.find_account(api_key);
            if (auto b = acc ? ex.balances(*acc) : result<std::vector<balance>>{}; acc && b)
                for (const auto& x : *b)
                    initial[x.name.str()] = *x.free.add(x.locked);
        });
        ASSERT_FALSE(initial.empty());
    }

    void TearDown() override {
        gw.reset();
        if (srv)
            srv->stop();
        // Keep the folder (logs, database) when something failed.
        if (HasFailure()) {
            std::printf("crash test files kept in %s\n", dir.c_str());
        } else {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    }

    fs::path log_file(int run) const { return dir / ("gateway-" + std::to_string(run) + ".log"); }
    fs::path err_file(int run) const { return dir / ("stderr-" + std::to_string(run) + ".txt"); }

    // One config per run: same data_dir and instance, its own log file.
    fs::path write_config(int run, bool quiet) const {
        const auto& u = srv->urls();
        const auto file = dir / ("gateway-" + std::to_string(run) + ".toml");
        std::ofstream(file)
            << "[gateway]\nmode = \"sim\"\ninstance_id = \"crash\"\ndata_dir = \"" << (dir / "var").string() << "\"\n"
            << "[logging]\nlevel = \"info\"\nfile = \"" << log_file(run).string() << "\"\n"
            << "[ops]\nport = 0\n[status]\nterminal = \"off\"\n"
            << "[venue]\nrest_urls = [\"" << u.rest.front() << "\"]\nws_streams_url = \"" << u.ws_streams
            << "\"\nws_api_url = \"" << u.ws_api << "\"\nca_file = \"" << srv->ca_file()
            << "\"\nsymbols = [\"BTCUSDT\"]\norder_timeout_ms = 1500\norder_entry = \"" << GetParam()
            << "\"\n"
            // The sim's weight limit is raised above (restarts reconcile at weight ~200 each); the
            // gateway's own budget must match it or a restart waits for the next minute.
            << "weight_limit_per_minute = 1000000\n"
            << "[checkpoint]\ninterval_ms = 300\n"
            << "[risk]\nmax_orders_per_second = 40\nmax_open_orders = 200\n"
            << "[shutdown]\ncancel_open_orders = true\ncancel_timeout_ms = 3000\n"
            << "[strategies.chaos]\npath = \"" << GENESIS_CHAOS_SO << "\"\ntimer_ms = 60\n"
            << "book_depth = 1\n[strategies.chaos.params]\nsymbol = \"BTCUSDT\"\nqty = \"0.0002\"\n"
            << "tick_size = \"0.01\"\ncross_every = \"3\"\nmax_working = \"6\"\nper_tick = \"3\"\nquiet = \""
            << (quiet ? "1" : "0") << "\"\n";
        return file;
    }

    // What a failed run left: its stderr and log (the log is asynchronous: often empty after a
    // kill), its /status when it still runs (its ops port found through /proc), the sim's figures.
    std::string diagnostics(int run) {
        std::string out = "stderr: " + tail(read_file(err_file(run))) + "\nlog tail: " + tail(read_file(log_file(run)));
        if (gw.alive())
            for (const auto port : listening_ports(gw.pid()))
                if (auto s = http_get(port, "/status"))
                    out += "\ngateway /status: " + *s;
        return out + "\nsim: " + srv->stats_json();
    }

    // Spawns run `run` (false when fork/exec failed).
    bool start(int run, bool quiet) {
        return gw.start({GENESIS_GATEWAY_EXE, "run", "--config", write_config(run, quiet).string()}, err_file(run));
    }
    // The ops port from the run's trading line, once it printed it before `until`.
    std::optional<unsigned short> wait_trading(steady::time_point until) {
        auto line = gw.wait_line(
            [](const std::string& l) { return l.find("\"event\":\"trading\"") != std::string::npos; }, until);
        if (!line)
            return std::nullopt;
        const auto p = line->find("\"ops_port\":");
        if (p == std::string::npos)
            return std::nullopt;
        return static_cast<unsigned short>(std::stoul(line->substr(p + 11)));
    }

    std::vector<genesis::sim::order_record> sim_open_orders() {
        std::vector<genesis::sim::order_record> out;
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            auto acc = ex.find_account(api_key);
            if (auto o = acc ? ex.open_orders(*acc) : result<std::vector<genesis::sim::order_record>>{}; acc && o)
                out = *o;
        });
        return out;
    }

    std::map<std::string, decimal> sim_balances() {
        std::map<std::string, decimal> out;
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            auto acc = ex.find_account(api_key);
            if (auto b = acc ? ex.balances(*acc) : result<std::vector<balance>>{}; acc && b)
                for (const auto& x : *b)
                    out[x.name.str()] = *x.free.add(x.locked);
        });
        return out;
    }
};

TEST_P(CrashTest, sigkillLoopLosesNoFillAndPlacesNoOrderTwice) {
    const auto t0 = steady::now();
    std::mt19937_64 rng(kill_seed);
    // Kill moments: 30-250 ms after the spawn when aiming at the recovery (a restart reaches
    // trading in ~120 ms here), 400-2500 ms of trading otherwise (long enough for the strategy to
    // get a book and place a few dozen orders).
    std::uniform_int_distribution<int> recovery_ms(30, 250);
    std::uniform_int_distribution<int> trading_ms(400, 2500);
    std::vector<long> to_trading_ms;
    int killed_in_recovery = 0;

    for (int k = 0; k < kills; ++k) {
        const int run = run_index++;
        // Every fourth kill aims at the recovery itself (counted from the spawn, not from trading).
        const bool in_recovery = k % 4 == 3;
        const auto delay = std::chrono::milliseconds{in_recovery ? recovery_ms(rng) : trading_ms(rng)};
        const auto spawned = steady::now();
        ASSERT_TRUE(start(run, false)) << "fork/exec failed";
        if (in_recovery) {
            gw.drain_until(spawned + delay);
            if (!gw.wait_line([](const std::string& l) { return l.find("\"event\":\"trading\"") != std::string::npos; },
                              steady::now()))
                ++killed_in_recovery;
        } else {
            const auto port = wait_trading(spawned + 40s);
            ASSERT_TRUE(port) << "run " << run << " never reached trading after a kill\n" << diagnostics(run);
            to_trading_ms.push_back(
                std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - spawned).count());
            gw.drain_until(steady::now() + delay);
        }
        // It must still be running: a gateway that died by itself crashed.
        ASSERT_TRUE(gw.alive()) << "run " << run << " exited by itself\n" << diagnostics(run);
        gw.signal(SIGKILL);
        const auto rc = gw.wait_exit(5s);
        ASSERT_TRUE(rc) << "run " << run << " survived SIGKILL";
        EXPECT_EQ(*rc, 128 + SIGKILL);
        const auto marker = crash_marker(read_file(err_file(run)));
        ASSERT_FALSE(marker) << "run " << run << ": " << *marker;
        // The faults start after the first clean start, so that the first reconciliation is plain.
        if (k == 0) {
            sim::fault_config f;
            f.seed = fault_seed;
            f.rules = fault_rules(GetParam());
            srv->set_faults(f);
        }
    }
    const auto kill_phase = steady::now() - t0;

    // The last run: no faults, a market that stands still (agents paused), a strategy that places
    // nothing. It must reconcile, trade, agree with the sim, then stop gracefully.
    srv->set_faults({});
    srv->set_agents_enabled(false);
    const int last = run_index++;
    const auto spawned = steady::now();
    ASSERT_TRUE(start(last, true));
    const auto port = wait_trading(spawned + 60s);
    ASSERT_TRUE(port) << "the final run never reached trading\n" << diagnostics(last);
    const auto final_to_trading = steady::now() - spawned;

    // (c) the gateway's ledger equals the sim's balances (bounded wait for late stream events).
    const auto truth = sim_balances();
    std::string status;
    bool balances_equal = false;
    for (const auto until = steady::now() + 10s; !balances_equal && steady::now() < until;) {
        if (auto s = http_get(*port, "/status")) {
            status = *s;
            simdjson::dom::parser p;
            simdjson::dom::object b;
            if (!p.parse(status)["balances"].get_object().get(b)) {
                balances_equal = true;
                for (const char* a : {"BTC", "USDT"}) {
                    std::string_view v;
                    const auto it = truth.find(a);
                    balances_equal =
                        balances_equal && !b[a].get_string().get(v) && it != truth.end() && dec(v) == it->second;
                }
            }
        }
        if (!balances_equal)
            gw.drain_until(steady::now() + 100ms);
    }
    EXPECT_TRUE(balances_equal) << "gateway /status: " << status << "\nsim BTC " << truth.at("BTC").to_string()
                                << " USDT " << truth.at("USDT").to_string();

    // Graceful stop: open orders canceled, exit 0 within 5 s.
    const auto open_before_stop = sim_open_orders().size();
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(5s);
    ASSERT_TRUE(rc) << "SIGTERM: no exit within 5 s\n" << diagnostics(last);
    EXPECT_EQ(*rc, 0) << diagnostics(last);
    const auto last_log = read_file(log_file(last));
    const auto last_err = read_file(err_file(last));
    EXPECT_FALSE(crash_marker(last_err)) << last_err;

    // (d) nothing of ours is left open on the sim.
    const auto left_open = sim_open_orders();
    EXPECT_TRUE(left_open.empty()) << left_open.size() << " order(s) left open, e.g. "
                                   << (left_open.empty() ? "" : left_open.front().client_id.str());

    // Ground truth.
    std::vector<genesis::sim::order_record> records;
    std::vector<genesis::sim::account_trade> fills;
    std::map<std::string, std::size_t> rejections;
    srv->with_exchange([&](genesis::sim::exchange& ex) {
        const auto acc = *ex.find_account(api_key);
        records = ex.order_records(acc);
        fills = ex.fills(acc);
        for (const auto& r : ex.rejections())
            if (r.account == acc)
                ++rejections[r.client_id.str()];
    });
    ASSERT_GE(records.size(), 100u) << "too few orders to be a test";
    ASSERT_GE(fills.size(), 20u) << "too few fills to be a test";

    // (a) at most one exchange order (or refusal) per client order id, every one of them ours.
    std::map<std::string, std::size_t> per_id = rejections;
    for (const auto& r : records)
        ++per_id[r.client_id.str()];
    std::size_t duplicates = 0, foreign = 0;
    for (const auto& [id, n] : per_id) {
        duplicates += n > 1 ? n - 1 : 0;
        foreign += id.rfind("gn-crash-", 0) == 0 ? 0 : 1;
    }
    EXPECT_EQ(duplicates, 0u) << "client order ids sent twice";
    EXPECT_EQ(foreign, 0u);

    // (b) every fill of ours is in the journal, with its quantity and price; nothing more.
    std::string error;
    const auto j = read_journal(dir / "var" / "genesis.db", dir / "scratch", error);
    ASSERT_TRUE(j) << error;
    std::size_t missing = 0, wrong = 0;
    std::string first_missing;
    for (const auto& f : fills) {
        const auto it = j->fills.find(f.trade_id);
        if (it == j->fills.end()) {
            if (missing++ == 0)
                first_missing = std::to_string(f.trade_id) + " of " + f.client_id.str();
            continue;
        }
        wrong += it->second.quantity == f.qty && it->second.price == f.price && it->second.order_id == f.order_id &&
                         it->second.commission == f.commission
                     ? 0
                     : 1;
    }
    EXPECT_EQ(missing, 0u) << "fills missing from the journal, first: trade " << first_missing;
    EXPECT_EQ(wrong, 0u) << "journaled fills that differ from the sim's";
    EXPECT_EQ(j->fill_rows, fills.size()) << "journal fills the sim does not have";

    // (c) the journal's fills move the starting balances to the sim's, and the newest journaled
    // balances are the sim's.
    std::map<std::string, decimal> derived = initial;
    for (const auto& [id, f] : j->fills) {
        const decimal notional = *f.price.mul(f.quantity);
        const bool buy = f.side == "BUY";
        derived["BTC"] = *(buy ? derived["BTC"].add(f.quantity) : derived["BTC"].sub(f.quantity));
        derived["USDT"] = *(buy ? derived["USDT"].sub(notional) : derived["USDT"].add(notional));
        derived[f.commission_asset] = *derived[f.commission_asset].sub(f.commission);
    }
    for (const char* a : {"BTC", "USDT"}) {
        EXPECT_EQ(derived[a], truth.at(a)) << a << ": initial + journaled fills vs the sim";
        ASSERT_TRUE(j->last_balance.contains(a)) << a << " never journaled";
        EXPECT_EQ(j->last_balance.at(a), truth.at(a)) << a << ": newest journaled balance vs the sim";
    }
    // The final reconciliation saw no balance difference (every fill had been counted).
    EXPECT_EQ(count_of(last_log, "reconciliation balance_mismatch"), 0u) << tail(last_log, 6000);

    // Figures, for the record.
    std::size_t recon[8] = {};
    const char* kinds[8] = {"adopted_order", "order_mismatch", "order_not_found",  "never_placed",
                            "foreign_order", "missed_fill",    "balance_mismatch", "UNKNOWN"};
    for (int r = 0; r < run_index; ++r) {
        const auto text = read_file(log_file(r));
        for (int i = 0; i < 7; ++i)
            recon[i] += count_of(text, std::string("reconciliation ") + kinds[i]);
        recon[7] += count_of(text, " UNKNOWN: ");
    }
    std::size_t unjournaled = 0;
    for (const auto& r : records)
        unjournaled += j->intents.contains(r.client_id.str()) ? 0 : 1;
    const auto stats = srv->stats_json();
    simdjson::dom::parser sp;
    std::uint64_t lost_acks = 0;
    if (sp.parse(stats)["faults"]["lost_ack"].get_uint64().get(lost_acks))
        lost_acks = 0;
    const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    long worst = 0, sum = 0;
    for (auto v : to_trading_ms) {
        worst = std::max(worst, v);
        sum += v;
    }
    std::printf(
        "crash test (order entry %s): %d kills (%d during recovery), %zu exchange orders, %zu fills, %zu rejections, "
        "%llu lost acks, %zu open at stop\n"
        "  journal: %zu intents, %zu transitions, %zu fills, %zu checkpoints; %zu orders without an intent\n"
        "  reconciliation: adopted %zu, order_mismatch %zu, order_not_found %zu, never_placed %zu, "
        "missed_fill %zu, balance_mismatch %zu, UNKNOWN %zu\n"
        "  to trading after restart: avg %ld ms, max %ld ms; final run %lld ms; kill phase %lld ms, "
        "total %lld ms\n",
        GetParam().c_str(), kills, killed_in_recovery, records.size(), fills.size(), rejections.size(),
        static_cast<unsigned long long>(lost_acks), open_before_stop, j->intents.size(), j->transitions, j->fill_rows,
        j->checkpoints, unjournaled, recon[0], recon[1], recon[2], recon[3], recon[5], recon[6], recon[7],
        to_trading_ms.empty() ? 0L : sum / static_cast<long>(to_trading_ms.size()), worst,
        static_cast<long long>(ms(final_to_trading)), static_cast<long long>(ms(kill_phase)),
        static_cast<long long>(ms(steady::now() - t0)));
    EXPECT_GE(lost_acks, 2u) << "the faults never fired";
}

INSTANTIATE_TEST_SUITE_P(OrderEntry, CrashTest, ::testing::Values("rest", "ws"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

} // namespace
} // namespace genesis::test
