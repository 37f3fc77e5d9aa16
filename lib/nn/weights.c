/*
 * weights.c: the weights manifest and the shard bytes -> Const contents.
 *
 * The shards are the concatenation of every tensor of the manifest in
 * order, little-endian, unpadded (tfjs convention). Each tensor's byte count
 * follows from its shape and stored dtype; the sum must equal the bytes
 * given (shorter: PORCH_ERR_TRUNCATED, longer: PORCH_ERR_MALFORMED).
 * float16 and uint8/uint16 affine quantisation are dequantised to float32;
 * int64/int32 constants are stored as int32 by the converter.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"
#include "porchlight/error.h"
#include "util/bytes.h"

enum { ST_F32, ST_I32, ST_F16, ST_U8, ST_U16 };

typedef struct wspec {
    const char *name;
    porch__shape shape;
    int stored;       /* ST_* */
    int dtype;        /* enum porch__dtype after decoding */
    float scale, min; /* affine quantisation */
} wspec;

float porch__f16_to_f32(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    float sign = (h & 0x8000) ? -1.0f : 1.0f;
    if (e == 0)
        return sign * ldexpf((float)m, -24);          /* zero / subnormal */
    if (e == 31)
        return m ? NAN : sign * INFINITY;
    return sign * ldexpf((float)(m | 0x400), e - 25);
}

static int spec_dtype(wspec *w, json_t *spec)
{
    const char *dt = json_string_value(json_object_get(spec, "dtype"));
    json_t *q = json_object_get(spec, "quantization");
    if (!dt)
        return PORCH_ERR_MALFORMED;
    if (strcmp(dt, "float32") == 0)
        w->stored = ST_F32, w->dtype = PORCH__F32;
    else if (strcmp(dt, "int32") == 0)
        w->stored = ST_I32, w->dtype = PORCH__I32;
    else
        return PORCH_ERR_UNSUPPORTED; /* bool, string, complex64 */
    if (!q)
        return PORCH_OK;
    const char *qd = json_string_value(json_object_get(q, "dtype"));
    if (!json_is_object(q) || !qd || w->dtype != PORCH__F32)
        return PORCH_ERR_MALFORMED;
    if (strcmp(qd, "float16") == 0) {
        w->stored = ST_F16;
        return PORCH_OK;
    }
    json_t *sc = json_object_get(q, "scale"), *mn = json_object_get(q, "min");
    if (!json_is_number(sc) || !json_is_number(mn))
        return PORCH_ERR_MALFORMED;
    w->scale = (float)json_number_value(sc);
    w->min = (float)json_number_value(mn);
    if (strcmp(qd, "uint8") == 0)
        w->stored = ST_U8;
    else if (strcmp(qd, "uint16") == 0)
        w->stored = ST_U16;
    else
        return PORCH_ERR_UNSUPPORTED;
    return PORCH_OK;
}

static int spec_parse(wspec *w, json_t *spec)
{
    memset(w, 0, sizeof *w);
    if (!json_is_object(spec) || !json_is_string(json_object_get(spec, "name")))
        return PORCH_ERR_MALFORMED;
    w->name = json_string_value(json_object_get(spec, "name"));
    json_t *shape = json_object_get(spec, "shape");
    if (!json_is_array(shape))
        return PORCH_ERR_MALFORMED;
    if (json_array_size(shape) > PORCH__NN_MAX_RANK)
        return PORCH_ERR_UNSUPPORTED;
    w->shape.rank = (int)json_array_size(shape);
    for (int i = 0; i < w->shape.rank; i++) {
        json_t *d = json_array_get(shape, (size_t)i);
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return PORCH_ERR_MALFORMED;
        if (json_integer_value(d) > PORCH__NN_MAX_ELEMS)
            return PORCH_ERR_TOO_LARGE;
        w->shape.d[i] = json_integer_value(d);
    }
    int rc = porch__shape_check(&w->shape);
    return rc ? rc : spec_dtype(w, spec);
}

static size_t stored_size(int st)
{
    return st == ST_F16 || st == ST_U16 ? 2 : st == ST_U8 ? 1 : 4;
}

/* Decodes n elements from rd into out (4-byte float or int32 each). */
static void decode(const wspec *w, porch__rd *rd, void *out, size_t n)
{
    float *f = out;
    int32_t *i32 = out;
    for (size_t i = 0; i < n; i++) {
        switch (w->stored) {
        case ST_F32: { uint32_t u = porch__rd_u32(rd); memcpy(&f[i], &u, 4); break; }
        case ST_I32: i32[i] = (int32_t)porch__rd_u32(rd); break;
        case ST_F16: f[i] = porch__f16_to_f32(porch__rd_u16(rd)); break;
        case ST_U8: f[i] = (float)porch__rd_u8(rd) * w->scale + w->min; break;
        default: f[i] = (float)porch__rd_u16(rd) * w->scale + w->min; break;
        }
    }
}

/* Gives the tensor to the Const node of the same name (which then owns it). */
static int attach(porch__graph *g, const wspec *w, porch__rd *rd)
{
    size_t n = (size_t)porch__shape_count(&w->shape);
    if (porch__rd_left(rd) / stored_size(w->stored) < n)
        return PORCH_ERR_TRUNCATED;
    int idx = porch__graph_find(g, w->name);
    if (idx < 0 || strcmp(g->node[idx].op, "Const") != 0 || g->node[idx].cdata) {
        rd->off += n * stored_size(w->stored); /* unused tensor: skip it */
        return idx < 0 ? PORCH_OK : PORCH_ERR_MALFORMED;
    }
    porch__gnode *node = &g->node[idx];
    node->cdata = malloc(n ? n * 4 : 4);
    if (!node->cdata)
        return PORCH_ERR_NOMEM;
    decode(w, rd, node->cdata, n);
    node->cshape = w->shape;
    node->cdtype = w->dtype;
    return rd->err;
}

static int check_consts(const porch__graph *g)
{
    for (int i = 0; i < g->n_node; i++)
        if (strcmp(g->node[i].op, "Const") == 0 && !g->node[i].cdata)
            return PORCH_ERR_MALFORMED; /* a constant without weights */
    return PORCH_OK;
}

int porch__weights_decode(porch__graph *g, const uint8_t *bytes, size_t len)
{
    json_t *man = json_object_get(g->root, "weightsManifest");
    if (!json_is_array(man))
        return PORCH_ERR_MALFORMED;
    porch__rd rd;
    porch__rd_init(&rd, bytes, len);
    for (size_t gi = 0; gi < json_array_size(man); gi++) {
        json_t *ws = json_object_get(json_array_get(man, gi), "weights");
        if (!json_is_array(ws))
            return PORCH_ERR_MALFORMED;
        for (size_t k = 0; k < json_array_size(ws); k++) {
            wspec w;
            int rc = spec_parse(&w, json_array_get(ws, k));
            if (!rc)
                rc = attach(g, &w, &rd);
            if (rc)
                return rc;
        }
    }
    if (porch__rd_left(&rd) != 0)
        return PORCH_ERR_MALFORMED; /* more weight bytes than the manifest describes */
    return check_consts(g);
}
