/*
 * http.c: the libmicrohttpd daemon, request accumulation and routing.
 *
 * Event model: one epoll listener thread inside MHD plus a pool of worker
 * threads (MHD_OPTION_THREAD_POOL_SIZE), each running its own epoll loop
 * over its share of connections; handlers run on the worker that owns the
 * connection, except handlers of routes marked D (they may wait for the
 * device): those run on the server's pool (pool.c) with the connection
 * suspended, and their response is queued here when it resumes (queue_deferred).
 * SSE streams are suspended (MHD_suspend_connection) while they
 * have nothing to send and resumed when a notice arrives, so an idle stream
 * costs one fd and a few hundred bytes, never a thread or a spin.
 *
 * Bodies: JSON, rosters and notices are accumulated up to their cap (a
 * declared Content-Length over the cap is refused before the body is read);
 * upload bodies stream to the partial file as they arrive, so no request
 * body of an upload is ever held in memory.
 *
 * Request-head deadline: MHD's timeout is an inactivity timeout, which a
 * client sending a byte a second never trips. The head deadline counts from
 * a request's first byte, never from accept or from the previous response:
 * an idle keep-alive connection (a held hub) is governed by the idle timeout
 * alone. MHD does not say when a request's first byte arrives, so the kernel
 * does: at accept and at the end of each request the sweeper's entry keeps
 * the socket's received-byte count (TCP_INFO), and the sweep that sees it
 * grow while no request is being handled starts the head clock (so within
 * the sweep's 1 s of the byte). A connection whose head is not whole within
 * header_timeout_s after that is shut down. A body must keep min_body_rate
 * after 5 s.
 */
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "server/srv.h"
#include "server/netaddr.h"

struct porch_srv_conn {
    struct porch_srv_conn *next, *prev;
    int fd;
    int in_request;
    uint64_t since_us;
    uint64_t rx_mark;            /* bytes received when the last request ended (or at accept) */
    uint64_t head_from_us;       /* 0, or when a new request's first byte was seen */
    uint64_t body_deadline_us;   /* 0, or when a body still arriving is cut off */
};

/* Bytes the kernel has received on fd; 0 when it cannot say (not TCP). */
static uint64_t rx_bytes(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;

    memset(&ti, 0, sizeof ti);
    if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 ||
        len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received)
        return 0;
    return ti.tcpi_bytes_received;
}

uint64_t porch_srv_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t porch_srv_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

enum { CAP_JSON, CAP_ROSTER, CAP_NOTICE, CAP_PATCH, CAP_GRANT, CAP_NONE };

struct route_def {
    porch_srv_route r;
    int cap;
};

/* D: the handler may wait for the device (a durable write, an fdatasync):
 * it runs on the pool (pool.c). R: it never does, and runs on the worker. */
