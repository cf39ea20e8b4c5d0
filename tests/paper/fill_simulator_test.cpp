// The paper fill simulator through its public interface: a hand-built book (bids and asks the test
// sets, as the gateway's local book would show them), a manual clock, and the events it emits.
#include "genesis/gateway/paper/fill_simulator.hpp"

#include "genesis/config/loader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

namespace genesis::gateway::paper {
namespace {

decimal dec(std::string_view s) { return *decimal::parse(s); }

// A static book: levels per side, best first.
class test_book final : public book_view {
public:
    std::vector<book_level> bids, asks;
    bool ok = true;

    bool valid() const override { return ok; }
    std::size_t depth(side s) const override { return (s == side::buy ? bids : asks).size(); }
    book_level level(side s, std::size_t i) const override { return (s == side::buy ? bids : asks)[i]; }
    decimal quantity_at(side s, decimal price) const override {
        for (const auto& l : s == side::buy ? bids : asks)
            if (l.price == price)
                return l.quantity;
        return {};
    }
};

class FillSimulatorTest : public ::testing::Test {
protected:
    manual_clock clk;
    test_book book;
    std::vector<execution_report> reports;
    std::vector<account_update> accounts;
    std::unique_ptr<fill_simulator> sim;
    int next_id = 1;
    std::uint64_t next_trade = 1;

    void SetUp() override { make({{"USDT", "10000"}, {"BTC", "1"}}); }

    void make(std::map<std::string, std::string> balances, std::string maker_bps = "2", std::string taker_bps = "5") {
        paper_config c;
        c.maker_fee_bps = dec(maker_bps);
        c.taker_fee_bps = dec(taker_bps);
        for (const auto& [a, v] : balances)
            c.balances[asset::truncating(a)] = dec(v);
        paper_sink s;
        s.on_execution = [this](const execution_report& r) { reports.push_back(r); };
        s.on_account = [this](const account_update& u) { accounts.push_back(u); };
        sim = std::make_unique<fill_simulator>(c, clk, s, venue_id::truncating("binance"));
        instrument rules;
        rules.name = symbol::truncating("BTCUSDT");
        rules.base = asset::truncating("BTC");
        rules.quote = asset::truncating("USDT");
        rules.tick_size = dec("0.01");
        rules.step_size = dec("0.001");
        rules.min_qty = dec("0.001");
        rules.min_notional = dec("5");
        sim->add_symbol(rules, &book);
        // 100.00 / 101.00 with depth behind.
        book.bids = {{dec("100"), dec("2")}, {dec("99.5"), dec("3")}};
        book.asks = {{dec("101"), dec("1")}, {dec("101.5"), dec("2")}, {dec("102"), dec("5")}};
    }

    order_intent intent(side s, order_type t, std::optional<std::string> price, std::string qty,
                        time_in_force tif = time_in_force::gtc) {
        order_intent in;
        in.venue = venue_id::truncating("binance");
        in.sym = symbol::truncating("BTCUSDT");
        in.client_id = client_order_id::truncating("gn-t-" + std::to_string(next_id++));
        in.order_side = s;
        in.type = t;
        in.tif = tif;
        if (price)
            in.price = dec(*price);
        in.quantity = dec(qty);
        return in;
    }

    execution_report place(const order_intent& in) {
        std::optional<result<execution_report>> got;
        sim->place(in, [&](result<execution_report> r) { got = std::move(r); });
        EXPECT_TRUE(got && *got); // answered inline
        return got && *got ? **got : execution_report{};
    }

    void trade_at(std::string price, std::string qty, bool buyer_is_maker) {
        trade t;
        t.sym = symbol::truncating("BTCUSDT");
        t.trade_id = next_trade++;
        t.price = dec(price);
        t.quantity = dec(qty);
        t.buyer_is_maker = buyer_is_maker;
        sim->on_trade(t);
    }

