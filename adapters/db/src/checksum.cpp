#include "genesis/db/checksum.hpp"

#include <openssl/evp.h>

#include <memory>

namespace genesis::db {
namespace {

// Incremental SHA-256 over the canonical encoding.
class sha256 {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};

public:
    sha256() { EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr); }
    void bytes(const void* p, std::size_t n) {
        if (n != 0)
            EVP_DigestUpdate(ctx_.get(), p, n);
    }
    void u64(std::uint64_t v) {
        std::uint8_t b[8];
        for (int i = 0; i < 8; ++i)
            b[i] = static_cast<std::uint8_t>(v >> (8 * i));
        bytes(b, sizeof b);
    }
    void str(std::string_view s) {
        u64(s.size());
        bytes(s.data(), s.size());
    }
    digest finish() {
        digest d{};
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_.get(), d.data(), &n);
        return d;
    }
};

} // namespace

digest checkpoint_digest(std::uint64_t seq, std::uint64_t journal_seq, time_point created,
                         std::span<const section> sections) {
    sha256 h;
    h.bytes("genesis.ckpt.v1", 15);
    h.u64(seq);
    h.u64(journal_seq);
    h.u64(static_cast<std::uint64_t>(created.ns));
    h.u64(sections.size());
    for (const auto& s : sections) {
        h.str(s.name);
        h.u64(s.data.size());
        h.bytes(s.data.data(), s.data.size());
    }
    return h.finish();
}

digest snapshot_digest(std::string_view component, std::uint64_t version, std::span<const std::byte> bytes) {
    sha256 h;
    h.bytes("genesis.snap.v1", 15);
    h.str(component);
    h.u64(version);
    h.u64(bytes.size());
    h.bytes(bytes.data(), bytes.size());
    return h.finish();
}

std::string to_hex(const digest& d) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(d.size() * 2);
    for (auto b : d) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0xf]);
    }
    return out;
}

} // namespace genesis::db
