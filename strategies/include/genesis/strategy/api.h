/* Genesis strategy plug-in ABI: the only header a strategy shared object needs.
 *
 * A strategy is a shared object (.so) that exports one C function, GENESIS_STRATEGY_ENTRY_NAME,
 * returning a static genesis_strategy table. The gateway (the "host") dlopen()s the file, checks
 * table->abi_version == GENESIS_STRATEGY_ABI_VERSION, then drives the strategy through the table's
 * callbacks and gives it a genesis_host table of services (place, cancel, query, position, balance,
 * log, save_state, now).
 *
 * Rules of the ABI
 * - Threading: every callback, and every host call, happens on the gateway's single processing
 *   thread. A strategy needs no locks, and must not call the host from any other thread nor keep
 *   the genesis_host pointer past destroy().
 * - Re-entrancy: the host never calls a strategy from inside one of its own host calls. An
 *   execution report caused by place() arrives later, through on_execution.
 * - Money: prices and quantities are fixed-point int64 with 8 decimals (GENESIS_FIXED_ONE = 1.0,
 *   so 150000000 is 1.5): the raw value of genesis::decimal. Never a double.
 * - Strings: genesis_str (pointer + length, not NUL-terminated). Strings the host passes are valid
 *   only during the call; copy what you keep.
 * - Callbacks: create and destroy are required; a table missing either is refused at load (the
 *   message names the file and the missing member). Every other callback (restore_state, start,
 *   on_book, on_trade, on_execution, on_timer, stop, save_state) is optional: NULL means "nothing
 *   to do" and the host skips it.
 * - Status: every callback returns GENESIS_OK (0) or a non-zero value; non-zero means the strategy
 *   failed, and it should write why into err->message. The host then disables THAT strategy (no
 *   more callbacks, its open orders are canceled) with the message as the reason; the other
 *   strategies go on. Exceptions must never leave a callback: C++ strategies use
 *   GENESIS_STRATEGY_DEFINE below, which catches them and turns them into an error status. As a
 *   last resort the host catches an exception that escapes anyway and disables the strategy with
 *   the reason "<callback> threw an exception[: what()]".
 * - Lifetime: create -> [restore_state] -> start -> {on_book, on_trade, on_execution, on_timer}*
 *   -> stop -> save_state -> destroy. A hot reload runs stop, save_state, destroy, dlclose, then
 *   loads the new file and runs create, restore_state (with the saved blob), start.
 * - Disabled: once the host disables a strategy (a failed callback), it calls nothing more on it:
 *   neither stop nor save_state (the last blob it saved is kept); destroy runs when it is unloaded
 *   (reload or shutdown). Its open orders are canceled.
 * - Reload: a reload whose new file fails (cannot be opened, wrong ABI, a missing create/destroy,
 *   create or restore_state failing) leaves the strategy disabled with that reason and its orders
 *   canceled; a later reload with a good file brings it back with its last saved blob. Replace a
 *   .so by rename (write the new file next to it, then mv it over the old path), never by copying
 *   over the file: the loaded copy is mapped, and overwriting it in place can crash the gateway.
 * - Market data: on_book and on_trade arrive for the symbols of the strategy's `symbols` key,
 *   or for every symbol the gateway trades when it has none: check book->symbol / trade->symbol.
 *   A book that is out of sync is delivered with valid = 0 (again on every gateway tick while it
 *   stays so). A callback left NULL subscribes to nothing of its kind.
 * - Build: compile with -fvisibility=hidden (CMake: C_VISIBILITY_PRESET / CXX_VISIBILITY_PRESET
 *   hidden) so that of the strategy's own symbols only GENESIS_STRATEGY_ENTRY_NAME (marked
 *   GENESIS_STRATEGY_EXPORT) is exported (weak instantiations of libstdc++ templates stay
 *   visible, which is harmless: the host dlopen()s with RTLD_NOW | RTLD_LOCAL). With GCC,
 *   strategies must also be built with -fno-gnu-unique: GCC gives function-local statics of
 *   inline functions and templates the binding STB_GNU_UNIQUE (libstdc++ has some, e.g. the digit
 *   table behind std::to_string), glibc never unloads an object holding one, and dlopen of the
 *   same path then returns the old mapping: a hot reload after renaming a new file over the path
 *   would silently run the old code. `readelf -sW file.so | grep -c UNIQUE` must print 0.
 *   genesis_add_strategy() in strategies/CMakeLists.txt sets it (genesis_strategy_options());
 *   clang emits no such symbols and rejects the flag.
 *
 * Configuration: each strategy is one [strategies.NAME] table of the gateway's TOML config
 * (config/README.md), with the keys
 *   path       = "strategies/genesis_twap.so"  the .so (required); relative to the build folder
 *   enabled    = true                          load it at all
 *   timer_ms   = 1000                          period of on_timer (>= 1)
 *   book_depth = 5                             levels per side in on_book (1..100)
 *   symbols    = ["BTCUSDT"]                   market data of these only (default: every symbol)
 *   on_reload  = "cancel"                      "cancel" or "keep" its open orders on a hot reload
 * and a [strategies.NAME.params] table whose entries reach create() as text key/value pairs
 * (genesis_param; write money as strings). NAME names the strategy in logs and status.
 *
 * This header compiles as C (C99 or later) and as C++; the C++ helpers at the bottom need C++20. */
