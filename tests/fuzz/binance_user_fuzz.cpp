// libFuzzer target for the Binance WS-API connection's decoders: user data events (decode_user)
// and WS-API responses (decode_ws_response, with each result kind). The input is up to 16 frames,
// one per line, decoded in order by one decoder as on one connection.
#include "genesis/binance/decoder.hpp"

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using namespace genesis;
using namespace genesis::binance;

constexpr time_point receive_time{1'700'000'000'000'000'000};

void check_report(const execution_report& r) {
    for (decimal d : {r.price, r.quantity, r.stop_price, r.quote_order_qty, r.last_quantity, r.last_price,
                      r.cumulative_quantity, r.cumulative_quote, r.commission})
        fuzz::check_decimal(d);
}

void check_order(const order_response& o) {
    check_report(o.report);
    for (const auto& f : o.fills) {
        fuzz::check_decimal(f.price);
        fuzz::check_decimal(f.quantity);
        fuzz::check_decimal(f.commission);
    }
}

void check_user(user_event_kind kind, const user_events& ev) {
    switch (kind) {
    case user_event_kind::execution_report: check_report(ev.execution); break;
    case user_event_kind::account_position:
        for (const auto& b : ev.account.balances) {
            fuzz::check_decimal(b.free);
            fuzz::check_decimal(b.locked);
        }
        break;
    case user_event_kind::balance_update: fuzz::check_decimal(ev.balance.delta); break;
    case user_event_kind::stream_terminated:
    case user_event_kind::other: break;
    }
}

void check_response(ws_result_kind kind, const ws_response& r) {
    GENESIS_FUZZ_CHECK(r.status >= 0 && r.status <= 999);
    if (!r.ok)
        return;
    if (kind == ws_result_kind::order)
        check_order(r.order);
    if (kind == ws_result_kind::order_list)
        for (const auto& o : r.orders)
            check_order(o);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    decoder dec(4096);
    user_events uev;
    ws_response resp;

    std::size_t start = 0;
    for (int n = 0; n < 16 && start <= input.size(); ++n) {
        const std::size_t nl = input.find('\n', start);
        const std::string_view frame =
            input.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        start = nl == std::string_view::npos ? input.size() + 1 : nl + 1;

        // A user data event (envelope or bare).
        if (const auto k = dec.decode_user(frame, receive_time, uev))
            check_user(*k, uev);

        // A WS-API response, read as each kind of result a request id can map to.
        for (const auto kind :
             {ws_result_kind::none, ws_result_kind::order, ws_result_kind::order_list, ws_result_kind::exchange_info}) {
            if (dec.decode_ws_response(frame, kind, receive_time, resp))
                check_response(kind, resp);
        }

        // The lookup form: the kind chosen from the id, as the session does.
        const auto by_id = [](std::string_view id) {
            return id.empty() ? ws_result_kind::none
                              : static_cast<ws_result_kind>(static_cast<unsigned char>(id.back()) % 4);
        };
        if (dec.decode_ws_response_with(frame, by_id, receive_time, resp))
            check_response(by_id(resp.id), resp);
    }
    const auto& s = dec.stats();
    GENESIS_FUZZ_CHECK(s.frames == s.decoded + s.error_count());
    return 0;
}