#define R(m, p, g, b, beg, chk, h, cap) { { m, p, g, b, beg, chk, h, 0 }, cap }
#define D(m, p, g, b, beg, chk, h, cap) { { m, p, g, b, beg, chk, h, 1 }, cap }
static const struct route_def routes[] = {
    R("GET", "v1/server", RG_SERVER, BODY_NONE, NULL, NULL, porch_srv_route_server, CAP_NONE),
    R("GET", "v1/health", RG_HEALTH, BODY_NONE, NULL, NULL, porch_srv_route_health, CAP_NONE),
    R("GET", "metrics", RG_METRICS, BODY_NONE, NULL, NULL, porch_srv_route_metrics, CAP_NONE),
    R("POST", "v1/auth/challenge", RG_AUTH, BODY_BUFFER, NULL, NULL, porch_srv_route_challenge,
      CAP_JSON),
    D("POST", "v1/auth/token", RG_AUTH, BODY_BUFFER, NULL, NULL, porch_srv_route_token,
      CAP_JSON),
    D("POST", "v1/households", RG_HOUSEHOLD, BODY_BUFFER, NULL, NULL,
      porch_srv_route_hh_create, CAP_ROSTER),
    R("GET", "v1/households/*/roster", RG_ROSTER, BODY_NONE, NULL, NULL,
      porch_srv_route_roster_get, CAP_NONE),
    D("PUT", "v1/households/*/roster", RG_ROSTER, BODY_BUFFER, NULL, NULL,
      porch_srv_route_roster_put, CAP_ROSTER),
    R("HEAD", "v1/households/*/clips/*/upload", RG_UPLOAD, BODY_NONE, NULL, NULL,
      porch_srv_route_upload_head, CAP_NONE),
    D("PATCH", "v1/households/*/clips/*/upload", RG_UPLOAD, BODY_STREAM,
      porch_srv_route_upload_begin, porch_srv_route_upload_chunk, porch_srv_route_upload_end,
      CAP_PATCH),
    D("POST", "v1/households/*/clips/*/complete", RG_UPLOAD, BODY_BUFFER, NULL, NULL,
      porch_srv_route_complete, CAP_JSON),
    R("GET", "v1/households/*/clips", RG_CLIPS, BODY_NONE, NULL, NULL,
      porch_srv_route_clip_list, CAP_NONE),
    D("GET", "v1/households/*/clips/*", RG_CLIP, BODY_NONE, NULL, NULL,
      porch_srv_route_clip_get, CAP_NONE),
    D("DELETE", "v1/households/*/clips/*", RG_CLIP, BODY_NONE, NULL, NULL,
      porch_srv_route_clip_delete, CAP_NONE),
    D("GET", "v1/households/*/clips/*/header", RG_CLIP, BODY_NONE, NULL, NULL,
      porch_srv_route_clip_header, CAP_NONE),
    D("GET", "v1/households/*/clips/*/records/*", RG_CLIP, BODY_NONE, NULL, NULL,
      porch_srv_route_clip_record, CAP_NONE),
    D("POST", "v1/households/*/notices", RG_NOTICES, BODY_BUFFER, NULL, NULL,
      porch_srv_route_notice_post, CAP_NOTICE),
    R("GET", "v1/households/*/notices", RG_NOTICES, BODY_NONE, NULL, NULL,
      porch_srv_route_notice_list, CAP_NONE),
    R("GET", "v1/households/*/notices/stream", RG_STREAM, BODY_NONE, NULL, NULL,
      porch_srv_route_notice_stream, CAP_NONE),
    D("POST", "v1/households/*/grants", RG_GRANTS, BODY_BUFFER, NULL, NULL,
      porch_srv_route_grant_post, CAP_GRANT),
    D("GET", "v1/households/*/grants", RG_GRANTS, BODY_NONE, NULL, NULL,
      porch_srv_route_grant_list, CAP_NONE),
    D("DELETE", "v1/households/*/grants/*", RG_GRANTS, BODY_NONE, NULL, NULL,
      porch_srv_route_grant_delete, CAP_NONE),
    D("GET", "v1/households/*/clips/*/share", RG_GRANTS, BODY_NONE, NULL, NULL,
      porch_srv_route_share_get, CAP_NONE),
    R("GET", "v1/households/*/log/checkpoint", RG_LOG, BODY_NONE, NULL, NULL,
      porch_srv_route_log_checkpoint, CAP_NONE),
    R("GET", "v1/households/*/log/entries", RG_LOG, BODY_NONE, NULL, NULL,
      porch_srv_route_log_entries, CAP_NONE),
    R("GET", "v1/households/*/log/inclusion", RG_LOG, BODY_NONE, NULL, NULL,
      porch_srv_route_log_inclusion, CAP_NONE),
    R("GET", "v1/households/*/log/consistency", RG_LOG, BODY_NONE, NULL, NULL,
      porch_srv_route_log_consistency, CAP_NONE),
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static uint64_t cap_of(const porch_srv_config *c, int cap)
{
    switch (cap) {
    case CAP_JSON: return c->json_max;
    case CAP_ROSTER: return c->roster_max;
    case CAP_NOTICE: return c->notice_max;
    case CAP_PATCH: return c->patch_max;
    case CAP_GRANT: return c->grant_max;
    default: return 0;
    }
}

/* True when the request's segments match pattern ("*" = any one segment). */
static int path_matches(const porch_srv_req *r, const char *pattern)
{
    unsigned i = 0;
    const char *p = pattern;

    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (i >= r->nseg)
            return 0;
        if (!(n == 1 && p[0] == '*') && (strlen(r->seg[i]) != n || memcmp(r->seg[i], p, n)))
            return 0;
        i++;
        p += n + (e ? 1 : 0);
    }
    return i == r->nseg;
}

