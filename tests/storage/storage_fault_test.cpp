// Storage faults end to end: the real genesis-gateway (a child process) against genesis-sim in this
// process, its SQLite files on the real disk.
// - A failing disk (libfiu's POSIX preload, switched on at a chosen moment with fiu-ctrl): the
//   gateway stops sending new orders, says why in its log and in /healthz, keeps cancelling, does
//   not crash, and after a restart nothing it had acknowledged is lost (checked against the sim).
// - SIGTERM while the disk fails: cancels sent, final checkpoint fails, exit 3, nothing lost after.
// - A corrupted replica file: skipped on restore with its reason, state right, file re-seeded.
// - A corrupted primary: start-up stops naming it; moved aside, start from a replica, no id reused.
#include "runtime_test_support.hpp"

#include "genesis/core/decimal.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <csignal>
#include <fstream>
#include <link.h>
#include <set>

namespace genesis::test {
namespace {

namespace sim = genesis::sim::server;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const symbol btc = symbol::truncating("BTCUSDT");

// ---- libfiu ----

// The folder of libfiu's preload libraries (Debian: /usr/lib/fiu; the environment variable
// GENESIS_FIU_PRELOAD_DIR overrides it), empty when it is not installed.
std::filesystem::path fiu_dir() {
    const char* env = std::getenv("GENESIS_FIU_PRELOAD_DIR");
    const std::filesystem::path d = env ? env : GENESIS_FIU_PRELOAD_DIR;
    if (d.empty() || !std::filesystem::exists(d / "fiu_run_preload.so") ||
        !std::filesystem::exists(d / "fiu_posix_preload.so") || !std::filesystem::exists(GENESIS_FIU_CTRL))
        return {};
    return d;
}

// The AddressSanitizer runtime this test (and so the gateway of the same build) is linked with, or
// empty. ASan must come first in LD_PRELOAD, before libfiu's wrappers, or it refuses to start.
std::string asan_runtime() {
    std::string found;
    dl_iterate_phdr(
        [](dl_phdr_info* info, std::size_t, void* out) {
            const std::string_view name = info->dlpi_name ? info->dlpi_name : "";
            if (name.find("libasan.so") != std::string_view::npos) {
                *static_cast<std::string*>(out) = std::string(name);
                return 1;
            }
            return 0;
        },
        &found);
    return found;
}

// ---- the sim's ground truth and the gateway's journal ----

struct truth {
    std::vector<std::string> client_ids; // every order of our account, in acceptance order
    std::set<std::uint64_t> trade_ids;
    decimal position;
    std::size_t open = 0;
};

truth ground_truth(sim::sim_server& srv) {
    truth t;
    srv.with_exchange([&](genesis::sim::exchange& ex) {
        const auto acc = ex.find_account("sim-test-api-key");
        if (!acc)
            return;
        for (const auto& o : ex.order_records(*acc))
            t.client_ids.emplace_back(o.client_id.view());
        for (const auto& f : ex.fills(*acc)) {
            if (f.sym != btc)
                continue;
            t.trade_ids.insert(f.trade_id);
            t.position = *t.position.add(f.order_side == side::buy ? f.qty : -f.qty);
        }
        if (auto open = ex.open_orders(*acc))
            t.open = open->size();
    });
    return t;
}

struct journal_view {
    std::string error;
    std::set<std::string> intents;
    std::set<std::uint64_t> trade_ids;
    std::int64_t newest_checkpoint = -1;
    std::string quick_check;
};

// Reads a database file of a stopped gateway with a connection of its own.
journal_view read_db(const std::filesystem::path& file) {
    journal_view j;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        j.error = "open " + file.string() + ": " + (db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return j;
    }
    auto each = [&](const char* sql, const std::function<void(sqlite3_stmt*)>& row) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
            j.error += std::string(sql) + ": " + sqlite3_errmsg(db) + "; ";
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
    each("PRAGMA quick_check", [&](sqlite3_stmt* st) { j.quick_check += text(st, 0); });
    each("SELECT client_id FROM order_intents", [&](sqlite3_stmt* st) { j.intents.insert(text(st, 0)); });
    each("SELECT trade_id FROM fills WHERE symbol = 'BTCUSDT'",
         [&](sqlite3_stmt* st) { j.trade_ids.insert(static_cast<std::uint64_t>(sqlite3_column_int64(st, 0))); });
    each("SELECT COALESCE(MAX(seq), 0) FROM checkpoints",
         [&](sqlite3_stmt* st) { j.newest_checkpoint = sqlite3_column_int64(st, 0); });
    sqlite3_close(db);
    return j;
}

void exec_sql(const std::filesystem::path& file, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK) << file;
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << file << ": " << sql << ": " << msg;
}

// Overwrites n bytes at offset with a pattern no SQLite page has.
void overwrite(const std::filesystem::path& file, std::uintmax_t offset, std::uintmax_t n) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    const std::string junk(n, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

// The page numbers of a table (SQLite's dbstat) and the page size.
std::pair<std::vector<std::int64_t>, std::uintmax_t> pages_of(const std::filesystem::path& file, const char* table) {
    std::pair<std::vector<std::int64_t>, std::uintmax_t> out{{}, 0};
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat WHERE name = ?1", -1, &st, nullptr) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW)
                out.first.push_back(sqlite3_column_int64(st, 0));
        }
        sqlite3_finalize(st);
        if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            out.second = static_cast<std::uintmax_t>(sqlite3_column_int64(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
}

// ---- the fixture ----

class StorageFaultTest : public ::testing::Test, protected gateway_fixture {
protected:
    std::unique_ptr<sim::sim_server> srv;

    void SetUp() override {
        make_test_dir("genesis-storage");
        srv = std::make_unique<sim::sim_server>(sim::default_server_config(1));
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();
    }

    void TearDown() override {
        gw.reset();
        if (srv)
            srv->stop();
        // GENESIS_KEEP_TEST_DIR=1 keeps a failed case's files (log, databases) for a look.
        end_test(HasFailure());
    }

    std::filesystem::path var() const { return dir / "var"; }

    // The config: the sim as venue, three replica files, frequent checkpoints; with the sample
    // market maker when `strategy` (quotes never pulled as stale: the test freezes the market).
    std::filesystem::path write_config(bool strategy) {
        const auto& u = srv->urls();
        const auto file = dir / (strategy ? "gateway.toml" : "gateway-recover.toml");
        std::ofstream out(file);
        out << "[gateway]\ninstance_id = \"storage\"\ndata_dir = \"" << var().string() << "\"\n[logging]\nfile = \""
            << (dir / "gateway.log").string() << "\"\n[ops]\nport = 0\n[risk]\nmax_orders_per_second = 100\n"
            << "[persistence]\nprimary = \"genesis.db\"\nreplicas = [\"replica-1.db\", \"replica-2.db\"]\n"
            << "durability = \"full\"\n[checkpoint]\ninterval_ms = 200\n"
            << "[venue]\nrest_urls = [\"" << u.rest.front() << "\"]\nws_streams_url = \"" << u.ws_streams
            << "\"\nws_api_url = \"" << u.ws_api << "\"\nca_file = \"" << srv->ca_file()
            << "\"\nsymbols = [\"BTCUSDT\"]\n";
        if (strategy)
            out << "[strategies.mm]\npath = \"" GENESIS_MM_SO "\"\ntimer_ms = 100\n[strategies.mm.params]\n"
                << "symbol = \"BTCUSDT\"\nquote_qty = \"0.001\"\nspread_bps = \"2\"\nskew_bps = \"1\"\n"
                << "max_inventory = \"0.01\"\nrequote_bps = \"1\"\nstale_ms = \"600000\"\ntick_size = \"0.01\"\n"
                << "step_size = \"0.00001\"\n";
        return file;
    }

    // A counter of the strategy "mm" in /status.
    static std::uint64_t mm_counter(simdjson::dom::element s, const char* key) {
        simdjson::dom::array arr;
        if (s["strategies"].get_array().get(arr))
            return 0;
        for (auto e : arr) {
            std::string_view n;
            std::uint64_t v = 0;
            if (!e["name"].get_string().get(n) && n == "mm" && !e[key].get_uint64().get(v))
                return v;
        }
        return 0;
    }

    // The gateway's position in BTCUSDT as /status shows it.
    static decimal position_of(simdjson::dom::element s) {
        simdjson::dom::array syms;
        if (s["symbols"].get_array().get(syms))
            return {};
        for (auto e : syms) {
            std::string_view name, pos;
            if (!e["symbol"].get_string().get(name) && name == "BTCUSDT" && !e["position"].get_string().get(pos))
                if (auto d = decimal::parse(pos))
                    return *d;
        }
        return {};
    }

    // Trades until the sim filled at least one of our quotes, then freezes the market and waits
    // until the strategy is quiet: ten timer callbacks in a row with no new order at the sim.
    void trade_then_freeze() {
        ASSERT_TRUE(wait_status([](simdjson::dom::element s) { return uint_at(s, "orders", "fills") >= 1; }, 120s))
            << status_text << "\n"
            << tail_log();
        srv->set_agents_enabled(false);
        bool quiet = false;
        for (int round = 0; round < 20 && !quiet; ++round) {
            const auto before = ground_truth(*srv).client_ids.size();
            auto s = status();
            ASSERT_TRUE(s);
            const auto callbacks = mm_counter(*s, "callbacks");
            ASSERT_TRUE(wait_status(
                [&](simdjson::dom::element e) { return mm_counter(e, "callbacks") >= callbacks + 10; }, 10s))
                << status_text;
            quiet = ground_truth(*srv).client_ids.size() == before;
        }
        ASSERT_TRUE(quiet) << "the strategy kept placing orders on a frozen market";
        // The gateway has seen every fill of the sim.
        const auto fills = ground_truth(*srv).trade_ids.size();
        ASSERT_TRUE(wait_status([&](simdjson::dom::element s) { return uint_at(s, "orders", "fills") == fills; }, 10s))
            << status_text;
    }
};

// ---- a failing disk ----

// What SQLite calls the failure: a failed fdatasync is SQLITE_IOERR_FSYNC; a failed pwrite is
// SQLITE_IOERR_WRITE on a WAL frame or SQLITE_IOERR_SHMSIZE when SQLite grows the -shm file with it.
std::string expected_sqlite_code(std::string_view point) {
    return point.find("sync") != std::string_view::npos ? "SQLITE_IOERR_FSYNC" : "SQLITE_IOERR_";
}

class StorageFaultFiuTest : public StorageFaultTest, public ::testing::WithParamInterface<const char*> {
protected:
    // Why the libfiu cases cannot run here; empty when libfiu is installed.
    static std::string fiu_missing() {
        if (!fiu_dir().empty())
            return {};
        return "libfiu is not installed (Debian: apt-get install libfiu-dev fiu-utils, as scripts/deps.sh does; then "
               "reconfigure): needs fiu_run_preload.so and fiu_posix_preload.so in '" +
               std::string(std::getenv("GENESIS_FIU_PRELOAD_DIR") ? std::getenv("GENESIS_FIU_PRELOAD_DIR")
                                                                  : GENESIS_FIU_PRELOAD_DIR) +
               "' and fiu-ctrl at '" + GENESIS_FIU_CTRL + "'";
    }

    // Starts the trading gateway under libfiu (what `fiu-run -x -f DIR/fiu` sets, with the ASan
    // runtime first in an ASan build), its remote control on, no fault enabled yet.
    void start_under_fiu() {
        const auto fiu = fiu_dir();
        std::string preload = (fiu / "fiu_run_preload.so").string() + " " + (fiu / "fiu_posix_preload.so").string();
        if (const auto asan = asan_runtime(); !asan.empty())
            preload = asan + " " + preload;
        ASSERT_NO_FATAL_FAILURE(
            start_gateway(write_config(true), {"/usr/bin/env", "LD_PRELOAD=" + preload,
                                               "FIU_CTRL_FIFO=" + (dir / "fiu").string(), "FIU_ENABLE="}));
        ASSERT_TRUE(std::filesystem::exists(dir / ("fiu-" + std::to_string(gw.pid()) + ".in")))
            << "the gateway did not start libfiu's remote control";
    }

    // Waits (bounded) until /healthz answers 503, and checks it names the journal and SQLite's code.
    void wait_halted(const std::string& point) {
        std::optional<http_answer> health;
        const auto deadline = clock_type::now() + 20s;
        while (clock_type::now() < deadline) {
            health = http_request(ops_port, "GET", "/healthz");
            if (health && health->status == 503)
                break;
            gw.pause(50ms, true);
        }
        ASSERT_TRUE(health && health->status == 503) << (health ? health->body : "no answer") << "\n" << tail_log();
        RecordProperty("healthz", health->body);
        EXPECT_NE(health->body.find("journal: "), std::string::npos) << health->body;
        EXPECT_NE(health->body.find(expected_sqlite_code(point)), std::string::npos) << health->body;
    }

    // Sends one command to the gateway's libfiu remote control with fiu-ctrl; its output when it
    // reports an error.
    std::string fiu_ctrl(const std::string& command) {
        child ctl;
        if (!ctl.start({GENESIS_FIU_CTRL, "-f", (dir / "fiu").string(), "-c", command, std::to_string(gw.pid())},
                       dir / "fiu-ctrl.err"))
            return "cannot start fiu-ctrl";
        const auto rc = ctl.wait_exit(10s);
        std::string out;
        for (const auto& l : ctl.lines())
            out += l + "\n";
        out += read_file(dir / "fiu-ctrl.err");
        if (!rc || *rc != 0 || out.find("rror") != std::string::npos)
            return "fiu-ctrl '" + command + "': " + (rc ? "exit " + std::to_string(*rc) : "timeout") + ": " + out;
        return {};
    }
};

TEST_P(StorageFaultFiuTest, journalFailureStopsNewOrdersKeepsCancelsAndLosesNothingAcknowledged) {
    const std::string point = GetParam();
    if (const auto missing = fiu_missing(); !missing.empty())
        GTEST_SKIP() << missing;
    ASSERT_NO_FATAL_FAILURE(start_under_fiu());
    ASSERT_NO_FATAL_FAILURE(trade_then_freeze());
    const truth before = ground_truth(*srv);
    ASSERT_GE(before.open, 1u) << "no quote resting before the fault";

    // The disk fails: every fdatasync (or pwrite) of the process returns EIO from now on.
    ASSERT_EQ(fiu_ctrl("enable name=" + point + ",failinfo=5"), "");
    // The next journal or checkpoint commit (every 200 ms) fails: the gateway halts new orders.
    ASSERT_NO_FATAL_FAILURE(wait_halted(point));
    const auto at_fault = ground_truth(*srv).client_ids.size();

    // The market moves again: the strategy requotes. Its cancels go out (the sim's book empties of
    // our quotes), its new quotes are refused, and the sim receives no new order.
    auto s = status();
    ASSERT_TRUE(s);
    const auto rejections = mm_counter(*s, "rejections");
    srv->set_agents_enabled(true);
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element e) {
            return mm_counter(e, "rejections") >= rejections + 6 && ground_truth(*srv).open == 0;
        },
        60s))
        << status_text << "\nsim open orders " << ground_truth(*srv).open << "\n"
        << tail_log();
    srv->set_agents_enabled(false);
    EXPECT_EQ(ground_truth(*srv).client_ids.size(), at_fault) << "orders reached the sim after the journal failed";
    EXPECT_EQ(at_fault, before.client_ids.size());
    EXPECT_TRUE(gw.alive()) << read_file(dir / "stderr.txt");
    // The log says why.
    EXPECT_TRUE(wait_log("refusing new orders", 10s)) << tail_log();
    const auto log = read_file(dir / "gateway.log");
    EXPECT_NE(log.find("storage failure"), std::string::npos) << tail_log();
    EXPECT_NE(log.find(expected_sqlite_code(point)), std::string::npos) << tail_log();

