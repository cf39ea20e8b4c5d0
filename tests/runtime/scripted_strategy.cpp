// A test strategy that places a scripted list of limit orders, priced relative to the mid of the
// first valid book, and keeps what the gateway answered to each: "label=ok" or "label=CODE" (the
// risk check's code, the text before the reason's first ':'). Its state blob is that list, so
// /status shows it. Used by the end-to-end risk test: one order per limit, each refused by it.
//
// Parameters:
//   orders   "label:side:bps:qty;..." placed in one on_book callback: side buy|sell, bps the
//            price's signed offset from the mid in basis points, qty a decimal
//   later    the same, placed from the first on_timer at least later_ms after the first batch
//   later_ms default 1500
//   tick     the symbol's price tick (prices are rounded down to it), default 0.01
#include <genesis/strategy/api.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace gs = genesis::strategy;

struct scripted_order {
    std::string label;
    int side = GENESIS_BUY;
    std::int64_t bps = 0;
    std::int64_t qty = 0;
};

std::vector<scripted_order> parse_orders(std::string_view text) {
    std::vector<scripted_order> out;
    while (!text.empty()) {
        const auto end = text.find(';');
        std::string_view item = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (item.empty())
            continue;
        std::vector<std::string_view> f;
        for (std::size_t pos = 0;;) {
            const auto colon = item.find(':', pos);
            f.push_back(item.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos));
            if (colon == std::string_view::npos)
                break;
            pos = colon + 1;
        }
        if (f.size() != 4 || (f[1] != "buy" && f[1] != "sell"))
            throw std::invalid_argument("bad scripted order '" + std::string(item) + "'");
        scripted_order o;
        o.label = std::string(f[0]);
        o.side = f[1] == "buy" ? GENESIS_BUY : GENESIS_SELL;
        o.bps = std::stoll(std::string(f[2]));
        if (!gs::parse_fixed(f[3], o.qty) || o.qty <= 0)
            throw std::invalid_argument("bad quantity in '" + std::string(item) + "'");
        out.push_back(std::move(o));
    }
    return out;
}

class scripted {
    gs::host_ref host_;
    std::string symbol_;
    std::vector<scripted_order> first_, later_;
    std::int64_t later_ns_ = 0;
    std::int64_t tick_ = 0;
    std::int64_t mid_ = 0;
    std::int64_t first_done_ns_ = 0;
    bool later_done_ = false;
    std::string outcomes_;

    void place_all(const std::vector<scripted_order>& orders) {
        for (const auto& o : orders) {
            // mid * (10000 + bps) / 10000, rounded down to the tick (fits: mid ~ 10^13 raw).
            std::int64_t price = mid_ / 10'000 * (10'000 + o.bps);
            price -= price % tick_;
            const genesis_order_request req{gs::str(symbol_), o.side, GENESIS_LIMIT, GENESIS_GTC, price, o.qty};
            genesis_order_result r{};
            const int rc = host_.place(req, r);
            std::string what = "ok";
            if (rc != GENESIS_OK) {
                const std::string_view reason(r.reason, r.reason_size);
                what = std::string(reason.substr(0, reason.find(':')));
                host_.log(GENESIS_LOG_INFO, o.label + " refused: " + std::string(reason));
            }
            outcomes_ += (outcomes_.empty() ? "" : ";") + o.label + "=" + what;
        }
    }

public:
    scripted(gs::host_ref host, const gs::params& p)
            : host_(host), symbol_(p.text("symbol", "BTCUSDT")), first_(parse_orders(p.text("orders", ""))),
              later_(parse_orders(p.text("later", ""))), later_ns_(std::stoll(p.text("later_ms", "1500")) * 1'000'000),
              tick_(p.fixed("tick", GENESIS_FIXED_ONE / 100)) {
        if (tick_ <= 0)
            throw std::invalid_argument("tick must be positive");
    }

    void on_book(const genesis_book& b) {
        if (first_done_ns_ != 0 || !b.valid || b.bid_count == 0 || b.ask_count == 0 || gs::view(b.symbol) != symbol_)
            return;
        mid_ = (b.bids[0].price + b.asks[0].price) / 2;
        first_done_ns_ = b.now_ns;
        place_all(first_);
    }

    void on_timer(std::int64_t now_ns) {
        if (later_done_ || first_done_ns_ == 0 || now_ns - first_done_ns_ < later_ns_)
            return;
        later_done_ = true;
        place_all(later_);
    }

    std::string save_state() { return outcomes_; }
};

} // namespace

GENESIS_STRATEGY_DEFINE(scripted, "scripted")
