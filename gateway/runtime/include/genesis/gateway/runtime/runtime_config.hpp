// The genesis-gateway configuration: [gateway], [logging], [resilience] (config/) plus the
// runtime's own sections: [venue], [sim], [persistence], [checkpoint], [shutdown], [status],
// [resources], [threads], [paper] and [strategies.NAME]. The risk, balance and ops sections are
// parsed by their own components' parsers, registered on the same loader (see
// register_runtime_sections).
#pragma once

#include "genesis/config/gateway_config.hpp"
#include "genesis/config/positions.hpp"
#include "genesis/core/events.hpp"
#include "genesis/gateway/ops/ops_config.hpp"
#include "genesis/gateway/paper/paper_config.hpp"
#include "genesis/gateway/risk/balance_monitor.hpp"
#include "genesis/gateway/risk/risk_config.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace genesis::gateway::runtime {

/// [venue]: where the gateway connects. Empty URLs take the mode's defaults (sim: the URLs the
/// spawned genesis-sim announces; testnet: Binance Spot testnet; live: Binance Spot).
struct venue_section {
    std::vector<std::string> rest_urls;
    std::string ws_streams_url; ///< "wss://host:port" (the gateway appends /stream?streams=...)
    std::string ws_api_url;     ///< "wss://host:port/ws-api/v3"
    std::string ca_file;        ///< PEM of trusted CAs; empty: the system's (sim: the sim's CA)
    /// HMAC-SHA256 key pair. Defaults to genesis-sim's published test account in mode sim; required
    /// (from the environment: "${BINANCE_TESTNET_API_KEY}") in modes testnet and live.
    std::string api_key;
    std::string api_secret;
    std::vector<symbol> symbols{symbol::truncating("BTCUSDT")};
    std::uint32_t recv_window_ms = 5000;
    /// REQUEST_WEIGHT per minute the gateway allows itself (Binance Spot: 6000), throttled at 80%;
    /// shared by every REST endpoint, counted from the venue's X-MBX-USED-WEIGHT-1M.
    std::int64_t weight_limit_per_minute = 6000;
    /// REST connections kept open per host ahead of need (rest::pool_options::warm_connections_per_host).
    std::uint32_t warm_connections = 4;
    /// WebSocket reconnects allowed per listener in any reconnect_window (ws::reconnect_budget):
    /// the streams' (market data) and the WebSocket API's (user data and order entry, the user
    /// feed leaving a third to order entry); more wait. Binance counts connections per listener
    /// and IP (300 per 5 minutes).
    std::uint32_t reconnect_budget = 30;
    std::chrono::milliseconds reconnect_window{300'000};
    std::chrono::milliseconds request_timeout{3000};
    std::chrono::milliseconds order_timeout{5000};
    /// How orders and cancels reach the venue: "rest" (POST/DELETE /api/v3/order through the
    /// executor) or "ws" (order.place/order.cancel on a WebSocket API connection; queries stay
    /// on REST). Mode paper: not used.
    std::string order_entry = "rest";
    std::string depth_stream = "@depth@100ms";
    std::uint32_t depth_limit = 1000;
    std::chrono::milliseconds book_stale{5000};
    /// Record every inbound frame and REST body the gateway uses (JSON lines); empty: off.
    std::string record_file;
};

/// [sim]: the genesis-sim child process of mode sim (used when [venue] names no URLs).
struct sim_section {
    /// Path of genesis-sim; empty: <build>/sim/genesis-sim next to the gateway's build folder.
    std::string executable;
    /// Its config file; empty: its defaults.
    std::string config;
    bool agents = true;
    std::chrono::milliseconds start_timeout{20000};
};

/// [persistence]: the database (journal, id blocks, checkpoints) and its replicas.
struct persistence_section {
    /// Primary file; relative paths are under [gateway] data_dir.
    std::string primary = "genesis.db";
    /// Further checkpoint replicas; relative paths are under data_dir.
    std::vector<std::string> replicas{"replica-1.db", "replica-2.db"};
    bool durability_full = true;
    std::chrono::microseconds group_commit{1000};
};

/// [checkpoint]
struct checkpoint_section {
    std::chrono::milliseconds interval{10000};
};

/// [shutdown]
struct shutdown_section {
    bool cancel_open_orders = true;
    /// Time allowed for the cancels to be answered before the final checkpoint.
    std::chrono::milliseconds cancel_timeout{3000};
    /// A stop still running this long after SIGINT/SIGTERM (a strategy stuck in a callback, a
    /// database that does not answer) is forced: exit_forced_stop at once. So is a second signal.
    std::chrono::milliseconds hard_limit{8000};
};

/// [status]: the live status shown on a terminal.
struct status_section {
    /// "auto" (only when stdout is a terminal), "on", "off".
    std::string terminal = "auto";
    std::chrono::milliseconds interval{1000};
};

/// [resources]: the ResourceManager's limits (resource_manager.hpp). Above one it first sheds
/// telemetry (the terminal status), then, still above at the next tick, conflates book updates to
/// strategies (books stay exact; strategies see the latest book once per tick); P0/P1 (orders,
/// control) are never touched.
struct resources_section {
    std::uint64_t max_rss_mb = 2048;
    /// Process CPU (all threads) over a tick, percent of one core; 0: not watched.
    std::uint32_t max_cpu_percent = 0;
    /// Queued book deltas (P3) above which book updates to strategies are conflated.
    std::size_t conflate_book_depth = 2000;
};

/// [threads]: the CPUs each of the gateway's long-lived threads may run on; empty (the default):
/// wherever the kernel puts it. Pinning the processing thread away from the others keeps the
/// database's group commits and the I/O thread's TLS work from preempting it (genesis-tick-bench:
/// tick-to-order p99 ~35 us when the database thread shares its CPU, ~10 us when it does not).
/// Every id must be a CPU the process may use, checked at start-up.
struct threads_section {
    std::vector<unsigned> processing; ///< the PriorityProcessor's consumer: books, strategies, risk, OMS
    std::vector<unsigned> io;         ///< Asio: WebSocket and REST sockets, TLS, ops endpoint, timers
    std::vector<unsigned> database;   ///< SQLite: journal group commits, checkpoints
    std::vector<unsigned> log;        ///< the asynchronous logger and its flusher
};

/// [strategies.NAME]
struct strategy_section {
    std::string name;
    std::filesystem::path path; ///< relative paths: under the build folder (parent of the executable's)
    bool enabled = true;
    std::chrono::milliseconds timer{1000};
    std::size_t book_depth = 5;
    bool cancel_on_reload = true;
    std::vector<symbol> symbols; ///< market data of these only; empty: every traded symbol
    std::vector<std::pair<std::string, std::string>> params;
};

struct runtime_config {
    config::gateway_config base;
    venue_section venue;
    sim_section sim;
    persistence_section persistence;
    checkpoint_section checkpoint;
    shutdown_section shutdown;
    status_section status;
    ops::ops_config ops;
    risk::risk_config risk;
    risk::balance_config balances;
    /// [paper]: fees and starting balances of mode paper's fill simulator.
    paper::paper_config paper;
    resources_section resources;
    threads_section threads;
    std::vector<strategy_section> strategies;
    /// From the command line (run --clear-kill), not the file: release a kill switch that was
    /// engaged before the restart (it is checkpointed, so a restart alone does not release it).
    bool clear_kill = false;

