// The plug-in host: loading and refusing .so files, isolation of a failing strategy, hot reload.
#include "genesis/gateway/plugins/host.hpp"

#include "strategies_test_support.hpp"

#include <genesis/strategy/api.h>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace genesis::test {
namespace {

class HostTest : public plugins_fixture {
protected:
    plugins::strategy_spec mm() {
        return {"mm",
                GENESIS_MM_SO,
                {{"symbol", "BTCUSDT"},
                 {"quote_qty", "1"},
                 {"spread_bps", "50"},
                 {"skew_bps", "10"},
                 {"max_inventory", "5"},
                 {"requote_bps", "5"},
                 {"tick_size", "0.01"}},
                100ms};
    }
};

TEST_F(HostTest, loadRefusesAbiMismatchNamingFileAndVersions) {
    auto r = host.load({"bad", GENESIS_BAD_ABI_SO, {}, 0ms});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(plugins::plugins_errc::abi_mismatch));
    const std::string& msg = host.last_error();
    EXPECT_NE(msg.find(GENESIS_BAD_ABI_SO), std::string::npos) << msg;
    EXPECT_NE(msg.find("strategy ABI version 999, expected " + std::to_string(GENESIS_STRATEGY_ABI_VERSION)),
              std::string::npos)
        << msg;
    EXPECT_TRUE(host.status().empty());
    EXPECT_NE(sink->text().find("strategy ABI version 999"), std::string::npos);
}

TEST_F(HostTest, loadRefusesMissingFileAndEntrySymbol) {
    auto missing = host.load({"none", "/nonexistent/genesis_nothing.so", {}, 0ms});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), make_error_code(plugins::plugins_errc::open_failed));
    EXPECT_NE(host.last_error().find("/nonexistent/genesis_nothing.so"), std::string::npos);
    // libm is a shared object without the entry symbol.
    auto no_entry = host.load({"libm", "libm.so.6", {}, 0ms});
    ASSERT_FALSE(no_entry);
    EXPECT_EQ(no_entry.error(), make_error_code(plugins::plugins_errc::no_entry));
    EXPECT_NE(host.last_error().find(GENESIS_STRATEGY_ENTRY_NAME), std::string::npos);
}

TEST_F(HostTest, loadRefusesBadParamsAndDuplicateNames) {
    auto spec = mm();
    spec.params.erase(spec.params.begin()); // no symbol
    auto r = host.load(spec);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(plugins::plugins_errc::create_failed));
    EXPECT_NE(host.last_error().find("missing parameter 'symbol'"), std::string::npos) << host.last_error();
    ASSERT_TRUE(host.load(mm()));
    EXPECT_EQ(host.id_of("mm"), plugins::host::id_for("mm"));
    auto dup = host.load(mm());
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error(), make_error_code(plugins::plugins_errc::duplicate_name));
}

// A strategy's id is a hash of its name, not its place in the config: after a restart with
// strategies added, removed or reordered, an order goes back to the strategy of the same name.
TEST_F(HostTest, idsComeFromNamesWhateverTheLoadOrder) {
    EXPECT_EQ(plugins::host::id_for("mm"), 1613635087u); // FNV-1a, 32 bits: the journal keeps it
    EXPECT_NE(plugins::host::id_for(""), 0u);
    ASSERT_TRUE(host.load({"thrower", GENESIS_THROWER_SO, {{"throw_on", "never"}}, 0ms}));
    ASSERT_TRUE(host.load(mm()));
    plugins::host other(svc, logger);
    ASSERT_TRUE(other.load(mm()));
    ASSERT_TRUE(other.load({"thrower", GENESIS_THROWER_SO, {{"throw_on", "never"}}, 0ms}));
    EXPECT_EQ(host.id_of("mm"), other.id_of("mm"));
    EXPECT_EQ(host.id_of("thrower"), other.id_of("thrower"));
    EXPECT_NE(host.id_of("mm"), host.id_of("thrower"));
    // Two names with the same hash: the second is refused, naming both.
    ASSERT_EQ(plugins::host::id_for("glbvs"), plugins::host::id_for("yacxa"));
    ASSERT_TRUE(host.load({"glbvs", GENESIS_THROWER_SO, {{"throw_on", "never"}}, 0ms}));
    auto r = host.load({"yacxa", GENESIS_THROWER_SO, {{"throw_on", "never"}}, 0ms});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(plugins::plugins_errc::id_collision));
    EXPECT_NE(host.last_error().find("strategies glbvs and yacxa have the same id"), std::string::npos)
        << host.last_error();
    EXPECT_FALSE(host.id_of("yacxa"));
}

