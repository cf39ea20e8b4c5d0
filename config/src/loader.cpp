// The only translation unit that sees toml++: the reader and the loader are implemented here.
#include "genesis/config/loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace genesis::config {

namespace detail {

// One table the section parsers looked at, with the keys they asked for.
struct table_state {
    // Null when the table is absent: getters then return their defaults.
    const toml::table* tbl = nullptr;
    std::string path;
    // Where errors about absent keys point: the table header, or nothing.
    toml::source_position pos{};
    std::set<std::string, std::less<>> known;
};

struct context {
    std::string file;
    const env_lookup* env = nullptr;
    std::vector<diagnostic> diags;
    // A deque keeps addresses stable while readers hold pointers into it.
    std::deque<table_state> tables;
    std::map<const toml::table*, table_state*> by_table;

    table_state& present(const toml::table& t, std::string path) {
        // Reuse the state so keys known from an earlier reader stay known.
        if (auto it = by_table.find(&t); it != by_table.end())
            return *it->second;
        auto& s = tables.emplace_back();
        s.tbl = &t;
        s.path = std::move(path);
        s.pos = t.source().begin;
        by_table.emplace(&t, &s);
        return s;
    }

    table_state& absent(std::string path, toml::source_position pos) {
        auto& s = tables.emplace_back();
        s.path = std::move(path);
        s.pos = pos;
        return s;
    }

    void add(diagnostic_kind kind, toml::source_position pos, std::string key, std::string message) {
        diags.push_back(diagnostic{kind, file, pos.line, pos.column, std::move(key), std::move(message)});
    }
};

} // namespace detail

namespace {

using detail::context;
using detail::table_state;

std::string join(std::string_view path, std::string_view key) {
    if (path.empty())
        return std::string(key);
    std::string out(path);
    out += '.';
    out += key;
    return out;
}

// Quotes a value for a message; long values are cut so a message stays one readable line.
std::string quote(std::string_view s) {
    constexpr std::size_t max_len = 64;
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < max_len; ++i) {
        const char c = s[i];
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += c;
        }
    }
    if (s.size() > max_len)
        out += "...";
    out += '"';
    return out;
}

std::string format_double(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// "string \"big\"", "integer 42", "table", ...: what the file actually holds.
std::string describe(const toml::node& n) {
    switch (n.type()) {
    case toml::node_type::string: return "string " + quote(n.as_string()->get());
    case toml::node_type::integer: return "integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: return "float " + format_double(n.as_floating_point()->get());
    case toml::node_type::boolean: return n.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::none: break;
    }
    return "nothing";
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("levle" -> 1).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

// The closest candidate, if it is close enough to be a plausible typo.
template <class Range>
std::optional<std::string> closest(std::string_view word, const Range& candidates) {
    const std::string w = lower(word);
    const std::size_t limit = std::max<std::size_t>(2, w.size() / 3);
    std::optional<std::string> best;
    std::size_t best_d = limit + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(w, lower(c));
        if (d < best_d) {
            best_d = d;
            best = std::string(c);
        }
    }
    return best;
}

std::string int_expectation(std::int64_t min, std::int64_t max) {
    constexpr auto lo = std::numeric_limits<std::int64_t>::min();
    constexpr auto hi = std::numeric_limits<std::int64_t>::max();
    if (min == lo && max == hi)
        return "an integer";
    if (min == 1 && max == hi)
        return "a positive integer";
    if (min == 0 && max == hi)
        return "a non-negative integer";
    if (max == hi)
        return "an integer >= " + std::to_string(min);
    if (min == lo)
        return "an integer <= " + std::to_string(max);
    return "an integer between " + std::to_string(min) + " and " + std::to_string(max);
}

std::string double_expectation(double min, double max) {
    const bool has_min = min != -std::numeric_limits<double>::infinity();
    const bool has_max = max != std::numeric_limits<double>::infinity();
    if (has_min && has_max)
        return "a number between " + format_double(min) + " and " + format_double(max);
    if (has_min)
        return "a number >= " + format_double(min);
    if (has_max)
        return "a number <= " + format_double(max);
    return "a number";
}

std::string choice_list(std::span<const std::string_view> allowed) {
    std::string out;
    for (const auto& a : allowed) {
        if (!out.empty())
            out += ", ";
        out += quote(a);
    }
    return out;
}

bool valid_env_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// Replaces ${NAME} with the environment variable; reports every missing variable.
std::optional<std::string> substitute(context& ctx, std::string_view raw, toml::source_position pos,
                                      const std::string& key) {
    std::string out;
    bool ok = true;
    std::size_t i = 0;
    while (i < raw.size()) {
        // `$${` is the escape for a literal `${`.
        if (raw.compare(i, 3, "$${") == 0) {
            out += "${";
            i += 3;
            continue;
        }
        if (raw.compare(i, 2, "${") != 0) {
            out += raw[i++];
            continue;
        }
        const std::size_t close = raw.find('}', i + 2);
        if (close == std::string_view::npos) {
            ctx.add(diagnostic_kind::missing_env, pos, key,
                    key + ": unterminated ${ in string (write $${ for a literal ${)");
            return std::nullopt;
        }
        const std::string_view name = raw.substr(i + 2, close - i - 2);
        i = close + 1;
        if (!valid_env_name(name)) {
            ctx.add(diagnostic_kind::missing_env, pos, key, key + ": invalid environment variable name " + quote(name));
            ok = false;
            continue;
        }
        std::optional<std::string> value;
        if (ctx.env && *ctx.env)
            value = (*ctx.env)(name);
        if (!value) {
            ctx.add(diagnostic_kind::missing_env, pos, key,
                    key + ": environment variable '" + std::string(name) + "' is not set");
            ok = false;
            continue;
        }
        out += *value;
    }
    if (!ok)
        return std::nullopt;
    return out;
}

} // namespace