/* Splits the URL into segments; 0 on a path we refuse outright. */
static int split_path(porch_srv_req *r, const char *url)
{
    char *p;

    if (strlen(url) >= sizeof r->path || url[0] != '/')
        return 0;
    snprintf(r->path, sizeof r->path, "%s", url + 1);
    for (p = r->path; *p;) {
        if (r->nseg >= PORCH_SRV_MAX_SEGS)
            return 0;
        r->seg[r->nseg++] = p;
        char *e = strchr(p, '/');
        if (!e)
            break;
        *e = 0;
        p = e + 1;
        if (!*p)
            return 0;   /* trailing or doubled slash */
    }
    for (unsigned i = 0; i < r->nseg; i++)
        if (!*r->seg[i])
            return 0;
    return 1;
}

/* Finds the route; *status 404 or 405 when none. */
static const struct route_def *find_route(porch_srv_req *r, const char *method, int *status)
{
    int path_seen = 0;

    *status = 404;
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (!path_matches(r, routes[i].r.pattern))
            continue;
        path_seen = 1;
        if (!strcmp(method, routes[i].r.method))
            return &routes[i];
    }
    if (path_seen)
        *status = 405;
    return NULL;
}

int porch_srv_queue(porch_srv_req *r, unsigned status, struct MHD_Response *resp)
{
    enum MHD_Result ok;

    if (!resp)
        return PORCH_ERR_NOMEM;
    if (r->responded) {
        MHD_destroy_response(resp);
        return PORCH_ERR_INVALID_ARG;
    }
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->deferred == 1) {   /* on the pool: queued when the connection resumes */
        r->dresp = resp;
        r->dstatus = status;
        r->responded = 1;
        r->status = (int)status;
        return PORCH_OK;
    }
    ok = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->responded = 1;
    r->status = (int)status;
    return ok == MHD_YES ? PORCH_OK : PORCH_ERR_IO;
}

int porch_srv_bytes(porch_srv_req *r, unsigned status, const uint8_t *data, size_t len,
                    const char *ctype)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);

    if (resp && ctype)
        MHD_add_response_header(resp, "Content-Type", ctype);
    r->bytes_out += len;
    return porch_srv_queue(r, status, resp);
}

/* Steals body. */
int porch_srv_json(porch_srv_req *r, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct MHD_Response *resp = NULL;

    json_decref(body);
    if (!text)
        return PORCH_ERR_NOMEM;
    resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return PORCH_ERR_NOMEM;
    }
    r->bytes_out += strlen(text);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    return porch_srv_queue(r, status, resp);
}

int porch_srv_error(porch_srv_req *r, unsigned status, const char *sym, const char *msg)
{
    json_t *j = json_pack("{s:s,s:s}", "error", sym, "message", msg);
    int ret;

    if (r->responded)
        return PORCH_OK;
    if (status == 401)
        porch_srv_metrics_add(&r->srv->metrics, &r->srv->metrics.auth_failures, 1);
    ret = porch_srv_json(r, status, j);
    return ret;
}

int porch_srv_empty(porch_srv_req *r, unsigned status, const char *hname, const char *hval)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

    if (resp && hname)
        MHD_add_response_header(resp, hname, hval);
    return porch_srv_queue(r, status, resp);
}

/* Takes ownership of fd. */
int porch_srv_fd(porch_srv_req *r, unsigned status, int fd, uint64_t off, uint64_t len,
                 uint64_t total, int ranged)
{
    struct MHD_Response *resp = MHD_create_response_from_fd_at_offset64(len, fd, off);
    char cr[96];

    if (!resp) {
        close(fd);
        return PORCH_ERR_NOMEM;
    }
    MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
    MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    if (ranged) {
        snprintf(cr, sizeof cr, "bytes %llu-%llu/%llu", (unsigned long long)off,
                 (unsigned long long)(off + len - 1), (unsigned long long)total);
        MHD_add_response_header(resp, "Content-Range", cr);
    }
    r->bytes_out += len;
    return porch_srv_queue(r, status, resp);
}

struct errmap {
    int code;
    unsigned status;
    const char *sym;
};

static const struct errmap errmap[] = {
    { PORCH_ERR_NOT_FOUND, 404, "not_found" },
    { PORCH_ERR_EXISTS, 409, "conflict" },
    { PORCH_ERR_QUOTA, 413, "quota_exceeded" },
    { PORCH_ERR_TOO_LARGE, 413, "too_large" },
    { PORCH_ERR_BAD_REQUEST, 400, "bad_request" },
    { PORCH_ERR_UPLOAD_OFFSET, 409, "conflict" },
    { PORCH_ERR_CLIP_HASH, 422, "PORCH_ERR_CLIP_HASH" },
    { PORCH_ERR_ROSTER_ROLLBACK, 409, "PORCH_ERR_ROSTER_ROLLBACK" },
    { PORCH_ERR_ROSTER_FORK, 409, "PORCH_ERR_ROSTER_FORK" },
};

