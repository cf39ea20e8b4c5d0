#include "genesis/binance/encoder.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace genesis::binance {

namespace {

std::string format_decimal(decimal d, int digits) {
    if (digits < 0) {
        char buf[32];
        return std::string(buf, d.format_to(buf));
    }
    return d.to_string_fixed(std::min(digits, decimal::scale));
}

std::string format_int(std::int64_t v) {
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, end);
}

std::string_view resp_type_name(response_type t) noexcept {
    switch (t) {
    case response_type::ack: return "ACK";
    case response_type::result: return "RESULT";
    case response_type::full: return "FULL";
    }
    return "ACK";
}

bool needs_time_in_force(order_type t) noexcept {
    return t == order_type::limit || t == order_type::stop_loss_limit || t == order_type::take_profit_limit;
}

bool needs_stop_price(order_type t) noexcept {
    return t == order_type::stop_loss || t == order_type::stop_loss_limit || t == order_type::take_profit ||
           t == order_type::take_profit_limit;
}

void add_tail(request_params& p, std::optional<std::uint32_t> recv_window_ms, std::int64_t timestamp_ms) {
    if (recv_window_ms)
        p.push_back({"recvWindow", format_int(*recv_window_ms), false});
    p.push_back({"timestamp", format_int(timestamp_ms), false});
}

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c < 0x20) {
            out.append("\\u00");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        } else {
            out.push_back(ch);
        }
    }
    out.push_back('"');
}

std::string ws_json(std::string_view id, std::string_view method, std::vector<const request_param*>& sorted,
                    std::string_view signature) {
    std::string out;
    out.reserve(128 + 48 * sorted.size());
    out.append("{\"id\":");
    append_json_string(out, id);
    out.append(",\"method\":");
    append_json_string(out, method);
    out.append(",\"params\":{");
    bool first = true;
    for (const auto* p : sorted) {
        if (!first)
            out.push_back(',');
        first = false;
        append_json_string(out, p->name);
        out.push_back(':');
        if (p->quoted)
            append_json_string(out, p->value);
        else
            out.append(p->value);
    }
    if (!signature.empty()) {
        out.append(first ? "" : ",");
        out.append("\"signature\":");
        append_json_string(out, signature);
    }
    out.append("}}");
    return out;
}

} // namespace

result<request_params> order_place_params(const order_intent& in, const order_options& opt, std::int64_t timestamp_ms) {
    if (in.sym.empty())
        return make_error_code(core_errc::invalid_argument);
    if (has_limit_price(in.type) && !in.price)
        return make_error_code(core_errc::invalid_argument);
    if (needs_stop_price(in.type) && !in.stop_price)
        return make_error_code(core_errc::invalid_argument);
    if (!in.quantity && !(in.type == order_type::market && in.quote_quantity))
        return make_error_code(core_errc::invalid_argument);
    request_params p;
    p.reserve(12);
    p.push_back({"symbol", in.sym.str()});
    p.push_back({"side", std::string(to_string(in.order_side))});
    p.push_back({"type", std::string(to_string(in.type))});
    if (needs_time_in_force(in.type))
        p.push_back({"timeInForce", std::string(to_string(in.tif))});
    if (in.quantity)
        p.push_back({"quantity", format_decimal(*in.quantity, opt.format.quantity_digits)});
    else
        p.push_back({"quoteOrderQty", format_decimal(*in.quote_quantity, opt.format.quantity_digits)});
    if (has_limit_price(in.type))
        p.push_back({"price", format_decimal(*in.price, opt.format.price_digits)});
    if (!in.client_id.empty())
        p.push_back({"newClientOrderId", in.client_id.str()});
    if (needs_stop_price(in.type))
        p.push_back({"stopPrice", format_decimal(*in.stop_price, opt.format.price_digits)});
    if (opt.resp_type)
        p.push_back({"newOrderRespType", std::string(resp_type_name(*opt.resp_type))});
    add_tail(p, opt.recv_window_ms, timestamp_ms);
    return p;
}

