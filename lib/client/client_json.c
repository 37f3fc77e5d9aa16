/*
 * client_json.c: decoders of the server's JSON responses.
 *
 * The server is not trusted to be well-formed: every decoder takes the
 * response's explicit length (json_loadb, duplicates rejected), checks the
 * type of every field it reads, bounds every string, array and decoded
 * base64 blob, and leaves its outputs zeroed on failure
 * (PORCH_ERR_BAD_RESPONSE). Fuzzed by fuzz/fuzz_client_json.c.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"
#include "porchlight/error.h"
#include "porchlight/grant.h"
#include "porchlight/notice.h"
#include "util/hex.h"

#define BAD PORCH_ERR_BAD_RESPONSE

static json_t *load(const uint8_t *buf, size_t len)
{
    if (!buf || len > PORCH_CLIENT_JSON_MAX)
        return NULL;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int get_hex(json_t *o, const char *key, uint8_t *out, size_t n)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || strlen(s) != 2 * n)
        return BAD;
    return porch__hex_decode(out, n, s) == PORCH_OK ? PORCH_OK : BAD;
}

/* JSON integers are signed 64-bit in jansson; negative ones are refused. */
static int get_u64(json_t *o, const char *key, uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return BAD;
    *out = (uint64_t)json_integer_value(v);
    return PORCH_OK;
}

static int get_str(json_t *o, const char *key, char *out, size_t cap)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    if (!s || json_string_length(v) >= cap || strlen(s) != json_string_length(v))
        return BAD;
    memcpy(out, s, json_string_length(v) + 1);
    return PORCH_OK;
}

/* Decodes base64 (standard, padded) of at most max bytes. Ownership: *out malloc(). */
static int b64_decode(const char *s, size_t slen, size_t min, size_t max, uint8_t **out,
                      size_t *out_len)
{
    size_t cap = slen / 4 * 3 + 3, n = 0;
    uint8_t *buf;

    *out = NULL;
    *out_len = 0;
    if (!s || slen > (max / 3 + 2) * 4)
        return BAD;
    if (!(buf = malloc(cap ? cap : 1)))
        return PORCH_ERR_NOMEM;
    if (sodium_base642bin(buf, cap, s, slen, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) !=
            0 ||
        n < min || n > max) {
        free(buf);
        return BAD;
    }
    *out = buf;
    *out_len = n;
    return PORCH_OK;
}

static int get_b64(json_t *o, const char *key, size_t min, size_t max, uint8_t **out,
                   size_t *out_len)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    *out_len = 0;
    if (!json_is_string(v))
        return BAD;
    return b64_decode(json_string_value(v), json_string_length(v), min, max, out, out_len);
}

char *porch__b64_encode(const uint8_t *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(cap);
    if (s)
        sodium_bin2base64(s, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

int porch__json_error(const uint8_t *buf, size_t len, char *symbol, size_t cap)
{
    json_t *j = load(buf, len);
    int ret = j ? get_str(j, "error", symbol, cap) : BAD;
    if (ret != PORCH_OK && cap)
        symbol[0] = '\0';
    json_decref(j);
    return ret;
}

int porch__json_server_info(const uint8_t *buf, size_t len, uint8_t pk[32], char *version,
                            size_t cap)
{
    json_t *j = load(buf, len);
    int ret = j ? get_hex(j, "sign_pk", pk, 32) : BAD;
    if (ret == PORCH_OK && version && cap)
        ret = get_str(j, "version", version, cap);
    if (ret != PORCH_OK) {
        memset(pk, 0, 32);
        if (version && cap)
            version[0] = '\0';
    }
    json_decref(j);
    return ret;
}

int porch__json_challenge(const uint8_t *buf, size_t len, uint8_t challenge[32])
{
    json_t *j = load(buf, len);
    int ret = j ? get_hex(j, "challenge", challenge, 32) : BAD;
    if (ret != PORCH_OK)
        memset(challenge, 0, 32);
    json_decref(j);
    return ret;
}

/* Tokens are base64url without padding. */
static int token_chars_ok(const char *t)
{
    if (!*t)
        return 0;
    for (; *t; t++)
        if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ||
              *t == '-' || *t == '_'))
            return 0;
    return 1;
}

