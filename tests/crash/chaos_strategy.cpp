// The crash test's strategy: places and cancels orders at a high rate. Every timer tick it places
// one limit order near the touch (every `cross_every`-th one marketable, IOC, so that fills happen
// without waiting for the agents) and cancels the oldest working orders beyond `max_working`.
// Sides alternate so the inventory stays flat. With quiet = "1" it places nothing (the final run).
// Sees only api.h.
#include <genesis/strategy/api.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace {

namespace gs = genesis::strategy;

struct working {
    std::string id;
    bool canceling = false;
};

class chaos {
    gs::host_ref host_;
    std::string symbol_;
    std::int64_t qty_;
    std::int64_t tick_;
    std::int64_t cross_every_;
    std::size_t max_working_;
    std::int64_t per_tick_;
    bool quiet_;

    std::int64_t best_bid_ = 0;
    std::int64_t best_ask_ = 0;
    bool valid_ = false;
    std::uint64_t n_ = 0;
    std::uint64_t placed_ = 0;
    std::uint64_t refused_ = 0;
    std::uint64_t fills_ = 0;
    std::deque<working> working_;

    static bool final_status(int s) {
        return s == GENESIS_STATUS_FILLED || s == GENESIS_STATUS_CANCELED || s == GENESIS_STATUS_REJECTED ||
               s == GENESIS_STATUS_EXPIRED || s == GENESIS_STATUS_EXPIRED_IN_MATCH;
    }

    void place_one() {
        const bool buy = (n_ % 2) == 0;
        const bool cross = cross_every_ > 0 && (n_ % static_cast<std::uint64_t>(cross_every_)) == 0;
        // Resting orders sit 0..3 ticks behind the touch; marketable ones cross by 5 ticks.
        const auto behind = static_cast<std::int64_t>(n_ % 4) * tick_;
        std::int64_t price = 0;
        if (cross)
            price = buy ? best_ask_ + 5 * tick_ : best_bid_ - 5 * tick_;
        else
            price = buy ? best_bid_ - behind : best_ask_ + behind;
        ++n_;
        if (price <= 0)
            return;
        const genesis_order_request req{gs::str(symbol_),
                                        buy ? GENESIS_BUY : GENESIS_SELL,
                                        GENESIS_LIMIT,
                                        cross ? GENESIS_IOC : GENESIS_GTC,
                                        price,
                                        qty_};
        genesis_order_result r{};
        if (host_.place(req, r) != GENESIS_OK) {
            ++refused_;
            return;
        }
        ++placed_;
        if (!cross)
            working_.push_back({std::string(r.client_order_id, r.client_order_id_size), false});
    }

    void cancel_oldest() {
        std::size_t live = 0;
        for (const auto& w : working_)
            live += w.canceling ? 0 : 1;
        for (auto& w : working_) {
            if (live <= max_working_)
                break;
            if (w.canceling)
                continue;
            genesis_order_result r{};
            // A refused cancel (already final, or still unknown) is settled by a later report.
            w.canceling = host_.cancel(w.id, r) == GENESIS_OK;
            --live;
        }
    }

public:
    chaos(gs::host_ref host, const gs::params& p)
            : host_(host), symbol_(p.text("symbol", "BTCUSDT")), qty_(p.fixed("qty", 20'000)),
              tick_(p.fixed("tick_size", 1'000'000)), cross_every_(p.fixed("cross_every", 3 * GENESIS_FIXED_ONE)),
              max_working_(static_cast<std::size_t>(p.fixed("max_working", 4 * GENESIS_FIXED_ONE))),
              per_tick_(p.fixed("per_tick", GENESIS_FIXED_ONE) / GENESIS_FIXED_ONE),
              quiet_(p.text("quiet", "0") == "1") {
        cross_every_ /= GENESIS_FIXED_ONE;
        max_working_ /= static_cast<std::size_t>(GENESIS_FIXED_ONE);
    }

    void on_book(const genesis_book& b) {
        valid_ = b.valid != 0 && b.bid_count > 0 && b.ask_count > 0;
        if (valid_) {
            best_bid_ = b.bids[0].price;
            best_ask_ = b.asks[0].price;
        }
    }

    void on_execution(const genesis_execution& e) {
        if (e.exec_type == GENESIS_EXEC_TRADE)
            ++fills_;
        if (!final_status(e.status))
            return;
        const auto id = gs::view(e.client_order_id);
        std::erase_if(working_, [&](const working& w) { return w.id == id; });
    }

    void on_timer(std::int64_t) {
        if (quiet_ || !valid_)
            return;
        for (std::int64_t i = 0; i < per_tick_; ++i)
            place_one();
        cancel_oldest();
    }

    std::string save_state() const {
        return "placed=" + std::to_string(placed_) + "\nrefused=" + std::to_string(refused_) +
               "\nfills=" + std::to_string(fills_) + "\n";
    }
};

} // namespace

GENESIS_STRATEGY_DEFINE(chaos, "crash_chaos")
