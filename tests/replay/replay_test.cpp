// Replay of hand-made recordings: book sync through snapshots, gaps and resyncs, malformed
// lines, combined and raw streams, and the command line.
#include "genesis/gateway/replay/replay.hpp"

#include "genesis/gateway/replay/recorder.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace genesis;
using namespace genesis::gateway::replay;

namespace {

constexpr std::int64_t t0 = 1'000'000'000;
constexpr std::int64_t ms = 1'000'000;

/// A depthUpdate payload for BNBBTC.
std::string diff(std::uint64_t U, std::uint64_t u, const std::string& bids, const std::string& asks) {
    return R"({"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":)" + std::to_string(U) +
           ",\"u\":" + std::to_string(u) + ",\"b\":[" + bids + "],\"a\":[" + asks + "]}";
}

/// A GET /api/v3/depth answer.
std::string snapshot(std::uint64_t id, const std::string& bids, const std::string& asks) {
    return "{\"lastUpdateId\":" + std::to_string(id) + ",\"bids\":[" + bids + "],\"asks\":[" + asks + "]}";
}

constexpr const char* depth_channel = "/api/v3/depth?symbol=BNBBTC&limit=1000";
constexpr const char* raw_depth = "bnbbtc@depth@100ms";

class ReplayTest : public ::testing::Test {
protected:
    std::string recording_;
    std::int64_t ts_ = t0;
    std::ostringstream out_;
    std::ostringstream err_;
    std::vector<std::string> lines_;
    std::unique_ptr<replayer> replayer_;

    /// Appends a recorded frame, 10 ms after the previous one.
    void add(record_source src, const std::string& channel, const std::string& payload) {
        append_record_line(recording_, time_point{ts_}, src, channel, payload);
        ts_ += 10 * ms;
    }
    void ws(const std::string& channel, const std::string& payload) { add(record_source::ws, channel, payload); }
    void rest(const std::string& channel, const std::string& payload) { add(record_source::rest, channel, payload); }
    void raw_line(const std::string& line) { recording_ += line + "\n"; }

    void run(replay_options opt = {}) {
        replayer_ = std::make_unique<replayer>(out_, err_, opt);
        std::istringstream in(recording_);
        std::string l;
        while (std::getline(in, l))
            replayer_->on_line(l);
        replayer_->finish();
        std::istringstream o(out_.str());
        while (std::getline(o, l))
            lines_.push_back(l);
    }

    /// The output lines of one type, each parsed (and so checked to be valid JSON).
    std::vector<simdjson::dom::element> of_type(std::string_view type) {
        std::vector<simdjson::dom::element> r;
        for (const auto& l : lines_) {
            parsers_.emplace_back();
            simdjson::dom::element e;
            EXPECT_EQ(parsers_.back().parse(l).get(e), simdjson::SUCCESS) << l;
            std::string_view t;
            if (e["type"].get_string().get(t) == simdjson::SUCCESS && t == type)
                r.push_back(e);
        }
        return r;
    }

    simdjson::dom::element summary() {
        const auto s = of_type("summary");
        EXPECT_EQ(s.size(), 1u);
        EXPECT_TRUE(lines_.back().starts_with("{\"type\":\"summary\""));
        return s.at(0);
    }
    std::uint64_t count(std::string_view key) {
        std::uint64_t v = 0;
        EXPECT_EQ(summary()[key].get_uint64().get(v), simdjson::SUCCESS);
        return v;
    }

    /// The book line of a symbol as raw text, and its parsed form.
    std::string book_line(std::string_view sym) {
        for (const auto& l : lines_)
            if (l.starts_with("{\"type\":\"book\",\"symbol\":\"" + std::string(sym) + "\""))
                return l;
        ADD_FAILURE() << "no book for " << sym;
        return {};
    }

    std::deque<simdjson::dom::parser> parsers_;
};

} // namespace