#ifndef GENESIS_STRATEGY_API_H
#define GENESIS_STRATEGY_API_H

#include <stddef.h>
#include <stdint.h>

/** Version of this ABI. A table whose abi_version differs is refused at load. */
#define GENESIS_STRATEGY_ABI_VERSION 1u
/** Name of the symbol every strategy exports (see genesis_strategy_entry_fn). */
#define GENESIS_STRATEGY_ENTRY_NAME "genesis_strategy_entry"
/** 1.0 in fixed point: prices and quantities are int64 scaled by 10^8. */
#define GENESIS_FIXED_ONE INT64_C(100000000)
/** Capacity of the text buffers the host hands out (reasons, error messages), NUL included. */
#define GENESIS_TEXT_CAPACITY 256
/** Capacity of a client order id buffer, NUL included (Binance allows 36 characters). */
#define GENESIS_ID_CAPACITY 40

#if defined(__GNUC__)
#define GENESIS_STRATEGY_EXPORT __attribute__((visibility("default")))
#else
#define GENESIS_STRATEGY_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. Callbacks return GENESIS_OK or any non-zero value (failure). */
enum {
    GENESIS_OK = 0,
    GENESIS_ERROR = 1,      /**< the strategy failed (callbacks) or the host failed (host calls) */
    GENESIS_REJECTED = 2,   /**< place/cancel refused: the reason says why */
    GENESIS_NOT_FOUND = 3,  /**< no such order, position or balance */
    GENESIS_INVALID = 4,    /**< a malformed request (empty symbol, zero quantity, ...) */
    GENESIS_NOT_RUNNING = 5 /**< the calling strategy is disabled or stopped */
};

/** Order sides, types and times in force (the values of genesis::side/order_type/time_in_force). */
enum { GENESIS_BUY = 0, GENESIS_SELL = 1 };
enum { GENESIS_LIMIT = 0, GENESIS_MARKET = 1, GENESIS_LIMIT_MAKER = 2 };
enum { GENESIS_GTC = 0, GENESIS_IOC = 1, GENESIS_FOK = 2 };

/** Order statuses (the values of genesis::order_status). */
enum {
    GENESIS_STATUS_PENDING_NEW = 0,
    GENESIS_STATUS_NEW = 1,
    GENESIS_STATUS_PARTIALLY_FILLED = 2,
    GENESIS_STATUS_FILLED = 3,
    GENESIS_STATUS_CANCELED = 4,
    GENESIS_STATUS_PENDING_CANCEL = 5,
    GENESIS_STATUS_REJECTED = 6,
    GENESIS_STATUS_EXPIRED = 7,
    GENESIS_STATUS_EXPIRED_IN_MATCH = 8,
    GENESIS_STATUS_UNKNOWN = 9 /**< the answer was lost; the gateway is looking it up */
};

/** Execution types (the values of genesis::execution_type). */
enum {
    GENESIS_EXEC_NEW = 0,
    GENESIS_EXEC_CANCELED = 1,
    GENESIS_EXEC_REPLACED = 2,
    GENESIS_EXEC_REJECTED = 3,
    GENESIS_EXEC_TRADE = 4,
    GENESIS_EXEC_EXPIRED = 5,
    GENESIS_EXEC_TRADE_PREVENTION = 6,
    GENESIS_EXEC_AMENDMENT = 7,
    /** Not a venue event: after a restart, an order's state as the gateway knows it now (status,
     *  cumulative_quantity and cumulative_quote; last_quantity and last_price are 0). See
     *  on_execution. */
    GENESIS_EXEC_RESTATED = 8
};

