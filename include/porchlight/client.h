/*
 * porchlight/client.h: the HTTP client of the server API (docs/SERVER.md).
 *
 * One porch_client talks to one server for one device of one household. It
 * keeps one libcurl handle (so connections are reused), a bearer token it
 * obtains by challenge-response (signing with the device's roster key, with
 * the pinned server key bound in), and re-authenticates once when a request
 * gets 401. Every response is read into memory under a cap and every JSON
 * response is decoded with explicit lengths and caps.
 *
 * Errors: PORCH_ERR_HTTP for transport failures, one code per HTTP status
 * class (PORCH_ERR_UNAUTHORIZED, _FORBIDDEN, _NOT_FOUND, _CONFLICT,
 * _RATE_LIMITED, _REJECTED, _SERVER, _HTTP_STATUS), PORCH_ERR_BAD_RESPONSE for
 * a malformed or oversized answer. porch_client_last_status() and
 * porch_client_last_error() tell the status and the server's error symbol.
 *
 * Not thread-safe: one client per thread. Library rules apply: nothing is
 * printed, nothing exits; the token lives in sodium_malloc() memory.
 */
#ifndef PORCHLIGHT_CLIENT_H
#define PORCHLIGHT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/clip.h"
#include "porchlight/identity.h"
#include "porchlight/log.h"
#include "porchlight/roster.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps on what a response may hold (beyond them: PORCH_ERR_BAD_RESPONSE). */
#define PORCH_CLIENT_JSON_MAX (8u << 20)        /* one JSON response */
#define PORCH_CLIENT_LIST_MAX 1000u             /* items in one listing page */
#define PORCH_CLIENT_SSE_LINE_MAX (192u << 10)  /* one SSE line */
#define PORCH_CLIENT_DEFAULT_CHUNK (8u << 20)   /* upload PATCH size */
#define PORCH_CLIENT_DEFAULT_MAX_BODY (256u << 20) /* a fetched clip in memory */

typedef struct porch_client_config {
    const char *base_url;             /* "http://127.0.0.1:8080" (no /v1) */
    const char *ca_file;              /* PEM CA bundle for https, or NULL (system) */
    const uint8_t *server_pk;         /* pinned server sign key (32), or NULL: pairing only */
    const porch_device_secret *device; /* NULL: unauthenticated calls only */
    const uint8_t *household;         /* 16 bytes, or NULL (set later) */
    long connect_timeout_ms;          /* 0: 10 s */
    long timeout_ms;                  /* whole request; 0: 120 s (streams: none) */
    size_t chunk_size;                /* upload chunk; 0: PORCH_CLIENT_DEFAULT_CHUNK */
    size_t max_body;                  /* binary response cap; 0: PORCH_CLIENT_DEFAULT_MAX_BODY */
} porch_client_config;

typedef struct porch_client porch_client;

/* Strings in cfg are copied; device is borrowed and must outlive the client.
 * Ownership: *out owned by the caller, released with porch_client_free(). */
int porch_client_new(porch_client **out, const porch_client_config *cfg);
void porch_client_free(porch_client *c);

int porch_client_set_household(porch_client *c, const uint8_t household[PORCH_HOUSEHOLD_ID_BYTES]);
/* HTTP status of the last response (0 when none arrived). */
long porch_client_last_status(const porch_client *c);
/* The server's error symbol of the last response ("" when none). */
const char *porch_client_last_error(const porch_client *c);
/* libcurl's message for the last transport failure (PORCH_ERR_HTTP), e.g.
 * "SSL certificate problem: self-signed certificate" for a server whose
 * certificate the CA file does not vouch for; "" when the request got through. */
const char *porch_client_last_transport_error(const porch_client *c);

/* A server key's fingerprint, as porch_fingerprint() shows device keys:
 * base32 of BLAKE2b-160("porchlight/v1/server-fingerprint" || sign_pk). */
int porch_client_server_fingerprint(const uint8_t sign_pk[PORCH_SIGN_PK_BYTES],
                                    char out[PORCH_FINGERPRINT_STR_BYTES]);

/* GET /v1/server. When a key is pinned it must match (PORCH_ERR_SERVER_KEY).
 * version may be NULL. */
int porch_client_server_info(porch_client *c, uint8_t sign_pk[PORCH_SIGN_PK_BYTES],
                             char *version, size_t version_cap);

/* Challenge-response; needs device, household and pinned server key.
 * role (may be NULL) receives the role the server sees. Requests log in by
 * themselves when needed; call this to check credentials early. */
int porch_client_login(porch_client *c, porch_role *role);
/* Forgets the token (wiped). */
void porch_client_logout(porch_client *c);

/* POST /v1/households: household (may be NULL) and seq (may be NULL) out. */
int porch_client_household_create(porch_client *c, const uint8_t *roster, size_t len,
                                  uint8_t household[PORCH_HOUSEHOLD_ID_BYTES], uint64_t *seq);
/* Ownership: *out malloc()ed, released by the caller with free(). */
int porch_client_roster_get(porch_client *c, uint8_t **out, size_t *out_len);
int porch_client_roster_put(porch_client *c, const uint8_t *roster, size_t len, uint64_t *seq);

/* ---- Clips ---- */

/* Resumable upload: asks the server's offset, sends the rest in chunks,
 * completes with length and SHA-256. A cut connection or a failed chunk is
 * resumed (up to 5 times in a row) from the offset the server holds. */
