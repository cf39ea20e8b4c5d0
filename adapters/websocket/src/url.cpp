#include "genesis/ws/url.hpp"

#include "genesis/ws/error.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <charconv>

namespace genesis::ws {

namespace {

bool has_bad_chars(std::string_view s) noexcept {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f;
    });
}

} // namespace

result<ws_url> parse_ws_url(std::string_view url) {
    const auto bad = make_error_code(ws_errc::invalid_url);
    if (url.empty() || has_bad_chars(url))
        return bad;
    ws_url out;
    if (url.starts_with("wss://")) {
        out.secure = true;
        url.remove_prefix(6);
    } else if (url.starts_with("ws://")) {
        out.secure = false;
        url.remove_prefix(5);
    } else {
        return bad;
    }
    // The authority ends at the first '/' or '?': stream names in the target may contain '@'.
    const auto end = url.find_first_of("/?#");
    std::string_view authority = url.substr(0, end);
    std::string_view target = end == std::string_view::npos ? std::string_view{} : url.substr(end);
    if (authority.find('@') != std::string_view::npos || target.starts_with("#"))
        return bad;
    if (const auto frag = target.find('#'); frag != std::string_view::npos)
        target = target.substr(0, frag);
    std::string_view host;
    std::string_view port;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return bad;
        host = authority.substr(1, close - 1);
        const auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(":"))
                return bad;
            port = rest.substr(1);
            if (port.empty())
                return bad;
        }
        boost::system::error_code ec;
        (void)boost::asio::ip::make_address_v6(std::string(host), ec);
        if (ec)
            return bad;
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty())
                return bad;
        }
    }
    if (host.empty())
        return bad;
    if (!port.empty()) {
        unsigned value = 0;
        const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535)
            return bad;
        out.port = std::to_string(value);
    } else {
        out.port = out.secure ? "443" : "80";
    }
    out.host = std::string(host);
    if (target.empty())
        out.target = "/";
    else if (target.starts_with("?"))
        out.target = "/" + std::string(target);
    else
        out.target = std::string(target);
    return out;
}

std::string_view ws_url::path() const noexcept {
    const std::string_view t(target);
    return t.substr(0, t.find('?'));
}

std::string ws_url::host_header() const {
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return h + ":" + port;
}

std::string ws_url::redacted() const {
    std::string out = (secure ? "wss://" : "ws://") + host_header();
    const std::string_view p = path();
    // Keep the first segment ("/ws", "/stream", "/ws-api"); anything after it may be a listenKey.
    const auto second = p.find('/', 1);
    out += p.substr(0, second);
    if (second != std::string_view::npos && second + 1 < p.size())
        out += "/***";
    else if (second != std::string_view::npos)
        out += "/";
    if (target.find('?') != std::string::npos)
        out += "?***";
    return out;
}

bool is_ip_literal(std::string_view host) noexcept {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(std::string(host), ec);
    return !ec;
}

std::string combined_stream_target(std::string_view path, const std::vector<std::string>& streams) {
    std::string out(path.empty() ? std::string_view("/stream") : path);
    if (streams.empty())
        return out;
    out += "?streams=";
    for (std::size_t i = 0; i < streams.size(); ++i) {
        if (i != 0)
            out += '/';
        out += streams[i];
    }
    return out;
}

std::string stream_control_message(std::string_view method, const std::vector<std::string>& streams, std::uint64_t id) {
    auto quote = [](std::string& o, std::string_view s) {
        o += '"';
        for (char c : s) {
            if (c == '"' || c == '\\')
                o += '\\';
            if (static_cast<unsigned char>(c) >= 0x20)
                o += c;
        }
        o += '"';
    };
    std::string out = "{\"method\":";
    quote(out, method);
    out += ",\"params\":[";
    for (std::size_t i = 0; i < streams.size(); ++i) {
        if (i != 0)
            out += ',';
        quote(out, streams[i]);
    }
    out += "],\"id\":" + std::to_string(id) + "}";
    return out;
}

} // namespace genesis::ws