TEST_F(ReplayTest, snapshotAndChainedDiffsGiveTheExactBook) {
    // The first diff is buffered, the book asks for a snapshot, the next recorded one serves it.
    ws(raw_depth, diff(101, 105, R"(["0.0024","10"],["0.0023","5"])", R"(["0.0026","100"])"));
    rest(depth_channel, snapshot(103, R"(["0.00240000","10.00000000"],["0.00230000","5.00000000"])",
                                 R"(["0.00260000","100.00000000"],["0.00270000","7.50000000"])"));
    ws(raw_depth, diff(106, 107, R"(["0.0025","1.5"])", R"(["0.0027","0"])"));
    ws(raw_depth, diff(108, 110, R"(["0.0023","0"],["0.0022","3"])", R"(["0.0028","2.25"])"));
    run();
    EXPECT_EQ(err_.str(), "");
    EXPECT_EQ(
        book_line("BNBBTC"),
        R"({"type":"book","symbol":"BNBBTC","last_update_id":110,"valid":true,"state":"valid","reason":"none",)"
        R"("bids":[["0.0025","1.5"],["0.0024","10"],["0.0022","3"]],"asks":[["0.0026","100"],["0.0028","2.25"]]})");
    EXPECT_EQ(count("frames"), 4u);
    EXPECT_EQ(count("events"), 4u);
    EXPECT_EQ(count("gaps"), 0u);
    EXPECT_EQ(count("resyncs"), 0u);
    EXPECT_EQ(count("errors"), 0u);
    EXPECT_EQ(of_type("depth_update").size(), 3u);
    const auto snaps = of_type("snapshot");
    ASSERT_EQ(snaps.size(), 1u);
    EXPECT_EQ(snaps[0]["last_update_id"].get_uint64().value(), 103u);
    EXPECT_EQ(std::string(snaps[0]["asks"].at(1).at(1).get_string().value()), "7.5");
}

TEST_F(ReplayTest, snapshotRecordedBeforeTheFirstDiffIsUsedWhenTheBookAsks) {
    rest(depth_channel, snapshot(100, R"(["1","1"])", R"(["2","1"])"));
    ws(raw_depth, diff(99, 101, R"(["1.5","2"])", ""));
    run();
    EXPECT_EQ(book_line("BNBBTC"),
              R"({"type":"book","symbol":"BNBBTC","last_update_id":101,"valid":true,"state":"valid","reason":"none",)"
              R"("bids":[["1.5","2"],["1","1"]],"asks":[["2","1"]]})");
}

TEST_F(ReplayTest, gapWithoutLaterSnapshotEndsWithTheBookInvalid) {
    ws(raw_depth, diff(100, 101, R"(["1","1"])", ""));
    rest(depth_channel, snapshot(100, R"(["1","2"])", R"(["3","1"])"));
    ws(raw_depth, diff(102, 103, R"(["1.1","1"])", ""));
    // 104..119 never came.
    ws(raw_depth, diff(120, 121, R"(["1.2","1"])", ""));
    ws(raw_depth, diff(122, 122, R"(["1.3","1"])", ""));
    run();
    EXPECT_EQ(book_line("BNBBTC"),
              R"({"type":"book","symbol":"BNBBTC","last_update_id":0,"valid":false,"state":"invalid","reason":"gap",)"
              R"("bids":[],"asks":[]})");
    EXPECT_EQ(count("gaps"), 1u);
    EXPECT_EQ(count("resyncs"), 1u);
    EXPECT_EQ(count("errors"), 0u);
    ASSERT_NE(replayer_->book("BNBBTC"), nullptr);
    EXPECT_TRUE(replayer_->book("BNBBTC")->snapshot_pending());
}

TEST_F(ReplayTest, gapFollowedByNewSnapshotIsValidAgain) {
    ws(raw_depth, diff(100, 101, R"(["1","1"])", ""));
    rest(depth_channel, snapshot(100, R"(["1","2"])", R"(["3","1"])"));
    ws(raw_depth, diff(130, 131, R"(["1.2","1"])", ""));
    ws(raw_depth, diff(132, 133, R"(["1.3","1"])", ""));
    rest(depth_channel, snapshot(131, R"(["1.2","1"],["1","4"])", R"(["3","1"])"));
    ws(raw_depth, diff(134, 134, "", R"(["2.5","0.5"])"));
    run();
    EXPECT_EQ(book_line("BNBBTC"),
              R"({"type":"book","symbol":"BNBBTC","last_update_id":134,"valid":true,"state":"valid","reason":"none",)"
              R"("bids":[["1.3","1"],["1.2","1"],["1","4"]],"asks":[["2.5","0.5"],["3","1"]]})");
    EXPECT_EQ(count("gaps"), 1u);
    EXPECT_EQ(count("resyncs"), 1u);
}

TEST_F(ReplayTest, snapshotOlderThanFirstBufferedDiffWaitsForTheNextSnapshot) {
    ws(raw_depth, diff(200, 205, R"(["1","1"])", ""));
    rest(depth_channel, snapshot(150, R"(["9","9"])", R"(["10","1"])")); // too old: the book asks again
    ws(raw_depth, diff(206, 207, R"(["1.5","1"])", ""));
    rest(depth_channel, snapshot(206, R"(["1","1"],["0.5","2"])", R"(["2","1"])"));
    run();
    EXPECT_EQ(book_line("BNBBTC"),
              R"({"type":"book","symbol":"BNBBTC","last_update_id":207,"valid":true,"state":"valid","reason":"none",)"
              R"("bids":[["1.5","1"],["1","1"],["0.5","2"]],"asks":[["2","1"]]})");
    const auto* b = replayer_->book("BNBBTC");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->stats().snapshots_too_old, 1u);
    EXPECT_EQ(b->stats().snapshots_applied, 1u);
    EXPECT_EQ(count("resyncs"), 0u);
}

