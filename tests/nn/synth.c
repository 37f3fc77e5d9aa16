/*
 * synth.c: the synthetic models of synth.h. JSON is written by hand in the
 * converter's encoding (ints as strings, strings base64: "SAME" = U0FNRQ==,
 * "VALID" = VkFMSUQ=, "BiasAdd" = Qmlhc0FkZA==, "Relu" = UmVsdQ==).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

typedef struct buf { uint8_t *p; size_t n, cap; } buf;

static void put(buf *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_f32(buf *b, float v) { put(b, &v, 4); }
static void put_i32(buf *b, int32_t v) { put(b, &v, 4); }

/* float -> IEEE half for values k/64 with |k| < 2048 (exact). */
static void put_f16(buf *b, float v)
{
    uint16_t h = 0;
    if (v != 0) {
        uint32_t u;
        memcpy(&u, &v, 4);
        int e = (int)((u >> 23) & 0xff) - 127 + 15;
        h = (uint16_t)(((u >> 16) & 0x8000) | ((unsigned)e << 10) | ((u >> 13) & 0x3ff));
    }
    put(b, &h, 2);
}

float synth_weight(size_t i)
{
    return (float)((int)((i * 37u + 11u) % 41u) - 20) / 64.0f;
}

static int finish(synth_model *m, const char *json, buf *w)
{
    m->json = strdup(json);
    m->json_len = strlen(json);
    m->w = w->p;
    m->w_len = w->n;
    return m->json ? 0 : -1;
}

void synth_free(synth_model *m)
{
    if (!m)
        return;
    free(m->json);
    free(m->w);
    memset(m, 0, sizeof *m);
}

#define PH(name, dims) \
    "{\"name\":\"" name "\",\"op\":\"Placeholder\",\"attr\":{\"dtype\":{\"type\":\"DT_FLOAT\"}," \
    "\"shape\":{\"shape\":{\"dim\":[" dims "]}}}}"
#define CONST(name) "{\"name\":\"" name "\",\"op\":\"Const\",\"attr\":{}}"
#define SIG(out) ",\"signature\":{\"outputs\":{" out "}}"

