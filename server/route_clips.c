/*
 * route_clips.c: listing, download (whole, Range, one record, header) and
 * crypto-shredding deletion. Every download appends its access-log entry and
 * commits it before the response (and so the first byte) is queued. A clip
 * the caller may not see is 404, the same as a clip that does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "server/srv.h"
#include "util/hex.h"

struct list_ctx {
    porch_srv_req *r;
    json_t *arr;
    unsigned rows;
    uint8_t last[PORCH_SRV_CLIP];
};

static int list_one(void *ctx, const porch_srv_clip *c)
{
    struct list_ctx *l = ctx;
    char id[33], sha[65];

    l->rows++;
    memcpy(l->last, c->clip, PORCH_SRV_CLIP);
    if (!porch_srv_clip_visible(l->r, c, PORCH_AUTHZ_CLIP_READ))
        return 0;   /* scope filter: invisible, not an error */
    porch__hex_encode(id, sizeof id, c->clip, PORCH_SRV_CLIP);
    porch__hex_encode(sha, sizeof sha, c->sha256, 32);
    json_array_append_new(l->arr, json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:I}", "clip", id,
                                            "camera", c->camera, "start_us",
                                            (json_int_t)c->start_us, "size", (json_int_t)c->size,
                                            "records", (json_int_t)c->records, "sha256", sha,
                                            "uploaded_us", (json_int_t)c->uploaded_us));
    return 0;
}

static int list_query(porch_srv_req *r, porch_srv_clip_query *q, uint8_t after[PORCH_SRV_CLIP])
{
    static const char *const allowed[] = { "camera", "from_us", "to_us", "limit", "after", NULL };
    porch_srv_args a;
    uint64_t lim;
    const char *v;
    porch_srv_clip c;

    memset(q, 0, sizeof *q);
    if (porch_srv_args_of(r, &a) != PORCH_OK || porch_srv_args_only(&a, allowed) != PORCH_OK ||
        porch_srv_args_u64(&a, "from_us", UINT64_MAX >> 1, 0, &q->from_us) != PORCH_OK ||
        porch_srv_args_u64(&a, "to_us", UINT64_MAX >> 1, 0, &q->to_us) != PORCH_OK ||
        porch_srv_args_u64(&a, "limit", 1000, 100, &lim) != PORCH_OK || lim == 0)
        return PORCH_ERR_BAD_REQUEST;
    q->limit = (unsigned)lim;
    if ((v = porch_srv_args_get(&a, "camera"))) {
        if (!porch_camera_id_valid(v))
            return PORCH_ERR_BAD_REQUEST;
        q->camera = porch_srv_args_get(&a, "camera");
    }
    if ((v = porch_srv_args_get(&a, "after"))) {
        if (porch_srv_parse_hex(v, strlen(v), after, PORCH_SRV_CLIP) != PORCH_OK ||
            r->srv->meta->ops->clip_get(r->srv->meta, r->hh, after, &c) != PORCH_OK)
            return PORCH_ERR_BAD_REQUEST;
        q->after = after;
        q->after_start_us = c.start_us;
    }
    return PORCH_OK;
}

int porch_srv_route_clip_list(porch_srv_req *r)
{
    porch_srv_clip_query q;
    uint8_t after[PORCH_SRV_CLIP];
    struct list_ctx l = { r, NULL, 0, { 0 } };
    char next[33];
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_allows(r->me, PORCH_AUTHZ_CLIP_LIST, NULL))
        return porch_srv_error(r, 403, "forbidden", "role may not list clips");
    if (list_query(r, &q, after) != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "bad listing query");
    if (!(l.arr = json_array()))
        return PORCH_ERR_NOMEM;
    ret = r->srv->meta->ops->clip_list(r->srv->meta, r->hh, &q, list_one, &l);
    if (ret != PORCH_OK) {
        json_decref(l.arr);
        return ret;
    }
    porch__hex_encode(next, sizeof next, l.last, PORCH_SRV_CLIP);
    return porch_srv_json(r, 200, json_pack("{s:o,s:o}", "clips", l.arr, "next",
                                            l.rows == q.limit ? json_string(next) : json_null()));
}

