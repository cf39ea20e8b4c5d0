// User data events: executionReport, outboundAccountPosition, balanceUpdate, eventStreamTerminated.
#include "decoders.hpp"

namespace genesis::binance::detail {

namespace {

template <class T>
binance_errc get_opt_decimal(od::value& v, std::optional<T>& out) noexcept {
    decimal d;
    GENESIS_BN_TRY(get_decimal(v, d));
    out = d;
    return binance_errc::ok;
}

binance_errc get_opt_i64(od::value& v, std::optional<std::int64_t>& out) noexcept {
    std::int64_t x = 0;
    GENESIS_BN_TRY(get_i64(v, x));
    out = x;
    return binance_errc::ok;
}

binance_errc get_reason(od::value& v, std::string& out) noexcept {
    std::string_view s;
    GENESIS_BN_TRY(get_string(v, s));
    // Assigning keeps the capacity: "NONE" and most reasons never allocate once warm.
    out.assign(s);
    return binance_errc::ok;
}

/// One-letter executionReport fields.
binance_errc exec_field1(char k, od::value& v, execution_report& r, execution_extra& x, std::uint64_t& seen) noexcept {
    switch (k) {
    case 'E': seen |= bit(0); return get_time_ms(v, r.event_time);
    case 's': seen |= bit(1); return get_fixed(v, r.sym);
    case 'c': seen |= bit(2); return get_fixed(v, r.client_id);
    case 'S': seen |= bit(3); return get_enum(v, r.order_side);
    case 'o': seen |= bit(4); return get_enum(v, r.type);
    case 'f': seen |= bit(5); return get_enum(v, r.tif);
    case 'q': seen |= bit(6); return get_decimal(v, r.quantity);
    case 'p': seen |= bit(7); return get_decimal(v, r.price);
    case 'P': return get_decimal(v, r.stop_price);
    case 'F': return get_decimal(v, x.iceberg_quantity);
    case 'g': return get_i64(v, x.order_list_id);
    case 'C': return get_fixed(v, r.orig_client_id);
    case 'x': seen |= bit(8); return get_enum(v, r.exec_type);
    case 'X': seen |= bit(9); return get_enum(v, r.status);
    case 'r': return get_reason(v, r.reject_reason);
    case 'i': seen |= bit(10); return get_u64(v, r.order_id);
    case 'l': seen |= bit(11); return get_decimal(v, r.last_quantity);
    case 'z': seen |= bit(12); return get_decimal(v, r.cumulative_quantity);
    case 'L': seen |= bit(13); return get_decimal(v, r.last_price);
    case 'n': return get_decimal(v, r.commission);
    case 'N': return get_fixed_or_null(v, r.commission_asset);
    case 'T': seen |= bit(14); return get_time_ms(v, r.transaction_time);
    case 't': {
        std::int64_t id = 0;
        GENESIS_BN_TRY(get_id(v, id));
        if (id >= 0)
            r.trade_id = static_cast<std::uint64_t>(id);
        return binance_errc::ok;
    }
    case 'v': return get_i64(v, x.prevented_match_id);
    case 'w': return get_bool(v, r.is_working);
    case 'm': return get_bool(v, r.is_maker);
    case 'O': return get_time_ms(v, r.order_creation_time);
    case 'Z': return get_decimal(v, r.cumulative_quote);
    case 'Y': return get_decimal(v, x.last_quote_quantity);
    case 'Q': return get_decimal(v, r.quote_order_qty);
    case 'W': return get_time_ms(v, r.working_time);
    case 'V': return get_fixed(v, x.self_trade_prevention);
    case 'd': return get_opt_i64(v, x.trailing_delta);
    case 'D': return get_opt_i64(v, x.trailing_time);
    case 'j': return get_opt_i64(v, x.strategy_id);
    case 'J': return get_opt_i64(v, x.strategy_type);
    case 'A': return get_opt_decimal(v, x.prevented_quantity);
    case 'B': return get_opt_decimal(v, x.last_prevented_quantity);
    case 'u': return get_opt_i64(v, x.trade_group_id);
    case 'U': return get_opt_i64(v, x.counter_order_id);
    case 'a': return get_opt_i64(v, x.allocation_id);
    case 'b': return get_fixed(v, x.match_type);
    case 'k': return get_fixed(v, x.working_floor);
    default: return binance_errc::ok; // e (read by the dispatcher), I and M ("ignore")
    }
}

binance_errc decode_execution_report(od::object& obj, execution_report& r, execution_extra& x) noexcept {
    // Fields absent from this message must not keep the previous message's values.
    r.trade_id.reset();
    r.stop_price = r.quote_order_qty = r.commission = r.cumulative_quote = decimal{};
    r.orig_client_id = {};
    r.commission_asset = {};
    r.reject_reason.clear();
    r.is_maker = r.is_working = false;
    r.order_creation_time = r.working_time = time_point{};
    x = execution_extra{};
    r.venue = venue_name;
    std::uint64_t seen = 0;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k.size() == 1)
            return exec_field1(k[0], v, r, x, seen);
        if (k == "Cs")
            return get_fixed(v, x.counter_symbol);
        if (k == "uS")
            return get_bool(v, x.used_sor);
        if (k == "pl")
            return get_opt_decimal(v, x.prevented_execution_quantity);
        if (k == "pL")
            return get_opt_decimal(v, x.prevented_execution_price);
        if (k == "pY")
            return get_opt_decimal(v, x.prevented_execution_quote_quantity);
        if (k == "gP")
            return get_fixed(v, x.peg_price_type);
        if (k == "gOT")
            return get_fixed(v, x.peg_offset_type);
        if (k == "gOV")
            return get_opt_i64(v, x.peg_offset_value);
        if (k == "gp")
            return get_opt_decimal(v, x.pegged_price);
        return binance_errc::ok;
    }));
    constexpr std::uint64_t required = (bit(15) - 1);
    return (seen & required) == required ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_balances(od::value& v, std::vector<balance>& out) noexcept {
    out.clear();
    od::array arr;
    GENESIS_BN_TRY(check(v.get_array().get(arr)));
    for (auto item : arr) {
        od::object o;
        GENESIS_BN_TRY(check(item.get_object().get(o)));
        balance b;
        std::uint64_t seen = 0;
        GENESIS_BN_TRY(for_each_field(o, [&](std::string_view k, od::value& bv) -> binance_errc {
            if (k == "a") {
                seen |= bit(0);
                return get_fixed(bv, b.name);
            }
            if (k == "f") {
                seen |= bit(1);
                return get_decimal(bv, b.free);
            }
            if (k == "l") {
                seen |= bit(2);
                return get_decimal(bv, b.locked);
            }
            return binance_errc::ok;
        }));
        if (seen != (bit(0) | bit(1) | bit(2)))
            return binance_errc::missing_field;
        out.push_back(b);
    }
    return binance_errc::ok;
}

