#include "genesis/gateway/plugins/host.hpp"

#include <genesis/log/logger.hpp>
#include <genesis/strategy/api.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <exception>

namespace genesis::gateway::plugins {
namespace {

class plugins_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.plugins"; }
    std::string message(int ev) const override {
        switch (static_cast<plugins_errc>(ev)) {
        case plugins_errc::ok: return "ok";
        case plugins_errc::open_failed: return "the strategy file could not be opened";
        case plugins_errc::no_entry: return "the strategy file exports no entry symbol";
        case plugins_errc::abi_mismatch: return "the strategy was built for another ABI version";
        case plugins_errc::create_failed: return "the strategy could not be created";
        case plugins_errc::duplicate_name: return "a strategy with this name is loaded already";
        case plugins_errc::id_collision: return "another strategy's name gives the same id";
        case plugins_errc::unknown_strategy: return "no strategy has this name";
        case plugins_errc::start_failed: return "the strategy failed to start";
        case plugins_errc::missing_callback: return "the strategy table lacks a required callback";
        }
        return "unknown plugins error";
    }
};

std::string_view view(genesis_str s) noexcept { return s.data ? std::string_view{s.data, s.size} : std::string_view{}; }
genesis_str str(std::string_view s) noexcept { return {s.data(), s.size()}; }

// Copies text into a NUL-terminated buffer of capacity cap, truncating; returns the length kept.
std::size_t copy_text(char* buf, std::size_t cap, std::string_view text) noexcept {
    const std::size_t n = std::min(text.size(), cap - 1);
    if (n != 0)
        std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
    return n;
}

int refuse(genesis_order_result* out, int code, std::string_view reason) noexcept {
    if (out)
        out->reason_size = copy_text(out->reason, sizeof out->reason, reason);
    return code;
}

// The message a failed callback left, NUL-terminated or not.
std::string error_text(const genesis_error& err, int rc) {
    const std::size_t n = strnlen(err.message, sizeof err.message);
    if (n == 0)
        return "returned status " + std::to_string(rc);
    return std::string(err.message, n);
}

// Why a call threw: "<what> threw an exception[: <what()>]". Called from inside a catch block.
std::string thrown(std::string_view what) {
    std::string text = std::string(what) + " threw an exception";
    try {
        throw;
    } catch (const std::exception& e) {
        text += ": ";
        text += e.what();
    } catch (...) {
    }
    return text;
}

// Market data of sym reaches the strategy: it named sym in `symbols`, or named none.
bool subscribed(const strategy_spec& spec, const symbol& sym) noexcept {
    return spec.symbols.empty() || std::find(spec.symbols.begin(), spec.symbols.end(), sym) != spec.symbols.end();
}

} // namespace

const boost::system::error_category& plugins_category() noexcept {
    static const plugins_category_impl c;
    return c;
}

std::string_view to_string(strategy_state s) noexcept {
    switch (s) {
    case strategy_state::loaded: return "loaded";
    case strategy_state::running: return "running";
    case strategy_state::disabled: return "disabled";
    case strategy_state::stopped: return "stopped";
    }
    return "unknown";
}

struct host::slot {
    host* owner = nullptr;
    std::uint32_t id = 0;
    strategy_spec spec;
    void* lib = nullptr;
    const genesis_strategy* api = nullptr;
    void* instance = nullptr;
    genesis_host table{};
    strategy_state state = strategy_state::loaded;
    std::string reason;
    strategy_counters counters;
    std::string blob;
    bool has_blob = false;
    client_order_id last_placed; ///< the newest order it placed
    saved_view view;             ///< recorded with blob
    time_point next_timer;
    // Scratch for on_book, reused so that book updates do not allocate once warm.
    std::vector<genesis_level> bids;
    std::vector<genesis_level> asks;
};

// The genesis_host functions: ctx is the calling strategy's slot.
struct host::abi {
    static slot& of(void* ctx) noexcept { return *static_cast<slot*>(ctx); }

