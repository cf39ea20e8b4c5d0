// The endpoint set of one venue (several base URLs, the set the resilience executor hedges
// across) and a keep-alive pool of TLS connections per host. Beast-free: connections live in the
// pimpl and are leased by http_client only.
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
};

/// Counters of one host (or of all, from total_stats()).
struct pool_stats {
    /// TCP+TLS connections opened.
    std::uint64_t connects = 0;
    /// Requests sent on a pooled (kept-alive) connection.
    std::uint64_t reuses = 0;
    /// Connections put back idle after a complete response.
    std::uint64_t returned = 0;
    /// Connections closed instead: errors, cancellation mid-request, Connection: close, pool full.
    std::uint64_t discarded = 0;
    /// Idle connections dropped as too old or closed by the peer.
    std::uint64_t expired = 0;
    /// TLS handshakes that failed (certificate not trusted, wrong name, ...).
    std::uint64_t tls_failures = 0;
    /// Connections idle now.
    std::size_t idle = 0;
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
