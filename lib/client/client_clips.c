/*
 * client_clips.c: clip upload (resumable, docs/SERVER.md "Sealed clips"),
 * listing, fetching and deletion.
 *
 * Upload state lives on the server: the client asks for the offset (HEAD),
 * sends [offset, end) in chunks (PATCH, each 204 durable), and completes with
 * length and SHA-256. A chunk that fails for any reason but a definite
 * refusal is resumed from the offset the server reports, so a cut connection
 * or a server restart costs at most one chunk.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client_internal.h"
#include "porchlight/error.h"
#include "util/hex.h"

#define UPLOAD_RETRIES 5

/* Where the bytes come from: memory or a file descriptor. */
struct source {
    const uint8_t *mem;
    int fd;
    uint64_t len;
    uint8_t *buf;                     /* chunk buffer (files) */
};

static int clip_path(const porch_client *c, struct porch__req *req, const uint8_t *clip,
                     const char *suffix)
{
    char id[33];
    if (!c->have_household || !clip)
        return PORCH_ERR_INVALID_ARG;
    porch__hex16(id, clip);
    snprintf(req->path, sizeof req->path, "/v1/households/%s/clips/%s%s", c->hh_hex, id,
             suffix);
    return PORCH_OK;
}

int porch_client_upload_offset(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                               uint64_t *offset, int *complete)
{
    struct porch__req req = {.method = "HEAD", .auth = 1};
    int ret;

    if (offset)
        *offset = 0;
    if (complete)
        *complete = 0;
    if (!c || !offset || !complete || (ret = clip_path(c, &req, clip_id, "/upload")) != PORCH_OK)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__call(c, &req)) == PORCH_OK) {
        *complete = req.complete;
        *offset = req.upload_offset;
        if (!req.complete && !req.have_offset)
            ret = PORCH_ERR_BAD_RESPONSE;
    }
    porch__req_done(&req);
    return ret;
}

static int source_chunk(struct source *s, uint64_t off, size_t n, const uint8_t **p)
{
    if (s->mem) {
        *p = s->mem + off;
        return PORCH_OK;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(s->fd, s->buf + done, n - done, (off_t)(off + done));
        if (r <= 0)
            return PORCH_ERR_IO;
        done += (size_t)r;
    }
    *p = s->buf;
    return PORCH_OK;
}

/* One PATCH of [off, off + n). *next receives the server's offset after it. */
static int patch_chunk(porch_client *c, const uint8_t *clip, struct source *s, uint64_t off,
                       size_t n, uint64_t *next)
{
    struct porch__req req = {.method = "PATCH", .auth = 1};
    char hdr[64];
    const uint8_t *p;
    int ret;

    if ((ret = clip_path(c, &req, clip, "/upload")) != PORCH_OK ||
        (ret = source_chunk(s, off, n, &p)) != PORCH_OK)
        return ret;
    snprintf(hdr, sizeof hdr, "Upload-Offset: %" PRIu64, off);
    req.header = hdr;
    req.body = p;
    req.body_len = n;
    req.content_type = "application/octet-stream";
    ret = porch__call(c, &req);
    *next = req.have_offset ? req.upload_offset : off + (ret == PORCH_OK ? n : 0);
    if (ret == PORCH_ERR_CONFLICT && req.have_offset)
        ret = PORCH_OK; /* someone (an earlier attempt) got further: continue from there */
    porch__req_done(&req);
    return ret;
}

static int sha256_source(struct source *s, uint8_t out[32])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (uint64_t off = 0; off < s->len;) {
        size_t n = (size_t)(s->len - off < (1u << 20) ? s->len - off : (1u << 20));
        const uint8_t *p;
        if (source_chunk(s, off, n, &p) != PORCH_OK)
            return PORCH_ERR_IO;
        crypto_hash_sha256_update(&st, p, n);
        off += n;
    }
    crypto_hash_sha256_final(&st, out);
    return PORCH_OK;
}

static int complete_upload(porch_client *c, const uint8_t *clip, struct source *s)
{
    struct porch__req req = {.method = "POST", .auth = 1};
    uint8_t sha[32];
    char hex[65], body[160];
    int ret;

    if ((ret = sha256_source(s, sha)) != PORCH_OK ||
        (ret = clip_path(c, &req, clip, "/complete")) != PORCH_OK)
        return ret;
    porch__hex_encode(hex, sizeof hex, sha, 32);
    snprintf(body, sizeof body, "{\"length\":%" PRIu64 ",\"sha256\":\"%s\"}", s->len, hex);
    req.body = (const uint8_t *)body;
    req.body_len = strlen(body);
    req.content_type = "application/json";
    ret = porch__call(c, &req);
    if (ret == PORCH_ERR_CONFLICT)
        ret = PORCH_ERR_UPLOAD_MISMATCH;
    porch__req_done(&req);
    return ret;
}

/* Transport failures and 5xx are worth a retry; refusals are not. */
static int retryable(int err)
{
    return err == PORCH_ERR_HTTP || err == PORCH_ERR_SERVER || err == PORCH_ERR_BAD_RESPONSE;
}

