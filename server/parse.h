/*
 * parse.h (server): the request parsers. Each takes explicit lengths and
 * hard caps, allocates nothing (except parse_json, which returns a jansson
 * tree), and has a libFuzzer target in fuzz/server/.
 */
#ifndef PORCH_SERVER_PARSE_H
#define PORCH_SERVER_PARSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Exactly 2*n lower-case hex digits into n bytes. PORCH_ERR_BAD_REQUEST otherwise. */
int porch_srv_parse_hex(const char *s, size_t len, uint8_t *out, size_t n);

/* Decimal without sign, spaces or leading zeros (except "0"), <= max. */
int porch_srv_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);

/*
 * One range "bytes=a-b", "bytes=a-" or "bytes=-n" against an object of size
 * bytes: *first..*last inclusive. PORCH_ERR_BAD_REQUEST when malformed (or
 * several ranges), PORCH_ERR_TOO_LARGE when unsatisfiable (416).
 */
int porch_srv_parse_range(const char *s, size_t len, uint64_t size, uint64_t *first,
                          uint64_t *last);

/* "Bearer " + 43 base64url characters (32 bytes, no padding). */
int porch_srv_parse_bearer(const char *s, size_t len, uint8_t token[32]);

/*
 * A JSON object of at most cap bytes, no duplicate keys, no trailing data.
 * Ownership: *out released with json_decref().
 */
int porch_srv_parse_json(const uint8_t *body, size_t len, size_t cap, json_t **out);

/* Query arguments: at most PORCH_SRV_MAX_ARGS, keys unique, each <= 128 bytes. */
#define PORCH_SRV_MAX_ARGS 8u
typedef struct porch_srv_args {
    unsigned n;
    int err;                             /* sticky: PORCH_ERR_BAD_REQUEST once bad */
    const char *key[PORCH_SRV_MAX_ARGS];
    const char *val[PORCH_SRV_MAX_ARGS]; /* borrowed; NULL for a key without '=' */
} porch_srv_args;

void porch_srv_args_add(porch_srv_args *a, const char *key, const char *val);
/* Value of key, or NULL when absent. */
const char *porch_srv_args_get(const porch_srv_args *a, const char *key);
/* Absent -> *out = dflt. Present -> porch_srv_parse_u64 rules. */
int porch_srv_args_u64(const porch_srv_args *a, const char *key, uint64_t max, uint64_t dflt,
                       uint64_t *out);
/* Every key is one of the NULL-terminated allowed list. */
int porch_srv_args_only(const porch_srv_args *a, const char *const *allowed);

/* JSON field helpers: a hex string of exactly n bytes; a base64 (standard,
 * padded) string of at most cap bytes into a malloc()ed buffer. */
int porch_srv_json_hex(const json_t *obj, const char *key, uint8_t *out, size_t n);
int porch_srv_json_b64(const json_t *obj, const char *key, size_t cap, uint8_t **out,
                       size_t *len);
int porch_srv_json_u64(const json_t *obj, const char *key, uint64_t *out);

#endif
