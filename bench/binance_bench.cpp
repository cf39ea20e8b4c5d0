// Binance decoders, book, signing. The decoders are measured against simdjson's bare on-demand
// walk of the same buffers, in the same run, and the ratio is reported.
#include "genesis/binance/decoder.hpp"
#include "genesis/binance/encoder.hpp"
#include "genesis/binance/order_book.hpp"
#include "genesis/rest/rate_limiter.hpp"
#include "genesis/rest/signer.hpp"

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace genesis;
using namespace genesis::binance;

namespace {

namespace od = simdjson::ondemand;

// Which kernels ran: printed in the context block and as each decoder benchmark's label.
const bool kernel_context_added = [] {
    benchmark::AddCustomContext("simdjson_ondemand_kernel", std::string(decoder::ondemand_kernel()));
    benchmark::AddCustomContext("simdjson_ondemand_kernel (bare baseline)",
                                SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
    benchmark::AddCustomContext("simdjson_stage1_kernel (get_active_implementation)",
                                std::string(decoder::stage1_kernel()));
    return true;
}();

std::string kernel_label() {
    return "ondemand=" + std::string(decoder::ondemand_kernel()) + " stage1=" + std::string(decoder::stage1_kernel());
}

std::string price(std::mt19937_64& rng, int base) {
    return std::to_string(base + static_cast<int>(rng() % 500)) + "." + std::to_string(10 + rng() % 90) + "000000";
}

/// Combined-stream depthUpdate frames with `levels` bids and asks each, like @depth@100ms on BTCUSDT.
std::vector<std::string> depth_frames(std::size_t count, int levels) {
    std::mt19937_64 rng(42);
    std::vector<std::string> out;
    std::uint64_t id = 14527958487;
    for (std::size_t i = 0; i < count; ++i) {
        std::string f =
            R"({"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"BTCUSDT","U":)";
        f += std::to_string(id) + R"(,"u":)" + std::to_string(id + 20) + R"(,"b":[)";
        id += 21;
        for (int l = 0; l < levels; ++l)
            f += std::string(l ? "," : "") + "[\"" + price(rng, 60000) + "\",\"0.0" + std::to_string(rng() % 100000) +
                 "\"]";
        f += R"(],"a":[)";
        for (int l = 0; l < levels; ++l)
            f += std::string(l ? "," : "") + "[\"" + price(rng, 60500) + "\",\"" + std::to_string(rng() % 3) +
                 ".00000000\"]";
        f += "]}}";
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<std::string> trade_frames(std::size_t count) {
    std::mt19937_64 rng(7);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i)
        out.push_back(R"({"stream":"btcusdt@trade","data":{"e":"trade","E":1672515782136,"s":"BTCUSDT","t":)" +
                      std::to_string(705291099 + i) + R"(,"p":")" + price(rng, 60000) + R"(","q":"0.)" +
                      std::to_string(10000000 + rng() % 89999999) + R"(","T":1672515782135,"m":)" +
                      (rng() % 2 ? "true" : "false") + R"(,"M":true}})");
    return out;
}

/// Frames copied into buffers with simdjson's padding, so both sides parse in place.
struct padded_frames {
    std::vector<std::string> buffers;
    std::vector<std::size_t> sizes;
    std::size_t bytes = 0;
    explicit padded_frames(const std::vector<std::string>& frames) {
        for (const auto& f : frames) {
            buffers.push_back(f + std::string(simdjson::SIMDJSON_PADDING, '\0'));
            sizes.push_back(f.size());
            bytes += f.size();
        }
    }
};

