/*
 * test_nn_loader.c: the graph-model runtime on synthetic models (synth.c):
 * results against naive reference code for every kernel ISA the CPU has
 * (SAME padding asymmetry, fused bias+ReLU, layout relabelling, fp16 and
 * uint8 weights, pad/concat/split/maxpool/resize, mean/matmul/softmax and
 * the Relu -> Minimum(6) -> Maximum(0) fold), and the loader's
 * rejection of malformed, truncated, oversized and unsupported models with
 * the specific error code each deserves.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nn/nn_internal.h"
#include "porchlight/nn.h"
#include "synth.h"

static float input_val(size_t i)
{
    return (float)((int)((i * 29u + 7u) % 23u) - 11) / 8.0f;
}

/* Loads m with isa and runs it on input_val; outputs into outs (caller frees). */
static int run_model(const synth_model *sm, int isa, unsigned threads, float **outs, size_t *n_out)
{
    porch_nn_model *m = NULL;
    porch_nn_session *s = NULL;
    porch_nn_load_opts o = { 0, 0, isa };
    int rc = porch_nn_model_load_mem(&m, (const uint8_t *)sm->json, sm->json_len, sm->w, sm->w_len, &o);
    if (rc)
        return rc;
    porch_nn_tensor_info in;
    CHECK_OK(porch_nn_model_input(m, 0, &in));
    float *x = malloc(in.count * sizeof *x);
    for (size_t i = 0; i < in.count; i++)
        x[i] = input_val(i);
    *n_out = porch_nn_model_n_outputs(m);
    for (size_t i = 0; i < *n_out; i++) {
        porch_nn_tensor_info info;
        CHECK_OK(porch_nn_model_output(m, i, &info));
        outs[i] = calloc(info.count, sizeof(float));
    }
    CHECK_OK(porch_nn_session_new(&s, m, threads));
    const float *ins[1] = { x };
    rc = porch_nn_run(s, ins, outs);
    porch_nn_session_free(s);
    porch_nn_model_free(m);
    free(x);
    return rc;
}

/* TF SAME conv, stride 2, 3x3, [1,9,11,5] -> [1,5,6,19], bias + ReLU. */
static void ref_conv_same(float *y)
{
    const int H = 9, W = 11, C = 5, K = 19, OH = 5, OW = 6;
    /* pad_total rows = (5-1)*2+3-9 = 2 -> top 1; cols = (6-1)*2+3-11 = 2 -> left 1 */
    for (int oh = 0; oh < OH; oh++)
    for (int ow = 0; ow < OW; ow++)
    for (int k = 0; k < K; k++) {
        double acc = (double)(k - 9) / 16.0;
        for (int ky = 0; ky < 3; ky++)
        for (int kx = 0; kx < 3; kx++)
        for (int c = 0; c < C; c++) {
            int ih = oh * 2 + ky - 1, iw = ow * 2 + kx - 1;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W)
                continue;
            acc += (double)input_val((size_t)((ih * W + iw) * C + c)) *
                   synth_weight((size_t)(((ky * 3 + kx) * C + c) * K + k));
        }
        y[(oh * OW + ow) * K + k] = acc > 0 ? (float)acc : 0.0f;
    }
}

static double max_rel(const float *a, const float *b, size_t n)
{
    double mx = 0, md = 0;
    for (size_t i = 0; i < n; i++) {
        mx = fabs(b[i]) > mx ? fabs(b[i]) : mx;
        double d = fabs((double)a[i] - b[i]);
        md = d > md || isnan(d) ? d : md;
    }
    return mx > 0 ? md / mx : md;
}

static void test_conv_same(void)
{
    synth_model sm;
    float ref[5 * 6 * 19];
    REQUIRE(synth_conv_same(&sm) == 0);
    ref_conv_same(ref);
    for (int isa = PORCH_NN_ISA_PORTABLE; isa <= PORCH_NN_ISA_AVX512; isa++)
        for (unsigned th = 1; th <= 2; th++) {
            float *outs[4] = { 0 };
            size_t n = 0;
            int rc = run_model(&sm, isa, th, outs, &n);
            if (rc == PORCH_ERR_UNSUPPORTED)
                continue;
            CHECK_OK(rc);
            CHECK(n == 1);
            if (n == 1 && outs[0]) {
                double e = max_rel(outs[0], ref, 5 * 6 * 19);
                printf("conv_same isa %d threads %u: rel %.3g\n", isa, th, e);
                CHECK(e < 1e-5);
            }
            free(outs[0]);
        }
    synth_free(&sm);
}