TEST_F(HostTest, throwingStrategyIsDisabledAloneWhileOtherKeepsRunning) {
    ASSERT_TRUE(host.load({"thrower", GENESIS_THROWER_SO, {{"throw_on", "book"}}, 0ms}));
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    book("100.00", "100.02");
    // The thrower is disabled with its exception's message; its orders are canceled.
    const auto t = status_of("thrower");
    EXPECT_EQ(t.state, plugins::strategy_state::disabled);
    EXPECT_EQ(t.reason, "on_book failed: boom in on_book");
    EXPECT_EQ(t.counters.errors, 1u);
    EXPECT_EQ(svc.cancel_alls, (std::vector<std::uint32_t>{t.id}));
    EXPECT_NE(sink->text().find("strategy thrower (id " + std::to_string(plugins::host::id_for("thrower")) +
                                ") disabled: on_book failed: boom in on_book"),
              std::string::npos);
    // The market maker quoted on the same update and keeps receiving updates.
    EXPECT_EQ(svc.placed_orders.size(), 2u);
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::running);
    const auto before = status_of("mm").counters.callbacks;
    const auto thrower_before = status_of("thrower").counters.callbacks;
    book("100.10", "100.12");
    EXPECT_EQ(status_of("mm").counters.callbacks, before + 1);
    EXPECT_EQ(status_of("thrower").counters.callbacks, thrower_before);
    EXPECT_EQ(svc.placed_orders.size(), 4u);
}

TEST_F(HostTest, marketDataReachesOnlyTheSymbolsAStrategySubscribedTo) {
    auto eth_only = mm();
    eth_only.name = "mm_eth";
    eth_only.symbols = {symbol::truncating("ETHUSDT")};
    ASSERT_TRUE(host.load(mm()));
    ASSERT_TRUE(host.load(eth_only));
    host.start_all();
    const auto all_before = status_of("mm").counters.callbacks;
    const auto eth_before = status_of("mm_eth").counters.callbacks;
    book("100.00", "100.02"); // BTCUSDT
    EXPECT_EQ(status_of("mm").counters.callbacks, all_before + 1);
    EXPECT_EQ(status_of("mm_eth").counters.callbacks, eth_before);
    trade t;
    t.sym = symbol::truncating("ETHUSDT");
    t.trade_id = 1;
    t.price = d("3500");
    t.quantity = d("1");
    host.on_trade(t);
    EXPECT_EQ(status_of("mm").counters.callbacks, all_before + 2);
    EXPECT_EQ(status_of("mm_eth").counters.callbacks, eth_before + 1);
}

TEST_F(HostTest, strategyFailingToStartIsDisabled) {
    ASSERT_TRUE(host.load({"thrower", GENESIS_THROWER_SO, {{"throw_on", "start"}}, 0ms}));
    host.start_all();
    EXPECT_EQ(status_of("thrower").state, plugins::strategy_state::disabled);
    EXPECT_EQ(status_of("thrower").reason, "start failed: boom in start");
}

TEST_F(HostTest, hotReloadHandsBackStateAndCountersContinue) {
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    const auto id = *host.id_of("mm");
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    host.on_execution(
        report(svc.placed_orders[0].id, side::buy, order_status::filled, execution_type::trade, d("1"), d("99.75")));
    const std::string before = blob_of("mm");
    EXPECT_NE(before.find("quotes_placed=2\n"), std::string::npos) << before;
    EXPECT_NE(before.find("fills=1\n"), std::string::npos) << before;
    const auto counters_before = status_of("mm").counters;

    ASSERT_TRUE(host.reload("mm", std::filesystem::path{GENESIS_MM_SO})) << host.last_error();
    // Reload canceled its orders (cancel_on_reload), kept the id, and the instance is running again.
    EXPECT_EQ(svc.cancel_alls, (std::vector<std::uint32_t>{id}));
    EXPECT_EQ(host.id_of("mm"), id);
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::running);
    // The restored inventory (long 1) skews the new quotes: 99.65 / 100.17.
    book("100.00", "100.02");
    const auto fresh = svc.since(2);
    ASSERT_EQ(fresh.size(), 2u);
    EXPECT_EQ(fresh[0].strategy_id, id);
    EXPECT_EQ(*fresh[0].intent.price, d("99.65"));
    EXPECT_EQ(*fresh[1].intent.price, d("100.17"));
    const std::string after = blob_of("mm");
    EXPECT_NE(after.find("quotes_placed=4\n"), std::string::npos) << after;
    EXPECT_NE(after.find("fills=1\n"), std::string::npos) << after;
    EXPECT_NE(after.find("inventory=100000000\n"), std::string::npos) << after;
    const auto counters_after = status_of("mm").counters;
    EXPECT_EQ(counters_after.orders_placed, counters_before.orders_placed + 2);
    EXPECT_GT(counters_after.callbacks, counters_before.callbacks);
}