/* Any other negative code: a library check failed on client data (422) unless
 * it is an internal failure (500). */
int porch_srv_fail(porch_srv_req *r, int err)
{
    for (size_t i = 0; i < sizeof errmap / sizeof errmap[0]; i++)
        if (errmap[i].code == err)
            return porch_srv_error(r, errmap[i].status, errmap[i].sym, porch_strerror(err));
    if (err == PORCH_ERR_NOMEM || err == PORCH_ERR_IO || err == PORCH_ERR_STORE ||
        err == PORCH_ERR_CRYPTO || err == PORCH_ERR_INVALID_ARG)
        return porch_srv_error(r, 500, "internal", porch_strerror(err));
    return porch_srv_error(r, 422, porch_errname(err), porch_strerror(err));
}

const char *porch_srv_header(porch_srv_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    porch_srv_args_add(cls, key, value);
    return MHD_YES;
}

int porch_srv_args_of(porch_srv_req *r, porch_srv_args *a)
{
    memset(a, 0, sizeof *a);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, a);
    return a->err;
}

int porch_srv_seg_hex(porch_srv_req *r, unsigned i, uint8_t *out, size_t n)
{
    if (i >= r->nseg)
        return PORCH_ERR_BAD_REQUEST;
    return porch_srv_parse_hex(r->seg[i], strlen(r->seg[i]), out, n);
}

static void client_addr(porch_srv_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const char *xff;

    snprintf(r->addr, sizeof r->addr, "?");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
            porch__srv_addr_str(sa, r->addr, sizeof r->addr);
    }
    xff = porch_srv_header(r, "X-Forwarded-For");
    if (xff && r->srv->cfg.trusted_proxy[0] && !strcmp(r->addr, r->srv->cfg.trusted_proxy)) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        snprintf(r->addr, sizeof r->addr, "%s", last);
    }
}

static struct porch_srv_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci ? ci->socket_context : NULL;
}

static void conn_mark(porch_srv *s, struct MHD_Connection *c, int in_request)
{
    struct porch_srv_conn *pc = conn_of(c);

    if (!pc)
        return;
    pthread_mutex_lock(&s->conn_lock);
    pc->in_request = in_request;
    pc->since_us = porch_srv_mono_us();
    pc->body_deadline_us = 0;
    pc->head_from_us = 0;
    if (!in_request)
        pc->rx_mark = rx_bytes(pc->fd);   /* bytes past this belong to the next request */
    pthread_mutex_unlock(&s->conn_lock);
}

/* A body must arrive within header_timeout plus its length at min_body_rate:
 * the sweeper cuts a connection that declares more than it sends. */
static void body_deadline(porch_srv *s, porch_srv_req *r)
{
    struct porch_srv_conn *pc = conn_of(r->conn);
    uint64_t secs = s->cfg.header_timeout_s;

    if (!pc)
        return;
    if (s->cfg.min_body_rate)
        secs += (r->has_length ? r->content_length : r->body_cap) / s->cfg.min_body_rate;
    pthread_mutex_lock(&s->conn_lock);
    pc->body_deadline_us = porch_srv_mono_us() + secs * 1000000u;
    pthread_mutex_unlock(&s->conn_lock);
}

/* First call: route, caps, and for streams the pre-body checks. */
static int first_call(porch_srv *s, porch_srv_req *r, const char *url, const char *method)
{
    const struct route_def *rd;
    const char *cl;
    int status = 404;

    client_addr(r);
    if (s->stopping)
        return porch_srv_error(r, 503, "internal", "server is shutting down");
    if (!split_path(r, url) || !(rd = find_route(r, method, &status)))
        return porch_srv_error(r, (unsigned)status, status == 405 ? "method_not_allowed" :
                               "not_found", status == 405 ? "method not allowed here" :
                               "no such endpoint");
    r->route = &rd->r;
    cl = porch_srv_header(r, "Content-Length");
    if (cl) {
        if (porch_srv_parse_u64(cl, strlen(cl), UINT64_MAX, &r->content_length) != PORCH_OK)
            return porch_srv_error(r, 400, "bad_request", "bad Content-Length");
        r->has_length = 1;
    }
    if (rd->r.body == BODY_NONE && r->has_length && r->content_length > 0)
        return porch_srv_error(r, 400, "bad_request", "this request takes no body");
    if (rd->r.body != BODY_NONE && r->has_length && r->content_length > cap_of(&s->cfg, rd->cap))
        return porch_srv_error(r, 413, "too_large", "request body exceeds the limit");
    r->body_cap = (size_t)cap_of(&s->cfg, rd->cap);
    if (rd->r.body != BODY_NONE)
        body_deadline(s, r);
    if (rd->r.body == BODY_STREAM)
        return rd->r.begin(r);
    return PORCH_OK;
}