/** Log levels for genesis_host.log. */
enum {
    GENESIS_LOG_TRACE = 0,
    GENESIS_LOG_DEBUG = 1,
    GENESIS_LOG_INFO = 2,
    GENESIS_LOG_WARN = 3,
    GENESIS_LOG_ERROR = 4
};

/** A string: data[0..size), not NUL-terminated. */
typedef struct genesis_str {
    const char* data;
    size_t size;
} genesis_str;

/** One configuration entry of the strategy's table in the gateway config, as text. */
typedef struct genesis_param {
    genesis_str key;
    genesis_str value;
} genesis_param;

/** Where a callback writes why it failed (NUL-terminated, truncated to the capacity). */
typedef struct genesis_error {
    char message[GENESIS_TEXT_CAPACITY];
} genesis_error;

/** One price level, fixed point. */
typedef struct genesis_level {
    int64_t price;
    int64_t quantity;
} genesis_level;

/** The top of one symbol's book: up to the configured depth per side, best first. The bids and
 *  asks arrays (like symbol) belong to the host and are valid only during the on_book call: copy
 *  the levels you keep. */
typedef struct genesis_book {
    genesis_str symbol;
    const genesis_level* bids; /**< descending prices */
    size_t bid_count;
    const genesis_level* asks; /**< ascending prices */
    size_t ask_count;
    int valid;      /**< 0: the book is out of sync (gap, crossed, resyncing): do not trust it */
    int64_t age_ns; /**< time since the book last changed */
    int64_t now_ns; /**< the host's monotonic clock */
} genesis_book;

/** A public trade. */
typedef struct genesis_trade {
    genesis_str symbol;
    uint64_t trade_id;
    int64_t price;
    int64_t quantity;
    int buyer_is_maker;
    int64_t trade_time_ns; /**< wall clock */
} genesis_trade;

/** A change of one of this strategy's orders. last_* describe this fill (exec_type TRADE). */
typedef struct genesis_execution {
    genesis_str symbol;
    genesis_str client_order_id;
    genesis_str orig_client_order_id; /**< for cancels: the order being canceled, else empty */
    uint64_t order_id;                /**< the exchange's id */
    int side;
    int type;
    int status;
    int exec_type;
    int64_t price;
    int64_t quantity;
    int64_t last_quantity;
    int64_t last_price;
    int64_t cumulative_quantity;
    int64_t cumulative_quote;
    int64_t commission;
    genesis_str commission_asset;
    genesis_str reject_reason; /**< "NONE" or the venue's reason */
    int64_t event_time_ns;     /**< wall clock */
} genesis_execution;

/** An order to place. price is ignored for GENESIS_MARKET. */
typedef struct genesis_order_request {
    genesis_str symbol;
    int side;
    int type;
    int time_in_force;
    int64_t price;
    int64_t quantity;
} genesis_order_request;

/** The answer to place/cancel: the client order id on success, the reason on refusal. */
typedef struct genesis_order_result {
    char client_order_id[GENESIS_ID_CAPACITY]; /**< NUL-terminated */
    size_t client_order_id_size;
    char reason[GENESIS_TEXT_CAPACITY]; /**< NUL-terminated, empty on success */
    size_t reason_size;
} genesis_order_result;

/** What the gateway knows about one of the strategy's orders. */
typedef struct genesis_order_info {
    int side;
    int type;
    int status;
    int64_t price;
    int64_t quantity;
    int64_t cumulative_quantity;
} genesis_order_info;

/** A position in one symbol: signed quantity, average price of the open quantity, realized PnL. */
typedef struct genesis_position {
    int64_t quantity;
    int64_t average_price;
    int64_t realized_pnl;
} genesis_position;

/** One asset's balance. */
typedef struct genesis_balance {
    int64_t free;
    int64_t locked;
} genesis_balance;

