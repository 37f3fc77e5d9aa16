/*
 * store.h (server): the two storage interfaces of porchlight-server.
 *
 * Metadata store (porch_srv_meta): households and their roster bytes, tokens
 * (SHA-256 only), uploads in progress, clips and their record index, notices,
 * and the per-household access log (entries, leaf hashes, cached perfect
 * subtree hashes). Every call is one transaction: when it returns PORCH_OK
 * the change is durable (embedded backend: SQLite WAL, synchronous=NORMAL,
 * then a group-commit fdatasync of the WAL). Calls are thread-safe.
 *
 * Blob store (porch_srv_blobs): sealed clips as opaque bytes. Uploads append
 * to a partial object; commit makes it visible atomically; shred destroys the
 * header bytes (every wrap of the content key) before removal.
 *
 * Both are vtables so PostgreSQL and an S3-compatible store can slot in.
 * Nothing stored here is readable content: the server holds only sealed bytes.
 */
#ifndef PORCH_SERVER_STORE_H
#define PORCH_SERVER_STORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "porchlight/clip.h"
#include "porchlight/log.h"
#include "porchlight/roster.h"

#define PORCH_SRV_HH PORCH_HOUSEHOLD_ID_BYTES
#define PORCH_SRV_CLIP PORCH_CLIP_ID_BYTES

typedef struct porch_srv_clip {
    uint8_t household[PORCH_SRV_HH];
    uint8_t clip[PORCH_SRV_CLIP];
    char camera[PORCH_CAMERA_ID_MAX + 1];
    uint64_t start_us, size, uploaded_us;
    uint32_t records;
    uint32_t header_len;
    uint8_t sha256[32];
} porch_srv_clip;

typedef struct porch_srv_upload {
    uint64_t offset;                    /* bytes durable in the partial object */
    uint8_t hub_pk[PORCH_SIGN_PK_BYTES];
    int header_ok;                      /* header parsed and checked */
    char camera[PORCH_CAMERA_ID_MAX + 1];
    uint64_t start_us;
} porch_srv_upload;

typedef struct porch_srv_notice {
    uint64_t seq;
    char camera[PORCH_CAMERA_ID_MAX + 1];
    uint64_t time_us;
    uint8_t clip[PORCH_SRV_CLIP];
    uint8_t *data;                      /* malloc()ed by list calls */
    size_t len;
} porch_srv_notice;

typedef struct porch_srv_grant {
    uint8_t grant[16];
    uint8_t support_pk[PORCH_SIGN_PK_BYTES];
    uint64_t expires_us;
    int revoked;
    uint32_t n_shares;
    uint8_t *data;                      /* grant bytes; malloc()ed by list calls */
    size_t len;
} porch_srv_grant;

typedef struct porch_srv_share {
    uint8_t clip[PORCH_SRV_CLIP];
    const uint8_t *data;
    size_t len;
} porch_srv_share;

/* Called once per grant by grant_list (g->data valid during the call). */
typedef int (*porch_srv_grant_fn)(void *ctx, const porch_srv_grant *g);

typedef struct porch_srv_clip_query {
    const char *camera;                 /* NULL: any */
    uint64_t from_us, to_us;            /* [from, to); to 0 = no bound */
    const uint8_t *after;               /* NULL or a clip id: resume after it */
    uint64_t after_start_us;
    unsigned limit;
} porch_srv_clip_query;

/* Called once per clip by list; non-zero stops the walk. */
typedef int (*porch_srv_clip_fn)(void *ctx, const porch_srv_clip *c);

typedef struct porch_srv_meta porch_srv_meta;