TEST_F(HostTest, reloadOfUnknownNameAndBadFileReportErrors) {
    EXPECT_EQ(host.reload("nope").error(), make_error_code(plugins::plugins_errc::unknown_strategy));
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    auto r = host.reload("mm", std::filesystem::path{GENESIS_BAD_ABI_SO});
    ASSERT_FALSE(r);
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::disabled);
    EXPECT_NE(status_of("mm").reason.find("expected"), std::string::npos);
    EXPECT_EQ(svc.cancel_alls, (std::vector<std::uint32_t>{*host.id_of("mm")})); // once (cancel_on_reload)
    // Reloading the good file brings it back.
    ASSERT_TRUE(host.reload("mm", std::filesystem::path{GENESIS_MM_SO})) << host.last_error();
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::running);
}

// A reload from the same path runs the file now at that path: the market maker is loaded from a
// temporary path, the C strategy is written next to it and renamed over it, and after the reload
// the C strategy's code runs. The market maker's libstdc++ code has an STB_GNU_UNIQUE symbol when
// built without -fno-gnu-unique; glibc then keeps it mapped after dlclose and the dlopen of the
// same path hands back the old market maker.
TEST_F(HostTest, reloadAfterRenameOverThePathRunsTheNewFile) {
    namespace fs = std::filesystem;
    struct temp_dir {
        fs::path path;
        ~temp_dir() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    } dir{fs::temp_directory_path() / ("genesis-host-reload-" + std::to_string(::getpid()))};
    fs::remove_all(dir.path);
    ASSERT_TRUE(fs::create_directory(dir.path));
    const fs::path path = dir.path / "strategy.so";
    fs::copy_file(GENESIS_MM_SO, path);
    auto spec = mm();
    spec.path = path;
    ASSERT_TRUE(host.load(spec)) << host.last_error();
    host.start_all();
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    EXPECT_NE(sink->text().find("loaded from " + path.string() + " (market_maker)"), std::string::npos) << sink->text();

    const fs::path next = dir.path / "strategy.so.new";
    fs::copy_file(GENESIS_SPARSE_SO, next);
    fs::rename(next, path);
    ASSERT_TRUE(host.reload("mm")) << host.last_error();
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::running);
    EXPECT_NE(sink->text().find("loaded from " + path.string() + " (sparse)"), std::string::npos) << sink->text();
    // The C strategy quotes nothing on a book and logs "tick" on its timer; the market maker would
    // quote and not log it.
    book("100.10", "100.12");
    EXPECT_EQ(svc.placed_orders.size(), 2u);
    const auto logs_before = svc.logs.size();
    svc.clk.advance(100ms);
    host.on_timer(svc.clk.now());
    EXPECT_EQ(std::vector<std::string>(svc.logs.begin() + static_cast<std::ptrdiff_t>(logs_before), svc.logs.end()),
              (std::vector<std::string>{"mm: tick"}));
}

// A reload whose new file fails disables the strategy through the same path as a failed callback:
// its orders are canceled even with on_reload = "keep", since no instance follows them any more.
TEST_F(HostTest, failedReloadCancelsOrdersEvenWhenReloadKeepsThem) {
    auto spec = mm();
    spec.cancel_on_reload = false;
    ASSERT_TRUE(host.load(spec));
    host.start_all();
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    const auto id = *host.id_of("mm");
    ASSERT_FALSE(host.reload("mm", std::filesystem::path{"/nonexistent/genesis_mm.so"}));
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::disabled);
    EXPECT_NE(status_of("mm").reason.find("/nonexistent/genesis_mm.so"), std::string::npos);
    EXPECT_EQ(svc.cancel_alls, (std::vector<std::uint32_t>{id}));
    EXPECT_NE(sink->text().find("strategy mm (id " + std::to_string(plugins::host::id_for("mm")) +
                                ") disabled: cannot open /nonexistent/genesis_mm.so"),
              std::string::npos)
        << sink->text();
    // A good file brings it back; no more cancels are needed for that.
    ASSERT_TRUE(host.reload("mm", std::filesystem::path{GENESIS_MM_SO})) << host.last_error();
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::running);
    EXPECT_EQ(svc.cancel_alls.size(), 1u);
}

