#include "genesis/sim/protocol/ws_api.hpp"

#include "genesis/sim/protocol/json_writer.hpp"

#include <simdjson.h>

#include <algorithm>
#include <string>

namespace genesis::sim::protocol {

namespace od = simdjson::ondemand;

struct ws_parser::impl {
    od::parser parser;
    std::string buffer; // the frame plus SIMDJSON_PADDING bytes; outlives every document

    // Copies the frame into the padded buffer and starts a document over it.
    simdjson::simdjson_result<od::document> start(std::string_view frame) {
        buffer.assign(frame);
        buffer.append(simdjson::SIMDJSON_PADDING, '\0');
        return parser.iterate(buffer.data(), frame.size(), buffer.size());
    }
};

namespace {

std::string_view trim(std::string_view s) noexcept {
    constexpr std::string_view ws = " \t\n\r";
    while (!s.empty() && ws.find(s.back()) != std::string_view::npos)
        s.remove_suffix(1);
    while (!s.empty() && ws.find(s.front()) != std::string_view::npos)
        s.remove_prefix(1);
    return s;
}

std::string quote(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

// Where serde (Binance's stream server) would report the end of the frame: "line L column C".
std::string end_position(std::string_view frame) {
    const auto line = 1 + std::count(frame.begin(), frame.end(), '\n');
    const std::size_t nl = frame.rfind('\n');
    const std::size_t column = nl == std::string_view::npos ? frame.size() : frame.size() - nl - 1;
    return "line " + std::to_string(line) + " column " + std::to_string(column);
}

// True when the document has no tokens left (nothing trails the root value).
bool at_end(od::document& doc) noexcept {
    const char* loc = nullptr;
    return doc.current_location().get(loc) == simdjson::OUT_OF_BOUNDS;
}

// A scalar or container as text for the params list: strings unescaped, everything else raw.
// false when the value is malformed.
bool read_param_value(od::value v, param& out, bool& is_null) {
    is_null = false;
    od::json_type t{};
    if (v.type().get(t))
        return false;
    switch (t) {
    case od::json_type::string: {
        std::string_view s;
        if (v.get_string().get(s))
            return false;
        out.value.assign(s);
        out.is_json_string = true;
        return true;
    }
    case od::json_type::number:
    case od::json_type::boolean: {
        // Validate the token, then keep its raw text (signatures cover the digits as sent).
        if (t == od::json_type::boolean) {
            bool b = false;
            if (v.get_bool().get(b))
                return false;
        } else {
            od::number n;
            if (v.get_number().get(n))
                return false;
        }
        out.value.assign(trim(v.raw_json_token()));
        return true;
    }
    case od::json_type::null: {
        bool null = false;
        if (v.is_null().get(null) || !null)
            return false;
        is_null = true;
        return true;
    }
    case od::json_type::array: {
        od::array a;
        std::string_view raw;
        if (v.get_array().get(a) || a.raw_json().get(raw))
            return false;
        out.value.assign(trim(raw));
        return true;
    }
    case od::json_type::object: {
        od::object o;
        std::string_view raw;
        if (v.get_object().get(o) || o.raw_json().get(raw))
            return false;
        out.value.assign(trim(raw));
        return true;
    }
    }
    return false;
}

// id: an integer, a string of at most 36 characters, or null; as raw JSON.
bool read_id(od::value v, std::string& id) {
    od::json_type t{};
    if (v.type().get(t))
        return false;
    if (t == od::json_type::number) {
        std::int64_t n = 0;
        if (v.get_int64().get(n))
            return false;
        id = std::to_string(n);
        return true;
    }
    if (t == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s) || s.size() > 36)
            return false;
        id = quote(s);
        return true;
    }
    if (t == od::json_type::null) {
        bool null = false;
        if (v.is_null().get(null) || !null)
            return false;
        id = "null";
        return true;
    }
    return false;
}

} // namespace

ws_parser::ws_parser() : impl_(std::make_unique<impl>()) {}
ws_parser::~ws_parser() = default;
ws_parser::ws_parser(ws_parser&&) noexcept = default;
ws_parser& ws_parser::operator=(ws_parser&&) noexcept = default;