binance_errc decode_account_position(od::object& obj, account_update& out) noexcept {
    out.venue = venue_name;
    std::uint64_t seen = 0;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "E")
            return get_time_ms(v, out.event_time);
        if (k == "u") {
            seen |= bit(0);
            return get_time_ms(v, out.last_update_time);
        }
        if (k == "B") {
            seen |= bit(1);
            return decode_balances(v, out.balances);
        }
        return binance_errc::ok;
    }));
    return seen == (bit(0) | bit(1)) ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_balance_update(od::object& obj, balance_update& out) noexcept {
    out.venue = venue_name;
    std::uint64_t seen = 0;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "E")
            return get_time_ms(v, out.event_time);
        if (k == "a") {
            seen |= bit(0);
            return get_fixed(v, out.name);
        }
        if (k == "d") {
            seen |= bit(1);
            return get_decimal(v, out.delta);
        }
        if (k == "T")
            return get_time_ms(v, out.clear_time);
        return binance_errc::ok;
    }));
    return seen == (bit(0) | bit(1)) ? binance_errc::ok : binance_errc::missing_field;
}

} // namespace

binance_errc decode_user_event(od::object& obj, time_point receive_time, user_events& out,
                               user_event_kind& kind) noexcept {
    // The type comes first in every documented event; find_field_unordered also copes when it
    // does not, and reset() lets the full walk below see every field once.
    std::string_view type;
    {
        auto e = obj.find_field_unordered("e");
        if (e.error() == simdjson::NO_SUCH_FIELD)
            return binance_errc::missing_field;
        od::value v;
        GENESIS_BN_TRY(check(std::move(e).get(v)));
        GENESIS_BN_TRY(get_string(v, type));
    }
    bool at_start = false;
    GENESIS_BN_TRY(check(obj.reset().get(at_start)));
    if (type == "executionReport") {
        kind = user_event_kind::execution_report;
        out.execution.receive_time = receive_time;
        GENESIS_BN_TRY(decode_execution_report(obj, out.execution, out.extra));
        out.event_time = out.execution.event_time;
        return binance_errc::ok;
    }
    if (type == "outboundAccountPosition") {
        kind = user_event_kind::account_position;
        out.account.receive_time = receive_time;
        GENESIS_BN_TRY(decode_account_position(obj, out.account));
        out.event_time = out.account.event_time;
        return binance_errc::ok;
    }
    if (type == "balanceUpdate") {
        kind = user_event_kind::balance_update;
        out.balance.receive_time = receive_time;
        GENESIS_BN_TRY(decode_balance_update(obj, out.balance));
        out.event_time = out.balance.event_time;
        return binance_errc::ok;
    }
    kind = type == "eventStreamTerminated" ? user_event_kind::stream_terminated : user_event_kind::other;
    out.event_time = {};
    return for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        return k == "E" ? get_time_ms(v, out.event_time) : binance_errc::ok;
    });
}

} // namespace genesis::binance::detail