// create and destroy are required: a table without either is refused, naming file and member.
TEST_F(HostTest, loadRefusesTableWithoutCreateOrDestroy) {
    auto no_create = host.load({"nc", GENESIS_SPARSE_NO_CREATE_SO, {}, 0ms});
    ASSERT_FALSE(no_create);
    EXPECT_EQ(no_create.error(), make_error_code(plugins::plugins_errc::missing_callback));
    EXPECT_EQ(host.last_error(), std::string(GENESIS_SPARSE_NO_CREATE_SO) +
                                     ": the strategy table has no create callback (create and destroy are required)");
    auto no_destroy = host.load({"nd", GENESIS_SPARSE_NO_DESTROY_SO, {}, 0ms});
    ASSERT_FALSE(no_destroy);
    EXPECT_EQ(no_destroy.error(), make_error_code(plugins::plugins_errc::missing_callback));
    EXPECT_NE(host.last_error().find(GENESIS_SPARSE_NO_DESTROY_SO), std::string::npos);
    EXPECT_NE(host.last_error().find("has no destroy callback"), std::string::npos) << host.last_error();
    EXPECT_TRUE(host.status().empty());
}

// A strategy written in C with only create, destroy and on_timer: every NULL callback is skipped
// (saved state, start, book, trade, its order's report, checkpoint, reload, stop) and only the
// callbacks it has are counted.
TEST_F(HostTest, cStrategyNullCallbacksAreSkipped) {
    ASSERT_TRUE(host.load({"sparse", GENESIS_SPARSE_SO, {}, 100ms}, "saved")) << host.last_error();
    host.start_all();
    EXPECT_EQ(status_of("sparse").state, plugins::strategy_state::running);
    book("100.00", "100.02");
    trade t;
    t.sym = btc;
    t.price = d("100.01");
    t.quantity = d("1");
    host.on_trade(t);
    const auto order = client_order_id::truncating("gn-sparse-1");
    ASSERT_TRUE(host.adopt(order, *host.id_of("sparse")));
    host.on_execution(report(order, side::buy, order_status::new_, execution_type::new_));
    svc.clk.advance(100ms);
    host.on_timer(svc.clk.now());
    EXPECT_EQ(svc.logs, (std::vector<std::string>{"sparse: tick"}));
    EXPECT_EQ(blob_of("sparse"), "saved"); // no save_state: the blob it was loaded with is kept
    ASSERT_TRUE(host.reload("sparse")) << host.last_error();
    EXPECT_EQ(status_of("sparse").state, plugins::strategy_state::running);
    host.stop_all();
    const auto st = status_of("sparse");
    EXPECT_EQ(st.state, plugins::strategy_state::stopped);
    EXPECT_EQ(st.counters.errors, 0u);
    EXPECT_EQ(st.counters.callbacks, 3u); // create, on_timer, create after the reload
}

// A C++ strategy filling the raw table lets exceptions escape: the host catches them itself,
// disables that strategy with the exception's message, and goes on (its call depth restored:
// reports are delivered at once, not held back as if a callback were still running).
TEST_F(HostTest, exceptionEscapingRawTableDisablesTheStrategyOnly) {
    ASSERT_TRUE(host.load({"raw", GENESIS_RAW_THROWER_SO, {{"throw_on", "book"}}, 0ms}));
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    book("100.00", "100.02");
    const auto raw = status_of("raw");
    EXPECT_EQ(raw.state, plugins::strategy_state::disabled);
    EXPECT_EQ(raw.reason, "on_book threw an exception: raw boom in on_book");
    EXPECT_EQ(svc.cancel_alls, (std::vector<std::uint32_t>{raw.id}));
    EXPECT_NE(sink->text().find("strategy raw (id " + std::to_string(plugins::host::id_for("raw")) +
                                ") disabled: on_book threw an exception: raw boom in on_book"),
              std::string::npos);
    ASSERT_EQ(svc.placed_orders.size(), 2u); // the market maker got the same update
    const auto before = status_of("mm").counters.callbacks;
    host.on_execution(report(svc.placed_orders[0].id, side::buy, order_status::new_, execution_type::new_));
    EXPECT_EQ(status_of("mm").counters.callbacks, before + 1);
}