int porch__json_token(const uint8_t *buf, size_t len, char *token, size_t cap,
                      porch_role *role)
{
    char role_s[16];
    json_t *j = load(buf, len);
    int ret = BAD;

    if (j && get_str(j, "token", token, cap) == PORCH_OK && token_chars_ok(token) &&
        get_str(j, "role", role_s, sizeof role_s) == PORCH_OK &&
        porch_role_parse(role_s, role) == PORCH_OK)
        ret = PORCH_OK;
    if (ret != PORCH_OK && cap)
        sodium_memzero(token, cap);
    json_decref(j);
    return ret;
}

int porch__json_household(const uint8_t *buf, size_t len, uint8_t household[16],
                          uint64_t *seq)
{
    json_t *j = load(buf, len);
    int ret = j && get_hex(j, "household", household, 16) == PORCH_OK &&
                      get_u64(j, "seq", seq) == PORCH_OK
                  ? PORCH_OK
                  : BAD;
    if (ret != PORCH_OK) {
        memset(household, 0, 16);
        *seq = 0;
    }
    json_decref(j);
    return ret;
}

int porch__json_seq(const uint8_t *buf, size_t len, uint64_t *seq)
{
    json_t *j = load(buf, len);
    int ret = j ? get_u64(j, "seq", seq) : BAD;
    if (ret != PORCH_OK)
        *seq = 0;
    json_decref(j);
    return ret;
}

/* A page array under key: at most PORCH_CLIENT_LIST_MAX items. */
static json_t *get_page(json_t *j, const char *key)
{
    json_t *a = json_object_get(j, key);
    return json_is_array(a) && json_array_size(a) <= PORCH_CLIENT_LIST_MAX ? a : NULL;
}

static int clip_entry(json_t *o, porch_clip_entry *e)
{
    if (!json_is_object(o) || get_hex(o, "clip", e->clip_id, 16) != PORCH_OK ||
        get_str(o, "camera", e->camera, sizeof e->camera) != PORCH_OK ||
        !porch_camera_id_valid(e->camera) || get_u64(o, "start_us", &e->start_us) != PORCH_OK ||
        get_u64(o, "size", &e->size) != PORCH_OK ||
        get_u64(o, "records", &e->records) != PORCH_OK ||
        get_hex(o, "sha256", e->sha256, 32) != PORCH_OK)
        return BAD;
    if (json_object_get(o, "uploaded_us") && get_u64(o, "uploaded_us", &e->uploaded_us) != PORCH_OK)
        return BAD;
    return PORCH_OK;
}

int porch__json_clip_list(const uint8_t *buf, size_t len, porch_clip_list *out)
{
    json_t *j = load(buf, len), *a = j ? get_page(j, "clips") : NULL, *next;
    int ret = BAD;

    memset(out, 0, sizeof *out);
    if (!a)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(out->items = calloc(json_array_size(a) + 1, sizeof *out->items)))
        goto out;
    ret = BAD;
    for (size_t i = 0; i < json_array_size(a); i++, out->n++)
        if (clip_entry(json_array_get(a, i), &out->items[i]) != PORCH_OK)
            goto out;
    next = json_object_get(j, "next");
    if (next && !json_is_null(next)) {
        if (get_hex(j, "next", out->next, 16) != PORCH_OK)
            goto out;
        out->has_next = 1;
    }
    ret = PORCH_OK;
out:
    if (ret != PORCH_OK)
        porch_clip_list_free(out);
    json_decref(j);
    return ret;
}

void porch_clip_list_free(porch_clip_list *l)
{
    if (!l)
        return;
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int notice_item(json_t *o, porch_notice_item *n)
{
    if (!json_is_object(o) || get_u64(o, "seq", &n->seq) != PORCH_OK ||
        get_str(o, "camera", n->camera, sizeof n->camera) != PORCH_OK ||
        !porch_camera_id_valid(n->camera) || get_u64(o, "time_us", &n->time_us) != PORCH_OK)
        return BAD;
    return get_b64(o, "data", 1, PORCH_NOTICE_MAX_BYTES, &n->data, &n->len);
}

int porch__json_notice(const uint8_t *buf, size_t len, porch_notice_item *out)
{
    json_t *j;
    int ret;

    memset(out, 0, sizeof *out);
    j = load(buf, len);
    ret = j ? notice_item(j, out) : BAD;
    if (ret != PORCH_OK) {
        free(out->data);
        memset(out, 0, sizeof *out);
    }
    json_decref(j);
    return ret;
}

int porch__json_notice_list(const uint8_t *buf, size_t len, porch_notice_list *out)
{
    json_t *j = load(buf, len), *a = j ? get_page(j, "notices") : NULL, *next;
    int ret = BAD;

    memset(out, 0, sizeof *out);
    if (!a)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(out->items = calloc(json_array_size(a) + 1, sizeof *out->items)))
        goto out;
    for (size_t i = 0; i < json_array_size(a); i++) {
        if ((ret = notice_item(json_array_get(a, i), &out->items[i])) != PORCH_OK) {
            free(out->items[i].data);
            goto out;
        }
        out->n++;
    }
    ret = BAD;
    next = json_object_get(j, "next");
    if (next && !json_is_null(next)) {
        if (get_u64(j, "next", &out->next) != PORCH_OK)
            goto out;
        out->has_next = 1;
    }
    ret = PORCH_OK;
out:
    if (ret != PORCH_OK)
        porch_notice_list_free(out);
    json_decref(j);
    return ret;
}

