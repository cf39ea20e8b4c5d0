#include "genesis/gateway/oms/client_id.hpp"

#include "genesis/gateway/oms/error.hpp"

#include <charconv>
#include <limits>

namespace genesis::gateway {

bool valid_instance_id(std::string_view instance) noexcept {
    if (instance.empty() || instance.size() > max_instance_length)
        return false;
    for (char c : instance) {
        const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum)
            return false;
    }
    return true;
}

result<client_order_id> format_client_id(std::string_view instance, std::uint64_t counter) {
    if (!valid_instance_id(instance) || counter == 0)
        return make_error_code(core_errc::invalid_argument);
    char buf[40];
    std::size_t n = 0;
    for (char c : client_id_tag)
        buf[n++] = c;
    for (char c : instance)
        buf[n++] = c;
    buf[n++] = '-';
    const auto [end, ec] = std::to_chars(buf + n, buf + sizeof buf, counter);
    if (ec != std::errc{})
        return make_error_code(core_errc::invalid_argument);
    return client_order_id::make(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

result<parsed_client_id> parse_client_id(std::string_view id) {
    const auto bad = make_error_code(oms_errc::malformed_client_id);
    if (!id.starts_with(client_id_tag))
        return bad;
    id.remove_prefix(client_id_tag.size());
    const auto dash = id.find('-');
    if (dash == std::string_view::npos)
        return bad;
    const auto instance = id.substr(0, dash);
    const auto digits = id.substr(dash + 1);
    if (!valid_instance_id(instance) || digits.empty() || digits.front() == '0')
        return bad;
    for (char c : digits)
        if (c < '0' || c > '9')
            return bad;
    std::uint64_t counter = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), counter);
    if (ec != std::errc{} || end != digits.data() + digits.size())
        return bad;
    return parsed_client_id{std::string(instance), counter};
}

client_id_source::client_id_source(client_id_options options, reserver reserve)
        : options_(std::move(options)), reserve_(std::move(reserve)) {}

void client_id_source::add_block(db::id_block b) {
    if (b.end > b.first)
        blocks_.push_back(b);
}

std::uint64_t client_id_source::remaining() const noexcept {
    std::uint64_t n = 0;
    for (const auto& b : blocks_)
        n += b.end - b.first;
    return n;
}

void client_id_source::maybe_refill() {
    // Ask for the next block early, so that the order path never waits for the disk.
    if (refill_pending_ || !reserve_ || remaining() >= options_.refill_below)
        return;
    refill_pending_ = true;
    reserve_(options_.block_size, [this](result<db::id_block> r) {
        refill_pending_ = false;
        if (!r) {
            last_refill_error_ = r.error();
            return;
        }
        ++refills_;
        last_refill_error_ = {};
        add_block(*r);
    });
}

result<client_order_id> client_id_source::next() {
    while (!blocks_.empty() && blocks_.front().first >= blocks_.front().end)
        blocks_.pop_front();
    if (blocks_.empty()) {
        maybe_refill();
        return make_error_code(oms_errc::ids_exhausted);
    }
    const std::uint64_t counter = blocks_.front().first++;
    auto id = format_client_id(options_.instance, counter);
    if (id)
        ++issued_;
    maybe_refill();
    return id;
}

} // namespace genesis::gateway
