// Small JSON writing helpers for the server's own documents (/sim/stats, /sim/faults, stream
// control replies). Binance payloads are rendered by the protocol layer.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace genesis::sim::server {

/// Appends s as a JSON string literal (quotes included), escaping as RFC 8259 requires.
inline void json_append_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

inline std::string json_string(std::string_view s) {
    std::string o;
    json_append_string(o, s);
    return o;
}

/// A finite double in a JSON-safe form. -0.0 is written as 0: "-0" reads back as the integer 0,
/// which would break a render-parse-render round trip (found by sim_faults_fuzz).
inline std::string json_number(double d) {
    if (d == 0.0)
        return "0";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

} // namespace genesis::sim::server
