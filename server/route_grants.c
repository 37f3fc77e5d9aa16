/*
 * route_grants.c: support grants and their shares.
 *
 * A grant (signed by an admin) names a support device, a scope and an
 * expiry; its shares re-wrap individual clips' content keys for that device.
 * The server checks every share against the grant and against the clip's
 * actual header (hash), stores them, hands a share only to the grant's own
 * support device while the grant is live, and deletes the shares when the
 * grant is revoked or expires (sweeper). A support device sees exactly the
 * clips a live grant of its own covers.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/grant.h"
#include "server/srv.h"
#include "util/hex.h"

#define GRANT_REQ_MAX (4u << 20)
#define MAX_SHARES 4096u

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

/* The header of a stored clip, parsed (for its header hash and public fields). */
static int clip_info_of(porch_srv *s, const uint8_t *hh, const porch_srv_clip *c,
                        porch_clip_info *info)
{
    uint8_t buf[PORCH_CLIP_HEADER_MAX];
    uint64_t size = 0;
    int fd, ret;

    if (c->header_len > sizeof buf)
        return PORCH_ERR_STORE;
    if ((ret = s->blobs->ops->open(s->blobs, hh, c->clip, &fd, &size)) != PORCH_OK)
        return ret;
    ret = pread(fd, buf, c->header_len, 0) == (ssize_t)c->header_len ? PORCH_OK : PORCH_ERR_IO;
    close(fd);
    return ret == PORCH_OK ? porch_clip_header_parse(info, buf, c->header_len) : ret;
}

/* One share: signature, roster, belongs to g, for a stored clip g covers. */
static int check_share(porch_srv_req *r, const porch_grant *g, const uint8_t *b, size_t n,
                       porch_srv_share *out)
{
    porch_clip_share_info si;
    porch_clip_info ci;
    porch_srv_clip c;
    int ret;

    if ((ret = porch_clip_share_parse(&si, b, n)) != PORCH_OK ||
        (ret = porch_clip_share_check_roster(b, n, r->roster)) != PORCH_OK ||
        (ret = porch_grant_check_share(g, &si)) != PORCH_OK)
        return ret;
    if (r->srv->meta->ops->clip_get(r->srv->meta, r->hh, si.clip_id, &c) != PORCH_OK)
        return PORCH_ERR_SHARE_MISMATCH;
    if ((ret = clip_info_of(r->srv, r->hh, &c, &ci)) != PORCH_OK)
        return ret;
    if (memcmp(ci.header_hash, si.header_hash, PORCH_HASH_BYTES) || !porch_grant_covers(g, &ci))
        return PORCH_ERR_GRANT_SCOPE;
    memcpy(out->clip, si.clip_id, PORCH_SRV_CLIP);
    out->data = b;
    out->len = n;
    return PORCH_OK;
}

struct post_state {
    json_t *j;
    porch_grant *g;
    uint8_t *gbytes, **sb;
    size_t glen, n;
    porch_srv_share *shares;
};

static void post_free(struct post_state *p)
{
    for (size_t i = 0; p->sb && i < p->n; i++)
        free(p->sb[i]);
    free(p->sb);
    free(p->shares);
    free(p->gbytes);
    porch_grant_free(p->g);
    json_decref(p->j);
}

static int post_parse(porch_srv_req *r, struct post_state *p)
{
    const json_t *arr;
    size_t i;
    int ret;

    if ((ret = porch_srv_parse_json(r->body, r->body_len, GRANT_REQ_MAX, &p->j)) != PORCH_OK ||
        (ret = porch_srv_json_b64(p->j, "grant", PORCH_GRANT_MAX_BYTES, &p->gbytes, &p->glen)) !=
            PORCH_OK)
        return ret;
    arr = json_object_get(p->j, "shares");
    if (arr && (!json_is_array(arr) || json_array_size(arr) > MAX_SHARES))
        return PORCH_ERR_BAD_REQUEST;
    p->n = arr ? json_array_size(arr) : 0;
    p->sb = calloc(p->n + 1, sizeof *p->sb);
    p->shares = calloc(p->n + 1, sizeof *p->shares);
    if (!p->sb || !p->shares)
        return PORCH_ERR_NOMEM;
    for (i = 0; i < p->n; i++) {
        json_t *wrap = json_pack("{s:O}", "s", json_array_get(arr, i));
        size_t len = 0;
        ret = wrap ? porch_srv_json_b64(wrap, "s", PORCH_CLIP_SHARE_BYTES, &p->sb[i], &len)
                   : PORCH_ERR_NOMEM;
        json_decref(wrap);
        if (ret != PORCH_OK)
            return ret;
        p->shares[i].len = len;
    }
    return porch_grant_parse(&p->g, p->gbytes, p->glen);
}

int porch_srv_route_grant_post(porch_srv_req *r)
{
    struct post_state p;
    porch_srv_grant row;
    char hex[33];
    int ret;

    memset(&p, 0, sizeof p);
    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_GRANT_WRITE))
        return porch_srv_error(r, 403, "forbidden", "only an admin grants support access");
    if ((ret = post_parse(r, &p)) != PORCH_OK)
        goto out;
    if (memcmp(p.g->household, r->hh, PORCH_SRV_HH) != 0) {
        ret = PORCH_ERR_ROSTER_HOUSEHOLD;
        goto out;
    }
    if ((ret = porch_grant_check_roster(p.g, r->roster)) != PORCH_OK ||
        (ret = porch_grant_check_time(p.g, porch_srv_now_us())) != PORCH_OK)
        goto out;
    for (size_t i = 0; i < p.n && ret == PORCH_OK; i++)
        ret = check_share(r, p.g, p.sb[i], p.shares[i].len, &p.shares[i]);
    if (ret != PORCH_OK)
        goto out;
    memset(&row, 0, sizeof row);
    memcpy(row.grant, p.g->grant_id, 16);
    memcpy(row.support_pk, p.g->support_sign_pk, PORCH_SIGN_PK_BYTES);
    row.expires_us = p.g->expires_us;
    row.data = p.gbytes;
    row.len = p.glen;
    ret = r->srv->meta->ops->grant_put(r->srv->meta, r->hh, &row, p.shares, p.n);
    if (ret == PORCH_OK) {
        porch__hex_encode(hex, sizeof hex, row.grant, 16);
        ret = porch_srv_json(r, 201, json_pack("{s:s}", "grant", hex));
    }
