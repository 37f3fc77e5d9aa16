/*
 * loadgen.h: the benchmark's HTTP/1.1 load generator. One thread, one epoll
 * loop, non-blocking sockets to 127.0.0.1 only, keep-alive connections, a
 * minimal request writer (head + body sent with sendmsg, never copied) and
 * response reader (Content-Length or chunked bodies, counted or kept).
 *
 * A connection carries one request at a time. When its response is complete
 * the connection's callback runs; it may queue the next request on the same
 * connection (lg_send) or leave it idle. lg_run() returns when no connection
 * has a request in flight, or at the deadline. A response that announces
 * "Connection: close", or a connection the peer closed while idle, is
 * reopened by the next lg_send (counted in lg_loop.reconnects).
 *
 * Stream mode (SSE): the callback runs once the head is in; the body is then
 * only counted (lg_conn.stream_bytes) until the peer closes, and the
 * connection does not count as in flight.
 */
#ifndef PORCH_BENCH_LOADGEN_H
#define PORCH_BENCH_LOADGEN_H

#include <stddef.h>
#include <stdint.h>

#define LG_HEAD_MAX 4096u           /* request head we write */
#define LG_RESP_HEAD_MAX 16384u     /* response head we accept */
#define LG_KEEP_MAX (16u << 20)     /* body bytes kept for a keep_body request */

typedef struct lg_loop lg_loop;
typedef struct lg_conn lg_conn;

typedef struct lg_response {
    int status;                 /* 0: transport error or peer closed mid-response */
    const char *head;           /* NUL-terminated response head (status line + headers) */
    const uint8_t *body;        /* kept body (keep_body), NUL-terminated, else NULL */
    size_t body_len;            /* body bytes received (kept or counted) */
} lg_response;

/* Runs when a response is complete (or failed). */
typedef void (*lg_done_fn)(lg_conn *c, const lg_response *r, void *ctx);

struct lg_conn {
    lg_loop *loop;
    int fd;                     /* -1 when closed */
    int in_flight;              /* a request sent or being sent, response not complete */
    int stream;                 /* stream mode, head received: counting body bytes */
    int peer_closed;            /* peer closed the connection (stream or idle) */
    uint64_t stream_bytes;
    uint64_t requests;          /* responses completed on this connection */
    lg_done_fn done;
    void *ctx;
    double sent_at;             /* lg_now() when the request was queued */
    /* private to loadgen.c */
    char out_head[LG_HEAD_MAX];
    size_t out_head_len, out_off;
    const uint8_t *out_body;
    size_t out_body_len;
    int want_out, no_body, keep_body, stream_req, close_after;
    char in_head[LG_RESP_HEAD_MAX + 1];
    size_t in_head_len;
    int head_done, status, chunked, chunk_state;
    uint64_t remaining;         /* body bytes (or chunk bytes) still to read */
    int has_length;
    uint8_t *kept;
    size_t kept_len, kept_cap, body_len;
};

struct lg_loop {
    int epfd;
    uint16_t port;
    int in_flight;
    uint64_t reconnects, errors;
    uint8_t *scratch;           /* receive buffer for counted bodies */
    size_t scratch_len;
};

double lg_now(void);
int lg_loop_init(lg_loop *l, uint16_t port);
void lg_loop_free(lg_loop *l);
/* Raises RLIMIT_NOFILE to the hard limit; returns the new soft limit. */
long lg_raise_nofile(void);

/* Opens (connects) c to 127.0.0.1:port; done/ctx set by the caller. 0 or -1. */
int lg_conn_open(lg_loop *l, lg_conn *c, lg_done_fn done, void *ctx);
void lg_conn_close(lg_conn *c);

/*
 * Queues one request: head is "METHOD PATH" plus extra header lines (each
 * ending "\r\n"), Host, Content-Length and the final blank line are added.
 * body (not copied) must stay valid until the callback runs. flags: LG_KEEP
 * keeps the body for the callback, LG_HEAD expects no body (HEAD), LG_STREAM
 * is stream mode. Returns 0, or -1 if the connection could not be reopened.
 */
#define LG_KEEP 1
#define LG_HEAD 2
#define LG_STREAM 4
int lg_send(lg_conn *c, const char *method, const char *path, const char *extra_headers,
            const uint8_t *body, size_t body_len, int flags);

/* Runs until nothing is in flight, or until deadline (lg_now() seconds; 0:
 * none), or, with poll_only, one epoll_wait of at most 100 ms. */
void lg_run(lg_loop *l, double deadline);
void lg_poll(lg_loop *l, int timeout_ms);

/* Synchronous request on c: sends and runs the loop until its response.
 * *out is valid until the next request on c. Returns the status (0 on error). */
int lg_fetch(lg_conn *c, const char *method, const char *path, const char *extra_headers,
             const uint8_t *body, size_t body_len, lg_response *out);

/* Value of header name in a response head (case-insensitive), copied into out. */
int lg_header(const char *head, const char *name, char *out, size_t cap);

#endif
