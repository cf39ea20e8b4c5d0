// The endpoint set of one venue (several base URLs, the set the resilience executor hedges
// across) and a keep-alive pool of TLS connections per host, capped per host with a FIFO wait
// queue. Beast-free: connections live in the pimpl and are leased by http_client only.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"
#include "genesis/rest/url.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace genesis::rest {

/// TLS settings. Verification is on by default; turn it off only against a throwaway test peer.
struct tls_options {
    /// Verify the certificate chain and the host name (ssl::host_name_verification).
    bool verify_peer = true;
    /// PEM CA bundle to verify against; empty: the system's default paths.
    std::string ca_file;
    /// Name to send as SNI and verify against instead of the URL's host (empty: the URL's host).
    std::string verify_host;
};

/// Pool settings.
struct pool_options {
    /// Idle keep-alive connections kept per host; more are closed when they come back.
    std::size_t max_idle_per_host = 4;
    /// An idle connection older than this is closed instead of reused (servers drop idle peers).
    nanos idle_timeout = std::chrono::seconds{25};
    /// Connections per host open at once, counting idle ones and those still connecting (0: no
    /// limit). A request that finds no idle connection at the cap waits, first come first served,
    /// for a connection to come back (it is handed over at once) or to close (the waiter opens the
    /// next one); the wait counts against the request's timeout and deadline. Why 16: a request
    /// holds a connection for one round trip, so 16 carry 16 / RTT requests per second per host
    /// (160/s at 100 ms, 8,000/s at 2 ms), above Binance's REQUEST_WEIGHT budget (6,000 per
    /// minute), and a burst costs at most 16 TCP+TLS handshakes per host on the I/O thread that
    /// also carries market data. In the resilience benchmark's 5,000 simultaneous operations
    /// (bench/README.md), 8-16 did best; at 64 and above, requests that time out mid-response
    /// close their connections and each reconnect is one more handshake in the storm.
    std::size_t max_connections_per_host = 16;
    /// Warm connections: with http_client::keep_warm() running, the client keeps at least this
    /// many connections open per host (idle or carrying a request; at most max_idle_per_host, within
    /// the cap), so that a burst of up to this many requests (a requote's cancels and places
    /// together) finds an idle connection for each instead of paying a TCP+TLS handshake (~1-4 ms
    /// to genesis-sim on loopback, a network round trip or more to a venue) for all but the first.
    /// It opens them in the background, off every request's path: at start, when one closes
    /// (error, peer close, Connection: close), and in place of idle ones older than
    /// idle_timeout / 2 (checked every idle_timeout / 4) before the server drops them. 0: off.
    std::size_t warm_connections_per_host = 0;
};

/// Counters of one host (or of all, from total_stats()).
struct pool_stats {
    /// TCP+TLS connections opened.
    std::uint64_t connects = 0;
    /// Requests sent on a pooled (kept-alive) connection.
    std::uint64_t reuses = 0;
    /// Connections put back after a complete response (idle, or handed to a waiter).
    std::uint64_t returned = 0;
    /// Connections closed instead: errors, cancellation mid-request, Connection: close, pool full.
    std::uint64_t discarded = 0;
    /// Idle connections dropped as too old or closed by the peer.
    std::uint64_t expired = 0;
    /// TLS handshakes that failed (certificate not trusted, wrong name, ...).
    std::uint64_t tls_failures = 0;
    /// Requests that found the host at max_connections_per_host and queued.
    std::uint64_t waits = 0;
    /// Waiters whose timeout passed in the queue (they failed with http_errc::timed_out).
    std::uint64_t wait_timeouts = 0;
    /// Waiters cancelled in the queue (e.g. a losing hedge).
    std::uint64_t wait_cancels = 0;
    /// Returned connections handed straight to the first waiter instead of going idle.
    std::uint64_t handoffs = 0;
    /// Connections opened ahead of need (pool_options::warm_connections_per_host).
    std::uint64_t warm_connects = 0;
    /// Warm connects that failed (none is tried again for a second).
    std::uint64_t warm_failures = 0;
    /// Idle connections closed for age by the warm-up so that fresh ones replace them.
    std::uint64_t renewed = 0;
    /// Time spent in the queue, summed over every waiter (divide by waits for the mean).
    nanos wait_time{0};
    /// Connections idle now.
    std::size_t idle = 0;
    /// Connections open now, idle and connecting ones included (never above the cap).
    std::size_t open = 0;
    /// Most connections open at once (total_stats(): the largest of any host).
    std::size_t peak_open = 0;
    /// Requests queued now.
    std::size_t waiting = 0;
    /// Most requests queued at once (total_stats(): the largest of any host).
    std::size_t max_waiting = 0;
};

/// Use from the I/O thread (stats may be read from any thread).
class endpoint_pool {
public:
    struct impl;

private:
    std::unique_ptr<impl> impl_;

    explicit endpoint_pool(std::unique_ptr<impl> p) noexcept;

public:
    /// Parses every URL and sets up TLS. Errors: http_errc::invalid_url, or the TLS error of a CA
    /// file that cannot be loaded. At least one URL is required (invalid_url otherwise).
    [[nodiscard]] static result<endpoint_pool> create(const std::vector<std::string>& urls, tls_options tls = {},
                                                      pool_options options = {});

    endpoint_pool(endpoint_pool&&) noexcept;
    endpoint_pool& operator=(endpoint_pool&&) noexcept;
    ~endpoint_pool();

    /// Number of endpoints.
    [[nodiscard]] std::size_t size() const noexcept;
    /// Endpoint i's parsed URL (i < size()).
    [[nodiscard]] const base_url& url(std::size_t i) const;
    /// Endpoint i's counters.
    [[nodiscard]] pool_stats stats(std::size_t i) const;
    /// Sum over every endpoint.
    [[nodiscard]] pool_stats total_stats() const;
    /// Closes every idle connection.
    void close_idle();

    /// The internals, for http_client.
    [[nodiscard]] impl& internals() noexcept { return *impl_; }
};

} // namespace genesis::rest
