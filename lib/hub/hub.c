/*
 * hub.c: starting and stopping the hub's threads; the uploader thread.
 *
 * Threads: one per camera (camera.c), one uploader. They share the spool
 * (its own mutex, held for directory scans only), the stop flag (atomic)
 * and two condition variables: stop_cond, on which every sleep waits so
 * that stopping is immediate, and up_cond, on which the uploader waits
 * for a notice, a clip or a retry time. The uploader also runs retention
 * (porch_spool_expire) when its queue is empty, at most once a period. A
 * camera never waits for the uploader: a finished clip is on disk and the
 * notification is a flag.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "porchlight/error.h"
#include "porchlight/hub.h"
#include "hub/hub_internal.h"

void porch__hub_logf(struct porch_hub *h, int level, const char *camera, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (!h->o.log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    h->o.log(h->o.log_ctx, level, camera, msg);
}

static struct timespec abs_after(int64_t us)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    us += ts.tv_nsec / 1000;
    ts.tv_sec += us / 1000000;
    ts.tv_nsec = (long)(us % 1000000) * 1000;
    return ts;
}

static void cond_init_mono(pthread_cond_t *c)
{
    pthread_condattr_t a;

    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
}

int porch__hub_sleep(struct porch_hub *h, int64_t us)
{
    struct timespec until = abs_after(us);
    int stopped;

    pthread_mutex_lock(&h->stop_mu);
    while (!(stopped = atomic_load(&h->stop)) &&
           pthread_cond_timedwait(&h->stop_cond, &h->stop_mu, &until) == 0)
        ;
    pthread_mutex_unlock(&h->stop_mu);
    return stopped;
}

void porch__hub_queued(struct porch_hub *h)
{
    pthread_mutex_lock(&h->up_mu);
    h->up_kick = 1;
    pthread_cond_broadcast(&h->up_cond);
    pthread_mutex_unlock(&h->up_mu);
}

static void kick(void *ctx)
{
    porch__hub_queued(ctx);
}

/* Waits for a kick, a stop or the timeout; 1 if kicked. */
static int up_wait(struct porch_hub *h, int64_t us)
{
    struct timespec until = abs_after(us);
    int kicked;

    pthread_mutex_lock(&h->up_mu);
    while (!h->up_kick && !atomic_load(&h->stop) &&
           pthread_cond_timedwait(&h->up_cond, &h->up_mu, &until) == 0)
        ;
    kicked = h->up_kick;
    h->up_kick = 0;
    pthread_mutex_unlock(&h->up_mu);
    return kicked;
}

static void set_idle(struct porch_hub *h, int idle)
{
    pthread_mutex_lock(&h->up_mu);
    h->up_idle = idle;
    pthread_cond_broadcast(&h->up_cond);
    pthread_mutex_unlock(&h->up_mu);
}

/* The target's own words on its last failure, or NULL. */
static const char *target_why(const struct porch_hub *h)
{
    const porch_uploader *u = &h->o.uploader;
    const char *w = u->ops->why ? u->ops->why(u->self) : NULL;

    return w && w[0] ? w : NULL;
}

/* Uploads one clip; returns PORCH_OK, or the failure (to back off),
 * logged with the target's reason when it gave one. */
static int upload_one(struct porch_hub *h, const char *name)
{
    char path[PORCH_SPOOL_PATH_MAX];
    const char *why = NULL;
    int ret = porch_spool_clip_path(h->spool, name, path, sizeof path);

    if (ret == PORCH_OK &&
        (ret = h->o.uploader.ops->upload(h->o.uploader.self, name, path)) != PORCH_OK)
        why = target_why(h);
    if (ret == PORCH_OK)
        ret = porch_spool_mark_uploaded(h->spool, name);
    if (ret != PORCH_OK) {
        porch__hub_logf(h, PORCH_HUB_WARN, NULL, "upload of %s failed (%s%s%s); it stays queued",
                        name, porch_strerror(ret), why ? ": " : "", why ? why : "");
        return ret;
    }
    pthread_mutex_lock(&h->up_mu);
    h->uploaded++;
    pthread_mutex_unlock(&h->up_mu);
    porch__hub_logf(h, PORCH_HUB_INFO, NULL, "uploaded %s", name);
    return PORCH_OK;
}

