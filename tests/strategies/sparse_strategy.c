/* A strategy written in C whose table leaves every optional callback NULL: only create, destroy
 * and on_timer (which logs "tick"). The host must skip the NULL ones. Built a second and a third
 * time with GENESIS_SPARSE_NO_CREATE / GENESIS_SPARSE_NO_DESTROY, tables the host must refuse. */
#include <genesis/strategy/api.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct sparse {
    const genesis_host* host;
} sparse;

#ifndef GENESIS_SPARSE_NO_CREATE
static int sparse_create(const genesis_host* host, const genesis_param* params, size_t param_count, void** instance,
                         genesis_error* err) {
    sparse* s = calloc(1, sizeof *s);
    (void)params;
    (void)param_count;
    if (!s) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return GENESIS_ERROR;
    }
    s->host = host;
    *instance = s;
    return GENESIS_OK;
}
#define SPARSE_CREATE &sparse_create
#else
#define SPARSE_CREATE NULL
#endif

#ifndef GENESIS_SPARSE_NO_DESTROY
static void sparse_destroy(void* instance) { free(instance); }
#define SPARSE_DESTROY &sparse_destroy
#else
#define SPARSE_DESTROY NULL
#endif

static int sparse_on_timer(void* instance, int64_t now_ns, genesis_error* err) {
    static const char text[] = "tick";
    const sparse* s = instance;
    const genesis_str message = {text, sizeof text - 1};
    (void)now_ns;
    (void)err;
    s->host->log(s->host->ctx, GENESIS_LOG_INFO, message);
    return GENESIS_OK;
}

static const genesis_strategy table = {
    GENESIS_STRATEGY_ABI_VERSION,
    "sparse",
    SPARSE_CREATE,
    SPARSE_DESTROY,
    NULL, /* restore_state */
    NULL, /* start */
    NULL, /* on_book */
    NULL, /* on_trade */
    NULL, /* on_execution */
    &sparse_on_timer,
    NULL, /* stop */
    NULL  /* save_state */
};

GENESIS_STRATEGY_EXPORT const genesis_strategy* genesis_strategy_entry(void) { return &table; }
