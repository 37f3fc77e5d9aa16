/*
 * porchlight/hub_spool.h: the hub's local spool of sealed clips, which is
 * also the upload queue (docs/HUB.md, "Spool").
 *
 *   DIR/NAME.partial   a clip being written: header, then whole records,
 *                      each appended and fdatasync()ed as it is sealed
 *   DIR/NAME.tail      the sealed final record that would close the partial
 *                      at its current length (replaced atomically)
 *   DIR/NAME.clip      a finished clip (renamed from .partial), queued
 *   DIR/NAME.up        marker: the server holds NAME completely
 *   DIR/NAME.notice    the clip's sealed notice, queued when the event
 *                      starts (before the clip's first byte), removed once
 *                      the target confirmed it. Posting it again after a
 *                      crash is harmless: the server is idempotent by the
 *                      notice's id, and these are the same bytes.
 *
 * NAME = 16 hex digits of start_us, '-', 32 hex digits of the clip id, so
 * names sort oldest first. On open, each .partial is closed as a valid
 * shorter clip (records up to its tail's index + the tail) or removed with
 * a report. The size limit evicts uploaded clips oldest first; an
 * un-uploaded clip is dropped only when nothing uploaded is left, and
 * always with a report. All calls are thread-safe (one mutex).
 */
#ifndef PORCHLIGHT_HUB_SPOOL_H
#define PORCHLIGHT_HUB_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/clip.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_SPOOL_NAME_BYTES 50u  /* 16 + 1 + 32 + NUL */
#define PORCH_SPOOL_MAX_CLIP ((size_t)2 << 30)

/* Severity of a report. */
enum { PORCH_HUB_INFO = 0, PORCH_HUB_WARN = 1, PORCH_HUB_ERROR = 2 };

/* Where the hub's library code reports (it never prints). camera may be
 * NULL. Called from any hub thread: the function must be thread-safe. */
typedef void (*porch_hub_log_fn)(void *ctx, int level, const char *camera, const char *msg);

typedef struct porch_spool_stats {
    uint64_t bytes;              /* bytes of .clip/.partial/.tail files */
    uint64_t clips;              /* finished clips present */
    uint64_t pending;            /* of those, not yet uploaded */
    uint64_t evicted_uploaded;   /* uploaded clips evicted for space */
    uint64_t dropped_pending;    /* NOT uploaded clips dropped for space (reported) */
    uint64_t partial_closed;     /* interrupted clips closed as shorter clips */
    uint64_t partial_removed;    /* interrupted clips that could not be closed (reported) */
    uint64_t notices;            /* sealed notices queued, not yet confirmed */
    uint64_t expired;            /* uploaded clips removed past their retention */
    uint64_t overdue;            /* clips past their retention kept: NOT uploaded (reported) */
} porch_spool_stats;

typedef struct porch_spool porch_spool;
typedef struct porch_spool_clip porch_spool_clip;

/*
 * Opens (creating) dir, recovers interrupted clips, applies the limit.
 * Ownership: *out owned by the caller, porch_spool_close(). Errors: IO, NOMEM.
 */
int porch_spool_open(porch_spool **out, const char *dir, uint64_t limit,
                     porch_hub_log_fn log, void *log_ctx);
void porch_spool_close(porch_spool *s);
void porch_spool_get_stats(porch_spool *s, porch_spool_stats *out);

/* Starts NAME.partial with the clip's header (fsynced) and the tail that
 * closes it empty. Ownership: *out until finish or abort. */
int porch_spool_clip_begin(porch_spool *s, porch_spool_clip **out, const porch_clip_info *info,
                           const uint8_t *header, size_t header_len,
                           const uint8_t *tail, size_t tail_len);
/* Appends one sealed record (durable on return). */
int porch_spool_clip_append(porch_spool_clip *c, const uint8_t *rec, size_t rec_len);
/* Replaces the tail (atomically): call after each append with the final
 * record sealed for the next index (porch_clip_writer_seal_tail). */
int porch_spool_clip_tail(porch_spool_clip *c, const uint8_t *tail, size_t tail_len);
/* Appends the final record, renames to .clip, removes the tail, frees c.
 * On error c is freed and the partial left for recovery. */
int porch_spool_clip_finish(porch_spool_clip *c, const uint8_t *rec, size_t rec_len,
                            char name[PORCH_SPOOL_NAME_BYTES]);
/* Stops writing (as a crash would); the partial is recovered on the next
 * porch_spool_open(). NULL-safe. */
void porch_spool_clip_abort(porch_spool_clip *c);

/* The oldest finished clip not uploaded and not after `after` ("" = from
 * the start): 1 and its name, 0 when there is none, or an error. */
int porch_spool_next_pending(porch_spool *s, const char *after,
                             char name[PORCH_SPOOL_NAME_BYTES]);
/* Writes the .up marker (fsynced), then applies the limit. */
int porch_spool_mark_uploaded(porch_spool *s, const char *name);
/* DIR/NAME.clip into path. */
int porch_spool_clip_path(porch_spool *s, const char *name, char *path, size_t cap);
/* Evicts to the limit (reports every drop of an un-uploaded clip). */
int porch_spool_enforce(porch_spool *s);

/* Called, from the writing thread, after a notice or a clip is queued. */
typedef void (*porch_spool_queued_fn)(void *ctx);
/* Turns the notice queue on (recorders then queue a notice per clip; the
 * hub does when its uploader can post them) and sets the hook (may be
 * NULL). Call before any writer starts. */
void porch_spool_set_notices(porch_spool *s, porch_spool_queued_fn fn, void *ctx);
int porch_spool_notices_on(const porch_spool *s);
/* Queues the sealed notice of clip `info` as NAME.notice (atomic, durable),
 * then calls the hook. */
int porch_spool_notice_put(porch_spool *s, const porch_clip_info *info,
                           const uint8_t *notice, size_t len);
/* The oldest queued notice after `after` (NULL or "" = from the start): 1
 * and its clip's name, 0 when there is none, or an error. */
int porch_spool_next_notice(porch_spool *s, const char *after,
                            char name[PORCH_SPOOL_NAME_BYTES]);
/* Reads NAME.notice. Ownership: *out malloc()ed for the caller. */
int porch_spool_notice_read(porch_spool *s, const char *name, uint8_t **out, size_t *len);
/* The target holds the notice (or refused it for good): removes it. */
int porch_spool_notice_done(porch_spool *s, const char *name);

/* Retention in microseconds of clips from `camera` (0 = keep until evicted). */
typedef uint64_t (*porch_spool_retention_fn)(void *ctx, const char *camera);
/*
 * Applies retention at wall time now_us: an uploaded clip whose start is
 * more than its camera's retention before now is removed (counted in
 * `expired`). A clip past retention that is NOT uploaded is kept, because
 * it is the only copy, and reported at WARN once when it becomes overdue
 * (counted in `overdue` while it stays); it goes at the first pass after
 * its upload. The size limit still applies to everything.
 */
int porch_spool_expire(porch_spool *s, uint64_t now_us, porch_spool_retention_fn fn,
                       void *ctx);

#ifdef __cplusplus
}
#endif

#endif
