/* loadgen.c: see loadgen.h. Benchmark code: errors are counted, never fatal. */
#include "loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SCRATCH_BYTES (1u << 20)

enum { CH_SIZE, CH_SIZE_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER,
       CH_TRAILER_LF, CH_END };

static void write_some(lg_conn *c, int may_fail);

double lg_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long lg_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    return (long)rl.rlim_cur;
}

int lg_loop_init(lg_loop *l, uint16_t port)
{
    memset(l, 0, sizeof *l);
    l->port = port;
    l->scratch_len = SCRATCH_BYTES;
    if (!(l->scratch = malloc(l->scratch_len)))
        return -1;
    if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        free(l->scratch);
        return -1;
    }
    return 0;
}

void lg_loop_free(lg_loop *l)
{
    if (l->epfd >= 0)
        close(l->epfd);
    free(l->scratch);
    memset(l, 0, sizeof *l);
    l->epfd = -1;
}

static void set_interest(lg_conn *c, int want_out)
{
    struct epoll_event ev;
    if (c->want_out == want_out)
        return;
    c->want_out = want_out;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLRDHUP | (want_out ? EPOLLOUT : 0);
    ev.data.ptr = c;
    epoll_ctl(c->loop->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Only ever 127.0.0.1: the benchmark drives local servers and nothing else. */
static int connect_loopback(lg_conn *c)
{
    struct sockaddr_in sa;
    struct epoll_event ev;
    int one = 1;

    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(c->loop->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLOUT;
    ev.data.ptr = c;
    c->want_out = 1;
    if (epoll_ctl(c->loop->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->peer_closed = 0;
    return 0;
}

int lg_conn_open(lg_loop *l, lg_conn *c, lg_done_fn done, void *ctx)
{
    memset(c, 0, sizeof *c);
    c->loop = l;
    c->done = done;
    c->ctx = ctx;
    c->fd = -1;
    return connect_loopback(c);
}

void lg_conn_close(lg_conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(c->loop->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    if (c->in_flight) {
        c->in_flight = 0;
        c->loop->in_flight--;
    }
    c->stream = 0;
    free(c->kept);
    c->kept = NULL;
    c->kept_cap = c->kept_len = 0;
}

int lg_send(lg_conn *c, const char *method, const char *path, const char *extra_headers,
            const uint8_t *body, size_t body_len, int flags)
{
    int n, fresh = 0;
    if (c->fd < 0 || c->peer_closed || c->close_after) {
        fresh = 1;
        if (c->fd >= 0)
            lg_conn_close(c);
        c->loop->reconnects++;
        c->close_after = 0;
        if (connect_loopback(c) != 0)
            return -1;
    }
    n = snprintf(c->out_head, sizeof c->out_head,
                 "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s", method, path,
                 (unsigned)c->loop->port, extra_headers ? extra_headers : "");
    if (n < 0 || (size_t)n >= sizeof c->out_head - 64)
        return -1;
    if (body || strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0 ||
        strcmp(method, "PATCH") == 0)
        n += snprintf(c->out_head + n, sizeof c->out_head - (size_t)n,
                      "Content-Length: %zu\r\n", body_len);
    n += snprintf(c->out_head + n, sizeof c->out_head - (size_t)n, "\r\n");
    c->out_head_len = (size_t)n;
    c->out_off = 0;
    c->out_body = body;
    c->out_body_len = body ? body_len : 0;
    c->no_body = (flags & LG_HEAD) != 0;
    c->keep_body = (flags & LG_KEEP) != 0;
    c->stream_req = (flags & LG_STREAM) != 0;
    c->in_head_len = 0;
    c->head_done = c->status = c->chunked = c->has_length = 0;
    c->remaining = 0;
    c->kept_len = c->body_len = 0;
    c->stream = 0;
    c->sent_at = lg_now();
    if (!c->in_flight) {
        c->in_flight = 1;
        c->loop->in_flight++;
    }
    set_interest(c, 1);
    if (!fresh)
        write_some(c, 0);
    return 0;
}

static void finish(lg_conn *c, int status)
{
    lg_response r;
    c->in_flight = 0;
    c->loop->in_flight--;
    if (status == 0)
        c->loop->errors++;
    else
        c->requests++;
    r.status = status;
    r.head = c->in_head;
    r.body = c->keep_body && c->kept ? c->kept : NULL;
    r.body_len = c->body_len;
    if (c->kept)
        c->kept[c->kept_len] = 0;
    if (c->done)
        c->done(c, &r, c->ctx);
}

static void fail(lg_conn *c)
{
    int was = c->in_flight;
    if (c->fd >= 0) {
        epoll_ctl(c->loop->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    c->peer_closed = 1;
    if (c->stream) {
        c->stream = 0;
        return;
    }
    if (was) {
        c->in_head[c->in_head_len] = 0;
        finish(c, 0);
    }
}

/* Writes what the socket takes; errors close the connection only when
 * may_fail (from the loop; lg_send leaves them to the next epoll report). */
static void write_some(lg_conn *c, int may_fail)
{
    while (c->out_off < c->out_head_len + c->out_body_len) {
        struct iovec iov[2];
        struct msghdr m;
        int n_iov = 0;
        ssize_t w;
        if (c->out_off < c->out_head_len) {
            iov[n_iov].iov_base = c->out_head + c->out_off;
            iov[n_iov++].iov_len = c->out_head_len - c->out_off;
        }
        if (c->out_body_len) {
            size_t boff = c->out_off > c->out_head_len ? c->out_off - c->out_head_len : 0;
            iov[n_iov].iov_base = (void *)(c->out_body + boff);
            iov[n_iov++].iov_len = c->out_body_len - boff;
        }
        memset(&m, 0, sizeof m);
        m.msg_iov = iov;
        m.msg_iovlen = (size_t)n_iov;
        w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR)
                continue;
            if (may_fail)
                fail(c);
            return;
        }
        c->out_off += (size_t)w;
    }
    set_interest(c, 0);
}

int lg_header(const char *head, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = strstr(head, "\r\n");
    while (p && p[2] != '\r' && p[2]) {
        const char *line = p + 2, *end = strstr(line, "\r\n");
        if (!end)
            break;
        if ((size_t)(end - line) > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0) {
            const char *v = line + nl + 1;
            size_t len;
            while (*v == ' ' || *v == '\t')
                v++;
            len = (size_t)(end - v);
            if (len >= cap)
                return -1;
            memcpy(out, v, len);
            out[len] = 0;
            return 0;
        }
        p = end;
    }
    return -1;
}

static void parse_head(lg_conn *c)
{
    char v[64];
    c->in_head[c->in_head_len] = 0;
    if (sscanf(c->in_head, "HTTP/1.%*d %d", &c->status) != 1)
        c->status = -1;
    if (lg_header(c->in_head, "Transfer-Encoding", v, sizeof v) == 0 &&
        strcasecmp(v, "chunked") == 0) {
        c->chunked = 1;
        c->chunk_state = CH_SIZE;
        c->remaining = 0;
    } else if (lg_header(c->in_head, "Content-Length", v, sizeof v) == 0) {
        c->has_length = 1;
        c->remaining = strtoull(v, NULL, 10);
    }
    if (lg_header(c->in_head, "Connection", v, sizeof v) == 0 && strcasecmp(v, "close") == 0)
        c->close_after = 1;
    if (c->no_body || c->status == 204 || c->status == 304 || (c->status >= 100 && c->status < 200)) {
        c->chunked = 0;
        c->has_length = 1;
        c->remaining = 0;
    }
}

static void keep(lg_conn *c, const uint8_t *p, size_t n)
{
    c->body_len += n;
    if (!c->keep_body || c->kept_len + n > LG_KEEP_MAX)
        return;
    if (c->kept_len + n + 1 > c->kept_cap) {
        size_t cap = (c->kept_len + n + 1) * 2;
        uint8_t *k = realloc(c->kept, cap);
        if (!k)
            return;
        c->kept = k;
        c->kept_cap = cap;
    }
    memcpy(c->kept + c->kept_len, p, n);
    c->kept_len += n;
}

/* Consumes body bytes of a chunked response; returns bytes used. */
static size_t chunked_feed(lg_conn *c, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && c->chunk_state != CH_END) {
        uint8_t b = p[i];
        switch (c->chunk_state) {
        case CH_SIZE:
            if (b >= '0' && b <= '9')
                c->remaining = c->remaining * 16 + (b - '0');
            else if ((b | 0x20) >= 'a' && (b | 0x20) <= 'f')
                c->remaining = c->remaining * 16 + ((b | 0x20) - 'a' + 10);
            else
                c->chunk_state = b == '\r' ? CH_SIZE_LF : CH_SIZE_EXT;
            i++;
            break;
        case CH_SIZE_EXT:
            if (b == '\r')
                c->chunk_state = CH_SIZE_LF;
            i++;
            break;
        case CH_SIZE_LF:
            c->chunk_state = c->remaining ? CH_DATA : CH_TRAILER;
            i++;
            break;
        case CH_DATA: {
            size_t take = n - i < c->remaining ? n - i : (size_t)c->remaining;
            keep(c, p + i, take);
            if (c->stream)
                c->stream_bytes += take;
            c->remaining -= take;
            i += take;
            if (!c->remaining)
                c->chunk_state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            c->chunk_state = CH_DATA_LF;
            i++;
            break;
        case CH_DATA_LF:
            c->chunk_state = CH_SIZE;
            c->remaining = 0;
            i++;
            break;
        case CH_TRAILER:    /* an empty line ends the trailers: "\r\n" */
            c->chunk_state = b == '\r' ? CH_TRAILER_LF : CH_TRAILER;
            if (b != '\r') {   /* a trailer line: skip to its end */
                while (i < n && p[i] != '\n')
                    i++;
            }
            i++;
            break;
        case CH_TRAILER_LF:
            c->chunk_state = CH_END;
            i++;
            break;
        }
    }
    return i;
}

static int body_complete(const lg_conn *c)
{
    if (c->stream)
        return 0;
    if (c->chunked)
        return c->chunk_state == CH_END;
    return c->has_length && c->remaining == 0;
}

/* Feeds received bytes; returns bytes used (the rest belongs to nothing: we
 * never pipeline, so extra bytes are a protocol error). */
static void feed(lg_conn *c, const uint8_t *p, size_t n)
{
    while (n) {
        if (!c->head_done) {
            size_t room = LG_RESP_HEAD_MAX - c->in_head_len, take = n < room ? n : room;
            char *end;
            memcpy(c->in_head + c->in_head_len, p, take);
            c->in_head_len += take;
            c->in_head[c->in_head_len] = 0;
            end = strstr(c->in_head, "\r\n\r\n");
            if (!end) {
                if (c->in_head_len == LG_RESP_HEAD_MAX)
                    fail(c);
                return;
            }
            size_t head_len = (size_t)(end - c->in_head) + 4;
            size_t used = take - (c->in_head_len - head_len);
            c->in_head_len = head_len;
            c->head_done = 1;
            parse_head(c);
            p += used;
            n -= used;
            if (c->stream_req && c->status == 200) {
                c->stream = 1;
                c->in_flight = 0;
                c->loop->in_flight--;
                if (c->done) {
                    lg_response r = {c->status, c->in_head, NULL, 0};
                    c->done(c, &r, c->ctx);
                }
            }
        } else if (c->chunked) {
            size_t used = chunked_feed(c, p, n);
            p += used;
            n -= used;
        } else {
            size_t take = c->has_length && n > c->remaining ? (size_t)c->remaining : n;
            keep(c, p, take);
            if (c->stream)
                c->stream_bytes += take;
            if (c->has_length)
                c->remaining -= take;
            p += take;
            n -= take;
        }
        if (c->head_done && body_complete(c)) {
            finish(c, c->status);
            return;
        }
    }
}

/* A counted body of known length is discarded in the kernel (MSG_TRUNC on
 * TCP copies nothing out), so the generator costs less than the servers. */
static int can_discard(const lg_conn *c)
{
    return c->in_flight && c->head_done && !c->keep_body && !c->chunked && c->has_length &&
           c->remaining > 0;
}

static void on_readable(lg_conn *c)
{
    for (;;) {
        ssize_t r;
        if (can_discard(c)) {
            /* Capped at the scratch size: sanitizers treat the buffer as written. */
            size_t want = c->remaining > c->loop->scratch_len ? c->loop->scratch_len
                                                              : (size_t)c->remaining;
            r = recv(c->fd, c->loop->scratch, want, MSG_TRUNC | MSG_DONTWAIT);
            if (r > 0) {
                c->body_len += (size_t)r;
                c->remaining -= (uint64_t)r;
                if (!c->remaining)
                    finish(c, c->status);
                if (c->fd < 0 || (!c->in_flight && !c->stream))
                    return;
                continue;
            }
        } else {
            r = recv(c->fd, c->loop->scratch, c->loop->scratch_len, 0);
        }
        if (r > 0) {
            if (!c->in_flight && !c->stream)
                continue;   /* bytes nobody asked for: dropped */
            feed(c, c->loop->scratch, (size_t)r);
            if (c->fd < 0 || (!c->in_flight && !c->stream))
                return;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* EOF or error: a body without a length ends here. */
        if (c->in_flight && c->head_done && !c->chunked && !c->has_length) {
            epoll_ctl(c->loop->epfd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
            c->peer_closed = 1;
            finish(c, c->status);
            return;
        }
        fail(c);
        return;
    }
}

void lg_poll(lg_loop *l, int timeout_ms)
{
    struct epoll_event ev[256];
    int n = epoll_wait(l->epfd, ev, 256, timeout_ms);
    for (int i = 0; i < n; i++) {
        lg_conn *c = ev[i].data.ptr;
        if (c->fd < 0)
            continue;
        if (ev[i].events & EPOLLOUT)
            write_some(c, 1);
        if (c->fd >= 0 && (ev[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
            on_readable(c);
    }
}

void lg_run(lg_loop *l, double deadline)
{
    while (l->in_flight > 0) {
        int ms = 1000;
        if (deadline > 0) {
            double left = deadline - lg_now();
            if (left <= 0)
                return;
            ms = left < 1.0 ? (int)(left * 1000) + 1 : 1000;
        }
        lg_poll(l, ms);
    }
}

struct fetch_ctx {
    lg_done_fn prev_done;
    void *prev_ctx;
    lg_response *out;
    int got;
};

static void fetch_done(lg_conn *c, const lg_response *r, void *ctx)
{
    struct fetch_ctx *f = ctx;
    (void)c;
    *f->out = *r;
    f->got = 1;
}

int lg_fetch(lg_conn *c, const char *method, const char *path, const char *extra_headers,
             const uint8_t *body, size_t body_len, lg_response *out)
{
    struct fetch_ctx f = {c->done, c->ctx, out, 0};
    memset(out, 0, sizeof *out);
    c->done = fetch_done;
    c->ctx = &f;
    if (lg_send(c, method, path, extra_headers, body, body_len,
                LG_KEEP | (strcmp(method, "HEAD") == 0 ? LG_HEAD : 0)) != 0) {
        c->done = f.prev_done;
        c->ctx = f.prev_ctx;
        return 0;
    }
    double deadline = lg_now() + 60;
    while (!f.got && lg_now() < deadline)
        lg_poll(c->loop, 100);
    c->done = f.prev_done;
    c->ctx = f.prev_ctx;
    if (!f.got) {
        lg_conn_close(c);
        return 0;
    }
    return out->status;
}
