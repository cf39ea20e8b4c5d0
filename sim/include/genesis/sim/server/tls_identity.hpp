// A throw-away TLS identity for genesis-sim: a self-signed CA and a server certificate it signs
// for "localhost" and 127.0.0.1 (EC P-256, SHA-256), all as PEM. Clients trust the CA file.
#pragma once

#include "genesis/core/error.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::sim::server {

/// PEM texts of a freshly generated CA and server identity.
struct tls_identity {
    std::string ca_cert_pem;
    std::string server_cert_pem;
    std::string server_key_pem; ///< PKCS#8, unencrypted
};

/// Generates a CA ("genesis-sim CA") and a server certificate valid for `dns_names` and
/// `ip_addresses` (subjectAltName), valid from an hour ago for `days`.
[[nodiscard]] result<tls_identity> make_tls_identity(const std::vector<std::string>& dns_names = {"localhost"},
                                                     const std::vector<std::string>& ip_addresses = {"127.0.0.1"},
                                                     int days = 30);

/// Writes text to path (creating parent directories), mode 0644.
[[nodiscard]] result<void> write_text_file(const std::filesystem::path& path, const std::string& text);

} // namespace genesis::sim::server

namespace genesis::sim::server {

/// An Ed25519 key pair as PEM (PKCS#8 private key, SubjectPublicKeyInfo public key).
struct ed25519_keys {
    std::string private_pem;
    std::string public_pem;
};

/// The key pair of a 32-byte seed (deterministic); tls_failed when OpenSSL refuses.
[[nodiscard]] result<ed25519_keys> ed25519_from_seed(const unsigned char (&seed)[32]);

/// Base64 Ed25519 signature of payload with a PEM private key (what a WS-API client sends);
/// empty on any error.
std::string ed25519_sign_base64(const std::string& private_pem, std::string_view payload);

} // namespace genesis::sim::server
