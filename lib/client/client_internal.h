/*
 * client_internal.h: pieces of lib/client shared between its files.
 *
 * client.c        the object, one request (porch__call), status mapping, auth
 * client_json.c   every JSON response decoder (fuzzed: fuzz/fuzz_client_json.c)
 * client_clips.c  upload (resumable), list, fetch, delete
 * client_notices.c  post, list, SSE stream
 * client_grants.c grants and shares
 * client_log.c    log endpoints and the audit
 */
#ifndef PORCH_CLIENT_INTERNAL_H
#define PORCH_CLIENT_INTERNAL_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "porchlight/client.h"

struct porch_client {
    CURL *curl;
    char *base_url;                   /* malloc, without trailing '/' */
    char *ca_file;                    /* malloc or NULL */
    int have_server_pk;
    uint8_t server_pk[PORCH_SIGN_PK_BYTES];
    const porch_device_secret *device;
    int have_household;
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    char hh_hex[2 * PORCH_HOUSEHOLD_ID_BYTES + 1];
    long connect_timeout_ms, timeout_ms;
    size_t chunk_size, max_body;
    char *token;                      /* sodium_malloc, NUL-terminated, or NULL */
    long last_status;
    char last_error[64];
    char transport_error[CURL_ERROR_SIZE]; /* libcurl's words for the last failure */
};

#define TOKEN_MAX 128u

/* One request and its response. */
struct porch__req {
    const char *method;               /* "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD" */
    char path[512];                   /* after the base URL, starts with "/v1/" */
    const uint8_t *body;
    size_t body_len;
    const char *content_type;         /* NULL: none */
    const char *header;               /* one extra "Name: value" header, or NULL */
    int auth;                         /* send the bearer token (logging in first) */
    int exact;                        /* with auth: the token held, no login, no retry */
    size_t max_response;              /* cap on the body */
    /* response */
    long status;
    uint8_t *resp;                    /* malloc, NUL-terminated past resp_len */
    size_t resp_len;
    int have_offset, complete;
    uint64_t upload_offset;
};

/* Points k's error buffer at c->transport_error (emptied). */
void porch__transport_error_setup(porch_client *c, CURL *k);
/* A transport failure: keeps libcurl's message (its code's when the buffer is
 * empty) for porch_client_last_transport_error(). Returns PORCH_ERR_HTTP. */
int porch__transport_failed(porch_client *c, CURLcode cr);

/* Performs req (re-authenticating once on 401 when req->auth). Returns
 * PORCH_OK for any 2xx, else the status's error. Response kept in req. */
int porch__call(porch_client *c, struct porch__req *req);
void porch__req_done(struct porch__req *req);
/* Status -> error code. */
int porch__status_error(long status);

/* Hex ids for paths. */
void porch__hex16(char out[33], const uint8_t id[16]);

/* ---- JSON decoders: explicit length, caps, no trust in the input ---- */

int porch__json_error(const uint8_t *buf, size_t len, char *symbol, size_t cap);
int porch__json_server_info(const uint8_t *buf, size_t len, uint8_t pk[32], char *version,
                            size_t cap);
int porch__json_challenge(const uint8_t *buf, size_t len, uint8_t challenge[32]);
int porch__json_token(const uint8_t *buf, size_t len, char *token, size_t cap,
                      porch_role *role);
int porch__json_household(const uint8_t *buf, size_t len, uint8_t household[16],
                          uint64_t *seq);
int porch__json_seq(const uint8_t *buf, size_t len, uint64_t *seq);
int porch__json_clip_list(const uint8_t *buf, size_t len, porch_clip_list *out);
int porch__json_notice(const uint8_t *buf, size_t len, porch_notice_item *out);
int porch__json_notice_list(const uint8_t *buf, size_t len, porch_notice_list *out);
int porch__json_grant_id(const uint8_t *buf, size_t len, uint8_t id[16]);
int porch__json_grant_list(const uint8_t *buf, size_t len, porch_grant_list *out);
/* {"KEY": base64} with decoded length in [min, max]. Ownership: *out malloc(). */
int porch__json_b64(const uint8_t *buf, size_t len, const char *key, size_t min, size_t max,
                    uint8_t **out, size_t *out_len);
/* {"entries":[b64...]} of 74-byte entries, at most max. Ownership: *out malloc(). */
int porch__json_entries(const uint8_t *buf, size_t len, size_t max, uint8_t **out, size_t *n);

/* Base64 (standard, padded) encoding. Ownership: malloc()ed string. */
char *porch__b64_encode(const uint8_t *p, size_t n);

#endif
