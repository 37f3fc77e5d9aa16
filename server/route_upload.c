/*
 * route_upload.c: resumable, idempotent clip upload (HEAD / PATCH / complete).
 *
 * Durability contract: a 204 to PATCH means the bytes are fsync()ed and the
 * new offset is committed in the metadata store. The partial file may hold
 * more bytes than the stored offset after a crash; they were never
 * acknowledged and the next PATCH truncates them. Nothing of a clip is listed
 * or served until complete has checked it and committed blob and row.
 */
#include <errno.h>
#include <nettle/sha2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "server/srv.h"
#include "util/hex.h"

static int offset_reply(porch_srv_req *r, unsigned status, uint64_t off)
{
    char v[24];

    snprintf(v, sizeof v, "%llu", (unsigned long long)off);
    if (status == 409) {
        struct MHD_Response *resp;
        json_t *j = json_pack("{s:s,s:s}", "error", "conflict", "message",
                              "Upload-Offset differs from the stored offset");
        char *t = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        if (!t)
            return PORCH_ERR_NOMEM;
        resp = MHD_create_response_from_buffer(strlen(t), t, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(t);
            return PORCH_ERR_NOMEM;
        }
        MHD_add_response_header(resp, "Content-Type", "application/json");
        MHD_add_response_header(resp, "Upload-Offset", v);
        return porch_srv_queue(r, 409, resp);
    }
    return porch_srv_empty(r, status, "Upload-Offset", v);
}

/* Authenticated hub and a valid clip id (segment 4). */
static int hub_and_clip(porch_srv_req *r, uint8_t clip[PORCH_SRV_CLIP])
{
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret ? ret : PORCH_ERR_INVALID_ARG;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_CLIP_UPLOAD)) {
        porch_srv_error(r, 403, "forbidden", "only a hub uploads clips");
        return PORCH_ERR_INVALID_ARG;
    }
    if (porch_srv_seg_hex(r, 4, clip, PORCH_SRV_CLIP) != PORCH_OK) {
        porch_srv_error(r, 400, "bad_request", "clip id must be 32 hex digits");
        return PORCH_ERR_INVALID_ARG;
    }
    return PORCH_OK;
}

int porch_srv_route_upload_head(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t clip[PORCH_SRV_CLIP];
    porch_srv_upload u;
    porch_srv_clip c;
    struct MHD_Response *resp;
    char v[24];

    if (hub_and_clip(r, clip) != PORCH_OK)
        return PORCH_OK;
    if (s->meta->ops->clip_get(s->meta, r->hh, clip, &c) == PORCH_OK) {
        if (!porch_authz_allows(r->me, PORCH_AUTHZ_CLIP_UPLOAD, c.camera))
            return porch_srv_error(r, 404, "not_found", "no such upload");
        snprintf(v, sizeof v, "%llu", (unsigned long long)c.size);
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (resp) {
            MHD_add_response_header(resp, "Upload-Offset", v);
            MHD_add_response_header(resp, "Upload-Complete", "1");
        }
        return porch_srv_queue(r, 200, resp);
    }
    if (s->meta->ops->upload_get(s->meta, r->hh, clip, &u) != PORCH_OK)
        return offset_reply(r, 200, 0);
    if (memcmp(u.hub_pk, r->dev, PORCH_SIGN_PK_BYTES) != 0)
        return porch_srv_error(r, 404, "not_found", "no such upload");
    return offset_reply(r, 200, u.offset);
}

static int quota_ok(porch_srv *s, const uint8_t *hh, uint64_t more)
{
    uint64_t used = 0;

    if (s->meta->ops->usage(s->meta, hh, &used) != PORCH_OK)
        return 0;
    return used + more <= s->cfg.quota;
}

