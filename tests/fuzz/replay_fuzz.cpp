// libFuzzer target for record and replay. The input is up to 32 lines. Each line is fed to one
// replayer as a recording line as is, and, read as "<w|r>|<channel>|<payload>", written through
// the recorder's line formatter and fed to a second replayer. Invariants: every output line is
// valid JSON, a valid book is sorted and uncrossed, and a line the recorder wrote always parses
// back to what was recorded.
#include "genesis/gateway/replay/replay.hpp"

#include "fuzz_check.hpp"
#include "genesis/gateway/replay/json_text.hpp"
#include "genesis/gateway/replay/recorder.hpp"

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace {

using namespace genesis;
using namespace genesis::gateway::replay;

/// Each level's price is strictly beyond the previous one in the side's order.
void check_side(simdjson::dom::array side, bool bids) {
    bool first = true;
    decimal prev;
    for (auto level : side) {
        std::string_view p;
        GENESIS_FUZZ_CHECK(level.at(0).get_string().get(p) == simdjson::SUCCESS);
        const auto d = decimal::parse(p);
        GENESIS_FUZZ_CHECK(d.has_value());
        if (!first)
            GENESIS_FUZZ_CHECK(bids ? *d < prev : *d > prev);
        prev = *d;
        first = false;
    }
}

void check_output(const std::string& out) {
    simdjson::dom::parser parser;
    std::istringstream in(out);
    std::string line;
    bool summary = false;
    while (std::getline(in, line)) {
        simdjson::dom::element e;
        GENESIS_FUZZ_CHECK(parser.parse(line).get(e) == simdjson::SUCCESS);
        std::string_view type;
        GENESIS_FUZZ_CHECK(e["type"].get_string().get(type) == simdjson::SUCCESS);
        summary = type == "summary";
        bool valid = false;
        if (type == "book" && e["valid"].get_bool().get(valid) == simdjson::SUCCESS && valid) {
            simdjson::dom::array bids, asks;
            GENESIS_FUZZ_CHECK(e["bids"].get_array().get(bids) == simdjson::SUCCESS);
            GENESIS_FUZZ_CHECK(e["asks"].get_array().get(asks) == simdjson::SUCCESS);
            check_side(bids, true);
            check_side(asks, false);
            if (bids.size() > 0 && asks.size() > 0) {
                std::string_view b, a;
                GENESIS_FUZZ_CHECK(bids.at(0).at(0).get_string().get(b) == simdjson::SUCCESS);
                GENESIS_FUZZ_CHECK(asks.at(0).at(0).get_string().get(a) == simdjson::SUCCESS);
                GENESIS_FUZZ_CHECK(*decimal::parse(b) < *decimal::parse(a));
            }
        }
    }
    GENESIS_FUZZ_CHECK(summary); // the summary comes last
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::ostringstream out1, err1, out2, err2;
    replayer direct(out1, err1);
    replayer wrapped(out2, err2);
    std::string record;
    simdjson::dom::parser record_parser;
    std::int64_t ts = 1'000'000'000;

    std::size_t start = 0;
    for (int n = 0; n < 32 && start <= input.size(); ++n) {
        const std::size_t nl = input.find('\n', start);
        const std::string_view line =
            input.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        start = nl == std::string_view::npos ? input.size() + 1 : nl + 1;

        direct.on_line(line);

        // "<w|r>|<channel>|<payload>" through the recorder's formatter.
        const auto bar1 = line.find('|');
        const auto bar2 = bar1 == std::string_view::npos ? bar1 : line.find('|', bar1 + 1);
        if (bar2 == std::string_view::npos)
            continue;
        const auto source = line.substr(0, bar1) == "r" ? record_source::rest : record_source::ws;
        record.clear();
        const std::int64_t ts_before = ts;
        append_record_line(record, time_point{ts}, source, line.substr(bar1 + 1, bar2 - bar1 - 1),
                           line.substr(bar2 + 1));
        ts += (static_cast<unsigned char>(line[0]) % 8) * 1'000'000'000LL;
        GENESIS_FUZZ_CHECK(!record.empty() && record.back() == '\n');
        record.pop_back();
        // The recorder's line is always a well-formed record that gives back what was recorded
        // (exactly, when it was valid UTF-8).
        const std::string_view channel = line.substr(bar1 + 1, bar2 - bar1 - 1);
        const std::string_view payload = line.substr(bar2 + 1);
        std::string scratch;
        const bool exact = append_json_escaped(scratch, channel) == 0 && append_json_escaped(scratch, payload) == 0;
        simdjson::dom::element rec;
        GENESIS_FUZZ_CHECK(record_parser.parse(record).get(rec) == simdjson::SUCCESS);
        std::int64_t got_ts = 0;
        std::string_view got_channel, got_payload, got_source;
        GENESIS_FUZZ_CHECK(rec["ts_ns"].get_int64().get(got_ts) == simdjson::SUCCESS && got_ts == ts_before);
        GENESIS_FUZZ_CHECK(rec["source"].get_string().get(got_source) == simdjson::SUCCESS &&
                           got_source == to_string(source));
        GENESIS_FUZZ_CHECK(rec["channel"].get_string().get(got_channel) == simdjson::SUCCESS);
        GENESIS_FUZZ_CHECK(rec["payload"].get_string().get(got_payload) == simdjson::SUCCESS);
        if (exact)
            GENESIS_FUZZ_CHECK(got_channel == channel && got_payload == payload);
        wrapped.on_line(record);
    }
    direct.finish();
    wrapped.finish();
    check_output(out1.str());
    check_output(out2.str());
    const auto s = direct.summary();
    GENESIS_FUZZ_CHECK(s.errors + s.ignored <= s.frames);
    return 0;
}