static int body_slow(const porch_srv_req *r)
{
    uint64_t el = porch_srv_mono_us() - r->t0_us;

    return el > 5000000u && r->bytes_in * 1000000u / el < r->srv->cfg.min_body_rate;
}

/* A piece of body: appended, streamed, or discarded. */
static int body_piece(porch_srv_req *r, const char *data, size_t len)
{
    r->bytes_in += len;
    if (r->responded || r->discard)
        return PORCH_OK;
    if (r->route->body == BODY_STREAM) {
        r->chunk = (const uint8_t *)data;
        r->chunk_len = len;
        return r->route->chunk(r);
    }
    if (r->body_len + len > r->body_cap) {
        r->discard = 1;
        r->err_status = 413;
        r->err_sym = "too_large";
        r->err_msg = "request body exceeds the limit";
        return PORCH_OK;
    }
    if (!r->body && !(r->body = malloc(r->body_cap ? r->body_cap : 1)))
        return PORCH_ERR_NOMEM;
    memcpy(r->body + r->body_len, data, len);
    r->body_len += len;
    return PORCH_OK;
}

static int last_call(porch_srv_req *r)
{
    int ret;

    if (r->responded)
        return PORCH_OK;
    if (r->err_status)
        return porch_srv_error(r, (unsigned)r->err_status, r->err_sym, r->err_msg);
    ret = r->route->handle(r);
    if (!r->responded)
        porch_srv_fail(r, ret < 0 ? ret : PORCH_ERR_INVALID_ARG);
    return PORCH_OK;
}

/* On a pool thread: the handler, then the connection goes back to MHD. */
static void run_deferred(porch_srv_req *r)
{
    last_call(r);
    r->deferred = 2;
    MHD_resume_connection(r->conn);
}

/* Back on the worker after the resume: the handler's response goes out. */
static enum MHD_Result queue_deferred(porch_srv_req *r)
{
    struct MHD_Response *resp = r->dresp;
    enum MHD_Result ok;

    r->deferred = 0;
    r->dresp = NULL;
    if (!resp)
        return MHD_NO;   /* the handler could not even make a response */
    ok = MHD_queue_response(r->conn, r->dstatus, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **ctx)
{
    porch_srv *s = cls;
    porch_srv_req *r = *ctx;
    int ret;

    (void)version;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        r->srv = s;
        r->conn = conn;
        r->up.fd = -1;
        r->t0_us = porch_srv_mono_us();
        *ctx = r;
        conn_mark(s, conn, 1);
        ret = first_call(s, r, url, method);
        if (ret < 0 && !r->responded)
            porch_srv_fail(r, ret);
        return MHD_YES;
    }
    if (*upload_size) {
        ret = body_piece(r, upload_data, *upload_size);
        *upload_size = 0;
        if (ret < 0 || body_slow(r))
            return MHD_NO;  /* drop the connection; completion cleans up */
        return MHD_YES;
    }
    if (r->deferred == 2)
        return queue_deferred(r);
    if (r->deferred)
        return MHD_YES;      /* still on the pool (not expected while suspended) */
    conn_mark(s, conn, 1);   /* body done: no deadline while the response is produced */
    if (r->route && r->route->defer && !r->responded && !r->err_status) {
        r->deferred = 1;
        MHD_suspend_connection(conn);   /* before the hand-over: resume always follows */
        porch_srv_pool_submit(s->pool, r, run_deferred);
        return MHD_YES;
    }
    last_call(r);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    porch_srv *s = cls;
    porch_srv_req *r = *ctx;