/** The host's services. Pass ctx as the first argument of every call. Valid from create to destroy. */
typedef struct genesis_host {
    uint32_t abi_version; /**< GENESIS_STRATEGY_ABI_VERSION of the host */
    void* ctx;
    /** Places an order. GENESIS_OK: out->client_order_id names it (follow it in on_execution).
     *  GENESIS_REJECTED / GENESIS_INVALID / GENESIS_NOT_RUNNING: out->reason says why. */
    int (*place)(void* ctx, const genesis_order_request* request, genesis_order_result* out);
    /** Asks to cancel one of this strategy's orders. The outcome arrives in on_execution: the
     *  CANCELED report's client_order_id may be the cancel request's own id (Binance's user stream
     *  does that), with the order's id in orig_client_order_id: match an order on either.
     *  GENESIS_OK: the cancel was sent (out->client_order_id names the order).
     *  GENESIS_NOT_FOUND: not an open order of this strategy (unknown id, or final already).
     *  GENESIS_REJECTED: the gateway refused it, out->reason says why (e.g. the placement is not
     *  answered yet, or a cancel is in flight: try again later).
     *  GENESIS_NOT_RUNNING: the calling strategy is not running. */
    int (*cancel)(void* ctx, genesis_str client_order_id, genesis_order_result* out);
    /** GENESIS_OK and *out filled, or GENESIS_NOT_FOUND: not an order of this strategy, or one
     *  that is final and whose final report was delivered (from that on_execution call on). */
    int (*query)(void* ctx, genesis_str client_order_id, genesis_order_info* out);
    /** The gateway's position in symbol: the whole account's, not this strategy's share (all the
     *  strategies of a gateway trade one account). GENESIS_NOT_FOUND when it has none. */
    int (*position)(void* ctx, genesis_str symbol, genesis_position* out);
    /** The account's balance of asset (gateway-wide, not per strategy); GENESIS_NOT_FOUND when
     *  unknown. */
    int (*balance)(void* ctx, genesis_str asset, genesis_balance* out);
    /** Writes a line to the gateway's log under the strategy's name. */
    void (*log)(void* ctx, int level, genesis_str message);
    /** Stores the strategy's state blob (opaque bytes, copied; may be called from any callback).
     *  The gateway checkpoints the latest blob and hands it to restore_state after a reload or a
     *  restart. GENESIS_OK, or GENESIS_INVALID when size > 0 and data is NULL. */
    int (*save_state)(void* ctx, const void* data, size_t size);
    /** The host's monotonic clock in nanoseconds. Its origin is arbitrary and changes at every
     *  restart of the machine or gateway: never store it in the state blob, store durations. */
    int64_t (*now)(void* ctx);
} genesis_host;

/** The table a strategy exports. abi_version is the first member and never moves. create and
 *  destroy are required; every other callback may be NULL, which the host skips. */
typedef struct genesis_strategy {
    uint32_t abi_version; /**< must be GENESIS_STRATEGY_ABI_VERSION */
    const char* name;     /**< NUL-terminated, for logs */
    /** Required. Makes an instance from its parameters (valid only during the call). *instance
     *  receives it (non-NULL on success). */
    int (*create)(const genesis_host* host, const genesis_param* params, size_t param_count, void** instance,
                  genesis_error* err);
    /** Required. Frees the instance. Never fails. */
    void (*destroy)(void* instance);
    /** Optional. Hands back the blob last given to host->save_state (before start, only when
     *  there is one). */
    int (*restore_state)(void* instance, const void* data, size_t size, genesis_error* err);
    /** Optional. Called once before the first market data. */
    int (*start)(void* instance, genesis_error* err);
    /** Optional. A book update of a subscribed symbol (see genesis_book and `symbols`). */
    int (*on_book)(void* instance, const genesis_book* book, genesis_error* err);
    /** Optional. A public trade of a subscribed symbol. */
    int (*on_trade)(void* instance, const genesis_trade* trade, genesis_error* err);
    /** Optional. A change of one of this strategy's orders. Other exec types than these may be
     *  added: look at status and cumulative_quantity for one you do not know.
     *  After a restart of the gateway (not a reload), right after start returns and before any
     *  market data, one GENESIS_EXEC_RESTATED report comes for each order of this strategy that
     *  its saved blob may not have the last word on: the orders the blob names (its orders not
     *  yet told final when it was saved), the ones placed after it was saved, and any still
     *  working; each with its state now (ended or not, while the gateway was down too). The
     *  reports that moved them since the blob was saved were never delivered: count fills by what
     *  cumulative_quantity grew since you last saw the order, not by adding last_quantity. A
     *  restated order your blob does not name was placed after it was saved: all of its
     *  cumulative_quantity is new to you, and while it works it is yours to follow and cancel
     *  (the sample strategies adopt it). A blob saved inside on_execution must already hold
     *  what that report told (the gateway records, with the blob, which orders it still knows). */
    int (*on_execution)(void* instance, const genesis_execution* report, genesis_error* err);
    /** Optional. Called every timer interval of the strategy's config (timer_ms). */
    int (*on_timer)(void* instance, int64_t now_ns, genesis_error* err);
    /** Optional. Called before a reload or at shutdown (not after the host disabled it). */
    int (*stop)(void* instance, genesis_error* err);
    /** Optional. Asks the strategy to call host->save_state now (checkpoint, reload, shutdown). */
    int (*save_state)(void* instance, genesis_error* err);
} genesis_strategy;