    static int place(void* ctx, const genesis_order_request* req, genesis_order_result* out) noexcept {
        slot& s = of(ctx);
        if (out)
            *out = genesis_order_result{};
        if (s.state != strategy_state::running)
            return refuse(out, GENESIS_NOT_RUNNING, "the strategy is not running");
        if (!req || !out)
            return GENESIS_INVALID;
        // Validate what crosses the ABI before it becomes an intent.
        auto sym = symbol::make(view(req->symbol));
        if (!sym || sym->empty())
            return refuse(out, GENESIS_INVALID, "bad symbol");
        if (req->side != GENESIS_BUY && req->side != GENESIS_SELL)
            return refuse(out, GENESIS_INVALID, "bad side");
        order_intent intent;
        intent.strategy_id = s.id;
        intent.sym = *sym;
        intent.order_side = req->side == GENESIS_BUY ? side::buy : side::sell;
        switch (req->type) {
        case GENESIS_LIMIT: intent.type = order_type::limit; break;
        case GENESIS_MARKET: intent.type = order_type::market; break;
        case GENESIS_LIMIT_MAKER: intent.type = order_type::limit_maker; break;
        default: return refuse(out, GENESIS_INVALID, "bad order type");
        }
        switch (req->time_in_force) {
        case GENESIS_GTC: intent.tif = time_in_force::gtc; break;
        case GENESIS_IOC: intent.tif = time_in_force::ioc; break;
        case GENESIS_FOK: intent.tif = time_in_force::fok; break;
        default: return refuse(out, GENESIS_INVALID, "bad time in force");
        }
        if (req->quantity <= 0)
            return refuse(out, GENESIS_INVALID, "quantity must be positive");
        intent.quantity = decimal::from_raw(req->quantity);
        if (has_limit_price(intent.type)) {
            if (req->price <= 0)
                return refuse(out, GENESIS_INVALID, "price must be positive");
            intent.price = decimal::from_raw(req->price);
        }
        host& h = *s.owner;
        intent.created = h.services_.now();
        place_outcome r = h.services_.place(s.id, intent);
        if (!r.accepted) {
            ++s.counters.rejections;
            return refuse(out, GENESIS_REJECTED, r.reason.empty() ? std::string_view{"rejected"} : r.reason);
        }
        ++s.counters.orders_placed;
        h.owners_[r.client_id] = s.id;
        s.last_placed = r.client_id;
        out->client_order_id_size = copy_text(out->client_order_id, sizeof out->client_order_id, r.client_id.view());
        return GENESIS_OK;
    }

    // The order id if it names an order of this strategy.
    static std::optional<client_order_id> owned(const slot& s, genesis_str id) noexcept {
        auto cid = client_order_id::make(view(id));
        if (!cid)
            return std::nullopt;
        auto it = s.owner->owners_.find(*cid);
        if (it == s.owner->owners_.end() || it->second != s.id)
            return std::nullopt;
        return *cid;
    }

    static int cancel(void* ctx, genesis_str id, genesis_order_result* out) noexcept {
        slot& s = of(ctx);
        if (out)
            *out = genesis_order_result{};
        if (s.state != strategy_state::running)
            return refuse(out, GENESIS_NOT_RUNNING, "the strategy is not running");
        auto cid = owned(s, id);
        if (!cid)
            return refuse(out, GENESIS_NOT_FOUND, "not an open order of this strategy");
        cancel_outcome r = s.owner->services_.cancel(s.id, *cid);
        if (!r.accepted)
            return refuse(out, GENESIS_REJECTED, r.reason.empty() ? std::string_view{"rejected"} : r.reason);
        if (out)
            out->client_order_id_size = copy_text(out->client_order_id, sizeof out->client_order_id, cid->view());
        return GENESIS_OK;
    }

