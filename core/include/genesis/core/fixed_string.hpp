// fixed_string: a short string stored inline (symbols, assets, client order ids) so that
// events carrying them never allocate.
#pragma once

#include "genesis/core/error.hpp"

#include <algorithm>
#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace genesis {

/// Up to N characters held inline. Construction from a longer string fails (make) or
/// is rejected by the checked constructor; it never truncates silently.
template <std::size_t N>
class fixed_string {
    char data_[N] = {};
    unsigned char size_ = 0;

    static_assert(N < 256);

public:
    constexpr fixed_string() noexcept = default;

    /// Errors with invalid_argument when s is longer than N.
    [[nodiscard]] static result<fixed_string> make(std::string_view s) noexcept {
        if (s.size() > N)
            return make_error_code(core_errc::invalid_argument);
        fixed_string f;
        std::copy(s.begin(), s.end(), f.data_);
        f.size_ = static_cast<unsigned char>(s.size());
        return f;
    }

    /// For literals and values already checked: a longer s is cut to its first N characters.
    static constexpr fixed_string truncating(std::string_view s) noexcept {
        fixed_string f;
        const std::size_t n = std::min(s.size(), N);
        for (std::size_t i = 0; i < n; ++i)
            f.data_[i] = s[i];
        f.size_ = static_cast<unsigned char>(n);
        return f;
    }

    static constexpr std::size_t capacity() noexcept { return N; }
    constexpr std::size_t size() const noexcept { return size_; }
    constexpr bool empty() const noexcept { return size_ == 0; }
    constexpr std::string_view view() const noexcept { return {data_, size_}; }
    std::string str() const { return std::string(view()); }

    friend constexpr bool operator==(const fixed_string& a, const fixed_string& b) noexcept {
        return a.view() == b.view();
    }
    friend constexpr std::strong_ordering operator<=>(const fixed_string& a, const fixed_string& b) noexcept {
        return a.view() <=> b.view();
    }
    friend constexpr bool operator==(const fixed_string& a, std::string_view b) noexcept { return a.view() == b; }
};

/// An exchange symbol ("BTCUSDT").
using symbol = fixed_string<24>;
/// An asset ("BTC", "USDT").
using asset = fixed_string<16>;
/// A client order id: Binance allows up to 36 characters.
using client_order_id = fixed_string<36>;

} // namespace genesis

template <std::size_t N>
struct std::hash<genesis::fixed_string<N>> {
    std::size_t operator()(const genesis::fixed_string<N>& s) const noexcept {
        return std::hash<std::string_view>{}(s.view());
    }
};