    // The disk works again; the database stays unhealthy until a restart (an operator decision).
    ASSERT_EQ(fiu_ctrl("disable name=" + point), "");
    auto still = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(still);
    EXPECT_EQ(still->status, 503u) << still->body;

    // A crash in that state, then a restart on a healthy disk: recovery and reconciliation.
    gw.reset();
    ASSERT_NO_FATAL_FAILURE(start_gateway(write_config(false)));
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200u) << h->body;
    const truth after = ground_truth(*srv);
    ASSERT_TRUE(wait_status([&](simdjson::dom::element e) { return position_of(e) == after.position; }, 20s))
        << status_text << "\nsim position " << after.position.to_string();

    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0) << read_file(dir / "stderr.txt");
    // Every order and fill acknowledged before the fault is in the journal; no order reached the sim
    // twice. Fills after the fault are in the position above (their rows may be missing: a commit
    // whose fdatasync failed can still be in the WAL and come back at restart, holding a checkpoint
    // written after those fills, so reconciliation rightly finds them known).
    const auto j = read_db(var() / "genesis.db");
    ASSERT_TRUE(j.error.empty()) << j.error;
    EXPECT_EQ(after.client_ids, before.client_ids);
    for (const auto& id : before.client_ids)
        EXPECT_TRUE(j.intents.contains(id)) << "order " << id << " of the sim is not in the journal";
    for (const auto t : before.trade_ids)
        EXPECT_TRUE(j.trade_ids.contains(t)) << "fill " << t << " of the sim is not in the journal";
    EXPECT_EQ(std::set<std::string>(after.client_ids.begin(), after.client_ids.end()).size(), after.client_ids.size())
        << "an intent reached the sim twice";
    RecordProperty("fills_before_fault", static_cast<int>(before.trade_ids.size()));
    RecordProperty("fills_after_fault", static_cast<int>(after.trade_ids.size() - before.trade_ids.size()));
}