    static int query(void* ctx, genesis_str id, genesis_order_info* out) noexcept {
        slot& s = of(ctx);
        auto cid = owned(s, id);
        if (!cid || !out)
            return GENESIS_NOT_FOUND;
        auto info = s.owner->services_.query(*cid);
        if (!info)
            return GENESIS_NOT_FOUND;
        out->side = info->order_side == side::buy ? GENESIS_BUY : GENESIS_SELL;
        out->type = static_cast<int>(info->type);
        out->status = static_cast<int>(info->status);
        out->price = info->price.raw();
        out->quantity = info->quantity.raw();
        out->cumulative_quantity = info->cumulative_quantity.raw();
        return GENESIS_OK;
    }

    static int position(void* ctx, genesis_str sym, genesis_position* out) noexcept {
        auto name = symbol::make(view(sym));
        if (!name || !out)
            return GENESIS_INVALID;
        auto p = of(ctx).owner->services_.position(*name);
        if (!p)
            return GENESIS_NOT_FOUND;
        *out = {p->quantity.raw(), p->average_price.raw(), p->realized_pnl.raw()};
        return GENESIS_OK;
    }

    static int balance(void* ctx, genesis_str name, genesis_balance* out) noexcept {
        auto a = asset::make(view(name));
        if (!a || !out)
            return GENESIS_INVALID;
        auto b = of(ctx).owner->services_.balance_of(*a);
        if (!b)
            return GENESIS_NOT_FOUND;
        *out = {b->free.raw(), b->locked.raw()};
        return GENESIS_OK;
    }

    static void log(void* ctx, int level, genesis_str message) noexcept {
        slot& s = of(ctx);
        const int l = std::clamp(level, static_cast<int>(GENESIS_LOG_TRACE), static_cast<int>(GENESIS_LOG_ERROR));
        s.owner->services_.log(s.spec.name, static_cast<strategy_log_level>(l), view(message));
    }

    static int save_state(void* ctx, const void* data, std::size_t size) noexcept {
        slot& s = of(ctx);
        if (size > 0 && !data)
            return GENESIS_INVALID;
        s.blob.assign(static_cast<const char*>(data), size);
        s.has_blob = true;
        s.view.open.clear();
        for (const auto& [id, owner] : s.owner->owners_)
            if (owner == s.id)
                s.view.open.push_back(id);
        std::sort(s.view.open.begin(), s.view.open.end());
        s.view.last_placed = s.last_placed;
        return GENESIS_OK;
    }

    static std::int64_t now(void* ctx) noexcept { return of(ctx).owner->services_.now().ns; }
};

host::host(services& svc, log::logger_ptr logger) : services_(svc), log_(std::move(logger)) {}

host::~host() {
    for (auto& s : slots_)
        close(*s);
}

host::slot* host::find(std::string_view name) noexcept {
    for (auto& s : slots_)
        if (s->spec.name == name)
            return s.get();
    return nullptr;
}

host::slot* host::find(std::uint32_t id) noexcept {
    for (auto& s : slots_)
        if (s->id == id)
            return s.get();
    return nullptr;
}

std::uint32_t host::id_for(std::string_view name) noexcept {
    std::uint32_t h = 2166136261u;
    for (const char c : name) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h == 0 ? 1 : h;
}

std::optional<std::uint32_t> host::id_of(std::string_view name) const noexcept {
    for (const auto& s : slots_)
        if (s->spec.name == name)
            return s->id;
    return std::nullopt;
}

template <class F>
bool host::invoke(slot& s, const char* what, F&& f) {
    if (!s.instance || !s.api)
        return false;
    genesis_error err{};
    ++s.counters.callbacks;
    ++depth_;
    int rc = GENESIS_OK;
    std::string threw;
    // The host's own safety net: a strategy that fills the raw table may let an exception out.
    try {
        rc = f(err);
    } catch (...) {
        threw = thrown(what);
    }
    --depth_;
    if (!threw.empty()) {
        disable(s, std::move(threw));
        return false;
    }
    if (rc == GENESIS_OK)
        return true;
    disable(s, std::string(what) + " failed: " + error_text(err, rc));
    return false;
}