/* depthwise 3x3 s2 SAME on [1,7,8,4]: out [1,4,4,4], pads: rows 1/1, cols 0/1. */
static void test_depthwise(void)
{
    synth_model sm;
    float ref[4 * 4 * 4], *outs[4] = { 0 };
    size_t n = 0;
    REQUIRE(synth_depthwise(&sm) == 0);
    for (int oh = 0; oh < 4; oh++)
    for (int ow = 0; ow < 4; ow++)
    for (int c = 0; c < 4; c++) {
        double acc = (double)(c - 2) / 8.0;
        for (int ky = 0; ky < 3; ky++)
        for (int kx = 0; kx < 3; kx++) {
            int ih = oh * 2 + ky - 1, iw = ow * 2 + kx; /* (4-1)*2+3-8 = 1: right pad only */
            if (ih >= 0 && ih < 7 && iw < 8)
                acc += (double)input_val((size_t)((ih * 8 + iw) * 4 + c)) *
                       synth_weight((size_t)((ky * 3 + kx) * 4 + c));
        }
        ref[(oh * 4 + ow) * 4 + c] = acc > 0 ? (float)acc : 0.0f;
    }
    CHECK_OK(run_model(&sm, 0, 1, outs, &n));
    CHECK(n == 1);
    if (n == 1 && outs[0])
        CHECK(max_rel(outs[0], ref, 64) < 1e-6);
    free(outs[0]);
    synth_free(&sm);
}

static int load_mutated(const synth_model *sm, const char *from, const char *to, size_t wlen);

/* synth_head's reference: clamp(conv + b, 0, 6) -> spatial mean -> relu(m k + kb) -> softmax(h k2). */
static void ref_head(float *mean, float *out)
{
    double m[6] = { 0 }, h[4], z[3], mx = -1e30, sum = 0;
    for (int px = 0; px < 12; px++)
        for (int co = 0; co < 6; co++) {
            double a = (co - 1) * 3.0;
            for (int ci = 0; ci < 5; ci++)
                a += (double)input_val((size_t)(px * 5 + ci)) * synth_weight((size_t)(ci * 6 + co));
            m[co] += (a < 0 ? 0 : a > 6 ? 6 : a) / 12.0;
        }
    for (int j = 0; j < 4; j++) {
        h[j] = SYNTH_HEAD_KB(j);
        for (int i = 0; i < 6; i++)
            h[j] += m[i] * SYNTH_HEAD_K((size_t)(i * 4 + j));
        h[j] = h[j] > 0 ? h[j] : 0;
    }
    for (int l = 0; l < 3; l++) {
        z[l] = 0;
        for (int j = 0; j < 4; j++)
            z[l] += h[j] * SYNTH_HEAD_K2((size_t)(j * 3 + l));
        mx = z[l] > mx ? z[l] : mx;
    }
    for (int l = 0; l < 3; l++)
        sum += exp(z[l] - mx);
    for (int i = 0; i < 6; i++)
        mean[i] = (float)m[i];
    for (int l = 0; l < 3; l++)
        out[l] = (float)(exp(z[l] - mx) / sum);
}

/* Mean, MatMul, _FusedMatMul, Softmax and the ReLU6 clamp fold, every ISA, 1 and 2 threads. */
static void test_head(void)
{
    synth_model sm;
    float mean[6], out[3];
    REQUIRE(synth_head(&sm) == 0);
    ref_head(mean, out);
    for (int isa = PORCH_NN_ISA_PORTABLE; isa <= PORCH_NN_ISA_AVX512; isa++)
        for (unsigned th = 1; th <= 2; th++) {
            float *outs[4] = { 0 };
            size_t n = 0;
            int rc = run_model(&sm, isa, th, outs, &n);
            if (rc == PORCH_ERR_UNSUPPORTED)
                continue;
            CHECK_OK(rc);
            CHECK(n == 2);
            if (n == 2 && outs[0] && outs[1]) {
                double e0 = max_rel(outs[0], mean, 6), e1 = max_rel(outs[1], out, 3);
                printf("head isa %d threads %u: mean rel %.3g softmax rel %.3g\n", isa, th, e0, e1);
                CHECK(e0 < 1e-5 && e1 < 1e-5);
            }
            for (size_t i = 0; i < n; i++)
                free(outs[i]);
        }
    /* what the runtime does not do: transposed operands, other reduction axes */
    CHECK_ERR(load_mutated(&sm, "\"transpose_a\":{\"b\":false}", "\"transpose_a\":{\"b\":true}", sm.w_len),
              PORCH_ERR_UNSUPPORTED);
    CHECK_ERR(load_mutated(&sm, "\"op\":\"Mean\"", "\"op\":\"Sum\"", sm.w_len), PORCH_ERR_UNSUPPORTED);
    synth_free(&sm);
}

