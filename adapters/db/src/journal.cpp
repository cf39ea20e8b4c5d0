// Journal rows, client order id blocks and replay: engine members that run on the db thread.
#include "engine.hpp"

#include <algorithm>
#include <limits>

namespace genesis::db::detail {
namespace {

constexpr std::string_view insert_intent_sql =
    "INSERT INTO order_intents(seq, instance, client_id, strategy_id, venue, symbol, side, type, tif, price_raw, "
    "quantity_raw, quote_quantity_raw, stop_price_raw, created_ns) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr std::string_view insert_transition_sql =
    "INSERT INTO order_transitions(seq, venue, symbol, client_id, order_id, status, exec_type, cum_qty_raw, "
    "cum_quote_raw, last_qty_raw, last_price_raw, reason, time_ns) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)";
// A fill already journaled is ignored; changes() == 0 tells the caller it was a duplicate.
constexpr std::string_view insert_fill_sql =
    "INSERT INTO fills(seq, venue, symbol, trade_id, client_id, order_id, side, price_raw, quantity_raw, "
    "commission_raw, commission_asset, is_maker, time_ns) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(venue, symbol, trade_id) DO NOTHING";
constexpr std::string_view insert_balance_sql =
    "INSERT INTO balances(seq, venue, asset, free_raw, locked_raw, time_ns) VALUES(?,?,?,?,?,?)";
constexpr std::string_view select_block_sql = "SELECT next FROM client_id_blocks WHERE instance = ?";
constexpr std::string_view upsert_block_sql = "INSERT INTO client_id_blocks(instance, next) VALUES(?, ?) ON "
                                              "CONFLICT(instance) DO UPDATE SET next = excluded.next";
// A secondary's copy of the counter only ever moves forward.
constexpr std::string_view mirror_block_sql =
    "INSERT INTO client_id_blocks(instance, next) VALUES(?, ?) ON CONFLICT(instance) DO UPDATE SET next = "
    "MAX(next, excluded.next)";
constexpr std::string_view replay_intents_sql =
    "SELECT seq, instance, client_id, strategy_id, venue, symbol, side, type, tif, price_raw, quantity_raw, "
    "quote_quantity_raw, stop_price_raw, created_ns FROM order_intents WHERE seq > ? ORDER BY seq";
constexpr std::string_view replay_transitions_sql =
    "SELECT seq, venue, symbol, client_id, order_id, status, exec_type, cum_qty_raw, cum_quote_raw, last_qty_raw, "
    "last_price_raw, reason, time_ns FROM order_transitions WHERE seq > ? ORDER BY seq";
constexpr std::string_view replay_fills_sql =
    "SELECT seq, venue, symbol, trade_id, client_id, order_id, side, price_raw, quantity_raw, commission_raw, "
    "commission_asset, is_maker, time_ns FROM fills WHERE seq > ? ORDER BY seq";
constexpr std::string_view replay_balances_sql =
    "SELECT seq, venue, asset, free_raw, locked_raw, time_ns FROM balances WHERE seq > ? ORDER BY seq";

void bind_opt(stmt& s, int i, const std::optional<decimal>& d) {
    if (d)
        s.bind(i, d->raw());
    else
        s.bind_null(i);
}

std::optional<decimal> opt_decimal(const stmt& s, int col) {
    if (s.is_null(col))
        return std::nullopt;
    return decimal::from_raw(s.int64(col));
}

// Decoding of stored text into the inline strings and enums; a bad value makes the row bad_row.
struct decoder {
    const stmt& s;
    bool ok = true;