int porch_srv_route_upload_begin(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    const char *h;
    porch_srv_upload u;
    porch_srv_clip c;
    uint64_t off;
    int ret;

    if (hub_and_clip(r, r->up_clip) != PORCH_OK)
        return PORCH_OK;
    h = porch_srv_header(r, "Upload-Offset");
    if (!h || porch_srv_parse_u64(h, strlen(h), s->cfg.clip_max, &off) != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "Upload-Offset must be a decimal offset");
    if (!r->has_length)
        return porch_srv_error(r, 411, "length_required", "PATCH needs a Content-Length");
    if (s->meta->ops->clip_get(s->meta, r->hh, r->up_clip, &c) == PORCH_OK)
        return porch_srv_error(r, 409, "conflict", "clip already complete");
    ret = s->meta->ops->upload_get(s->meta, r->hh, r->up_clip, &u);
    if (ret == PORCH_ERR_NOT_FOUND)
        u.offset = 0;
    else if (ret != PORCH_OK)
        return porch_srv_fail(r, ret);
    else if (memcmp(u.hub_pk, r->dev, PORCH_SIGN_PK_BYTES) != 0)
        return porch_srv_error(r, 403, "forbidden", "upload belongs to another hub");
    if (off != u.offset)
        return offset_reply(r, 409, u.offset);
    if (off + r->content_length > s->cfg.clip_max)
        return porch_srv_error(r, 413, "too_large", "clip exceeds the size limit");
    if (!quota_ok(s, r->hh, r->content_length))
        return porch_srv_error(r, 413, "quota_exceeded", "household quota exceeded");
    if ((ret = s->blobs->ops->append_open(s->blobs, r->hh, r->up_clip, off, &r->up)) !=
        PORCH_OK)
        return porch_srv_fail(r, ret);
    r->up_off = off;
    r->up_len = r->content_length;
    r->counted_upload = 1;
    porch_srv_metrics_add(&s->metrics, &s->metrics.uploads, 1);
    return PORCH_OK;
}

int porch_srv_route_upload_chunk(porch_srv_req *r)
{
    if (r->up_got + r->chunk_len > r->up_len)
        return PORCH_ERR_TOO_LARGE;
    if (r->srv->blobs->ops->append_write(r->srv->blobs, &r->up, r->chunk, r->chunk_len) !=
        PORCH_OK) {
        r->discard = 1;
        r->err_status = 500;
        r->err_sym = "internal";
        r->err_msg = "could not store the upload";
        return PORCH_OK;
    }
    r->up_got += r->chunk_len;
    return PORCH_OK;
}

static int abort_upload(porch_srv_req *r, const uint8_t *clip, int err)
{
    porch_srv *s = r->srv;

    s->blobs->ops->partial_delete(s->blobs, r->hh, clip);
    s->meta->ops->upload_delete(s->meta, r->hh, clip);
    return porch_srv_fail(r, err);
}

/* Once the partial holds the whole header: signature, household, clip id,
 * signer = this hub, roster check, hub scope. 1 when checked, 0 when more
 * bytes are needed, negative when the header is bad. */
static int check_header(porch_srv_req *r, const uint8_t *clip, uint64_t have,
                        porch_srv_upload *u)
{
    porch_srv *s = r->srv;
    uint8_t buf[PORCH_CLIP_HEADER_MAX];
    size_t n = have < sizeof buf ? (size_t)have : sizeof buf;
    porch_clip_info info;
    int fd, ret;

    if ((ret = s->blobs->ops->partial_open(s->blobs, r->hh, clip, &fd)) != PORCH_OK)
        return ret;
    ret = pread(fd, buf, n, 0) == (ssize_t)n ? PORCH_OK : PORCH_ERR_IO;
    close(fd);
    if (ret != PORCH_OK)
        return ret;
    ret = porch_clip_header_parse(&info, buf, n);
    if (ret == PORCH_ERR_TRUNCATED && n < sizeof buf)
        return 0;
    if (ret == PORCH_OK && (memcmp(info.household, r->hh, PORCH_SRV_HH) ||
                            memcmp(info.clip_id, clip, PORCH_SRV_CLIP)))
        ret = PORCH_ERR_MALFORMED;
    if (ret == PORCH_OK && memcmp(info.hub_sign_pk, r->dev, PORCH_SIGN_PK_BYTES))
        ret = PORCH_ERR_HUB_NOT_ALLOWED;
    if (ret == PORCH_OK)
        ret = porch_clip_header_check_roster(buf, n, r->roster);
    if (ret == PORCH_OK && !porch_authz_allows(r->me, PORCH_AUTHZ_CLIP_UPLOAD, info.camera))
        ret = PORCH_ERR_HUB_NOT_ALLOWED;
    if (ret != PORCH_OK)
        return ret;
    u->header_ok = 1;
    snprintf(u->camera, sizeof u->camera, "%s", info.camera);
    u->start_us = info.start_us;
    return 1;
}