boost::system::result<ws_request, ws_request_error> ws_parser::parse_request(std::string_view frame) {
    ws_request req;
    const auto fail = [&req](binance_error e) { return ws_request_error{req.id, std::move(e)}; };

    od::document doc;
    if (impl_->start(frame).get(doc))
        return fail(invalid_json());
    od::json_type root_type{};
    if (doc.type().get(root_type))
        return fail(invalid_json());
    // Only an object is a request; anything else is treated like unparseable text.
    if (root_type != od::json_type::object)
        return fail(invalid_json());
    od::object obj;
    if (doc.get_object().get(obj))
        return fail(invalid_json());

    bool seen_id = false;
    bool seen_method = false;
    bool seen_params = false;
    for (auto field_result : obj) {
        od::field field;
        if (std::move(field_result).get(field))
            return fail(invalid_json());
        std::string_view key;
        if (field.unescaped_key().get(key))
            return fail(invalid_json());
        if (key == "id") {
            if (seen_id)
                return fail(duplicate_parameter());
            seen_id = true;
            if (!read_id(field.value(), req.id)) {
                req.id = "null";
                return fail(mandatory_missing("id"));
            }
        } else if (key == "method") {
            if (seen_method)
                return fail(duplicate_parameter());
            seen_method = true;
            std::string_view m;
            if (field.value().get_string().get(m) || m.empty())
                return fail(mandatory_missing("method"));
            // "v3/order.place" is "order.place".
            if (m.starts_with("v3/"))
                m.remove_prefix(3);
            req.method.assign(m);
        } else if (key == "params") {
            if (seen_params)
                return fail(duplicate_parameter());
            seen_params = true;
            od::object po;
            if (field.value().get_object().get(po))
                return fail(params_not_object());
            for (auto pf_result : po) {
                od::field pf;
                if (std::move(pf_result).get(pf))
                    return fail(invalid_json());
                std::string_view name;
                if (pf.unescaped_key().get(name))
                    return fail(invalid_json());
                param p;
                p.name.assign(name);
                bool is_null = false;
                if (!read_param_value(pf.value(), p, is_null))
                    return fail(invalid_json());
                // null counts as not sent.
                if (is_null)
                    continue;
                if (auto added = req.args.add(std::move(p)); !added)
                    return fail(added.error());
            }
        } else {
            return fail(binance_error{-1103, "An unknown parameter was sent."});
        }
    }
    // Trailing garbage after the object makes the whole frame invalid JSON.
    if (!at_end(doc))
        return fail(invalid_json());
    if (!seen_id)
        return fail(mandatory_missing("id"));
    if (!seen_method)
        return fail(mandatory_missing("method"));
    return req;
}