    std::vector<execution_report> trades_of(const order_intent& in) const {
        std::vector<execution_report> out;
        for (const auto& r : reports)
            if (r.client_id == in.client_id && r.exec_type == execution_type::trade)
                out.push_back(r);
        return out;
    }

    balance bal(std::string_view a) const {
        for (const auto& b : sim->balances())
            if (b.name.view() == a)
                return b;
        return {};
    }

    const paper_order& order_of(const order_intent& in) const { return *sim->find_order(in.client_id); }
};

TEST_F(FillSimulatorTest, placeCrossingLimitWalksLevelsAsTaker) {
    // Buy 2.5 up to 101.5: 1 @ 101 and 1.5 @ 101.5, the rest of 101.5 stays.
    const auto in = intent(side::buy, order_type::limit, "101.5", "2.5");
    const auto ack = place(in);
    EXPECT_EQ(ack.status, order_status::new_);
    EXPECT_EQ(ack.exec_type, execution_type::new_);
    const auto t = trades_of(in);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].last_price, dec("101"));
    EXPECT_EQ(t[0].last_quantity, dec("1"));
    EXPECT_EQ(t[0].status, order_status::partially_filled);
    EXPECT_FALSE(t[0].is_maker);
    EXPECT_EQ(t[1].last_price, dec("101.5"));
    EXPECT_EQ(t[1].last_quantity, dec("1.5"));
    EXPECT_EQ(t[1].status, order_status::filled);
    EXPECT_EQ(t[1].cumulative_quantity, dec("2.5"));
    EXPECT_EQ(t[1].cumulative_quote, dec("253.25"));
    EXPECT_NE(*t[0].trade_id, *t[1].trade_id);
    // Paid 253.25 USDT; received 2.5 BTC less 5 bps taker commission in BTC (0.00125).
    EXPECT_EQ(bal("USDT").free, dec("9746.75"));
    EXPECT_EQ(bal("USDT").locked, dec("0"));
    EXPECT_EQ(bal("BTC").free, dec("3.49875"));
    EXPECT_EQ(t[0].commission_asset.view(), "BTC");
    EXPECT_EQ(t[0].commission, dec("0.0005"));
}

TEST_F(FillSimulatorTest, placeMarketBuyByQuantityWalksLevels) {
    const auto in = intent(side::buy, order_type::market, std::nullopt, "1.5");
    place(in);
    const auto t = trades_of(in);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[1].status, order_status::filled);
    EXPECT_EQ(t[1].cumulative_quote, dec("151.75"));
    EXPECT_EQ(bal("USDT").free, dec("9848.25"));
}

TEST_F(FillSimulatorTest, placeRestingLimitJoinsBehindDisplayedQuantity) {
    const auto in = intent(side::buy, order_type::limit, "100", "1");
    place(in);
    EXPECT_TRUE(trades_of(in).empty());
    EXPECT_EQ(order_of(in).status, order_status::new_);
    EXPECT_EQ(order_of(in).queue_ahead, dec("2"));
    // 100 x 1 USDT locked.
    EXPECT_EQ(bal("USDT").free, dec("9900"));
    EXPECT_EQ(bal("USDT").locked, dec("100"));
    // A better price than the best bid is a new level: nobody ahead.
    const auto better = intent(side::buy, order_type::limit, "100.5", "0.1");
    place(better);
    EXPECT_EQ(order_of(better).queue_ahead, dec("0"));
}

