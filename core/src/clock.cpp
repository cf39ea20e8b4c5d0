#include "genesis/core/clock.hpp"

namespace genesis {

time_point real_clock::now() const noexcept {
    return {std::chrono::duration_cast<nanos>(std::chrono::steady_clock::now().time_since_epoch()).count()};
}

time_point real_clock::wall() const noexcept {
    return {std::chrono::duration_cast<nanos>(std::chrono::system_clock::now().time_since_epoch()).count()};
}

real_clock& real_clock::instance() noexcept {
    static real_clock c;
    return c;
}

} // namespace genesis
