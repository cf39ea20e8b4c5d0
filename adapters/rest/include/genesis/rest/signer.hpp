// Request signing for venues that authenticate with HMAC-SHA256 or Ed25519 keys (Binance Spot).
#pragma once

#include "genesis/core/error.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::rest {

/// Errors raised by genesis_rest. Values are stable: never renumber, only append.
enum class rest_errc {
    ok = 0,
    /// A key is empty, has the wrong length, or its PEM does not parse.
    invalid_key = 1,
    /// The key is of another algorithm than the one asked for.
    wrong_key_type = 2,
    /// OpenSSL failed while signing.
    sign_failed = 3,
    /// The caller's output buffer is too small.
    buffer_too_small = 4,
};

/// The category of rest_errc values ("genesis.rest").
const boost::system::error_category& rest_category() noexcept;

inline error_code make_error_code(rest_errc e) noexcept { return {static_cast<int>(e), rest_category()}; }

/// Key material (an HMAC secret, an Ed25519 private key as PEM or 32 raw bytes). It never prints
/// itself: there is no operator<<, to_string() is redacted, and the bytes are zeroed on destruction.
/// Move-only, so no stray copy outlives it.
class secret {
    std::vector<unsigned char> bytes_;

public:
    secret() = default;
    explicit secret(std::string_view s) : bytes_(s.begin(), s.end()) {}
    secret(const secret&) = delete;
    secret& operator=(const secret&) = delete;
    secret(secret&& o) noexcept;
    secret& operator=(secret&& o) noexcept;
    ~secret();

    bool empty() const noexcept { return bytes_.empty(); }
    std::size_t size() const noexcept { return bytes_.size(); }
    /// The bytes, for the signer only. Never log them.
    std::span<const unsigned char> reveal() const noexcept { return bytes_; }
    /// Always "<redacted N bytes>".
    std::string to_string() const;
};

/// Which algorithm a signer uses and how its signature is written.
enum class key_type {
    hmac_sha256, ///< signature: 64 lowercase hex characters
    ed25519,     ///< signature: 88 base64 characters (64 bytes)
};

/// Signs request payloads with one key. Holds OpenSSL state initialised once; sign() reuses it, so a
/// signer is not thread-safe: one per connection or thread (copy it with clone()).
class signer {
    struct impl;
    std::unique_ptr<impl> impl_;

    explicit signer(std::unique_ptr<impl> p) noexcept;

public:
    /// Largest signature text produced (Ed25519 base64 with its terminator room).
    static constexpr std::size_t max_signature_size = 96;

    signer(signer&&) noexcept;
    signer& operator=(signer&&) noexcept;
    ~signer();

    /// HMAC-SHA256 with the secret's bytes as key (Binance's "secretKey", ASCII).
    [[nodiscard]] static result<signer> hmac_sha256(const secret& key);
    /// Ed25519 from a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----").
    [[nodiscard]] static result<signer> ed25519_from_pem(const secret& pem);
    /// Ed25519 from the 32-byte raw private key (seed).
    [[nodiscard]] static result<signer> ed25519_from_raw(const secret& seed);
    /// A fresh Ed25519 key from the OpenSSL RNG (tests, key generation tools).
    [[nodiscard]] static result<signer> ed25519_generate();

    /// An independent signer with the same key (for another thread).
    [[nodiscard]] result<signer> clone() const;

    key_type type() const noexcept;

    /// Signs payload; writes hex (HMAC) or base64 (Ed25519) into out and returns its length.
    /// No allocation.
    [[nodiscard]] result<std::size_t> sign_to(std::string_view payload, std::span<char> out) const noexcept;
    /// Same, as a string.
    [[nodiscard]] result<std::string> sign(std::string_view payload) const;

    /// Ed25519 only: the public key as SubjectPublicKeyInfo PEM, to register with the venue.
    [[nodiscard]] result<std::string> public_key_pem() const;
};

/// Verifies a base64 Ed25519 signature against a SubjectPublicKeyInfo PEM public key.
[[nodiscard]] bool verify_ed25519(std::string_view public_pem, std::string_view payload,
                                  std::string_view signature_base64);

/// One request parameter. Values are the exact text sent (decimals already formatted).
struct param {
    std::string_view name;
    std::string_view value;
};

/// REST payload: the query string immediately followed by the body (no separator), in the order
/// sent. Either may be empty.
std::string rest_payload(std::string_view query, std::string_view body);

/// WebSocket API payload: every parameter except "signature", sorted by name, `name=value` joined
/// with '&', values raw UTF-8 (not percent-encoded).
std::string ws_api_payload(std::span<const param> params);

/// Appends `value` percent-encoded for a query string (unreserved ASCII kept; everything else,
/// including UTF-8 bytes, as %XX uppercase).
void append_url_encoded(std::string& out, std::string_view value);

} // namespace genesis::rest

template <>
struct boost::system::is_error_code_enum<genesis::rest::rest_errc> : std::true_type {};
