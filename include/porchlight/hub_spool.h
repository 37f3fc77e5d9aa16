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

#ifdef __cplusplus
}
#endif

#endif
