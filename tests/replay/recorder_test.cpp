// The recorder: awkward payloads survive the round trip as valid JSON, the queue is bounded and
// never blocks, flush and close wait for the writer.
#include "genesis/gateway/replay/recorder.hpp"

#include "genesis/gateway/replay/json_text.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace genesis;
using namespace genesis::gateway::replay;

namespace {

struct line_fields {
    std::int64_t ts_ns = 0;
    std::string source;
    std::string channel;
    std::string payload;
};

class RecorderTest : public ::testing::Test {
protected:
    std::string path_;

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = ::testing::TempDir() + "genesis_recorder_" + info->name() + ".jsonl";
        std::filesystem::remove(path_);
    }
    void TearDown() override { std::filesystem::remove(path_); }

    std::vector<std::string> lines() const {
        std::ifstream in(path_, std::ios::binary);
        std::vector<std::string> out;
        std::string l;
        while (std::getline(in, l))
            out.push_back(l);
        return out;
    }

    /// Parses one line strictly (simdjson DOM validates the whole document, UTF-8 included).
    static line_fields parse(const std::string& line) {
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        line_fields f;
        const auto err = parser.parse(line).get(doc);
        EXPECT_EQ(err, simdjson::SUCCESS) << line.substr(0, 200);
        if (err)
            return f;
        std::string_view s;
        EXPECT_EQ(doc["ts_ns"].get_int64().get(f.ts_ns), simdjson::SUCCESS);
        EXPECT_EQ(doc["source"].get_string().get(s), simdjson::SUCCESS);
        f.source = s;
        EXPECT_EQ(doc["channel"].get_string().get(s), simdjson::SUCCESS);
        f.channel = s;
        EXPECT_EQ(doc["payload"].get_string().get(s), simdjson::SUCCESS);
        f.payload = s;
        return f;
    }
};

} // namespace

TEST_F(RecorderTest, appendJsonEscapedEscapesQuotesBackslashesAndControls) {
    std::string out;
    EXPECT_EQ(append_json_escaped(out, std::string_view("a\"b\\c\n\x01\x1f\x7f", 9)), 0u);
    EXPECT_EQ(out, "a\\\"b\\\\c\\u000a\\u0001\\u001f\x7f");
    out.clear();
    EXPECT_EQ(append_json_escaped(out, std::string_view("\0x", 2)), 0u);
    EXPECT_EQ(out, "\\u0000x");
}

TEST_F(RecorderTest, appendJsonEscapedKeepsUtf8AndReplacesInvalidBytes) {
    std::string out;
    // Euro sign, G clef (4 bytes), U+10FFFF: all valid.
    EXPECT_EQ(append_json_escaped(out, "\xE2\x82\xAC \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBF"), 0u);
    EXPECT_EQ(out, "\xE2\x82\xAC \xF0\x9D\x84\x9E \xF4\x8F\xBF\xBF");
    // Stray continuation, overlong, surrogate, above U+10FFFF, truncated: one U+FFFD per byte.
    const std::pair<std::string_view, std::size_t> bad[] = {
        {"\x80", 1}, {"\xC0\x80", 2}, {"\xED\xA0\x80", 3}, {"\xF4\x90\x80\x80", 4}, {"\xE2\x82", 2}, {"\xFF", 1}};
    for (const auto& [text, n] : bad) {
        out.clear();
        EXPECT_EQ(append_json_escaped(out, text), n);
        std::string want;
        for (std::size_t i = 0; i < n; ++i)
            want += "\xEF\xBF\xBD";
        EXPECT_EQ(out, want);
    }
}

