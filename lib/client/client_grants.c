/*
 * client_grants.c: support grants and shares (docs/SERVER.md, "Support grants").
 * The grant request body is {"grant":B64,"shares":[B64,...]}, built with
 * jansson so every string is escaped by the library.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "porchlight/error.h"
#include "porchlight/grant.h"

static json_t *b64_string(const uint8_t *p, size_t n)
{
    char *s = porch__b64_encode(p, n);
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}

static char *grant_body(const uint8_t *grant, size_t len,
                        const uint8_t (*shares)[PORCH_CLIP_SHARE_BYTES], size_t n)
{
    json_t *o = json_object(), *a = json_array();
    char *body = NULL;
    int ok = o && a && json_object_set_new(o, "grant", b64_string(grant, len)) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = json_array_append_new(a, b64_string(shares[i], PORCH_CLIP_SHARE_BYTES)) == 0;
    if (ok && json_object_set(o, "shares", a) == 0)
        body = json_dumps(o, JSON_COMPACT);
    json_decref(a);
    json_decref(o);
    return body;
}

int porch_client_grant_create(porch_client *c, const uint8_t *grant, size_t grant_len,
                              const uint8_t (*shares)[PORCH_CLIP_SHARE_BYTES], size_t n_shares,
                              uint8_t grant_id[16])
{
    struct porch__req req = {.method = "POST", .auth = 1, .content_type = "application/json"};
    uint8_t id[16];
    char *body;
    int ret;

    if (grant_id)
        memset(grant_id, 0, 16);
    if (!c || !grant || !grant_len || (n_shares && !shares) || !c->have_household ||
        n_shares > PORCH_GRANT_MAX_CLIPS)
        return PORCH_ERR_INVALID_ARG;
    if (!(body = grant_body(grant, grant_len, shares, n_shares)))
        return PORCH_ERR_NOMEM;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/grants", c->hh_hex);
    req.body = (const uint8_t *)body;
    req.body_len = strlen(body);
    if ((ret = porch__call(c, &req)) == PORCH_OK &&
        (ret = porch__json_grant_id(req.resp, req.resp_len, id)) == PORCH_OK && grant_id)
        memcpy(grant_id, id, 16);
    porch__req_done(&req);
    free(body);
    return ret;
}

int porch_client_grants_list(porch_client *c, porch_grant_list *out)
{
    struct porch__req req = {.method = "GET", .auth = 1, .max_response = 64u << 20};
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!c || !out || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/grants", c->hh_hex);
    if ((ret = porch__call(c, &req)) == PORCH_OK)
        ret = porch__json_grant_list(req.resp, req.resp_len, out);
    porch__req_done(&req);
    return ret;
}

int porch_client_grant_revoke(porch_client *c, const uint8_t grant_id[16])
{
    struct porch__req req = {.method = "DELETE", .auth = 1};
    char id[33];
    int ret;

    if (!c || !grant_id || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    porch__hex16(id, grant_id);
    snprintf(req.path, sizeof req.path, "/v1/households/%s/grants/%s", c->hh_hex, id);
    ret = porch__call(c, &req);
    porch__req_done(&req);
    return ret;
}

int porch_client_share_get(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                           uint8_t share[PORCH_CLIP_SHARE_BYTES])
{
    struct porch__req req = {.method = "GET", .auth = 1, .max_response = 4096};
    char id[33];
    int ret;

    if (share)
        memset(share, 0, PORCH_CLIP_SHARE_BYTES);
    if (!c || !clip_id || !share || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    porch__hex16(id, clip_id);
    snprintf(req.path, sizeof req.path, "/v1/households/%s/clips/%s/share", c->hh_hex, id);
    if ((ret = porch__call(c, &req)) == PORCH_OK) {
        if (req.resp_len != PORCH_CLIP_SHARE_BYTES)
            ret = PORCH_ERR_BAD_RESPONSE;
        else
            memcpy(share, req.resp, PORCH_CLIP_SHARE_BYTES);
    }
    porch__req_done(&req);
    return ret;
}