typedef struct porch_srv_meta_ops {
    /* Households. roster: *out malloc()ed, caller frees. */
    int (*household_create)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                            const uint8_t owner[PORCH_SIGN_PK_BYTES], const uint8_t *roster,
                            size_t len, const porch_roster_head *head);
    int (*household_get)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                         uint8_t owner[PORCH_SIGN_PK_BYTES], porch_roster_head *head,
                         uint8_t **roster, size_t *len);
    /* Replaces the roster only if the stored head is still old (compare-and-set). */
    int (*roster_replace)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                          const porch_roster_head *old, const porch_roster_head *head,
                          const uint8_t *roster, size_t len);
    /* Tokens: only SHA-256(token) is stored. */
    int (*token_put)(porch_srv_meta *m, const uint8_t th[32], const uint8_t hh[PORCH_SRV_HH],
                     const uint8_t dev[PORCH_SIGN_PK_BYTES], uint64_t expires_us);
    int (*token_get)(porch_srv_meta *m, const uint8_t th[32], uint8_t hh[PORCH_SRV_HH],
                     uint8_t dev[PORCH_SIGN_PK_BYTES], uint64_t *expires_us);
    int (*token_sweep)(porch_srv_meta *m, uint64_t now_us);
    /* Uploads in progress. get: PORCH_ERR_NOT_FOUND when none. */
    int (*upload_get)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                      const uint8_t clip[PORCH_SRV_CLIP], porch_srv_upload *out);
    int (*upload_put)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                      const uint8_t clip[PORCH_SRV_CLIP], const porch_srv_upload *u);
    int (*upload_delete)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                         const uint8_t clip[PORCH_SRV_CLIP]);
    /* Bytes of committed clips plus uploads in progress. */
    int (*usage)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], uint64_t *bytes);
    /* Clips: insert row + record index + drop the upload row, one transaction. */
    int (*clip_commit)(porch_srv_meta *m, const porch_srv_clip *c, const uint64_t *rec_off,
                       const uint32_t *rec_len);
    int (*clip_get)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                    const uint8_t clip[PORCH_SRV_CLIP], porch_srv_clip *out);
    int (*clip_record)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                       const uint8_t clip[PORCH_SRV_CLIP], uint32_t index, uint64_t *off,
                       uint32_t *len);
    int (*clip_list)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                     const porch_srv_clip_query *q, porch_srv_clip_fn fn, void *ctx);
    int (*clip_delete)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                       const uint8_t clip[PORCH_SRV_CLIP]);
    /* Notices: seq assigned by the store, increasing per household. A notice
     * id (n->clip) already held is not stored again: EXISTS with its seq when
     * the bytes are the same (a retry), CONFLICT when they differ. */
    int (*notice_put)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                      const porch_srv_notice *n, uint64_t *seq);
    /* Up to cap notices with seq > after into out[]; caller frees out[i].data. */
    int (*notice_list)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], uint64_t after,
                       porch_srv_notice *out, size_t cap, size_t *n);
    /* Support grants and their shares (one transaction). */
    int (*grant_put)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], const porch_srv_grant *g,
                     const porch_srv_share *shares, size_t n_shares);
    /* support NULL: all grants of the household. */
    int (*grant_list)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], const uint8_t *support,
                      porch_srv_grant_fn fn, void *ctx);
    /* Marks revoked and deletes its shares. */
    int (*grant_revoke)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], const uint8_t g[16]);
    /* Newest share for clip under a live (unrevoked, unexpired) grant of support.
     * *data malloc()ed, caller frees. */
    int (*share_get)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH],
                     const uint8_t clip[PORCH_SRV_CLIP], const uint8_t support[PORCH_SIGN_PK_BYTES],
                     uint64_t now_us, uint8_t grant[16], uint8_t **data, size_t *len);
    /* Deletes the shares of every grant expired by now_us. */
    int (*share_sweep)(porch_srv_meta *m, uint64_t now_us);
    /* Access log: appends entry (74 bytes), its leaf hash and the perfect subtree
     * hashes it completes, in one transaction. */
    int (*log_append)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], const uint8_t *entry,
                      size_t len, uint64_t *index);
    int (*log_entry)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], uint64_t index,
                     uint8_t entry[PORCH_LOG_ENTRY_BYTES]);
    /* A porch_log_store view of one household's log (read-only use by the server).
     * Ownership: *out released with porch_log_store_free(); m must outlive it. */
    int (*log_view)(porch_srv_meta *m, const uint8_t hh[PORCH_SRV_HH], porch_log_store **out);
    void (*close)(porch_srv_meta *m);
} porch_srv_meta_ops;

struct porch_srv_meta {
    const porch_srv_meta_ops *ops;
};