boost::system::result<stream_control, stream_control_error> ws_parser::parse_control(std::string_view frame) {
    stream_control out;
    std::optional<std::uint64_t> id;
    const auto invalid_json_error = [&frame] {
        return stream_control_error{3, "Invalid JSON: expected value at " + end_position(frame), std::nullopt};
    };
    const auto invalid = [&id](std::string msg) {
        return stream_control_error{2, "Invalid request: " + std::move(msg), id};
    };

    od::document doc;
    if (impl_->start(frame).get(doc))
        return invalid_json_error();
    od::object obj;
    od::json_type root_type{};
    if (doc.type().get(root_type))
        return invalid_json_error();
    if (root_type != od::json_type::object)
        return invalid("expected an object");
    if (doc.get_object().get(obj))
        return invalid_json_error();

    std::optional<std::string> method;
    bool id_ok = false;
    bool seen_params = false;
    bool params_is_array = true;
    // Each element of "params": its type and, for strings, its text ("true"/"false" for booleans).
    std::vector<std::pair<od::json_type, std::string>> elems;
    for (auto field_result : obj) {
        od::field field;
        if (std::move(field_result).get(field))
            return invalid_json_error();
        std::string_view key;
        if (field.unescaped_key().get(key))
            return invalid_json_error();
        if (key == "method") {
            std::string_view m;
            if (field.value().get_string().get(m))
                return invalid("method must be a string");
            method.emplace(m);
        } else if (key == "id") {
            std::uint64_t n = 0;
            od::value v = field.value();
            od::json_type t{};
            if (v.type().get(t))
                return invalid_json_error();
            if (t == od::json_type::number && !v.get_uint64().get(n)) {
                id = n;
                id_ok = true;
            }
        } else if (key == "params") {
            seen_params = true;
            od::array arr;
            if (field.value().get_array().get(arr)) {
                params_is_array = false;
                continue;
            }
            for (auto el_result : arr) {
                od::value el;
                if (std::move(el_result).get(el))
                    return invalid_json_error();
                od::json_type t{};
                if (el.type().get(t))
                    return invalid_json_error();
                std::string text;
                if (t == od::json_type::string) {
                    std::string_view sv;
                    if (el.get_string().get(sv))
                        return invalid_json_error();
                    text.assign(sv);
                } else if (t == od::json_type::boolean) {
                    bool b = false;
                    if (el.get_bool().get(b))
                        return invalid_json_error();
                    text = b ? "true" : "false";
                }
                // Anything else is skipped by the iterator when we move on.
                elems.emplace_back(t, std::move(text));
            }
        } else {
            return invalid("too many parameters");
        }
    }
    if (!at_end(doc))
        return invalid_json_error();
    if (!method)
        return invalid("missing field `method` at " + end_position(frame));
    if (*method == "SUBSCRIBE")
        out.method = stream_method::subscribe;
    else if (*method == "UNSUBSCRIBE")
        out.method = stream_method::unsubscribe;
    else if (*method == "LIST_SUBSCRIPTIONS")
        out.method = stream_method::list_subscriptions;
    else if (*method == "SET_PROPERTY")
        out.method = stream_method::set_property;
    else if (*method == "GET_PROPERTY")
        out.method = stream_method::get_property;
    else
        return invalid("unknown variant `" + *method +
                       "`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, "
                       "`GET_PROPERTY` at " +
                       end_position(frame));
    if (!id_ok)
        return stream_control_error{2, "Invalid request: request ID must be an unsigned integer", std::nullopt};
    out.id = *id;

    const auto is_string = [&elems](std::size_t i) { return elems[i].first == od::json_type::string; };
    std::vector<std::string> names;
    switch (out.method) {
    case stream_method::subscribe:
    case stream_method::unsubscribe:
        if (!seen_params)
            return invalid("missing field `params` at " + end_position(frame));
        if (!params_is_array)
            return invalid("invalid stream");
        for (std::size_t i = 0; i < elems.size(); ++i) {
            if (!is_string(i))
                return invalid("invalid stream");
            names.push_back(std::move(elems[i].second));
        }
        break;
    case stream_method::list_subscriptions:
        if (!params_is_array || !elems.empty())
            return invalid("too many parameters");
        break;
    case stream_method::set_property:
        if (!params_is_array || elems.empty() || !is_string(0))
            return invalid("property name must be a string");
        if (elems.size() != 2 || elems[1].first != od::json_type::boolean)
            return stream_control_error{1, "Invalid value type: expected Boolean", id};
        if (elems[0].second != "combined")
            return stream_control_error{0, "Unknown property", id};
        names.push_back(elems[0].second);
        out.value = elems[1].second == "true";
        break;
    case stream_method::get_property:
        if (!params_is_array || elems.size() != 1 || !is_string(0))
            return invalid("property name must be a string");
        if (elems[0].second != "combined")
            return stream_control_error{0, "Unknown property", id};
        names.push_back(elems[0].second);
        break;
    }
    out.params = std::move(names);
    return out;
}

std::string render(const stream_control_error& e) {
    json_writer w;
    w.begin_object().key("error").begin_object().field("code", e.code).field("msg", e.msg).end_object();
    w.key("id");
    if (e.id)
        w.number(*e.id);
    else
        w.null();
    w.end_object();
    return w.take();
}

std::string stream_control_response(std::uint64_t id, std::string_view result_json) {
    json_writer w;
    w.begin_object().key("result").raw(result_json).field("id", id).end_object();
    return w.take();
}

} // namespace genesis::sim::protocol