/* Delivers one queued notice; PORCH_OK when it is off the queue. Logs a
 * failure with the target's reason when the target gave one. */
static int notice_one(struct porch_hub *h, const char *name)
{
    uint8_t *notice = NULL;
    size_t len = 0;
    const char *why = NULL;
    int ret = porch_spool_notice_read(h->spool, name, &notice, &len);

    if (ret == PORCH_OK &&
        (ret = h->o.uploader.ops->notice(h->o.uploader.self, name, notice, len)) != PORCH_OK)
        why = target_why(h);
    free(notice);
    if (ret == PORCH_ERR_FORBIDDEN || ret == PORCH_ERR_REJECTED || ret == PORCH_ERR_CONFLICT) {
        porch__hub_logf(h, PORCH_HUB_ERROR, NULL,
                        "the notice of clip %s was refused (%s%s%s); it is NOT delivered", name,
                        porch_strerror(ret), why ? ": " : "", why ? why : "");
        return porch_spool_notice_done(h->spool, name);
    }
    if (ret == PORCH_OK && (ret = porch_spool_notice_done(h->spool, name)) == PORCH_OK)
        porch__hub_logf(h, PORCH_HUB_INFO, NULL, "notice of %s delivered", name);
    else
        porch__hub_logf(h, PORCH_HUB_WARN, NULL,
                        "notice of %s not delivered (%s%s%s); it stays queued", name,
                        porch_strerror(ret), why ? ": " : "", why ? why : "");
    return ret;
}

/* Every queued notice, oldest first, before any clip (they are what tells
 * people); stops at the first failure (the target is away). */
static int send_notices(struct porch_hub *h)
{
    char name[PORCH_SPOOL_NAME_BYTES];
    int ret = 0;

    if (!h->o.uploader.ops->notice)
        return PORCH_OK;
    while (!atomic_load(&h->stop) && (ret = porch_spool_next_notice(h->spool, NULL, name)) > 0)
        if ((ret = notice_one(h, name)) != PORCH_OK)
            return ret;
    return ret < 0 ? ret : PORCH_OK;
}

static uint64_t retention_of(void *ctx, const char *camera)
{
    const porch_hub_config *cfg = ctx;

    for (size_t i = 0; i < cfg->n_cameras; i++)
        if (!strcmp(cfg->cameras[i].name, camera))
            return cfg->cameras[i].retention_s * 1000000u;
    return 0; /* a camera no longer configured: keep its clips */
}

static void expire(struct porch_hub *h)
{
    int ret = porch_spool_expire(h->spool, porch__wall_us(), retention_of, (void *)h->o.cfg);

    if (ret != PORCH_OK)
        porch__hub_logf(h, PORCH_HUB_WARN, NULL, "retention pass failed (%s)",
                        porch_strerror(ret));
}

static void *uploader_main(void *arg)
{
    struct porch_hub *h = arg;
    char name[PORCH_SPOOL_NAME_BYTES], after[PORCH_SPOOL_NAME_BYTES] = "";
    int64_t backoff = 1000000, expired_at = 0;
    int ret, failed = 0, notices_failed = 0;

    /* Notices first, then clips oldest first; a clip that fails is passed
     * over for this round so it cannot hold the others back; after a round
     * with failures, back off. Retention runs when the queue is empty. */
    while (!atomic_load(&h->stop)) {
        if (!notices_failed && send_notices(h) != PORCH_OK)
            notices_failed = failed = 1;
        ret = porch_spool_next_pending(h->spool, after, name);
        if (ret <= 0) {
            after[0] = '\0';
            notices_failed = 0;
            if (porch__mono_us() - expired_at >= PORCH_HUB_RETENTION_PERIOD_US || !expired_at) {
                expire(h);
                expired_at = porch__mono_us();
            }
            set_idle(h, !failed);
            /* A kick (a new event's notice or clip) retries at once; only
             * a wait that ran out grows the backoff, so events during an
             * outage do not push the next try far past the server's return. */
            if (failed && !up_wait(h, backoff)) {
                backoff = backoff * 2 > PORCH_HUB_UPLOAD_BACKOFF_MAX_US
                              ? PORCH_HUB_UPLOAD_BACKOFF_MAX_US : backoff * 2;
            } else if (!failed) {
                backoff = 1000000;
                up_wait(h, 5000000);
            }
            failed = 0;
            continue;
        }
        set_idle(h, 0);
        if ((ret = upload_one(h, name)) == PORCH_OK) {
            backoff = 1000000;
            continue;
        }
        failed = 1;
        memcpy(after, name, sizeof after);
    }
    return NULL;
}

