// The strategy plug-in host: loads strategy shared objects (genesis/strategy/api.h), feeds them
// market data, execution reports and timers, routes their orders to the gateway, disables one
// that fails without disturbing the others, hot-reloads them with their state, and reports status.
//
// Threading: everything (every host method, every services call, every strategy callback) runs on
// the gateway's single processing thread. There are no locks; calling from another thread is a bug.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"
#include "genesis/core/events.hpp"
#include "genesis/log/fwd.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace genesis::gateway::plugins {

/// One strategy to load (a [strategies.NAME] table of the gateway config).
struct strategy_spec {
    std::string name;                                        ///< unique; names the strategy in logs
    std::filesystem::path path;                              ///< the .so file
    std::vector<std::pair<std::string, std::string>> params; ///< handed to create() as text
    std::chrono::nanoseconds timer_interval{0};              ///< 0: no on_timer
    bool cancel_on_reload = true;                            ///< services.cancel_all on reload
    std::size_t book_depth = 5;                              ///< levels per side in on_book
    std::vector<symbol> symbols{};                           ///< market data of these; empty: all
};

/// Log levels a strategy writes at (GENESIS_LOG_* of the ABI).
enum class strategy_log_level : std::uint8_t { trace, debug, info, warn, error };

/// The answer to services::place: accepted with a client order id, or refused with a reason.
struct place_outcome {
    bool accepted = false;
    client_order_id client_id;
    std::string reason; ///< why it was refused (risk limit, not trading, ...)

    static place_outcome accept(client_order_id id) { return {true, id, {}}; }
    static place_outcome reject(std::string why) { return {false, {}, std::move(why)}; }
};

/// The answer to services::cancel: sent, or refused with a reason.
struct cancel_outcome {
    bool accepted = false;
    std::string reason;
};

/// What the gateway knows about one order.
struct order_info {
    symbol sym;
    side order_side = side::buy;
    order_type type = order_type::limit;
    order_status status = order_status::new_;
    decimal price;
    decimal quantity;
    decimal cumulative_quantity;
};

/// A position: signed quantity, average price of the open quantity, realized PnL (quote asset).
struct position_info {
    decimal quantity;
    decimal average_price;
    decimal realized_pnl;
};

/// What the gateway provides to the host (implemented by the gateway; a recorder in tests).
/// Called on the processing thread only, never re-entered by the host for the same strategy.
class services {
public:
    virtual ~services() = default;
    /// Sends intent (strategy_id is set; client_id is empty: the gateway assigns it). The host
    /// keeps the returned id to route execution reports back to the strategy.
    virtual place_outcome place(std::uint32_t strategy_id, const order_intent& intent) = 0;
    /// Cancels one of the strategy's orders.
    virtual cancel_outcome cancel(std::uint32_t strategy_id, const client_order_id& id) = 0;
    /// Looks an order up.
    virtual std::optional<order_info> query(const client_order_id& id) = 0;
    /// The position in sym, if any.
    virtual std::optional<position_info> position(const symbol& sym) = 0;
    /// The balance of an asset, if known.
    virtual std::optional<balance> balance_of(const asset& name) = 0;
    /// A log line written by a strategy.
    virtual void log(std::string_view strategy, strategy_log_level level, std::string_view message) = 0;
    /// Cancels every open order of the strategy (reload, or the strategy was disabled).
    virtual void cancel_all(std::uint32_t strategy_id) = 0;
    /// The monotonic clock.
    virtual time_point now() = 0;
};

/// What a strategy's saved blob can know of its orders, recorded with the blob each time it is
/// saved: the orders it owned then (not yet told final) and the last order it had placed. After a
/// restart an order of its own that is neither, and was placed before last_placed, ended before
/// the blob was saved (the strategy was told); one placed after last_placed is new to the blob.
struct saved_view {
    std::vector<client_order_id> open;
    client_order_id last_placed; ///< empty: none placed before the save
    friend bool operator==(const saved_view&, const saved_view&) = default;
};