int porch_client_upload(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                        const uint8_t *clip, size_t len);
int porch_client_upload_file(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                             const char *path);
/* HEAD: bytes the server holds; *complete = 1 after completion. */
int porch_client_upload_offset(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                               uint64_t *offset, int *complete);

typedef struct porch_clip_entry {
    uint8_t clip_id[PORCH_CLIP_ID_BYTES];
    char camera[PORCH_CAMERA_ID_MAX + 1];
    uint64_t start_us, size, records, uploaded_us;
    uint8_t sha256[32];
} porch_clip_entry;

typedef struct porch_clip_list {
    size_t n;
    porch_clip_entry *items;          /* n entries */
    int has_next;
    uint8_t next[PORCH_CLIP_ID_BYTES];
} porch_clip_list;

typedef struct porch_clip_query {
    const char *camera;               /* NULL: all in scope */
    uint64_t from_us, to_us;          /* 0: unbounded */
    unsigned limit;                   /* 0: server default */
    const uint8_t *after;             /* 16 bytes, or NULL: first page */
} porch_clip_query;

/* One page. Ownership: release *out with porch_clip_list_free(). */
int porch_client_clips_list(porch_client *c, const porch_clip_query *q, porch_clip_list *out);
void porch_clip_list_free(porch_clip_list *l);

/* Whole clip / header / one record. Ownership: *out malloc()ed, caller frees. */
int porch_client_clip_get(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                          uint8_t **out, size_t *out_len);
int porch_client_clip_header(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                             uint8_t **out, size_t *out_len);
int porch_client_clip_record(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                             uint32_t index, uint8_t **out, size_t *out_len);
int porch_client_clip_delete(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES]);

/* ---- Notices ---- */

typedef struct porch_notice_item {
    uint64_t seq;
    char camera[PORCH_CAMERA_ID_MAX + 1];
    uint64_t time_us;
    uint8_t *data;                    /* sealed notice bytes */
    size_t len;
} porch_notice_item;

typedef struct porch_notice_list {
    size_t n;
    porch_notice_item *items;
    int has_next;
    uint64_t next;
} porch_notice_list;

int porch_client_notice_post(porch_client *c, const uint8_t *notice, size_t len, uint64_t *seq);
int porch_client_notices_list(porch_client *c, uint64_t after, unsigned limit,
                              porch_notice_list *out);
void porch_notice_list_free(porch_notice_list *l);

/* Called per notice of the stream; data valid during the call. Non-zero stops. */
typedef int (*porch_notice_fn)(void *ctx, const porch_notice_item *notice);
/* Follows the SSE stream from last_event_id (0: only new ones... and what the
 * server replays after 0). Returns PORCH_OK when fn stopped it. */
int porch_client_notices_follow(porch_client *c, uint64_t last_event_id, porch_notice_fn fn,
                                void *ctx);

/* ---- Grants ---- */

typedef struct porch_grant_item {
    uint8_t grant_id[16];
    uint8_t support_pk[PORCH_SIGN_PK_BYTES];
    uint64_t expires_us;
    int revoked;
    uint64_t clips;
    uint8_t *data;                    /* the signed grant */
    size_t len;
} porch_grant_item;

typedef struct porch_grant_list {
    size_t n;
    porch_grant_item *items;
} porch_grant_list;

int porch_client_grant_create(porch_client *c, const uint8_t *grant, size_t grant_len,
                              const uint8_t (*shares)[PORCH_CLIP_SHARE_BYTES], size_t n_shares,
                              uint8_t grant_id[16]);
int porch_client_grants_list(porch_client *c, porch_grant_list *out);
void porch_grant_list_free(porch_grant_list *l);
int porch_client_grant_revoke(porch_client *c, const uint8_t grant_id[16]);
int porch_client_share_get(porch_client *c, const uint8_t clip_id[PORCH_CLIP_ID_BYTES],
                           uint8_t share[PORCH_CLIP_SHARE_BYTES]);

/* ---- Access log ---- */

int porch_client_log_checkpoint(porch_client *c, porch_log_checkpoint *out);
/* Entries [start, end), end - start <= 1000: n entries of PORCH_LOG_ENTRY_BYTES.
 * Ownership: *out malloc()ed (n * 74 bytes), caller frees. */
int porch_client_log_entries(porch_client *c, uint64_t start, uint64_t end, uint8_t **out,
                             size_t *n);
int porch_client_log_inclusion(porch_client *c, uint64_t index, uint64_t size,
                               porch_log_inclusion *out);
int porch_client_log_consistency(porch_client *c, uint64_t from, uint64_t to,
                                 porch_log_consistency *out);

/* Called per verified entry with its leaf index; non-zero stops the audit. */
typedef int (*porch_audit_fn)(void *ctx, uint64_t index, const porch_log_entry *entry);

/*
 * Audits the household's log: fetches the current checkpoint and moves the
 * monitor to it (consistency proof from the head held; PORCH_ERR_LOG_ROLLBACK,
 * _FORK, _PROOF, _SIGNATURE, _WRONG_LOG), then lists entries [from, size) and
 * verifies an inclusion proof for each against the new head before calling fn.
 * On error the monitor may already hold the new (verified) head.
 */
int porch_client_audit(porch_client *c, porch_log_monitor *m, uint64_t from,
                       porch_audit_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
