/*
 * test_nanodet.c: NanoDet pre/post-processing. Letterbox geometry and
 * normalisation; GFL decoding and per-class NMS on hand-made head outputs;
 * and, when scripts/models.sh and scripts/oracle.sh have run (they need
 * ../shared/testdata), the whole detector on a real frame (30 s into
 * one-by-one-person-detection.mp4): our preprocessing must equal the
 * oracle's input and the person walking in must be found. Skips the real-frame part
 * with a message otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "porchlight/nanodet.h"
#include "porchlight/nn.h"

#define S PORCH_NANODET_SIZE

static void test_letterbox(void)
{
    uint8_t pix[2 * 3 * 1] = { 10, 20, 30, 200, 100, 50 }; /* 2x1, BGR */
    float *in = malloc(sizeof(float) * PORCH_NANODET_INPUT_COUNT);
    porch_nanodet_letterbox lb;
    CHECK_OK(porch_nanodet_preprocess(pix, 2, 1, 6, PORCH_NANODET_BGR, in, &lb));
    CHECK(lb.w == 416 && lb.h == 208 && lb.left == 0 && lb.top == 104);
    CHECK(fabsf(in[0] - (0 - 103.53f) / 57.375f) < 1e-6f);              /* bar: black */
    CHECK(fabsf(in[(size_t)(104 + 10) * S + 0] - (10 - 103.53f) / 57.375f) < 1e-5f);
    CHECK(fabsf(in[2 * S * S + (size_t)(104 + 10) * S + 415] - (50 - 123.675f) / 58.395f) < 1e-5f);
    CHECK_OK(porch_nanodet_preprocess(pix, 2, 1, 6, PORCH_NANODET_RGB, in, &lb));
    CHECK(fabsf(in[(size_t)(104 + 10) * S + 0] - (30 - 103.53f) / 57.375f) < 1e-5f);
    CHECK_ERR(porch_nanodet_preprocess(pix, 2, 1, 5, PORCH_NANODET_BGR, in, &lb), PORCH_ERR_INVALID_ARG);
    free(in);
}

/* Head outputs with one confident cell per call of put(). */
typedef struct heads { float *o[6]; } heads;
static const int cells[3] = { 52 * 52, 26 * 26, 13 * 13 };

static void put(heads *h, int lvl, int cell, int cls, float score, const int bins[4])
{
    h->o[lvl][(size_t)cell * 80 + (size_t)cls] = score;
    for (int s = 0; s < 4; s++)
        h->o[3 + lvl][(size_t)cell * 44 + (size_t)s * 11 + (size_t)bins[s]] = 50.0f; /* one-hot */
}

static void test_decode(void)
{
    heads h;
    for (int l = 0; l < 3; l++) {
        h.o[l] = calloc((size_t)cells[l] * 80, sizeof(float));
        h.o[3 + l] = calloc((size_t)cells[l] * 44, sizeof(float));
    }
    static const int b2[4] = { 2, 2, 2, 2 }, b3[4] = { 3, 2, 3, 2 }; /* a cell has one box */
    put(&h, 1, 10 * 26 + 10, 0, 0.9f, b2);  /* person at (168,168) +-32 */
    put(&h, 1, 10 * 26 + 11, 0, 0.8f, b2);  /* same class, IoU 0.6 > 0.5: suppressed */
    put(&h, 1, 10 * 26 + 11, 2, 0.7f, b2);  /* other class, same cell: kept */
    put(&h, 2, 3 * 13 + 4, 7, 0.6f, b3);    /* stride 32: truck at (144,112) */
    porch_nanodet_letterbox lb = { 832, 832, 0, 0, 416, 416 }; /* source twice as big */
    porch_nanodet_det d[8];
    size_t n = 0;
    CHECK_OK(porch_nanodet_decode((const float *const *)h.o, &lb, 0.35f, 0.5f, d, 8, &n));
    CHECK(n == 3);
    CHECK(d[0].cls == 0 && fabsf(d[0].score - 0.9f) < 1e-6f);
    CHECK(fabsf(d[0].x0 - 2 * (168 - 32)) < 0.01f && fabsf(d[0].y1 - 2 * (168 + 32)) < 0.01f);
    CHECK(n == 3 && d[1].cls == 2 && fabsf(d[1].x1 - 2 * (184 + 32)) < 0.01f);
    CHECK(n == 3 && d[2].cls == 7 && fabsf(d[2].x0 - 2 * (144 - 96)) < 0.01f &&
          fabsf(d[2].y1 - 2 * (112 + 64)) < 0.01f);
    CHECK(strcmp(porch_coco_label(2), "car") == 0 && strcmp(porch_coco_label(80), "?") == 0);
    for (int i = 0; i < 6; i++)
        free(h.o[i]);
}