int synth_conv_same(synth_model *m)
{
    buf w = { 0 };
    for (size_t i = 0; i < 3 * 3 * 5 * 19; i++)
        put_f32(&w, synth_weight(i));
    for (int i = 0; i < 19; i++)
        put_f32(&w, (float)(i - 9) / 16.0f);
    return finish(m,
        "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":["
        PH("x", "{\"size\":\"1\"},{\"size\":\"9\"},{\"size\":\"11\"},{\"size\":\"5\"}") ","
        CONST("w") "," CONST("b") ","
        "{\"name\":\"y\",\"op\":\"_FusedConv2D\",\"input\":[\"x\",\"w\",\"b\"],\"attr\":{"
        "\"strides\":{\"list\":{\"i\":[\"1\",\"2\",\"2\",\"1\"]}},\"padding\":{\"s\":\"U0FNRQ==\"},"
        "\"dilations\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},"
        "\"fused_ops\":{\"list\":{\"s\":[\"Qmlhc0FkZA==\",\"UmVsdQ==\"]}},\"num_args\":{\"i\":\"1\"}}},"
        "{\"name\":\"out\",\"op\":\"Identity\",\"input\":[\"y\"]}]}"
        SIG("\"out:0\":{\"name\":\"out:0\"}")
        ",\"weightsManifest\":[{\"paths\":[\"conv_same.bin\"],\"weights\":["
        "{\"name\":\"w\",\"shape\":[3,3,5,19],\"dtype\":\"float32\"},"
        "{\"name\":\"b\",\"shape\":[19],\"dtype\":\"float32\"}]}]}", &w);
}

int synth_layout(synth_model *m)
{
    buf w = { 0 };
    int32_t perm[4] = { 0, 3, 1, 2 }, shape[3] = { 1, 3, -1 };
    for (int i = 0; i < 4; i++)
        put_i32(&w, perm[i]);
    for (int i = 0; i < 3; i++)
        put_i32(&w, shape[i]);
    return finish(m,
        "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":["
        PH("x", "{\"size\":\"1\"},{\"size\":\"2\"},{\"size\":\"2\"},{\"size\":\"3\"}") ","
        CONST("perm") "," CONST("shape") ","
        "{\"name\":\"t\",\"op\":\"Transpose\",\"input\":[\"x\",\"perm\"]},"
        "{\"name\":\"r\",\"op\":\"Reshape\",\"input\":[\"t\",\"shape\"]},"
        "{\"name\":\"out\",\"op\":\"Identity\",\"input\":[\"r\"]}]}"
        SIG("\"out:0\":{\"name\":\"out:0\"}")
        ",\"weightsManifest\":[{\"paths\":[\"layout.bin\"],\"weights\":["
        "{\"name\":\"perm\",\"shape\":[4],\"dtype\":\"int32\"},"
        "{\"name\":\"shape\",\"shape\":[3],\"dtype\":\"int32\"}]}]}", &w);
}

static void chain_weights(buf *w)
{
    int32_t pads[8] = { 0, 0, 0, 0, 1, 1, 1, 1 }, nhwc[4] = { 0, 2, 3, 1 }, nchw[4] = { 0, 3, 1, 2 };
    for (int i = 0; i < 8; i++) put_i32(w, pads[i]);
    for (int i = 0; i < 4; i++) put_i32(w, nhwc[i]);
    for (int i = 0; i < 4; i++) put_i32(w, nchw[i]);
    for (size_t i = 0; i < 3 * 3 * 3 * 8; i++) put_f16(w, synth_weight(i));
    for (int i = 0; i < 8; i++) { uint8_t q = (uint8_t)(i * 30); put(w, &q, 1); }
    put_i32(w, 1);                       /* concat axis */
    put_i32(w, 10); put_i32(w, -1);      /* split sizes */
    put_i32(w, 1);                       /* split dim */
    put_i32(w, 6); put_i32(w, 6);        /* resize size */
}

int synth_chain(synth_model *m)
{
    buf w = { 0 };
    chain_weights(&w);
    return finish(m,
        "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":["
        PH("x", "{\"size\":\"-1\"},{\"size\":\"3\"},{\"size\":\"6\"},{\"size\":\"6\"}") ","
        CONST("pads") "," CONST("nhwc") "," CONST("nchw") "," CONST("w") "," CONST("b") ","
        CONST("axis") "," CONST("sizes") "," CONST("dim") "," CONST("size") ","
        "{\"name\":\"p\",\"op\":\"Pad\",\"input\":[\"x\",\"pads\"]},"
        "{\"name\":\"t1\",\"op\":\"Transpose\",\"input\":[\"p\",\"nhwc\"]},"
        "{\"name\":\"c\",\"op\":\"Conv2D\",\"input\":[\"t1\",\"w\"],\"attr\":{"
        "\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"padding\":{\"s\":\"VkFMSUQ=\"},"
        "\"data_format\":{\"s\":\"TkhXQw==\"}}},"
        "{\"name\":\"a\",\"op\":\"Add\",\"input\":[\"c\",\"b\"]},"
        "{\"name\":\"t2\",\"op\":\"Transpose\",\"input\":[\"a\",\"nchw\"]},"
        "{\"name\":\"l\",\"op\":\"LeakyRelu\",\"input\":[\"t2\"],\"attr\":{\"alpha\":{\"f\":0.1}}},"
        "{\"name\":\"cat\",\"op\":\"ConcatV2\",\"input\":[\"l\",\"l\",\"axis\"]},"
        "{\"name\":\"sp\",\"op\":\"SplitV\",\"input\":[\"cat\",\"sizes\",\"dim\"],"
        "\"attr\":{\"num_split\":{\"i\":\"2\"}}},"
        "{\"name\":\"s0\",\"op\":\"Sigmoid\",\"input\":[\"sp\"]},"
        "{\"name\":\"t3\",\"op\":\"Transpose\",\"input\":[\"sp:1\",\"nhwc\"]},"
        "{\"name\":\"mp\",\"op\":\"MaxPool\",\"input\":[\"t3\"],\"attr\":{"
        "\"ksize\":{\"list\":{\"i\":[\"1\",\"2\",\"2\",\"1\"]}},"
        "\"strides\":{\"list\":{\"i\":[\"1\",\"2\",\"2\",\"1\"]}},\"padding\":{\"s\":\"VkFMSUQ=\"}}},"
        "{\"name\":\"rs\",\"op\":\"ResizeBilinear\",\"input\":[\"mp\",\"size\"],\"attr\":{"
        "\"half_pixel_centers\":{\"b\":true},\"align_corners\":{\"b\":false}}},"
        "{\"name\":\"Identity\",\"op\":\"Identity\",\"input\":[\"s0\"]},"
        "{\"name\":\"Identity_1\",\"op\":\"Identity\",\"input\":[\"rs\"]}]}"
        SIG("\"Identity:0\":{\"name\":\"Identity:0\"},\"Identity_1:0\":{\"name\":\"Identity_1:0\"}")
        ",\"weightsManifest\":[{\"paths\":[\"chain.bin\"],\"weights\":["
        "{\"name\":\"pads\",\"shape\":[4,2],\"dtype\":\"int32\"},"
        "{\"name\":\"nhwc\",\"shape\":[4],\"dtype\":\"int32\"},"
        "{\"name\":\"nchw\",\"shape\":[4],\"dtype\":\"int32\"},"
        "{\"name\":\"w\",\"shape\":[3,3,3,8],\"dtype\":\"float32\","
        "\"quantization\":{\"dtype\":\"float16\",\"original_dtype\":\"float32\"}},"
        "{\"name\":\"b\",\"shape\":[8],\"dtype\":\"float32\","
        "\"quantization\":{\"dtype\":\"uint8\",\"scale\":0.01,\"min\":-1.0}},"
        "{\"name\":\"axis\",\"shape\":[],\"dtype\":\"int32\"},"
        "{\"name\":\"sizes\",\"shape\":[2],\"dtype\":\"int32\"},"
        "{\"name\":\"dim\",\"shape\":[],\"dtype\":\"int32\"},"
        "{\"name\":\"size\",\"shape\":[2],\"dtype\":\"int32\"}]}]}", &w);
}

int synth_depthwise(synth_model *m)
{
    buf w = { 0 };
    for (size_t i = 0; i < 3 * 3 * 4; i++)
        put_f32(&w, synth_weight(i));
    for (int i = 0; i < 4; i++)
        put_f32(&w, (float)(i - 2) / 8.0f);
    return finish(m,
        "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":["
        PH("x", "{\"size\":\"1\"},{\"size\":\"7\"},{\"size\":\"8\"},{\"size\":\"4\"}") ","
        CONST("dw") "," CONST("b") ","
        "{\"name\":\"d\",\"op\":\"DepthwiseConv2dNative\",\"input\":[\"x\",\"dw\"],\"attr\":{"
        "\"strides\":{\"list\":{\"i\":[\"1\",\"2\",\"2\",\"1\"]}},\"padding\":{\"s\":\"U0FNRQ==\"},"
        "\"dilations\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}}}},"
        "{\"name\":\"a\",\"op\":\"AddV2\",\"input\":[\"d\",\"b\"]},"
        "{\"name\":\"Identity\",\"op\":\"Relu\",\"input\":[\"a\"]}]}"
        ",\"weightsManifest\":[{\"paths\":[\"dw.bin\"],\"weights\":["
        "{\"name\":\"dw\",\"shape\":[3,3,4,1],\"dtype\":\"float32\"},"
        "{\"name\":\"b\",\"shape\":[4],\"dtype\":\"float32\"}]}]}", &w);
}

static void head_weights(buf *w)
{
    for (size_t i = 0; i < 5 * 6; i++) put_f32(w, synth_weight(i));
    for (int i = 0; i < 6; i++) put_f32(w, (float)(i - 1) * 3.0f); /* bias: some clamp at 6 */
    put_f32(w, 6.0f);
    put_f32(w, 0.0f);
    put_i32(w, 1); put_i32(w, 2);                                       /* mean axes */
    for (size_t i = 0; i < 6 * 4; i++) put_f32(w, SYNTH_HEAD_K(i));
    for (int i = 0; i < 4; i++) put_f32(w, SYNTH_HEAD_KB(i));
    for (size_t i = 0; i < 4 * 3; i++) put_f32(w, SYNTH_HEAD_K2(i));
}

int synth_head(synth_model *m)
{
    buf w = { 0 };
    head_weights(&w);
    return finish(m,
        "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":["
        PH("x", "{\"size\":\"-1\"},{\"size\":\"3\"},{\"size\":\"4\"},{\"size\":\"5\"}") ","
        CONST("w") "," CONST("b") "," CONST("six") "," CONST("zero") "," CONST("axes") ","
        CONST("k") "," CONST("kb") "," CONST("k2") ","
        "{\"name\":\"c\",\"op\":\"Conv2D\",\"input\":[\"x\",\"w\"],\"attr\":{"
        "\"strides\":{\"list\":{\"i\":[\"1\",\"1\",\"1\",\"1\"]}},\"padding\":{\"s\":\"U0FNRQ==\"}}},"
        "{\"name\":\"a\",\"op\":\"Add\",\"input\":[\"c\",\"b\"]},"
        "{\"name\":\"r\",\"op\":\"Relu\",\"input\":[\"a\"]},"
        "{\"name\":\"lo\",\"op\":\"Minimum\",\"input\":[\"r\",\"six\"]},"
        "{\"name\":\"hi\",\"op\":\"Maximum\",\"input\":[\"lo\",\"zero\"]},"
        "{\"name\":\"mean\",\"op\":\"Mean\",\"input\":[\"hi\",\"axes\"],"
        "\"attr\":{\"keep_dims\":{\"b\":false}}},"
        "{\"name\":\"f\",\"op\":\"_FusedMatMul\",\"input\":[\"mean\",\"k\",\"kb\"],\"attr\":{"
        "\"fused_ops\":{\"list\":{\"s\":[\"Qmlhc0FkZA==\",\"UmVsdQ==\"]}},\"num_args\":{\"i\":\"1\"},"
        "\"transpose_a\":{\"b\":false},\"transpose_b\":{\"b\":false}}},"
        "{\"name\":\"z\",\"op\":\"MatMul\",\"input\":[\"f\",\"k2\"]},"
        "{\"name\":\"out\",\"op\":\"Softmax\",\"input\":[\"z\"]}]}"
        SIG("\"mean:0\":{\"name\":\"mean:0\"},\"out:0\":{\"name\":\"out:0\"}")
        ",\"weightsManifest\":[{\"paths\":[\"head.bin\"],\"weights\":["
        "{\"name\":\"w\",\"shape\":[1,1,5,6],\"dtype\":\"float32\"},"
        "{\"name\":\"b\",\"shape\":[6],\"dtype\":\"float32\"},"
        "{\"name\":\"six\",\"shape\":[],\"dtype\":\"float32\"},"
        "{\"name\":\"zero\",\"shape\":[],\"dtype\":\"float32\"},"
        "{\"name\":\"axes\",\"shape\":[2],\"dtype\":\"int32\"},"
        "{\"name\":\"k\",\"shape\":[6,4],\"dtype\":\"float32\"},"
        "{\"name\":\"kb\",\"shape\":[4],\"dtype\":\"float32\"},"
        "{\"name\":\"k2\",\"shape\":[4,3],\"dtype\":\"float32\"}]}]}", &w);
}

int synth_prelu(synth_model *m)
{
    buf w = { 0 };
    put_f32(&w, 0.0f);
    for (int i = 0; i < 4; i++) put_f32(&w, SYNTH_PRELU_G(i));
    return finish(m,
        "{\"format\":\"graph-model\",\"modelTopology\":{\"node\":["
        PH("x", "{\"size\":\"1\"},{\"size\":\"2\"},{\"size\":\"3\"},{\"size\":\"4\"}") ","
        CONST("zero") "," CONST("g") ","
        "{\"name\":\"mx\",\"op\":\"Maximum\",\"input\":[\"zero\",\"x\"]},"
        "{\"name\":\"mn\",\"op\":\"Minimum\",\"input\":[\"zero\",\"x\"]},"
        "{\"name\":\"ml\",\"op\":\"Mul\",\"input\":[\"g\",\"mn\"]},"
        "{\"name\":\"out\",\"op\":\"AddV2\",\"input\":[\"mx\",\"ml\"]}]}"
        SIG("\"out:0\":{\"name\":\"out:0\"}")
        ",\"weightsManifest\":[{\"paths\":[\"prelu.bin\"],\"weights\":["
        "{\"name\":\"zero\",\"shape\":[],\"dtype\":\"float32\"},"
        "{\"name\":\"g\",\"shape\":[4],\"dtype\":\"float32\"}]}]}", &w);
}
