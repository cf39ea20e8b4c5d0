#include "genesis/rest/signer.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>

namespace genesis::rest {

namespace {

class rest_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.rest"; }
    std::string message(int ev) const override {
        switch (static_cast<rest_errc>(ev)) {
        case rest_errc::ok: return "success";
        case rest_errc::invalid_key: return "invalid key";
        case rest_errc::wrong_key_type: return "wrong key type";
        case rest_errc::sign_failed: return "signing failed";
        case rest_errc::buffer_too_small: return "output buffer too small";
        }
        return "unknown genesis.rest error";
    }
};

struct mac_deleter {
    void operator()(EVP_MAC* p) const noexcept { EVP_MAC_free(p); }
    void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
template <class T>
using ossl_ptr = std::unique_ptr<T, mac_deleter>;

constexpr char hex_digits[] = "0123456789abcdef";

} // namespace

const boost::system::error_category& rest_category() noexcept {
    static const rest_category_impl c;
    return c;
}

// --- secret ------------------------------------------------------------------------------------

secret::secret(secret&& o) noexcept : bytes_(std::move(o.bytes_)) { o.bytes_.clear(); }

secret& secret::operator=(secret&& o) noexcept {
    if (this != &o) {
        OPENSSL_cleanse(bytes_.data(), bytes_.size());
        bytes_ = std::move(o.bytes_);
        o.bytes_.clear();
    }
    return *this;
}

secret::~secret() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string secret::to_string() const { return "<redacted " + std::to_string(bytes_.size()) + " bytes>"; }

// --- signer ------------------------------------------------------------------------------------

struct signer::impl {
    key_type type = key_type::hmac_sha256;
    // HMAC: a context keyed once; EVP_MAC_init with a null key reuses that key on every call.
    ossl_ptr<EVP_MAC_CTX> mac;
    // Ed25519: the key, and a digest context reused across calls.
    ossl_ptr<EVP_PKEY> pkey;
    ossl_ptr<EVP_MD_CTX> md;
};

signer::signer(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
signer::signer(signer&&) noexcept = default;
signer& signer::operator=(signer&&) noexcept = default;
signer::~signer() = default;

key_type signer::type() const noexcept { return impl_->type; }

result<signer> signer::hmac_sha256(const secret& key) {
    if (key.empty())
        return make_error_code(rest_errc::invalid_key);
    ossl_ptr<EVP_MAC> mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
    if (!mac)
        return make_error_code(rest_errc::sign_failed);
    ossl_ptr<EVP_MAC_CTX> ctx{EVP_MAC_CTX_new(mac.get())};
    if (!ctx)
        return make_error_code(rest_errc::sign_failed);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    const auto bytes = key.reveal();
    if (EVP_MAC_init(ctx.get(), bytes.data(), bytes.size(), params) != 1)
        return make_error_code(rest_errc::invalid_key);
    auto p = std::make_unique<impl>();
    p->type = key_type::hmac_sha256;
    p->mac = std::move(ctx);
    return signer{std::move(p)};
}

namespace {
result<signer> from_pkey(ossl_ptr<EVP_PKEY> pkey, auto make) {
    if (!pkey)
        return make_error_code(rest_errc::invalid_key);
    if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
        return make_error_code(rest_errc::wrong_key_type);
    return make(std::move(pkey));
}
} // namespace

result<signer> signer::ed25519_from_pem(const secret& pem) {
    const auto bytes = pem.reveal();
    ossl_ptr<BIO> bio{BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size()))};
    if (!bio)
        return make_error_code(rest_errc::sign_failed);
    ossl_ptr<EVP_PKEY> pkey{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
    return from_pkey(std::move(pkey), [](ossl_ptr<EVP_PKEY> k) -> result<signer> {
        auto p = std::make_unique<impl>();
        p->type = key_type::ed25519;
        p->pkey = std::move(k);
        p->md.reset(EVP_MD_CTX_new());
        if (!p->md)
            return make_error_code(rest_errc::sign_failed);
        return signer{std::move(p)};
    });
}

result<signer> signer::ed25519_from_raw(const secret& seed) {
    const auto bytes = seed.reveal();
    if (bytes.size() != 32)
        return make_error_code(rest_errc::invalid_key);
    ossl_ptr<EVP_PKEY> pkey{EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes.data(), bytes.size())};
    return from_pkey(std::move(pkey), [](ossl_ptr<EVP_PKEY> k) -> result<signer> {
        auto p = std::make_unique<impl>();
        p->type = key_type::ed25519;
        p->pkey = std::move(k);
        p->md.reset(EVP_MD_CTX_new());
        if (!p->md)
            return make_error_code(rest_errc::sign_failed);
        return signer{std::move(p)};
    });
}

