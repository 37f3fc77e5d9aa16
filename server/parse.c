/*
 * parse.c: request parsers (hex ids, integers, Range, Bearer, JSON, query).
 * Strict by design: exactly one spelling of each value is accepted, so two
 * components can never disagree about what a request meant.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/parse.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int porch_srv_parse_hex(const char *s, size_t len, uint8_t *out, size_t n)
{
    memset(out, 0, n);
    if (!s || len != 2 * n)
        return PORCH_ERR_BAD_REQUEST;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            memset(out, 0, n);
            return PORCH_ERR_BAD_REQUEST;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return PORCH_OK;
}

int porch_srv_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    *out = 0;
    if (!s || len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return PORCH_ERR_BAD_REQUEST;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return PORCH_ERR_BAD_REQUEST;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return PORCH_ERR_BAD_REQUEST;
        v = v * 10 + d;
    }
    if (v > max)
        return PORCH_ERR_BAD_REQUEST;
    *out = v;
    return PORCH_OK;
}

/* Length of the run of digits at s[0..len). */
static size_t digits(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

int porch_srv_parse_range(const char *s, size_t len, uint64_t size, uint64_t *first,
                          uint64_t *last)
{
    uint64_t a = 0, b = 0;
    size_t na, nb;

    *first = *last = 0;
    if (!s || len < 7 || memcmp(s, "bytes=", 6) != 0)
        return PORCH_ERR_BAD_REQUEST;
    s += 6;
    len -= 6;
    na = digits(s, len);
    if (na == len || s[na] != '-')
        return PORCH_ERR_BAD_REQUEST;
    nb = digits(s + na + 1, len - na - 1);
    if (na + 1 + nb != len || (na == 0 && nb == 0))
        return PORCH_ERR_BAD_REQUEST;   /* also rejects "a-b,c-d" */
    if (na && porch_srv_parse_u64(s, na, UINT64_MAX, &a) != PORCH_OK)
        return PORCH_ERR_BAD_REQUEST;
    if (nb && porch_srv_parse_u64(s + na + 1, nb, UINT64_MAX, &b) != PORCH_OK)
        return PORCH_ERR_BAD_REQUEST;
    if (!na) {                          /* suffix: the last b bytes */
        if (b == 0 || size == 0)
            return PORCH_ERR_TOO_LARGE;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return PORCH_OK;
    }
    if (nb && b < a)
        return PORCH_ERR_BAD_REQUEST;
    if (a >= size)
        return PORCH_ERR_TOO_LARGE;
    *first = a;
    *last = (!nb || b >= size) ? size - 1 : b;
    return PORCH_OK;
}

int porch_srv_parse_bearer(const char *s, size_t len, uint8_t token[32])
{
    size_t got = 0;

    memset(token, 0, 32);
    if (!s || len != 7 + 43 || memcmp(s, "Bearer ", 7) != 0)
        return PORCH_ERR_BAD_REQUEST;
    if (sodium_base642bin(token, 32, s + 7, 43, NULL, &got, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || got != 32) {
        sodium_memzero(token, 32);
        return PORCH_ERR_BAD_REQUEST;
    }
    return PORCH_OK;
}

int porch_srv_parse_json(const uint8_t *body, size_t len, size_t cap, json_t **out)
{
    json_error_t e;
    json_t *j;

    *out = NULL;
    if (len > cap)
        return PORCH_ERR_TOO_LARGE;
    if (!body || len == 0)
        return PORCH_ERR_BAD_REQUEST;
    j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        return PORCH_ERR_BAD_REQUEST;
    if (!json_is_object(j)) {
        json_decref(j);
        return PORCH_ERR_BAD_REQUEST;
    }
    *out = j;
    return PORCH_OK;
}

void porch_srv_args_add(porch_srv_args *a, const char *key, const char *val)
{
    if (a->err)
        return;
    if (!key || a->n >= PORCH_SRV_MAX_ARGS || strlen(key) > 128 ||
        (val && strlen(val) > 128) || porch_srv_args_get(a, key)) {
        a->err = PORCH_ERR_BAD_REQUEST;
        return;
    }
    a->key[a->n] = key;
    a->val[a->n] = val;
    a->n++;
}

const char *porch_srv_args_get(const porch_srv_args *a, const char *key)
{
    for (unsigned i = 0; i < a->n; i++)
        if (!strcmp(a->key[i], key))
            return a->val[i] ? a->val[i] : "";
    return NULL;
}

int porch_srv_args_u64(const porch_srv_args *a, const char *key, uint64_t max, uint64_t dflt,
                       uint64_t *out)
{
    const char *v = porch_srv_args_get(a, key);

    *out = dflt;
    if (a->err)
        return a->err;
    if (!v)
        return PORCH_OK;
    return porch_srv_parse_u64(v, strlen(v), max, out);
}

int porch_srv_args_only(const porch_srv_args *a, const char *const *allowed)
{
    if (a->err)
        return a->err;
    for (unsigned i = 0; i < a->n; i++) {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], a->key[i]))
            k++;
        if (!allowed[k])
            return PORCH_ERR_BAD_REQUEST;
    }
    return PORCH_OK;
}

int porch_srv_json_hex(const json_t *obj, const char *key, uint8_t *out, size_t n)
{
    const json_t *v = json_object_get(obj, key);

    memset(out, 0, n);
    if (!json_is_string(v))
        return PORCH_ERR_BAD_REQUEST;
    return porch_srv_parse_hex(json_string_value(v), json_string_length(v), out, n);
}

/* Ownership: *out malloc()ed, released by the caller with free(). */
int porch_srv_json_b64(const json_t *obj, const char *key, size_t cap, uint8_t **out,
                       size_t *len)
{
    const json_t *v = json_object_get(obj, key);
    size_t slen, got = 0;
    uint8_t *buf;

    *out = NULL;
    *len = 0;
    if (!json_is_string(v))
        return PORCH_ERR_BAD_REQUEST;
    slen = json_string_length(v);
    if (slen / 4 * 3 > cap + 3)
        return PORCH_ERR_TOO_LARGE;
    if (!(buf = malloc(slen / 4 * 3 + 3)))
        return PORCH_ERR_NOMEM;
    if (sodium_base642bin(buf, slen / 4 * 3 + 3, json_string_value(v), slen, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || got > cap) {
        free(buf);
        return PORCH_ERR_BAD_REQUEST;
    }
    *out = buf;
    *len = got;
    return PORCH_OK;
}

int porch_srv_json_u64(const json_t *obj, const char *key, uint64_t *out)
{
    const json_t *v = json_object_get(obj, key);

    *out = 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return PORCH_ERR_BAD_REQUEST;
    *out = (uint64_t)json_integer_value(v);
    return PORCH_OK;
}