/** The type of the exported entry point: returns a pointer to a static table, never NULL. */
typedef const genesis_strategy* (*genesis_strategy_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#if defined(__cplusplus) && __cplusplus >= 202002L
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// C++ helpers for strategy authors. Write a class, then GENESIS_STRATEGY_DEFINE(my_class, "name"):
///
///     struct my_class {
///         my_class(genesis::strategy::host_ref host, const genesis::strategy::params& p);  // required
///         void start();                                   // every member below is optional
///         void on_book(const genesis_book& b);
///         void on_trade(const genesis_trade& t);
///         void on_execution(const genesis_execution& e);
///         void on_timer(std::int64_t now_ns);
///         void stop();
///         std::string save_state();                       // the blob; the adapter saves it
///         void restore_state(std::string_view blob);
///     };
///
/// Throw (any std::exception) to fail: the adapter catches it, copies what() into the error and
/// returns GENESIS_ERROR, so the host disables this strategy with that reason.
namespace genesis::strategy {

/// The text of a genesis_str.
inline std::string_view view(genesis_str s) noexcept {
    return s.data ? std::string_view{s.data, s.size} : std::string_view{};
}
/// A genesis_str over s (s must outlive the use).
inline genesis_str str(std::string_view s) noexcept { return genesis_str{s.data(), s.size()}; }

/// Parses "1.5", "-0.25", "100" into fixed point (8 decimals) exactly. False on malformed text,
/// more than 8 significant fractional digits, or overflow.
inline bool parse_fixed(std::string_view s, std::int64_t& out) noexcept {
    std::size_t i = 0;
    const bool neg = !s.empty() && s[0] == '-';
    i = neg ? 1 : 0;
    std::uint64_t whole = 0, frac = 0;
    std::size_t digits = 0, frac_digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
        if (whole > 92233720367ULL)
            return false;
        whole = whole * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    if (i < s.size() && s[i] == '.')
        for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits) {
            if (frac_digits < 8)
                frac = frac * 10 + static_cast<std::uint64_t>(s[i] - '0');
            else if (s[i] != '0')
                return false;
        }
    if (i != s.size() || digits + frac_digits == 0)
        return false;
    for (std::size_t k = frac_digits; k < 8; ++k)
        frac *= 10;
    const std::uint64_t raw = whole * 100000000ULL + frac;
    if (raw > static_cast<std::uint64_t>(INT64_MAX))
        return false;
    out = neg ? -static_cast<std::int64_t>(raw) : static_cast<std::int64_t>(raw);
    return true;
}

/// The strategy's parameters. Lookups throw std::invalid_argument naming the key on bad input.
class params {
    std::vector<std::pair<std::string, std::string>> items_;

public:
    params(const genesis_param* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            items_.emplace_back(std::string(view(p[i].key)), std::string(view(p[i].value)));
    }
    /// The value of key, if present.
    std::optional<std::string_view> find(std::string_view key) const noexcept {
        for (const auto& [k, v] : items_)
            if (k == key)
                return std::string_view{v};
        return std::nullopt;
    }
    /// The value of key; throws when missing.
    std::string text(std::string_view key) const {
        auto v = find(key);
        if (!v)
            throw std::invalid_argument("missing parameter '" + std::string(key) + "'");
        return std::string(*v);
    }
    /// The value of key, or fallback when missing.
    std::string text(std::string_view key, std::string_view fallback) const {
        return std::string(find(key).value_or(fallback));
    }
    /// A fixed-point value; throws when missing (without fallback) or malformed.
    std::int64_t fixed(std::string_view key, std::optional<std::int64_t> fallback = std::nullopt) const {
        auto v = find(key);
        if (!v) {
            if (fallback)
                return *fallback;
            throw std::invalid_argument("missing parameter '" + std::string(key) + "'");
        }
        std::int64_t out = 0;
        if (!parse_fixed(*v, out))
            throw std::invalid_argument("parameter '" + std::string(key) + "' is not a decimal: '" + std::string(*v) +
                                        "'");
        return out;
    }
};

/// The host's services as C++ calls (see genesis_host for the contract of each).
class host_ref {
    const genesis_host* h_;

public:
    explicit host_ref(const genesis_host* h) noexcept : h_(h) {}
    /// GENESIS_OK with r.client_order_id, or a refusal with r.reason.
    int place(const genesis_order_request& req, genesis_order_result& r) const noexcept {
        return h_->place(h_->ctx, &req, &r);
    }
    int cancel(std::string_view client_order_id, genesis_order_result& r) const noexcept {
        return h_->cancel(h_->ctx, str(client_order_id), &r);
    }
    int query(std::string_view client_order_id, genesis_order_info& out) const noexcept {
        return h_->query(h_->ctx, str(client_order_id), &out);
    }
    int position(std::string_view sym, genesis_position& out) const noexcept {
        return h_->position(h_->ctx, str(sym), &out);
    }
    int balance(std::string_view asset, genesis_balance& out) const noexcept {
        return h_->balance(h_->ctx, str(asset), &out);
    }
    void log(int level, std::string_view message) const noexcept { h_->log(h_->ctx, level, str(message)); }
    int save_state(std::string_view blob) const noexcept { return h_->save_state(h_->ctx, blob.data(), blob.size()); }
    std::int64_t now() const noexcept { return h_->now(h_->ctx); }
};

namespace detail {
inline void set_error(genesis_error* err, const char* what) noexcept {
    if (err)
        std::snprintf(err->message, sizeof err->message, "%s", what);
}
/// Runs f, turning any exception into GENESIS_ERROR with its message.
template <class F>
int guard(genesis_error* err, F&& f) noexcept {
    try {
        f();
        return GENESIS_OK;
    } catch (const std::exception& e) {
        set_error(err, e.what());
    } catch (...) {
        set_error(err, "unknown exception");
    }
    return GENESIS_ERROR;
}

/// The C table for strategy class S: every callback wrapped in guard().
template <class S>
struct adapter {
    struct box {
        host_ref host;
        S strategy;
    };
    static S& self(void* p) noexcept { return static_cast<box*>(p)->strategy; }

    static int create(const genesis_host* h, const genesis_param* p, std::size_t n, void** out,
                      genesis_error* err) noexcept {
        return guard(err, [&] {
            host_ref host{h};
            *out = new box{host, S(host, params(p, n))};
        });
    }
    static void destroy(void* p) noexcept { delete static_cast<box*>(p); }
    static int restore_state(void* p, const void* data, std::size_t n, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s, std::string_view v) { s.restore_state(v); })
                self(p).restore_state(std::string_view{static_cast<const char*>(data), n});
        });
    }
    static int start(void* p, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s) { s.start(); })
                self(p).start();
        });
    }
    static int on_book(void* p, const genesis_book* b, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s) { s.on_book(*b); })
                self(p).on_book(*b);
        });
    }
    static int on_trade(void* p, const genesis_trade* t, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s) { s.on_trade(*t); })
                self(p).on_trade(*t);
        });
    }
    static int on_execution(void* p, const genesis_execution* e, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s) { s.on_execution(*e); })
                self(p).on_execution(*e);
        });
    }
    static int on_timer(void* p, std::int64_t now_ns, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s) { s.on_timer(now_ns); })
                self(p).on_timer(now_ns);
        });
    }
    static int stop(void* p, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s) { s.stop(); })
                self(p).stop();
        });
    }
    static int save_state(void* p, genesis_error* err) noexcept {
        return guard(err, [&] {
            if constexpr (requires(S & s) { s.save_state(); }) {
                const std::string blob = self(p).save_state();
                if (static_cast<box*>(p)->host.save_state(blob) != GENESIS_OK)
                    throw std::runtime_error("the host refused the state blob");
            }
        });
    }
    static const genesis_strategy* table(const char* name) noexcept {
        static const genesis_strategy t{GENESIS_STRATEGY_ABI_VERSION,
                                        name,
                                        &create,
                                        &destroy,
                                        &restore_state,
                                        &start,
                                        &on_book,
                                        &on_trade,
                                        &on_execution,
                                        &on_timer,
                                        &stop,
                                        &save_state};
        return &t;
    }
};
} // namespace detail

} // namespace genesis::strategy

/// Exports the entry point of a strategy written as class CLASS (see genesis::strategy). Use once
/// per shared object, at namespace scope.
#define GENESIS_STRATEGY_DEFINE(CLASS, NAME)                                                                           \
    extern "C" GENESIS_STRATEGY_EXPORT const genesis_strategy* genesis_strategy_entry(void) noexcept {                 \
        return ::genesis::strategy::detail::adapter<CLASS>::table(NAME);                                               \
    }
#endif /* C++20 */

#endif /* GENESIS_STRATEGY_API_H */
