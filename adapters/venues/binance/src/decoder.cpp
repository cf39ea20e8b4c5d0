// The public decoder: frame handling, envelopes (combined stream, WS-API, user data) and counters.
#include "genesis/binance/decoder.hpp"

#include "decoders.hpp"

#include <charconv>

namespace genesis::binance {

using namespace detail;

static_assert(decoder::padding >= simdjson::SIMDJSON_PADDING);

struct decoder::impl {
    od::parser parser;
    padded_buffer buffer;
    decoder_stats stats;
    std::size_t max_frame;

    explicit impl(std::size_t max) : parser(max), max_frame(max) {}

    /// Parses frame (in place when its buffer has the padding, else from the reused copy), runs
    /// body on the document and counts the outcome.
    template <class Body>
    binance_errc run(std::string_view frame, std::size_t capacity, Body&& body) noexcept {
        ++stats.frames;
        binance_errc r = binance_errc::ok;
        if (frame.size() > max_frame) {
            r = binance_errc::frame_too_large;
        } else {
            if (capacity < frame.size() + simdjson::SIMDJSON_PADDING) {
                frame = buffer.fill(frame);
                capacity = buffer.capacity();
            }
            od::document doc;
            r = check(parser.iterate(frame.data(), frame.size(), capacity).get(doc));
            if (r == binance_errc::ok)
                r = body(doc);
        }
        if (r == binance_errc::ok)
            ++stats.decoded;
        else
            ++stats.errors[static_cast<std::size_t>(r)];
        return r;
    }
};

namespace {

binance_errc root_object(od::document& doc, od::object& out) noexcept { return check(doc.get_object().get(out)); }

/// The text of a WS-API id: a string as is, a number in decimal, null empty.
binance_errc get_request_id(od::value& v, std::string& out) noexcept {
    od::json_type t{};
    GENESIS_BN_TRY(check(v.type().get(t)));
    out.clear();
    if (t == od::json_type::string) {
        std::string_view s;
        GENESIS_BN_TRY(get_string(v, s));
        out.assign(s);
        return binance_errc::ok;
    }
    if (t == od::json_type::number) {
        std::int64_t n = 0;
        GENESIS_BN_TRY(get_i64(v, n));
        char buf[24];
        const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
        out.assign(buf, end);
        return binance_errc::ok;
    }
    if (t == od::json_type::null)
        return binance_errc::ok;
    return binance_errc::wrong_type;
}

binance_errc decode_ws_result(od::value& v, ws_result_kind kind, time_point receive_time, ws_response& out) noexcept {
    switch (kind) {
    case ws_result_kind::none: return binance_errc::ok;
    case ws_result_kind::order: {
        od::object o;
        GENESIS_BN_TRY(as_object(v, o));
        return detail::decode_order(o, receive_time, out.order);
    }
    case ws_result_kind::order_list: {
        od::array a;
        GENESIS_BN_TRY(check(v.get_array().get(a)));
        return decode_order_array(a, receive_time, out.orders);
    }
    case ws_result_kind::exchange_info: {
        od::object o;
        GENESIS_BN_TRY(as_object(v, o));
        return detail::decode_exchange_info(o, out.info);
    }
    }
    return binance_errc::ok;
}

} // namespace

decoder::decoder(std::size_t max_frame) : impl_(std::make_unique<impl>(max_frame)) {}
decoder::decoder(decoder&&) noexcept = default;
decoder& decoder::operator=(decoder&&) noexcept = default;
decoder::~decoder() = default;

const decoder_stats& decoder::stats() const noexcept { return impl_->stats; }

std::string_view decoder::ondemand_kernel() noexcept {
    // The kernel compiled into this file (simdjson::builtin_implementation() would name the one
    // compiled into libsimdjson instead, which is not what runs here).
    return SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION);
}

std::string_view decoder::stage1_kernel() noexcept {
    const auto& name = simdjson::get_active_implementation()->name();
    return {name.data(), name.size()};
}