void host::disable(slot& s, std::string reason) {
    ++s.counters.errors;
    if (s.state == strategy_state::disabled)
        return;
    retire(s, std::move(reason), true);
}

void host::retire(slot& s, std::string reason, bool cancel_orders) {
    s.state = strategy_state::disabled;
    s.reason = std::move(reason);
    if (log_)
        log_->error("strategy {} (id {}) disabled: {}", s.spec.name, s.id, s.reason);
    // A failed strategy must not leave orders working that nobody follows.
    if (cancel_orders)
        services_.cancel_all(s.id);
}

result<void> host::fail_load(slot& s, plugins_errc code, std::string message) {
    last_error_ = std::move(message);
    ++s.counters.errors;
    if (log_)
        log_->error("strategy {}: {}", s.spec.name, last_error_);
    return make_error_code(code);
}

result<void> host::open(slot& s) {
    const std::string file = s.spec.path.string();
    // RTLD_NOW: unresolved symbols fail here, not at the first callback; LOCAL: no symbol leaks.
    s.lib = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!s.lib) {
        const char* e = ::dlerror();
        return fail_load(s, plugins_errc::open_failed, "cannot open " + file + ": " + (e ? e : "unknown error"));
    }
    auto entry = reinterpret_cast<genesis_strategy_entry_fn>(::dlsym(s.lib, GENESIS_STRATEGY_ENTRY_NAME));
    // An exception is dealt with once it is gone (after its catch block): its type and what() may
    // live in the file that close() unmaps.
    const genesis_strategy* api = nullptr;
    std::string threw;
    try {
        api = entry ? entry() : nullptr;
    } catch (...) {
        threw = thrown(GENESIS_STRATEGY_ENTRY_NAME);
    }
    if (!threw.empty()) {
        close(s);
        return fail_load(s, plugins_errc::no_entry, file + ": " + threw);
    }
    if (!api) {
        close(s);
        return fail_load(s, plugins_errc::no_entry,
                         file + ": no entry symbol " GENESIS_STRATEGY_ENTRY_NAME " (or it returned no table)");
    }
    if (api->abi_version != GENESIS_STRATEGY_ABI_VERSION) {
        const auto found = api->abi_version;
        close(s);
        return fail_load(s, plugins_errc::abi_mismatch,
                         file + ": strategy ABI version " + std::to_string(found) + ", expected " +
                             std::to_string(GENESIS_STRATEGY_ABI_VERSION));
    }
    // create and destroy are required; every other callback may be NULL ("nothing to do").
    if (!api->create || !api->destroy) {
        const char* missing = api->create ? "destroy" : "create"; // read before the table is unmapped
        close(s);
        return fail_load(s, plugins_errc::missing_callback,
                         file + ": the strategy table has no " + missing +
                             " callback (create and destroy are required)");
    }
    s.api = api;
    s.table = genesis_host{GENESIS_STRATEGY_ABI_VERSION,
                           &s,
                           &abi::place,
                           &abi::cancel,
                           &abi::query,
                           &abi::position,
                           &abi::balance,
                           &abi::log,
                           &abi::save_state,
                           &abi::now};
    std::vector<genesis_param> params;
    params.reserve(s.spec.params.size());
    for (const auto& [k, v] : s.spec.params)
        params.push_back({str(k), str(v)});
    genesis_error err{};
    void* instance = nullptr;
    ++s.counters.callbacks;
    int rc = GENESIS_OK;
    try {
        rc = api->create(&s.table, params.data(), params.size(), &instance, &err);
    } catch (...) {
        threw = thrown("create");
    }
    if (!threw.empty()) {
        close(s);
        return fail_load(s, plugins_errc::create_failed, file + ": " + threw);
    }
    if (rc != GENESIS_OK || !instance) {
        close(s);
        return fail_load(s, plugins_errc::create_failed, file + ": create failed: " + error_text(err, rc));
    }
    s.instance = instance;
    if (s.has_blob && api->restore_state) {
        err = genesis_error{};
        ++s.counters.callbacks;
        int r2 = GENESIS_OK;
        try {
            r2 = api->restore_state(instance, s.blob.data(), s.blob.size(), &err);
        } catch (...) {
            threw = thrown("restore_state");
        }
        if (!threw.empty()) {
            close(s);
            return fail_load(s, plugins_errc::create_failed, file + ": " + threw);
        }
        if (r2 != GENESIS_OK) {
            close(s);
            return fail_load(s, plugins_errc::create_failed, file + ": restore_state failed: " + error_text(err, r2));
        }
    }
    s.state = strategy_state::loaded;
    s.reason.clear();
    if (log_)
        log_->info("strategy {} (id {}) loaded from {} ({})", s.spec.name, s.id, file, api->name ? api->name : "");
    return {};
}