/// Where a strategy is in its life.
enum class strategy_state : std::uint8_t {
    loaded,   ///< created, not started yet
    running,  ///< receives callbacks
    disabled, ///< failed (reason says why); no more callbacks until a reload
    stopped,  ///< stop_all() ran
};

/// Per-strategy counters. They survive reloads.
struct strategy_counters {
    std::uint64_t callbacks = 0;     ///< callbacks delivered
    std::uint64_t orders_placed = 0; ///< place() accepted by the gateway
    std::uint64_t rejections = 0;    ///< place() refused, or an order reported REJECTED
    std::uint64_t errors = 0;        ///< failed callbacks and failed loads
};

/// One line of host::status().
struct strategy_status {
    std::uint32_t id = 0;
    std::string name;
    std::filesystem::path path;
    strategy_state state = strategy_state::loaded;
    std::string reason; ///< why it is disabled, else empty
    strategy_counters counters;
};

/// Errors of the plug-in host. Values are stable: never renumber, only append. The message of
/// the last failure (file, versions, dlerror) is in host::last_error() and in the log.
enum class plugins_errc {
    ok = 0,
    open_failed = 1,      ///< dlopen failed
    no_entry = 2,         ///< the entry symbol is missing
    abi_mismatch = 3,     ///< the table's abi_version is not GENESIS_STRATEGY_ABI_VERSION
    create_failed = 4,    ///< create() or restore_state() failed
    duplicate_name = 5,   ///< a strategy with this name is loaded already
    unknown_strategy = 6, ///< reload() of a name never loaded
    start_failed = 7,     ///< start() failed (the strategy is disabled)
    missing_callback = 8, ///< the table lacks a required callback (create or destroy)
    id_collision = 9,     ///< two names give the same strategy id (rename one)
};

/// The category of plugins_errc values ("genesis.plugins").
const boost::system::error_category& plugins_category() noexcept;
inline error_code make_error_code(plugins_errc e) noexcept { return {static_cast<int>(e), plugins_category()}; }

/// Text names: "running", "disabled", ...
std::string_view to_string(strategy_state s) noexcept;

/// Loads and runs strategy plug-ins. See the file comment for threading. Not copyable.
class host {
    struct slot; // one strategy (defined in host.cpp)
    struct abi;  // the genesis_host trampolines (defined in host.cpp)

    services& services_;
    log::logger_ptr log_;
    std::vector<std::unique_ptr<slot>> slots_; ///< in load order
    std::unordered_map<client_order_id, std::uint32_t> owners_;
    std::string last_error_;
    int depth_ = 0; ///< > 0 while a strategy callback runs
    /// Reports that arrived during a callback, with the exec type they are delivered as (restate's).
    std::deque<std::pair<execution_report, std::optional<int>>> deferred_;

    slot* find(std::string_view name) noexcept;
    slot* find(std::uint32_t id) noexcept;
    result<void> open(slot& s);
    void close(slot& s) noexcept;
    result<void> fail_load(slot& s, plugins_errc code, std::string message);
    void disable(slot& s, std::string reason);
    void retire(slot& s, std::string reason, bool cancel_orders);
    /// exec_type: the genesis_execution's (by default r.exec_type's value).
    void deliver(const execution_report& r, std::optional<int> exec_type = std::nullopt);
    void drain();
    template <class F>
    bool invoke(slot& s, const char* what, F&& f);

public:
    host(services& svc, log::logger_ptr logger);
    ~host();
    host(const host&) = delete;
    host& operator=(const host&) = delete;

