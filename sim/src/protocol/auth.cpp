#include "genesis/sim/protocol/auth.hpp"

#include "genesis/sim/exchange.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace genesis::sim::protocol {
namespace {

constexpr std::int64_t us_per_ms = 1000;

struct bio_free {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct pkey_free {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct md_ctx_free {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

int hex_nibble(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Standard base64 with padding; nullopt on anything else.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view s) {
    if (s.empty() || s.size() % 4 != 0 || s.size() > 4096)
        return std::nullopt;
    std::vector<unsigned char> out(s.size() / 4 * 3);
    const int n =
        EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
    if (n < 0)
        return std::nullopt;
    // EVP_DecodeBlock counts the bytes the padding stands for: take them off.
    std::size_t len = static_cast<std::size_t>(n);
    if (s.back() == '=')
        --len;
    if (s[s.size() - 2] == '=')
        --len;
    out.resize(len);
    return out;
}

// Removes the "signature=<x>" piece from s (with the '&' that joined it); returns <x> raw.
std::optional<std::string> cut_signature(std::string& s) {
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find('&', start);
        if (end == std::string::npos)
            end = s.size();
        const std::string_view piece(s.data() + start, end - start);
        if (piece.starts_with("signature=") || piece == "signature") {
            const std::size_t eq = piece.find('=');
            std::string value = eq == std::string_view::npos ? std::string{} : std::string(piece.substr(eq + 1));
            if (start > 0)
                s.erase(start - 1, end - start + 1); // "...&signature=x"
            else if (end < s.size())
                s.erase(0, end + 1); // "signature=x&..."
            else
                s.clear(); // "signature=x"
            return value;
        }
        start = end + 1;
    }
    return std::nullopt;
}

bool verify_with(std::string_view key, std::string_view payload, std::string_view signature) noexcept {
    return is_ed25519_key(key) ? verify_ed25519(key, payload, signature) : verify_hmac_sha256(key, payload, signature);
}

} // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), mac, &len);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(static_cast<std::size_t>(len) * 2, '0');
    for (unsigned int i = 0; i < len; ++i) {
        out[2 * i] = digits[mac[i] >> 4];
        out[2 * i + 1] = digits[mac[i] & 0xF];
    }
    return out;
}

bool verify_hmac_sha256(std::string_view secret, std::string_view payload, std::string_view signature_hex) noexcept {
    if (signature_hex.size() != 64)
        return false;
    unsigned char given[32];
    for (std::size_t i = 0; i < 32; ++i) {
        const int hi = hex_nibble(signature_hex[2 * i]);
        const int lo = hex_nibble(signature_hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        given[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len) == nullptr ||
        len != 32)
        return false;
    // Constant time: the comparison must not tell an attacker how many bytes matched.
    return CRYPTO_memcmp(given, mac, 32) == 0;
}

bool is_ed25519_key(std::string_view key) noexcept { return key.starts_with("-----BEGIN PUBLIC KEY-----"); }

bool verify_ed25519(std::string_view public_key_pem, std::string_view payload,
                    std::string_view signature_base64) noexcept {
    try {
        const auto sig = base64_decode(signature_base64);
        if (!sig || sig->size() != 64)
            return false;
        std::unique_ptr<BIO, bio_free> bio(
            BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())));
        if (!bio)
            return false;
        std::unique_ptr<EVP_PKEY, pkey_free> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
        if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519)
            return false;
        std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
            return false;
        return EVP_DigestVerify(ctx.get(), sig->data(), sig->size(),
                                reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1;
    } catch (...) {
        return false; // allocation failure: not a valid signature
    }
}

rest_signed_payload rest_signature_payload(std::string_view query, std::string_view body) {
    rest_signed_payload out;
    std::string q(query);
    std::string b(body);
    auto sig = cut_signature(q);
    if (!sig)
        sig = cut_signature(b);
    out.payload = q + b;
    if (sig)
        out.signature = percent_decode(*sig).value_or(std::string{});
    return out;
}

