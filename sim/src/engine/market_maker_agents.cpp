#include "genesis/sim/market_maker_agents.hpp"

#include "exchange_impl.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace genesis::sim {
namespace {

constexpr double ns_per_second = 1e9;

// Stamps every exchange call of one agent action with the action's scheduled time.
class stamp_guard {
    std::optional<time_point>& slot_;

public:
    stamp_guard(std::optional<time_point>& slot, time_point t) : slot_(slot) { slot_ = t; }
    ~stamp_guard() { slot_.reset(); }
    stamp_guard(const stamp_guard&) = delete;
    stamp_guard& operator=(const stamp_guard&) = delete;
};

} // namespace

market_maker_agents::market_maker_agents(agents_config cfg, const exchange& ex, account_id account)
        : config_(std::move(cfg)), rng_(config_.seed), account_(account) {
    for (const auto& mc : config_.markets) {
        const instrument* inst = ex.find_instrument(mc.sym);
        if (!inst || mc.orders_per_second <= 0.0 || !mc.start_mid.is_positive())
            continue;
        market_state m;
        m.config = mc;
        m.tick = inst->tick_size.is_positive() ? inst->tick_size : decimal::from_raw(1'000'000);
        m.step = inst->step_size.is_positive() ? inst->step_size : decimal::from_raw(1'000);
        m.config.levels = std::max(1, mc.levels);
        m.config.spread_ticks = std::max(1, mc.spread_ticks);
        m.fair_ticks = mc.start_mid.raw() / m.tick.raw();
        // Quotes must clear NOTIONAL: raise the smallest size when the configured one does not.
        const double step_value = static_cast<double>(m.step.raw()) * static_cast<double>(mc.start_mid.raw()) /
                                  static_cast<double>(decimal::one_raw) / static_cast<double>(decimal::one_raw);
        const double min_notional = static_cast<double>(inst->min_notional.raw()) / decimal::one_raw;
        const auto needed = static_cast<std::int64_t>(std::ceil(min_notional * 1.5 / step_value));
        m.config.min_qty_steps = std::max({mc.min_qty_steps, needed, std::int64_t{1}});
        m.config.max_qty_steps = std::max(m.config.min_qty_steps, mc.max_qty_steps);
        markets_.push_back(std::move(m));
    }
}

double market_maker_agents::uniform() noexcept { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

double market_maker_agents::normal() noexcept {
    const double u1 = 1.0 - uniform(); // (0, 1]: log is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double market_maker_agents::exponential(double rate) noexcept { return -std::log(1.0 - uniform()) / rate; }

std::int64_t market_maker_agents::uniform_int(std::int64_t lo, std::int64_t hi) noexcept {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(rng_() % span);
}

std::size_t market_maker_agents::open_orders(const symbol& sym) const noexcept {
    for (const auto& m : markets_)
        if (m.config.sym == sym)
            return m.open_orders.size();
    return 0;
}

void market_maker_agents::place_quote(exchange& ex, market_state& m, side s, std::int64_t offset_ticks) {
    const std::int64_t ticks = s == side::buy ? m.fair_ticks - offset_ticks : m.fair_ticks + offset_ticks;
    if (ticks <= 0)
        return;
    new_order_request req;
    req.sym = m.config.sym;
    req.order_side = s;
    req.type = order_type::limit;
    req.tif = time_in_force::gtc;
    req.price = decimal::from_raw(ticks * m.tick.raw());
    req.quantity = decimal::from_raw(uniform_int(m.config.min_qty_steps, m.config.max_qty_steps) * m.step.raw());
    req.client_id = client_order_id::truncating("agent-" + std::to_string(++client_seq_));
    // A refusal (balance, filters) just means this quote is not placed.
    if (auto r = ex.new_order(account_, req); r && !is_final(r->order.status))
        m.open_orders.push_back(r->order.order_id);
}

void market_maker_agents::cancel_one(exchange& ex, market_state& m, std::size_t index) {
    const std::uint64_t id = m.open_orders[index];
    m.open_orders.erase(m.open_orders.begin() + static_cast<std::ptrdiff_t>(index));
    cancel_request req;
    req.sym = m.config.sym;
    req.order_id = id;
    (void)ex.cancel_order(account_, req);
}

void market_maker_agents::seed_book(exchange& ex, market_state& m, time_point t) {
    stamp_guard guard(ex.impl_->stamp, t);
    for (int k = 1; k <= m.config.levels; ++k) {
        place_quote(ex, m, side::buy, std::int64_t{k} * m.config.spread_ticks);
        place_quote(ex, m, side::sell, std::int64_t{k} * m.config.spread_ticks);
    }
}

void market_maker_agents::act(exchange& ex, market_state& m, time_point t) {
    stamp_guard guard(ex.impl_->stamp, t);
    // Forget orders that traded away since the last action.
    if (const market* mk = ex.impl_->find_market(m.config.sym)) {
        std::erase_if(m.open_orders, [&](std::uint64_t id) { return mk->book.find(id) == nullptr; });
    }

    // The fair price walks in whole ticks: relative volatility scaled by sqrt(elapsed time).
    const double dt = static_cast<double>((t - m.last_action).count()) / ns_per_second;
    m.last_action = t;
    const double sigma = m.config.volatility * std::sqrt(std::max(dt, 0.0)) * static_cast<double>(m.fair_ticks);
    m.fair_ticks += std::llround(normal() * sigma);
    m.fair_ticks = std::max<std::int64_t>(m.fair_ticks, std::int64_t{m.config.levels} * m.config.spread_ticks + 1);

    const double u = uniform();
    if (u < m.config.cancel_probability && !m.open_orders.empty()) {
        cancel_one(ex, m,
                   static_cast<std::size_t>(uniform_int(0, static_cast<std::int64_t>(m.open_orders.size()) - 1)));
    } else if (u < m.config.cancel_probability + m.config.take_probability) {
        new_order_request req;
        req.sym = m.config.sym;
        req.order_side = uniform() < 0.5 ? side::buy : side::sell;
        req.type = order_type::market;
        req.quantity = decimal::from_raw(uniform_int(m.config.min_qty_steps, m.config.max_qty_steps) * m.step.raw());
        req.client_id = client_order_id::truncating("agent-" + std::to_string(++client_seq_));
        (void)ex.new_order(account_, req);
    } else {
        const side s = uniform() < 0.5 ? side::buy : side::sell;
        place_quote(ex, m, s, uniform_int(1, std::int64_t{m.config.levels} * m.config.spread_ticks));
    }
    while (m.open_orders.size() > std::max<std::size_t>(m.config.max_open_orders, 1))
        cancel_one(ex, m, 0);
}

void market_maker_agents::advance_to(exchange& ex, time_point t) {
    // The clock went back (genesis-sim's clock_skew fault taken back): the schedule moves back
    // with it, so the market goes on instead of waiting for the clock to catch up.
    if (advanced_to_.ns != 0 && t < advanced_to_) {
        const nanos back = advanced_to_ - t;
        for (auto& m : markets_) {
            m.next_action = m.next_action - back;
            m.last_action = m.last_action - back;
        }
    }
    advanced_to_ = t;
    for (auto& m : markets_) {
        if (m.seeded)
            continue;
        m.seeded = true;
        m.last_action = t;
        seed_book(ex, m, t);
        m.next_action = t + nanos{static_cast<std::int64_t>(exponential(m.config.orders_per_second) * ns_per_second)};
    }
    // Run actions in time order across markets; ties go to the market listed first.
    std::vector<std::size_t> done(markets_.size(), 0);
    for (;;) {
        market_state* next = nullptr;
        std::size_t next_i = 0;
        for (std::size_t i = 0; i < markets_.size(); ++i) {
            auto& m = markets_[i];
            if (m.next_action > t || done[i] >= config_.max_actions_per_advance)
                continue;
            if (!next || m.next_action < next->next_action) {
                next = &m;
                next_i = i;
            }
        }
        if (!next)
            break;
        const time_point at = next->next_action;
        act(ex, *next, at);
        ++done[next_i];
        next->next_action =
            at + nanos{std::max<std::int64_t>(
                     1, static_cast<std::int64_t>(exponential(next->config.orders_per_second) * ns_per_second))};
    }
    // A capped market skips the rest of the gap instead of replaying it later.
    for (auto& m : markets_) {
        if (m.next_action <= t) {
            m.last_action = t;
            m.next_action =
                t + nanos{std::max<std::int64_t>(
                        1, static_cast<std::int64_t>(exponential(m.config.orders_per_second) * ns_per_second))};
        }
    }
}

} // namespace genesis::sim