out:
    if (ret != PORCH_OK && !r->responded)
        porch_srv_fail(r, ret);
    post_free(&p);
    return PORCH_OK;
}

struct list_ctx {
    porch_srv_req *r;
    json_t *arr;
    int err;
};

static int list_one(void *ctx, const porch_srv_grant *g)
{
    struct list_ctx *l = ctx;
    char gid[33], pk[65];

    if ((l->err = porch_srv_log_read(l->r, PORCH_LOG_KIND_GRANT, g->grant)) != PORCH_OK)
        return l->err;
    porch__hex_encode(gid, sizeof gid, g->grant, 16);
    porch__hex_encode(pk, sizeof pk, g->support_pk, 32);
    json_array_append_new(l->arr, json_pack("{s:s,s:s,s:I,s:b,s:I,s:o}", "grant", gid, "support",
                                            pk, "expires_us", (json_int_t)g->expires_us,
                                            "revoked", g->revoked, "clips",
                                            (json_int_t)g->n_shares, "data",
                                            b64(g->data, g->len)));
    return 0;
}

int porch_srv_route_grant_list(porch_srv_req *r)
{
    struct list_ctx l = { r, NULL, PORCH_OK };
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_GRANT_READ))
        return porch_srv_error(r, 403, "forbidden", "role may not read grants");
    if (!(l.arr = json_array()))
        return PORCH_ERR_NOMEM;
    ret = r->srv->meta->ops->grant_list(r->srv->meta, r->hh,
                                        r->me->role == PORCH_ROLE_SUPPORT ? r->dev : NULL,
                                        list_one, &l);
    if (ret != PORCH_OK) {
        json_decref(l.arr);
        return porch_srv_fail(r, ret);
    }
    return porch_srv_json(r, 200, json_pack("{s:o}", "grants", l.arr));
}

int porch_srv_route_grant_delete(porch_srv_req *r)
{
    uint8_t g[16];
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_GRANT_WRITE))
        return porch_srv_error(r, 403, "forbidden", "only an admin revokes grants");
    if (porch_srv_seg_hex(r, 4, g, sizeof g) != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "grant id must be 32 hex digits");
    if ((ret = r->srv->meta->ops->grant_revoke(r->srv->meta, r->hh, g)) != PORCH_OK)
        return porch_srv_fail(r, ret);
    return porch_srv_empty(r, 204, NULL, NULL);
}

int porch_srv_route_share_get(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t clip[PORCH_SRV_CLIP], g[16], *data = NULL;
    size_t len = 0;
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_SHARE_READ))
        return porch_srv_error(r, 403, "forbidden", "only a support device fetches shares");
    if (porch_srv_seg_hex(r, 4, clip, sizeof clip) != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "clip id must be 32 hex digits");
    ret = s->meta->ops->share_get(s->meta, r->hh, clip, r->dev, porch_srv_now_us(), g, &data,
                                  &len);
    if (ret == PORCH_ERR_NOT_FOUND)
        return porch_srv_error(r, 404, "not_found", "no share under a live grant");
    if (ret == PORCH_OK && (ret = porch_srv_log_read(r, PORCH_LOG_KIND_GRANT, g)) == PORCH_OK)
        ret = porch_srv_bytes(r, 200, data, len, "application/octet-stream");
    free(data);
    return ret;
}

/* ---- support visibility ---- */

struct cover_ctx {
    porch_srv_req *r;
    const porch_clip_info *ci;
    uint64_t now;
    int covered;
};

static int cover_one(void *ctx, const porch_srv_grant *g)
{
    struct cover_ctx *c = ctx;
    porch_grant *pg = NULL;

    if (g->revoked || g->expires_us <= c->now)
        return 0;
    if (porch_grant_parse(&pg, g->data, g->len) == PORCH_OK &&
        porch_grant_check_time(pg, c->now) == PORCH_OK && porch_grant_covers(pg, c->ci))
        c->covered = 1;
    porch_grant_free(pg);
    return c->covered;   /* stop at the first live grant that covers it */
}

int porch_srv_clip_visible(porch_srv_req *r, const porch_srv_clip *c, porch_authz_action act)
{
    porch_clip_info ci;
    struct cover_ctx cc = { r, &ci, porch_srv_now_us(), 0 };

    if (!r->me || r->me->role != PORCH_ROLE_SUPPORT || act != PORCH_AUTHZ_CLIP_READ)
        return porch_authz_allows(r->me, act, c->camera);
    memset(&ci, 0, sizeof ci);
    memcpy(ci.household, c->household, PORCH_SRV_HH);
    memcpy(ci.clip_id, c->clip, PORCH_SRV_CLIP);
    memcpy(ci.camera, c->camera, sizeof ci.camera);
    ci.start_us = c->start_us;
    r->srv->meta->ops->grant_list(r->srv->meta, r->hh, r->dev, cover_one, &cc);
    return cc.covered;
}