env_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        // getenv needs a terminated string; config is read at start-up, before threads exist.
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr)
            return std::nullopt;
        return std::string(v);
    };
}

// ---- table_reader ----

namespace {

// Finds `key` and makes it known.
const toml::node* lookup(table_state& s, std::string_view key) {
    if (s.known.find(key) == s.known.end())
        s.known.emplace(key);
    if (s.tbl == nullptr)
        return nullptr;
    return s.tbl->get(key);
}

void mismatch(context& ctx, diagnostic_kind kind, const toml::node& n, const std::string& key,
              std::string_view expected) {
    ctx.add(kind, n.source().begin, key, key + ": expected " + std::string(expected) + ", found " + describe(n));
}

} // namespace

const std::string& table_reader::path() const noexcept { return state_->path; }

bool table_reader::contains(std::string_view key) const { return state_->tbl != nullptr && state_->tbl->contains(key); }

void table_reader::declare(std::string_view key) { (void)lookup(*state_, key); }

std::string table_reader::get_string(std::string_view key, std::string_view def) {
    const toml::node* n = lookup(*state_, key);
    if (n == nullptr)
        return std::string(def);
    const std::string full = join(state_->path, key);
    if (const auto* v = n->as_string()) {
        if (auto s = substitute(*ctx_, v->get(), n->source().begin, full))
            return std::move(*s);
        return std::string(def);
    }
    mismatch(*ctx_, diagnostic_kind::wrong_type, *n, full, "a string");
    return std::string(def);
}

bool table_reader::get_bool(std::string_view key, bool def) {
    const toml::node* n = lookup(*state_, key);
    if (n == nullptr)
        return def;
    if (const auto* v = n->as_boolean())
        return v->get();
    mismatch(*ctx_, diagnostic_kind::wrong_type, *n, join(state_->path, key), "a boolean (true or false)");
    return def;
}

std::int64_t table_reader::get_int(std::string_view key, std::int64_t def, std::int64_t min, std::int64_t max) {
    const toml::node* n = lookup(*state_, key);
    if (n == nullptr)
        return def;
    const std::string full = join(state_->path, key);
    if (const auto* v = n->as_integer()) {
        const std::int64_t x = v->get();
        if (x >= min && x <= max)
            return x;
        mismatch(*ctx_, diagnostic_kind::out_of_range, *n, full, int_expectation(min, max));
        return def;
    }
    mismatch(*ctx_, diagnostic_kind::wrong_type, *n, full, int_expectation(min, max));
    return def;
}

double table_reader::get_double(std::string_view key, double def, double min, double max) {
    const toml::node* n = lookup(*state_, key);
    if (n == nullptr)
        return def;
    const std::string full = join(state_->path, key);
    std::optional<double> x;
    if (const auto* f = n->as_floating_point())
        x = f->get();
    if (const auto* i = n->as_integer())
        x = static_cast<double>(i->get());
    if (!x) {
        mismatch(*ctx_, diagnostic_kind::wrong_type, *n, full, double_expectation(min, max));
        return def;
    }
    // Written so that NaN fails too.
    if (!(*x >= min && *x <= max)) {
        mismatch(*ctx_, diagnostic_kind::out_of_range, *n, full, double_expectation(min, max));
        return def;
    }
    return *x;
}