TEST_F(ReplayTest, staleBookResyncsOnTheRecordingsOwnTime) {
    ws(raw_depth, diff(100, 101, R"(["1","1"])", ""));
    rest(depth_channel, snapshot(100, R"(["1","2"])", R"(["3","1"])"));
    ts_ += 6'000 * ms; // longer than book_config::stale_after (5 s) with no update
    ws("bnbbtc@trade", R"({"e":"trade","E":1,"s":"BNBBTC","t":7,"p":"1.5","q":"2","T":1,"m":false})");
    run();
    EXPECT_NE(book_line("BNBBTC").find(R"("valid":false,"state":"invalid","reason":"stale")"), std::string::npos);
    EXPECT_EQ(count("resyncs"), 1u);
    EXPECT_EQ(count("gaps"), 0u);
}

TEST_F(ReplayTest, malformedLinesAreCountedReportedAndSkipped) {
    raw_line("not json at all");
    raw_line(R"({"ts_ns":1,"source":"ws","channel":"bnbbtc@trade"})");                // no payload
    raw_line(R"({"ts_ns":"soon","source":"ws","channel":"x@trade","payload":"{}"})"); // bad ts_ns
    ws(raw_depth, R"({"e":"depthUpdate","s":"BNBBTC"})");                             // decoder rejects
    add(record_source::ws, "bnbbtc@unknownStream", "{}");
    raw_line(R"({"ts_ns":5,"source":"fax","channel":"x","payload":"{}"})");
    rest(depth_channel, R"({"code":-1121,"msg":"Invalid symbol."})");
    rest("/api/v3/depth?limit=5", snapshot(1, "", ""));
    raw_line("{\"ts_ns\":6,\"payload\":\"" + std::string(500, 'z') + "\"");
    raw_line("   ");
    ws("bnbbtc@trade", R"({"e":"trade","E":1,"s":"BNBBTC","t":7,"p":"1.50","q":"2","T":1,"m":false})");
    run();
    EXPECT_EQ(count("errors"), 9u);
    EXPECT_EQ(count("frames"), 10u);
    EXPECT_EQ(count("events"), 1u);
    const auto trades = of_type("trade");
    ASSERT_EQ(trades.size(), 1u);
    EXPECT_EQ(std::string(trades[0]["price"].get_string().value()), "1.5");
    const std::string err = err_.str();
    EXPECT_NE(err.find("line 1:"), std::string::npos);
    EXPECT_NE(err.find("not json at all"), std::string::npos);
    EXPECT_NE(err.find("line 9:"), std::string::npos);
    // The sample is truncated: the 500-character line is not copied whole.
    EXPECT_EQ(err.find(std::string(200, 'z')), std::string::npos);
    EXPECT_NE(err.find("..."), std::string::npos);
    std::size_t n = 0;
    for (char c : err)
        n += c == '\n';
    EXPECT_EQ(n, 9u);
}

TEST_F(ReplayTest, combinedAndRawStreamsAreDecodedByTheirNames) {
    const std::string combined = "/stream?streams=bnbbtc@depth@100ms/bnbbtc@trade";
    ws(combined, R"({"result":null,"id":1})");
    ws(combined, R"({"stream":"bnbbtc@depth@100ms","data":)" + diff(100, 101, R"(["1","1"])", "") + "}");
    rest(depth_channel, snapshot(100, R"(["1","2"])", R"(["3","1"])"));
    ws(combined,
       R"({"stream":"bnbbtc@trade","data":{"e":"trade","E":1,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}})");
    ws("bnbbtc@aggTrade",
       R"({"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true})");
    ws("bnbusdt@bookTicker",
       R"({"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"})");
    ws("bnbbtc@depth5@100ms", R"({"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]})");
    ws("bnbbtc@kline_1m",
       R"({"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}})");
    ws(combined, R"({"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}})");
    run();
    EXPECT_EQ(err_.str(), "");
    EXPECT_EQ(count("errors"), 0u);
    EXPECT_EQ(count("ignored"), 1u);
    EXPECT_EQ(count("events"), 8u);
    std::vector<std::string> types;
    for (const auto& l : lines_) {
        const auto from = l.find("\"type\":\"") + 8;
        types.push_back(l.substr(from, l.find('"', from) - from));
    }
    const std::vector<std::string> want = {"depth_update",  "snapshot", "trade",           "agg_trade", "book_ticker",
                                           "partial_depth", "kline",    "server_shutdown", "book",      "summary"};
    EXPECT_EQ(types, want);
    EXPECT_EQ(std::string(of_type("trade")[0]["price"].get_string().value()), "0.001");
    const auto tick = of_type("book_ticker").at(0);
    EXPECT_EQ(std::string(tick["symbol"].get_string().value()), "BNBUSDT");
    EXPECT_EQ(std::string(tick["bid_price"].get_string().value()), "25.3519");
    EXPECT_EQ(std::string(tick["ask_qty"].get_string().value()), "40.66");
    const auto partial = of_type("partial_depth").at(0);
    EXPECT_EQ(std::string(partial["symbol"].get_string().value()), "BNBBTC");
    EXPECT_EQ(partial["last_update_id"].get_uint64().value(), 160u);
    const auto k = of_type("kline").at(0);
    EXPECT_EQ(std::string(k["interval"].get_string().value()), "1m");
    EXPECT_EQ(std::string(k["high"].get_string().value()), "0.0025");
    EXPECT_EQ(k["trade_count"].get_uint64().value(), 100u);
    EXPECT_EQ(book_line("BNBBTC"),
              R"({"type":"book","symbol":"BNBBTC","last_update_id":101,"valid":true,"state":"valid","reason":"none",)"
              R"("bids":[["1","1"]],"asks":[["3","1"]]})");
}