TEST_F(FillSimulatorTest, onTradeAtPriceReducesQueueThenFillsPartially) {
    const auto in = intent(side::buy, order_type::limit, "100", "1");
    place(in);
    // Sellers hit 100: 1.5 of the 2 ahead.
    trade_at("100", "1.5", true);
    EXPECT_TRUE(trades_of(in).empty());
    EXPECT_EQ(order_of(in).queue_ahead, dec("0.5"));
    // 0.8 more: 0.5 clears the queue, 0.3 fills us (maker, at our price).
    trade_at("100", "0.8", true);
    auto t = trades_of(in);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].last_quantity, dec("0.3"));
    EXPECT_EQ(t[0].last_price, dec("100"));
    EXPECT_TRUE(t[0].is_maker);
    EXPECT_EQ(t[0].status, order_status::partially_filled);
    // Maker 2 bps in BTC on 0.3: 0.00006.
    EXPECT_EQ(t[0].commission, dec("0.00006"));
    EXPECT_EQ(bal("USDT").locked, dec("70"));
    // A trade at our price by a buyer (the aggressor on our side) does not reach us.
    trade_at("100", "5", false);
    EXPECT_EQ(trades_of(in).size(), 1u);
}

TEST_F(FillSimulatorTest, onTradeThroughPriceFillsUpToTradeQuantity) {
    const auto in = intent(side::buy, order_type::limit, "100", "1");
    place(in);
    // A sale at 99.9 went through 100: we are filled by the trade's quantity, at our price.
    trade_at("99.9", "0.4", true);
    auto t = trades_of(in);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].last_quantity, dec("0.4"));
    EXPECT_EQ(t[0].last_price, dec("100"));
    EXPECT_EQ(order_of(in).queue_ahead, dec("0"));
    trade_at("99.5", "3", false);
    t = trades_of(in);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[1].last_quantity, dec("0.6"));
    EXPECT_EQ(t[1].status, order_status::filled);
    EXPECT_EQ(bal("USDT").locked, dec("0"));
    EXPECT_EQ(bal("USDT").free, dec("9900"));
}

TEST_F(FillSimulatorTest, onBookShrinkingLevelMovesQueueForward) {
    const auto in = intent(side::sell, order_type::limit, "101", "0.5");
    place(in);
    EXPECT_EQ(order_of(in).queue_ahead, dec("1"));
    // Cancels are assumed behind us until the level is smaller than what is ahead.
    book.asks[0].quantity = dec("1.2");
    sim->on_book(symbol::truncating("BTCUSDT"));
    EXPECT_EQ(order_of(in).queue_ahead, dec("1"));
    book.asks[0].quantity = dec("0.25");
    sim->on_book(symbol::truncating("BTCUSDT"));
    EXPECT_EQ(order_of(in).queue_ahead, dec("0.25"));
    // A buyer lifting 101 for 0.5: 0.25 ahead, 0.25 to us; commission in USDT (2 bps of 25.25).
    trade_at("101", "0.5", false);
    auto t = trades_of(in);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].last_quantity, dec("0.25"));
    EXPECT_EQ(t[0].commission_asset.view(), "USDT");
    EXPECT_EQ(t[0].commission, dec("0.00505"));
    EXPECT_EQ(bal("USDT").free, dec("10025.24495"));
    EXPECT_EQ(bal("BTC").locked, dec("0.25"));
}

TEST_F(FillSimulatorTest, onTradeQuantityIsSharedInOurPriceTimePriority) {
    // Two buys at 100 (the older first) and one at 100.5 (better price, new level: nobody ahead).
    const auto older = intent(side::buy, order_type::limit, "100", "0.5");
    const auto newer = intent(side::buy, order_type::limit, "100", "0.5");
    const auto best = intent(side::buy, order_type::limit, "100.5", "0.2");
    place(older);
    place(newer);
    place(best);
    // A sale of 0.6 at 99.9 goes through all three: best first, then the older at 100.
    trade_at("99.9", "0.6", true);
    ASSERT_EQ(trades_of(best).size(), 1u);
    EXPECT_EQ(trades_of(best)[0].last_quantity, dec("0.2"));
    EXPECT_EQ(trades_of(best)[0].last_price, dec("100.5"));
    ASSERT_EQ(trades_of(older).size(), 1u);
    EXPECT_EQ(trades_of(older)[0].last_quantity, dec("0.4"));
    EXPECT_TRUE(trades_of(newer).empty());
}

