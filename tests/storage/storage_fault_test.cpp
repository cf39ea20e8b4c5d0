// Storage faults end to end: the real genesis-gateway (a child process) against genesis-sim in this
// process, its SQLite files on the real disk.
// - A failing disk (libfiu's POSIX preload, switched on at a chosen moment with fiu-ctrl): the
//   gateway stops sending new orders, says why in its log and in /healthz, keeps cancelling, does
//   not crash, and after a restart nothing it had acknowledged is lost (checked against the sim).
// - A corrupted replica file: skipped on restore with its reason, state right, file re-seeded.
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

std::string read_file(const std::filesystem::path& f) {
    std::ifstream in(f);
    return {std::istreambuf_iterator<char>(in), {}};
}

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

class StorageFaultTest : public ::testing::Test {
protected:
    std::filesystem::path dir;
    std::unique_ptr<sim::sim_server> srv;
    child gw;
    unsigned short ops_port = 0;
    simdjson::dom::parser parser;
    std::string status_text;

    void SetUp() override {
        std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        for (auto& c : name)
            if (c == '/')
                c = '_';
        dir = std::filesystem::temp_directory_path() / ("genesis-storage-" + std::to_string(::getpid()) + "-" + name);
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        srv = std::make_unique<sim::sim_server>(sim::default_server_config(1));
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();
    }