// SIGTERM while the disk fails: new orders stay refused, the open orders are cancelled, the final
// checkpoint is attempted and fails, the gateway says so and exits with exit_storage_failure (3);
// the next start on a healthy disk loses nothing that was acknowledged before the failure.
TEST_P(StorageFaultFiuTest, sigtermOnFailingDiskCancelsFailsFinalCheckpointExitsThreeAndLosesNothing) {
    const std::string point = GetParam();
    if (const auto missing = fiu_missing(); !missing.empty())
        GTEST_SKIP() << missing;
    ASSERT_NO_FATAL_FAILURE(start_under_fiu());
    ASSERT_NO_FATAL_FAILURE(trade_then_freeze());
    const truth before = ground_truth(*srv);
    ASSERT_GE(before.open, 1u) << "no quote resting before the fault";

    ASSERT_EQ(fiu_ctrl("enable name=" + point + ",failinfo=5"), "");
    ASSERT_NO_FATAL_FAILURE(wait_halted(point));
    EXPECT_TRUE(wait_log("refusing new orders", 10s)) << tail_log();

    // The stop, with the fault still on.
    const auto log_from = static_cast<std::size_t>(std::filesystem::file_size(dir / "gateway.log"));
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(30s);
    ASSERT_TRUE(rc) << "no exit after SIGTERM on a failing disk\n" << tail_log();
    EXPECT_EQ(*rc, 3) << read_file(dir / "stderr.txt");
    const auto err = read_file(dir / "stderr.txt");
    RecordProperty("stderr", err);
    EXPECT_NE(err.find("genesis-gateway: stopped with a failing database: "), std::string::npos) << err;
    EXPECT_NE(err.find(expected_sqlite_code(point)), std::string::npos) << err;
    EXPECT_NE(err.find("; final checkpoint failed: "), std::string::npos) << err;
    // The log of the stop: why, the cancels, the failed final checkpoint, the exit.
    ASSERT_TRUE(wait_log("(exit 3)", 10s, log_from)) << tail_log();
    const auto log = read_file(dir / "gateway.log").substr(log_from);
    for (const char* line : {"shutdown (SIGTERM)", "shutdown with the database unhealthy (",
                             "final checkpoint failed: ", "stopped with a failing database: "})
        EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
    // Every open order was cancelled at the sim, and no new one reached it.
    const truth stopped = ground_truth(*srv);
    EXPECT_EQ(stopped.open, 0u) << "open orders left at the sim after the stop";
    EXPECT_EQ(stopped.client_ids, before.client_ids) << "an order reached the sim after the journal failed";

    // A start on a healthy disk: restore, replay and reconciliation bring the stop's cancels back.
    ASSERT_NO_FATAL_FAILURE(start_gateway(write_config(false)));
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200u) << h->body;
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element e) {
            return position_of(e) == stopped.position && uint_at(e, "orders", "open") == 0;
        },
        20s))
        << status_text << "\nsim position " << stopped.position.to_string();
    gw.signal(SIGTERM);
    const auto rc2 = gw.wait_exit(10s);
    ASSERT_TRUE(rc2);
    EXPECT_EQ(*rc2, 0) << read_file(dir / "stderr.txt");
    const auto j = read_db(var() / "genesis.db");
    ASSERT_TRUE(j.error.empty()) << j.error;
    for (const auto& id : before.client_ids)
        EXPECT_TRUE(j.intents.contains(id)) << "order " << id << " of the sim is not in the journal";
    for (const auto t : before.trade_ids)
        EXPECT_TRUE(j.trade_ids.contains(t)) << "fill " << t << " of the sim is not in the journal";
    EXPECT_EQ(ground_truth(*srv).client_ids, before.client_ids);
}

