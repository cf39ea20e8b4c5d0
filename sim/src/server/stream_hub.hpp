// Fan-out of the exchange's events to WebSocket sessions: market streams by name (rendered once
// per event, then pushed to every subscriber) and user data per account. Depth diffs are merged
// into 100 ms / 1000 ms windows by depth_accumulator so U/u chain exactly. Beast-free; the
// sessions implement the subscriber interfaces. Confined to the I/O thread.
#pragma once

#include "genesis/sim/exchange.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::sim::server {

struct server_state;

/// A connection that receives market stream frames.
class stream_subscriber {
public:
    virtual ~stream_subscriber() = default;
    /// payload is the stream's JSON (unwrapped); depth_diff marks <s>@depth diffs (gap faults).
    virtual void deliver(const std::string& stream, const std::shared_ptr<const std::string>& payload,
                         bool depth_diff) = 0;
};

/// A connection that receives user data events of accounts.
class user_subscriber {
public:
    virtual ~user_subscriber() = default;
    /// event is the event JSON; event_type "executionReport", "outboundAccountPosition", ...
    virtual void deliver_user(account_id acc, std::string_view event_type,
                              const std::shared_ptr<const std::string>& event) = 0;
};

/// A parsed stream name.
struct stream_spec {
    enum class kind : std::uint8_t { depth_diff, partial_depth, trade, agg_trade, book_ticker };
    kind k = kind::trade;
    symbol sym;             ///< upper case, as the exchange knows it
    bool fast = false;      ///< @100ms
    std::size_t levels = 0; ///< partial depth 5/10/20
};

class stream_hub final : public exchange_listener {
    struct symbol_state {
        depth_accumulator fast;
        depth_accumulator slow;
    };
    server_state& st_;
    std::map<std::string, std::vector<std::weak_ptr<stream_subscriber>>, std::less<>> subs_;
    std::map<account_id, std::vector<std::weak_ptr<user_subscriber>>> users_;
    std::map<symbol, symbol_state> symbols_;

    void publish(const std::string& stream, const std::string& payload, bool depth_diff);
    bool has_subscribers(std::string_view stream) const;
    void publish_user(account_id acc, std::string_view type, std::string event);

public:
    explicit stream_hub(server_state& st) : st_(st) {}

    /// Parses "btcusdt@depth@100ms" & co. against the exchange's symbols.
    std::optional<stream_spec> parse(std::string_view name) const;

    void subscribe(const std::string& stream, const std::shared_ptr<stream_subscriber>& s);
    void unsubscribe(const std::string& stream, const stream_subscriber* s);
    void subscribe_user(account_id acc, const std::shared_ptr<user_subscriber>& s);
    void unsubscribe_user(account_id acc, const user_subscriber* s);

    /// Emits the merged windows: fast (100 ms) diffs and @100ms partial books, or slow ones.
    void flush(bool fast);

    void on_execution_report(account_id, const execution_report&) override;
    void on_account_position(account_id, const account_update&) override;
    void on_balance_update(account_id, const balance_update&) override;
    void on_depth_diff(const book_delta&) override;
    void on_trade(const trade&) override;
    void on_agg_trade(const agg_trade&) override;
    void on_book_ticker(const top_of_book&) override;
};

/// Lower-case copy (stream names use lower-case symbols).
std::string to_lower(std::string_view s);

} // namespace genesis::sim::server