static void spool_log(void *ctx, int level, const char *camera, const char *msg)
{
    struct porch_hub *h = ctx;

    if (h->o.log)
        h->o.log(h->o.log_ctx, level, camera, msg);
}

static int camera_init(struct porch_hub *h, struct porch__camera *cam,
                       const porch_hub_camera_config *cfg)
{
    porch_trigger_factory make = h->o.make_trigger ? h->o.make_trigger : porch__hub_make_trigger;
    void *make_ctx = h->o.make_trigger ? h->o.trigger_ctx : h;
    porch_roster_head head;
    int ret;

    cam->hub = h;
    cam->cfg = cfg;
    pthread_mutex_init(&cam->mu, NULL);
    porch_roster_get_head(h->o.roster, &head);
    ret = porch_roster_check_hub_at(h->o.roster, head.seq,
                                    porch_device_public_of(h->o.hub)->sign_pk, cfg->name);
    if (ret != PORCH_OK) {
        porch__hub_logf(h, PORCH_HUB_ERROR, cfg->name,
                        "not recorded: the roster does not make this hub a hub for the camera (%s)",
                        porch_errname(ret));
        return ret;
    }
    if ((ret = porch_pkt_ring_new(&cam->ring, cfg->preroll_us, PORCH_HUB_RING_MAX_BYTES)) ==
        PORCH_OK)
        ret = make(make_ctx, cfg, &cam->trig);
    /* The built-in detect trigger never reads in->grey (hub_trigger.h); a
     * caller's factory may, so it always gets one. */
    cam->grey = h->o.make_trigger || cfg->trigger != PORCH_HUB_TRIGGER_DETECT;
    if (ret != PORCH_OK)
        porch__hub_logf(h, PORCH_HUB_ERROR, cfg->name, "not recorded: %s",
                        porch_strerror(ret));
    return ret;
}

static int start_threads(struct porch_hub *h)
{
    size_t running = 0;

    for (size_t i = 0; i < h->n_cams; i++) {
        struct porch__camera *cam = &h->cams[i];
        if (!cam->ring || !cam->trig.ops)
            continue;
        cam->st.running = 1;
        if (pthread_create(&cam->th, NULL, porch__camera_main, cam) != 0) {
            cam->st.running = 0;
            porch__hub_logf(h, PORCH_HUB_ERROR, cam->cfg->name, "cannot start its thread");
            continue;
        }
        cam->started = 1;
        running++;
    }
    if (h->o.uploader.ops && pthread_create(&h->up_th, NULL, uploader_main, h) == 0)
        h->up_started = 1;
    return running ? PORCH_OK : PORCH_ERR_HUB_CONFIG;
}