void host::close(slot& s) noexcept {
    // destroy "never fails"; one that throws anyway must not terminate the gateway.
    if (s.instance && s.api) {
        try {
            s.api->destroy(s.instance);
        } catch (...) {
            if (log_)
                log_->error("strategy {} (id {}): {}", s.spec.name, s.id, thrown("destroy"));
        }
    }
    s.instance = nullptr;
    s.api = nullptr;
    if (s.lib)
        ::dlclose(s.lib);
    s.lib = nullptr;
}

result<void> host::load(const strategy_spec& spec, std::string_view saved_state, saved_view view) {
    if (find(spec.name)) {
        last_error_ = "a strategy named " + spec.name + " is loaded already";
        return make_error_code(plugins_errc::duplicate_name);
    }
    const auto id = id_for(spec.name);
    if (const slot* other = find(id)) {
        last_error_ = "strategies " + other->spec.name + " and " + spec.name + " have the same id " +
                      std::to_string(id) + " (a hash of the name): rename one";
        return make_error_code(plugins_errc::id_collision);
    }
    auto s = std::make_unique<slot>();
    s->owner = this;
    s->id = id;
    s->spec = spec;
    s->last_placed = view.last_placed;
    s->view = std::move(view);
    if (!saved_state.empty()) {
        s->blob.assign(saved_state);
        s->has_blob = true;
    }
    // The slot's address is the ABI ctx: it must not move, hence unique_ptr.
    if (auto r = open(*s); !r)
        return r;
    slots_.push_back(std::move(s));
    return {};
}

bool host::adopt(const client_order_id& id, std::uint32_t strategy_id) {
    if (strategy_id == 0 || !find(strategy_id))
        return false;
    owners_[id] = strategy_id;
    return true;
}

void host::start_all() {
    for (auto& s : slots_) {
        if (s->state != strategy_state::loaded || !s->instance)
            continue;
        s->state = strategy_state::running;
        s->next_timer = services_.now() + s->spec.timer_interval;
        if (s->api->start)
            invoke(*s, "start", [&](genesis_error& e) { return s->api->start(s->instance, &e); });
    }
    drain();
}

void host::on_book(const symbol& sym, std::span<const book_level> bids, std::span<const book_level> asks, bool valid,
                   nanos age) {
    const std::int64_t now = services_.now().ns;
    for (auto& s : slots_) {
        if (s->state != strategy_state::running || !s->api->on_book || !subscribed(s->spec, sym))
            continue;
        // Each strategy sees at most its configured depth.
        s->bids.clear();
        s->asks.clear();
        for (std::size_t i = 0; i < bids.size() && i < s->spec.book_depth; ++i)
            s->bids.push_back({bids[i].price.raw(), bids[i].quantity.raw()});
        for (std::size_t i = 0; i < asks.size() && i < s->spec.book_depth; ++i)
            s->asks.push_back({asks[i].price.raw(), asks[i].quantity.raw()});
        const genesis_book b{str(sym.view()), s->bids.data(), s->bids.size(), s->asks.data(),
                             s->asks.size(),  valid ? 1 : 0,  age.count(),    now};
        invoke(*s, "on_book", [&](genesis_error& e) { return s->api->on_book(s->instance, &b, &e); });
    }
    drain();
}

