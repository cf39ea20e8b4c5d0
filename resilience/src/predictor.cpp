#include "genesis/resilience/predictor.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>
#include <vector>

namespace genesis::resilience {

using std::chrono::milliseconds;

// A fixed-size ring of samples with running sums, so decisions are O(1).
struct predictor::series {
    std::vector<sample> ring;
    std::size_t next = 0;
    std::size_t count = 0;
    std::int64_t latency_sum_ns = 0;
    std::size_t successes = 0;
    // Percentiles are recomputed lazily after a change.
    bool dirty = true;
    latency_percentiles cached;

    explicit series(std::size_t window) : ring(std::max<std::size_t>(window, 1)) {}

    void push(sample s) {
        if (count == ring.size()) {
            const sample& old = ring[next];
            latency_sum_ns -= old.latency.count();
            successes -= old.ok ? 1 : 0;
        } else {
            ++count;
        }
        ring[next] = s;
        latency_sum_ns += s.latency.count();
        successes += s.ok ? 1 : 0;
        next = (next + 1) % ring.size();
        dirty = true;
    }

    // i-th most recent sample, 0 = newest.
    const sample& back(std::size_t i) const { return ring[(next + ring.size() - 1 - i) % ring.size()]; }

    double probability() const {
        if (count == 0)
            return 0.5;
        const nanos avg{latency_sum_ns / static_cast<std::int64_t>(count)};
        double base = latency_band(avg);
        // A rising trend beats the band: a slowing endpoint is worse than its average says.
        if (count >= 5 && back(0).latency - back(4).latency > milliseconds{100}) {
            const double avg_s = std::chrono::duration<double>(avg).count();
            base = std::max(0.1, 0.9 - 2.0 * avg_s);
        }
        return base * (static_cast<double>(successes) / static_cast<double>(count));
    }

    const latency_percentiles& percentiles() {
        if (!dirty)
            return cached;
        std::vector<nanos> v;
        v.reserve(count);
        for (std::size_t i = 0; i < count; ++i)
            v.push_back(back(i).latency);
        std::sort(v.begin(), v.end());
        // Nearest rank: the smallest value with at least q of the samples at or below it.
        const auto rank = [&](std::size_t percent) {
            const std::size_t r = (percent * v.size() + 99) / 100;
            return v[std::clamp<std::size_t>(r, 1, v.size()) - 1];
        };
        cached = {rank(50), rank(95), rank(99), v.size()};
        dirty = false;
        return cached;
    }
};

predictor::predictor(predictor_options options) : options_(options) {}
predictor::~predictor() = default;

double predictor::latency_band(nanos avg) noexcept {
    if (avg < milliseconds{50})
        return 0.99;
    if (avg < milliseconds{100})
        return 0.95;
    if (avg < milliseconds{200})
        return 0.85;
    if (avg < milliseconds{500})
        return 0.65;
    if (avg < milliseconds{1000})
        return 0.4;
    return 0.2;
}

predictor::series* predictor::find_locked(std::string_view endpoint, std::string_view operation) const {
    const auto it = series_.find(std::pair<std::string_view, std::string_view>(endpoint, operation));
    return it == series_.end() ? nullptr : it->second.get();
}

void predictor::record(std::string_view endpoint, std::string_view operation, nanos latency, bool ok) {
    std::lock_guard lock(mutex_);
    auto* s = find_locked(endpoint, operation);
    if (s == nullptr) {
        auto [it, inserted] = series_.emplace(std::pair<std::string, std::string>(endpoint, operation),
                                              std::make_unique<series>(options_.window));
        s = it->second.get();
    }
    s->push({latency, ok});
}

std::vector<predictor::window> predictor::windows() const {
    std::lock_guard lock(mutex_);
    std::vector<window> out;
    out.reserve(series_.size());
    for (const auto& [key, s] : series_) {
        window w{key.first, key.second, {}};
        w.samples.reserve(s->count);
        for (std::size_t i = s->count; i-- > 0;)
            w.samples.push_back(s->back(i));
        out.push_back(std::move(w));
    }
    std::sort(out.begin(), out.end(), [](const window& a, const window& b) {
        return std::tie(a.endpoint, a.operation) < std::tie(b.endpoint, b.operation);
    });
    return out;
}

void predictor::load(const std::vector<window>& windows) {
    for (const auto& w : windows)
        for (const auto& smp : w.samples)
            record(w.endpoint, w.operation, smp.latency, smp.ok);
}

double predictor::success_probability(std::string_view endpoint, std::string_view operation) const {
    std::lock_guard lock(mutex_);
    const auto* s = find_locked(endpoint, operation);
    return s == nullptr ? 0.5 : s->probability();
}

unsigned predictor::attempts(std::string_view endpoint, std::string_view operation) const {
    return attempts_for(success_probability(endpoint, operation));
}

std::optional<latency_percentiles> predictor::percentiles(std::string_view endpoint, std::string_view operation) const {
    std::lock_guard lock(mutex_);
    auto* s = find_locked(endpoint, operation);
    if (s == nullptr || s->count == 0)
        return std::nullopt;
    return s->percentiles();
}

std::size_t predictor::samples(std::string_view endpoint, std::string_view operation) const {
    std::lock_guard lock(mutex_);
    const auto* s = find_locked(endpoint, operation);
    return s == nullptr ? 0 : s->count;
}

} // namespace genesis::resilience
