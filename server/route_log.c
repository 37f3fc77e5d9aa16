/*
 * route_log.c: the access log's read endpoints (checkpoint, entries,
 * inclusion and consistency proofs), computed by lib/log over the store's
 * cached subtree hashes. Reading the log is not itself logged.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/srv.h"

static json_t *b64(const uint8_t *p, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *t = malloc(cap);
    json_t *j;

    if (!t)
        return NULL;
    sodium_bin2base64(t, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    j = json_string(t);
    free(t);
    return j;
}

/* Authenticated log reader with a view of its household's log. */
static int log_open(porch_srv_req *r, porch_log_store **view, uint64_t *size)
{
    int ret;

    *view = NULL;
    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret ? ret : PORCH_ERR_INVALID_ARG;
    if (!porch_authz_allows(r->me, PORCH_AUTHZ_LOG_READ, NULL)) {
        porch_srv_error(r, 403, "forbidden", "role may not read the log");
        return PORCH_ERR_INVALID_ARG;
    }
    if ((ret = r->srv->meta->ops->log_view(r->srv->meta, r->hh, view)) == PORCH_OK)
        ret = porch_log_store_size(*view, size);
    if (ret != PORCH_OK)
        porch_srv_fail(r, ret);
    return ret;
}

int porch_srv_route_log_checkpoint(porch_srv_req *r)
{
    porch_log_store *v = NULL;
    porch_log_checkpoint cp;
    uint8_t enc[PORCH_LOG_CHECKPOINT_BYTES];
    uint64_t n = 0;
    int ret;

    if (log_open(r, &v, &n) != PORCH_OK)
        goto out;
    if ((ret = porch_log_checkpoint_make(&cp, v, r->hh, porch_srv_now_us(), r->srv->key)) !=
            PORCH_OK ||
        (ret = porch_log_checkpoint_encode(&cp, enc)) != PORCH_OK) {
        porch_srv_fail(r, ret);
        goto out;
    }
    porch_srv_json(r, 200, json_pack("{s:o}", "checkpoint", b64(enc, sizeof enc)));
out:
    porch_log_store_free(v);
    return PORCH_OK;
}

static int two_args(porch_srv_req *r, const char *ka, const char *kb, uint64_t *a, uint64_t *b)
{
    const char *allowed[] = { ka, kb, NULL };
    porch_srv_args args;

    if (porch_srv_args_of(r, &args) != PORCH_OK || porch_srv_args_only(&args, allowed) ||
        !porch_srv_args_get(&args, ka) || !porch_srv_args_get(&args, kb) ||
        porch_srv_args_u64(&args, ka, PORCH_LOG_MAX_TREE_SIZE, 0, a) != PORCH_OK ||
        porch_srv_args_u64(&args, kb, PORCH_LOG_MAX_TREE_SIZE, 0, b) != PORCH_OK)
        return PORCH_ERR_BAD_REQUEST;
    return PORCH_OK;
}

int porch_srv_route_log_entries(porch_srv_req *r)
{
    porch_log_store *v = NULL;
    uint8_t e[PORCH_LOG_ENTRY_BYTES];
    uint64_t n = 0, a, b;
    json_t *arr = NULL;
    int ret = PORCH_OK;

    if (log_open(r, &v, &n) != PORCH_OK)
        goto out;
    if (two_args(r, "start", "end", &a, &b) != PORCH_OK || a > b || b > n || b - a > 1000) {
        porch_srv_error(r, 400, "bad_request", "need 0 <= start <= end <= size, end-start <= 1000");
        goto out;
    }
    arr = json_array();
    for (uint64_t i = a; arr && i < b && ret == PORCH_OK; i++)
        if ((ret = r->srv->meta->ops->log_entry(r->srv->meta, r->hh, i, e)) == PORCH_OK)
            json_array_append_new(arr, b64(e, sizeof e));
    if (!arr || ret != PORCH_OK) {
        json_decref(arr);
        porch_srv_fail(r, arr ? ret : PORCH_ERR_NOMEM);
        goto out;
    }
    porch_srv_json(r, 200, json_pack("{s:o}", "entries", arr));
out:
    porch_log_store_free(v);
    return PORCH_OK;
}

int porch_srv_route_log_inclusion(porch_srv_req *r)
{
    porch_log_store *v = NULL;
    porch_log_inclusion *p = NULL;
    uint8_t enc[PORCH_LOG_PROOF_MAX_BYTES];
    uint64_t n = 0, idx, size;
    size_t len = 0;
    int ret;

    if (log_open(r, &v, &n) != PORCH_OK)
        goto out;
    if (two_args(r, "index", "size", &idx, &size) != PORCH_OK || idx >= size || size > n) {
        porch_srv_error(r, 400, "bad_request", "need index < size <= log size");
        goto out;
    }
    if (!(p = malloc(sizeof *p)) ||
        (ret = porch_log_prove_inclusion(v, idx, size, p)) != PORCH_OK ||
        (ret = porch_log_inclusion_encode(p, enc, sizeof enc, &len)) != PORCH_OK) {
        porch_srv_fail(r, p ? ret : PORCH_ERR_NOMEM);
        goto out;
    }
    porch_srv_json(r, 200, json_pack("{s:o}", "proof", b64(enc, len)));
out:
    free(p);
    porch_log_store_free(v);
    return PORCH_OK;
}

int porch_srv_route_log_consistency(porch_srv_req *r)
{
    porch_log_store *v = NULL;
    porch_log_consistency *p = NULL;
    uint8_t enc[PORCH_LOG_PROOF_MAX_BYTES];
    uint64_t n = 0, from, to;
    size_t len = 0;
    int ret;

    if (log_open(r, &v, &n) != PORCH_OK)
        goto out;
    if (two_args(r, "from", "to", &from, &to) != PORCH_OK || from == 0 || from >= to ||
        to > n) {
        porch_srv_error(r, 400, "bad_request", "need 0 < from < to <= log size");
        goto out;
    }
    if (!(p = malloc(sizeof *p)) ||
        (ret = porch_log_prove_consistency(v, from, to, p)) != PORCH_OK ||
        (ret = porch_log_consistency_encode(p, enc, sizeof enc, &len)) != PORCH_OK) {
        porch_srv_fail(r, p ? ret : PORCH_ERR_NOMEM);
        goto out;
    }
    porch_srv_json(r, 200, json_pack("{s:o}", "proof", b64(enc, len)));
out:
    free(p);
    porch_log_store_free(v);
    return PORCH_OK;
}
