// Shared helpers of the OMS tests: temp dir, a task queue standing in for the processing thread,
// an in-test venue that holds every request until the test answers it, and sample reports.
#pragma once

#include "genesis/gateway/oms/oms.hpp"
#include "genesis/log/memory_sink.hpp"

#include <spdlog/logger.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include "../db/db_test_support.hpp"

namespace genesis::gateway::test {

using namespace std::chrono_literals;

/// A fresh directory under the system temp dir, removed afterwards (shared with the db tests).
using genesis::db::test::temp_dir;

/// The processing thread of the tests: tasks posted from any thread run when the test drains them.
class task_queue {
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;

public:
    void post(std::function<void()> f) {
        {
            std::lock_guard lk(m_);
            tasks_.push_back(std::move(f));
        }
        cv_.notify_all();
    }
    task_poster poster() {
        return [this](std::function<void()> f) { post(std::move(f)); };
    }
    /// Runs every task queued now (and those they queue); returns how many ran.
    std::size_t run_pending() {
        std::size_t n = 0;
        while (true) {
            std::function<void()> f;
            {
                std::lock_guard lk(m_);
                if (tasks_.empty())
                    return n;
                f = std::move(tasks_.front());
                tasks_.pop_front();
            }
            f();
            ++n;
        }
    }
    /// Runs tasks until pred holds, waiting for new ones up to `limit` (a bound, not a sleep).
    bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (true) {
            run_pending();
            if (pred())
                return true;
            std::unique_lock lk(m_);
            if (!cv_.wait_until(lk, deadline, [&] { return !tasks_.empty(); }))
                return pred();
        }
    }
};

/// An order_venue whose requests wait in lists until the test answers them.
class fake_venue final : public order_venue {
public:
    struct place_call {
        order_intent intent;
        venue_callback<execution_report> done;
    };
    struct query_call {
        symbol sym;
        client_order_id id;
        venue_callback<std::optional<execution_report>> done;
    };
    struct order_id_query_call {
        symbol sym;
        std::uint64_t order_id = 0;
        venue_callback<std::optional<execution_report>> done;
    };
    struct cancel_call {
        cancel_intent intent;
        venue_callback<execution_report> done;
    };
    struct trades_call {
        symbol sym;
        std::uint64_t from = 0;
        venue_callback<std::vector<db::fill_record>> done;
    };

    std::vector<place_call> places;
    std::vector<query_call> queries;
    std::vector<order_id_query_call> order_id_queries;
    std::vector<cancel_call> cancels;
    std::vector<venue_callback<std::vector<execution_report>>> open_order_calls;
    std::vector<trades_call> trade_calls;
    std::vector<venue_callback<std::vector<balance>>> account_calls;
    /// Runs inside place(), before the request is stored (the "sender" seeing it).
    std::function<void(const order_intent&)> on_place;

    void place(const order_intent& intent, venue_callback<execution_report> done) override {
        if (on_place)
            on_place(intent);
        places.push_back({intent, std::move(done)});
    }
    void cancel(const cancel_intent& intent, venue_callback<execution_report> done) override {
        cancels.push_back({intent, std::move(done)});
    }
    void query(const symbol& sym, const client_order_id& id,
               venue_callback<std::optional<execution_report>> done) override {
        queries.push_back({sym, id, std::move(done)});
    }
    void query_order_id(const symbol& sym, std::uint64_t order_id,
                        venue_callback<std::optional<execution_report>> done) override {
        order_id_queries.push_back({sym, order_id, std::move(done)});
    }
    void open_orders(venue_callback<std::vector<execution_report>> done) override {
        open_order_calls.push_back(std::move(done));
    }
    void my_trades(const symbol& sym, std::uint64_t from, venue_callback<std::vector<db::fill_record>> done) override {
        trade_calls.push_back({sym, from, std::move(done)});
    }
    void account(venue_callback<std::vector<balance>> done) override { account_calls.push_back(std::move(done)); }
};

inline const venue_id test_venue = venue_id::truncating("sim");
inline const symbol btc = symbol::truncating("BTCUSDT");

inline decimal dec(std::string_view s) { return *decimal::parse(s); }

/// A limit buy/sell intent on BTCUSDT.
inline order_intent limit_intent(side sd = side::buy, std::string_view qty = "1", std::string_view price = "100") {
    order_intent in;
    in.strategy_id = 1;
    in.venue = test_venue;
    in.sym = btc;
    in.order_side = sd;
    in.type = order_type::limit;
    in.tif = time_in_force::gtc;
    in.price = dec(price);
    in.quantity = dec(qty);
    return in;
}

/// The venue's report about an order.
inline execution_report report(const client_order_id& id, order_status st, std::string_view cum = "0",
                               std::uint64_t order_id = 1001) {
    execution_report r;
    r.venue = test_venue;
    r.sym = btc;
    r.order_id = order_id;
    r.client_id = id;
    r.order_side = side::buy;
    r.type = order_type::limit;
    r.price = dec("100");
    r.quantity = dec("1");
    r.status = st;
    r.exec_type = st == order_status::canceled ? execution_type::canceled : execution_type::new_;
    r.cumulative_quantity = dec(cum);
    r.reject_reason = "NONE";
    return r;
}

