/*
 * srv.h (server, internal): what the server's files share: configuration,
 * the server object, the per-request context and the helpers routes use.
 */
#ifndef PORCH_SERVER_SRV_H
#define PORCH_SERVER_SRV_H

#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

#include "porchlight/identity.h"
#include "porchlight/log.h"
#include "porchlight/roster.h"
#include "server/parse.h"
#include "server/store.h"

typedef struct porch_srv_config {
    char listen[64];            /* address to bind; default 127.0.0.1 */
    unsigned port;              /* 0: ephemeral (printed on stdout as "port N") */
    char data[PATH_MAX / 2];    /* data directory */
    char tls_cert[PATH_MAX / 2], tls_key[PATH_MAX / 2];
    uint64_t quota;             /* bytes per household */
    uint64_t clip_max;          /* bytes per clip */
    uint64_t patch_max;         /* bytes per upload request */
    uint64_t json_max, roster_max, notice_max, grant_max;
    uint64_t token_ttl_s;
    unsigned auth_fails_per_min;
    unsigned conn_limit;
    unsigned threads;
    unsigned idle_timeout_s;    /* MHD inactivity timeout */
    unsigned header_timeout_s;  /* whole request head must arrive within this */
    uint64_t min_body_rate;     /* bytes/s a body must keep up after 5 s */
    unsigned sweep_s;
    unsigned keepalive_s;       /* SSE comment interval */
    char trusted_proxy[64];     /* X-Forwarded-For honoured only from here */
} porch_srv_config;

void porch_srv_config_defaults(porch_srv_config *c);
/* Reads `key = value` lines. */
int porch_srv_config_file(porch_srv_config *c, const char *path, char *err, size_t err_cap);
/* One setting by its name (file key, or flag without the leading "--", '-' = '_').
 * PORCH_ERR_NOT_FOUND for an unknown key, PORCH_ERR_CONFIG for a bad value. */
int porch_srv_config_set(porch_srv_config *c, const char *key, const char *val);
/* Reads and checks tls_cert and tls_key (tls.c): both or neither, readable,
 * PEM, a matching pair. Neither set: PORCH_OK with *cert = *key = NULL. On
 * failure err names the key and the file. Ownership: *cert (malloc) and *key
 * (sodium_malloc, a secret) released with porch_srv_tls_free(), which wipes the key. */
int porch_srv_tls_load(const porch_srv_config *cfg, char **cert, char **key, char *err,
                       size_t cap);
void porch_srv_tls_free(char *cert, char *key);

/* ---- metrics ---- */
typedef struct porch_srv_metrics {
    pthread_mutex_t lock;
    uint64_t req[16][6];        /* route group x status class (1xx..5xx, other) */
    uint64_t bytes_in, bytes_out, log_appends, auth_failures, connections, uploads;
} porch_srv_metrics;

enum { RG_SERVER, RG_HEALTH, RG_METRICS, RG_AUTH, RG_HOUSEHOLD, RG_ROSTER, RG_UPLOAD,
       RG_CLIPS, RG_CLIP, RG_NOTICES, RG_STREAM, RG_LOG, RG_GRANTS, RG_OTHER, RG_COUNT };

/* ---- auth state (in memory: challenges are single-use and short-lived) ---- */
#define PORCH_SRV_CHALLENGES 4096u
#define PORCH_SRV_BUCKETS 1024u
typedef struct porch_srv_challenge {
    uint8_t c[32], hh[PORCH_SRV_HH], dev[PORCH_SIGN_PK_BYTES];
    uint64_t expires_us;
} porch_srv_challenge;
typedef struct porch_srv_bucket {
    uint8_t key[32];
    double tokens;
    uint64_t last_us;
} porch_srv_bucket;
typedef struct porch_srv_auth {
    pthread_mutex_t lock;
    porch_srv_challenge ch[PORCH_SRV_CHALLENGES];
    porch_srv_bucket dev[PORCH_SRV_BUCKETS], addr[PORCH_SRV_BUCKETS];
} porch_srv_auth;

/* ---- verified rosters shared between requests (roster_cache.c) ---- */
#define PORCH_SRV_RCACHE 64u
typedef struct porch_srv_rcache porch_srv_rcache;
int porch_srv_rcache_new(porch_srv_rcache **out);
void porch_srv_rcache_free(porch_srv_rcache *c);

/* ---- handlers that wait for the device (pool.c) ---- */
typedef struct porch_srv_pool porch_srv_pool;
typedef struct porch_srv_req porch_srv_req;
/* n threads. Ownership: *out released with porch_srv_pool_free. _stop runs
 * what is queued and joins the threads; later submissions run inline. Both
 * NULL-safe. */