std::string ws_signature_payload(const params& p) {
    std::vector<const param*> sorted;
    sorted.reserve(p.size());
    for (const auto& item : p.items())
        if (item.name != "signature")
            sorted.push_back(&item);
    std::sort(sorted.begin(), sorted.end(), [](const param* a, const param* b) { return a->name < b->name; });
    std::string out;
    for (const param* item : sorted) {
        if (!out.empty())
            out += '&';
        out += item->name;
        out += '=';
        out += item->value;
    }
    return out;
}

proto_result<void> check_timing(std::int64_t timestamp_us, std::int64_t recv_window_us, std::int64_t server_time_us) {
    if (timestamp_us >= server_time_us + 1000 * us_per_ms)
        return ahead_of_server();
    if (server_time_us - timestamp_us > recv_window_us)
        return outside_recv_window();
    return {};
}

proto_result<void> check_timestamp(const params& p, time_point server_time) {
    auto ts = p.required_uint("timestamp");
    if (!ts)
        return ts.error();
    // Binance takes 16-digit timestamps as microseconds, shorter ones as milliseconds.
    const auto raw_ts = static_cast<std::int64_t>(*ts);
    const std::int64_t ts_us = raw_ts >= 1'000'000'000'000'000 ? raw_ts : raw_ts * us_per_ms;

    std::int64_t window_us = default_recv_window_ms * us_per_ms;
    auto rw = p.optional_decimal("recvWindow");
    if (!rw)
        return rw.error();
    if (*rw) {
        // recvWindow is in milliseconds with up to 3 decimals (microseconds).
        constexpr std::int64_t raw_per_us = decimal::one_raw / 1000;
        if ((*rw)->raw() % raw_per_us != 0)
            return too_much_precision("recvWindow");
        if (**rw > decimal::from_raw(max_recv_window_ms * decimal::one_raw))
            return bad_recv_window();
        window_us = (*rw)->raw() / raw_per_us;
    }
    return check_timing(ts_us, window_us, server_time.ns / 1000);
}

proto_result<account_id> lookup_api_key(const exchange& ex, std::optional<std::string_view> api_key) {
    if (!api_key || api_key->empty())
        return make_error(sim_errc::bad_api_key_format);
    const auto id = ex.find_account(*api_key);
    if (!id || ex.get_account(*id) == nullptr)
        return make_error(sim_errc::invalid_api_key);
    return proto_result<account_id>(boost::system::in_place_value, *id);
}

proto_result<account_id> authenticate_rest(const exchange& ex, std::optional<std::string_view> api_key_header,
                                           std::string_view query, std::string_view body, const params& p,
                                           time_point server_time) {
    auto id = lookup_api_key(ex, api_key_header);
    if (!id)
        return id;
    if (auto t = check_timestamp(p, server_time); !t)
        return t.error();
    p.mark_read("signature");
    const auto signed_payload = rest_signature_payload(query, body);
    if (signed_payload.signature.empty())
        return mandatory_missing("signature");
    if (!verify_with(ex.get_account(*id)->secret_key(), signed_payload.payload, signed_payload.signature))
        return make_error(sim_errc::invalid_signature);
    return id;
}

proto_result<account_id> authenticate_ws(const exchange& ex, const params& p, time_point server_time) {
    auto key = p.required("apiKey");
    if (!key)
        return key.error();
    auto id = lookup_api_key(ex, *key);
    if (!id)
        return id;
    if (auto t = check_timestamp(p, server_time); !t)
        return t.error();
    auto sig = p.required("signature");
    if (!sig)
        return sig.error();
    if (!verify_with(ex.get_account(*id)->secret_key(), ws_signature_payload(p), *sig))
        return make_error(sim_errc::invalid_signature);
    return id;
}

} // namespace genesis::sim::protocol