    /// Where each key of the file is (loader::parse_file(file, &cfg.positions)): the checks made
    /// after parsing name the line through where(). Empty: they name the file only.
    config::key_positions positions;

    /// "FILE:LINE:COLUMN: KEY" at the key, or at its table's header when the key is absent;
    /// "FILE: KEY" when neither is in the file. Error texts go on with ": message".
    [[nodiscard]] std::string where(const std::filesystem::path& file, std::string_view key) const;

    /// As where(file, key), showing `label` (a message about several keys) at `key`'s position.
    [[nodiscard]] std::string where(const std::filesystem::path& file, std::string_view key,
                                    std::string_view label) const;
};

void parse_venue_section(config::table_reader& r, venue_section& out);
void parse_sim_section(config::table_reader& r, sim_section& out);
void parse_persistence_section(config::table_reader& r, persistence_section& out);
void parse_strategies_section(config::table_reader& r, std::vector<strategy_section>& out);
/// [threads]; `allowed` is the process's CPUs (genesis::allowed_cpus()), against which every id is checked.
void parse_threads_section(config::table_reader& r, threads_section& out, const std::vector<unsigned>& allowed);

/// Registers every section above plus config::register_sections on l. Extra sections (risk,
/// balances, ops) are registered by the caller.
void register_runtime_sections(config::loader& l, runtime_config& cfg);

/// Registers the sections of the gateway's components (risk, balances, ops) on l.
void register_component_sections(config::loader& l, runtime_config& cfg);

/// The index N of a breaker named "restN" (the gateway's breaker of venue.rest_urls[N]), if the
/// name is one.
[[nodiscard]] std::optional<std::size_t> breaker_index(std::string_view name);

/// The breaker of WebSocket API order entry ([venue] order_entry = "ws").
inline constexpr std::string_view orders_breaker_name = "orders";

/// The gateway's breakers are rest0..restN-1, one per venue.rest_urls entry (endpoints = N; 0: not
/// known yet, names only), and "orders": an override naming another would silently change nothing. Returns an
/// error text naming file, line and key (cfg.where), empty when every [resilience.breakers.NAME]
/// names one.
[[nodiscard]] std::string check_breaker_names(const runtime_config& cfg, std::size_t endpoints,
                                              const std::filesystem::path& file);

/// Mode-dependent defaults and cross-section checks after parsing (credentials for testnet/live,
/// URLs). Returns an error text naming file, line and key (cfg.where), empty when fine.
[[nodiscard]] std::string finish_runtime_config(runtime_config& cfg, const std::filesystem::path& file);

} // namespace genesis::gateway::runtime
