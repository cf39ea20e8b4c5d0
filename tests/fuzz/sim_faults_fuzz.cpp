// libFuzzer target for genesis-sim's fault rules (the JSON posted to /sim/faults): parse, render
// back, and run the rules through the injector as the server does per request and per frame.
#include "genesis/sim/server/faults.hpp"

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace genesis::sim::server;

/// The injector decides for a few requests and frames on every listener.
void exercise(const fault_config& cfg) {
    fault_injector inj(cfg);
    for (int round = 0; round < 4; ++round) {
        for (std::string_view listener : {"rest0", "rest1", "streams", "wsapi"}) {
            (void)inj.on_request(listener, "/api/v3/order", "POST");
            (void)inj.on_request(listener, "order.place", "");
            (void)inj.on_frame(listener, "btcusdt@depth@100ms", true);
            (void)inj.on_frame(listener, "executionReport", false);
            (void)inj.frame_delay(listener, "btcusdt@trade");
            (void)inj.disconnect_interval(listener, "/stream");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto cfg = parse_fault_config_json(input);
    if (!cfg)
        return 0;

    // GET /sim/faults answers to_json(); posting that back must give the same rules.
    const std::string json = to_json(*cfg);
    const auto again = parse_fault_config_json(json);
    GENESIS_FUZZ_CHECK(again.has_value());
    GENESIS_FUZZ_CHECK(to_json(*again) == json);

    exercise(*cfg);
    return 0;
}