    (void)toe;
    conn_mark(s, conn, 0);
    if (!r)
        return;
    if (r->up.fd >= 0) {
        /* Cut off mid-body: nothing acknowledged. At offset 0 nothing ever was. */
        s->blobs->ops->append_abort(s->blobs, &r->up);
        if (r->up_off == 0)
            s->blobs->ops->partial_delete(s->blobs, r->hh, r->up_clip);
    }
    if (r->counted_upload)
        porch_srv_metrics_add(&s->metrics, &s->metrics.uploads, -1);
    porch_srv_metrics_request(&s->metrics, r->route ? r->route->group : RG_OTHER, r->status,
                              r->bytes_in, r->bytes_out);
    porch_srv_slog_request(r);
    porch_srv_roster_release(s, r->roster);
    if (r->dresp)
        MHD_destroy_response(r->dresp);
    free(r->body);
    free(r);
    *ctx = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    porch_srv *s = cls;
    struct porch_srv_conn *pc = *socket_ctx;

    pthread_mutex_lock(&s->conn_lock);
    if (code == MHD_CONNECTION_NOTIFY_STARTED && (pc = calloc(1, sizeof *pc))) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        pc->fd = ci ? ci->connect_fd : -1;
        pc->since_us = porch_srv_mono_us();
        pc->rx_mark = rx_bytes(pc->fd);
        pc->next = s->conns;
        if (s->conns)
            s->conns->prev = pc;
        s->conns = pc;
        *socket_ctx = pc;
        porch_srv_metrics_add(&s->metrics, &s->metrics.connections, 1);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && pc) {
        if (pc->prev)
            pc->prev->next = pc->next;
        else
            s->conns = pc->next;
        if (pc->next)
            pc->next->prev = pc->prev;
        free(pc);
        *socket_ctx = NULL;
        porch_srv_metrics_add(&s->metrics, &s->metrics.connections, -1);
    }
    pthread_mutex_unlock(&s->conn_lock);
}

/* True when pc's request head is overdue: its first byte came more than lim
 * ago. Starts the clock when the first byte has just been seen. */
static int head_overdue(struct porch_srv_conn *pc, uint64_t now, uint64_t lim)
{
    if (pc->in_request)
        return 0;
    if (!pc->head_from_us) {
        if (rx_bytes(pc->fd) > pc->rx_mark)
            pc->head_from_us = now;
        return 0;
    }
    return now - pc->head_from_us > lim;
}

/* Shuts down connections whose request head is overdue (the sweeper, every second).
 * The fd is still MHD's: entries leave the list under conn_lock before MHD closes it. */
void porch_srv_reap_slow(porch_srv *s);
void porch_srv_reap_slow(porch_srv *s)
{
    uint64_t now = porch_srv_mono_us(), lim = (uint64_t)s->cfg.header_timeout_s * 1000000u;

    pthread_mutex_lock(&s->conn_lock);
    for (struct porch_srv_conn *pc = s->conns; pc; pc = pc->next)
        if (pc->fd >= 0 && (head_overdue(pc, now, lim) ||
                            (pc->body_deadline_us && now > pc->body_deadline_us))) {
            shutdown(pc->fd, SHUT_RDWR);
            pc->head_from_us = 0;     /* once is enough */
            pc->rx_mark = UINT64_MAX;
            pc->body_deadline_us = 0;
        }
    pthread_mutex_unlock(&s->conn_lock);
}

/* MHD's own diagnostics, as JSON lines like everything else on stderr. The
 * format comes from libmicrohttpd, never from a request. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    porch_srv_slog("warn", "http", msg);
}

int porch__srv_daemon_start(porch_srv *s, const char *cert, const char *key);
int porch__srv_daemon_start(porch_srv *s, const char *cert, const char *key)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    const union MHD_DaemonInfo *di;

    memset(&ss, 0, sizeof ss);
    if (porch__srv_sockaddr(s->cfg.listen, s->cfg.port, &ss, &sl) != PORCH_OK)
        return PORCH_ERR_CONFIG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cert)
        flags |= MHD_USE_TLS;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)s->cfg.port, NULL, NULL, on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,   /* first: every MHD message goes to slog */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->cfg.threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->cfg.conn_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)s->cfg.idle_timeout_s,
        /* 64 KiB: bodies arrive in ~32 KiB pieces. Not more: MHD zeroes a
         * connection's whole pool after every request, so each held
         * connection keeps all of it resident (1,000 idle connections after
         * one request: 72 MB of RSS at 64 KiB, 265 MB at 256 KiB). */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
        MHD_OPTION_HTTPS_MEM_KEY, key,
        MHD_OPTION_END);
    if (!s->daemon)
        return PORCH_ERR_IO;
    di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
    return PORCH_OK;
}