result<signer> signer::ed25519_generate() {
    ossl_ptr<EVP_PKEY> pkey{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
    if (!pkey)
        return make_error_code(rest_errc::sign_failed);
    std::array<unsigned char, 32> raw{};
    std::size_t len = raw.size();
    if (EVP_PKEY_get_raw_private_key(pkey.get(), raw.data(), &len) != 1)
        return make_error_code(rest_errc::sign_failed);
    secret seed{std::string_view{reinterpret_cast<const char*>(raw.data()), len}};
    OPENSSL_cleanse(raw.data(), raw.size());
    return ed25519_from_raw(seed);
}

result<signer> signer::clone() const {
    auto p = std::make_unique<impl>();
    p->type = impl_->type;
    if (impl_->mac) {
        p->mac.reset(EVP_MAC_CTX_dup(impl_->mac.get()));
        if (!p->mac)
            return make_error_code(rest_errc::sign_failed);
    }
    if (impl_->pkey) {
        if (EVP_PKEY_up_ref(impl_->pkey.get()) != 1)
            return make_error_code(rest_errc::sign_failed);
        p->pkey.reset(impl_->pkey.get());
        p->md.reset(EVP_MD_CTX_new());
        if (!p->md)
            return make_error_code(rest_errc::sign_failed);
    }
    return signer{std::move(p)};
}

result<std::size_t> signer::sign_to(std::string_view payload, std::span<char> out) const noexcept {
    const auto* data = reinterpret_cast<const unsigned char*>(payload.data());
    if (impl_->type == key_type::hmac_sha256) {
        if (out.size() < 64)
            return make_error_code(rest_errc::buffer_too_small);
        std::array<unsigned char, 32> mac{};
        std::size_t len = 0;
        // A null key re-arms the context with the key given at construction.
        if (EVP_MAC_init(impl_->mac.get(), nullptr, 0, nullptr) != 1 ||
            EVP_MAC_update(impl_->mac.get(), data, payload.size()) != 1 ||
            EVP_MAC_final(impl_->mac.get(), mac.data(), &len, mac.size()) != 1 || len != mac.size())
            return make_error_code(rest_errc::sign_failed);
        for (std::size_t i = 0; i < len; ++i) {
            out[2 * i] = hex_digits[mac[i] >> 4];
            out[2 * i + 1] = hex_digits[mac[i] & 0xF];
        }
        return std::size_t{64};
    }
    if (out.size() < 89)
        return make_error_code(rest_errc::buffer_too_small);
    std::array<unsigned char, 64> sig{};
    std::size_t len = sig.size();
    if (EVP_DigestSignInit(impl_->md.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1 ||
        EVP_DigestSign(impl_->md.get(), sig.data(), &len, data, payload.size()) != 1 || len != sig.size())
        return make_error_code(rest_errc::sign_failed);
    // EVP_EncodeBlock writes 88 characters plus a terminating NUL.
    std::array<unsigned char, 89> b64{};
    const int n = EVP_EncodeBlock(b64.data(), sig.data(), static_cast<int>(len));
    std::copy_n(reinterpret_cast<const char*>(b64.data()), n, out.data());
    return static_cast<std::size_t>(n);
}

result<std::string> signer::sign(std::string_view payload) const {
    std::array<char, max_signature_size> buf{};
    auto n = sign_to(payload, buf);
    if (!n)
        return n.error();
    return std::string(buf.data(), *n);
}

result<std::string> signer::public_key_pem() const {
    if (impl_->type != key_type::ed25519)
        return make_error_code(rest_errc::wrong_key_type);
    ossl_ptr<BIO> bio{BIO_new(BIO_s_mem())};
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1)
        return make_error_code(rest_errc::sign_failed);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

bool verify_ed25519(std::string_view public_pem, std::string_view payload, std::string_view signature_base64) {
    ossl_ptr<BIO> bio{BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()))};
    if (!bio)
        return false;
    ossl_ptr<EVP_PKEY> pkey{PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)};
    if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519 || signature_base64.size() != 88)
        return false;
    std::array<unsigned char, 66> sig{};
    const int n = EVP_DecodeBlock(sig.data(), reinterpret_cast<const unsigned char*>(signature_base64.data()),
                                  static_cast<int>(signature_base64.size()));
    // 88 base64 characters with "==" padding decode to 66 bytes of which the last two are padding.
    if (n != 66)
        return false;
    ossl_ptr<EVP_MD_CTX> md{EVP_MD_CTX_new()};
    if (!md || EVP_DigestVerifyInit(md.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
        return false;
    return EVP_DigestVerify(md.get(), sig.data(), 64, reinterpret_cast<const unsigned char*>(payload.data()),
                            payload.size()) == 1;
}

// --- payloads ----------------------------------------------------------------------------------

std::string rest_payload(std::string_view query, std::string_view body) {
    std::string out;
    out.reserve(query.size() + body.size());
    out.append(query);
    out.append(body);
    return out;
}

std::string ws_api_payload(std::span<const param> params) {
    std::vector<param> sorted;
    sorted.reserve(params.size());
    for (const auto& p : params)
        if (p.name != "signature")
            sorted.push_back(p);
    std::sort(sorted.begin(), sorted.end(), [](const param& a, const param& b) { return a.name < b.name; });
    std::string out;
    for (const auto& p : sorted) {
        if (!out.empty())
            out.push_back('&');
        out.append(p.name);
        out.push_back('=');
        out.append(p.value);
    }
    return out;
}

namespace {

// RFC 3986 unreserved characters: A-Z a-z 0-9 - _ . ~ (sent as they are).
constexpr std::array<bool, 256> unreserved_table = [] {
    std::array<bool, 256> t{};
    for (int c = 'A'; c <= 'Z'; ++c)
        t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        t[static_cast<std::size_t>(c)] = true;
    for (int c = '0'; c <= '9'; ++c)
        t[static_cast<std::size_t>(c)] = true;
    for (const char c : {'-', '_', '.', '~'})
        t[static_cast<unsigned char>(c)] = true;
    return t;
}();

} // namespace

void append_url_encoded(std::string& out, std::string_view value) {
    static constexpr char upper_hex[] = "0123456789ABCDEF";
    // Runs of unreserved characters (nearly every value: symbols, decimals, ids, hex) are appended
    // in one piece; only the others are escaped one by one.
    std::size_t i = 0;
    const std::size_t n = value.size();
    while (i < n) {
        std::size_t j = i;
        while (j < n && unreserved_table[static_cast<unsigned char>(value[j])])
            ++j;
        out.append(value.data() + i, j - i);
        if (j == n)
            break;
        const auto c = static_cast<unsigned char>(value[j]);
        const char esc[3] = {'%', upper_hex[c >> 4], upper_hex[c & 0xF]};
        out.append(esc, 3);
        i = j + 1;
    }
}

} // namespace genesis::rest