std::chrono::milliseconds table_reader::get_duration_ms(std::string_view key, std::chrono::milliseconds def,
                                                        std::chrono::milliseconds min, std::chrono::milliseconds max) {
    const toml::node* n = lookup(*state_, key);
    if (n == nullptr)
        return def;
    const std::string expected = int_expectation(min.count(), max.count()) + " (milliseconds)";
    const std::string full = join(state_->path, key);
    if (const auto* v = n->as_integer()) {
        const std::int64_t x = v->get();
        if (x >= min.count() && x <= max.count())
            return std::chrono::milliseconds{x};
        mismatch(*ctx_, diagnostic_kind::out_of_range, *n, full, expected);
        return def;
    }
    mismatch(*ctx_, diagnostic_kind::wrong_type, *n, full, expected);
    return def;
}

std::size_t table_reader::get_choice_index(std::string_view key, std::size_t def_index,
                                           std::span<const std::string_view> allowed) {
    const toml::node* n = lookup(*state_, key);
    if (n == nullptr)
        return def_index;
    const std::string full = join(state_->path, key);
    const std::string expected = "one of " + choice_list(allowed);
    const auto* v = n->as_string();
    if (v == nullptr) {
        mismatch(*ctx_, diagnostic_kind::wrong_type, *n, full, expected);
        return def_index;
    }
    const std::string_view s = v->get();
    for (std::size_t i = 0; i < allowed.size(); ++i) {
        if (allowed[i] == s)
            return i;
    }
    std::string message = full + ": expected " + expected + ", found " + describe(*n);
    if (auto hint = closest(s, allowed))
        message += " (did you mean " + quote(*hint) + "?)";
    ctx_->add(diagnostic_kind::invalid_value, n->source().begin, full, std::move(message));
    return def_index;
}

std::string table_reader::get_choice(std::string_view key, std::string_view def,
                                     std::initializer_list<std::string_view> allowed) {
    const std::span<const std::string_view> names(allowed.begin(), allowed.size());
    const auto def_it = std::find(names.begin(), names.end(), def);
    const auto def_index = static_cast<std::size_t>(std::distance(names.begin(), def_it));
    const std::size_t i = get_choice_index(key, def_index, names);
    return std::string(i < names.size() ? names[i] : def);
}

namespace {

// The array at `key` read element by element: item(element, its path) appends it or reports it
// and returns false. Any bad element (or a non-array) leaves def; every bad element is reported.
template <class T, class Item>
std::vector<T> read_array(const toml::node* n, context& ctx, const std::string& full, std::vector<T> def,
                          std::string_view expected, Item item) {
    if (n == nullptr)
        return def;
    const auto* arr = n->as_array();
    if (arr == nullptr) {
        mismatch(ctx, diagnostic_kind::wrong_type, *n, full, expected);
        return def;
    }
    std::vector<T> out;
    bool ok = true;
    for (std::size_t i = 0; i < arr->size(); ++i)
        ok = item((*arr)[i], full + '[' + std::to_string(i) + ']', out) && ok;
    if (!ok)
        return def;
    return out;
}

} // namespace

std::vector<std::int64_t> table_reader::get_int_array(std::string_view key, std::vector<std::int64_t> def,
                                                      std::int64_t min, std::int64_t max) {
    return read_array(lookup(*state_, key), *ctx_, join(state_->path, key), std::move(def), "an array of integers",
                      [&](const toml::node& e, const std::string& item, std::vector<std::int64_t>& out) {
                          const auto* v = e.as_integer();
                          if (v == nullptr || v->get() < min || v->get() > max) {
                              mismatch(*ctx_, v ? diagnostic_kind::out_of_range : diagnostic_kind::wrong_type, e, item,
                                       int_expectation(min, max));
                              return false;
                          }
                          out.push_back(v->get());
                          return true;
                      });
}

std::vector<std::string> table_reader::get_string_array(std::string_view key, std::vector<std::string> def) {
    return read_array(lookup(*state_, key), *ctx_, join(state_->path, key), std::move(def), "an array of strings",
                      [&](const toml::node& e, const std::string& item, std::vector<std::string>& out) {
                          const auto* s = e.as_string();
                          if (s == nullptr) {
                              mismatch(*ctx_, diagnostic_kind::wrong_type, e, item, "a string");
                              return false;
                          }
                          auto v = substitute(*ctx_, s->get(), e.source().begin, item);
                          if (!v)
                              return false;
                          out.push_back(std::move(*v));
                          return true;
                      });
}