int porch_srv_route_upload_end(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    porch_srv_upload u;
    int ret;

    if (r->up_got != r->up_len) {
        s->blobs->ops->append_abort(s->blobs, &r->up);
        return porch_srv_error(r, 400, "bad_request", "body shorter than Content-Length");
    }
    ret = s->blobs->ops->append_finish(s->blobs, &r->up);   /* closes r->up */
    if (ret != PORCH_OK)
        return porch_srv_fail(r, ret);
    if (s->meta->ops->upload_get(s->meta, r->hh, r->up_clip, &u) != PORCH_OK) {
        memset(&u, 0, sizeof u);
        memcpy(u.hub_pk, r->dev, PORCH_SIGN_PK_BYTES);
    }
    u.offset = r->up_off + r->up_len;
    if (!u.header_ok && u.offset > 0 && (ret = check_header(r, r->up_clip, u.offset, &u)) < 0)
        return abort_upload(r, r->up_clip, ret);
    if ((ret = s->meta->ops->upload_put(s->meta, r->hh, r->up_clip, &u)) != PORCH_OK)
        return porch_srv_fail(r, ret);
    return offset_reply(r, 204, u.offset);
}

/* The whole partial, mapped read-only. */
static int map_partial(porch_srv *s, const uint8_t *hh, const uint8_t *clip, uint64_t len,
                       uint8_t **map)
{
    struct stat st;
    int fd, ret;

    *map = NULL;
    if ((ret = s->blobs->ops->partial_open(s->blobs, hh, clip, &fd)) != PORCH_OK)
        return ret;
    ret = PORCH_ERR_IO;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size >= len && len > 0) {
        void *p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            *map = p;
            ret = PORCH_OK;
        }
    }
    close(fd);
    return ret;
}

/* Record offsets from the clear framing (already checked by check_framing). */
static int index_records(const uint8_t *clip, size_t len, size_t header_len, uint32_t n,
                         uint64_t **off, uint32_t **rlen)
{
    size_t o = header_len;

    *off = calloc(n ? n : 1, sizeof **off);
    *rlen = calloc(n ? n : 1, sizeof **rlen);
    if (!*off || !*rlen)
        return PORCH_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        porch_record_info ri;
        int ret = porch_clip_record_peek(clip + o, len - o, &ri);
        if (ret != PORCH_OK)
            return ret;
        (*off)[i] = o;
        (*rlen)[i] = (uint32_t)ri.record_len;
        o += ri.record_len;
    }
    return o == len ? PORCH_OK : PORCH_ERR_TRAILING_DATA;
}

/* Nettle's SHA-256 uses the CPU's SHA instructions where it has them: about
 * 4x libsodium's portable code here, and the hash of every uploaded byte was
 * the largest single cost of an upload (docs/BENCH.md). */