static int send_rest(porch_client *c, const uint8_t *clip, struct source *s)
{
    uint64_t off = 0;
    int complete = 0, ret, failures = 0;

    for (;;) {
        if ((ret = porch_client_upload_offset(c, clip, &off, &complete)) != PORCH_OK) {
            if (retryable(ret) && ++failures < UPLOAD_RETRIES)
                continue;
            return ret;
        }
        if (complete || off > s->len)
            return complete ? PORCH_OK : PORCH_ERR_UPLOAD_MISMATCH;
        while (off < s->len) {
            size_t n = (size_t)(s->len - off < c->chunk_size ? s->len - off : c->chunk_size);
            uint64_t next = off;
            ret = patch_chunk(c, clip, s, off, n, &next);
            if (ret != PORCH_OK)
                break;
            failures = 0;
            off = next;
        }
        if (ret == PORCH_OK && off >= s->len)
            return PORCH_OK;
        if (!retryable(ret) || ++failures >= UPLOAD_RETRIES)
            return ret;
    }
}

static int upload(porch_client *c, const uint8_t *clip, struct source *s)
{
    int ret = send_rest(c, clip, s);
    if (ret == PORCH_OK)
        ret = complete_upload(c, clip, s);
    return ret;
}

int porch_client_upload(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                        const uint8_t *clip, size_t len)
{
    struct source s = {.mem = clip, .fd = -1, .len = len};
    if (!c || !clip_id || !clip || !len)
        return PORCH_ERR_INVALID_ARG;
    return upload(c, clip_id, &s);
}

int porch_client_upload_file(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                             const char *path)
{
    struct source s = {.fd = -1};
    struct stat st;
    int ret = PORCH_ERR_INVALID_ARG;

    if (!c || !clip_id || !path)
        return ret;
    ret = PORCH_ERR_IO;
    if ((s.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(s.fd, &st) != 0 ||
        !S_ISREG(st.st_mode) || st.st_size <= 0)
        goto out;
    s.len = (uint64_t)st.st_size;
    ret = PORCH_ERR_NOMEM;
    if (!(s.buf = malloc(c->chunk_size > (1u << 20) ? c->chunk_size : (1u << 20))))
        goto out;
    ret = upload(c, clip_id, &s);
out:
    free(s.buf);
    if (s.fd >= 0)
        close(s.fd);
    return ret;
}

static void add_param(char *path, size_t cap, const char *name, const char *value)
{
    size_t o = strlen(path);
    snprintf(path + o, cap - o, "%c%s=%s", strchr(path, '?') ? '&' : '?', name, value);
}

int porch_client_clips_list(porch_client *c, const porch_clip_query *q, porch_clip_list *out)
{
    struct porch__req req = {.method = "GET", .auth = 1};
    char num[32], id[33];
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!c || !out || !c->have_household || (q && q->camera && !porch_camera_id_valid(q->camera)))
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/clips", c->hh_hex);
    if (q && q->camera)
        add_param(req.path, sizeof req.path, "camera", q->camera);
    if (q && q->from_us) {
        snprintf(num, sizeof num, "%" PRIu64, q->from_us);
        add_param(req.path, sizeof req.path, "from_us", num);
    }
    if (q && q->to_us) {
        snprintf(num, sizeof num, "%" PRIu64, q->to_us);
        add_param(req.path, sizeof req.path, "to_us", num);
    }
    if (q && q->limit) {
        snprintf(num, sizeof num, "%u", q->limit);
        add_param(req.path, sizeof req.path, "limit", num);
    }
    if (q && q->after) {
        porch__hex16(id, q->after);
        add_param(req.path, sizeof req.path, "after", id);
    }
    if ((ret = porch__call(c, &req)) == PORCH_OK)
        ret = porch__json_clip_list(req.resp, req.resp_len, out);
    porch__req_done(&req);
    return ret;
}

static int get_binary(porch_client *c, struct porch__req *req, uint8_t **out, size_t *out_len)
{
    int ret;
    req->method = "GET";
    req->auth = 1;
    req->max_response = c->max_body;
    if ((ret = porch__call(c, req)) == PORCH_OK) {
        *out = req->resp ? req->resp : calloc(1, 1);
        *out_len = req->resp_len;
        req->resp = NULL;
        if (!*out)
            ret = PORCH_ERR_NOMEM;
    }
    porch__req_done(req);
    return ret;
}

int porch_client_clip_get(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                          uint8_t **out, size_t *out_len)
{
    struct porch__req req = {0};
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!c || !out || !out_len || clip_path(c, &req, clip_id, "") != PORCH_OK)
        return PORCH_ERR_INVALID_ARG;
    return get_binary(c, &req, out, out_len);
}

int porch_client_clip_header(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                             uint8_t **out, size_t *out_len)
{
    struct porch__req req = {0};
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!c || !out || !out_len || clip_path(c, &req, clip_id, "/header") != PORCH_OK)
        return PORCH_ERR_INVALID_ARG;
    return get_binary(c, &req, out, out_len);
}

int porch_client_clip_record(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                             uint32_t index, uint8_t **out, size_t *out_len)
{
    struct porch__req req = {0};
    char suffix[32];
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    snprintf(suffix, sizeof suffix, "/records/%" PRIu32, index);
    if (!c || !out || !out_len || clip_path(c, &req, clip_id, suffix) != PORCH_OK)
        return PORCH_ERR_INVALID_ARG;
    return get_binary(c, &req, out, out_len);
}

int porch_client_clip_delete(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES])
{
    struct porch__req req = {.method = "DELETE", .auth = 1};
    int ret;
    if (!c || clip_path(c, &req, clip_id, "") != PORCH_OK)
        return PORCH_ERR_INVALID_ARG;
    ret = porch__call(c, &req);
    porch__req_done(&req);
    return ret;
}
