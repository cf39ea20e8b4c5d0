// genesis-sim's network server: Binance Spot's REST API, WebSocket streams and WebSocket API over
// TLS on loopback, backed by the matching engine, with rate limits, fault injection and a plain
// HTTP control endpoint. Usable in-process (tests) and by the genesis-sim executable.
#pragma once

#include "genesis/core/error.hpp"
#include "genesis/log/fwd.hpp"
#include "genesis/sim/exchange.hpp"
#include "genesis/sim/server/faults.hpp"
#include "genesis/sim/server/server_config.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace genesis::sim::server {

/// Where the listeners are, once started.
struct server_urls {
    std::vector<std::string> rest;       ///< "https://127.0.0.1:PORT", one per REST listener
    std::vector<std::string> rest_names; ///< "rest0", ... (what fault rules match)
    std::string ws_streams;              ///< "wss://127.0.0.1:PORT": append /ws/<s> or /stream?streams=
    std::string ws_api;                  ///< "wss://127.0.0.1:PORT/ws-api/v3"
    std::string control;                 ///< "http://127.0.0.1:PORT" (empty when disabled)
};

/// The server. start() binds every listener and returns once they accept; the I/O runs on one
/// thread of its own. Every public function is thread-safe; stop() is idempotent.
class sim_server {
    struct impl;
    std::unique_ptr<impl> impl_;

public:
    /// log may be null (no logging).
    explicit sim_server(server_config cfg = default_server_config(), exchange_config exchange = default_config(),
                        log::logger_ptr log = nullptr);
    /// Stops the server.
    ~sim_server();
    sim_server(const sim_server&) = delete;
    sim_server& operator=(const sim_server&) = delete;

    /// Generates the TLS identity, writes the CA file, binds the listeners and starts the I/O
    /// thread. Errors: tls_failed, ca_write_failed, bind_failed, already_started.
    [[nodiscard]] result<void> start();
    /// Closes listeners and connections and joins the I/O thread (bounded: ~2 s at most).
    void stop();
    /// Blocks until the server has stopped.
    void wait();

    const server_urls& urls() const noexcept;
    /// Path of the CA certificate (PEM) clients verify the server against.
    const std::string& ca_file() const noexcept;
    /// The CA certificate itself (PEM).
    const std::string& ca_pem() const noexcept;
    /// The one-line JSON announcing the listeners: {"rest":[..],"ws_streams":..,"ws_api":..,
    /// "control":..,"ca_file":..,"pid":..}.
    std::string ready_json() const;

    /// Runs fn on the I/O thread with the exchange and waits for it (never call from that thread).
    void with_exchange(const std::function<void(exchange&)>& fn);
    /// Ground truth as GET /sim/stats returns it.
    std::string stats_json();
    /// The current fault rules / replaces them (as POST /sim/faults).
    fault_config faults();
    void set_faults(fault_config f);
    /// Pauses or resumes the background agents.
    void set_agents_enabled(bool on);
};

/// Adds, when absent, an account "test-ed25519" with API key `ed25519_test_api_key` whose key is
/// the Ed25519 public key of ed25519_test_private_key_pem() (for session.logon), funded like the
/// HMAC test account.
void add_ed25519_test_account(exchange_config& cfg);
inline constexpr std::string_view ed25519_test_api_key = "sim-test-ed25519-api-key";
/// The fixed Ed25519 private key (PKCS#8 PEM) of that account: a test key, never a secret.
std::string ed25519_test_private_key_pem();

} // namespace genesis::sim::server