static void sha256_whole(uint8_t out[32], const uint8_t *p, uint64_t len)
{
    struct sha256_ctx ctx;

    sha256_init(&ctx);
    sha256_update(&ctx, (size_t)len, p);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* Checks the mapped clip and commits blob, then row. */
static int verify_and_commit(porch_srv_req *r, const uint8_t *clip_id, const uint8_t *map,
                             uint64_t len, const uint8_t want_sha[32])
{
    porch_srv *s = r->srv;
    porch_clip_info info;
    porch_srv_clip c;
    uint64_t *off = NULL;
    uint32_t *rlen = NULL, n = 0, bad = 0;
    porch_srv_dirsync pending;
    int ret, dret;

    memset(&c, 0, sizeof c);
    sha256_whole(c.sha256, map, len);
    if (sodium_memcmp(c.sha256, want_sha, 32) != 0)
        return PORCH_ERR_CLIP_HASH;
    if ((ret = porch_clip_header_parse(&info, map, len)) != PORCH_OK ||
        (ret = porch_clip_header_check_roster(map, len, r->roster)) != PORCH_OK ||
        (ret = porch_clip_check_framing(map, len, &n, &bad)) != PORCH_OK ||
        (ret = index_records(map, len, info.header_len, n, &off, &rlen)) != PORCH_OK)
        goto out;
    memcpy(c.household, r->hh, PORCH_SRV_HH);
    memcpy(c.clip, clip_id, PORCH_SRV_CLIP);
    snprintf(c.camera, sizeof c.camera, "%s", info.camera);
    c.start_us = info.start_us;
    c.size = len;
    c.records = n;
    c.header_len = (uint32_t)info.header_len;
    c.uploaded_us = porch_srv_now_us();
    /* The directory's fsync and the row's commit overlap (two device flushes
     * in the time of one); the 201 waits for both. */
    if ((ret = s->blobs->ops->commit(s->blobs, r->hh, clip_id, &pending)) == PORCH_OK) {
        ret = s->meta->ops->clip_commit(s->meta, &c, off, rlen);
        dret = s->blobs->ops->commit_wait(s->blobs, &pending);
        if (ret == PORCH_OK)
            ret = dret;
    }
out:
    free(off);
    free(rlen);
    return ret;
}

static int already_complete(porch_srv_req *r, const porch_srv_clip *c, uint64_t len,
                            const uint8_t sha[32])
{
    char hex[33];

    if (c->size != len || sodium_memcmp(c->sha256, sha, 32) != 0)
        return porch_srv_error(r, 409, "conflict", "clip complete with another hash");
    porch__hex_encode(hex, sizeof hex, c->clip, PORCH_SRV_CLIP);
    return porch_srv_json(r, 200, json_pack("{s:s,s:I,s:I}", "clip", hex, "size",
                                            (json_int_t)c->size, "records",
                                            (json_int_t)c->records));
}

int porch_srv_route_complete(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t clip[PORCH_SRV_CLIP], sha[32], *map = NULL;
    porch_srv_upload u;
    porch_srv_clip c;
    uint64_t len = 0;
    json_t *j = NULL;
    int ret;

    if (hub_and_clip(r, clip) != PORCH_OK)
        return PORCH_OK;
    if ((ret = porch_srv_parse_json(r->body, r->body_len, s->cfg.json_max, &j)) != PORCH_OK ||
        (ret = porch_srv_json_u64(j, "length", &len)) != PORCH_OK ||
        (ret = porch_srv_json_hex(j, "sha256", sha, sizeof sha)) != PORCH_OK)
        goto out;
    if (s->meta->ops->clip_get(s->meta, r->hh, clip, &c) == PORCH_OK) {
        ret = already_complete(r, &c, len, sha);
        goto out;
    }
    if ((ret = s->meta->ops->upload_get(s->meta, r->hh, clip, &u)) != PORCH_OK ||
        memcmp(u.hub_pk, r->dev, PORCH_SIGN_PK_BYTES) != 0) {
        ret = porch_srv_error(r, 404, "not_found", "no such upload");
        goto out;
    }
    if (!u.header_ok || u.offset != len) {
        ret = offset_reply(r, 409, u.offset);
        goto out;
    }
    if ((ret = map_partial(s, r->hh, clip, len, &map)) != PORCH_OK)
        goto out;
    ret = verify_and_commit(r, clip, map, len, sha);
    munmap(map, (size_t)len);
    if (ret == PORCH_OK) {
        char hex[33];
        porch__hex_encode(hex, sizeof hex, clip, PORCH_SRV_CLIP);
        ret = porch_srv_json(r, 201, json_pack("{s:s,s:I}", "clip", hex, "size",
                                               (json_int_t)len));
    } else if (ret != PORCH_ERR_IO && ret != PORCH_ERR_STORE && ret != PORCH_ERR_NOMEM) {
        ret = abort_upload(r, clip, ret);   /* the bytes are bad: start over */
    }
out:
    json_decref(j);
    if (ret < 0 && !r->responded)
        porch_srv_fail(r, ret);
    return PORCH_OK;
}
