// libFuzzer target for the sim's protocol parsers: urlencoded parameters (query + body, split at
// the first 0xFF byte) with the typed getters and order parsing, the REST signature payload, and
// the WS-API request and stream control parsers. Build with clang++ -fsanitize=fuzzer,address.
#include "genesis/sim/protocol/auth.hpp"
#include "genesis/sim/protocol/orders.hpp"
#include "genesis/sim/protocol/params.hpp"
#include "genesis/sim/protocol/weights.hpp"
#include "genesis/sim/protocol/ws_api.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using namespace genesis::sim::protocol;

void exercise(const params& p) {
    (void)p.required_symbol();
    (void)p.optional_decimal("price");
    (void)p.optional_uint("orderId");
    (void)p.optional_client_id("newClientOrderId");
    (void)parse_new_order(p);
    (void)parse_cancel(p);
    (void)parse_order_query(p);
    (void)parse_limit(p, 100, 5000);
    (void)rest_weight("GET", "/api/v3/depth", p);
    (void)check_timestamp(p, genesis::time_point{1'700'000'000'000'000'000});
    (void)ws_signature_payload(p);
    (void)p.check_all_read();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    const std::size_t split = input.find('\xff');
    const std::string_view query = input.substr(0, split);
    const std::string_view body = split == std::string_view::npos ? std::string_view{} : input.substr(split + 1);
    if (auto p = params::from_urlencoded(query, body))
        exercise(*p);
    (void)rest_signature_payload(query, body);

    // One parser per process, as one per connection in the server.
    static ws_parser parser;
    if (auto r = parser.parse_request(input))
        exercise(r->args);
    (void)parser.parse_control(input);
    return 0;
}
