#include "genesis/gateway/ops/prometheus.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace ops = genesis::gateway::ops;

TEST(PrometheusTest, formatValueExact) {
    EXPECT_EQ(ops::format_value(0.0), "0");
    EXPECT_EQ(ops::format_value(42.0), "42");
    EXPECT_EQ(ops::format_value(-7.0), "-7");
    EXPECT_EQ(ops::format_value(0.25), "0.25");
    EXPECT_EQ(ops::format_value(2.5e-7), "2.5e-07");
    EXPECT_EQ(ops::format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(ops::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(ops::format_value(std::nan("")), "NaN");
    EXPECT_EQ(ops::format_value(0.1), "0.1");
}

TEST(PrometheusTest, namesAndEscapes) {
    EXPECT_TRUE(ops::is_valid_metric_name("genesis_orders_total"));
    EXPECT_TRUE(ops::is_valid_metric_name(":a:b"));
    EXPECT_FALSE(ops::is_valid_metric_name("1abc"));
    EXPECT_FALSE(ops::is_valid_metric_name("a-b"));
    EXPECT_FALSE(ops::is_valid_metric_name(""));
    EXPECT_TRUE(ops::is_valid_label_name("venue"));
    EXPECT_FALSE(ops::is_valid_label_name("a:b"));
    EXPECT_FALSE(ops::is_valid_label_name("__name__"));
    EXPECT_EQ(ops::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(PrometheusTest, writerOutputExact) {
    ops::prometheus_writer w;
    w.family("genesis_orders_total", "Orders sent.", ops::metric_type::counter);
    w.sample({{"venue", "binance"}, {"side", "buy"}}, 3);
    w.family("genesis_pnl", "", ops::metric_type::gauge);
    w.sample({}, genesis::decimal::parse("-12.5").value());
    auto text = std::move(w).finish();
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, "# HELP genesis_orders_total Orders sent.\n"
                     "# TYPE genesis_orders_total counter\n"
                     "genesis_orders_total{venue=\"binance\",side=\"buy\"} 3\n"
                     "# TYPE genesis_pnl gauge\n"
                     "genesis_pnl -12.5\n");
}

TEST(PrometheusTest, writerOutputParsesBackEqual) {
    ops::latency_histogram lat;
    for (std::int64_t v : {300, 900, 5'000, 70'000, 2'000'000})
        lat.record(v);
    const ops::histogram_value hv = lat.to_value();

    ops::prometheus_writer w;
    w.family("genesis_up", "1 when trading.\nSecond line \\ slash", ops::metric_type::gauge);
    w.sample({{"strategy", "mm \"x\"\n\\"}}, 1);
    w.family("genesis_fills_total", "Fills.", ops::metric_type::counter);
    w.sample({{"venue", "binance"}}, std::uint64_t{18'446'744'073'709'551'615ULL});
    w.sample({{"venue", "sim"}}, 0.5);
    w.family("genesis_order_latency_seconds", "Order round trip.", ops::metric_type::histogram);
    w.histogram({{"venue", "binance"}}, hv);
    w.family("genesis_misc", "", ops::metric_type::untyped);
    w.sample({}, std::numeric_limits<double>::infinity());
    auto text = std::move(w).finish();
    ASSERT_TRUE(text.has_value());

    ops::exposition e;
    const auto err = ops::parse_exposition(*text, e);
    ASSERT_FALSE(err) << err->str() << "\n" << *text;
    ASSERT_EQ(e.families.size(), 4u);

    const auto* up = e.find("genesis_up");
    ASSERT_NE(up, nullptr);
    EXPECT_EQ(up->type, ops::metric_type::gauge);
    EXPECT_EQ(up->help, "1 when trading.\nSecond line \\ slash");
    ASSERT_EQ(up->samples.size(), 1u);
    EXPECT_EQ(up->samples[0].labels, (std::vector<ops::label>{{"strategy", "mm \"x\"\n\\"}}));
    EXPECT_EQ(up->samples[0].value, 1.0);

    const auto* fills = e.find("genesis_fills_total");
    ASSERT_NE(fills, nullptr);
    EXPECT_EQ(fills->type, ops::metric_type::counter);
    EXPECT_EQ(e.value("genesis_fills_total", {{"venue", "sim"}}), 0.5);
    EXPECT_EQ(e.value("genesis_fills_total", {{"venue", "binance"}}), 18446744073709551615.0);

    const auto* h = e.find("genesis_order_latency_seconds");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->type, ops::metric_type::histogram);
    ASSERT_EQ(h->samples.size(), hv.buckets.size() + 3);
    for (std::size_t i = 0; i < hv.buckets.size(); ++i) {
        EXPECT_EQ(h->samples[i].name, "genesis_order_latency_seconds_bucket");
        EXPECT_EQ(std::stod(std::string(*h->samples[i].label_value("le"))), hv.buckets[i].first);
        EXPECT_EQ(h->samples[i].value, static_cast<double>(hv.buckets[i].second));
    }
    EXPECT_EQ(e.value("genesis_order_latency_seconds_bucket", {{"venue", "binance"}, {"le", "+Inf"}}), 5.0);
    EXPECT_EQ(e.value("genesis_order_latency_seconds_count", {{"venue", "binance"}}), 5.0);
    EXPECT_EQ(e.value("genesis_order_latency_seconds_sum", {{"venue", "binance"}}), hv.sum);
    EXPECT_EQ(e.value("genesis_misc"), std::numeric_limits<double>::infinity());
}

TEST(PrometheusTest, writerRejectsMisuse) {
    {
        ops::prometheus_writer w;
        w.sample({}, 1);
        EXPECT_EQ(std::move(w).finish().error(), ops::ops_errc::invalid_usage);
    }
    {
        ops::prometheus_writer w;
        w.family("bad-name", "", ops::metric_type::gauge);
        EXPECT_EQ(std::move(w).finish().error(), ops::ops_errc::invalid_name);
    }
    {
        ops::prometheus_writer w;
        w.family("a", "", ops::metric_type::gauge);
        w.family("a", "", ops::metric_type::gauge);
        EXPECT_EQ(w.error(), ops::ops_errc::invalid_usage);
        EXPECT_NE(w.error_message().find("twice"), std::string::npos);
    }
    {
        ops::prometheus_writer w;
        w.family("c_total", "", ops::metric_type::counter);
        w.sample({}, -1.0);
        EXPECT_EQ(w.error(), ops::ops_errc::invalid_usage);
    }
    {
        ops::prometheus_writer w;
        w.family("g", "", ops::metric_type::gauge);
        w.sample({{"x", "1"}, {"x", "2"}}, 1);
        EXPECT_EQ(w.error(), ops::ops_errc::invalid_usage);
    }
    {
        ops::prometheus_writer w;
        w.family("h", "", ops::metric_type::histogram);
        w.sample({}, 1);
        EXPECT_EQ(w.error(), ops::ops_errc::invalid_usage);
    }
    {
        ops::prometheus_writer w;
        w.family("h", "", ops::metric_type::histogram);
        w.histogram({{"le", "1"}}, ops::histogram_value{});
        EXPECT_EQ(w.error(), ops::ops_errc::invalid_usage);
    }
}

TEST(PrometheusTest, parserAcceptsTimestampsCommentsAndSpecialValues) {
    ops::exposition e;
    const auto err = ops::parse_exposition("# a plain comment\n"
                                           "\n"
                                           "# TYPE g gauge\n"
                                           "g{a=\"1\",} -Inf 1700000000000\n"
                                           "g{a=\"2\"} NaN\n"
                                           "g{a=\"3\"} 1.5e3\n"
                                           "u 7",
                                           e);
    ASSERT_FALSE(err) << err->str();
    EXPECT_EQ(e.value("g", {{"a", "1"}}), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(*e.value("g", {{"a", "2"}})));
    EXPECT_EQ(e.value("g", {{"a", "3"}}), 1500.0);
    EXPECT_EQ(e.find("g")->samples[0].timestamp_ms, 1700000000000);
    EXPECT_EQ(e.find("u")->type, ops::metric_type::untyped);
    EXPECT_EQ(e.find("g")->samples[2].line, 6u);
}

namespace {

struct malformed_case {
    const char* what;
    const char* text;
    std::size_t line;
};

const malformed_case malformed_cases[] = {
    {"TYPE without name", "# TYPE\n", 1},
    {"unknown type", "# TYPE a countr\n", 1},
    {"bad metric name in TYPE", "# TYPE 1a counter\n", 1},
    {"bad HELP escape", "# HELP a bad \\t escape\n", 1},
    {"second HELP", "# HELP a x\n# HELP a y\n", 2},
    {"second TYPE", "# TYPE a gauge\n# TYPE a gauge\n", 2},
    {"TYPE after samples", "a 1\n# TYPE a gauge\n", 2},
    {"bad metric name", "# TYPE a gauge\na 1\n-b 2\n", 3},
    {"bad label name", "a{1x=\"v\"} 1\n", 1},
    {"reserved label name", "a{__x=\"v\"} 1\n", 1},
    {"duplicate label", "a{x=\"1\",x=\"2\"} 1\n", 1},
    {"bad label escape", "a{x=\"\\t\"} 1\n", 1},
    {"unterminated label value", "a{x=\"abc} 1\n", 1},
    {"missing =", "a{x\"1\"} 1\n", 1},
    {"missing closing brace", "a{x=\"1\" 1\n", 1},
    {"missing value", "a\n", 1},
    {"bad value", "a 1.2.3\n", 1},
    {"bad timestamp", "a 1 12.5\n", 1},
    {"trailing text", "a 1 12 extra\n", 1},
    {"non-contiguous family", "a 1\nb 1\na 2\n", 3},
    {"TYPE of a closed family", "# TYPE a gauge\na 1\nb 1\n# HELP a late\n", 4},
    {"negative counter", "# TYPE c counter\nc 1\nc -1\n", 3},
    {"bucket without le", "# TYPE h histogram\nh_bucket 1\n", 2},
    {"bucket with bad le", "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", 2},
    {"plain histogram sample", "# TYPE h histogram\nh 1\n", 2},
    {"non-cumulative buckets",
     "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"2\"} 3\nh_bucket{le=\"+Inf\"} 5\nh_sum 1\nh_count 5\n",
     3},
    {"buckets out of order",
     "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
     3},
    {"missing +Inf bucket", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\nx 1\n", 4},
    {"count differs from +Inf", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", 4},
    {"missing sum", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n", 3},
    {"missing count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 2\n", 3},
    {"negative bucket count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} -1\n", 2},
    {"second series missing +Inf",
     "# TYPE h histogram\nh_bucket{v=\"a\",le=\"+Inf\"} 1\nh_sum{v=\"a\"} 1\nh_count{v=\"a\"} 1\n"
     "h_bucket{v=\"b\",le=\"1\"} 1\nh_sum{v=\"b\"} 1\nh_count{v=\"b\"} 1\n",
     7},
};

} // namespace

TEST(PrometheusTest, parserRejectsMalformedWithLine) {
    for (const auto& c : malformed_cases) {
        ops::exposition e;
        const auto err = ops::parse_exposition(c.text, e);
        ASSERT_TRUE(err.has_value()) << c.what;
        EXPECT_EQ(err->line, c.line) << c.what << ": " << err->str();
        EXPECT_FALSE(err->message.empty()) << c.what;
    }
}