/// A trade report: last_qty at price, cumulative cum, with a trade id.
inline execution_report trade_report(const client_order_id& id, std::uint64_t trade_id, std::string_view last_qty,
                                     std::string_view price, std::string_view cum, order_status st, side sd = side::buy,
                                     std::uint64_t order_id = 1001) {
    auto r = report(id, st, cum, order_id);
    r.order_side = sd;
    r.exec_type = execution_type::trade;
    r.trade_id = trade_id;
    r.last_quantity = dec(last_qty);
    r.last_price = dec(price);
    r.commission = dec("0.001");
    r.commission_asset = asset::truncating("USDT");
    return r;
}

/// A trade as my_trades returns it.
inline db::fill_record venue_trade(std::uint64_t trade_id, std::uint64_t order_id, std::string_view qty,
                                   std::string_view price, side sd = side::buy) {
    db::fill_record f;
    f.venue = test_venue;
    f.sym = btc;
    f.trade_id = trade_id;
    f.order_id = order_id;
    f.order_side = sd;
    f.price = dec(price);
    f.quantity = dec(qty);
    f.commission = dec("0.001");
    f.commission_asset = asset::truncating("USDT");
    return f;
}

/// A database, venue, queue and clock, and an OMS over them that can be "crashed" and restarted.
class oms_harness {
public:
    temp_dir dir;
    manual_clock clk;
    task_queue queue;
    fake_venue venue;
    /// What the OMS logs, kept in memory for the tests to read.
    std::shared_ptr<log::memory_sink> log_lines = std::make_shared<log::memory_sink>();
    log::logger_ptr logger = std::make_shared<spdlog::logger>("oms", log_lines);
    std::unique_ptr<db::database> db;
    std::unique_ptr<oms> o;
    oms_config cfg;
    std::chrono::microseconds commit_window{200};
    /// What the OMS told deps.on_update, in order.
    std::vector<execution_report> updates;

    oms_harness() {
        cfg.venue = test_venue;
        cfg.ids.instance = "gw1";
        cfg.ids.block_size = 16;
        cfg.ids.refill_below = 4;
        cfg.symbols = {{btc, asset::truncating("BTC"), asset::truncating("USDT")}};
        cfg.lookup_min_not_found = 3;
        cfg.lookup_interval = 1s;
        cfg.lookup_min_age = 5s;
    }

    db::db_config db_config() {
        db::db_config c;
        c.primary = dir / "primary.db";
        c.replicas = {dir / "replica1.db"};
        c.clock = &clk;
        c.group_commit_window = commit_window;
        return c;
    }

    void open_db(std::uint32_t max_pages = 0) {
        auto c = db_config();
        c.max_page_count = max_pages;
        auto r = db::database::open(c);
        ASSERT_TRUE(r) << r.error().message();
        db = std::move(*r);
    }

    /// A new OMS over the same database (a restart); the venue's pending calls are dropped.
    void make_oms() {
        o.reset();
        queue.run_pending();
        venue = fake_venue{};
        oms_deps d;
        d.clk = &clk;
        d.db = db.get();
        d.venue = &venue;
        d.post = queue.poster();
        d.log = logger;
        d.on_update = [this](const execution_report& r) { updates.push_back(r); };
        o = std::make_unique<oms>(cfg, std::move(d));
    }

    /// Answers every request the venue holds as an empty venue would: no open orders, no trades,
    /// no balances, "order does not exist".
    void answer_empty() {
        auto opens = std::move(venue.open_order_calls);
        auto queries = std::move(venue.queries);
        auto by_order_id = std::move(venue.order_id_queries);
        venue.order_id_queries.clear();
        auto trades = std::move(venue.trade_calls);
        auto accounts = std::move(venue.account_calls);
        venue.open_order_calls.clear();
        venue.queries.clear();
        venue.trade_calls.clear();
        venue.account_calls.clear();
        for (auto& c : opens)
            c(std::vector<execution_report>{});
        for (auto& q : queries)
            q.done(std::optional<execution_report>{});
        for (auto& q : by_order_id)
            q.done(std::optional<execution_report>{});
        for (auto& t : trades)
            t.done(std::vector<db::fill_record>{});
        for (auto& a : accounts)
            a(std::vector<balance>{});
        queue.run_pending();
    }

    /// Starts against an empty venue and drives time until reconciliation succeeds.
    void start_empty() {
        std::optional<result<void>> outcome;
        o->start([&](result<void> r) { outcome = r; });
        for (int i = 0; i < 100 && !outcome; ++i) {
            answer_empty();
            if (outcome)
                break;
            clk.advance(cfg.lookup_interval);
            o->on_tick();
        }
        ASSERT_TRUE(outcome.has_value());
        ASSERT_TRUE(*outcome) << outcome->error().message();
        ASSERT_EQ(o->health().state, oms_state::trading);
    }

    /// Journal rows of the database after a flush.
    std::vector<db::journal_entry> journal() {
        EXPECT_TRUE(db->flush());
        auto r = db->replay(0);
        EXPECT_TRUE(r);
        return r ? *r : std::vector<db::journal_entry>{};
    }
};

} // namespace genesis::gateway::test
