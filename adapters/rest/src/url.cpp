#include "genesis/rest/url.hpp"

#include "genesis/rest/http_error.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace genesis::rest {

std::string base_url::authority() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string base_url::host_header() const {
    const bool v6 = host.find(':') != std::string::npos;
    std::string h = v6 ? "[" + host + "]" : host;
    if (port != 443)
        h += ":" + std::to_string(port);
    return h;
}

std::string base_url::to_string() const { return "https://" + authority() + prefix; }

result<base_url> parse_base_url(std::string_view text) {
    constexpr std::string_view scheme = "https://";
    if (text.size() <= scheme.size() || text.substr(0, scheme.size()) != scheme)
        return http_errc::invalid_url;
    std::string_view rest = text.substr(scheme.size());
    if (rest.find_first_of("?#@ ") != std::string_view::npos)
        return http_errc::invalid_url;
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);

    base_url u;
    u.prefix = std::string(path);
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        // IPv6 literal: [addr] or [addr]:port.
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return http_errc::invalid_url;
        u.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return http_errc::invalid_url;
            port_text = after.substr(1);
            if (port_text.empty())
                return http_errc::invalid_url;
        }
    } else {
        const auto colon = authority.find(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty())
                return http_errc::invalid_url;
        }
    }
    if (u.host.empty())
        return http_errc::invalid_url;
    if (!port_text.empty()) {
        unsigned p = 0;
        const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || p == 0 || p > 65535)
            return http_errc::invalid_url;
        u.port = static_cast<std::uint16_t>(p);
    }
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(u.host, ec);
    u.host_is_ip = !ec;
    if (!u.host_is_ip && u.host.find(':') != std::string::npos)
        return http_errc::invalid_url;
    return u;
}

std::string make_target(const base_url& base, std::string_view path, std::string_view query) {
    std::string t;
    t.reserve(base.prefix.size() + path.size() + query.size() + 2);
    t += base.prefix;
    if (path.empty() || path.front() != '/')
        t += '/';
    t += path;
    if (!query.empty()) {
        t += '?';
        t += query;
    }
    return t;
}

} // namespace genesis::rest