TEST_F(HostTest, exceptionsEscapingRawTableAtLoadStartAndWithoutMessage) {
    auto created = host.load({"c", GENESIS_RAW_THROWER_SO, {{"throw_on", "create"}}, 0ms});
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error(), make_error_code(plugins::plugins_errc::create_failed));
    EXPECT_EQ(host.last_error(),
              std::string(GENESIS_RAW_THROWER_SO) + ": create threw an exception: raw boom in create");
    auto restored = host.load({"r", GENESIS_RAW_THROWER_SO, {{"throw_on", "restore"}}, 0ms}, "blob");
    ASSERT_FALSE(restored);
    EXPECT_EQ(restored.error(), make_error_code(plugins::plugins_errc::create_failed));
    EXPECT_EQ(host.last_error(),
              std::string(GENESIS_RAW_THROWER_SO) + ": restore_state threw an exception: raw boom in restore_state");
    ASSERT_TRUE(host.load({"s", GENESIS_RAW_THROWER_SO, {{"throw_on", "start"}}, 0ms}));
    ASSERT_TRUE(host.load({"t", GENESIS_RAW_THROWER_SO, {{"throw_on", "trade"}}, 0ms}));
    host.start_all();
    EXPECT_EQ(status_of("s").state, plugins::strategy_state::disabled);
    EXPECT_EQ(status_of("s").reason, "start threw an exception: raw boom in start");
    EXPECT_EQ(status_of("t").state, plugins::strategy_state::running);
    trade t;
    t.sym = btc;
    host.on_trade(t);
    EXPECT_EQ(status_of("t").state, plugins::strategy_state::disabled);
    EXPECT_EQ(status_of("t").reason, "on_trade threw an exception"); // an int: no what()
}

TEST_F(HostTest, savedStateFromCheckpointIsHandedToLoad) {
    ASSERT_TRUE(host.load(mm(), "version=1\ninventory=100000000\nquotes_placed=7\nfills=3\n"));
    host.start_all();
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    EXPECT_EQ(*svc.placed_orders[0].intent.price, d("99.65")); // skewed by the restored inventory
    EXPECT_NE(blob_of("mm").find("quotes_placed=9\n"), std::string::npos);
}

TEST_F(HostTest, executionReportsAreRoutedToTheOwnerOnly) {
    ASSERT_TRUE(host.load({"thrower", GENESIS_THROWER_SO, {{"throw_on", "never"}}, 0ms}));
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    const auto thrower_before = status_of("thrower").counters.callbacks;
    const auto mm_before = status_of("mm").counters.callbacks;
    host.on_execution(report(svc.placed_orders[0].id, side::buy, order_status::new_, execution_type::new_));
    host.on_execution(
        report(client_order_id::truncating("unknown"), side::buy, order_status::new_, execution_type::new_));
    EXPECT_EQ(status_of("mm").counters.callbacks, mm_before + 1);
    EXPECT_EQ(status_of("thrower").counters.callbacks, thrower_before);
}

// After a restart the gateway hands restored orders back to their strategy by id: that strategy
// gets their reports; an id no strategy has is refused.
TEST_F(HostTest, adoptedRestoredOrderReportsReachItsStrategy) {
    ASSERT_TRUE(host.load({"thrower", GENESIS_THROWER_SO, {{"throw_on", "never"}}, 0ms}));
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    const auto restored = client_order_id::truncating("gn-e2e-restored-1");
    const auto before = status_of("mm").counters.callbacks;
    host.on_execution(report(restored, side::buy, order_status::new_, execution_type::new_));
    EXPECT_EQ(status_of("mm").counters.callbacks, before);               // nobody owns it yet
    EXPECT_FALSE(host.adopt(restored, plugins::host::id_for("nobody"))); // no such strategy
    EXPECT_FALSE(host.adopt(restored, 0));
    EXPECT_TRUE(host.adopt(restored, *host.id_of("mm")));
    host.on_execution(report(restored, side::buy, order_status::canceled, execution_type::canceled));
    EXPECT_EQ(status_of("mm").counters.callbacks, before + 1);
}

TEST_F(HostTest, reportsRaisedDuringACallbackAreDeliveredAfterIt) {
    svc.ack_host = &host; // the gateway acknowledges inside place(), before the id is returned
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    const auto before = status_of("mm").counters.callbacks;
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    // on_book, then the two acknowledgements (routed: the ids were known by then).
    EXPECT_EQ(status_of("mm").counters.callbacks, before + 3);
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::running);
}

TEST_F(HostTest, stopAllSavesStateAndStops) {
    ASSERT_TRUE(host.load(mm()));
    host.start_all();
    book("100.00", "100.02");
    host.stop_all();
    EXPECT_EQ(status_of("mm").state, plugins::strategy_state::stopped);
    EXPECT_EQ(svc.cancels.size(), 2u); // the market maker pulls its quotes on stop
    const auto states = host.states();
    ASSERT_EQ(states.size(), 1u);
    EXPECT_NE(states[0].second.find("quotes_placed=2\n"), std::string::npos);
}

} // namespace
} // namespace genesis::test