TEST_F(FillSimulatorTest, placeMarketByQuoteQuantitySpendsUpToTheAmount) {
    auto in = intent(side::buy, order_type::market, std::nullopt, "1");
    in.quantity.reset();
    in.quote_quantity = dec("152");
    place(in);
    // 1 @ 101 (101 USDT), then 51 USDT buys 0.502 @ 101.5 on the 0.001 step (50.953).
    const auto t = trades_of(in);
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[1].last_quantity, dec("0.502"));
    EXPECT_EQ(t[1].cumulative_quote, dec("151.953"));
    EXPECT_EQ(t[1].status, order_status::filled);
    EXPECT_EQ(bal("USDT").free, dec("9848.047"));
    EXPECT_EQ(bal("USDT").locked, dec("0"));
}

TEST_F(FillSimulatorTest, placeAnswerComesBeforeTheStreamEvents) {
    std::vector<std::string> seen;
    paper_sink s;
    s.on_execution = [&](const execution_report& r) { seen.emplace_back(to_string(r.exec_type)); };
    s.on_account = [&](const account_update&) { seen.emplace_back("ACCOUNT"); };
    paper_config c;
    c.balances[asset::truncating("USDT")] = dec("1000");
    fill_simulator f(c, clk, s, venue_id::truncating("binance"));
    instrument rules;
    rules.name = symbol::truncating("BTCUSDT");
    rules.base = asset::truncating("BTC");
    rules.quote = asset::truncating("USDT");
    f.add_symbol(rules, &book);
    f.place(intent(side::buy, order_type::limit, "101", "1"), [&](result<execution_report> r) {
        ASSERT_TRUE(r);
        seen.emplace_back(std::string("ANSWER ") + std::string(to_string(r->status)));
    });
    const std::vector<std::string> expected{"ANSWER NEW", "NEW", "TRADE", "ACCOUNT"};
    EXPECT_EQ(seen, expected);
}

TEST_F(FillSimulatorTest, placeIocLeftoverIsExpired) {
    const auto in = intent(side::buy, order_type::limit, "101", "1.5", time_in_force::ioc);
    place(in);
    const auto t = trades_of(in);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].last_quantity, dec("1"));
    ASSERT_FALSE(reports.empty());
    EXPECT_EQ(reports.back().exec_type, execution_type::expired);
    EXPECT_EQ(reports.back().status, order_status::expired);
    EXPECT_EQ(reports.back().cumulative_quantity, dec("1"));
    // The lock of the unfilled 0.5 came back.
    EXPECT_EQ(bal("USDT").locked, dec("0"));
    EXPECT_EQ(bal("USDT").free, dec("9899"));
}

TEST_F(FillSimulatorTest, placeFokIsAllOrNothing) {
    const auto short_of = intent(side::buy, order_type::limit, "101.5", "3.5", time_in_force::fok);
    place(short_of);
    EXPECT_TRUE(trades_of(short_of).empty());
    EXPECT_EQ(reports.back().status, order_status::expired);
    EXPECT_EQ(bal("USDT").free, dec("10000"));
    const auto enough = intent(side::buy, order_type::limit, "101.5", "3", time_in_force::fok);
    place(enough);
    ASSERT_EQ(trades_of(enough).size(), 2u);
    EXPECT_EQ(trades_of(enough).back().status, order_status::filled);
}

TEST_F(FillSimulatorTest, placeLimitMakerCrossingIsRejected) {
    const auto in = intent(side::buy, order_type::limit_maker, "101", "0.1");
    const auto r = place(in);
    EXPECT_EQ(r.status, order_status::rejected);
    EXPECT_EQ(r.reject_reason, "-2010 Order would immediately match and take.");
    EXPECT_TRUE(reports.empty()); // a refusal never comes on the user stream
    const auto passive = intent(side::buy, order_type::limit_maker, "100.99", "0.1");
    EXPECT_EQ(place(passive).status, order_status::new_);
}