int porch_hub_start(porch_hub **out, const porch_hub_opts *o)
{
    porch_hub *h;
    int ret;

    if (out)
        *out = NULL;
    if (!out || !o || !o->cfg || !o->hub || !o->roster)
        return PORCH_ERR_INVALID_ARG;
    if (!(h = calloc(1, sizeof *h)))
        return PORCH_ERR_NOMEM;
    h->o = *o;
    atomic_init(&h->stop, 0);
    pthread_mutex_init(&h->up_mu, NULL);
    pthread_mutex_init(&h->stop_mu, NULL);
    cond_init_mono(&h->up_cond);
    cond_init_mono(&h->stop_cond);
    ret = porch_spool_open(&h->spool, o->cfg->spool_dir, o->cfg->spool_limit, spool_log, h);
    if (ret == PORCH_OK && o->uploader.ops && o->uploader.ops->notice)
        porch_spool_set_notices(h->spool, kick, h);
    if (ret == PORCH_OK && !(h->cams = calloc(o->cfg->n_cameras, sizeof *h->cams)))
        ret = PORCH_ERR_NOMEM;
    if (ret == PORCH_OK && !o->make_trigger)
        ret = porch__hub_detect_init(h);
    for (size_t i = 0; ret == PORCH_OK && i < o->cfg->n_cameras; i++, h->n_cams++)
        camera_init(h, &h->cams[i], &o->cfg->cameras[i]);
    if (ret == PORCH_OK)
        ret = start_threads(h);
    if (ret != PORCH_OK) {
        porch_hub_free(h);
        return ret;
    }
    *out = h;
    return PORCH_OK;
}

static int cameras_running(porch_hub *h)
{
    int n = 0;

    for (size_t i = 0; i < h->n_cams; i++) {
        pthread_mutex_lock(&h->cams[i].mu);
        n += h->cams[i].st.running;
        pthread_mutex_unlock(&h->cams[i].mu);
    }
    return n;
}

void porch_hub_wait(porch_hub *h, int64_t drain_us)
{
    int64_t until;

    if (!h)
        return;
    while (cameras_running(h) && !atomic_load(&h->stop))
        porch__hub_sleep(h, 50000);
    if (!h->up_started || drain_us <= 0)
        return;
    porch__hub_queued(h);
    until = porch__mono_us() + drain_us;
    while (porch__mono_us() < until && !atomic_load(&h->stop)) {
        char name[PORCH_SPOOL_NAME_BYTES];
        if (porch_spool_next_pending(h->spool, NULL, name) == 0 &&
            porch_spool_next_notice(h->spool, NULL, name) == 0) {
            expire(h); /* what was just uploaded may be past retention */
            return;
        }
        porch__hub_sleep(h, 50000);
    }
}

void porch_hub_stop(porch_hub *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, 1);
    pthread_mutex_lock(&h->stop_mu);
    pthread_cond_broadcast(&h->stop_cond);
    pthread_mutex_unlock(&h->stop_mu);
    porch__hub_queued(h);
}

void porch_hub_free(porch_hub *h)
{
    if (!h)
        return;
    porch_hub_stop(h);
    for (size_t i = 0; i < h->n_cams; i++) {
        if (h->cams[i].started)
            pthread_join(h->cams[i].th, NULL);
        porch_trigger_free(&h->cams[i].trig);
        porch_pkt_ring_free(h->cams[i].ring);
        pthread_mutex_destroy(&h->cams[i].mu);
    }
    if (h->up_started)
        pthread_join(h->up_th, NULL);
    porch_uploader_free(&h->o.uploader);
    porch__hub_detect_free(h);
    free(h->cams);
    porch_spool_close(h->spool);
    pthread_cond_destroy(&h->up_cond);
    pthread_cond_destroy(&h->stop_cond);
    pthread_mutex_destroy(&h->up_mu);
    pthread_mutex_destroy(&h->stop_mu);
    free(h);
}

int porch_hub_get_camera_stats(porch_hub *h, const char *camera, porch_hub_camera_stats *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!h || !camera || !out)
        return PORCH_ERR_INVALID_ARG;
    for (size_t i = 0; i < h->n_cams; i++) {
        if (strcmp(h->cams[i].cfg->name, camera))
            continue;
        pthread_mutex_lock(&h->cams[i].mu);
        *out = h->cams[i].st;
        pthread_mutex_unlock(&h->cams[i].mu);
        return PORCH_OK;
    }
    return PORCH_ERR_INVALID_ARG;
}

porch_spool *porch_hub_spool(porch_hub *h)
{
    return h ? h->spool : NULL;
}

uint64_t porch_hub_uploaded(porch_hub *h)
{
    uint64_t n;

    if (!h)
        return 0;
    pthread_mutex_lock(&h->up_mu);
    n = h->uploaded;
    pthread_mutex_unlock(&h->up_mu);
    return n;
}