/* Authenticated, clip id from segment 4, row loaded, caller may read it. */
static int readable_clip(porch_srv_req *r, porch_srv_clip *c, porch_authz_action act)
{
    uint8_t clip[PORCH_SRV_CLIP];
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret ? ret : PORCH_ERR_INVALID_ARG;
    if (!porch_authz_role_may(r->me, act)) {
        porch_srv_error(r, 403, "forbidden", "role may not do this");
        return PORCH_ERR_INVALID_ARG;
    }
    if (porch_srv_seg_hex(r, 4, clip, PORCH_SRV_CLIP) != PORCH_OK) {
        porch_srv_error(r, 400, "bad_request", "clip id must be 32 hex digits");
        return PORCH_ERR_INVALID_ARG;
    }
    ret = r->srv->meta->ops->clip_get(r->srv->meta, r->hh, clip, c);
    if (ret != PORCH_OK && ret != PORCH_ERR_NOT_FOUND) {
        porch_srv_fail(r, ret);
        return ret;
    }
    if (ret == PORCH_ERR_NOT_FOUND || !porch_srv_clip_visible(r, c, act)) {
        porch_srv_error(r, 404, "not_found", "no such clip");
        return PORCH_ERR_NOT_FOUND;
    }
    return PORCH_OK;
}

/* Logs, then serves [off, off+len) of the blob. */
static int serve(porch_srv_req *r, const porch_srv_clip *c, porch_log_kind kind,
                 unsigned status, uint64_t off, uint64_t len, int ranged)
{
    uint64_t size = 0;
    int fd, ret;

    if ((ret = r->srv->blobs->ops->open(r->srv->blobs, r->hh, c->clip, &fd, &size)) != PORCH_OK)
        return porch_srv_fail(r, ret);
    if (size != c->size || off + len > size) {
        close(fd);
        return porch_srv_fail(r, PORCH_ERR_STORE);
    }
    if ((ret = porch_srv_log_read(r, kind, c->clip)) != PORCH_OK) {
        close(fd);
        return porch_srv_fail(r, ret);
    }
    return porch_srv_fd(r, status, fd, off, len, size, ranged);
}

int porch_srv_route_clip_get(porch_srv_req *r)
{
    porch_srv_clip c;
    const char *range;
    uint64_t a = 0, b = 0;
    int ret;

    if (readable_clip(r, &c, PORCH_AUTHZ_CLIP_READ) != PORCH_OK)
        return PORCH_OK;
    range = porch_srv_header(r, "Range");
    if (!range)
        return serve(r, &c, PORCH_LOG_KIND_CLIP, 200, 0, c.size, 0);
    ret = porch_srv_parse_range(range, strlen(range), c.size, &a, &b);
    if (ret == PORCH_ERR_TOO_LARGE) {
        char cr[48];
        snprintf(cr, sizeof cr, "bytes */%llu", (unsigned long long)c.size);
        return porch_srv_empty(r, 416, "Content-Range", cr);
    }
    if (ret != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "Range must be one bytes=a-b range");
    return serve(r, &c, PORCH_LOG_KIND_CLIP, 206, a, b - a + 1, 1);
}

int porch_srv_route_clip_header(porch_srv_req *r)
{
    porch_srv_clip c;

    if (readable_clip(r, &c, PORCH_AUTHZ_CLIP_READ) != PORCH_OK)
        return PORCH_OK;
    return serve(r, &c, PORCH_LOG_KIND_FRAGMENT, 200, 0, c.header_len, 0);
}

int porch_srv_route_clip_record(porch_srv_req *r)
{
    porch_srv_clip c;
    uint64_t idx, off = 0;
    uint32_t len = 0;

    if (readable_clip(r, &c, PORCH_AUTHZ_CLIP_READ) != PORCH_OK)
        return PORCH_OK;
    if (porch_srv_parse_u64(r->seg[6], strlen(r->seg[6]), UINT32_MAX, &idx) != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "record index must be decimal");
    if (r->srv->meta->ops->clip_record(r->srv->meta, r->hh, c.clip, (uint32_t)idx, &off, &len) !=
        PORCH_OK)
        return porch_srv_error(r, 404, "not_found", "no such record");
    return serve(r, &c, PORCH_LOG_KIND_FRAGMENT, 200, off, len, 0);
}

int porch_srv_route_clip_delete(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    porch_srv_clip c;
    int ret;

    if (readable_clip(r, &c, PORCH_AUTHZ_CLIP_DELETE) != PORCH_OK)
        return PORCH_OK;
    /* Wraps first: once the header is random, no share or copy of the
     * database can recover the content key; then the name and the row. */
    ret = s->blobs->ops->shred(s->blobs, r->hh, c.clip, c.header_len);
    if (ret != PORCH_OK && ret != PORCH_ERR_NOT_FOUND)
        return porch_srv_fail(r, ret);
    if ((ret = s->meta->ops->clip_delete(s->meta, r->hh, c.clip)) != PORCH_OK)
        return porch_srv_fail(r, ret);
    return porch_srv_empty(r, 204, NULL, NULL);
}
