/*
 * test_analysis_pipeline.c: the per-camera pipeline with the real NanoDet
 * model on a synthetic scene (a textured square moving across noise): the
 * detector runs on the first frame (minimum rate), then only when motion has
 * candidates and never more often than the cap; crops are taken around small
 * candidates; the two steps must come in order; the colour picture is needed
 * only when asked for. Skips (77) without .deps/models/nanodet.json
 * (scripts/models.sh). Kept to a few detector runs: it also runs under ASan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "porchlight/analysis.h"
#include "porchlight/nanodet.h"
#include "porchlight/nn.h"

#define GW 160
#define GH 90
#define CW 1280
#define CH 720
#define FRAMES 40
#define STEP_US 100000   /* 10 fps */

static uint32_t rng = 12345;

static uint8_t noise(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(100 + ((rng >> 16) & 7));
}

/* Frame k: noise, and from frame 10 a 12x12 (grey pixels) checkered square moving right. */
static void draw(int k, uint8_t *grey, uint8_t *bgr)
{
    for (int i = 0; i < GW * GH; i++)
        grey[i] = noise();
    if (k >= 10) {
        int x0 = 20 + 3 * (k - 10), y0 = 40;
        for (int y = y0; y < y0 + 12; y++)
            for (int x = x0; x < x0 + 12 && x < GW; x++)
                grey[y * GW + x] = ((x / 3 + y / 3) & 1) ? 230 : 20;
    }
    for (int y = 0; y < CH; y++)
        for (int x = 0; x < CW; x++)
            memset(&bgr[(y * CW + x) * 3], grey[(y / 8) * GW + x / 8], 3);
}

static porch_nn_model *load_model(void)
{
    char path[4096];
    const char *src = getenv("PORCH_SOURCE_DIR");
    porch_nn_model *m = NULL;

    snprintf(path, sizeof(path), "%s/.deps/models/nanodet.json", src != NULL ? src : ".");
    if (porch_nn_model_load(&m, path, NULL, NULL) != PORCH_OK)
        return NULL;
    return m;
}

static void test_order(porch_analysis *a, porch_analysis_result *r, const uint8_t *grey)
{
    int need = -1;
    CHECK_ERR(porch_analysis_detect(a, NULL, r), PORCH_ERR_ANALYSIS_STATE);   /* no step 1 */
    CHECK_OK(porch_analysis_motion(a, grey, GW, 0, &need));
    CHECK(need == 1);                                /* first frame: the minimum rate is due */
    CHECK_ERR(porch_analysis_motion(a, grey, GW, 1, &need), PORCH_ERR_ANALYSIS_STATE);
    CHECK_ERR(porch_analysis_detect(a, NULL, r), PORCH_ERR_ANALYSIS_STATE);   /* colour missing */
}

int main(void)
{
    porch_nn_model *m = load_model();
    porch_analysis_config cfg;
    porch_analysis *a = NULL;
    porch_analysis_result *r = malloc(sizeof(*r));
    uint8_t *grey = malloc(GW * GH), *bgr = malloc(CW * CH * 3);
    porch_analysis_image img = { bgr, CW * 3, CW, CH, PORCH_NANODET_BGR };
    int64_t last_detect = -1000000000;
    int detects = 0, crops = 0, candidates = 0, need = 0;

    if (m == NULL) {
        printf("SKIP: no .deps/models/nanodet.json (run scripts/models.sh)\n");
        free(r);
        free(grey);
        free(bgr);
        return 77;
    }
    REQUIRE(r != NULL && grey != NULL && bgr != NULL);
    porch_analysis_config_default(&cfg);
    CHECK_OK(porch_analysis_config_set(&cfg, "detect_max_fps", "2"));
    CHECK_OK(porch_analysis_config_set(&cfg, "detect_min_fps", "0.2"));
    CHECK_ERR(porch_analysis_new(&a, &cfg, NULL, 1, GW, GH), PORCH_ERR_INVALID_ARG);
    REQUIRE(porch_analysis_new(&a, &cfg, m, 1, GW, GH) == PORCH_OK);
    draw(0, grey, bgr);
    test_order(a, r, grey);
    CHECK_OK(porch_analysis_detect(a, &img, r));
    CHECK(r->detected == 1 && r->why == PORCH_ANALYSIS_WHY_MIN_RATE && r->cropped == 0);
    last_detect = 0;
    detects = 1;
    for (int k = 1; k < FRAMES; k++) {
        int64_t pts = (int64_t)k * STEP_US;
        draw(k, grey, bgr);
        CHECK_OK(porch_analysis_motion(a, grey, GW, pts, &need));
        CHECK_OK(porch_analysis_detect(a, need ? &img : NULL, r));   /* NULL is fine when not needed */
        CHECK(r->detected == need && r->frame == (uint64_t)k && r->pts_us == pts);
        candidates += r->motion.ncandidates > 0;
        if (!need)
            continue;
        CHECK(pts - last_detect >= 500000 - 1000);   /* the 2/s cap */
        CHECK(r->motion.ncandidates > 0 || pts - last_detect >= 5000000 - 1000);
        crops += r->cropped;
        if (r->cropped)
            CHECK(r->crop_x1 - r->crop_x0 < 1.0f && r->crop_y1 - r->crop_y0 < 1.0f);
        last_detect = pts;
        detects++;
    }
    CHECK(candidates > 0);
    CHECK(detects >= 3 && detects <= 1 + FRAMES / 5);
    CHECK(crops > 0);
    CHECK(porch_analysis_detect_count(a) == (uint64_t)detects);
    CHECK_OK(porch_analysis_flush(a, r));
    CHECK(r->nevents == 0);          /* a checkered square is no alert class */
    printf("%d detector runs, %d on crops, %d frames with candidates\n", detects, crops, candidates);
    porch_analysis_free(a);
    porch_nn_model_free(m);
    free(r);
    free(grey);
    free(bgr);
    return CHECK_DONE();
}