void host::on_trade(const trade& t) {
    const genesis_trade g{str(t.sym.view()),        t.trade_id,     t.price.raw(), t.quantity.raw(),
                          t.buyer_is_maker ? 1 : 0, t.trade_time.ns};
    for (auto& s : slots_) {
        if (s->state == strategy_state::running && s->api->on_trade && subscribed(s->spec, t.sym))
            invoke(*s, "on_trade", [&](genesis_error& e) { return s->api->on_trade(s->instance, &g, &e); });
    }
    drain();
}

void host::on_execution(const execution_report& r) {
    // A report raised while a strategy runs (services answering synchronously) waits for it to return.
    if (depth_ > 0) {
        deferred_.emplace_back(r, std::nullopt);
        return;
    }
    deliver(r);
    drain();
}

void host::restate(const execution_report& r) {
    execution_report now = r;
    now.last_quantity = {};
    now.last_price = {};
    if (depth_ > 0)
        deferred_.emplace_back(std::move(now), GENESIS_EXEC_RESTATED);
    else
        deliver(now, GENESIS_EXEC_RESTATED);
    drain();
}

void host::drain() {
    while (depth_ == 0 && !deferred_.empty()) {
        auto [r, exec_type] = std::move(deferred_.front());
        deferred_.pop_front();
        deliver(r, exec_type);
    }
}

void host::deliver(const execution_report& r, std::optional<int> exec_type) {
    auto it = owners_.find(r.client_id);
    if (it == owners_.end() && !r.orig_client_id.empty())
        it = owners_.find(r.orig_client_id);
    if (it == owners_.end())
        return;
    const std::uint32_t id = it->second;
    if (is_final(r.status)) {
        // The order can change no more: forget it (both the order's and the cancel's id).
        owners_.erase(r.client_id);
        if (!r.orig_client_id.empty())
            owners_.erase(r.orig_client_id);
    }
    slot* found = find(id);
    if (!found)
        return;
    slot& s = *found;
    if (r.status == order_status::rejected)
        ++s.counters.rejections;
    if (s.state != strategy_state::running || !s.api->on_execution)
        return;
    const genesis_execution g{str(r.sym.view()),
                              str(r.client_id.view()),
                              str(r.orig_client_id.view()),
                              r.order_id,
                              r.order_side == side::buy ? GENESIS_BUY : GENESIS_SELL,
                              static_cast<int>(r.type),
                              static_cast<int>(r.status),
                              exec_type.value_or(static_cast<int>(r.exec_type)),
                              r.price.raw(),
                              r.quantity.raw(),
                              r.last_quantity.raw(),
                              r.last_price.raw(),
                              r.cumulative_quantity.raw(),
                              r.cumulative_quote.raw(),
                              r.commission.raw(),
                              str(r.commission_asset.view()),
                              str(r.reject_reason),
                              r.event_time.ns};
    invoke(s, "on_execution", [&](genesis_error& e) { return s.api->on_execution(s.instance, &g, &e); });
}

void host::on_timer(time_point now) {
    for (auto& s : slots_) {
        if (s->state != strategy_state::running || !s->api->on_timer || s->spec.timer_interval.count() <= 0 ||
            now < s->next_timer)
            continue;
        // Keep the cadence; after a long gap fire once and resume from now.
        s->next_timer = s->next_timer + s->spec.timer_interval;
        if (s->next_timer <= now)
            s->next_timer = now + s->spec.timer_interval;
        invoke(*s, "on_timer", [&](genesis_error& e) { return s->api->on_timer(s->instance, now.ns, &e); });
    }
    drain();
}