/// simdjson's bare on-demand walk: every field, every value read once (strings unescaped,
/// numbers parsed), nothing stored.
simdjson::error_code walk(od::value v, std::uint64_t& sink) noexcept {
    od::json_type t{};
    if (auto e = v.type().get(t))
        return e;
    switch (t) {
    case od::json_type::object: {
        od::object o;
        if (auto e = v.get_object().get(o))
            return e;
        for (auto f : o) {
            // Used in place, as the decoders do: copying the field out of its result costs a
            // store-forwarding stall per field.
            if (auto e = f.error())
                return e;
            od::field&& fld = std::move(f).value_unsafe();
            sink += static_cast<std::uint64_t>(fld.key().raw()[0]);
            if (auto e = walk(fld.value(), sink))
                return e;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::array: {
        od::array a;
        if (auto e = v.get_array().get(a))
            return e;
        for (auto x : a) {
            if (auto e = x.error())
                return e;
            if (auto e = walk(std::move(x).value_unsafe(), sink))
                return e;
        }
        return simdjson::SUCCESS;
    }
    case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s))
            return e;
        sink += s.size();
        return simdjson::SUCCESS;
    }
    case od::json_type::number: {
        std::uint64_t n = 0;
        if (auto e = v.get_uint64().get(n))
            return e;
        sink += n;
        return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
        bool b = false;
        if (auto e = v.get_bool().get(b))
            return e;
        sink += b;
        return simdjson::SUCCESS;
    }
    case od::json_type::null: return simdjson::SUCCESS;
    }
    return simdjson::SUCCESS;
}

bool bare_pass(od::parser& parser, const padded_frames& frames, std::uint64_t& sink) {
    for (std::size_t i = 0; i < frames.buffers.size(); ++i) {
        od::document doc;
        if (parser.iterate(frames.buffers[i].data(), frames.sizes[i], frames.buffers[i].size()).get(doc))
            return false;
        od::object root;
        if (doc.get_object().get(root))
            return false;
        for (auto f : root) {
            if (f.error())
                return false;
            od::field&& fld = std::move(f).value_unsafe();
            if (walk(fld.value(), sink))
                return false;
        }
    }
    return true;
}

bool ours_pass(decoder& dec, const padded_frames& frames, market_events& out) {
    bool ok = true;
    for (std::size_t i = 0; i < frames.buffers.size(); ++i)
        ok &= static_cast<bool>(dec.decode_stream({frames.buffers[i].data(), frames.sizes[i]}, time_point{1}, out,
                                                  frames.buffers[i].size()));
    return ok;
}

/// Decoder vs bare walk in the same run, interleaved so that both see the same machine state.
void decode_vs_bare(benchmark::State& state, const padded_frames& frames) {
    decoder dec;
    market_events out;
    od::parser parser;
    std::uint64_t sink = 0;
    using clk = std::chrono::steady_clock;
    clk::duration ours{}, bare{};
    for (auto _ : state) {
        const auto t0 = clk::now();
        if (!ours_pass(dec, frames, out))
            state.SkipWithError("decode failed");
        const auto t1 = clk::now();
        if (!bare_pass(parser, frames, sink))
            state.SkipWithError("bare parse failed");
        const auto t2 = clk::now();
        ours += t1 - t0;
        bare += t2 - t1;
    }
    benchmark::DoNotOptimize(sink);
    const double n = static_cast<double>(state.iterations());
    const double msgs = n * static_cast<double>(frames.buffers.size());
    const double mb = n * static_cast<double>(frames.bytes) / 1e6;
    const double ours_s = std::chrono::duration<double>(ours).count();
    const double bare_s = std::chrono::duration<double>(bare).count();
    state.counters["ours_msg/s"] = msgs / ours_s;
    state.counters["ours_MB/s"] = mb / ours_s;
    state.counters["bare_msg/s"] = msgs / bare_s;
    state.counters["bare_MB/s"] = mb / bare_s;
    state.counters["ratio"] = bare_s / ours_s; // our throughput as a fraction of the bare walk's
    state.SetLabel(kernel_label());
}

void BM_BinanceDepthDecodeVsBare(benchmark::State& state) {
    static const padded_frames frames(depth_frames(1000, static_cast<int>(state.range(0))));
    decode_vs_bare(state, frames);
}
BENCHMARK(BM_BinanceDepthDecodeVsBare)->Arg(10)->Unit(benchmark::kMicrosecond);

void BM_BinanceTradeDecodeVsBare(benchmark::State& state) {
    static const padded_frames frames(trade_frames(1000));
    decode_vs_bare(state, frames);
}
BENCHMARK(BM_BinanceTradeDecodeVsBare)->Unit(benchmark::kMicrosecond);

