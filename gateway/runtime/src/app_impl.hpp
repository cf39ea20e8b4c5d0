// gateway_app's state, shared by its .cpp files (lifecycle, event handling, health and status).
#pragma once

#include "genesis/gateway/runtime/gateway_app.hpp"

#include "genesis/binance/order_book.hpp"
#include "genesis/core/clock.hpp"
#include "genesis/core/instrument.hpp"
#include "genesis/db/database.hpp"
#include "genesis/gateway/oms/oms.hpp"
#include "genesis/gateway/ops/ops_server.hpp"
#include "genesis/gateway/paper/fill_simulator.hpp"
#include "genesis/gateway/plugins/host.hpp"
#include "genesis/gateway/replay/recorder.hpp"
#include "genesis/gateway/risk/balance_monitor.hpp"
#include "genesis/gateway/risk/risk_engine.hpp"
#include "genesis/gateway/runtime/binance_venue.hpp"
#include "genesis/gateway/runtime/resource_manager.hpp"
#include "genesis/gateway/runtime/sim_process.hpp"
#include "genesis/gateway/runtime/status_writer.hpp"
#include "genesis/gateway/runtime/streams.hpp"
#include "genesis/gateway/runtime/ws_order_entry.hpp"
#include "genesis/log/fwd.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/resilience/predictor.hpp"
#include "genesis/resilience/priority_processor.hpp"
#include "genesis/resilience/timer.hpp"
#include "genesis/rest/http_client.hpp"
#include "genesis/ws/reconnect_budget.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <variant>

namespace genesis::gateway::runtime {

namespace net = boost::asio;

/// What travels through the PriorityProcessor: decoded venue events and tasks for the
/// processing thread (OMS completions, control, timers).
struct gw_event {
    std::variant<std::monostate, std::function<void()>, book_delta, book_snapshot, trade, execution_report,
                 account_update>
        v;
};

/// s as a JSON string literal, quotes included (control characters escaped).
std::string json_quote(std::string_view s);

/// The kill switch's reason as stored in the "risk.kill" snapshot (empty: released), and back.
std::string kill_reason_of(const db::stored_snapshot& s);
std::vector<std::byte> kill_bytes_of(const std::string& reason);

/// Overall health (StateMonitor).
enum class health_level : std::uint8_t { green, degraded, halted };
std::string_view to_string(health_level h) noexcept;

struct component_health {
    std::string name;
    health_level level = health_level::green;
    std::string reason;
};

struct health_report {
    health_level overall = health_level::green;
    std::vector<component_health> components;
    std::vector<std::string> reasons; ///< of every non-green component
};

/// An ops endpoint answer.
struct ops_answer {
    unsigned status = 200;
    std::string content_type;
    std::string body;
};

struct symbol_state {
    std::unique_ptr<binance::local_book> book;
    instrument rules;
    asset base;
    asset quote;
    bool snapshot_in_flight = false;
    std::uint64_t last_trade_id = 0;
    std::uint64_t trades = 0;
    std::uint64_t duplicate_trades = 0;
    bool conflated = false;                       // an update awaits delivery (ResourceManager conflation)
    std::unique_ptr<paper::book_view> paper_book; // mode paper: the fill simulator's view of `book`
};

/// Whether a final order of a strategy is owed a restatement after a restart: its saved blob (v,
/// nullopt without one) names it, or it was placed after the blob was saved (app_strategies.cpp).
/// Checkpoints keep such orders, so that the restart knows them.
[[nodiscard]] bool owed_restatement(const client_order_id& id, const std::optional<plugins::saved_view>& v);

struct gateway_app::impl {
    runtime_config cfg;
    std::filesystem::path config_file;
    std::filesystem::path build_dir;
    log::system& logs;
    log::logger_ptr log;
    const genesis::clock& clk = real_clock::instance();