    template <std::size_t N>
    fixed_string<N> str(int col) {
        auto v = fixed_string<N>::make(s.text(col));
        if (!v) {
            ok = false;
            return {};
        }
        return *v;
    }
    template <class E>
    E enumeration(int col) {
        auto v = parse_enum<E>(s.text(col));
        if (!v) {
            ok = false;
            return E{};
        }
        return *v;
    }
    decimal dec(int col) const { return decimal::from_raw(s.int64(col)); }
    time_point time(int col) const { return {s.int64(col)}; }
};

} // namespace

result<std::uint64_t> engine::insert_intent(std::string_view instance, const order_intent& in) {
    if (instance.empty())
        return make_error_code(db_errc::invalid_argument);
    std::string why;
    auto p = primary().prepare(insert_intent_sql, why);
    if (!p)
        return p.error();
    stmt s(*p);
    const std::uint64_t seq = next_seq_;
    s.bind(1, seq);
    s.bind(2, instance);
    s.bind(3, in.client_id.view());
    s.bind(4, static_cast<std::int64_t>(in.strategy_id));
    s.bind(5, in.venue.view());
    s.bind(6, in.sym.view());
    s.bind(7, to_string(in.order_side));
    s.bind(8, to_string(in.type));
    s.bind(9, to_string(in.tif));
    bind_opt(s, 10, in.price);
    bind_opt(s, 11, in.quantity);
    bind_opt(s, 12, in.quote_quantity);
    bind_opt(s, 13, in.stop_price);
    s.bind(14, in.created.ns);
    if (const int rc = s.step(); rc != SQLITE_DONE)
        return make_error_code(errc_from_sqlite(rc));
    ++next_seq_;
    last_seq_.store(seq, std::memory_order_relaxed);
    journal_rows_.fetch_add(1, std::memory_order_relaxed);
    return seq;
}

result<std::uint64_t> engine::insert_transition(const order_transition& t) {
    std::string why;
    auto p = primary().prepare(insert_transition_sql, why);
    if (!p)
        return p.error();
    stmt s(*p);
    const std::uint64_t seq = next_seq_;
    s.bind(1, seq);
    s.bind(2, t.venue.view());
    s.bind(3, t.sym.view());
    s.bind(4, t.client_id.view());
    s.bind(5, t.order_id);
    s.bind(6, to_string(t.status));
    s.bind(7, to_string(t.exec_type));
    s.bind(8, t.cumulative_quantity.raw());
    s.bind(9, t.cumulative_quote.raw());
    s.bind(10, t.last_quantity.raw());
    s.bind(11, t.last_price.raw());
    s.bind(12, std::string_view(t.reason));
    s.bind(13, t.time.ns);
    if (const int rc = s.step(); rc != SQLITE_DONE)
        return make_error_code(errc_from_sqlite(rc));
    ++next_seq_;
    last_seq_.store(seq, std::memory_order_relaxed);
    journal_rows_.fetch_add(1, std::memory_order_relaxed);
    return seq;
}

result<fill_outcome> engine::insert_fill(const fill_record& f) {
    std::string why;
    auto p = primary().prepare(insert_fill_sql, why);
    if (!p)
        return p.error();
    stmt s(*p);
    const std::uint64_t seq = next_seq_;
    s.bind(1, seq);
    s.bind(2, f.venue.view());
    s.bind(3, f.sym.view());
    s.bind(4, f.trade_id);
    s.bind(5, f.client_id.view());
    s.bind(6, f.order_id);
    s.bind(7, to_string(f.order_side));
    s.bind(8, f.price.raw());
    s.bind(9, f.quantity.raw());
    s.bind(10, f.commission.raw());
    s.bind(11, f.commission_asset.view());
    s.bind(12, std::int64_t{f.is_maker ? 1 : 0});
    s.bind(13, f.time.ns);
    if (const int rc = s.step(); rc != SQLITE_DONE)
        return make_error_code(errc_from_sqlite(rc));
    if (sqlite3_changes(primary().get()) == 0) {
        duplicates_.fetch_add(1, std::memory_order_relaxed);
        return fill_outcome{0, true};
    }
    ++next_seq_;
    last_seq_.store(seq, std::memory_order_relaxed);
    journal_rows_.fetch_add(1, std::memory_order_relaxed);
    return fill_outcome{seq, false};
}

result<std::uint64_t> engine::insert_balance(const venue_id& venue, const balance& b, time_point time) {
    std::string why;
    auto p = primary().prepare(insert_balance_sql, why);
    if (!p)
        return p.error();
    stmt s(*p);
    const std::uint64_t seq = next_seq_;
    s.bind(1, seq);
    s.bind(2, venue.view());
    s.bind(3, b.name.view());
    s.bind(4, b.free.raw());
    s.bind(5, b.locked.raw());
    s.bind(6, time.ns);
    if (const int rc = s.step(); rc != SQLITE_DONE)
        return make_error_code(errc_from_sqlite(rc));
    ++next_seq_;
    last_seq_.store(seq, std::memory_order_relaxed);
    journal_rows_.fetch_add(1, std::memory_order_relaxed);
    return seq;
}

result<id_block> engine::reserve(std::string_view instance, std::uint64_t size) {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (instance.empty() || size == 0 || size > max)
        return make_error_code(db_errc::invalid_argument);
    auto& c = primary();
    std::string why;
    // The reservation must survive power loss even in NORMAL mode: this one commit is FULL.
    const bool lowered = cfg_.sync == durability::normal;
    if (lowered)
        (void)c.exec("PRAGMA synchronous=FULL", why);
    auto restore_sync = [&] {
        if (lowered)
            (void)c.exec("PRAGMA synchronous=NORMAL", why);
    };
    auto fail = [&](error_code ec, std::string_view what) -> result<id_block> {
        note_failure(ec, std::string(what) + ": " + c.message());
        if (!sqlite3_get_autocommit(c.get()))
            (void)c.exec("ROLLBACK", why);
        restore_sync();
        return ec;
    };
    if (auto ec = c.exec("BEGIN IMMEDIATE", why))
        return fail(ec, "reserve_block begin");
    std::uint64_t first = 1;
    {
        auto p = c.prepare(select_block_sql, why);
        if (!p)
            return fail(p.error(), "reserve_block");
        stmt s(*p);
        s.bind(1, instance);
        const int rc = s.step();
        if (rc == SQLITE_ROW)
            first = s.uint64(0);
        else if (rc != SQLITE_DONE)
            return fail(make_error_code(errc_from_sqlite(rc)), "reserve_block read");
    }
    // Counters also continue after what any secondary recorded: a primary that replaced a damaged
    // one (moved aside by the operator) starts empty, and must not hand out an id a second time.
    for (std::size_t i = 1; i < replicas_.size(); ++i) {
        auto& r = replicas_[i];
        if (r.degraded || !r.conn)
            continue;
        std::string rwhy;
        auto p = r.conn.prepare(select_block_sql, rwhy);
        if (!p)
            continue;
        stmt s(*p);
        s.bind(1, instance);
        if (s.step() == SQLITE_ROW)
            first = std::max(first, s.uint64(0));
    }
    if (size > max - first)
        return fail(make_error_code(db_errc::overflow), "reserve_block");
    // The secondaries record the block before the primary commits it: a crash in between skips a
    // block, never reuses one. A secondary that fails is degraded (and re-seeded later).
    bool any_degraded = false;
    for (std::size_t i = 1; i < replicas_.size(); ++i) {
        auto& r = replicas_[i];
        if (r.degraded || !r.conn)
            continue;
        std::string rwhy;
        if (auto ec = mirror_block(r, instance, first + size, rwhy)) {
            mark_degraded(r, "id block: " + describe_error(ec, rwhy));
            any_degraded = true;
        }
    }
    if (any_degraded)
        publish_status();
    {
        auto p = c.prepare(upsert_block_sql, why);
        if (!p)
            return fail(p.error(), "reserve_block");
        stmt s(*p);
        s.bind(1, instance);
        s.bind(2, first + size);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return fail(make_error_code(errc_from_sqlite(rc)), "reserve_block write");
    }
    if (auto ec = c.exec("COMMIT", why))
        return fail(ec, "reserve_block commit");
    restore_sync();
    return id_block{first, first + size};
}

error_code engine::mirror_block(replica& r, std::string_view instance, std::uint64_t next, std::string& why) {
    if (auto ec = inject_fault(r.index)) {
        why = "injected fault";
        return ec;
    }
    auto& c = r.conn;
    // Like the primary's, this commit is FULL even in NORMAL mode.
    const bool lowered = cfg_.sync == durability::normal;
    std::string ignored;
    if (lowered)
        (void)c.exec("PRAGMA synchronous=FULL", ignored);
    auto done = [&](error_code ec) {
        if (ec && !sqlite3_get_autocommit(c.get()))
            (void)c.exec("ROLLBACK", ignored);
        if (lowered)
            (void)c.exec("PRAGMA synchronous=NORMAL", ignored);
        return ec;
    };
    if (auto ec = c.exec("BEGIN IMMEDIATE", why))
        return done(ec);
    {
        auto p = c.prepare(mirror_block_sql, why);
        if (!p)
            return done(p.error());
        stmt s(*p);
        s.bind(1, instance);
        s.bind(2, next);
        if (const int rc = s.step(); rc != SQLITE_DONE) {
            why = c.message();
            return done(make_error_code(errc_from_sqlite(rc)));
        }
    }
    return done(c.exec("COMMIT", why));
}

result<std::vector<journal_entry>> engine::replay(std::uint64_t after_seq) {
    std::vector<journal_entry> out;
    std::string why;
    auto each = [&](std::string_view sql, auto&& decode) -> error_code {
        auto p = primary().prepare(sql, why);
        if (!p)
            return p.error();
        stmt s(*p);
        s.bind(1, after_seq);
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            decoder d{s};
            auto e = decode(d);
            if (!d.ok)
                return make_error_code(db_errc::bad_row);
            out.emplace_back(std::move(e));
        }
        return rc == SQLITE_DONE ? error_code{} : make_error_code(errc_from_sqlite(rc));
    };
    auto ec = each(replay_intents_sql, [](decoder& d) {
        intent_row r;
        r.seq = d.s.uint64(0);
        r.instance = std::string(d.s.text(1));
        auto& in = r.intent;
        in.client_id = d.str<36>(2);
        in.strategy_id = static_cast<std::uint32_t>(d.s.int64(3));
        in.venue = d.str<16>(4);
        in.sym = d.str<24>(5);
        in.order_side = d.enumeration<side>(6);
        in.type = d.enumeration<order_type>(7);
        in.tif = d.enumeration<time_in_force>(8);
        in.price = opt_decimal(d.s, 9);
        in.quantity = opt_decimal(d.s, 10);
        in.quote_quantity = opt_decimal(d.s, 11);
        in.stop_price = opt_decimal(d.s, 12);
        in.created = d.time(13);
        return journal_entry{std::move(r)};
    });
    if (!ec)
        ec = each(replay_transitions_sql, [](decoder& d) {
            transition_row r;
            r.seq = d.s.uint64(0);
            auto& t = r.transition;
            t.venue = d.str<16>(1);
            t.sym = d.str<24>(2);
            t.client_id = d.str<36>(3);
            t.order_id = d.s.uint64(4);
            t.status = d.enumeration<order_status>(5);
            t.exec_type = d.enumeration<execution_type>(6);
            t.cumulative_quantity = d.dec(7);
            t.cumulative_quote = d.dec(8);
            t.last_quantity = d.dec(9);
            t.last_price = d.dec(10);
            t.reason = std::string(d.s.text(11));
            t.time = d.time(12);
            return journal_entry{std::move(r)};
        });
    if (!ec)
        ec = each(replay_fills_sql, [](decoder& d) {
            fill_row r;
            r.seq = d.s.uint64(0);
            auto& f = r.fill;
            f.venue = d.str<16>(1);
            f.sym = d.str<24>(2);
            f.trade_id = d.s.uint64(3);
            f.client_id = d.str<36>(4);
            f.order_id = d.s.uint64(5);
            f.order_side = d.enumeration<side>(6);
            f.price = d.dec(7);
            f.quantity = d.dec(8);
            f.commission = d.dec(9);
            f.commission_asset = d.str<16>(10);
            f.is_maker = d.s.int64(11) != 0;
            f.time = d.time(12);
            return journal_entry{std::move(r)};
        });
    if (!ec)
        ec = each(replay_balances_sql, [](decoder& d) {
            balance_row r;
            r.seq = d.s.uint64(0);
            r.venue = d.str<16>(1);
            r.value.name = d.str<16>(2);
            r.value.free = d.dec(3);
            r.value.locked = d.dec(4);
            r.time = d.time(5);
            return journal_entry{std::move(r)};
        });
    if (ec) {
        note_failure(ec, "replay: " + primary().message());
        return ec;
    }
    // One sequence across the four tables: merge them back into journal order.
    std::stable_sort(out.begin(), out.end(),
                     [](const journal_entry& a, const journal_entry& b) { return seq_of(a) < seq_of(b); });
    return out;
}

} // namespace genesis::db::detail