/// The decoder alone on copied (unpadded) frames: the path a WebSocket buffer without spare room takes.
void BM_BinanceDepthDecodeCopy(benchmark::State& state) {
    const auto frames = depth_frames(1000, 10);
    std::size_t bytes = 0;
    for (const auto& f : frames)
        bytes += f.size();
    decoder dec;
    market_events out;
    for (auto _ : state)
        for (const auto& f : frames)
            benchmark::DoNotOptimize(dec.decode_stream(f, time_point{1}, out));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(frames.size()));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
    state.SetLabel(kernel_label());
}
BENCHMARK(BM_BinanceDepthDecodeCopy)->Unit(benchmark::kMicrosecond);

// --- book ------------------------------------------------------------------------------------

/// Deltas touching levels near the top of a `depth`-level book: updates, inserts and removals.
std::vector<book_delta> book_deltas(std::size_t count, int depth, int levels_per_delta, std::uint64_t first_id) {
    std::mt19937_64 rng(1);
    std::vector<book_delta> out;
    std::uint64_t id = first_id;
    for (std::size_t i = 0; i < count; ++i) {
        book_delta d;
        d.sym = symbol::truncating("BTCUSDT");
        d.first_update_id = id + 1;
        d.last_update_id = ++id;
        for (int l = 0; l < levels_per_delta; ++l) {
            // Skewed to the top: most updates within 20 ticks of the touch.
            const auto off =
                static_cast<std::int64_t>(rng() % 4 == 0 ? rng() % static_cast<unsigned>(depth) : rng() % 20);
            const auto qty = decimal::from_raw(rng() % 5 == 0 ? 0 : static_cast<std::int64_t>(1 + rng() % 100'000'000));
            d.bids.push_back({decimal::from_raw((50'000 - off) * decimal::one_raw), qty});
            d.asks.push_back({decimal::from_raw((50'001 + off) * decimal::one_raw), qty});
        }
        out.push_back(std::move(d));
    }
    return out;
}

book_snapshot book_snapshot_of(int depth) {
    book_snapshot s;
    s.sym = symbol::truncating("BTCUSDT");
    s.last_update_id = 1001; // the first diff (1001) is then already covered
    for (int i = 0; i < depth; ++i) {
        s.bids.push_back({decimal::from_raw((50'000 - i) * decimal::one_raw), decimal::from_raw(100'000'000)});
        s.asks.push_back({decimal::from_raw((50'001 + i) * decimal::one_raw), decimal::from_raw(100'000'000)});
    }
    return s;
}

void BM_BinanceBookApplyDelta(benchmark::State& state) {
    const int depth = static_cast<int>(state.range(0));
    const int per_delta = static_cast<int>(state.range(1));
    manual_clock clk;
    local_book book(symbol::truncating("BTCUSDT"), clk, book_config{std::chrono::hours{1}, std::chrono::hours{1}, 10});
    auto deltas = book_deltas(4096, depth, per_delta, 1000);
    (void)book.on_delta(deltas[0]);
    (void)book.on_snapshot(book_snapshot_of(depth));
    std::size_t i = 1;
    std::uint64_t next_id = deltas.back().last_update_id + 1;
    for (auto _ : state) {
        if (i == deltas.size()) {
            // Renumber so that the same diffs keep following on.
            state.PauseTiming();
            for (auto& d : deltas) {
                d.first_update_id = d.last_update_id = next_id++;
            }
            i = 0;
            state.ResumeTiming();
        }
        benchmark::DoNotOptimize(book.on_delta(deltas[i++]));
    }
    if (!book.is_valid())
        state.SkipWithError("book lost sync");
    state.SetItemsProcessed(state.iterations() * 2 * per_delta); // levels applied
    state.counters["levels/side"] = static_cast<double>(book.bids().size());
}
BENCHMARK(BM_BinanceBookApplyDelta)->Args({1000, 10})->Args({5000, 10})->Args({5000, 50});

/// The same level updates on std::map keyed by the decimal's raw value, for comparison.
void BM_BinanceBookSideStdMap(benchmark::State& state) {
    const int depth = static_cast<int>(state.range(0));
    const int per_delta = static_cast<int>(state.range(1));
    std::map<std::int64_t, std::int64_t, std::greater<>> bids;
    std::map<std::int64_t, std::int64_t> asks;
    for (const auto& l : book_snapshot_of(depth).bids)
        bids[l.price.raw()] = l.quantity.raw();
    for (const auto& l : book_snapshot_of(depth).asks)
        asks[l.price.raw()] = l.quantity.raw();
    const auto deltas = book_deltas(4096, depth, per_delta, 1000);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto& d = deltas[i++ % deltas.size()];
        for (const auto& l : d.bids) {
            if (l.quantity.is_zero())
                bids.erase(l.price.raw());
            else
                bids[l.price.raw()] = l.quantity.raw();
        }
        for (const auto& l : d.asks) {
            if (l.quantity.is_zero())
                asks.erase(l.price.raw());
            else
                asks[l.price.raw()] = l.quantity.raw();
        }
        benchmark::DoNotOptimize(bids.begin()->second);
    }
    state.SetItemsProcessed(state.iterations() * 2 * per_delta);
}
BENCHMARK(BM_BinanceBookSideStdMap)->Args({1000, 10})->Args({5000, 10})->Args({5000, 50});

// --- signing ---------------------------------------------------------------------------------

constexpr std::string_view order_payload =
    "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.00847000&price=23416.10000000&"
    "newClientOrderId=gen-0000000001&newOrderRespType=RESULT&recvWindow=5000&timestamp=1660801715431";

void BM_BinanceSignHmac(benchmark::State& state) {
    auto s =
        rest::signer::hmac_sha256(rest::secret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"});
    char buf[rest::signer::max_signature_size];
    for (auto _ : state)
        benchmark::DoNotOptimize(s->sign_to(order_payload, buf));
}
BENCHMARK(BM_BinanceSignHmac);

void BM_BinanceSignEd25519(benchmark::State& state) {
    auto s = rest::signer::ed25519_generate();
    char buf[rest::signer::max_signature_size];
    for (auto _ : state)
        benchmark::DoNotOptimize(s->sign_to(order_payload, buf));
}
BENCHMARK(BM_BinanceSignEd25519);

order_intent bench_intent() {
    order_intent in;
    in.sym = symbol::truncating("BTCUSDT");
    in.order_side = side::sell;
    in.type = order_type::limit;
    in.quantity = *decimal::parse("0.00847");
    in.price = *decimal::parse("23416.1");
    in.client_id = client_order_id::truncating("gen-0000000001");
    return in;
}

void BM_BinanceEncodeSignedRestOrder(benchmark::State& state) {
    auto s =
        rest::signer::hmac_sha256(rest::secret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"});
    const auto in = bench_intent();
    order_options opt;
    opt.resp_type = response_type::result;
    opt.recv_window_ms = 5000;
    for (auto _ : state) {
        auto p = order_place_params(in, opt, 1660801715431);
        benchmark::DoNotOptimize(rest_signed_query(*p, *s));
    }
}
BENCHMARK(BM_BinanceEncodeSignedRestOrder);

void BM_BinanceEncodeSignedWsApiOrder(benchmark::State& state) {
    auto s =
        rest::signer::hmac_sha256(rest::secret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"});
    const auto in = bench_intent();
    for (auto _ : state) {
        auto p = order_place_params(in, {}, 1660801715431);
        benchmark::DoNotOptimize(ws_api_request("56374a46-3061-486b-a311-99ee972eb648", order_place_method, *p,
                                                "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
                                                *s));
    }
}
BENCHMARK(BM_BinanceEncodeSignedWsApiOrder);

// What a placement pays for the venue's limits before its frame is signed: one request weight and
// one order (10 s and day windows) reserved, then settled as its answer would settle it. Set the
// real clock: the windows read the wall clock and the lock is taken as on the order path.
void BM_BinancePlacementAdmission(benchmark::State& state) {
    rest::rate_limit_options wo;
    wo.weight_limit = 0; // no throttle: every iteration admitted
    rest::rate_limiter weight(real_clock::instance(), wo);
    rest::order_count_limiter orders(real_clock::instance(), {0, 1.0, std::chrono::seconds{10}},
                                     {0, 1.0, std::chrono::hours{24}});
    for (auto _ : state) {
        benchmark::DoNotOptimize(weight.try_acquire(1));
        benchmark::DoNotOptimize(orders.try_acquire());
        orders.settle();
    }
}
BENCHMARK(BM_BinancePlacementAdmission);

} // namespace
