/*
 * attr.c: typed access to a node's "attr" object (tfjs JSON encoding of
 * TensorFlow AttrValue: "i" ints as strings, "f", "b", "s" base64 strings,
 * "list": {"i": [...]}, "shape": {"dim": [{"size": "n"}]}).
 * Every accessor returns PORCH_ERR_MALFORMED for a missing or mistyped
 * attribute; callers with defaults check presence with json_object_get.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"
#include "porchlight/error.h"

static json_t *attr_get(const porch__gnode *n, const char *key, const char *kind)
{
    json_t *a = n->attr ? json_object_get(n->attr, key) : NULL;
    return a ? json_object_get(a, kind) : NULL;
}

/* An int given as a JSON string ("3") or number. */
static int json_int(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return PORCH_OK;
    }
    const char *s = json_string_value(v);
    if (!s || !*s)
        return PORCH_ERR_MALFORMED;
    char *end = NULL;
    long long x = strtoll(s, &end, 10);
    if (*end)
        return PORCH_ERR_MALFORMED;
    *out = x;
    return PORCH_OK;
}

int porch__attr_int(const porch__gnode *n, const char *key, int64_t *v)
{
    *v = 0;
    json_t *a = attr_get(n, key, "i");
    return a ? json_int(a, v) : PORCH_ERR_MALFORMED;
}

int porch__attr_float(const porch__gnode *n, const char *key, float *v)
{
    *v = 0;
    json_t *a = attr_get(n, key, "f");
    if (!json_is_number(a))
        return PORCH_ERR_MALFORMED;
    *v = (float)json_number_value(a);
    return PORCH_OK;
}

int porch__attr_bool(const porch__gnode *n, const char *key, int *v)
{
    *v = 0;
    json_t *a = attr_get(n, key, "b");
    if (!json_is_boolean(a))
        return PORCH_ERR_MALFORMED;
    *v = json_is_true(a);
    return PORCH_OK;
}

static int b64_val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* Base64-decoded string attribute, NUL-terminated in buf. */
int porch__attr_str(const porch__gnode *n, const char *key, char *buf, size_t cap)
{
    buf[0] = 0;
    const char *s = json_string_value(attr_get(n, key, "s"));
    if (!s)
        return PORCH_ERR_MALFORMED;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (; *s && *s != '='; s++) {
        int v = b64_val((unsigned char)*s);
        if (v < 0)
            return PORCH_ERR_MALFORMED;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o + 1 >= cap)
                return PORCH_ERR_TOO_LARGE;
            buf[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    buf[o] = 0;
    return PORCH_OK;
}

int porch__attr_ints(const porch__gnode *n, const char *key, int64_t *v, int cap, int *count)
{
    *count = 0;
    json_t *list = attr_get(n, key, "list");
    json_t *arr = list ? json_object_get(list, "i") : NULL;
    if (list && !arr) /* empty lists are serialised as {} */
        return PORCH_OK;
    if (!json_is_array(arr))
        return PORCH_ERR_MALFORMED;
    if (json_array_size(arr) > (size_t)cap)
        return PORCH_ERR_UNSUPPORTED;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        int rc = json_int(json_array_get(arr, i), &v[i]);
        if (rc)
            return rc;
    }
    *count = (int)json_array_size(arr);
    return PORCH_OK;
}

/* {"dim": [{"size": "1"}, {}]}: a missing size is unknown (-1). */
int porch__json_shape(json_t *shape_obj, porch__shape *s)
{
    memset(s, 0, sizeof *s);
    if (!json_is_object(shape_obj))
        return PORCH_ERR_MALFORMED;
    json_t *dims = json_object_get(shape_obj, "dim");
    if (!dims)
        return PORCH_OK; /* scalar */
    if (!json_is_array(dims))
        return PORCH_ERR_MALFORMED;
    if (json_array_size(dims) > PORCH__NN_MAX_RANK)
        return PORCH_ERR_UNSUPPORTED;
    s->rank = (int)json_array_size(dims);
    for (int i = 0; i < s->rank; i++) {
        json_t *sz = json_object_get(json_array_get(dims, (size_t)i), "size");
        s->d[i] = -1;
        if (sz && json_int(sz, &s->d[i]))
            return PORCH_ERR_MALFORMED;
        if (s->d[i] < -1)
            return PORCH_ERR_MALFORMED;
        if (s->d[i] > PORCH__NN_MAX_ELEMS)
            return PORCH_ERR_TOO_LARGE;
    }
    return PORCH_OK;
}