table_reader table_reader::table(std::string_view key) {
    const toml::node* n = lookup(*state_, key);
    std::string full = join(state_->path, key);
    if (n == nullptr)
        return table_reader(*ctx_, ctx_->absent(std::move(full), state_->pos));
    if (const auto* t = n->as_table())
        return table_reader(*ctx_, ctx_->present(*t, std::move(full)));
    mismatch(*ctx_, diagnostic_kind::wrong_type, *n, full, "a table");
    return table_reader(*ctx_, ctx_->absent(std::move(full), n->source().begin));
}

std::vector<named_table> table_reader::tables() {
    std::vector<named_table> out;
    if (state_->tbl == nullptr)
        return out;
    for (auto&& [k, v] : *state_->tbl) {
        (void)lookup(*state_, k.str());
        std::string full = join(state_->path, k.str());
        if (const auto* t = v.as_table()) {
            out.push_back(named_table{std::string(k.str()), table_reader(*ctx_, ctx_->present(*t, std::move(full)))});
        } else {
            mismatch(*ctx_, diagnostic_kind::wrong_type, v, full, "a table");
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> table_reader::scalars() {
    std::vector<std::pair<std::string, std::string>> out;
    if (state_->tbl == nullptr)
        return out;
    for (auto&& [k, v] : *state_->tbl) {
        const std::string key(k.str());
        (void)lookup(*state_, key);
        if (v.is_string()) {
            out.emplace_back(key, get_string(key, ""));
        } else if (const auto* i = v.as_integer()) {
            out.emplace_back(key, std::to_string(i->get()));
        } else if (const auto* b = v.as_boolean()) {
            out.emplace_back(key, b->get() ? "true" : "false");
        } else if (const auto* f = v.as_floating_point()) {
            std::ostringstream os;
            os << *f;
            out.emplace_back(key, os.str());
        } else {
            mismatch(*ctx_, diagnostic_kind::wrong_type, v, join(state_->path, key), "a string, number or boolean");
        }
    }
    return out;
}

bool table_reader::reported(std::string_view key) const {
    const std::string full = join(state_->path, key);
    return std::any_of(ctx_->diags.begin(), ctx_->diags.end(), [&](const diagnostic& d) { return d.key == full; });
}

void table_reader::reject(std::string_view key, std::string_view expected) {
    // A value that could not be read (an unset ${VAR}, a wrong type) was reported already: the
    // section's own check of the default it got instead would only repeat it.
    if (reported(key))
        return;
    const toml::node* n = lookup(*state_, key);
    if (n != nullptr) {
        mismatch(*ctx_, diagnostic_kind::invalid_value, *n, join(state_->path, key), expected);
        return;
    }
    error(key, "expected " + std::string(expected));
}

void table_reader::error(std::string_view key, std::string_view message) {
    if (reported(key))
        return;
    const toml::node* n = lookup(*state_, key);
    const std::string full = join(state_->path, key);
    ctx_->add(diagnostic_kind::invalid_value, n != nullptr ? n->source().begin : state_->pos, full,
              full + ": " + std::string(message));
}

// ---- loader ----

loader::loader(env_lookup env) : env_(std::move(env)) {}

loader& loader::section(std::string name, section_parser parse) {
    const bool duplicate =
        std::any_of(sections_.begin(), sections_.end(), [&](const entry& e) { return e.name == name; });
    if (duplicate)
        throw std::invalid_argument("config section registered twice: " + name);
    sections_.push_back(entry{std::move(name), std::move(parse)});
    return *this;
}

std::vector<std::string> loader::section_names() const {
    std::vector<std::string> out;
    out.reserve(sections_.size());
    for (const auto& e : sections_)
        out.push_back(e.name);
    return out;
}

namespace {

source_position position_of(const toml::node& n) { return {n.source().begin.line, n.source().begin.column}; }

void record_positions(const toml::node& n, const std::string& path, key_positions& out);

// Every key of a table, at its value (a table at its header), as the loader's errors point.
void record_positions(const toml::table& t, const std::string& path, key_positions& out) {
    for (auto&& [k, v] : t)
        record_positions(v, join(path, k.str()), out);
}

void record_positions(const toml::node& n, const std::string& path, key_positions& out) {
    // toml++ leaves positions it does not know at line 0: such a node is "not in the file".
    if (n.source().begin.line != 0)
        out.add(path, position_of(n));
    if (const auto* t = n.as_table()) {
        record_positions(*t, path, out);
    } else if (const auto* a = n.as_array()) {
        for (std::size_t i = 0; i < a->size(); ++i)
            record_positions((*a)[i], path + '[' + std::to_string(i) + ']', out);
    }
}

// Reports keys present in a table that no parser asked for, with the closest known key.
void report_unknown_keys(context& ctx, const table_state& s) {
    for (auto&& [k, v] : *s.tbl) {
        if (s.known.find(k.str()) != s.known.end())
            continue;
        const std::string full = join(s.path, k.str());
        std::string message = "unknown key '" + full + "'";
        if (auto hint = closest(k.str(), s.known))
            message += " (did you mean '" + *hint + "'?)";
        const auto pos = k.source().begin.line != 0 ? k.source().begin : v.source().begin;
        ctx.add(diagnostic_kind::unknown_key, pos, full, std::move(message));
    }
}

} // namespace

std::vector<diagnostic> loader::parse(std::string_view text, std::string_view file_name,
                                      key_positions* positions) const {
    if (positions != nullptr)
        positions->clear();
    context ctx;
    ctx.file = std::string(file_name);
    ctx.env = &env_;

    toml::table root;
    try {
        root = toml::parse(text, file_name);
    } catch (const toml::parse_error& e) {
        // toml++ stops at the first syntax error; nothing else can be checked.
        ctx.add(diagnostic_kind::syntax, e.source().begin, {}, "syntax error: " + std::string(e.description()));
        return std::move(ctx.diags);
    }
    if (positions != nullptr)
        record_positions(root, std::string{}, *positions);

    // Run every registered parser, present or not, so defaults and cross-key checks apply.
    std::set<std::string, std::less<>> registered;
    for (const auto& e : sections_) {
        registered.insert(e.name);
        const toml::node* n = root.get(e.name);
        table_state* state = nullptr;
        if (n == nullptr) {
            state = &ctx.absent(e.name, {});
        } else if (const auto* t = n->as_table()) {
            state = &ctx.present(*t, e.name);
        } else {
            mismatch(ctx, diagnostic_kind::wrong_type, *n, e.name, "a table");
            state = &ctx.absent(e.name, n->source().begin);
        }
        table_reader r(ctx, *state);
        e.parse(r);
    }

    // Top-level entries nobody registered: a misspelt or unsupported section.
    for (auto&& [k, v] : root) {
        if (registered.find(k.str()) != registered.end())
            continue;
        const bool is_table = v.is_table();
        std::string message =
            std::string(is_table ? "unknown section '" : "unknown key '") + std::string(k.str()) + "'";
        if (auto hint = closest(k.str(), registered))
            message += " (did you mean '" + *hint + "'?)";
        const auto pos = k.source().begin.line != 0 ? k.source().begin : v.source().begin;
        ctx.add(is_table ? diagnostic_kind::unknown_section : diagnostic_kind::unknown_key, pos, std::string(k.str()),
                std::move(message));
    }
    for (const auto& s : ctx.tables) {
        if (s.tbl != nullptr)
            report_unknown_keys(ctx, s);
    }

    // Report in file order, like a compiler.
    std::stable_sort(ctx.diags.begin(), ctx.diags.end(), [](const diagnostic& a, const diagnostic& b) {
        return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return std::move(ctx.diags);
}

std::vector<diagnostic> loader::parse_file(const std::filesystem::path& file, key_positions* positions) const {
    if (positions != nullptr)
        positions->clear();
    const std::string name = file.string();
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        return {diagnostic{diagnostic_kind::io, name, 0, 0, {}, "cannot open file (is a directory)"}};
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const int err = errno;
        return {diagnostic{
            diagnostic_kind::io, name, 0, 0, {}, "cannot open file (" + std::generic_category().message(err) + ")"}};
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        return {diagnostic{diagnostic_kind::io, name, 0, 0, {}, "cannot read file"}};
    }
    return parse(text.str(), name, positions);
}

void loader::load_file(const std::filesystem::path& file) const {
    auto errors = parse_file(file);
    if (!errors.empty())
        throw config_error(std::move(errors));
}

} // namespace genesis::config