/* Opens (creating) DIR/meta.sqlite. Ownership: *out closed with ops->close(). */
int porch_srv_meta_sqlite_open(porch_srv_meta **out, const char *path);

/* ---- Blob store ---- */

typedef struct porch_srv_blobs porch_srv_blobs;

/* A background directory fsync (the blob store's; callers only pass it back).
 * on = 0: nothing pending. */
typedef struct porch_srv_dirsync {
    int on, fd, ret;
    pthread_t thread;
} porch_srv_dirsync;

/* One PATCH's append (the blob store's state; the caller holds it in its
 * request). fd < 0: none open. */
typedef struct porch_srv_append {
    int fd;
    uint64_t start;             /* file offset of this append's first byte */
    uint64_t written, kicked;   /* bytes written; bytes whose write-back has started */
    porch_srv_dirsync name;     /* the partial's directory, when it may be new */
} porch_srv_append;

typedef struct porch_srv_blobs_ops {
    /* Opens the partial object for appending at offset (truncating anything
     * after it: bytes past the durable offset were never acknowledged) into
     * *a; then append_write, and append_finish or append_abort (which close
     * it). At offset 0 the partial may be new: its directory's fsync starts
     * at once in the background, overlapping the body. append_write starts
     * write-back every 256 KiB (sync_file_range), so the device writes while
     * the body still arrives. append_finish makes the bytes durable
     * (fdatasync, one per PATCH) and waits for the directory's fsync. */
    int (*append_open)(porch_srv_blobs *b, const uint8_t hh[PORCH_SRV_HH],
                       const uint8_t clip[PORCH_SRV_CLIP], uint64_t offset,
                       porch_srv_append *a);
    int (*append_write)(porch_srv_blobs *b, porch_srv_append *a, const uint8_t *data,
                        size_t len);
    int (*append_finish)(porch_srv_blobs *b, porch_srv_append *a);
    void (*append_abort)(porch_srv_blobs *b, porch_srv_append *a);
    /* Read-only fd of the partial (or, after a crash between commit steps, of the
     * committed blob). */
    int (*partial_open)(porch_srv_blobs *b, const uint8_t hh[PORCH_SRV_HH],
                        const uint8_t clip[PORCH_SRV_CLIP], int *fd);
    int (*partial_delete)(porch_srv_blobs *b, const uint8_t hh[PORCH_SRV_HH],
                          const uint8_t clip[PORCH_SRV_CLIP]);
    /* Rename into place; the directory's fsync runs in the background (*pending)
     * so the caller can commit its metadata meanwhile; commit_wait returns the
     * fsync's result. Idempotent. The partial's bytes are already durable:
     * every acknowledged PATCH fdatasync()ed them, and complete commits only
     * at the stored (acknowledged) offset. Until the fsync is done a crash
     * may undo the rename while the metadata row survives: open and shred
     * also look in the partial's place. */
    int (*commit)(porch_srv_blobs *b, const uint8_t hh[PORCH_SRV_HH],
                  const uint8_t clip[PORCH_SRV_CLIP], porch_srv_dirsync *pending);
    int (*commit_wait)(porch_srv_blobs *b, porch_srv_dirsync *pending);
    /* Read-only fd of a committed blob (or of its partial, see commit); caller
     * closes. */
    int (*open)(porch_srv_blobs *b, const uint8_t hh[PORCH_SRV_HH],
                const uint8_t clip[PORCH_SRV_CLIP], int *fd, uint64_t *size);
    /* Overwrites the first header_len bytes with random bytes, fsync()s, unlinks,
     * fsync()s the directory (the blob, or its partial, see commit). */
    int (*shred)(porch_srv_blobs *b, const uint8_t hh[PORCH_SRV_HH],
                 const uint8_t clip[PORCH_SRV_CLIP], uint32_t header_len);
    void (*close)(porch_srv_blobs *b);
} porch_srv_blobs_ops;

struct porch_srv_blobs {
    const porch_srv_blobs_ops *ops;
};

/* DIR/blobs/HH/CLIP and DIR/partial/HH-CLIP. Ownership: ops->close(). */
int porch_srv_blobs_dir_open(porch_srv_blobs **out, const char *data_dir);

#endif
