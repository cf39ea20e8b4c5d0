// A services implementation standing in for the gateway: records every call, assigns client ids,
// refuses the next placement on demand, and runs on a manual clock.
#pragma once

#include "genesis/gateway/plugins/host.hpp"

#include <genesis/log/memory_sink.hpp>

#include <spdlog/logger.h>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace genesis::test {

namespace plugins = genesis::gateway::plugins;
using namespace std::chrono_literals;

/// Every call the host made, in order.
class recording_services final : public plugins::services {
public:
    struct placed {
        std::uint32_t strategy_id;
        order_intent intent;
        client_order_id id;
    };
    manual_clock clk{time_point{1'000'000'000}};
    std::vector<placed> placed_orders;
    std::vector<client_order_id> cancels;
    std::vector<std::uint32_t> cancel_alls;
    std::vector<std::string> logs;
    std::optional<std::string> reject_next; ///< the next place() is refused with this reason
    int next_id = 1;
    plugins::host* ack_host = nullptr; ///< when set, place() acknowledges synchronously through it

    plugins::place_outcome place(std::uint32_t strategy_id, const order_intent& intent) override {
        if (reject_next) {
            auto why = *reject_next;
            reject_next.reset();
            return plugins::place_outcome::reject(why);
        }
        auto id = client_order_id::truncating("c" + std::to_string(next_id++));
        placed_orders.push_back({strategy_id, intent, id});
        if (ack_host) {
            execution_report ack;
            ack.sym = intent.sym;
            ack.client_id = id;
            ack.order_side = intent.order_side;
            ack.status = order_status::new_;
            ack_host->on_execution(ack);
        }
        return plugins::place_outcome::accept(id);
    }
    plugins::cancel_outcome cancel(std::uint32_t, const client_order_id& id) override {
        cancels.push_back(id);
        return {true, {}};
    }
    std::optional<plugins::order_info> query(const client_order_id& id) override {
        for (const auto& p : placed_orders)
            if (p.id == id)
                return plugins::order_info{p.intent.sym,
                                           p.intent.order_side,
                                           p.intent.type,
                                           order_status::new_,
                                           p.intent.price.value_or(decimal{}),
                                           *p.intent.quantity,
                                           decimal{}};
        return std::nullopt;
    }
    std::optional<plugins::position_info> position(const symbol&) override { return std::nullopt; }
    std::optional<balance> balance_of(const asset&) override { return std::nullopt; }
    void log(std::string_view strategy, plugins::strategy_log_level, std::string_view message) override {
        logs.push_back(std::string(strategy) + ": " + std::string(message));
    }
    void cancel_all(std::uint32_t strategy_id) override { cancel_alls.push_back(strategy_id); }
    time_point now() override { return clk.now(); }

    /// The orders placed since index `from`.
    std::vector<placed> since(std::size_t from) const {
        return {placed_orders.begin() + static_cast<std::ptrdiff_t>(from), placed_orders.end()};
    }
};

/// A decimal from a literal string (the test fails on a malformed one).
inline decimal d(std::string_view s) {
    auto r = decimal::parse(s);
    EXPECT_TRUE(r.has_value()) << s;
    return r ? *r : decimal{};
}

/// An execution report for an order: a fill when last_qty is set, else a status change. cum: the
/// order's cumulative quantity after it (default last_qty: the order's first fill).
inline execution_report report(const client_order_id& id, side sd, order_status st, execution_type et,
                               decimal last_qty = {}, decimal last_price = {}, std::optional<decimal> cum = {}) {
    execution_report r;
    r.sym = symbol::truncating("BTCUSDT");
    r.client_id = id;
    r.order_side = sd;
    r.status = st;
    r.exec_type = et;
    r.last_quantity = last_qty;
    r.last_price = last_price;
    r.cumulative_quantity = cum.value_or(last_qty);
    r.reject_reason = "NONE";
    return r;
}

/// Host + recording services + an in-memory log, per test.
class plugins_fixture : public ::testing::Test {
protected:
    recording_services svc;
    std::shared_ptr<log::memory_sink> sink = std::make_shared<log::memory_sink>();
    log::logger_ptr logger = std::make_shared<spdlog::logger>("plugins", sink);
    plugins::host host{svc, logger};
    const symbol btc = symbol::truncating("BTCUSDT");

    /// Sends a one-level book.
    void book(std::string_view bid, std::string_view ask, bool valid = true, nanos age = 0ns) {
        const std::vector<book_level> bids{{d(bid), d("1")}};
        const std::vector<book_level> asks{{d(ask), d("1")}};
        host.on_book(btc, bids, asks, valid, age);
    }
    /// The state blob the host holds for name (after asking the strategies to save).
    std::string blob_of(std::string_view name) {
        for (auto& [n, b] : host.states())
            if (n == name)
                return b;
        return {};
    }
    const plugins::strategy_status& status_of(std::string_view name) {
        statuses_ = host.status();
        for (const auto& s : statuses_)
            if (s.name == name)
                return s;
        ADD_FAILURE() << "no status for " << name;
        return statuses_.front();
    }

private:
    std::vector<plugins::strategy_status> statuses_;
};

} // namespace genesis::test
