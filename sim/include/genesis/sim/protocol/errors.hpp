// Errors of the sim's protocol layer: Binance's {"code","msg"} with the parameter names filled in
// ("Mandatory parameter 'price' was not sent, ..."), which a fixed sim_errc cannot carry.
#pragma once

#include "genesis/sim/sim_errors.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string_view>

namespace genesis::sim {

/// Lets result<T, binance_error>::value() compile: throws std::runtime_error(msg). Check
/// has_error() instead; no exception should ever reach the event loop.
[[noreturn]] void throw_exception_from_error(const binance_error& e, const boost::source_location& loc);

} // namespace genesis::sim

namespace genesis::sim::protocol {

/// A value or a Binance error ready to render. binance_error is an aggregate, so an arithmetic
/// value is ambiguous with it: return those as proto_result<T>(boost::system::in_place_value, v).
template <class T>
using proto_result = boost::system::result<T, binance_error>;

/// The error of a sim_errc, exactly as the engine words it.
binance_error make_error(sim_errc e);

/// -1100 "Illegal characters found in parameter '<name>'; legal range is '<range>'."
binance_error illegal_chars(std::string_view name, std::string_view legal_range);
/// -1101 "Duplicate values for a parameter detected."
binance_error duplicate_parameter();
/// -1102 "Mandatory parameter '<name>' was not sent, was empty/null, or malformed."
binance_error mandatory_missing(std::string_view name);
/// -1102 "Param '<a>' or '<b>' must be sent, but both were empty/null!"
binance_error either_missing(std::string_view a, std::string_view b);
/// -1104 "Not all sent parameters were read; read '<read>' parameter(s) but was sent '<sent>'."
binance_error unread_parameters(std::size_t read, std::size_t sent);
/// -1106 "Parameter '<name>' sent when not required."
binance_error not_required(std::string_view name);
/// -1108 "Parameter '<name>' overflowed."
binance_error overflowed(std::string_view name);
/// -1111 "Parameter '<name>' has too much precision."
binance_error too_much_precision(std::string_view name);
/// -1021 "Timestamp for this request is outside of the recvWindow."
binance_error outside_recv_window();
/// -1021 "Timestamp for this request was 1000ms ahead of the server's time."
binance_error ahead_of_server();
/// -1131 "recvWindow must be less than 60000." (BAD_RECV_WINDOW)
binance_error bad_recv_window();
/// -1135 "Invalid JSON Request" (a WS-API frame that is not JSON).
binance_error invalid_json();
/// -1135 "Invalid 'params' in JSON request; expected an object."
binance_error params_not_object();
/// -1003 "Too much request weight used; current limit is <limit> request weight per <interval>. ..."
binance_error too_much_weight(std::int64_t limit, std::string_view interval);

/// The HTTP status Binance pairs with an error code (also the WS-API "status"): 401 for -2014 and
/// -2015, 429 for -1003, 503 for -1007/-1008, 500 for -1000/-1001/-1006, 400 otherwise.
int http_status(const binance_error& e) noexcept;

} // namespace genesis::sim::protocol
