/*
 * hub_internal.h (internal): shared between the files of lib/hub.
 */
#ifndef PORCH_HUB_INTERNAL_H
#define PORCH_HUB_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "porchlight/hub_spool.h"

#define PORCH_SPOOL_PATH_MAX 4096
#define PORCH_SPOOL_MAX_ENTRIES 100000u

struct porch_spool {
    char dir[2048];
    uint64_t limit;
    porch_hub_log_fn log;
    void *log_ctx;
    pthread_mutex_t mu;        /* guards stats and every scan/evict */
    porch_spool_stats stats;
    int notices_on;            /* set before writers start */
    porch_spool_queued_fn queued;
    void *queued_ctx;
    uint64_t expire_last_us;   /* wall time of the last retention pass (0: none) */
};

/* One finished clip seen by a scan. */
struct porch__spool_entry {
    char name[PORCH_SPOOL_NAME_BYTES];
    uint64_t bytes;
    int uploaded;
};

/* Removes NAME.clip then NAME.up (caller holds s->mu). */
void porch__spool_remove_clip(porch_spool *s, const char *name);

struct porch__spool_list {
    struct porch__spool_entry *e;   /* malloc; sorted by name (oldest first) */
    size_t n;
};

void porch__spool_logf(porch_spool *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int porch__spool_path(const porch_spool *s, const char *name, const char *ext, char *out,
                      size_t cap);
/* 16 hex, '-', 32 hex. */
int porch__spool_name_valid(const char *name);
/* Caller holds s->mu. Refreshes s->stats' bytes/clips/pending; fills *l
 * (if not NULL; free(l->e) after) with the finished clips. */
int porch__spool_scan(porch_spool *s, struct porch__spool_list *l);
/* Closes or removes every .partial (start-up, before any writer). */
int porch__spool_recover(porch_spool *s);


/* ---- ingest (input.c) ---- */

#include <stdatomic.h>
#include <libavformat/avformat.h>
#include "porchlight/hub_config.h"

/* What a blocking libavformat call checks: stop asked, or deadline passed. */
struct porch__io {
    atomic_int *stop;
    int64_t deadline_us;        /* monotonic; 0 = none */
};

int64_t porch__mono_us(void);
uint64_t porch__wall_us(void);

/* Opens url as a camera input (rtsp transport, timeouts, protocol
 * whitelist, v4l2: prefix). Ownership: *out, avformat_close_input(). */
int porch__hub_open_input(AVFormatContext **out, const porch_hub_camera_config *cam,
                          const char *url, struct porch__io *io);

/* Luma of a decoded picture, point-sampled (2x2 mean at each sample) down
 * to about `width` pixels wide, into *buf (malloc, grown; caller frees). */
int porch__hub_grey(const AVFrame *f, int width, uint8_t **buf, size_t *cap, int *out_w,
                    int *out_h, size_t *stride);

/* ---- a camera's analysis stream (substream.c) ---- */

struct porch__sub;
/* One decoded analysis picture at main-stream time ts_us. */
typedef void (*porch__sub_frame_fn)(void *ctx, const AVFrame *f, int64_t ts_us);
/* Opens cfg->analysis_url. Ownership: *out, porch__sub_free(). */
int porch__sub_open(struct porch__sub **out, const porch_hub_camera_config *cfg,
                    atomic_int *stop);
/* Reads and decodes until the analysis stream reaches main_ts (main-stream
 * time), calling fn per picture. Errors: PORCH_ERR_HUB_STREAM (lost, or a
 * network stream ended), PORCH_ERR_HUB_STOPPED, PORCH_ERR_NOMEM. */
int porch__sub_until(struct porch__sub *s, int64_t main_ts, porch__sub_frame_fn fn, void *ctx);
void porch__sub_size(const struct porch__sub *s, int *w, int *h);
void porch__sub_free(struct porch__sub *s);

/* ---- the hub and its cameras (hub.c, camera.c) ---- */

#include "porchlight/hub.h"

struct porch__camera {
    struct porch_hub *hub;
    const porch_hub_camera_config *cfg;
    pthread_t th;
    int started;
    pthread_mutex_t mu;             /* guards st */
    porch_hub_camera_stats st;
    porch_trigger trig;             /* camera thread only */
    int grey;                       /* trig reads porch_trigger_input.grey (the detect
                                       trigger makes its own: the camera skips it) */
    porch_pkt_ring *ring;           /* camera thread only */
};

struct porch_hub {
    porch_hub_opts o;
    porch_spool *spool;
    porch_nn_model *model;          /* nanodet, shared read-only by the detect cameras */
    int model_err;                  /* why it is NULL (PORCH_OK: no camera needs it) */
    char model_path[PORCH_HUB_STR_MAX + 16];
    porch_detect_budget *budget;    /* detector runs in flight across cameras */
    unsigned detect_threads;        /* per detect camera */
    atomic_int stop;
    struct porch__camera *cams;
    size_t n_cams;
    pthread_t up_th;
    int up_started;
    pthread_mutex_t up_mu;          /* guards up_* below */
    pthread_cond_t up_cond;
    int up_kick;                    /* a new clip is queued */
    uint64_t uploaded;
    int64_t up_idle;                /* 1 when the queue was seen empty */
    pthread_mutex_t stop_mu;        /* for interruptible sleeps */
    pthread_cond_t stop_cond;
};

void porch__hub_logf(struct porch_hub *h, int level, const char *camera, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sleeps up to us, returning early (1) when the hub stops. */
int porch__hub_sleep(struct porch_hub *h, int64_t us);
/* Wakes the uploader: clip NAME is queued. */
void porch__hub_queued(struct porch_hub *h);
void *porch__camera_main(void *arg);

/* ---- detection (hub_detect.c, budget.c) ---- */

/* Loads the model and sizes the budget when a camera uses `trigger =
 * detect` (a load failure is kept in h->model_err, reported per camera). */
int porch__hub_detect_init(struct porch_hub *h);
/* The hub's own trigger factory (ctx = the hub): the camera's `trigger`. */
int porch__hub_make_trigger(void *ctx, const porch_hub_camera_config *cam, porch_trigger *out);
void porch__hub_detect_free(struct porch_hub *h);
/* Waits for a free detector run; NULL-safe (no budget: no wait). */
void porch__budget_acquire(porch_detect_budget *b);
void porch__budget_release(porch_detect_budget *b);

#endif