INSTANTIATE_TEST_SUITE_P(FailPoints, StorageFaultFiuTest,
                         ::testing::Values("posix/io/sync/fdatasync", "posix/io/rw/pwrite"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                             return std::string(i.param).find("sync") != std::string::npos ? "fdatasync" : "pwrite";
                         });

// ---- a damaged primary ----

// The primary (journal and id counters) fails PRAGMA quick_check: start-up stops with exit 1 and a
// sentence naming the file, what the check found and the replica to start from; the file is left
// as it is. Moved aside as that sentence says, the gateway starts from the replica's checkpoint,
// reconciles, and its new client order ids continue after every id it used before.
TEST_F(StorageFaultTest, damagedPrimaryStopsStartupAndMovedAsideStartsFromAReplicaWithoutReusingIds) {
    ASSERT_NO_FATAL_FAILURE(start_gateway(write_config(true)));
    ASSERT_NO_FATAL_FAILURE(trade_then_freeze());
    gw.signal(SIGTERM);
    const auto stopped = gw.wait_exit(10s);
    ASSERT_TRUE(stopped);
    ASSERT_EQ(*stopped, 0) << read_file(dir / "stderr.txt");
    const truth t = ground_truth(*srv);
    ASSERT_FALSE(t.client_ids.empty());
    const auto primary = var() / "genesis.db";

    // The journal's index by client id is overwritten: the file opens and reads, its check fails.
    exec_sql(primary, "VACUUM");
    const auto pages = pages_of(primary, "order_transitions_by_client");
    ASSERT_FALSE(pages.first.empty());
    for (const auto p : pages.first)
        overwrite(primary, static_cast<std::uintmax_t>(p - 1) * pages.second, pages.second);
    const auto damaged = read_file(primary);

    ASSERT_TRUE(gw.start({GENESIS_GATEWAY_EXE, "run", "--config", write_config(false).string()}, dir / "stderr.txt"));
    const auto rc = gw.wait_exit(30s);
    ASSERT_TRUE(rc) << "the gateway did not stop on a damaged primary\n" << tail_log();
    EXPECT_EQ(*rc, 1);
    const auto err = read_file(dir / "stderr.txt");
    RecordProperty("stderr", err);
    EXPECT_NE(err.find("start-up failed: primary " + primary.string() + " is damaged (PRAGMA quick_check: "),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("Newest valid replica: 1 (" + (var() / "replica-1.db").string()), std::string::npos) << err;
    EXPECT_EQ(read_file(primary), damaged) << "the damaged primary was written to";
    EXPECT_FALSE(ground_truth(*srv).client_ids.size() > t.client_ids.size()) << "an order was sent";

    // What the sentence says: move the file aside (kept for inspection) and start again.
    for (const char* s : {"", "-wal", "-shm"})
        if (std::filesystem::exists(primary.string() + s))
            std::filesystem::rename(primary.string() + s, primary.string() + ".damaged" + s);
    const auto first_run = static_cast<std::size_t>(std::filesystem::file_size(dir / "gateway.log"));
    ASSERT_NO_FATAL_FAILURE(start_gateway(write_config(true)));
    ASSERT_TRUE(wait_log("restore replica 2 ", 10s, first_run)) << tail_log();
    const auto log = read_file(dir / "gateway.log").substr(first_run);
    EXPECT_NE(log.find("restore replica 0 " + primary.string() + ": no checkpoint"), std::string::npos) << log;
    EXPECT_NE(log.find("restore replica 1 " + (var() / "replica-1.db").string() + ": chosen"), std::string::npos)
        << log;
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200u) << h->body;
    ASSERT_TRUE(wait_status([&](simdjson::dom::element e) { return position_of(e) == t.position; }, 20s))
        << status_text << "\nsim position " << t.position.to_string();

    // The strategy quotes again: every new id is new, after the highest counter used before.
    srv->set_agents_enabled(true);
    ASSERT_TRUE(wait_status(
        [&](simdjson::dom::element) { return ground_truth(*srv).client_ids.size() >= t.client_ids.size() + 2; }, 60s))
        << status_text << "\n"
        << tail_log();
    srv->set_agents_enabled(false);
    gw.signal(SIGTERM);
    const auto rc2 = gw.wait_exit(10s);
    ASSERT_TRUE(rc2);
    EXPECT_EQ(*rc2, 0) << read_file(dir / "stderr.txt");
    auto counter = [](const std::string& id) -> std::uint64_t {
        const auto dash = id.rfind('-');
        return dash == std::string::npos ? 0 : std::stoull(id.substr(dash + 1));
    };
    std::uint64_t highest_before = 0;
    for (const auto& id : t.client_ids)
        highest_before = std::max(highest_before, counter(id));
    const truth after = ground_truth(*srv);
    EXPECT_EQ(std::set<std::string>(after.client_ids.begin(), after.client_ids.end()).size(), after.client_ids.size())
        << "a client order id was used twice";
    for (std::size_t i = t.client_ids.size(); i < after.client_ids.size(); ++i)
        EXPECT_GT(counter(after.client_ids[i]), highest_before) << after.client_ids[i];
}

