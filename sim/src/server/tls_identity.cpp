#include "genesis/sim/server/tls_identity.hpp"

#include "genesis/sim/server/server_errors.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <string_view>

namespace genesis::sim::server {

namespace {

struct pkey_free {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct x509_free {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct bio_free {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;
using bio_ptr = std::unique_ptr<BIO, bio_free>;

error_code tls_error() { return make_error_code(server_errc::tls_failed); }

std::string bio_text(BIO* b) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

// A certificate skeleton: random serial, validity, subject CN, public key.
x509_ptr new_cert(EVP_PKEY* key, const char* common_name, int days) {
    x509_ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1)
        return nullptr;
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1)
        return nullptr;
    serial[0] &= 0x7f; // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    if (bn == nullptr)
        return nullptr;
    ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    if (sn == nullptr)
        return nullptr;
    // Valid from an hour ago so that small clock differences never matter.
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400) == nullptr)
        return nullptr;
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("genesis-sim"), -1,
                                   -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1,
                                   -1, 0) != 1)
        return nullptr;
    if (X509_set_pubkey(cert.get(), key) != 1)
        return nullptr;
    return cert;
}

} // namespace

result<tls_identity> make_tls_identity(const std::vector<std::string>& dns_names,
                                       const std::vector<std::string>& ip_addresses, int days) {
    // EC P-256 keys: fast to generate, accepted by every TLS client.
    pkey_ptr ca_key(EVP_EC_gen("P-256"));
    pkey_ptr srv_key(EVP_EC_gen("P-256"));
    if (!ca_key || !srv_key)
        return tls_error();

    x509_ptr ca = new_cert(ca_key.get(), "genesis-sim CA", days);
    if (!ca || X509_set_issuer_name(ca.get(), X509_get_subject_name(ca.get())) != 1)
        return tls_error();
    if (!add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE") ||
        !add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash"))
        return tls_error();
    if (X509_sign(ca.get(), ca_key.get(), EVP_sha256()) <= 0)
        return tls_error();

    const char* cn = dns_names.empty() ? "localhost" : dns_names.front().c_str();
    x509_ptr srv = new_cert(srv_key.get(), cn, days);
    if (!srv || X509_set_issuer_name(srv.get(), X509_get_subject_name(ca.get())) != 1)
        return tls_error();
    std::string san;
    for (const auto& d : dns_names)
        san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
    for (const auto& ip : ip_addresses)
        san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
    if (!add_ext(srv.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(srv.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
        !add_ext(srv.get(), ca.get(), NID_ext_key_usage, "serverAuth") ||
        !add_ext(srv.get(), ca.get(), NID_subject_key_identifier, "hash") ||
        !add_ext(srv.get(), ca.get(), NID_authority_key_identifier, "keyid:always") ||
        (!san.empty() && !add_ext(srv.get(), ca.get(), NID_subject_alt_name, san.c_str())))
        return tls_error();
    if (X509_sign(srv.get(), ca_key.get(), EVP_sha256()) <= 0)
        return tls_error();

    tls_identity id;
    bio_ptr b1(BIO_new(BIO_s_mem())), b2(BIO_new(BIO_s_mem())), b3(BIO_new(BIO_s_mem()));
    if (!b1 || !b2 || !b3 || PEM_write_bio_X509(b1.get(), ca.get()) != 1 ||
        PEM_write_bio_X509(b2.get(), srv.get()) != 1 ||
        PEM_write_bio_PrivateKey(b3.get(), srv_key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return tls_error();
    id.ca_cert_pem = bio_text(b1.get());
    id.server_cert_pem = bio_text(b2.get());
    id.server_key_pem = bio_text(b3.get());
    return id;
}

result<void> write_text_file(const std::filesystem::path& path, const std::string& text) {
    std::error_code ec;
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        return make_error_code(server_errc::ca_write_failed);
    out << text;
    out.close();
    if (!out)
        return make_error_code(server_errc::ca_write_failed);
    return {};
}

} // namespace genesis::sim::server

namespace genesis::sim::server {

result<ed25519_keys> ed25519_from_seed(const unsigned char (&seed)[32]) {
    pkey_ptr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, 32));
    if (!key)
        return tls_error();
    bio_ptr priv(BIO_new(BIO_s_mem())), pub(BIO_new(BIO_s_mem()));
    if (!priv || !pub || PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        PEM_write_bio_PUBKEY(pub.get(), key.get()) != 1)
        return tls_error();
    return ed25519_keys{bio_text(priv.get()), bio_text(pub.get())};
}

std::string ed25519_sign_base64(const std::string& private_pem, std::string_view payload) {
    bio_ptr in(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
    if (!in)
        return {};
    pkey_ptr key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
    if (!key)
        return {};
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr)
        return {};
    unsigned char sig[64];
    std::size_t len = sizeof sig;
    const bool ok =
        EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key.get()) == 1 &&
        EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return {};
    std::string out(4 * ((len + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), sig, static_cast<int>(len));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

} // namespace genesis::sim::server
