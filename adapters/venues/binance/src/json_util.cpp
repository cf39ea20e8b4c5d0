#include "json_util.hpp"

namespace genesis::binance::detail {

binance_errc map_error(simdjson::error_code e) noexcept {
    switch (e) {
    case simdjson::SUCCESS: return binance_errc::ok;
    case simdjson::INCORRECT_TYPE: return binance_errc::wrong_type;
    case simdjson::NUMBER_OUT_OF_RANGE: return binance_errc::number_out_of_range;
    case simdjson::NO_SUCH_FIELD: return binance_errc::missing_field;
    case simdjson::CAPACITY: return binance_errc::frame_too_large;
    default: return binance_errc::malformed_json;
    }
}

} // namespace genesis::binance::detail