result<void> host::reload(std::string_view name, std::optional<std::filesystem::path> new_path) {
    slot* s = find(name);
    if (!s) {
        last_error_ = "no strategy named " + std::string(name);
        return make_error_code(plugins_errc::unknown_strategy);
    }
    // Stop it and take its state; a disabled strategy is not called again, its last blob is kept.
    if (s->state == strategy_state::running) {
        if (s->api->stop)
            invoke(*s, "stop", [&](genesis_error& e) { return s->api->stop(s->instance, &e); });
        if (s->instance && s->state == strategy_state::running && s->api->save_state)
            invoke(*s, "save_state", [&](genesis_error& e) { return s->api->save_state(s->instance, &e); });
    }
    // Reports the cancels raise synchronously wait for the new instance (its state has them not).
    ++depth_;
    if (s->spec.cancel_on_reload)
        services_.cancel_all(s->id);
    --depth_;
    close(*s);
    if (new_path)
        s->spec.path = *new_path;
    if (auto r = open(*s); !r) {
        // Disabled like a failed strategy: its orders are canceled (unless that was just done),
        // since no instance follows them any more.
        retire(*s, last_error_, !s->spec.cancel_on_reload);
        drain();
        return r;
    }
    s->state = strategy_state::running;
    s->next_timer = services_.now() + s->spec.timer_interval;
    const bool started =
        !s->api->start || invoke(*s, "start", [&](genesis_error& e) { return s->api->start(s->instance, &e); });
    drain();
    if (!started) {
        last_error_ = s->reason;
        return make_error_code(plugins_errc::start_failed);
    }
    if (log_)
        log_->info("strategy {} (id {}) reloaded from {}", s->spec.name, s->id, s->spec.path.string());
    return {};
}

void host::stop_all() {
    for (auto& s : slots_) {
        if (s->state == strategy_state::running) {
            if (s->api->stop)
                invoke(*s, "stop", [&](genesis_error& e) { return s->api->stop(s->instance, &e); });
            if (s->state == strategy_state::running && s->api->save_state)
                invoke(*s, "save_state", [&](genesis_error& e) { return s->api->save_state(s->instance, &e); });
            if (s->state == strategy_state::running)
                s->state = strategy_state::stopped;
        } else if (s->state == strategy_state::loaded) {
            s->state = strategy_state::stopped;
        }
        close(*s);
    }
    deferred_.clear();
}

std::optional<saved_view> host::view_of(std::string_view name) const {
    for (const auto& s : slots_)
        if (s->spec.name == name && s->has_blob)
            return s->view;
    return std::nullopt;
}

std::optional<saved_view> host::view_of(std::uint32_t strategy_id) const {
    for (const auto& s : slots_)
        if (s->id == strategy_id && s->has_blob)
            return s->view;
    return std::nullopt;
}

client_order_id host::last_placed_of(std::uint32_t strategy_id) const {
    for (const auto& s : slots_)
        if (s->id == strategy_id)
            return s->last_placed;
    return {};
}

void host::mark_placed(std::uint32_t strategy_id, const client_order_id& id) {
    if (slot* s = find(strategy_id))
        s->last_placed = id;
}

std::vector<std::pair<std::string, std::string>> host::states() {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& s : slots_) {
        if (s->state == strategy_state::running && s->api->save_state)
            invoke(*s, "save_state", [&](genesis_error& e) { return s->api->save_state(s->instance, &e); });
        if (s->has_blob)
            out.emplace_back(s->spec.name, s->blob);
    }
    drain();
    return out;
}

std::vector<strategy_status> host::status() const {
    std::vector<strategy_status> out;
    out.reserve(slots_.size());
    for (const auto& s : slots_)
        out.push_back({s->id, s->spec.name, s->spec.path, s->state, s->reason, s->counters});
    return out;
}

} // namespace genesis::gateway::plugins