TEST_F(FillSimulatorTest, placeInsufficientBalanceIsRejectedWithBinanceWording) {
    const auto in = intent(side::buy, order_type::limit, "100", "100.001");
    const auto r = place(in);
    EXPECT_EQ(r.status, order_status::rejected);
    EXPECT_EQ(r.reject_reason, "-2010 Account has insufficient balance for requested action.");
    const auto sell = intent(side::sell, order_type::limit, "200", "1.001");
    EXPECT_EQ(place(sell).reject_reason, "-2010 Account has insufficient balance for requested action.");
    EXPECT_EQ(bal("USDT").free, dec("10000"));
    EXPECT_EQ(bal("BTC").free, dec("1"));
}

TEST_F(FillSimulatorTest, placeFiltersFromExchangeInfoAreEnforced) {
    EXPECT_EQ(place(intent(side::buy, order_type::limit, "100.001", "1")).reject_reason,
              "-1013 Filter failure: PRICE_FILTER");
    EXPECT_EQ(place(intent(side::buy, order_type::limit, "100", "0.0015")).reject_reason,
              "-1013 Filter failure: LOT_SIZE");
    EXPECT_EQ(place(intent(side::buy, order_type::limit, "100", "0.001")).reject_reason,
              "-1013 Filter failure: NOTIONAL");
}

TEST_F(FillSimulatorTest, cancelUnlocksFunds) {
    const auto in = intent(side::buy, order_type::limit, "99", "2");
    place(in);
    EXPECT_EQ(bal("USDT").locked, dec("198"));
    cancel_intent c;
    c.sym = in.sym;
    c.orig_client_id = in.client_id;
    std::optional<result<execution_report>> got;
    sim->cancel(c, [&](result<execution_report> r) { got = std::move(r); });
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->status, order_status::canceled);
    EXPECT_EQ(bal("USDT").locked, dec("0"));
    EXPECT_EQ(bal("USDT").free, dec("10000"));
    ASSERT_FALSE(accounts.empty());
    EXPECT_EQ(accounts.back().balances.front().free, dec("10000"));
    // A second cancel is refused, as Binance's -2011.
    got.reset();
    sim->cancel(c, [&](result<execution_report> r) { got = std::move(r); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->error(), make_error_code(venue_errc::cancel_refused));
}

TEST_F(FillSimulatorTest, queryOpenOrdersAndTradesAnswerFromThePaperAccount) {
    const auto rest = intent(side::buy, order_type::limit, "100", "1");
    place(rest);
    const auto taken = intent(side::buy, order_type::limit, "101", "0.5");
    place(taken);
    std::optional<std::vector<execution_report>> open;
    sim->open_orders([&](auto r) { open = *r; });
    ASSERT_TRUE(open);
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->front().client_id, rest.client_id);
    std::optional<std::optional<execution_report>> q;
    sim->query(taken.sym, taken.client_id, [&](auto r) { q = *r; });
    ASSERT_TRUE(q && *q);
    EXPECT_EQ((*q)->status, order_status::filled);
    sim->query(taken.sym, client_order_id::truncating("gn-t-999"), [&](auto r) { q = *r; });
    EXPECT_FALSE(*q);
    std::optional<std::vector<db::fill_record>> mine;
    sim->my_trades(taken.sym, 0, [&](auto r) { mine = *r; });
    ASSERT_TRUE(mine);
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ(mine->front().order_id, order_of(taken).order_id);
}

TEST_F(FillSimulatorTest, placeWithoutValidBookIsRejected) {
    book.ok = false;
    EXPECT_EQ(place(intent(side::buy, order_type::limit, "100", "1")).status, order_status::rejected);
}