int porch_srv_pool_start(porch_srv_pool **out, unsigned n);
void porch_srv_pool_stop(porch_srv_pool *p);
void porch_srv_pool_free(porch_srv_pool *p);
/* Runs fn(r) on a pool thread (on this one when p is NULL or stopping). */
void porch_srv_pool_submit(porch_srv_pool *p, porch_srv_req *r, void (*fn)(porch_srv_req *));

/* ---- SSE waiters ---- */
typedef struct porch_srv_sse porch_srv_sse;

typedef struct porch_srv {
    porch_srv_config cfg;
    porch_srv_meta *meta;
    porch_srv_blobs *blobs;
    porch_device_secret *key;           /* signs checkpoints; opens nothing */
    uint8_t sign_pk[PORCH_SIGN_PK_BYTES];
    struct MHD_Daemon *daemon;
    unsigned port;
    porch_srv_auth *auth;
    porch_srv_rcache *rcache;
    porch_srv_metrics metrics;
    pthread_mutex_t sse_lock;
    porch_srv_sse *sse_head;            /* streams, suspended or live */
    pthread_mutex_t conn_lock;
    struct porch_srv_conn *conns;       /* connections (for the header deadline) */
    porch_srv_pool *pool;               /* runs the handlers of routes with defer set */
    volatile int stopping;
    pthread_t sweeper;
    int sweeper_started;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
} porch_srv;

/* Loads the TLS files (before anything is created, so a bad file leaves no
 * store behind), opens stores and key, starts the daemon and the sweeper.
 * why (cap bytes) names the file and the problem when the TLS files are
 * what failed, and is empty otherwise. */
int porch_srv_start(porch_srv **out, const porch_srv_config *cfg, char *why, size_t cap);
/* Stops accepting, waits (bounded) for in-flight requests, closes stores. NULL-safe. */
void porch_srv_stop(porch_srv *s);

/* ---- per-request context ---- */
enum { BODY_NONE, BODY_BUFFER, BODY_STREAM };

typedef int (*porch_srv_handler)(porch_srv_req *r);

typedef struct porch_srv_route {
    const char *method;
    const char *pattern;        /* segments; "*" matches one id */
    int group;                  /* RG_* for metrics */
    int body;                   /* BODY_* */
    porch_srv_handler begin;    /* BODY_STREAM: before the body (may respond) */
    porch_srv_handler chunk;    /* BODY_STREAM: each piece of body */
    porch_srv_handler handle;   /* after the whole body */
    int defer;                  /* handle may wait for the device: it runs on the pool */
} porch_srv_route;

#define PORCH_SRV_MAX_SEGS 8
struct porch_srv_req {
    porch_srv *srv;
    struct MHD_Connection *conn;
    const porch_srv_route *route;
    char path[256];
    char *seg[PORCH_SRV_MAX_SEGS];
    unsigned nseg;
    uint64_t t0_us, content_length;
    int has_length;
    /* buffered body */
    uint8_t *body;
    size_t body_len, body_cap;
    int discard;                /* body being thrown away (error already decided) */
    int responded;
    int status;
    int err_status; const char *err_sym; const char *err_msg;
    uint64_t bytes_in, bytes_out;
    const uint8_t *chunk; size_t chunk_len;
    /* caller, after porch_srv_authenticate */
    int authed;
    uint8_t hh[PORCH_SRV_HH];
    uint8_t dev[PORCH_SIGN_PK_BYTES];
    const porch_roster *roster;   /* shared (roster cache), released at completion */
    const porch_member *me;
    /* upload stream */
    porch_srv_append up;        /* the PATCH's append (up.fd < 0: none) */
    uint8_t up_clip[PORCH_SRV_CLIP];
    uint64_t up_off, up_len, up_got;
    int counted_upload;
    char addr[64];
    /* deferred handling (pool.c): 1 while on the pool, 2 when its response
     * (dresp, dstatus; NULL when none) waits for the connection's resume */
    int deferred;
    struct MHD_Response *dresp;
    unsigned dstatus;
    porch_srv_req *pool_next;
    void (*pool_fn)(porch_srv_req *r);
};

/* Responses: each returns PORCH_OK after queueing (or a negative code). */
int porch_srv_json(porch_srv_req *r, unsigned status, json_t *body);   /* steals body */
int porch_srv_error(porch_srv_req *r, unsigned status, const char *sym, const char *msg);
/* Maps a library/store code to a status and symbol. */
int porch_srv_fail(porch_srv_req *r, int err);
int porch_srv_empty(porch_srv_req *r, unsigned status, const char *hname, const char *hval);
int porch_srv_bytes(porch_srv_req *r, unsigned status, const uint8_t *data, size_t len,
                    const char *ctype);
