/*
 * porchlight/hub.h: the live hub: one ingest thread per camera, one
 * uploader thread, the spool between them (docs/HUB.md, docs/ARCHITECTURE.md).
 *
 *   camera thread (one each)          uploader thread (one)
 *   demux -> ring -> decode -> trigger    spool queue -> porch_uploader
 *        \-> event recorder -> spool  --notify-->
 *
 * Nothing a camera does blocks another camera: they share no lock except
 * the spool's (held only for directory scans) and the uploader's wake-up.
 * A stream that fails is retried with capped exponential backoff and
 * reported through the log function.
 */
#ifndef PORCHLIGHT_HUB_H
#define PORCHLIGHT_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/hub_config.h"
#include "porchlight/hub_record.h"
#include "porchlight/hub_spool.h"
#include "porchlight/hub_trigger.h"
#include "porchlight/identity.h"
#include "porchlight/roster.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_HUB_BACKOFF_MIN_US INT64_C(500000)
#define PORCH_HUB_BACKOFF_MAX_US INT64_C(30000000)
#define PORCH_HUB_IO_TIMEOUT_US INT64_C(5000000)   /* a read that blocks longer = dropped */
#define PORCH_HUB_RING_MAX_BYTES ((size_t)64 << 20)
#define PORCH_HUB_THUMB_WIDTH 640
#define PORCH_HUB_UPLOAD_BACKOFF_MAX_US INT64_C(60000000)
#define PORCH_HUB_RETENTION_PERIOD_US INT64_C(60000000)

/* Where finished clips go. The client library's uploader (lib/client,
 * HEAD/PATCH/complete, docs/SERVER.md) implements this; so does the
 * directory uploader below. */
typedef struct porch_uploader_ops {
    /* Sends the finished clip NAME stored at path, resuming where the
     * target left off; PORCH_OK only once the target holds it completely. */
    int (*upload)(void *self, const char *name, const char *path);
    void (*free)(void *self);
    /* Delivers the sealed notice of clip NAME (the same bytes on every
     * retry; the target must take a repeat as one notice). PORCH_OK once the
     * target holds it; FORBIDDEN, REJECTED or CONFLICT: refused for good.
     * NULL: this target takes no notices (none are queued). */
    int (*notice)(void *self, const char *name, const uint8_t *notice, size_t len);
    /* The target's own words on the last failure (e.g. libcurl's "SSL
     * certificate problem: ..."), owned by the uploader and valid until its
     * next call; NULL when it has none. May itself be NULL. */
    const char *(*why)(void *self);
} porch_uploader_ops;

typedef struct porch_uploader {
    const porch_uploader_ops *ops;
    void *self;
} porch_uploader;

/* Copies each clip into dir (atomically, fsynced) as NAME.clip, and each
 * notice as NAME.notice: a target for offline use and for tests of the
 * queue. Resumes by starting over. */
int porch_uploader_dir_new(porch_uploader *out, const char *dir);
void porch_uploader_free(porch_uploader *u);

/*
 * Uploads to the server at base_url ("http://127.0.0.1:8080", no /v1) as
 * the hub device hub of roster's household, pinning the server's signing
 * key. hub and roster are borrowed and must outlive the uploader. Resumable:
 * a clip cut off mid-upload continues from the offset the server holds.
 * Notices (sealed by the recorder when the event starts, queued in the
 * spool) are posted as they are; the server takes a repeat of the same
 * bytes as a retry, so each clip has exactly one notice. ca_file (copied)
 * is a PEM CA bundle that verifies an https server, or NULL for the
 * system's bundle.
 */
int porch_uploader_http_new(porch_uploader *out, const char *base_url,
                            const uint8_t server_pk[PORCH_SIGN_PK_BYTES],
                            const porch_device_secret *hub, const porch_roster *roster,
                            const char *ca_file);

/* Makes the trigger for a camera (the analysis pipeline plugs in here). */
typedef int (*porch_trigger_factory)(void *ctx, const porch_hub_camera_config *cam,
                                     porch_trigger *out);

typedef struct porch_hub_opts {
    const porch_hub_config *cfg;        /* borrowed; must outlive the hub */
    const porch_device_secret *hub;     /* borrowed; the hub's keys */
    const porch_roster *roster;         /* borrowed; verified */
    porch_uploader uploader;            /* taken over by the hub; ops NULL = none */
    porch_trigger_factory make_trigger; /* NULL = frame difference from cfg */
    void *trigger_ctx;
    porch_hub_log_fn log;
    void *log_ctx;
} porch_hub_opts;

typedef struct porch_hub_camera_stats {
    uint64_t packets, frames, decode_errors;
    uint64_t events, clips, record_errors;
    uint64_t connects, failures;        /* successful opens; opens failed or streams lost */
    uint64_t ts_jumps, param_changes, ring_overflows, paced_sleeps;
    int running;                        /* thread still ingesting */
} porch_hub_camera_stats;

typedef struct porch_hub porch_hub;

/*
 * Opens the spool (recovering interrupted clips), checks every camera
 * against the roster (the hub must be allowed to record it), and starts the
 * threads. A camera the roster does not allow is reported and skipped;
 * other cameras run. Ownership: *out, porch_hub_free().
 */
int porch_hub_start(porch_hub **out, const porch_hub_opts *o);
/* Waits until every camera thread has ended (inputs that end: files
 * without loop), then drains the upload queue if drain_us > 0 (at most
 * that long). */
void porch_hub_wait(porch_hub *h, int64_t drain_us);
/* Asks every thread to stop (async-signal-unsafe; call from a thread). */
void porch_hub_stop(porch_hub *h);
/* Stops (if needed), joins and frees everything; NULL-safe. */
void porch_hub_free(porch_hub *h);
int porch_hub_get_camera_stats(porch_hub *h, const char *camera, porch_hub_camera_stats *out);
porch_spool *porch_hub_spool(porch_hub *h);
uint64_t porch_hub_uploaded(porch_hub *h);

#ifdef __cplusplus
}
#endif

#endif