// ---- a corrupted replica ----

class StorageCorruptionTest : public StorageFaultTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(StorageCorruptionTest, corruptedNewestReplicaIsSkippedOnRestoreAndReseeded) {
    const std::string how = GetParam();
    ASSERT_NO_FATAL_FAILURE(start_gateway(write_config(true)));
    ASSERT_NO_FATAL_FAILURE(trade_then_freeze());
    // A clean stop: orders cancelled, a final checkpoint in every replica, the WAL merged back.
    gw.signal(SIGTERM);
    const auto stopped = gw.wait_exit(10s);
    ASSERT_TRUE(stopped);
    ASSERT_EQ(*stopped, 0) << read_file(dir / "stderr.txt");
    const truth t = ground_truth(*srv);
    const auto r1 = var() / "replica-1.db";
    const auto newest = read_db(var() / "genesis.db").newest_checkpoint;
    ASSERT_GE(newest, 2);
    ASSERT_EQ(read_db(r1).newest_checkpoint, newest);

    // Replica 1 alone holds the newest checkpoint (the others missed it), then its file is damaged.
    for (const auto& f : {var() / "genesis.db", var() / "replica-2.db"})
        exec_sql(f, "DELETE FROM checkpoint_sections WHERE seq = (SELECT MAX(seq) FROM checkpoints);"
                    "DELETE FROM checkpoints WHERE seq = (SELECT MAX(seq) FROM checkpoints);");
    // VACUUM first: every page of the file is then in use, so the damage cannot land on a free page.
    exec_sql(r1, "VACUUM");
    for (const auto* s : {"-wal", "-shm"})
        ASSERT_FALSE(std::filesystem::exists(r1.string() + s)) << s;
    const auto size = std::filesystem::file_size(r1);
    ASSERT_GE(size, 4u * 4096u);
    if (how == std::string_view("overwrite")) {
        // The middle half of the file (schema and checkpoint b-tree pages): it no longer opens.
        overwrite(r1, size / 4, size / 2);
    } else if (how == std::string_view("sections")) {
        // Only the pages of the checkpoint data: the file opens, its checks fail.
        const auto pages = pages_of(r1, "checkpoint_sections");
        ASSERT_FALSE(pages.first.empty());
        for (const auto p : pages.first)
            overwrite(r1, static_cast<std::uintmax_t>(p - 1) * pages.second, pages.second);
    } else {
        std::filesystem::resize_file(r1, size / 2);
    }

