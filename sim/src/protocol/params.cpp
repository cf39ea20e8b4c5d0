#include "genesis/sim/protocol/params.hpp"

#include <algorithm>
#include <limits>

namespace genesis::sim::protocol {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// ^([0-9]{1,20})(\.[0-9]{1,20})?$
bool matches_decimal(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i]))
        ++i;
    if (i == 0 || i > 20)
        return false;
    if (i == s.size())
        return true;
    if (s[i] != '.')
        return false;
    const std::size_t frac_start = ++i;
    while (i < s.size() && is_digit(s[i]))
        ++i;
    const std::size_t frac = i - frac_start;
    return i == s.size() && frac >= 1 && frac <= 20;
}

// ^[0-9]{1,20}$
bool matches_integer(std::string_view s) noexcept {
    return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), is_digit);
}

// ^[A-Z0-9-_.]{1,20}$
bool matches_symbol(std::string_view s) noexcept {
    return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_' || c == '.';
    });
}

// ^[\.A-Z\:/a-z0-9_-]{1,36}$
bool matches_client_id(std::string_view s) noexcept {
    return !s.empty() && s.size() <= 36 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '.' || c == ':' || c == '/' ||
               c == '_' || c == '-';
    });
}

} // namespace

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= s.size())
                return std::nullopt;
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

proto_result<params> params::from_urlencoded(std::string_view query, std::string_view body) {
    params p;
    for (std::string_view part : {query, body}) {
        while (!part.empty()) {
            const std::size_t amp = part.find('&');
            const std::string_view piece = part.substr(0, amp);
            part = amp == std::string_view::npos ? std::string_view{} : part.substr(amp + 1);
            // "a=1&&b=2" and a trailing '&' carry nothing.
            if (piece.empty())
                continue;
            const std::size_t eq = piece.find('=');
            auto name = percent_decode(piece.substr(0, eq));
            auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1));
            if (!name || !value)
                return make_error(sim_errc::illegal_chars);
            if (auto r = p.add(param{std::move(*name), std::move(*value), false, false}); !r)
                return r.error();
        }
    }
    return p;
}

proto_result<void> params::add(param p) {
    if (peek(p.name) != nullptr)
        return duplicate_parameter();
    items_.push_back(std::move(p));
    return {};
}

const param* params::peek(std::string_view name) const noexcept {
    for (const auto& p : items_)
        if (p.name == name)
            return &p;
    return nullptr;
}

bool params::has(std::string_view name) const noexcept {
    const param* p = peek(name);
    return p != nullptr && !p->value.empty();
}

void params::mark_read(std::string_view name) const noexcept {
    if (const param* p = peek(name))
        p->read = true;
}

std::optional<std::string_view> params::optional(std::string_view name) const {
    const param* p = peek(name);
    if (p == nullptr)
        return std::nullopt;
    p->read = true;
    if (p->value.empty())
        return std::nullopt;
    return std::string_view{p->value};
}

proto_result<std::string_view> params::required(std::string_view name) const {
    if (auto v = optional(name))
        return *v;
    return mandatory_missing(name);
}

namespace {

proto_result<std::uint64_t> to_uint(std::string_view name, std::string_view v) {
    if (!matches_integer(v))
        return illegal_chars(name, legal_range::integer);
    std::uint64_t out = 0;
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    for (char c : v) {
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (out > (max - d) / 10)
            return overflowed(name);
        out = out * 10 + d;
    }
    return proto_result<std::uint64_t>(boost::system::in_place_value, out);
}

proto_result<decimal> to_decimal(std::string_view name, std::string_view v) {
    if (!matches_decimal(v))
        return illegal_chars(name, legal_range::decimal);
    auto d = decimal::parse(v);
    if (d)
        return *d;
    if (d.error() == make_error_code(core_errc::decimal_precision))
        return too_much_precision(name);
    return overflowed(name);
}

} // namespace

proto_result<std::uint64_t> params::required_uint(std::string_view name) const {
    auto v = required(name);
    if (!v)
        return v.error();
    return to_uint(name, *v);
}

proto_result<std::optional<std::uint64_t>> params::optional_uint(std::string_view name) const {
    auto v = optional(name);
    if (!v)
        return std::optional<std::uint64_t>{};
    auto r = to_uint(name, *v);
    if (!r)
        return r.error();
    return std::optional<std::uint64_t>{*r};
}

proto_result<decimal> params::required_decimal(std::string_view name) const {
    auto v = required(name);
    if (!v)
        return v.error();
    return to_decimal(name, *v);
}

proto_result<std::optional<decimal>> params::optional_decimal(std::string_view name) const {
    auto v = optional(name);
    if (!v)
        return std::optional<decimal>{};
    auto r = to_decimal(name, *v);
    if (!r)
        return r.error();
    return std::optional<decimal>{*r};
}

proto_result<symbol> params::required_symbol(std::string_view name) const {
    auto v = required(name);
    if (!v)
        return v.error();
    if (!matches_symbol(*v))
        return illegal_chars(name, legal_range::symbol);
    return symbol::truncating(*v);
}

proto_result<std::optional<symbol>> params::optional_symbol(std::string_view name) const {
    auto v = optional(name);
    if (!v)
        return std::optional<symbol>{};
    if (!matches_symbol(*v))
        return illegal_chars(name, legal_range::symbol);
    return std::optional<symbol>{symbol::truncating(*v)};
}

proto_result<client_order_id> params::optional_client_id(std::string_view name) const {
    auto v = optional(name);
    if (!v)
        return client_order_id{};
    if (!matches_client_id(*v))
        return illegal_chars(name, legal_range::client_order_id);
    return client_order_id::truncating(*v);
}

proto_result<side> params::required_side(std::string_view name) const {
    auto v = required(name);
    if (!v)
        return v.error();
    auto e = parse_enum<side>(*v);
    if (!e)
        return make_error(sim_errc::invalid_side);
    return *e;
}

proto_result<order_type> params::required_order_type(std::string_view name) const {
    auto v = required(name);
    if (!v)
        return v.error();
    auto e = parse_enum<order_type>(*v);
    if (!e)
        return make_error(sim_errc::invalid_order_type);
    return *e;
}

proto_result<std::optional<time_in_force>> params::optional_time_in_force(std::string_view name) const {
    auto v = optional(name);
    if (!v)
        return std::optional<time_in_force>{};
    auto e = parse_enum<time_in_force>(*v);
    if (!e)
        return make_error(sim_errc::invalid_time_in_force);
    return std::optional<time_in_force>{*e};
}

proto_result<std::optional<bool>> params::optional_bool(std::string_view name) const {
    auto v = optional(name);
    if (!v)
        return std::optional<bool>{};
    if (*v == "true")
        return std::optional<bool>{true};
    if (*v == "false")
        return std::optional<bool>{false};
    return illegal_chars(name, "true, false");
}

std::size_t params::read_count() const noexcept {
    return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [](const param& p) { return p.read; }));
}

proto_result<void> params::check_all_read() const {
    const std::size_t n = read_count();
    if (n != items_.size())
        return unread_parameters(n, items_.size());
    return {};
}

} // namespace genesis::sim::protocol