    sim_process sim;
    net::io_context ioc{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::thread io_thread;
    resilience::steady_timer_service timers;
    std::optional<rest::http_client> http;
    resilience::predictor predictor;
    std::unique_ptr<resilience::executor> exec;
    // [venue] order_entry = "ws": the WebSocket API order entry's breaker ("orders").
    std::shared_ptr<resilience::circuit_breaker> orders_breaker;
    std::unique_ptr<binance_venue> venue;
    // The venue's WebSocket reconnects, one budget per listener as Binance counts them: the
    // streams' (market data) and the WebSocket API's (user data and order entry; the user feed
    // leaves a third to order entry), so a storm elsewhere never holds back the connection that
    // carries cancels.
    std::shared_ptr<ws::reconnect_budget> streams_budget;
    std::shared_ptr<ws::reconnect_budget> ws_api_budget;
    // [venue] order_entry = "ws": placements and cancels by WebSocket API frame, queries by `venue`.
    // Its own io_context, run by its own thread and, right after each hand-off, by the caller
    // (the processing thread) that writes the frame itself (ws_order_entry_options::write_on_caller).
    net::io_context orders_ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> orders_work;
    std::thread orders_thread;
    std::unique_ptr<ws_order_entry> ws_orders;
    // Mode paper: the fill simulator is the OMS's venue; `venue` serves market data only.
    std::unique_ptr<paper::fill_simulator> paper_sim;
    std::unique_ptr<order_venue> observed; // the venue as the OMS sees it (taps placements)
    std::unique_ptr<db::database> db;
    std::unique_ptr<resilience::priority_processor<gw_event>> proc;
    std::unique_ptr<oms> orders;
    std::map<symbol, symbol_state> symbols;
    std::unique_ptr<market_feed> market;
    std::unique_ptr<user_feed> user;
    std::optional<net::steady_timer> tick_timer;
    std::unique_ptr<ops::ops_server> ops;
    std::optional<replay::recorder> rec;
    std::optional<net::signal_set> signals;
    std::function<void(const error_code&, int)> signal_handler;

    // Strategies (processing thread; loaded on the main thread before it starts).
    log::logger_ptr strategy_log;
    std::unique_ptr<plugins::services> services;
    std::unique_ptr<plugins::host> host;
    std::size_t book_depth = 1;
    std::vector<book_level> top_bids, top_asks;
    time_point tick_receive;                  // receive time of the frame being handled (tick-to-order)
    resilience::log2_histogram tick_to_order; // written on the I/O thread (mode paper: processing thread)
    resilience::log2_histogram order_rtt;     // written by observed_venue under its mutex
    std::map<std::string, std::uint64_t> state_versions;
    std::uint64_t kill_version = 0; ///< of the "risk.kill" snapshot
    /// Mode sim with our own genesis-sim: a kill switch engaged in the state moved aside at start
    /// (app_set_aside.cpp), saved into the new database as soon as it opens.
    std::string carried_kill;
    std::map<std::string, std::string> last_states;
    std::uint64_t risk_rejections = 0;
    std::optional<risk::risk_engine> risk;
    std::optional<risk::balance_monitor> balances;
    std::vector<risk::open_order_view> open_views; // reused per check
    // Orders of a disabled or reloaded strategy that services.cancel_all could not cancel yet
    // (placement unanswered, outcome unknown, a cancel in flight or refused): the tick cancels each
    // once it is NEW or PARTIALLY_FILLED and forgets it once final (strategies_sweep_orders).
    std::set<client_order_id> unfollowed_orders;
    time_point next_unfollowed_sweep;

    // Processing-thread state.
    bool trading_started = false;
    bool oms_ready = false;
    bool fetching_balances = false;
    time_point retry_balances_at;
    bool shutting_down = false;
    time_point shutdown_deadline;
    time_point next_checkpoint;
    time_point next_status;
    time_point next_kill_sweep; ///< the kill switch's next sweep of orders left working
    bool shutdown_started = false;
    std::string shutdown_reason; // "SIGINT", "SIGTERM", "requested"
    // ResourceManager.
    std::uint64_t rss_bytes = 0;
    double cpu_seconds = 0;
    resource_manager resources; // [resources]; its stage is read once per tick
    std::uint64_t conflated_updates = 0;
    std::string start_error; // OMS recovery failure, shown in health; cleared when a retry works
    bool recon_in_flight = false;
    nanos recon_backoff{0};
    time_point recon_retry_at;
    // The terminal status block ([status] terminal on, or auto on a terminal); null when off.
    std::unique_ptr<status_writer> status_out;

    // Counters read from other threads.
    std::atomic<std::uint64_t> book_drops{0}, trade_drops{0}, push_failures{0};
    // Events the processing thread posted to itself while their level was full (a venue answering
    // inline, order entry's answers run by the thread that writes its frames): waiting for space
    // only that thread can make would hang it, so they run right after the current event.
    std::atomic<std::thread::id> proc_thread{};
    std::deque<gw_event> overflow; // processing thread only
    std::atomic<std::uint64_t> overflowed{0};
    std::atomic<std::uint64_t> checkpoints_atomic{0}, checkpoint_failures_atomic{0};

    // The final checkpoint's outcome (written on the db thread before finish(), read by run()).
    std::string final_checkpoint;
    bool final_checkpoint_failed = false;

    // Completion of run().
    std::mutex done_mutex;
    std::condition_variable done_cv;
    bool done = false;
    std::atomic<bool> stop_requested{false};
    std::atomic<int> stop_signals{0};    // SIGINT/SIGTERM seen (the second forces the stop)
    std::atomic<bool> force_stop{false}; // run() ends the process at once (exit_forced_stop)
    std::string force_reason;            // why; written before force_stop is set

    impl(runtime_config c, std::filesystem::path file, std::filesystem::path build, log::system& l);

    // Lifecycle (gateway_app.cpp).
    bool start(std::string& why);
    bool config_error = false; // start() failed on a configuration error it could check only then
    void teardown();
    void checkpoint_soon();
    void finish();
    // Ends run() at once with exit_forced_stop (any thread).
    void force(std::string why);
    void push(resilience::priority p, gw_event ev);
    void post(resilience::priority p, std::function<void()> f);
    /// On a thread of the gateway's own: names it (top -H, perf) and pins it to `cpus` ([threads]).
    void enter_thread(const char* name, const std::vector<unsigned>& cpus);
    void arm_tick();
    result<void> handle(gw_event& ev, resilience::priority p);

    // Processing thread (app_events.cpp).
    void on_delta(book_delta& d);
    void on_snapshot(book_snapshot& s);
    void on_trade(trade& t);
    void on_execution(execution_report& r);
    void on_account(account_update& u);
    void request_snapshot(const symbol& sym);
    void resync_all(binance::book_reason why);
    void on_tick();
    void on_trading();
    void on_recovery(const result<void>& r, std::string_view what);
    void begin_trading();
    void begin_shutdown(std::string why);
    /// Cancels every NEW or PARTIALLY_FILLED order (shutdown); returns how many cancels were sent.
    std::size_t cancel_working_orders();
    /// Working orders whose placement or cancel is unanswered (PENDING_NEW, PENDING_CANCEL, UNKNOWN).
    std::size_t unanswered_orders() const;
    /// Cancels the order if it is NEW or PARTIALLY_FILLED; true when the cancel was sent.
    bool cancel_if_working(const client_order_id& id);
    void write_checkpoint(bool final);
    void reload_strategies(std::string why);
    void on_book_update(const symbol& sym, symbol_state& st, time_point received);
    void deliver_book(const symbol& sym, symbol_state& st, time_point received);
    void watch_resources();

    // Mode paper (app_paper.cpp).
    bool paper_mode() const noexcept { return cfg.base.gateway.mode == config::run_mode::paper; }
    void paper_create();
    void paper_add_symbol(symbol_state& st);
    bool paper_restore(std::string& why);
    // What a checkpoint holds: the OMS's sections, the resilience layer's (breakers and predictor
    // windows) and, in mode paper, the paper account. resilience_restore takes the breakers and
    // windows back from the newest checkpoint at start-up (app_paper.cpp).
    std::vector<db::section> checkpoint_sections() const;
    // The venue's limits from exchangeInfo: REQUEST_WEIGHT per minute (the lower of it and
    // [venue] weight_limit_per_minute) and ORDERS per 10 s and per day (both order entries).
    void apply_venue_limits(const std::vector<binance::rate_limit>& limits);
    // Every breaker of the gateway, named: the executor's rest0..restN-1, then "orders" (if any).
    std::vector<resilience::endpoint> breakers() const;
    void resilience_restore();
    // The newest checkpoint as start-up found it: db->restore() (quick_check and checksum of every
    // replica) runs once for the resilience state and the paper account; the OMS restores its own.
    std::optional<result<db::restore_report>> startup_checkpoint;
    const result<db::restore_report>& startup_restore();

    // Strategies, risk and balances (app_strategies.cpp).
    bool load_strategies(std::string& why);
    std::string risk_gate(const order_intent& intent);
    void risk_accepted(const order_intent& intent, const client_order_id& id);
    void settle_reservations();
    void strategies_start();
    void strategies_stop();
    void strategies_on_trade(const trade& t);
    void strategies_on_execution(const execution_report& r);
    void strategies_on_timer(time_point now);
    void strategies_save_states();
    /// At most once a second: cancels the unfollowed_orders that became cancelable.
    void strategies_sweep_orders(time_point now);
    void balances_on_update(const account_update& u);
    /// Logs each alert (the monitor counts them: balances->stats().alerts).
    void report_balance_alerts(const std::vector<risk::balance_alert>& alerts);
    bool risk_killed() const;
    std::string risk_kill_reason() const;
    std::string strategies_json() const;
    unsigned ops_port() const;
    void risk_kill(std::string why);
    void risk_metrics(const std::function<void(std::string_view, std::uint64_t)>& f) const;

    // Ops endpoint (app_ops.cpp).
    std::string metrics_text() const;
    ops_answer answer(const std::string& method, const std::string& path);
    void kill_switch(std::string why);
    void restore_kill_switch();
    bool set_aside_last_state(const db::db_config& dc, const std::filesystem::path& data_dir, std::string& why);
    bool carry_kill_switch(const std::filesystem::path& data_dir, bool set_aside, std::string& why);
    void save_kill_switch(const std::string& reason);

    // Health and status (app_status.cpp).
    health_report health() const;
    std::string status_json() const;
    void print_status();
};

} // namespace genesis::gateway::runtime
