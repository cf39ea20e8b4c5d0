#include "genesis/sim/server/faults.hpp"

#include "json_util.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>

namespace genesis::sim::server {

namespace {

// Latencies and intervals are capped at one day: larger values would overflow the nanosecond
// arithmetic of the injector (found by sim_faults_fuzz) and no test needs them.
constexpr std::int64_t max_fault_ms = 86'400'000;

constexpr std::array<std::string_view, fault_kind_count> kind_names = {
    "latency",   "http_error", "lost_ack", "reset",     "stall",    "ws_disconnect",
    "depth_gap", "duplicate",  "reorder",  "malformed", "truncated"};

bool is_request_kind(fault_kind k) noexcept {
    return k == fault_kind::latency || k == fault_kind::http_error || k == fault_kind::lost_ack ||
           k == fault_kind::reset || k == fault_kind::stall;
}

error_code bad() { return make_error_code(core_errc::invalid_argument); }

} // namespace

std::string_view to_string(fault_kind k) noexcept {
    const auto i = static_cast<std::size_t>(k);
    return i < kind_names.size() ? kind_names[i] : std::string_view{"unknown"};
}

std::optional<fault_kind> parse_fault_kind(std::string_view s) noexcept {
    for (std::size_t i = 0; i < kind_names.size(); ++i)
        if (kind_names[i] == s)
            return static_cast<fault_kind>(i);
    return std::nullopt;
}

bool fault_match(std::string_view pattern, std::string_view s) noexcept {
    if (pattern.empty() || pattern == "*")
        return true;
    if (pattern.back() == '*')
        return s.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
    return pattern == s;
}

fault_injector::fault_injector(fault_config cfg) { set(std::move(cfg)); }

void fault_injector::set(fault_config cfg) {
    config_ = std::move(cfg);
    rng_.seed(config_.seed);
    applied_.assign(config_.rules.size(), 0);
}

bool fault_injector::fires(std::size_t i) {
    const fault_rule& r = config_.rules[i];
    if (r.max_count != 0 && applied_[i] >= r.max_count)
        return false;
    if (r.probability < 1.0) {
        // Draw only for probabilistic rules, so that certain rules keep the sequence stable.
        std::uniform_real_distribution<double> u(0.0, 1.0);
        if (u(rng_) >= r.probability)
            return false;
    }
    ++applied_[i];
    ++counts_[static_cast<std::size_t>(r.kind)];
    return true;
}

request_faults fault_injector::on_request(std::string_view listener, std::string_view target, std::string_view method) {
    request_faults out;
    for (std::size_t i = 0; i < config_.rules.size(); ++i) {
        const fault_rule& r = config_.rules[i];
        if (!is_request_kind(r.kind) || !fault_match(r.listener, listener) || !fault_match(r.target, target) ||
            !fault_match(r.method, method))
            continue;
        // One fault that ends the request is enough; latency adds up with anything.
        const bool terminal_taken = out.error_status != 0 || out.lost_ack || out.reset || out.stall;
        if (r.kind != fault_kind::latency && terminal_taken)
            continue;
        if (!fires(i))
            continue;
        switch (r.kind) {
        case fault_kind::latency: {
            auto lo = r.latency_min.count();
            auto hi = std::max(lo, r.latency_max.count());
            std::uniform_int_distribution<std::int64_t> d(lo * 1000, hi * 1000); // microseconds
            out.delay += std::chrono::microseconds(lo == hi ? lo * 1000 : d(rng_));
            break;
        }
        case fault_kind::http_error:
            out.error_status = r.status == 0 ? 503 : r.status;
            out.retry_after = r.retry_after;
            break;
        case fault_kind::lost_ack:
            out.lost_ack = true;
            out.lost_ack_status = r.status;
            out.retry_after = r.retry_after;
            break;
        case fault_kind::reset: out.reset = true; break;
        case fault_kind::stall: out.stall = true; break;
        default: break;
        }
    }
    return out;
}

frame_fault fault_injector::on_frame(std::string_view listener, std::string_view stream, bool depth_diff) {
    for (std::size_t i = 0; i < config_.rules.size(); ++i) {
        const fault_rule& r = config_.rules[i];
        if (is_request_kind(r.kind) || r.kind == fault_kind::ws_disconnect)
            continue;
        if (r.kind == fault_kind::depth_gap && !depth_diff)
            continue;
        if (!fault_match(r.listener, listener) || !fault_match(r.target, stream) || !fires(i))
            continue;
        switch (r.kind) {
        case fault_kind::depth_gap: return frame_fault::drop;
        case fault_kind::duplicate: return frame_fault::duplicate;
        case fault_kind::reorder: return frame_fault::reorder;
        case fault_kind::malformed: return frame_fault::malformed;
        case fault_kind::truncated: return frame_fault::truncated;
        default: break;
        }
    }
    return frame_fault::none;
}

std::chrono::nanoseconds fault_injector::frame_delay(std::string_view listener, std::string_view stream) {
    std::chrono::nanoseconds out{0};
    for (std::size_t i = 0; i < config_.rules.size(); ++i) {
        const fault_rule& r = config_.rules[i];
        if (r.kind != fault_kind::latency || !fault_match(r.listener, listener) || !fault_match(r.target, stream) ||
            !fires(i))
            continue;
        const auto lo = r.latency_min.count();
        const auto hi = std::max(lo, r.latency_max.count());
        std::uniform_int_distribution<std::int64_t> d(lo * 1000, hi * 1000);
        out += std::chrono::microseconds(lo == hi ? lo * 1000 : d(rng_));
    }
    return out;
}

std::optional<std::chrono::milliseconds> fault_injector::disconnect_interval(std::string_view listener,
                                                                             std::string_view path) const {
    std::optional<std::chrono::milliseconds> best;
    for (const fault_rule& r : config_.rules) {
        if (r.kind != fault_kind::ws_disconnect || r.interval.count() <= 0 || !fault_match(r.listener, listener) ||
            !fault_match(r.target, path))
            continue;
        if (!best || r.interval < *best)
            best = r.interval;
    }
    return best;
}

std::string to_json(const fault_config& cfg) {
    std::string o;
    o += "{\"seed\":" + std::to_string(cfg.seed);
    o += ",\"clock_skew_ms\":" + std::to_string(cfg.clock_skew.count());
    o += ",\"rules\":[";
    bool first = true;
    for (const fault_rule& r : cfg.rules) {
        if (!first)
            o += ',';
        first = false;
        o += "{\"kind\":";
        json_append_string(o, to_string(r.kind));
        o += ",\"listener\":";
        json_append_string(o, r.listener);
        o += ",\"target\":";
        json_append_string(o, r.target);
        o += ",\"method\":";
        json_append_string(o, r.method);
        o += ",\"probability\":" + json_number(r.probability);
        o += ",\"latency_ms\":[" + std::to_string(r.latency_min.count()) + ',' + std::to_string(r.latency_max.count()) +
             ']';
        o += ",\"status\":" + std::to_string(r.status);
        o += ",\"retry_after_s\":" + std::to_string(r.retry_after.count());
        o += ",\"interval_ms\":" + std::to_string(r.interval.count());
        o += ",\"max_count\":" + std::to_string(r.max_count);
        o += '}';
    }
    o += "]}";
    return o;
}

namespace {

bool read_int(simdjson::dom::element e, std::int64_t& out) {
    std::int64_t i = 0;
    if (e.get(i) == simdjson::SUCCESS) {
        out = i;
        return true;
    }
    std::uint64_t u = 0;
    if (e.get(u) == simdjson::SUCCESS && u <= static_cast<std::uint64_t>(INT64_MAX)) {
        out = static_cast<std::int64_t>(u);
        return true;
    }
    double d = 0;
    if (e.get(d) == simdjson::SUCCESS && d >= 0 && d < 9e18) {
        out = static_cast<std::int64_t>(d);
        return true;
    }
    return false;
}

result<fault_rule> parse_rule(simdjson::dom::object obj) {
    fault_rule r;
    bool has_kind = false;
    for (auto [key, value] : obj) {
        std::string_view s;
        std::int64_t i = 0;
        if (key == "kind") {
            if (value.get(s) != simdjson::SUCCESS)
                return bad();
            auto k = parse_fault_kind(s);
            if (!k)
                return bad();
            r.kind = *k;
            has_kind = true;
        } else if (key == "listener" || key == "target" || key == "method") {
            if (value.get(s) != simdjson::SUCCESS)
                return bad();
            (key == "listener" ? r.listener : key == "target" ? r.target : r.method) = std::string(s);
        } else if (key == "probability") {
            double d = 0;
            if (value.get(d) != simdjson::SUCCESS) {
                if (!read_int(value, i))
                    return bad();
                d = static_cast<double>(i);
            }
            if (!(d >= 0.0 && d <= 1.0))
                return bad();
            r.probability = d;
        } else if (key == "latency_ms") {
            simdjson::dom::array arr;
            if (value.get(arr) == simdjson::SUCCESS) {
                std::vector<std::int64_t> v;
                for (auto x : arr) {
                    if (!read_int(x, i) || i < 0 || i > max_fault_ms)
                        return bad();
                    v.push_back(i);
                }
                if (v.size() != 2 || v[0] > v[1])
                    return bad();
                r.latency_min = std::chrono::milliseconds(v[0]);
                r.latency_max = std::chrono::milliseconds(v[1]);
            } else {
                if (!read_int(value, i) || i < 0 || i > max_fault_ms)
                    return bad();
                r.latency_min = r.latency_max = std::chrono::milliseconds(i);
            }
        } else if (key == "status") {
            if (!read_int(value, i) || i < 0 || i > 599)
                return bad();
            r.status = static_cast<int>(i);
        } else if (key == "retry_after_s") {
            if (!read_int(value, i) || i < 0 || i > max_fault_ms / 1000)
                return bad();
            r.retry_after = std::chrono::seconds(i);
        } else if (key == "interval_ms") {
            if (!read_int(value, i) || i < 0 || i > max_fault_ms)
                return bad();
            r.interval = std::chrono::milliseconds(i);
        } else if (key == "max_count") {
            if (!read_int(value, i) || i < 0)
                return bad();
            r.max_count = static_cast<std::uint64_t>(i);
        } else {
            return bad();
        }
    }
    if (!has_kind)
        return bad();
    return r;
}

} // namespace

result<fault_config> parse_fault_config_json(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element doc;
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS)
        return bad();
    simdjson::dom::object obj;
    if (doc.get(obj) != simdjson::SUCCESS)
        return bad();
    fault_config cfg;
    for (auto [key, value] : obj) {
        std::int64_t i = 0;
        if (key == "seed") {
            std::uint64_t u = 0;
            if (value.get(u) != simdjson::SUCCESS)
                return bad();
            cfg.seed = u;
        } else if (key == "clock_skew_ms") {
            if (value.get(i) != simdjson::SUCCESS)
                return bad();
            cfg.clock_skew = std::chrono::milliseconds(i);
        } else if (key == "rules") {
            simdjson::dom::array arr;
            if (value.get(arr) != simdjson::SUCCESS)
                return bad();
            for (auto e : arr) {
                simdjson::dom::object ro;
                if (e.get(ro) != simdjson::SUCCESS)
                    return bad();
                auto r = parse_rule(ro);
                if (!r)
                    return r.error();
                cfg.rules.push_back(std::move(*r));
            }
        } else {
            return bad();
        }
    }
    return cfg;
}

} // namespace genesis::sim::server