TEST_F(RecorderTest, recordRoundTripsAwkwardPayloads) {
    std::string controls;
    for (int c = 0; c < 0x20; ++c)
        controls.push_back(static_cast<char>(c));
    std::string big(1u << 20, 'x');
    for (std::size_t i = 0; i < big.size(); i += 997)
        big[i] = "\"\\\n{}"[i % 5];
    const std::string payloads[] = {
        R"({"e":"trade","p":"1.5","note":"say \"hi\" \\ back"})",
        controls,
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E",
        big,
        "",
    };
    const std::string invalid = "ok\xFF\xC0\x80tail\xE2\x82";
    {
        auto rec = recorder::open(path_);
        ASSERT_TRUE(rec) << rec.error().message();
        std::int64_t ts = 1'000;
        for (const auto& p : payloads)
            EXPECT_TRUE(rec->record(record_source::ws, "btcusdt@depth@100ms", p, time_point{ts++}));
        EXPECT_TRUE(
            rec->record(record_source::rest, "/api/v3/depth?symbol=BTCUSDT&limit=1000", invalid, time_point{ts++}));
        ASSERT_TRUE(rec->close());
        const auto st = rec->stats();
        EXPECT_EQ(st.recorded, 6u);
        EXPECT_EQ(st.written, 6u);
        EXPECT_EQ(st.dropped, 0u);
        EXPECT_EQ(st.invalid_utf8, 5u); // FF, C0, 80, E2, 82
        EXPECT_EQ(st.write_errors, 0u);
    }
    const auto ls = lines();
    ASSERT_EQ(ls.size(), 6u);
    for (std::size_t i = 0; i < 5; ++i) {
        const auto f = parse(ls[i]);
        EXPECT_EQ(f.ts_ns, static_cast<std::int64_t>(1'000 + i));
        EXPECT_EQ(f.source, "ws");
        EXPECT_EQ(f.channel, "btcusdt@depth@100ms");
        EXPECT_EQ(f.payload, payloads[i]) << "payload " << i;
    }
    const auto f = parse(ls[5]);
    EXPECT_EQ(f.source, "rest");
    EXPECT_EQ(f.channel, "/api/v3/depth?symbol=BTCUSDT&limit=1000");
    EXPECT_EQ(f.payload, "ok\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDtail\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_F(RecorderTest, flushMakesQueuedLinesVisibleWhileOpen) {
    auto rec = recorder::open(path_);
    ASSERT_TRUE(rec);
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(rec->record(record_source::ws, "x@trade", "{}", time_point{i}));
    ASSERT_TRUE(rec->flush());
    EXPECT_EQ(lines().size(), 3u);
    EXPECT_EQ(rec->stats().written, 3u);
    ASSERT_TRUE(rec->record(record_source::ws, "x@trade", "{}", time_point{3}));
    ASSERT_TRUE(rec->flush());
    EXPECT_EQ(lines().size(), 4u);
}

TEST_F(RecorderTest, recordDropsWhenQueueIsFullInsteadOfBlocking) {
    recorder_options opt;
    opt.max_queued_bytes = 16;
    auto rec = recorder::open(path_, opt);
    ASSERT_TRUE(rec);
    // Larger than the whole queue: refused at once, whatever the writer is doing.
    EXPECT_FALSE(rec->record(record_source::ws, "c", std::string(64, 'a'), time_point{1}));
    EXPECT_TRUE(rec->record(record_source::ws, "c", "small", time_point{2}));
    ASSERT_TRUE(rec->close());
    EXPECT_EQ(rec->stats().dropped, 1u);
    EXPECT_EQ(rec->stats().recorded, 1u);
    ASSERT_EQ(lines().size(), 1u);
    EXPECT_EQ(parse(lines()[0]).payload, "small");

    recorder_options none;
    none.max_queued_lines = 0;
    auto rec2 = recorder::open(path_, none);
    ASSERT_TRUE(rec2);
    EXPECT_FALSE(rec2->record(record_source::ws, "c", "x", time_point{1}));
    EXPECT_EQ(rec2->stats().dropped, 1u);
}

TEST_F(RecorderTest, recordAfterCloseDropsAndCloseIsIdempotent) {
    auto rec = recorder::open(path_);
    ASSERT_TRUE(rec);
    ASSERT_TRUE(rec->record(record_source::ws, "c", "1", time_point{1}));
    ASSERT_TRUE(rec->close());
    ASSERT_TRUE(rec->close());
    EXPECT_FALSE(rec->record(record_source::ws, "c", "2", time_point{2}));
    EXPECT_EQ(rec->stats().dropped, 1u);
    EXPECT_EQ(lines().size(), 1u);
}

TEST_F(RecorderTest, openAppendsWhenAsked) {
    for (int round = 0; round < 2; ++round) {
        recorder_options opt;
        opt.append = true;
        auto rec = recorder::open(path_, opt);
        ASSERT_TRUE(rec);
        ASSERT_TRUE(rec->record(record_source::rest, "/api/v3/time", "{}", time_point{round}));
    }
    EXPECT_EQ(lines().size(), 2u);
    // Truncates by default.
    auto rec = recorder::open(path_);
    ASSERT_TRUE(rec);
    ASSERT_TRUE(rec->close());
    EXPECT_EQ(lines().size(), 0u);
}

TEST_F(RecorderTest, openFailsForAnUnwritablePath) {
    const auto rec = recorder::open(::testing::TempDir() + "no_such_dir_genesis/x/rec.jsonl");
    ASSERT_FALSE(rec);
    EXPECT_EQ(rec.error().value(), ENOENT);
}

TEST_F(RecorderTest, recordFromSeveralThreadsKeepsEveryLineWhole) {
    constexpr int threads = 4;
    constexpr int per_thread = 2'000;
    auto rec = recorder::open(path_);
    ASSERT_TRUE(rec);
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i)
                rec->record(record_source::ws, "s@trade", "{\"t\":" + std::to_string(t * per_thread + i) + "}",
                            time_point{i});
        });
    for (auto& t : ts)
        t.join();
    ASSERT_TRUE(rec->close());
    const auto st = rec->stats();
    EXPECT_EQ(st.recorded + st.dropped, static_cast<std::uint64_t>(threads * per_thread));
    const auto ls = lines();
    ASSERT_EQ(ls.size(), st.recorded);
    std::vector<bool> seen(threads * per_thread, false);
    for (const auto& l : ls) {
        const auto f = parse(l);
        ASSERT_TRUE(f.payload.starts_with("{\"t\":"));
        const int id = std::stoi(f.payload.substr(5));
        ASSERT_GE(id, 0);
        ASSERT_LT(id, threads * per_thread);
        EXPECT_FALSE(seen[id]);
        seen[id] = true;
    }
}
