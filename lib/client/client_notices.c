/*
 * client_notices.c: posting, listing and following sealed notices
 * (docs/SERVER.md, "Sealed notices").
 *
 * The stream is Server-Sent Events: lines "field: value", events ended by a
 * blank line, comments (":") ignored. Lines are bounded
 * (PORCH_CLIENT_SSE_LINE_MAX); a longer line ends the stream with
 * PORCH_ERR_BAD_RESPONSE. The callback may stop the stream, which is then a
 * success.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "porchlight/error.h"

int porch_client_notice_post(porch_client *c, const uint8_t *notice, size_t len, uint64_t *seq)
{
    struct porch__req req = {.method = "POST", .auth = 1};
    uint64_t s = 0;
    int ret;

    if (seq)
        *seq = 0;
    if (!c || !notice || !len || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/notices", c->hh_hex);
    req.body = notice;
    req.body_len = len;
    req.content_type = "application/octet-stream";
    if ((ret = porch__call(c, &req)) == PORCH_OK &&
        (ret = porch__json_seq(req.resp, req.resp_len, &s)) == PORCH_OK && seq)
        *seq = s;
    porch__req_done(&req);
    return ret;
}

int porch_client_notices_list(porch_client *c, uint64_t after, unsigned limit,
                              porch_notice_list *out)
{
    struct porch__req req = {.method = "GET", .auth = 1};
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!c || !out || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    snprintf(req.path, sizeof req.path, "/v1/households/%s/notices?after=%" PRIu64, c->hh_hex,
             after);
    if (limit) {
        strncat(req.path, "&limit=", sizeof req.path - strlen(req.path) - 1);
        snprintf(req.path + strlen(req.path), sizeof req.path - strlen(req.path), "%u", limit);
    }
    if ((ret = porch__call(c, &req)) == PORCH_OK)
        ret = porch__json_notice_list(req.resp, req.resp_len, out);
    porch__req_done(&req);
    return ret;
}

struct sse {
    porch_notice_fn fn;
    void *ctx;
    char *line;                       /* current line, PORCH_CLIENT_SSE_LINE_MAX + 1 */
    size_t line_len;
    char *data;                       /* the event's data field */
    size_t data_len;
    int is_notice;
    int stopped, err;
    long status;
};

static int dispatch(struct sse *s)
{
    porch_notice_item n = {0};
    int ret = PORCH_OK;
    if (s->is_notice && s->data_len) {
        if ((ret = porch__json_notice((const uint8_t *)s->data, s->data_len, &n)) == PORCH_OK) {
            if (s->fn(s->ctx, &n))
                s->stopped = 1;
            free(n.data);
        }
    }
    s->data_len = 0;
    s->is_notice = 0;
    return ret;
}

/* One complete line (without its newline). */
static int take_line(struct sse *s)
{
    char *l = s->line, *v;
    size_t len = s->line_len;
    if (len && l[len - 1] == '\r')
        l[--len] = '\0';
    if (len == 0)
        return dispatch(s);
    if (l[0] == ':')
        return PORCH_OK;
    v = strchr(l, ':');
    v = v ? v + 1 + (v[1] == ' ') : l + len;
    size_t vlen = (size_t)(l + len - v);
    if (strncmp(l, "event:", 6) == 0)
        s->is_notice = strcmp(v, "notice") == 0;
    else if (strncmp(l, "data:", 5) == 0) {
        if (s->data_len + vlen + 1 > PORCH_CLIENT_SSE_LINE_MAX)
            return PORCH_ERR_BAD_RESPONSE;
        if (s->data_len)
            s->data[s->data_len++] = '\n';
        memcpy(s->data + s->data_len, v, vlen);
        s->data_len += vlen;
    }
    return PORCH_OK; /* "id:" is in the JSON too (seq); "retry:" is ignored */
}

static size_t on_stream(char *p, size_t size, size_t n, void *ctx)
{
    struct sse *s = ctx;
    size_t len = size * n;
    for (size_t i = 0; i < len && !s->stopped; i++) {
        if (p[i] != '\n') {
            if (s->line_len >= PORCH_CLIENT_SSE_LINE_MAX) {
                s->err = PORCH_ERR_BAD_RESPONSE;
                return 0;
            }
            s->line[s->line_len++] = p[i];
            continue;
        }
        s->line[s->line_len] = '\0';
        int ret = take_line(s);
        s->line_len = 0;
        if (ret != PORCH_OK) {
            s->err = ret;
            return 0;
        }
    }
    return s->stopped ? 0 : len;
}

static int stream_once(porch_client *c, uint64_t last_id, struct sse *s)
{
    char url[1024], line[TOKEN_MAX + 32], idh[64];
    struct curl_slist *h = NULL, *t;
    CURL *k = c->curl;
    CURLcode cr;
    int ret = PORCH_ERR_NOMEM;

    snprintf(url, sizeof url, "%s/v1/households/%s/notices/stream", c->base_url, c->hh_hex);
    snprintf(line, sizeof line, "Authorization: Bearer %s", c->token);
    snprintf(idh, sizeof idh, "Last-Event-ID: %" PRIu64, last_id);
    if (!(t = curl_slist_append(h, line)) || !(h = t) || !(t = curl_slist_append(h, idh)) ||
        !(h = t) || !(t = curl_slist_append(h, "Accept: text/event-stream")) || !(h = t))
        goto out;
    curl_easy_reset(k);
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    /* No total timeout; keepalives arrive every 15 s, so 60 s of silence is a dead link. */
    curl_easy_setopt(k, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(k, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "http,https");
    if (c->ca_file)
        curl_easy_setopt(k, CURLOPT_CAINFO, c->ca_file);
    porch__transport_error_setup(c, k);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_stream);
    curl_easy_setopt(k, CURLOPT_WRITEDATA, s);
    cr = curl_easy_perform(k);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, NULL);
    curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &s->status);
    c->last_status = s->status;
    if (s->stopped)
        ret = PORCH_OK;
    else if (s->err)
        ret = s->err;
    else if (porch__status_error(s->status) != PORCH_OK)
        ret = porch__status_error(s->status);
    else if (cr != CURLE_OK)
        ret = porch__transport_failed(c, cr);
    else
        ret = PORCH_ERR_HTTP; /* the server ended the stream */
out:
    sodium_memzero(line, sizeof line);
    for (struct curl_slist *i = h; i; i = i->next)
        sodium_memzero(i->data, strlen(i->data));
    curl_slist_free_all(h);
    return ret;
}

int porch_client_notices_follow(porch_client *c, uint64_t last_event_id, porch_notice_fn fn,
                                void *ctx)
{
    struct sse s = {.fn = fn, .ctx = ctx};
    int ret;

    if (!c || !fn || !c->have_household)
        return PORCH_ERR_INVALID_ARG;
    if (!c->token && (ret = porch_client_login(c, NULL)) != PORCH_OK)
        return ret;
    ret = PORCH_ERR_NOMEM;
    if (!(s.line = malloc(PORCH_CLIENT_SSE_LINE_MAX + 1)) ||
        !(s.data = malloc(PORCH_CLIENT_SSE_LINE_MAX + 1)))
        goto out;
    ret = stream_once(c, last_event_id, &s);
    if (ret == PORCH_ERR_UNAUTHORIZED && (ret = porch_client_login(c, NULL)) == PORCH_OK) {
        s.line_len = s.data_len = 0;
        s.err = 0;
        ret = stream_once(c, last_event_id, &s);
    }
out:
    free(s.line);
    free(s.data);
    return ret;
}
