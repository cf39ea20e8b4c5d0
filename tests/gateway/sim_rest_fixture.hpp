// genesis-sim in-process and the gateway's REST venue against it: an http_client signing with the
// sim's test account on an I/O loop of its own thread, the resilience executor with one breaker
// (rest0), and runtime::binance_venue. Shared by the OMS integration and order entry tests.
#pragma once

#include "oms_test_support.hpp"

#include "genesis/gateway/runtime/binance_venue.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/resilience/predictor.hpp"
#include "genesis/resilience/timer.hpp"
#include "genesis/rest/http_client.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace genesis::gateway::test {

struct sim_rest_fixture {
    std::unique_ptr<genesis::sim::server::sim_server> srv;
    boost::asio::io_context ioc;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::thread io_thread;
    resilience::steady_timer_service timers;
    std::optional<rest::http_client> client;
    resilience::predictor pred;
    std::unique_ptr<resilience::executor> exec;
    std::unique_ptr<runtime::binance_venue> rest_venue;
    const venue_id sim_venue = venue_id::truncating("sim");

    // Starts the sim (agents off unless cfg says otherwise), the client's loop and the venue. Fatal
    // failures return early: call under ASSERT_NO_FATAL_FAILURE.
    // venue_options: the venue's (its venue field is set here); request_timeout: the client's.
    void start_sim_and_venue(genesis::sim::server::server_config cfg, runtime::binance_venue_options vo = {},
                             std::chrono::milliseconds request_timeout = std::chrono::seconds{5}) {
        srv = std::make_unique<genesis::sim::server::sim_server>(cfg);
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();
        rest::http_client_options opt;
        opt.venue = "sim";
        opt.base_urls = srv->urls().rest;
        opt.tls.ca_file = srv->ca_file();
        opt.request_timeout = request_timeout;
        auto c = rest::http_client::create(ioc.get_executor(), real_clock::instance(), timers, opt);
        ASSERT_TRUE(c) << c.error().message();
        client.emplace(std::move(*c));
        auto s = rest::signer::hmac_sha256(rest::secret("sim-test-secret-key"));
        ASSERT_TRUE(s);
        client->set_credentials("sim-test-api-key", std::move(*s));
        work.emplace(ioc.get_executor());
        io_thread = std::thread([this] { ioc.run(); });
        // The production venue: REST through the executor, one breaker per endpoint.
        std::vector<resilience::endpoint> eps{
            {"rest0", std::make_shared<resilience::circuit_breaker>(real_clock::instance())}};
        exec = std::make_unique<resilience::executor>(real_clock::instance(), timers, pred, std::move(eps));
        vo.venue = sim_venue;
        rest_venue = std::make_unique<runtime::binance_venue>(ioc, *client, *exec, vo);
    }

    // Stops the client's loop and joins its thread (nothing runs on it afterwards).
    void stop_loop() {
        work.reset();
        ioc.stop();
        if (io_thread.joinable())
            io_thread.join();
    }

    // After stop_loop: the venue, the client, then the sim.
    void stop_venue_and_sim() {
        rest_venue.reset();
        client.reset();
        if (srv)
            srv->stop();
    }

    // The sim's records of our account's orders with this client order id (its ground truth).
    std::vector<genesis::sim::order_record> sim_orders(const client_order_id& id) {
        std::vector<genesis::sim::order_record> out;
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            const auto acc = ex.find_account("sim-test-api-key");
            if (!acc)
                return;
            for (const auto& r : ex.order_records(*acc))
                if (r.client_id == id)
                    out.push_back(r);
        });
        return out;
    }
};

} // namespace genesis::gateway::test