/* PReLU spelled max(0,x) + g*min(0,x): fused into one op, same values bit for bit. */
static void test_prelu(void)
{
    synth_model sm;
    float ref[24], *outs[4] = { 0 };
    size_t n = 0;
    REQUIRE(synth_prelu(&sm) == 0);
    for (int i = 0; i < 24; i++) {
        float x = input_val((size_t)i);
        ref[i] = x > 0 ? x : SYNTH_PRELU_G(i % 4) * x;
    }
    CHECK_OK(run_model(&sm, 0, 1, outs, &n));
    CHECK(n == 1);
    if (n == 1 && outs[0])
        CHECK(memcmp(outs[0], ref, sizeof ref) == 0);
    free(outs[0]);
    porch_nn_model *m = NULL;
    CHECK_OK(porch_nn_model_load_mem(&m, (const uint8_t *)sm.json, sm.json_len, sm.w, sm.w_len, NULL));
    if (m)
        CHECK(m->prog.n_ins == 1); /* the four ops became one */
    porch_nn_model_free(m);
    synth_free(&sm);
}

static void test_layout(void)
{
    synth_model sm;
    float *outs[4] = { 0 };
    size_t n = 0;
    REQUIRE(synth_layout(&sm) == 0);
    CHECK_OK(run_model(&sm, 0, 1, outs, &n));
    CHECK(n == 1);
    for (int c = 0; outs[0] && c < 3; c++)
        for (int hw = 0; hw < 4; hw++)
            CHECK(outs[0][c * 4 + hw] == input_val((size_t)(hw * 3 + c)));
    free(outs[0]);
    synth_free(&sm);
}

/* Chain reference: l[c][h][w] (NCHW) = leaky(conv(pad(x)) + b). */
static void ref_chain_l(float *l)
{
    for (int k = 0; k < 8; k++)
    for (int h = 0; h < 6; h++)
    for (int w = 0; w < 6; w++) {
        double acc = (double)(k * 30) * 0.01f - 1.0;
        for (int ky = 0; ky < 3; ky++)
        for (int kx = 0; kx < 3; kx++)
        for (int c = 0; c < 3; c++) {
            int ih = h + ky - 1, iw = w + kx - 1;
            if (ih < 0 || ih >= 6 || iw < 0 || iw >= 6)
                continue;
            acc += (double)input_val((size_t)((c * 6 + ih) * 6 + iw)) *
                   synth_weight((size_t)(((ky * 3 + kx) * 3 + c) * 8 + k));
        }
        l[(k * 6 + h) * 6 + w] = (float)(acc > 0 ? acc : 0.1 * acc);
    }
}

/* Identity = sigmoid(cat[0..9]) NCHW; Identity_1 = resize(maxpool(cat[10..15] NHWC)). */
static void ref_chain(float *id0, float *id1)
{
    float l[8 * 36], mp[3 * 3 * 6];
    ref_chain_l(l);
    for (int c = 0; c < 10; c++)
        for (int i = 0; i < 36; i++)
            id0[c * 36 + i] = 1.0f / (1.0f + expf(-l[(c % 8) * 36 + i]));
    for (int h = 0; h < 3; h++)
    for (int w = 0; w < 3; w++)
    for (int c = 0; c < 6; c++) {
        const float *p = l + (c + 2) * 36;
        float m = p[(2 * h) * 6 + 2 * w];
        m = fmaxf(m, p[(2 * h) * 6 + 2 * w + 1]);
        m = fmaxf(m, p[(2 * h + 1) * 6 + 2 * w]);
        mp[(h * 3 + w) * 6 + c] = fmaxf(m, p[(2 * h + 1) * 6 + 2 * w + 1]);
    }
    for (int oh = 0; oh < 6; oh++)
    for (int ow = 0; ow < 6; ow++) {
        double sy = (oh + 0.5) * 0.5 - 0.5, sx = (ow + 0.5) * 0.5 - 0.5;
        int y0 = sy < 0 ? 0 : (int)floor(sy), x0 = sx < 0 ? 0 : (int)floor(sx);
        int y1 = (int)ceil(sy) > 2 ? 2 : (int)ceil(sy), x1 = (int)ceil(sx) > 2 ? 2 : (int)ceil(sx);
        float fy = (float)(sy - y0), fx = (float)(sx - x0);
        for (int c = 0; c < 6; c++) {
            float tl = mp[(y0 * 3 + x0) * 6 + c], tr = mp[(y0 * 3 + x1) * 6 + c];
            float bl = mp[(y1 * 3 + x0) * 6 + c], br = mp[(y1 * 3 + x1) * 6 + c];
            float top = tl + (tr - tl) * fx, bot = bl + (br - bl) * fx;
            id1[(oh * 6 + ow) * 6 + c] = top + (bot - top) * fy;
        }
    }
}

