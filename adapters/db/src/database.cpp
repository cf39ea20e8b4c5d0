#include "genesis/db/database.hpp"

#include "engine.hpp"

namespace genesis::db {
namespace {

// Runs fn on the db thread and waits for its result; closed if the database is stopping.
template <class T, class F>
result<T> call(detail::engine& e, F&& fn) {
    auto [done, fut] = make_completion<T>();
    if (!e.post(false, [done = std::move(done), fn = std::forward<F>(fn)]() mutable { done(fn()); }))
        return make_error_code(db_errc::closed);
    return fut.get();
}

template <class T>
void refuse(completion<T>& done) {
    if (done)
        done(make_error_code(db_errc::closed));
}

// A journal row for the db thread: body(engine) inside the group commit, done after its commit.
template <class T, class Body>
struct journal_task {
    detail::engine* e;
    Body body;
    completion<T> done;
    void operator()() {
        e->journal<T>(std::move(done), [this] { return body(*e); });
    }
};

// Queues the row; a refused one (stopping) hands done its error here. done is moved, never
// copied: on the order path each copy of a completion is an allocation.
template <class T, class Body>
void post_journal(detail::engine& e, Body body, completion<T> done) {
    std::function<void()> fn(journal_task<T, Body>{&e, std::move(body), std::move(done)});
    if (!e.try_post(true, fn))
        if (auto* t = fn.target<journal_task<T, Body>>())
            refuse(t->done);
}

} // namespace

database::database(std::unique_ptr<detail::engine> e) noexcept : engine_(std::move(e)) {}

database::~database() = default;

result<std::unique_ptr<database>> database::open(db_config cfg, std::string* why) {
    auto e = std::make_unique<detail::engine>(std::move(cfg));
    std::string reason;
    if (auto ec = e->start(reason)) {
        if (why)
            *why = std::move(reason);
        return ec;
    }
    return std::unique_ptr<database>(new database(std::move(e)));
}

void database::append_intent(std::string_view instance, const order_intent& intent, completion<std::uint64_t> done) {
    post_journal<std::uint64_t>(
        *engine_,
        [instance = std::string(instance), intent](detail::engine& e) { return e.insert_intent(instance, intent); },
        std::move(done));
}

void database::append_transition(const order_transition& t, completion<std::uint64_t> done) {
    post_journal<std::uint64_t>(
        *engine_, [t](detail::engine& e) { return e.insert_transition(t); }, std::move(done));
}

void database::append_fill(const fill_record& f, completion<fill_outcome> done) {
    post_journal<fill_outcome>(
        *engine_, [f](detail::engine& e) { return e.insert_fill(f); }, std::move(done));
}

void database::append_balance(const venue_id& venue, const balance& b, time_point time,
                              completion<std::uint64_t> done) {
    post_journal<std::uint64_t>(
        *engine_, [venue, b, time](detail::engine& e) { return e.insert_balance(venue, b, time); }, std::move(done));
}

result<void> database::flush() {
    // The barrier commits the open batch first; report that commit, or an earlier storage failure.
    auto* e = engine_.get();
    return call<void>(*e, [e]() -> result<void> {
        if (auto ec = e->flush_outcome())
            return ec;
        return {};
    });
}

result<id_block> database::reserve_block(std::string_view instance, std::uint64_t size) {
    auto* e = engine_.get();
    return call<id_block>(*e, [e, instance = std::string(instance), size] { return e->reserve(instance, size); });
}

result<std::vector<journal_entry>> database::replay(std::uint64_t after_seq) {
    auto* e = engine_.get();
    return call<std::vector<journal_entry>>(*e, [e, after_seq] { return e->replay(after_seq); });
}

void database::write_checkpoint(std::vector<section> sections, completion<checkpoint_report> done) {
    auto* e = engine_.get();
    auto task = [e, sections = std::move(sections), done]() mutable {
        auto r = e->write_checkpoint(std::move(sections));
        if (done)
            done(std::move(r));
    };
    if (!e->post(false, std::move(task)))
        refuse(done);
}

result<checkpoint_report> database::write_checkpoint_sync(std::vector<section> sections) {
    auto [done, fut] = make_completion<checkpoint_report>();
    write_checkpoint(std::move(sections), std::move(done));
    return fut.get();
}

result<restore_report> database::restore() {
    auto* e = engine_.get();
    return call<restore_report>(*e, [e] { return e->restore(); });
}

result<std::vector<std::size_t>> database::reseed() {
    auto* e = engine_.get();
    return call<std::vector<std::size_t>>(*e, [e] { return e->reseed(); });
}

void database::save_snapshot(std::string_view component, std::uint64_t version, std::vector<std::byte> bytes,
                             completion<void> done) {
    auto* e = engine_.get();
    auto task = [e, component = std::string(component), version, bytes = std::move(bytes), done]() mutable {
        auto r = e->save_snapshot(component, version, bytes);
        if (done)
            done(std::move(r));
    };
    if (!e->post(false, std::move(task)))
        refuse(done);
}

result<std::optional<stored_snapshot>> database::load_snapshot(std::string_view component) {
    auto* e = engine_.get();
    return call<std::optional<stored_snapshot>>(
        *e, [e, component = std::string(component)] { return e->load_snapshot(component); });
}

bool database::healthy() const noexcept { return engine_->healthy(); }
health_status database::health() const { return engine_->health(); }
std::vector<replica_status> database::replicas() const { return engine_->replica_statuses(); }
db_stats database::stats() const noexcept { return engine_->stats(); }
std::uint32_t database::schema_version() const noexcept { return engine_->schema_version(); }

} // namespace genesis::db
