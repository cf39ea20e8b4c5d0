// JSON string escaping that yields valid JSON for any bytes (shared by the recorder and replay).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace genesis::gateway::replay {

/// Appends `text` to `out` as the body of a JSON string (no surrounding quotes): `"` and `\`
/// are escaped, control characters (< 0x20) become \u00XX, valid UTF-8 passes through unchanged,
/// and each byte that is not part of a well-formed UTF-8 sequence (RFC 3629: no overlongs, no
/// surrogates, nothing above U+10FFFF) becomes U+FFFD. Returns the number of bytes replaced.
std::size_t append_json_escaped(std::string& out, std::string_view text);

/// Same, with the surrounding quotes.
std::size_t append_json_string(std::string& out, std::string_view text);

} // namespace genesis::gateway::replay
