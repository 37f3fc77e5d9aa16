/*
 * route_notices.c: sealed notices (post, page, Server-Sent Events stream).
 *
 * A stream's content reader fills its buffer from the store; with nothing to
 * send it suspends the connection (no thread, no polling) and a new notice
 * for the household resumes it. The `dirty` flag closes the race between
 * "found nothing" and "suspend": both run under sse_lock, as does the wake.
 * Each notice is logged before it is copied into the stream.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/srv.h"
#include "util/hex.h"

struct porch_srv_sse {
    porch_srv_sse *next, *prev;
    porch_srv *srv;
    struct MHD_Connection *conn;
    uint8_t hh[PORCH_SRV_HH], dev[PORCH_SIGN_PK_BYTES];
    uint64_t last_seq;
    char *buf;                 /* pending bytes [pos, len) */
    size_t pos, len;
    int suspended, dirty, keepalive, ended;
};

static char *b64_text(const uint8_t *p, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *t = malloc(cap);

    if (t)
        sodium_bin2base64(t, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    return t;
}

static json_t *notice_json(const porch_srv_notice *n)
{
    char *d = b64_text(n->data, n->len);
    json_t *j = d ? json_pack("{s:I,s:s,s:I,s:s}", "seq", (json_int_t)n->seq, "camera",
                              n->camera, "time_us", (json_int_t)n->time_us, "data", d)
                  : NULL;

    free(d);
    return j;
}

int porch_srv_route_notice_post(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    porch_clip_info info;
    porch_srv_notice n;
    uint32_t nrec = 0, bad = 0;
    uint64_t seq = 0;
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_NOTICE_POST))
        return porch_srv_error(r, 403, "forbidden", "only a hub posts notices");
    if ((ret = porch_clip_header_parse(&info, r->body, r->body_len)) != PORCH_OK ||
        (ret = porch_clip_header_check_roster(r->body, r->body_len, r->roster)) != PORCH_OK ||
        (ret = porch_clip_check_framing(r->body, r->body_len, &nrec, &bad)) != PORCH_OK)
        return porch_srv_fail(r, ret);
    if (memcmp(info.household, r->hh, PORCH_SRV_HH) || nrec != 1 ||
        memcmp(info.hub_sign_pk, r->dev, PORCH_SIGN_PK_BYTES))
        return porch_srv_error(r, 422, "PORCH_ERR_MALFORMED", "not a notice of this household by this hub");
    if (!porch_authz_allows(r->me, PORCH_AUTHZ_NOTICE_POST, info.camera))
        return porch_srv_error(r, 403, "forbidden", "hub not in scope for this camera");
    memset(&n, 0, sizeof n);
    snprintf(n.camera, sizeof n.camera, "%s", info.camera);
    n.time_us = info.start_us;
    memcpy(n.clip, info.clip_id, PORCH_SRV_CLIP);
    n.data = r->body;
    n.len = r->body_len;
    /* Idempotent by notice id: a hub that cannot tell whether its post
     * arrived (crash, timeout) posts the same bytes again and gets 200. */
    ret = s->meta->ops->notice_put(s->meta, r->hh, &n, &seq);
    if (ret == PORCH_ERR_EXISTS)
        return porch_srv_json(r, 200, json_pack("{s:I}", "seq", (json_int_t)seq));
    if (ret == PORCH_ERR_CONFLICT)
        return porch_srv_error(r, 409, "conflict", "another notice has this id");
    if (ret != PORCH_OK)
        return porch_srv_fail(r, ret);
    porch_srv_sse_wake(s, r->hh);
    return porch_srv_json(r, 201, json_pack("{s:I}", "seq", (json_int_t)seq));
}