    /// Loads spec.path (dlopen RTLD_NOW|RTLD_LOCAL), checks the entry symbol, the ABI version and
    /// that the table has create and destroy (the other callbacks are optional), creates the
    /// instance with spec.params and hands it saved_state when not empty. The new strategy is not
    /// started: call start_all(). Refusals name the file and, for a version mismatch, the found
    /// and expected versions (last_error()).
    /// view: what the saved state knew of the strategy's orders (recorded with it, see saved_view).
    [[nodiscard]] result<void> load(const strategy_spec& spec, std::string_view saved_state = {}, saved_view view = {});
    /// Gives an order the gateway restored after a restart back to the strategy that placed it
    /// (a strategy's id comes from its name: the same name has the same id whatever else the
    /// config holds): its execution reports reach that strategy again and the strategy may cancel
    /// it. False when no loaded strategy has that id.
    bool adopt(const client_order_id& id, std::uint32_t strategy_id);
    /// Starts every loaded, not yet started strategy. A failing start disables that one only.
    void start_all();

    /// A book update, to every running strategy subscribed to sym (each sees at most its
    /// book_depth levels).
    void on_book(const symbol& sym, std::span<const book_level> bids, std::span<const book_level> asks, bool valid,
                 nanos age);
    /// A public trade, to every running strategy subscribed to its symbol.
    void on_trade(const trade& t);
    /// An execution report, to the strategy owning the order (by client id, or orig id for
    /// cancels); reports of orders no strategy placed are ignored. During a strategy callback
    /// (services answering synchronously) reports are queued and delivered right after it.
    void on_execution(const execution_report& r);
    /// After a restart, once start_all ran: r (an order's state as the OMS knows it) to the
    /// strategy that owns the order (adopt it first), as GENESIS_EXEC_RESTATED with last_quantity
    /// and last_price 0. A final one is forgotten afterwards, as by on_execution.
    void restate(const execution_report& r);
    /// Fires on_timer of each running strategy whose interval is due at now.
    void on_timer(time_point now);

    /// Hot reload: stop, save state, services.cancel_all (if cancel_on_reload), destroy, dlclose,
    /// dlopen new_path (or the same file), create, restore the saved state, start. The strategy
    /// keeps its id and counters. A failed load leaves it disabled with the reason, and its orders
    /// are canceled (services.cancel_all, even when cancel_on_reload is false: nothing follows them).
    [[nodiscard]] result<void> reload(std::string_view name, std::optional<std::filesystem::path> new_path = {});
    /// Stops every running strategy and asks it to save its state. Instances are destroyed.
    void stop_all();

    /// Asks each running strategy to save its state, then returns every (name, blob) for a checkpoint.
    std::vector<std::pair<std::string, std::string>> states();
    /// The view recorded with the strategy's last saved blob (or handed to load with it); nullopt
    /// when it has no saved blob (nothing of its orders to catch up on after a restart).
    [[nodiscard]] std::optional<saved_view> view_of(std::string_view name) const;
    [[nodiscard]] std::optional<saved_view> view_of(std::uint32_t strategy_id) const;
    /// The newest order the strategy placed, as far as its views go (empty: none).
    [[nodiscard]] client_order_id last_placed_of(std::uint32_t strategy_id) const;
    /// After a restart: `id`, restated to the strategy, counts as placed (the caller checked it is
    /// newer than last_placed_of): a blob saved from now on knows it, so it is not restated again.
    void mark_placed(std::uint32_t strategy_id, const client_order_id& id);
    /// One line per strategy, in load order.
    std::vector<strategy_status> status() const;
    /// The id of a loaded strategy (id_for(its name)), if any.
    std::optional<std::uint32_t> id_of(std::string_view name) const noexcept;
    /// The id a strategy of this name has: FNV-1a (32 bits) of the name, never 0. The journal and
    /// the checkpoints keep it with each order, so that after a restart the order goes back to the
    /// strategy of the same name, whichever strategies were added, removed or reordered. load()
    /// refuses a name whose id another loaded strategy has (id_collision).
    static std::uint32_t id_for(std::string_view name) noexcept;
    /// The message of the last failed load or reload.
    const std::string& last_error() const noexcept { return last_error_; }
};

} // namespace genesis::gateway::plugins

template <>
struct boost::system::is_error_code_enum<genesis::gateway::plugins::plugins_errc> : std::true_type {};