    void TearDown() override {
        gw.reset();
        if (srv)
            srv->stop();
        // GENESIS_KEEP_TEST_DIR=1 keeps a failed case's files (log, databases) for a look.
        if (HasFailure() && std::getenv("GENESIS_KEEP_TEST_DIR"))
            return;
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
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

    // Starts the gateway (optionally through `prefix`, e.g. env with LD_PRELOAD) and waits for its
    // "trading" line: recovery and reconciliation succeeded.
    void start_gateway(const std::filesystem::path& config, std::vector<std::string> prefix = {}) {
        prefix.insert(prefix.end(), {GENESIS_GATEWAY_EXE, "run", "--config", config.string()});
        ASSERT_TRUE(gw.start(prefix, dir / "stderr.txt"));
        auto line = gw.wait_line(
            [](const std::string& l) { return l.find("\"event\":\"trading\"") != std::string::npos; }, 60s);
        ASSERT_TRUE(line) << "no trading line; stderr: " << read_file(dir / "stderr.txt") << "\nlog: " << tail_log();
        const auto p = line->find("\"ops_port\":");
        ASSERT_NE(p, std::string::npos) << *line;
        ops_port = static_cast<unsigned short>(std::stoul(line->substr(p + 11)));
    }

    std::string tail_log() const {
        auto s = read_file(dir / "gateway.log");
        return s.size() > 4000 ? s.substr(s.size() - 4000) : s;
    }

    // Waits (bounded) on the gateway's output until the log holds `what`: the log is asynchronous.
    bool wait_log(const std::string& what, std::chrono::milliseconds timeout, std::size_t from = 0) {
        const auto deadline = clock_type::now() + timeout;
        while (clock_type::now() < deadline) {
            if (read_file(dir / "gateway.log").find(what, from) != std::string::npos)
                return true;
            (void)gw.wait_line([](const std::string&) { return false; }, 100ms);
        }
        return false;
    }

    std::optional<simdjson::dom::element> status() {
        auto r = http_request(ops_port, "GET", "/status");
        if (!r || r->status != 200)
            return std::nullopt;
        status_text = r->body;
        simdjson::dom::element e;
        if (parser.parse(status_text).get(e))
            return std::nullopt;
        return e;
    }

    // Polls /status (bounded), waiting on the gateway's output between polls, until pred holds.
    bool wait_status(const std::function<bool(simdjson::dom::element)>& pred, std::chrono::milliseconds timeout) {
        const auto deadline = clock_type::now() + timeout;
        while (clock_type::now() < deadline) {
            if (auto s = status(); s && pred(*s))
                return true;
            (void)gw.wait_line([](const std::string&) { return false; }, 100ms);
        }
        return false;
    }

    static std::uint64_t uint_at(simdjson::dom::element e, const char* a, const char* b) {
        std::uint64_t v = 0;
        return e[a][b].get_uint64().get(v) ? 0 : v;
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

class StorageFaultFiuTest : public StorageFaultTest, public ::testing::WithParamInterface<const char*> {
protected:
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

// What SQLite calls the failure: a failed fdatasync is SQLITE_IOERR_FSYNC; a failed pwrite is
// SQLITE_IOERR_WRITE on a WAL frame or SQLITE_IOERR_SHMSIZE when SQLite grows the -shm file with it.
std::string expected_sqlite_code(std::string_view point) {
    return point.find("sync") != std::string_view::npos ? "SQLITE_IOERR_FSYNC" : "SQLITE_IOERR_";
}

TEST_P(StorageFaultFiuTest, journalFailureStopsNewOrdersKeepsCancelsAndLosesNothingAcknowledged) {
    const std::string point = GetParam();
    const auto fiu = fiu_dir();
    if (fiu.empty())
        GTEST_SKIP() << "libfiu is not installed (Debian: apt-get install libfiu-dev fiu-utils, as scripts/deps.sh "
                        "does; then reconfigure): needs fiu_run_preload.so and fiu_posix_preload.so in '"
                     << (std::getenv("GENESIS_FIU_PRELOAD_DIR") ? std::getenv("GENESIS_FIU_PRELOAD_DIR")
                                                                : GENESIS_FIU_PRELOAD_DIR)
                     << "' and fiu-ctrl at '" << GENESIS_FIU_CTRL << "'";
    // What `fiu-run -x -f DIR/fiu` sets, with the ASan runtime first when this is an ASan build.
    std::string preload = (fiu / "fiu_run_preload.so").string() + " " + (fiu / "fiu_posix_preload.so").string();
    if (const auto asan = asan_runtime(); !asan.empty())
        preload = asan + " " + preload;
    ASSERT_NO_FATAL_FAILURE(
        start_gateway(write_config(true), {"/usr/bin/env", "LD_PRELOAD=" + preload,
                                           "FIU_CTRL_FIFO=" + (dir / "fiu").string(), "FIU_ENABLE="}));
    ASSERT_TRUE(std::filesystem::exists(dir / ("fiu-" + std::to_string(gw.pid()) + ".in")))
        << "the gateway did not start libfiu's remote control";
    ASSERT_NO_FATAL_FAILURE(trade_then_freeze());
    const truth before = ground_truth(*srv);
    ASSERT_GE(before.open, 1u) << "no quote resting before the fault";

    // The disk fails: every fdatasync (or pwrite) of the process returns EIO from now on.
    ASSERT_EQ(fiu_ctrl("enable name=" + point + ",failinfo=5"), "");
    // The next journal or checkpoint commit (every 200 ms) fails: the gateway halts new orders.
    std::optional<http_answer> health;
    const auto deadline = clock_type::now() + 20s;
    while (clock_type::now() < deadline) {
        health = http_request(ops_port, "GET", "/healthz");
        if (health && health->status == 503)
            break;
        (void)gw.wait_line([](const std::string&) { return false; }, 50ms);
    }
    ASSERT_TRUE(health && health->status == 503) << (health ? health->body : "no answer") << "\n" << tail_log();
    RecordProperty("healthz", health->body);
    EXPECT_NE(health->body.find("journal: "), std::string::npos) << health->body;
    EXPECT_NE(health->body.find(expected_sqlite_code(point)), std::string::npos) << health->body;
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

INSTANTIATE_TEST_SUITE_P(FailPoints, StorageFaultFiuTest,
                         ::testing::Values("posix/io/sync/fdatasync", "posix/io/rw/pwrite"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                             return std::string(i.param).find("sync") != std::string::npos ? "fdatasync" : "pwrite";
                         });

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