/* Fetches visible notices after `after`, logging each; *last is the last seq seen. */
static int fetch_visible(porch_srv *s, const uint8_t *hh, const uint8_t *dev,
                         const porch_member *me, uint64_t after, size_t cap, json_t *arr,
                         uint64_t *last, size_t *rows)
{
    porch_srv_notice *ns = calloc(cap, sizeof *ns);
    porch_srv_req fake;
    size_t n = 0;
    int ret;

    *last = after;
    *rows = 0;
    if (!ns)
        return PORCH_ERR_NOMEM;
    memset(&fake, 0, sizeof fake);
    fake.srv = s;
    memcpy(fake.hh, hh, PORCH_SRV_HH);
    memcpy(fake.dev, dev, PORCH_SIGN_PK_BYTES);
    ret = s->meta->ops->notice_list(s->meta, hh, after, ns, cap, &n);
    for (size_t i = 0; i < n; i++) {
        if (ret == PORCH_OK && porch_authz_allows(me, PORCH_AUTHZ_NOTICE_READ, ns[i].camera) &&
            (ret = porch_srv_log_read(&fake, PORCH_LOG_KIND_NOTICE, ns[i].clip)) == PORCH_OK)
            json_array_append_new(arr, notice_json(&ns[i]));
        if (ret == PORCH_OK)
            *last = ns[i].seq;
        free(ns[i].data);
    }
    *rows = n;
    free(ns);
    return ret;
}

int porch_srv_route_notice_list(porch_srv_req *r)
{
    static const char *const allowed[] = { "after", "limit", NULL };
    porch_srv_args a;
    uint64_t after, lim, last = 0;
    size_t rows = 0;
    json_t *arr;
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_NOTICE_READ))
        return porch_srv_error(r, 403, "forbidden", "role may not read notices");
    if (porch_srv_args_of(r, &a) != PORCH_OK || porch_srv_args_only(&a, allowed) != PORCH_OK ||
        porch_srv_args_u64(&a, "after", UINT64_MAX >> 1, 0, &after) != PORCH_OK ||
        porch_srv_args_u64(&a, "limit", 1000, 100, &lim) != PORCH_OK || lim == 0)
        return porch_srv_error(r, 400, "bad_request", "bad notice query");
    if (!(arr = json_array()))
        return PORCH_ERR_NOMEM;
    if ((ret = fetch_visible(r->srv, r->hh, r->dev, r->me, after, (size_t)lim, arr, &last,
                             &rows)) != PORCH_OK) {
        json_decref(arr);
        return porch_srv_fail(r, ret);
    }
    return porch_srv_json(r, 200, json_pack("{s:o,s:o}", "notices", arr, "next",
                                            rows == lim ? json_integer((json_int_t)last)
                                                        : json_null()));
}

/* Appends SSE events for the visible notices after st->last_seq to st->buf.
 * The roster is re-read so a removed device's stream ends at once. */
static int sse_fill(porch_srv_sse *st)
{
    const porch_roster *roster = NULL;
    const porch_member *me;
    json_t *arr = json_array();
    uint64_t last = st->last_seq;
    size_t rows = 0, i;
    json_t *v;
    int ret;

    if (!arr)
        return PORCH_ERR_NOMEM;
    if ((ret = porch_srv_load_roster(st->srv, st->hh, &roster, NULL)) != PORCH_OK ||
        !(me = porch_roster_find(roster, st->dev)) ||
        !porch_authz_role_may(me, PORCH_AUTHZ_NOTICE_READ)) {
        st->ended = 1;
        goto out;
    }
    ret = fetch_visible(st->srv, st->hh, st->dev, me, st->last_seq, 16, arr, &last, &rows);
    json_array_foreach(arr, i, v) {
        char *d = json_dumps(v, JSON_COMPACT);
        size_t need = d ? strlen(d) + 64 : 0;
        char *nb = d ? realloc(st->buf, st->len + need) : NULL;
        if (!nb) {
            free(d);
            ret = PORCH_ERR_NOMEM;
            break;
        }
        st->buf = nb;
        st->len += (size_t)snprintf(st->buf + st->len, need, "id: %lld\nevent: notice\ndata: %s\n\n",
                                    (long long)json_integer_value(json_object_get(v, "seq")), d);
        free(d);
    }
    st->last_seq = last;
out:
    json_decref(arr);
    porch_srv_roster_release(st->srv, roster);
    return ret;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    porch_srv_sse *st = cls;
    porch_srv *s = st->srv;

    (void)pos;
    for (;;) {
        if (st->pos < st->len) {
            size_t n = st->len - st->pos < max ? st->len - st->pos : max;
            memcpy(buf, st->buf + st->pos, n);
            st->pos += n;
            if (st->pos == st->len)
                st->pos = st->len = 0;
            return (ssize_t)n;
        }
        if (st->ended || s->stopping)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (sse_fill(st) != PORCH_OK)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (st->len)
            continue;
        pthread_mutex_lock(&s->sse_lock);
        if (st->keepalive) {
            st->keepalive = 0;
            pthread_mutex_unlock(&s->sse_lock);
            static const char ka[] = ": keepalive\n\n";
            memcpy(buf, ka, sizeof ka - 1 < max ? sizeof ka - 1 : max);
            return (ssize_t)(sizeof ka - 1 < max ? sizeof ka - 1 : max);
        }
        if (st->dirty || s->stopping) {
            st->dirty = 0;
            pthread_mutex_unlock(&s->sse_lock);
            continue;
        }
        st->suspended = 1;
        MHD_suspend_connection(st->conn);
        pthread_mutex_unlock(&s->sse_lock);
        return 0;
    }
}

