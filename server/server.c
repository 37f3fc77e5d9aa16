/*
 * server.c: start-up and shutdown of porchlight-server, its signing key and
 * the sweeper thread (request-head deadlines every second; expired tokens
 * and SSE keepalives on their intervals).
 *
 * The server's key (DATA/server.key, 0600) signs log checkpoints and is
 * bound into auth signatures. It is a device key file sealed under an empty
 * passphrase: its protection is the file's permissions, and it opens no
 * clip, notice or share (no wrap is ever made for it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "server/srv.h"

int porch__srv_daemon_start(porch_srv *s, const char *cert, const char *key);
void porch_srv_reap_slow(porch_srv *s);
void porch_srv_sse_keepalive(porch_srv *s);

static int load_or_create_key(porch_srv *s)
{
    char path[PATH_MAX];
    uint8_t *file = NULL;
    size_t len = 0;
    int ret;

    snprintf(path, sizeof path, "%s/server.key", s->cfg.data);
    ret = porch_file_read(path, 4096, &file, &len);
    if (ret == PORCH_OK) {
        ret = porch_device_unseal(&s->key, file, len, "", 0);
    } else {
        if ((ret = porch_device_generate(&s->key, "porchlight-server")) == PORCH_OK &&
            (ret = porch_device_seal(s->key, "", 0, PORCH_KDF_INTERACTIVE, &file, &len)) ==
                PORCH_OK)
            ret = porch_file_write_atomic(path, file, len, 0600);
    }
    free(file);
    if (ret == PORCH_OK)
        memcpy(s->sign_pk, porch_device_public_of(s->key)->sign_pk, PORCH_SIGN_PK_BYTES);
    return ret;
}

/* Enough descriptors for conn_limit connections plus files and SQLite. */
static void raise_fd_limit(unsigned conns)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)conns * 2 + 256;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void *sweeper(void *arg)
{
    porch_srv *s = arg;
    uint64_t ticks = 0;

    pthread_mutex_lock(&s->stop_lock);
    while (!s->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&s->stop_cond, &s->stop_lock, &ts);
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->stop_lock);
        ticks++;
        porch_srv_reap_slow(s);
        if (ticks % s->cfg.sweep_s == 0) {
            s->meta->ops->token_sweep(s->meta, porch_srv_now_us());
            s->meta->ops->share_sweep(s->meta, porch_srv_now_us());
        }
        if (ticks % s->cfg.keepalive_s == 0)
            porch_srv_sse_keepalive(s);
        pthread_mutex_lock(&s->stop_lock);
    }
    pthread_mutex_unlock(&s->stop_lock);
    return NULL;
}

static int open_stores(porch_srv *s)
{
    char path[PATH_MAX];
    int ret;

    if (mkdir(s->cfg.data, 0700) != 0 && errno != EEXIST)
        return PORCH_ERR_IO;
    snprintf(path, sizeof path, "%s/meta.sqlite", s->cfg.data);
    if ((ret = porch_srv_meta_sqlite_open(&s->meta, path)) != PORCH_OK)
        return ret;
    if ((ret = porch_srv_blobs_dir_open(&s->blobs, s->cfg.data)) != PORCH_OK)
        return ret;
    return load_or_create_key(s);
}

/* Ownership: *out stopped and freed with porch_srv_stop(). */
int porch_srv_start(porch_srv **out, const porch_srv_config *cfg, char *why, size_t cap)
{
    porch_srv *s = calloc(1, sizeof *s);
    char *cert = NULL, *key = NULL;
    int ret = PORCH_ERR_NOMEM;

    *out = NULL;
    why[0] = '\0';
    if (!s)
        return ret;
    s->cfg = *cfg;
    porch_srv_metrics_init(&s->metrics);
    pthread_mutex_init(&s->sse_lock, NULL);
    pthread_mutex_init(&s->conn_lock, NULL);
    pthread_mutex_init(&s->stop_lock, NULL);
    pthread_cond_init(&s->stop_cond, NULL);
    raise_fd_limit(cfg->conn_limit);
    if ((ret = porch_init()) != PORCH_OK ||
        (ret = porch_srv_tls_load(cfg, &cert, &key, why, cap)) != PORCH_OK ||
        (ret = porch_srv_auth_new(&s->auth)) != PORCH_OK ||
        (ret = porch_srv_rcache_new(&s->rcache)) != PORCH_OK ||
        (ret = open_stores(s)) != PORCH_OK)
        goto out;
    s->meta->ops->share_sweep(s->meta, porch_srv_now_us());   /* expired grants: at start too */
    if ((ret = porch_srv_pool_start(&s->pool, cfg->threads)) != PORCH_OK ||
        (ret = porch__srv_daemon_start(s, cert, key)) != PORCH_OK)
        goto out;
    if (pthread_create(&s->sweeper, NULL, sweeper, s) != 0) {
        ret = PORCH_ERR_NOMEM;
        goto out;
    }
    s->sweeper_started = 1;
    *out = s;
    s = NULL;
out:
    porch_srv_tls_free(cert, key);
    porch_srv_stop(s);
    return ret;
}

void porch_srv_stop(porch_srv *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_quiesce_daemon(s->daemon);   /* stop accepting */
    pthread_mutex_lock(&s->stop_lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->stop_cond);
    pthread_mutex_unlock(&s->stop_lock);
    if (s->sweeper_started)
        pthread_join(s->sweeper, NULL);
    porch_srv_sse_stop_all(s);          /* streams end; nothing stays suspended */
    for (int i = 0; i < 50 && s->daemon; i++) {   /* in-flight requests: <= 5 s */
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!di || di->num_connections == 0)
            break;
        porch_srv_sse_stop_all(s);
        usleep(100000);
    }
    porch_srv_pool_stop(s->pool);       /* runs what is queued: every deferred request resumed */
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    porch_srv_pool_free(s->pool);       /* after MHD: no worker submits any more */
    if (s->meta)
        s->meta->ops->close(s->meta);
    if (s->blobs)
        s->blobs->ops->close(s->blobs);
    porch_device_free(s->key);
    porch_srv_auth_free(s->auth);
    porch_srv_rcache_free(s->rcache);
    pthread_cond_destroy(&s->stop_cond);
    pthread_mutex_destroy(&s->stop_lock);
    pthread_mutex_destroy(&s->sse_lock);
    pthread_mutex_destroy(&s->conn_lock);
    pthread_mutex_destroy(&s->metrics.lock);
    free(s);
}