static void test_chain(void)
{
    synth_model sm;
    float r0[10 * 36], r1[36 * 6];
    REQUIRE(synth_chain(&sm) == 0);
    ref_chain(r0, r1);
    for (int isa = PORCH_NN_ISA_PORTABLE; isa <= PORCH_NN_ISA_AVX512; isa++) {
        float *outs[4] = { 0 };
        size_t n = 0;
        int rc = run_model(&sm, isa, 1, outs, &n);
        if (rc == PORCH_ERR_UNSUPPORTED)
            continue;
        CHECK_OK(rc);
        CHECK(n == 2);
        if (n == 2 && outs[0] && outs[1]) {
            double e0 = max_rel(outs[0], r0, 360), e1 = max_rel(outs[1], r1, 216);
            printf("chain isa %d: rel %.3g %.3g\n", isa, e0, e1);
            CHECK(e0 < 1e-5 && e1 < 1e-5);
        }
        free(outs[0]);
        free(outs[1]);
    }
    synth_free(&sm);
}

/* Loads sm's JSON with the first occurrence of from replaced by to. */
static int load_mutated(const synth_model *sm, const char *from, const char *to, size_t wlen)
{
    const char *at = strstr(sm->json, from);
    REQUIRE(at != NULL);
    size_t pre = (size_t)(at - sm->json), n = sm->json_len - strlen(from) + strlen(to);
    char *j = malloc(n + 1);
    memcpy(j, sm->json, pre);
    memcpy(j + pre, to, strlen(to));
    strcpy(j + pre + strlen(to), at + strlen(from));
    uint8_t *w = calloc(wlen + 8, 1);
    memcpy(w, sm->w, wlen < sm->w_len ? wlen : sm->w_len);
    porch_nn_model *m = NULL;
    int rc = porch_nn_model_load_mem(&m, (const uint8_t *)j, n, w, wlen, NULL);
    CHECK(rc != PORCH_OK || m != NULL);
    CHECK(rc == PORCH_OK || m == NULL);
    porch_nn_model_free(m);
    free(j);
    free(w);
    return rc;
}

static void test_errors(void)
{
    synth_model a, b;
    REQUIRE(synth_conv_same(&a) == 0 && synth_layout(&b) == 0);
    size_t aw = a.w_len;
    CHECK_OK(load_mutated(&a, "\"x\"", "\"x\"", aw));
    CHECK_ERR(load_mutated(&a, "\"Identity\"", "\"Frobnicate\"", aw), PORCH_ERR_UNSUPPORTED);
    CHECK_ERR(load_mutated(&a, "\"x\"", "\"x\"", aw - 1), PORCH_ERR_TRUNCATED);
    CHECK_ERR(load_mutated(&a, "\"x\"", "\"x\"", aw + 4), PORCH_ERR_MALFORMED);
    CHECK_ERR(load_mutated(&a, "[\"y\"]", "[\"nope\"]", aw), PORCH_ERR_MALFORMED);
    CHECK_ERR(load_mutated(&a, "[\"y\"]", "[\"y:3\"]", aw), PORCH_ERR_MALFORMED);
    CHECK_ERR(load_mutated(&a, "[\"y\"]", "[\"^y\"]", aw), PORCH_ERR_UNSUPPORTED);
    CHECK_ERR(load_mutated(&a, "\"name\":\"out\"", "\"name\":\"y\"", aw), PORCH_ERR_MALFORMED);
    CHECK_OK(load_mutated(&a, "\"signature\"", "\"signatureX\"", aw)); /* outputs = unconsumed nodes */
    CHECK_ERR(load_mutated(&a, "{\"size\":\"5\"}", "{\"size\":\"4\"}", aw), PORCH_ERR_UNSUPPORTED);
    CHECK_ERR(load_mutated(&a, "{\"size\":\"9\"}", "{}", aw), PORCH_ERR_UNSUPPORTED);
    CHECK_ERR(load_mutated(&a, "{\"size\":\"9\"}", "{\"size\":\"999999999\"}", aw), PORCH_ERR_TOO_LARGE);
    CHECK_ERR(load_mutated(&a, "\"dtype\":\"float32\"", "\"dtype\":\"string\"", aw), PORCH_ERR_UNSUPPORTED);
    CHECK_ERR(load_mutated(&a, "\"shape\":[19]", "\"shape\":[-19]", aw), PORCH_ERR_MALFORMED);
    CHECK_ERR(load_mutated(&a, "U0FNRQ==", "RVhQTElDSVQ=", aw), PORCH_ERR_UNSUPPORTED); /* EXPLICIT */
    CHECK_ERR(load_mutated(&a, "UmVsdQ==", "RWx1", aw), PORCH_ERR_UNSUPPORTED); /* Elu */
    CHECK_ERR(load_mutated(&a, "{\"format\"", "[{\"format\"", aw), PORCH_ERR_MALFORMED);
    CHECK_ERR(load_mutated(&b, "[\"x\",\"perm\"]", "[\"r\",\"perm\"]", b.w_len), PORCH_ERR_MALFORMED);
    CHECK_ERR(load_mutated(&b, "\"shape\":[4]", "\"shape\":[3]", b.w_len), PORCH_ERR_MALFORMED);
    /* half a document, caps */
    porch_nn_model *m = NULL;
    CHECK_ERR(porch_nn_model_load_mem(&m, (const uint8_t *)a.json, a.json_len / 2, a.w, aw, NULL),
              PORCH_ERR_MALFORMED);
    porch_nn_load_opts small_json = { 100, 0, 0 }, small_w = { 0, 64, 0 };
    CHECK_ERR(porch_nn_model_load_mem(&m, (const uint8_t *)a.json, a.json_len, a.w, aw, &small_json),
              PORCH_ERR_TOO_LARGE);
    CHECK_ERR(porch_nn_model_load_mem(&m, (const uint8_t *)a.json, a.json_len, a.w, aw, &small_w),
              PORCH_ERR_TOO_LARGE);
    CHECK(m == NULL);
    synth_free(&a);
    synth_free(&b);
}