    // The log file goes on from the first run: look only at what the second one writes.
    const auto first_run = static_cast<std::size_t>(std::filesystem::file_size(dir / "gateway.log"));
    ASSERT_NO_FATAL_FAILURE(start_gateway(write_config(false)));
    // The log says which replica was taken and why replica 1 was skipped.
    ASSERT_TRUE(wait_log("restore replica 2 ", 10s, first_run)) << tail_log();
    const auto log = read_file(dir / "gateway.log").substr(first_run);
    auto line_of = [&](const std::string& what) {
        const auto at = log.find(what);
        return at == std::string::npos ? std::string{} : log.substr(at, log.find('\n', at) - at);
    };
    const auto primary_line = line_of("restore replica 0 ");
    EXPECT_NE(primary_line.find("chosen: newest valid checkpoint " + std::to_string(newest - 1)), std::string::npos)
        << tail_log();
    const auto line = line_of("restore replica 1 ");
    ASSERT_FALSE(line.empty()) << tail_log();
    RecordProperty("replica_1_verdict", line);
    EXPECT_TRUE(line.find("quick_check failed") != std::string::npos || line.find("unavailable") != std::string::npos ||
                line.find("unreadable") != std::string::npos || line.find("checksum mismatch") != std::string::npos)
        << line;
    EXPECT_EQ(line.find("chosen"), std::string::npos) << line;