TEST_F(ReplayTest, booksOnlyPrintsNoEvents) {
    ws(raw_depth, diff(100, 101, R"(["1","1"])", ""));
    rest(depth_channel, snapshot(100, "", R"(["3","1"])"));
    replay_options opt;
    opt.events = false;
    run(opt);
    ASSERT_EQ(lines_.size(), 2u);
    EXPECT_TRUE(lines_[0].starts_with(R"({"type":"book","symbol":"BNBBTC")"));
    EXPECT_EQ(count("events"), 2u);
}

namespace {

int main_with(std::vector<std::string> args, std::string& out, std::string& err) {
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    std::ostringstream o, e;
    const int rc = replay_main(static_cast<int>(argv.size()), argv.data(), o, e);
    out = o.str();
    err = e.str();
    return rc;
}

} // namespace

TEST_F(ReplayTest, replayMainRejectsBadUsageWithTwo) {
    std::string out, err;
    EXPECT_EQ(main_with({"replay"}, out, err), 2);
    EXPECT_NE(err.find("usage"), std::string::npos);
    EXPECT_EQ(main_with({"genesis-gateway", "replay", "--venue", "binance"}, out, err), 2);
    EXPECT_EQ(main_with({"replay", "--input", "x.jsonl"}, out, err), 2);
    EXPECT_EQ(main_with({"replay", "--venue", "kraken", "--input", "x.jsonl"}, out, err), 2);
    EXPECT_NE(err.find("kraken"), std::string::npos);
    EXPECT_EQ(main_with({"replay", "--venue", "binance", "--input"}, out, err), 2);
    EXPECT_EQ(main_with({"replay", "--venue", "binance", "--input", "x", "--frobnicate"}, out, err), 2);
    EXPECT_NE(err.find("--frobnicate"), std::string::npos);
    EXPECT_EQ(main_with({"replay", "--help"}, out, err), 0);
    EXPECT_NE(out.find("--venue binance --input FILE"), std::string::npos);
}

TEST_F(ReplayTest, replayMainReadsTheFileAndFailsWithOneWhenUnreadable) {
    std::string out, err;
    EXPECT_EQ(main_with({"replay", "--venue", "binance", "--input", "/nonexistent/genesis/rec.jsonl"}, out, err), 1);
    EXPECT_NE(err.find("cannot open"), std::string::npos);
    EXPECT_EQ(main_with({"replay", "--venue", "binance", "--input", ::testing::TempDir()}, out, err), 1);

    ws(raw_depth, diff(100, 101, R"(["1","1"])", ""));
    rest(depth_channel, snapshot(100, "", R"(["3","1"])"));
    const std::string path = ::testing::TempDir() + "genesis_replay_main.jsonl";
    std::ofstream(path, std::ios::binary) << recording_;
    EXPECT_EQ(main_with({"genesis-gateway", "replay", "--venue=binance", "--input=" + path}, out, err), 0);
    EXPECT_EQ(err, "");
    EXPECT_NE(out.find(R"({"type":"book","symbol":"BNBBTC","last_update_id":101,"valid":true)"), std::string::npos);
    EXPECT_NE(out.find(R"({"type":"summary","frames":2,"events":2,"gaps":0,"resyncs":0,"errors":0)"),
              std::string::npos);
    std::filesystem::remove(path);
}