TEST_F(FillSimulatorTest, saveStateRestoresOrdersBalancesAndIds) {
    const auto in = intent(side::buy, order_type::limit, "100", "1");
    place(in);
    trade_at("100", "2.25", true); // 0.25 filled
    const auto saved = sim->save_state();
    const auto before = sim->balances();
    make({{"USDT", "5"}});
    ASSERT_TRUE(sim->restore_state(saved));
    EXPECT_EQ(sim->balances(), before);
    ASSERT_NE(sim->find_order(in.client_id), nullptr);
    EXPECT_EQ(order_of(in).cumulative_quantity, dec("0.25"));
    EXPECT_EQ(order_of(in).locked, dec("75"));
    // Ids go on where they stopped; the order still fills.
    const auto next = intent(side::buy, order_type::limit, "101", "0.1");
    place(next);
    EXPECT_GT(order_of(next).order_id, order_of(in).order_id);
    trade_at("99", "5", true);
    EXPECT_EQ(order_of(in).status, order_status::filled);
    EXPECT_FALSE(sim->restore_state("garbage"));
}

TEST_F(FillSimulatorTest, catchUpReplaysJournaledReportsAfterTheCheckpoint) {
    const auto a = intent(side::buy, order_type::limit, "100", "1");
    const auto b = intent(side::sell, order_type::limit, "101", "0.5");
    place(a);
    place(b);
    const auto saved = sim->save_state();
    reports.clear();
    // After the checkpoint: a is canceled, b partly filled, c placed and filled on arrival.
    cancel_intent ca;
    ca.sym = a.sym;
    ca.orig_client_id = a.client_id;
    sim->cancel(ca, [](result<execution_report>) {});
    trade_at("101", "1.2", false);
    const auto c = intent(side::buy, order_type::limit, "101", "0.1");
    place(c);
    // e placed after it and still resting.
    const auto e = intent(side::buy, order_type::limit, "99.5", "0.2");
    place(e);
    // The OMS journals every intent and report it gets: these are the rows after the checkpoint.
    std::vector<db::journal_entry> rows;
    std::uint64_t seq = 100;
    for (const auto& in : {c, e})
        rows.emplace_back(db::intent_row{seq++, "t", in});
    for (const auto& r : reports) {
        rows.emplace_back(db::transition_row{seq++, db::order_transition::from(r)});
        if (r.exec_type == execution_type::trade)
            rows.emplace_back(db::fill_row{seq++, *db::fill_record::from(r)});
    }
    const auto after = sim->balances();
    const auto last_order_id = order_of(c).order_id;

    make({{"USDT", "10000"}, {"BTC", "1"}});
    ASSERT_TRUE(sim->restore_state(saved));
    sim->catch_up(rows);
    EXPECT_EQ(sim->balances(), after);
    EXPECT_EQ(order_of(a).status, order_status::canceled);
    EXPECT_EQ(order_of(b).cumulative_quantity, dec("0.2"));
    EXPECT_EQ(order_of(b).locked, dec("0.3"));
    // e rests again, with its lock, behind what the book shows at its price at the next update.
    ASSERT_NE(sim->find_order(e.client_id), nullptr);
    EXPECT_EQ(order_of(e).status, order_status::new_);
    EXPECT_EQ(order_of(e).locked, dec("19.9"));
    sim->on_book(e.sym);
    EXPECT_EQ(order_of(e).queue_ahead, dec("3"));
    std::optional<std::vector<db::fill_record>> mine;
    sim->my_trades(b.sym, 0, [&](auto r) { mine = *r; });
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->size(), 2u);
    // Ids go on past every id the journal holds.
    const auto d = intent(side::buy, order_type::limit, "99", "0.1");
    place(d);
    EXPECT_GT(order_of(d).order_id, order_of(e).order_id);
    EXPECT_GT(order_of(e).order_id, last_order_id);
}

