/*
 * client_log.c: the access log endpoints and the audit (docs/SERVER.md,
 * "Access log"; docs/LOG.md). The audit trusts nothing the server says
 * without a proof: the checkpoint must be signed by the pinned key and be
 * consistent with the last head the monitor holds, and every entry it lists
 * must be included in that checkpoint's tree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "porchlight/error.h"

#define ENTRIES_PAGE 1000u

static int get_json(porch_client *c, struct porch__req *req)
{
    req->method = "GET";
    req->auth = 1;
    return porch__call(c, req);
}

int porch_client_log_checkpoint(porch_client *c, porch_log_checkpoint *out)
{
    struct porch__req req = {0};
    uint8_t *raw = NULL;
    size_t len = 0;
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!c || !out || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/log/checkpoint", c->hh_hex);
    if ((ret = get_json(c, &req)) == PORCH_OK &&
        (ret = porch__json_b64(req.resp, req.resp_len, "checkpoint", PORCH_LOG_CHECKPOINT_BYTES,
                               PORCH_LOG_CHECKPOINT_BYTES, &raw, &len)) == PORCH_OK &&
        porch_log_checkpoint_decode(out, raw, len) != PORCH_OK)
        ret = PORCH_ERR_BAD_RESPONSE;
    free(raw);
    porch__req_done(&req);
    return ret;
}

int porch_client_log_entries(porch_client *c, uint64_t start, uint64_t end, uint8_t **out,
                             size_t *n)
{
    struct porch__req req = {0};
    int ret;

    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!c || !out || !n || end < start || end - start > ENTRIES_PAGE || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path,
             "/v1/households/%s/log/entries?start=%" PRIu64 "&end=%" PRIu64, c->hh_hex, start,
             end);
    if ((ret = get_json(c, &req)) == PORCH_OK)
        ret = porch__json_entries(req.resp, req.resp_len, (size_t)(end - start), out, n);
    porch__req_done(&req);
    return ret;
}

static int get_proof(porch_client *c, const char *what, uint64_t a, uint64_t b,
                     uint8_t **raw, size_t *len)
{
    struct porch__req req = {0};
    int ret;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/log/%s=%" PRIu64 "&%s=%" PRIu64,
             c->hh_hex, what, a, strcmp(what, "inclusion?index") == 0 ? "size" : "to", b);
    if ((ret = get_json(c, &req)) == PORCH_OK)
        ret = porch__json_b64(req.resp, req.resp_len, "proof", 1, PORCH_LOG_PROOF_MAX_BYTES,
                              raw, len);
    porch__req_done(&req);
    return ret;
}

int porch_client_log_inclusion(porch_client *c, uint64_t index, uint64_t size,
                               porch_log_inclusion *out)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!c || !out || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = get_proof(c, "inclusion?index", index, size, &raw, &len)) == PORCH_OK &&
        (porch_log_inclusion_decode(out, raw, len) != PORCH_OK || out->leaf_index != index ||
         out->tree_size != size))
        ret = PORCH_ERR_BAD_RESPONSE;
    free(raw);
    return ret;
}

int porch_client_log_consistency(porch_client *c, uint64_t from, uint64_t to,
                                 porch_log_consistency *out)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!c || !out || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = get_proof(c, "consistency?from", from, to, &raw, &len)) == PORCH_OK &&
        (porch_log_consistency_decode(out, raw, len) != PORCH_OK || out->size1 != from ||
         out->size2 != to))
        ret = PORCH_ERR_BAD_RESPONSE;
    free(raw);
    return ret;
}

/* Moves the monitor to the server's current checkpoint, with a proof when needed. */
static int advance(porch_client *c, porch_log_monitor *m, porch_log_checkpoint *cp)
{
    porch_log_consistency *proof = NULL;
    int ret;

    if ((ret = porch_client_log_checkpoint(c, cp)) != PORCH_OK)
        return ret;
    if (m->have_head && m->head.tree_size > 0 && cp->tree_size > m->head.tree_size) {
        if (!(proof = malloc(sizeof *proof)))
            return PORCH_ERR_NOMEM;
        ret = porch_client_log_consistency(c, m->head.tree_size, cp->tree_size, proof);
        if (ret == PORCH_ERR_BAD_RESPONSE || ret == PORCH_ERR_NOT_FOUND ||
            ret == PORCH_ERR_REJECTED)
            ret = PORCH_ERR_LOG_PROOF; /* no valid proof offered */
    }
    if (ret == PORCH_OK)
        ret = porch_log_monitor_update(m, cp, proof);
    free(proof);
    return ret;
}

static int check_page(porch_client *c, const porch_log_monitor *m, uint64_t start,
                      const uint8_t *entries, size_t n, porch_audit_fn fn, void *ctx)
{
    porch_log_inclusion *proof = malloc(sizeof *proof);
    porch_log_entry e;
    int ret = proof ? PORCH_OK : PORCH_ERR_NOMEM;

    for (size_t i = 0; ret == PORCH_OK && i < n; i++) {
        const uint8_t *raw = entries + i * PORCH_LOG_ENTRY_BYTES;
        ret = porch_client_log_inclusion(c, start + i, m->head.tree_size, proof);
        if (ret == PORCH_ERR_BAD_RESPONSE || ret == PORCH_ERR_NOT_FOUND)
            ret = PORCH_ERR_LOG_PROOF;
        if (ret == PORCH_OK)
            ret = porch_log_monitor_check_entry(m, raw, PORCH_LOG_ENTRY_BYTES, proof);
        if (ret == PORCH_OK && porch_log_entry_decode(&e, raw, PORCH_LOG_ENTRY_BYTES) != PORCH_OK)
            ret = PORCH_ERR_LOG_PROOF;
        if (ret == PORCH_OK && fn && fn(ctx, start + i, &e))
            break;
    }
    free(proof);
    return ret;
}

int porch_client_audit(porch_client *c, porch_log_monitor *m, uint64_t from,
                       porch_audit_fn fn, void *ctx)
{
    porch_log_checkpoint cp;
    uint8_t *entries = NULL;
    size_t n = 0;
    int ret;

    if (!c || !m || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = advance(c, m, &cp)) != PORCH_OK)
        return ret;
    for (uint64_t at = from; at < m->head.tree_size && ret == PORCH_OK;) {
        uint64_t end = m->head.tree_size - at > ENTRIES_PAGE ? at + ENTRIES_PAGE
                                                             : m->head.tree_size;
        if ((ret = porch_client_log_entries(c, at, end, &entries, &n)) != PORCH_OK)
            break;
        if (n != end - at)
            ret = PORCH_ERR_LOG_PROOF;
        else
            ret = check_page(c, m, at, entries, n, fn, ctx);
        free(entries);
        entries = NULL;
        at = end;
    }
    return ret;
}