static void sse_free(void *cls)
{
    porch_srv_sse *st = cls;
    porch_srv *s = st->srv;

    pthread_mutex_lock(&s->sse_lock);
    if (st->prev)
        st->prev->next = st->next;
    else
        s->sse_head = st->next;
    if (st->next)
        st->next->prev = st->prev;
    pthread_mutex_unlock(&s->sse_lock);
    free(st->buf);
    free(st);
}

/* Resumes every suspended stream of hh (NULL: all), marking them dirty.
 * keepalive: also ask each for a comment line. */
static void sse_kick(porch_srv *s, const uint8_t *hh, int keepalive)
{
    pthread_mutex_lock(&s->sse_lock);
    for (porch_srv_sse *st = s->sse_head; st; st = st->next) {
        if (hh && memcmp(st->hh, hh, PORCH_SRV_HH))
            continue;
        st->dirty = 1;
        if (keepalive)
            st->keepalive = 1;
        if (st->suspended) {
            st->suspended = 0;
            MHD_resume_connection(st->conn);
        }
    }
    pthread_mutex_unlock(&s->sse_lock);
}

void porch_srv_sse_wake(porch_srv *s, const uint8_t hh[PORCH_SRV_HH])
{
    sse_kick(s, hh, 0);
}

void porch_srv_sse_keepalive(porch_srv *s);
void porch_srv_sse_keepalive(porch_srv *s)
{
    sse_kick(s, NULL, 1);
}

void porch_srv_sse_stop_all(porch_srv *s)
{
    sse_kick(s, NULL, 0);
}

int porch_srv_route_notice_stream(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    const char *lei;
    struct MHD_Response *resp;
    porch_srv_sse *st;
    uint64_t after = 0;
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_role_may(r->me, PORCH_AUTHZ_NOTICE_READ))
        return porch_srv_error(r, 403, "forbidden", "role may not read notices");
    lei = porch_srv_header(r, "Last-Event-ID");
    if (lei && porch_srv_parse_u64(lei, strlen(lei), UINT64_MAX >> 1, &after) != PORCH_OK)
        return porch_srv_error(r, 400, "bad_request", "Last-Event-ID must be a sequence number");
    if (!(st = calloc(1, sizeof *st)))
        return PORCH_ERR_NOMEM;
    st->srv = s;
    st->conn = r->conn;
    memcpy(st->hh, r->hh, PORCH_SRV_HH);
    memcpy(st->dev, r->dev, PORCH_SIGN_PK_BYTES);
    st->last_seq = after;
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, sse_read, st, sse_free);
    if (!resp) {
        free(st);
        return PORCH_ERR_NOMEM;
    }
    pthread_mutex_lock(&s->sse_lock);
    st->next = s->sse_head;
    if (s->sse_head)
        s->sse_head->prev = st;
    s->sse_head = st;
    pthread_mutex_unlock(&s->sse_lock);
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    return porch_srv_queue(r, 200, resp);
}
