#include "genesis/sim/protocol/errors.hpp"

#include <stdexcept>
#include <string>

namespace genesis::sim {

void throw_exception_from_error(const binance_error& e, const boost::source_location&) {
    throw std::runtime_error(std::to_string(e.code) + " " + e.msg);
}

} // namespace genesis::sim

namespace genesis::sim::protocol {
namespace {

binance_error make(int code, std::string msg) { return {code, std::move(msg)}; }

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '\'';
    out += s;
    out += '\'';
    return out;
}

} // namespace

binance_error make_error(sim_errc e) { return {binance_code(e), std::string(binance_message(e))}; }

binance_error illegal_chars(std::string_view name, std::string_view legal_range) {
    return make(-1100, "Illegal characters found in parameter " + quoted(name) + "; legal range is " +
                           quoted(legal_range) + ".");
}

binance_error duplicate_parameter() { return make(-1101, "Duplicate values for a parameter detected."); }

binance_error mandatory_missing(std::string_view name) {
    return make(-1102, "Mandatory parameter " + quoted(name) + " was not sent, was empty/null, or malformed.");
}

binance_error either_missing(std::string_view a, std::string_view b) {
    return make(-1102, "Param " + quoted(a) + " or " + quoted(b) + " must be sent, but both were empty/null!");
}

binance_error unread_parameters(std::size_t read, std::size_t sent) {
    return make(-1104, "Not all sent parameters were read; read " + quoted(std::to_string(read)) +
                           " parameter(s) but was sent " + quoted(std::to_string(sent)) + ".");
}

binance_error not_required(std::string_view name) {
    return make(-1106, "Parameter " + quoted(name) + " sent when not required.");
}

binance_error overflowed(std::string_view name) { return make(-1108, "Parameter " + quoted(name) + " overflowed."); }

binance_error too_much_precision(std::string_view name) {
    return make(-1111, "Parameter " + quoted(name) + " has too much precision.");
}

binance_error outside_recv_window() { return make(-1021, "Timestamp for this request is outside of the recvWindow."); }

binance_error ahead_of_server() {
    return make(-1021, "Timestamp for this request was 1000ms ahead of the server's time.");
}

binance_error bad_recv_window() { return make(-1131, "recvWindow must be less than 60000."); }

binance_error invalid_json() { return make(-1135, "Invalid JSON Request"); }

binance_error params_not_object() { return make(-1135, "Invalid 'params' in JSON request; expected an object."); }

binance_error too_much_weight(std::int64_t limit, std::string_view interval) {
    return make(-1003, "Too much request weight used; current limit is " + std::to_string(limit) +
                           " request weight per " + std::string(interval) +
                           ". Please use WebSocket Streams for live updates to avoid polling the API.");
}

int http_status(const binance_error& e) noexcept {
    switch (e.code) {
    case -2014:
    case -2015: return 401;
    case -1003: return 429;
    case -1007:
    case -1008: return 503;
    case -1000:
    case -1001:
    case -1006: return 500;
    default: return 400;
    }
}

} // namespace genesis::sim::protocol