static void test_f16(void)
{
    CHECK(porch__f16_to_f32(0x3c00) == 1.0f);
    CHECK(porch__f16_to_f32(0xc000) == -2.0f);
    CHECK(porch__f16_to_f32(0x7bff) == 65504.0f);
    CHECK(porch__f16_to_f32(0x0001) == ldexpf(1.0f, -24));
    CHECK(porch__f16_to_f32(0xfc00) == -INFINITY);
    CHECK(isnan(porch__f16_to_f32(0x7e00)));
    CHECK(porch__f16_to_f32(0x3555) == 0.333251953125f);
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    REQUIRE(f && fwrite(p, 1, n, f) == n);
    fclose(f);
}

static void test_files(void)
{
    synth_model sm;
    char dir[1024], json[1100];
    const char *bd = getenv("PORCH_BUILD_DIR");
    snprintf(dir, sizeof dir, "%s/nn-test-XXXXXX", bd ? bd : "/tmp");
    REQUIRE(mkdtemp(dir) != NULL);
    REQUIRE(synth_conv_same(&sm) == 0);
    write_file(dir, "model.json", sm.json, sm.json_len);
    snprintf(json, sizeof json, "%s/model.json", dir);
    porch_nn_model *m = NULL;
    CHECK_ERR(porch_nn_model_load(&m, json, NULL, NULL), PORCH_ERR_IO); /* shard missing */
    write_file(dir, "conv_same.bin", sm.w, sm.w_len);
    CHECK_OK(porch_nn_model_load(&m, json, NULL, NULL));
    porch_nn_session *s = NULL;
    CHECK_ERR(porch_nn_session_new(&s, m, 65), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_nn_session_new(NULL, m, 1), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_nn_run(NULL, NULL, NULL), PORCH_ERR_INVALID_ARG);
    porch_nn_tensor_info info;
    CHECK_ERR(porch_nn_model_output(m, 1, &info), PORCH_ERR_INVALID_ARG);
    porch_nn_model_free(m);
    char *evil = strstr(sm.json, "conv_same.bin");
    memcpy(evil, "../../etc/pas", 13);
    write_file(dir, "model.json", sm.json, sm.json_len);
    CHECK_ERR(porch_nn_model_load(&m, json, NULL, NULL), PORCH_ERR_MALFORMED);
    snprintf(json, sizeof json, "%s/model.json", dir);
    unlink(json);
    snprintf(json, sizeof json, "%s/conv_same.bin", dir);
    unlink(json);
    rmdir(dir);
    synth_free(&sm);
}

int main(void)
{
    test_f16();
    test_conv_same();
    test_layout();
    test_depthwise();
    test_chain();
    test_head();
    test_prelu();
    test_errors();
    test_files();
    return CHECK_DONE();
}
