// Typed, validating access to one TOML table. toml++ stays behind this interface.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace genesis::config {

/// Looks up an environment variable; std::nullopt when it is not set. Injectable for tests.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The real process environment (std::getenv).
[[nodiscard]] env_lookup process_environment();

namespace detail {
struct context;
struct table_state;
} // namespace detail

class table_reader;

/// A sub-table found by table_reader::tables(), e.g. NAME in [venues.NAME].
struct named_table;

/// Reads the keys of one table. Every getter takes a default, returned when the key is absent;
/// a present but invalid value records a diagnostic and also returns the default. Every key a
/// getter asks for becomes "known"; keys nobody asked for are reported as unknown after the
/// section parser returns. A reader is valid only while its loader runs.
class table_reader {
    detail::context* ctx_ = nullptr;
    detail::table_state* state_ = nullptr;

public:
    /// Internal: readers are made by the loader.
    table_reader(detail::context& ctx, detail::table_state& state) noexcept : ctx_(&ctx), state_(&state) {}

    /// Dotted path of this table, e.g. "logging" or "venues.binance".
    [[nodiscard]] const std::string& path() const noexcept;

    /// True when the key is present (whatever its type). Does not make the key known.
    [[nodiscard]] bool contains(std::string_view key) const;

    /// Makes a key known without reading it (for keys read only in some cases).
    void declare(std::string_view key);

    /// A string; `${NAME}` is replaced by the environment variable NAME (`$${` is a literal `${`).
    /// Money values are strings too: parse them as decimals, never as double.
    [[nodiscard]] std::string get_string(std::string_view key, std::string_view def);

    [[nodiscard]] bool get_bool(std::string_view key, bool def);

    /// An integer in [min, max].
    [[nodiscard]] std::int64_t get_int(std::string_view key, std::int64_t def,
                                       std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                                       std::int64_t max = std::numeric_limits<std::int64_t>::max());

    /// A number in [min, max] (integers accepted). For non-money tunables only.
    [[nodiscard]] double get_double(std::string_view key, double def,
                                    double min = -std::numeric_limits<double>::infinity(),
                                    double max = std::numeric_limits<double>::infinity());

    /// A duration written as integer milliseconds; name such keys `*_ms`.
    [[nodiscard]] std::chrono::milliseconds
    get_duration_ms(std::string_view key, std::chrono::milliseconds def,
                    std::chrono::milliseconds min = std::chrono::milliseconds{0},
                    std::chrono::milliseconds max = std::chrono::milliseconds::max());

    /// One of the allowed strings; returns its index in `allowed` (or def_index).
    [[nodiscard]] std::size_t get_choice_index(std::string_view key, std::size_t def_index,
                                               std::span<const std::string_view> allowed);

    /// One of the allowed strings, returned as is. `def` must be one of them.
    [[nodiscard]] std::string get_choice(std::string_view key, std::string_view def,
                                         std::initializer_list<std::string_view> allowed);

    /// An enumerator named by one of the allowed strings. `def` must be listed.
    template <class E>
    [[nodiscard]] E get_enum(std::string_view key, E def,
                             std::initializer_list<std::pair<std::string_view, E>> allowed);

    /// An array of strings (each with `${NAME}` substitution).
    [[nodiscard]] std::vector<std::string> get_string_array(std::string_view key, std::vector<std::string> def);

    /// An array of integers, each in [min, max].
    [[nodiscard]] std::vector<std::int64_t> get_int_array(std::string_view key, std::vector<std::int64_t> def,
                                                          std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                                                          std::int64_t max = std::numeric_limits<std::int64_t>::max());

    /// A sub-table; when absent, an empty reader whose getters all return their defaults.
    [[nodiscard]] table_reader table(std::string_view key);

    /// Every sub-table, in key order, for sections with dynamic names ([venues.NAME]).
    /// Non-table values in this table are reported as wrong type.
    [[nodiscard]] std::vector<named_table> tables();

    /// Every key of this table whose value is a string, integer, float or boolean, in key order, as
    /// (key, text): strings as themselves (with `${NAME}` substitution), the others as TOML writes
    /// them ("42", "0.5", "true"). For free-form tables (a strategy's params). Other values (arrays,
    /// tables, dates) are reported as wrong type. Every key becomes known.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> scalars();

    /// Records "<path.key>: expected <expected>, found <the value>" for a value a section rejects.
    /// Nothing when the key has an error already (its value could not be read): one error per key.
    void reject(std::string_view key, std::string_view expected);

    /// Records "<path.key>: <message>" at the key (or at this table when the key is absent).
    /// Nothing when the key has an error already, as for reject.
    void error(std::string_view key, std::string_view message);

    /// Whether an error was recorded for this key of this table.
    [[nodiscard]] bool reported(std::string_view key) const;
};

struct named_table {
    std::string name;
    table_reader reader;
};

// Templates.

template <class E>
E table_reader::get_enum(std::string_view key, E def, std::initializer_list<std::pair<std::string_view, E>> allowed) {
    std::vector<std::string_view> names;
    names.reserve(allowed.size());
    std::size_t def_index = 0;
    for (const auto& [name, value] : allowed) {
        if (value == def)
            def_index = names.size();
        names.push_back(name);
    }
    const std::size_t i = get_choice_index(key, def_index, names);
    return allowed.begin()[i].second;
}

} // namespace genesis::config
