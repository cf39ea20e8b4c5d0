#include "genesis/core/enums.hpp"

#include <array>
#include <utility>

namespace genesis {
namespace {

template <class E, std::size_t N>
using name_table = std::array<std::pair<E, std::string_view>, N>;

constexpr name_table<side, 2> side_names{{{side::buy, "BUY"}, {side::sell, "SELL"}}};

constexpr name_table<order_type, 7> order_type_names{{
    {order_type::limit, "LIMIT"},
    {order_type::market, "MARKET"},
    {order_type::limit_maker, "LIMIT_MAKER"},
    {order_type::stop_loss, "STOP_LOSS"},
    {order_type::stop_loss_limit, "STOP_LOSS_LIMIT"},
    {order_type::take_profit, "TAKE_PROFIT"},
    {order_type::take_profit_limit, "TAKE_PROFIT_LIMIT"},
}};

constexpr name_table<time_in_force, 3> tif_names{{
    {time_in_force::gtc, "GTC"},
    {time_in_force::ioc, "IOC"},
    {time_in_force::fok, "FOK"},
}};

constexpr name_table<order_status, 10> status_names{{
    {order_status::pending_new, "PENDING_NEW"},
    {order_status::new_, "NEW"},
    {order_status::partially_filled, "PARTIALLY_FILLED"},
    {order_status::filled, "FILLED"},
    {order_status::canceled, "CANCELED"},
    {order_status::pending_cancel, "PENDING_CANCEL"},
    {order_status::rejected, "REJECTED"},
    {order_status::expired, "EXPIRED"},
    {order_status::expired_in_match, "EXPIRED_IN_MATCH"},
    {order_status::unknown, "UNKNOWN"},
}};

constexpr name_table<execution_type, 8> exec_names{{
    {execution_type::new_, "NEW"},
    {execution_type::canceled, "CANCELED"},
    {execution_type::replaced, "REPLACED"},
    {execution_type::rejected, "REJECTED"},
    {execution_type::trade, "TRADE"},
    {execution_type::expired, "EXPIRED"},
    {execution_type::trade_prevention, "TRADE_PREVENTION"},
    {execution_type::amendment, "AMENDMENT"},
}};

template <class E, std::size_t N>
std::string_view name_of(const name_table<E, N>& t, E v) noexcept {
    for (const auto& [e, n] : t)
        if (e == v)
            return n;
    return "?";
}

template <class E, std::size_t N>
result<E> value_of(const name_table<E, N>& t, std::string_view s) noexcept {
    for (const auto& [e, n] : t)
        if (n == s)
            return e;
    return make_error_code(core_errc::unknown_enum);
}

} // namespace

std::string_view to_string(side v) noexcept { return name_of(side_names, v); }
std::string_view to_string(order_type v) noexcept { return name_of(order_type_names, v); }
std::string_view to_string(time_in_force v) noexcept { return name_of(tif_names, v); }
std::string_view to_string(order_status v) noexcept { return name_of(status_names, v); }
std::string_view to_string(execution_type v) noexcept { return name_of(exec_names, v); }

template <>
result<side> parse_enum<side>(std::string_view s) noexcept {
    return value_of(side_names, s);
}
template <>
result<order_type> parse_enum<order_type>(std::string_view s) noexcept {
    return value_of(order_type_names, s);
}
template <>
result<time_in_force> parse_enum<time_in_force>(std::string_view s) noexcept {
    return value_of(tif_names, s);
}
template <>
result<order_status> parse_enum<order_status>(std::string_view s) noexcept {
    return value_of(status_names, s);
}
template <>
result<execution_type> parse_enum<execution_type>(std::string_view s) noexcept {
    return value_of(exec_names, s);
}

} // namespace genesis