void porch_notice_list_free(porch_notice_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].data);
    free(l->items);
    memset(l, 0, sizeof *l);
}

int porch__json_grant_id(const uint8_t *buf, size_t len, uint8_t id[16])
{
    json_t *j = load(buf, len);
    int ret = j ? get_hex(j, "grant", id, 16) : BAD;
    if (ret != PORCH_OK)
        memset(id, 0, 16);
    json_decref(j);
    return ret;
}

static int grant_item(json_t *o, porch_grant_item *g)
{
    json_t *rv = json_object_get(o, "revoked");
    if (!json_is_object(o) || get_hex(o, "grant", g->grant_id, 16) != PORCH_OK ||
        get_hex(o, "support", g->support_pk, 32) != PORCH_OK ||
        get_u64(o, "expires_us", &g->expires_us) != PORCH_OK || !json_is_boolean(rv) ||
        get_u64(o, "clips", &g->clips) != PORCH_OK)
        return BAD;
    g->revoked = json_is_true(rv);
    return get_b64(o, "data", 1, PORCH_GRANT_MAX_BYTES, &g->data, &g->len);
}

int porch__json_grant_list(const uint8_t *buf, size_t len, porch_grant_list *out)
{
    json_t *j = load(buf, len), *a = j ? get_page(j, "grants") : NULL;
    int ret = BAD;

    memset(out, 0, sizeof *out);
    if (!a)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(out->items = calloc(json_array_size(a) + 1, sizeof *out->items)))
        goto out;
    for (size_t i = 0; i < json_array_size(a); i++) {
        if ((ret = grant_item(json_array_get(a, i), &out->items[i])) != PORCH_OK) {
            free(out->items[i].data);
            goto out;
        }
        out->n++;
    }
    ret = PORCH_OK;
out:
    if (ret != PORCH_OK)
        porch_grant_list_free(out);
    json_decref(j);
    return ret;
}

void porch_grant_list_free(porch_grant_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].data);
    free(l->items);
    memset(l, 0, sizeof *l);
}

int porch__json_b64(const uint8_t *buf, size_t len, const char *key, size_t min, size_t max,
                    uint8_t **out, size_t *out_len)
{
    json_t *j = load(buf, len);
    int ret = j ? get_b64(j, key, min, max, out, out_len) : BAD;
    json_decref(j);
    return ret;
}

int porch__json_entries(const uint8_t *buf, size_t len, size_t max, uint8_t **out, size_t *n)
{
    json_t *j = load(buf, len), *a = j ? json_object_get(j, "entries") : NULL;
    uint8_t *all = NULL, *one = NULL;
    size_t one_len = 0;
    int ret = BAD;

    *out = NULL;
    *n = 0;
    if (!json_is_array(a) || json_array_size(a) > max)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(all = malloc(json_array_size(a) * PORCH_LOG_ENTRY_BYTES + 1)))
        goto out;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        ret = BAD;
        if (!json_is_string(v) ||
            (ret = b64_decode(json_string_value(v), json_string_length(v),
                              PORCH_LOG_ENTRY_BYTES, PORCH_LOG_ENTRY_BYTES, &one, &one_len)) !=
                PORCH_OK)
            goto out;
        memcpy(all + i * PORCH_LOG_ENTRY_BYTES, one, PORCH_LOG_ENTRY_BYTES);
        free(one);
        one = NULL;
    }
    *out = all;
    *n = json_array_size(a);
    all = NULL;
    ret = PORCH_OK;
out:
    free(all);
    json_decref(j);
    return ret;
}