/* Takes ownership of fd. */
int porch_srv_fd(porch_srv_req *r, unsigned status, int fd, uint64_t off, uint64_t len,
                 uint64_t total, int ranged);
int porch_srv_queue(porch_srv_req *r, unsigned status, struct MHD_Response *resp);

const char *porch_srv_header(porch_srv_req *r, const char *name);
int porch_srv_args_of(porch_srv_req *r, porch_srv_args *a);
int porch_srv_seg_hex(porch_srv_req *r, unsigned i, uint8_t *out, size_t n);

/* auth.c */
int porch_srv_auth_new(porch_srv_auth **out);
void porch_srv_auth_free(porch_srv_auth *a);
/* Bearer token -> household, device, verified roster and member. 401 on failure.
 * Also checks the URL's household (segment 2) equals the token's (403). */
int porch_srv_authenticate(porch_srv_req *r);
/* The household's roster at its current head, verified from the pinned owner
 * (shared; release with porch_srv_roster_release). */
int porch_srv_load_roster(porch_srv *s, const uint8_t hh[PORCH_SRV_HH], const porch_roster **out,
                          porch_roster_head *head);
void porch_srv_roster_release(porch_srv *s, const porch_roster *r);
int porch_srv_route_challenge(porch_srv_req *r);
int porch_srv_route_token(porch_srv_req *r);
int porch_srv_rate_ok(porch_srv *s, const char *addr, const uint8_t *dev);
void porch_srv_rate_fail(porch_srv *s, const char *addr, const uint8_t *dev);

/* authz.c */
#include "server/authz.h"

/* Roster scope, or (support) a live grant covering the clip. */
int porch_srv_clip_visible(porch_srv_req *r, const porch_srv_clip *c, porch_authz_action act);

/* Appends one access-log entry for the authenticated caller and commits it. */
int porch_srv_log_read(porch_srv_req *r, porch_log_kind kind, const uint8_t object[16]);

/* routes */
int porch_srv_route_server(porch_srv_req *r);
int porch_srv_route_health(porch_srv_req *r);
int porch_srv_route_metrics(porch_srv_req *r);
int porch_srv_route_hh_create(porch_srv_req *r);
int porch_srv_route_roster_get(porch_srv_req *r);
int porch_srv_route_roster_put(porch_srv_req *r);
int porch_srv_route_upload_head(porch_srv_req *r);
int porch_srv_route_upload_begin(porch_srv_req *r);
int porch_srv_route_upload_chunk(porch_srv_req *r);
int porch_srv_route_upload_end(porch_srv_req *r);
int porch_srv_route_complete(porch_srv_req *r);
int porch_srv_route_clip_list(porch_srv_req *r);
int porch_srv_route_clip_get(porch_srv_req *r);
int porch_srv_route_clip_header(porch_srv_req *r);
int porch_srv_route_clip_record(porch_srv_req *r);
int porch_srv_route_clip_delete(porch_srv_req *r);
int porch_srv_route_notice_post(porch_srv_req *r);
int porch_srv_route_notice_list(porch_srv_req *r);
int porch_srv_route_notice_stream(porch_srv_req *r);
void porch_srv_sse_wake(porch_srv *s, const uint8_t hh[PORCH_SRV_HH]);
void porch_srv_sse_stop_all(porch_srv *s);
int porch_srv_route_grant_post(porch_srv_req *r);
int porch_srv_route_grant_list(porch_srv_req *r);
int porch_srv_route_grant_delete(porch_srv_req *r);
int porch_srv_route_share_get(porch_srv_req *r);
int porch_srv_route_log_checkpoint(porch_srv_req *r);
int porch_srv_route_log_entries(porch_srv_req *r);
int porch_srv_route_log_inclusion(porch_srv_req *r);
int porch_srv_route_log_consistency(porch_srv_req *r);

/* slog.c: one JSON object per line on stderr. Never a token, key or body byte. */
void porch_srv_slog_request(porch_srv_req *r);
void porch_srv_slog(const char *level, const char *event, const char *detail);

/* metrics.c */
void porch_srv_metrics_init(porch_srv_metrics *m);
void porch_srv_metrics_request(porch_srv_metrics *m, int group, int status, uint64_t in,
                               uint64_t out);
void porch_srv_metrics_add(porch_srv_metrics *m, uint64_t *field, int64_t delta);
/* Ownership: *out malloc()ed text, caller frees. */
int porch_srv_metrics_text(porch_srv_metrics *m, char **out, size_t *len);

uint64_t porch_srv_now_us(void);
uint64_t porch_srv_mono_us(void);

#endif