// Killed between the OMS journaling PENDING_CANCEL (in the call that cancels the paper order at
// once) and journaling its CANCELED: the caught-up account has the order cancelled, its funds
// unlocked, as the call left them; a fill journaled after the request is booked first.
TEST_F(FillSimulatorTest, catchUpCancelsWhatAJournaledCancelRequestLeftWorking) {
    const auto a = intent(side::buy, order_type::limit, "100", "1");
    const auto b = intent(side::sell, order_type::limit, "101", "0.5");
    place(a);
    place(b);
    const auto saved = sim->save_state();
    const auto pending_cancel = [&](const order_intent& in) {
        db::order_transition t;
        t.sym = in.sym;
        t.client_id = in.client_id;
        t.order_id = order_of(in).order_id;
        t.status = order_status::pending_cancel;
        t.exec_type = execution_type::new_;
        return t;
    };
    std::vector<db::journal_entry> rows;
    rows.emplace_back(db::transition_row{100, pending_cancel(a)});
    rows.emplace_back(db::transition_row{101, pending_cancel(b)});
    // b traded 0.2 before the cancel reached it (its fill journaled after the request).
    reports.clear();
    trade_at("101", "1.2", false);
    for (const auto& r : reports)
        if (r.exec_type == execution_type::trade)
            rows.emplace_back(db::fill_row{102, *db::fill_record::from(r)});
    ASSERT_EQ(rows.size(), 3u);

    make({{"USDT", "10000"}, {"BTC", "1"}});
    ASSERT_TRUE(sim->restore_state(saved));
    sim->catch_up(rows);
    EXPECT_EQ(order_of(a).status, order_status::canceled);
    EXPECT_EQ(order_of(a).locked, dec("0"));
    EXPECT_EQ(order_of(b).status, order_status::canceled);
    EXPECT_EQ(order_of(b).cumulative_quantity, dec("0.2"));
    EXPECT_EQ(order_of(b).locked, dec("0"));
    std::optional<std::vector<execution_report>> open;
    sim->open_orders([&](auto r) { open = *r; });
    ASSERT_TRUE(open);
    EXPECT_TRUE(open->empty());
    for (const auto& bal : sim->balances())
        EXPECT_TRUE(bal.locked.is_zero()) << bal.name.view() << " locked " << bal.locked.to_string();
}

TEST_F(FillSimulatorTest, parsePaperSectionReadsFeesAndBalances) {
    const auto file = std::filesystem::temp_directory_path() / ("paper-config-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(file) << "[paper]\nmaker_fee_bps = \"1.5\"\ntaker_fee_bps = \"7\"\n"
                           "balances = { USDT = \"2500\", BTC = \"0.1\" }\n";
    paper_config c;
    config::loader l;
    l.section("paper", [&c](config::table_reader& r) { parse_paper_section(r, c); });
    const auto errors = l.parse_file(file);
    std::filesystem::remove(file);
    ASSERT_TRUE(errors.empty()) << errors.front().str();
    EXPECT_EQ(c.maker_fee_bps, dec("1.5"));
    EXPECT_EQ(c.taker_fee_bps, dec("7"));
    EXPECT_EQ(c.balances.at(asset::truncating("USDT")), dec("2500"));
    EXPECT_EQ(c.balances.at(asset::truncating("BTC")), dec("0.1"));
}

TEST_F(FillSimulatorTest, parsePaperSectionRejectsFloatMoney) {
    const auto file = std::filesystem::temp_directory_path() / ("paper-bad-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(file) << "[paper]\nbalances = { USDT = 2500.5 }\n";
    paper_config c;
    config::loader l;
    l.section("paper", [&c](config::table_reader& r) { parse_paper_section(r, c); });
    const auto errors = l.parse_file(file);
    std::filesystem::remove(file);
    ASSERT_FALSE(errors.empty());
    EXPECT_NE(errors.front().str().find("paper.balances.USDT"), std::string::npos) << errors.front().str();
}

} // namespace
} // namespace genesis::gateway::paper