    // State is right: the reconciled position is the sim's.
    auto h = http_request(ops_port, "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200u) << h->body;
    ASSERT_TRUE(wait_status([&](simdjson::dom::element e) { return position_of(e) == t.position; }, 20s))
        << status_text << "\nsim position " << t.position.to_string();

    // The damaged replica is re-seeded from a good one after the next checkpoint.
    ASSERT_TRUE(wait_log(") re-seeded from replica", 20s, first_run)) << tail_log();
    {
        const auto all = read_file(dir / "gateway.log").substr(first_run);
        const auto at = all.find(") re-seeded from replica");
        const auto bol = all.rfind('\n', at);
        const auto reseed_line =
            all.substr(bol == std::string::npos ? 0 : bol + 1, at - (bol == std::string::npos ? 0 : bol + 1));
        EXPECT_NE(reseed_line.find("db: replica 1 ("), std::string::npos) << reseed_line;
    }
    // Health lists every replica file; once re-seeded, replica 1 is green with a checkpoint again.
    EXPECT_TRUE(wait_status(
        [&](simdjson::dom::element e) {
            for (int i = 0; i < 3; ++i) {
                const auto c = component_of(e, "db.replica." + std::to_string(i));
                if (!c || c->health != "GREEN" || c->reason.rfind("checkpoint ", 0) != 0)
                    return false;
            }
            return true;
        },
        10s))
        << status_text;
    gw.signal(SIGTERM);
    const auto rc = gw.wait_exit(10s);
    ASSERT_TRUE(rc);
    EXPECT_EQ(*rc, 0) << read_file(dir / "stderr.txt");
    const auto healed = read_db(r1);
    EXPECT_TRUE(healed.error.empty()) << healed.error;
    EXPECT_EQ(healed.quick_check, "ok");
    EXPECT_EQ(healed.newest_checkpoint, read_db(var() / "genesis.db").newest_checkpoint);
    EXPECT_GT(healed.newest_checkpoint, newest);
}

INSTANTIATE_TEST_SUITE_P(Damage, StorageCorruptionTest, ::testing::Values("overwrite", "sections", "truncate"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

} // namespace
} // namespace genesis::test