result<request_params> order_cancel_params(const cancel_intent& in, std::optional<std::uint32_t> recv_window_ms,
                                           std::int64_t timestamp_ms) {
    return order_query_params(in.sym, in.order_id, in.orig_client_id, recv_window_ms, timestamp_ms);
}

result<request_params> order_query_params(const symbol& sym, std::optional<std::uint64_t> order_id,
                                          const client_order_id& orig_client_id,
                                          std::optional<std::uint32_t> recv_window_ms, std::int64_t timestamp_ms) {
    if (sym.empty() || (!order_id && orig_client_id.empty()))
        return make_error_code(core_errc::invalid_argument);
    request_params p;
    p.reserve(5);
    p.push_back({"symbol", sym.str()});
    if (order_id)
        p.push_back({"orderId", std::to_string(*order_id), false});
    else
        p.push_back({"origClientOrderId", orig_client_id.str()});
    add_tail(p, recv_window_ms, timestamp_ms);
    return p;
}

request_params open_orders_params(const symbol& sym, std::optional<std::uint32_t> recv_window_ms,
                                  std::int64_t timestamp_ms) {
    request_params p;
    if (!sym.empty())
        p.push_back({"symbol", sym.str()});
    add_tail(p, recv_window_ms, timestamp_ms);
    return p;
}

namespace {

// The query without escapes, plus room for "&signature=" and an escaped base64 signature: one
// allocation for the whole signed query.
std::size_t query_capacity(const request_params& params) noexcept {
    std::size_t n = 12 + 3 * rest::signer::max_signature_size;
    for (const auto& p : params)
        n += p.name.size() + p.value.size() + 2;
    return n;
}

} // namespace

std::string rest_query(const request_params& params) {
    std::string out;
    out.reserve(query_capacity(params));
    for (const auto& p : params) {
        if (!out.empty())
            out.push_back('&');
        out.append(p.name);
        out.push_back('=');
        rest::append_url_encoded(out, p.value);
    }
    return out;
}

result<std::string> rest_signed_query(const request_params& params, const rest::signer& signer) {
    std::string q = rest_query(params);
    std::array<char, rest::signer::max_signature_size> sig{};
    auto n = signer.sign_to(q, sig);
    if (!n)
        return n.error();
    q.append("&signature=");
    // Hex needs no encoding; base64's '+', '/' and '=' do.
    rest::append_url_encoded(q, std::string_view(sig.data(), *n));
    return q;
}

std::string ws_api_signing_payload(const request_params& params, std::string_view api_key) {
    std::vector<rest::param> views;
    views.reserve(params.size() + 1);
    for (const auto& p : params)
        views.push_back({p.name, p.value});
    views.push_back({"apiKey", api_key});
    return rest::ws_api_payload(views);
}

result<std::string> ws_api_request(std::string_view id, std::string_view method, const request_params& params,
                                   std::string_view api_key, const rest::signer& signer) {
    const request_param key{"apiKey", std::string(api_key)};
    std::vector<const request_param*> sorted;
    sorted.reserve(params.size() + 1);
    for (const auto& p : params)
        if (p.name != "signature" && p.name != "apiKey")
            sorted.push_back(&p);
    sorted.push_back(&key);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const request_param* a, const request_param* b) { return a->name < b->name; });
    // Signed text: the sorted name=value list, values raw UTF-8.
    std::string payload;
    for (const auto* p : sorted) {
        if (!payload.empty())
            payload.push_back('&');
        payload.append(p->name);
        payload.push_back('=');
        payload.append(p->value);
    }
    auto sig = signer.sign(payload);
    if (!sig)
        return sig.error();
    return ws_json(id, method, sorted, *sig);
}

std::string ws_api_unsigned_request(std::string_view id, std::string_view method, const request_params& params) {
    std::vector<const request_param*> ordered;
    ordered.reserve(params.size());
    for (const auto& p : params)
        ordered.push_back(&p);
    return ws_json(id, method, ordered, {});
}

} // namespace genesis::binance