result<stream_kind> decoder::decode_stream(std::string_view frame, time_point receive_time, market_events& out,
                                           std::size_t capacity) {
    stream_kind kind = stream_kind::depth_update;
    const binance_errc r = impl_->run(frame, capacity, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        // "stream" comes before "data" on the wire; when it does not, data is decoded after the walk.
        std::string_view stream;
        bool has_stream = false;
        bool data_first = false;
        bool has_data = false;
        GENESIS_BN_TRY(for_each_field(root, [&](std::string_view k, od::value& v) -> binance_errc {
            if (k == "stream") {
                has_stream = true;
                return get_string(v, stream);
            }
            if (k == "data") {
                has_data = true;
                if (!has_stream) {
                    data_first = true;
                    return binance_errc::ok;
                }
                return decode_stream_payload(stream, v, receive_time, out, kind);
            }
            return binance_errc::ok;
        }));
        if (!has_stream || !has_data)
            return binance_errc::missing_field;
        if (data_first) {
            bool at_start = false;
            GENESIS_BN_TRY(check(root.reset().get(at_start)));
            od::value data;
            GENESIS_BN_TRY(check(root.find_field_unordered("data").get(data)));
            return decode_stream_payload(stream, data, receive_time, out, kind);
        }
        return binance_errc::ok;
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return kind;
}

result<stream_kind> decoder::decode_raw(std::string_view frame, stream_kind kind, symbol sym, time_point receive_time,
                                        market_events& out, std::size_t capacity) {
    const binance_errc r = impl_->run(frame, capacity, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        switch (kind) {
        case stream_kind::depth_update:
            out.depth.receive_time = receive_time;
            return detail::decode_depth_update(root, out.depth);
        case stream_kind::partial_depth:
            out.partial.receive_time = receive_time;
            out.partial.sym = sym;
            return detail::decode_depth_snapshot(root, out.partial);
        case stream_kind::trade:
            out.trade_event.receive_time = receive_time;
            return decode_trade(root, out.trade_event);
        case stream_kind::agg_trade: out.agg.receive_time = receive_time; return decode_agg_trade(root, out.agg);
        case stream_kind::book_ticker:
            out.ticker.receive_time = receive_time;
            return decode_book_ticker(root, out.ticker);
        case stream_kind::kline:
            GENESIS_BN_TRY(decode_kline(root, out.candle));
            out.candle.receive_time = receive_time;
            return binance_errc::ok;
        case stream_kind::server_shutdown: return decode_server_shutdown(root, out.shutdown_time);
        }
        return binance_errc::unknown_stream;
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return kind;
}

result<user_event_kind> decoder::decode_user(std::string_view frame, time_point receive_time, user_events& out) {
    user_event_kind kind = user_event_kind::other;
    const binance_errc r = impl_->run(frame, 0, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        out.subscription_id = -1;
        bool bare = false;
        bool has_event = false;
        // The WS-API envelope, or a bare event (recognised by its "e" field).
        for (auto fr : root) {
            od::field field;
            GENESIS_BN_TRY(check(std::move(fr).get(field)));
            const auto k = key_of(field);
            if (k == "subscriptionId") {
                GENESIS_BN_TRY(get_i64(field.value(), out.subscription_id));
            } else if (k == "event") {
                od::object ev;
                GENESIS_BN_TRY(as_object(field.value(), ev));
                GENESIS_BN_TRY(decode_user_event(ev, receive_time, out, kind));
                has_event = true;
            } else if (k == "e") {
                bare = true;
                break;
            }
        }
        if (bare) {
            bool at_start = false;
            GENESIS_BN_TRY(check(root.reset().get(at_start)));
            return decode_user_event(root, receive_time, out, kind);
        }
        return has_event ? binance_errc::ok : binance_errc::missing_field;
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    if (kind == user_event_kind::other)
        ++impl_->stats.ignored;
    return kind;
}

result<void> decoder::decode_ws_response(std::string_view frame, kind_lookup lookup, const void* context,
                                         time_point receive_time, ws_response& out) {
    const binance_errc r = impl_->run(frame, 0, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        out.status = 0;
        out.ok = false;
        out.error.code = 0;
        out.error.msg.clear();
        out.rate_limits.clear();
        bool has_id = false;
        bool result_first = false;
        bool has_status = false;
        GENESIS_BN_TRY(for_each_field(root, [&](std::string_view k, od::value& v) -> binance_errc {
            if (k == "id") {
                has_id = true;
                return get_request_id(v, out.id);
            }
            if (k == "status") {
                std::int64_t s = 0;
                GENESIS_BN_TRY(get_i64(v, s));
                if (s < 0 || s > 999)
                    return binance_errc::number_out_of_range;
                out.status = static_cast<int>(s);
                has_status = true;
                return binance_errc::ok;
            }
            if (k == "result") {
                out.ok = true;
                // The id says how to read the result; when the id comes later, read it after.
                if (!has_id) {
                    result_first = true;
                    return binance_errc::ok;
                }
                return decode_ws_result(v, lookup(context, out.id), receive_time, out);
            }
            if (k == "error") {
                od::object e;
                GENESIS_BN_TRY(as_object(v, e));
                return decode_api_error(e, out.error);
            }
            if (k == "rateLimits")
                return detail::decode_rate_limits(v, out.rate_limits);
            return binance_errc::ok;
        }));
        if (!has_id || !has_status)
            return binance_errc::missing_field;
        if (result_first) {
            bool at_start = false;
            GENESIS_BN_TRY(check(root.reset().get(at_start)));
            od::value v;
            GENESIS_BN_TRY(check(root.find_field_unordered("result").get(v)));
            return decode_ws_result(v, lookup(context, out.id), receive_time, out);
        }
        return binance_errc::ok;
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

result<void> decoder::decode_ws_response(std::string_view frame, ws_result_kind kind, time_point receive_time,
                                         ws_response& out) {
    return decode_ws_response(
        frame, [](const void* c, std::string_view) { return *static_cast<const ws_result_kind*>(c); }, &kind,
        receive_time, out);
}

result<void> decoder::decode_order(std::string_view body, time_point receive_time, order_response& out) {
    const binance_errc r = impl_->run(body, 0, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        return detail::decode_order(root, receive_time, out);
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

result<void> decoder::decode_orders(std::string_view body, time_point receive_time, std::vector<order_response>& out) {
    const binance_errc r = impl_->run(body, 0, [&](od::document& doc) -> binance_errc {
        od::array arr;
        GENESIS_BN_TRY(check(doc.get_array().get(arr)));
        return decode_order_array(arr, receive_time, out);
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

result<void> decoder::decode_exchange_info(std::string_view body, exchange_info& out) {
    const binance_errc r = impl_->run(body, 0, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        return detail::decode_exchange_info(root, out);
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

result<void> decoder::decode_depth_snapshot(std::string_view body, symbol sym, time_point receive_time,
                                            book_snapshot& out) {
    const binance_errc r = impl_->run(body, 0, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        out.sym = sym;
        out.receive_time = receive_time;
        return detail::decode_depth_snapshot(root, out);
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

result<void> decoder::decode_klines(std::string_view body, symbol sym, std::string_view interval,
                                    time_point receive_time, std::vector<kline>& out) {
    const auto iv = short_string::make(interval);
    if (!iv)
        return make_error_code(binance_errc::string_too_long);
    const binance_errc r = impl_->run(body, 0, [&](od::document& doc) -> binance_errc {
        od::array arr;
        GENESIS_BN_TRY(check(doc.get_array().get(arr)));
        out.clear();
        for (auto item : arr) {
            od::array row;
            GENESIS_BN_TRY(check(item.get_array().get(row)));
            kline k;
            k.venue = venue_name;
            k.sym = sym;
            k.interval = *iv;
            k.receive_time = receive_time;
            GENESIS_BN_TRY(decode_kline_row(row, k));
            out.push_back(k);
        }
        return binance_errc::ok;
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

result<void> decoder::decode_agg_trades(std::string_view body, symbol sym, time_point receive_time,
                                        std::vector<agg_trade>& out) {
    const binance_errc r = impl_->run(body, 0, [&](od::document& doc) -> binance_errc {
        od::array arr;
        GENESIS_BN_TRY(check(doc.get_array().get(arr)));
        out.clear();
        for (auto item : arr) {
            od::object o;
            GENESIS_BN_TRY(check(item.get_object().get(o)));
            agg_trade t;
            t.sym = sym;
            t.receive_time = receive_time;
            GENESIS_BN_TRY(decode_agg_trade(o, t, true));
            out.push_back(t);
        }
        return binance_errc::ok;
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

result<void> decoder::decode_error(std::string_view body, api_error& out) {
    const binance_errc r = impl_->run(body, 0, [&](od::document& doc) -> binance_errc {
        od::object root;
        GENESIS_BN_TRY(root_object(doc, root));
        return decode_api_error(root, out);
    });
    if (r != binance_errc::ok)
        return make_error_code(r);
    return {};
}

} // namespace genesis::binance