static uint8_t *read_all(const char *path, size_t want)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = malloc(want);
    if (!f || !p || fread(p, 1, want, f) != want) {
        free(p);
        p = NULL;
    }
    if (f)
        fclose(f);
    return p;
}

static void check_frame_input(const char *odir, const float *in)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/nanodet/frame/input_1.f32", odir);
    float *ref = (float *)(void *)read_all(path, sizeof(float) * PORCH_NANODET_INPUT_COUNT);
    CHECK(ref != NULL);
    double md = 0;
    for (size_t i = 0; ref && i < PORCH_NANODET_INPUT_COUNT; i++)
        md = fmax(md, fabs((double)in[i] - ref[i]));
    printf("preprocessing vs oracle input: max |diff| %.3g\n", md);
    CHECK(md < 1e-5);
    free(ref);
}

static int detect(const float *in, porch_nanodet_letterbox *lb, porch_nanodet_det *d, size_t *n)
{
    char json[1100];
    const char *src = getenv("PORCH_SOURCE_DIR");
    snprintf(json, sizeof json, "%s/.deps/models/nanodet.json", src ? src : ".");
    porch_nn_model *m = NULL;
    porch_nn_session *s = NULL;
    float *outs[6] = { 0 };
    int rc = porch_nn_model_load(&m, json, NULL, NULL);
    if (rc)
        return rc;
    for (size_t i = 0; i < 6; i++) {
        porch_nn_tensor_info info;
        CHECK_OK(porch_nn_model_output(m, i, &info));
        outs[i] = malloc(info.count * sizeof(float));
    }
    CHECK_OK(porch_nn_session_new(&s, m, 1));
    const float *ins[1] = { in };
    CHECK_OK(porch_nn_run(s, ins, outs));
    CHECK_OK(porch_nanodet_decode((const float *const *)outs, lb, 0.35f, 0.6f, d, 100, n));
    porch_nn_session_free(s);
    porch_nn_model_free(m);
    for (int i = 0; i < 6; i++)
        free(outs[i]);
    return PORCH_OK;
}

static int test_real_frame(void)
{
    const char *src = getenv("PORCH_SOURCE_DIR"), *oracle = getenv("PORCH_NN_ORACLE_DIR");
    char odir[1024], path[1100];
    if (oracle) /* as test_nn_oracle.c: scripts/test.sh keeps the outputs in .deps */
        snprintf(odir, sizeof odir, "%s/nn-oracle", oracle);
    else
        snprintf(odir, sizeof odir, "%s/build/nn-oracle", src ? src : ".");
    snprintf(path, sizeof path, "%s/frame.bgr", odir);
    uint8_t *bgr = read_all(path, (size_t)S * S * 3);
    if (!bgr)
        return 0;
    float *in = malloc(sizeof(float) * PORCH_NANODET_INPUT_COUNT);
    porch_nanodet_letterbox lb;
    CHECK_OK(porch_nanodet_preprocess(bgr, S, S, S * 3, PORCH_NANODET_BGR, in, &lb));
    check_frame_input(odir, in);
    porch_nanodet_det d[100];
    size_t n = 0;
    int rc = detect(in, &lb, d, &n), found = 0;
    if (rc == PORCH_OK) {
        for (size_t i = 0; i < n; i++) {
            printf("  %-10s %.2f [%.0f %.0f %.0f %.0f]\n", porch_coco_label(d[i].cls), d[i].score,
                   d[i].x0, d[i].y0, d[i].x1, d[i].y1);
            found |= d[i].cls == 0 && d[i].score > 0.6f && d[i].x0 > 180 && d[i].x1 < 330 &&
                     d[i].y0 > 70 && d[i].y1 < 330;
        }
        CHECK(found);
    }
    free(in);
    free(bgr);
    return rc == PORCH_OK;
}

int main(void)
{
    test_letterbox();
    test_decode();
    if (!test_real_frame())
        printf("real-frame part skipped: run scripts/models.sh and scripts/oracle.sh "
               "(needs ../shared/testdata and ffmpeg)\n");
    return CHECK_DONE();
}
