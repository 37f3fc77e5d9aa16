/*
 * test_motion_model.c: the motion stage on synthetic frames.
 *
 * A textured background with sensor noise; on it: a brightness step (not
 * motion), a square crossing the frame (motion, one track, translating), a
 * square jumping back and forth in place (oscillation, not handed over),
 * masks and zones, a camera pan (global, not handed over), a close object
 * that stays (not reseeded) and a stale view after a change (reseeded).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "porchlight/motion.h"

#ifdef MOTION_TEST_DEBUG
#define DUMP(r) dump(&(r))
static void dump(const porch_motion_result *r)
{
    printf("f%llu fg %.3f g %.2f sh %d,%d gl %x n %d c %d", (unsigned long long)r->frame, r->fg_fraction, r->gain, r->shift_x, r->shift_y, r->global, r->nregions, r->ncandidates);
    for (int k = 0; k < r->nregions; k++) printf(" [%u %d,%d %dx%d a%d age%u coh%.2f dyn%.2f c%d]", r->regions[k].track_id, r->regions[k].x, r->regions[k].y, r->regions[k].w, r->regions[k].h, r->regions[k].area, r->regions[k].age, r->regions[k].coherence, r->regions[k].dynamic, r->regions[k].candidate);
    printf("\n");
}
#else
#define DUMP(r) ((void)0)
#endif

/* PORCH__MOTION_SETTLE in lib/motion/motion_internal.h. */
#define SETTLE_FRAMES 4
#define W 160
#define H 96

typedef struct scene {
    uint8_t bg[W * H];
    uint8_t frame[W * H];
    uint32_t rng;
} scene;

static uint32_t rnd(scene *s)
{
    s->rng = s->rng * 1664525u + 1013904223u;
    return s->rng >> 8;
}

/* Smooth random texture (box-blurred noise on a gentle ramp), wider than
 * the frame so a pan can slide over it; offset = how far the camera panned. */
static void make_background(scene *s, int offset)
{
    enum { TW = W + 128 };
    static uint8_t tex[H][TW];
    uint32_t r = 42;

    for (int y = 0; y < H; y++)
        for (int x = 0; x < TW; x++) {
            r = r * 1664525u + 1013904223u;
            tex[y][x] = (uint8_t)(r >> 24);
        }
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int sum = 0, n = 0;
            for (int dy = -2; dy <= 2; dy++)
                for (int dx = -2; dx <= 2; dx++) {
                    int yy = y + dy, xx = x + offset + dx;
                    if (yy >= 0 && yy < H && xx >= 0 && xx < TW) {
                        sum += tex[yy][xx];
                        n++;
                    }
                }
            s->bg[y * W + x] = (uint8_t)(60 + (x + offset) / 4 + sum / n / 2);
        }
}

/* frame = gain * background + noise (+-3), clamped. */
static void render(scene *s, double gain)
{
    for (int i = 0; i < W * H; i++) {
        int v = (int)lround(s->bg[i] * gain) + (int)(rnd(s) % 7) - 3;
        s->frame[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

static void square(scene *s, int x0, int y0, int size, uint8_t v)
{
    for (int y = y0; y < y0 + size && y < H; y++)
        for (int x = x0; x < x0 + size && x < W; x++)
            if (x >= 0 && y >= 0)
                s->frame[y * W + x] = (uint8_t)(v + rnd(s) % 5);
}

static porch_motion *new_model(const porch_motion_config *cfg)
{
    porch_motion *m = NULL;
    porch_motion_config def;

    if (cfg == NULL) {
        porch_motion_config_default(&def, W, H);
        cfg = &def;
    }
    CHECK_OK(porch_motion_new(&m, cfg));
    REQUIRE(m != NULL);
    return m;
}

static void warm_up(porch_motion *m, scene *s, int n)
{
    porch_motion_result r;

    for (int i = 0; i < n; i++) {
        render(s, 1.0);
        CHECK_OK(porch_motion_process(m, s->frame, W, i * 100000, &r));
        CHECK(r.ncandidates == 0);
    }
}

static void test_config(void)
{
    porch_motion *m = (porch_motion *)&m;
    porch_motion_config cfg;

    porch_motion_config_default(&cfg, W, H);
    cfg.width = 8;
    CHECK_ERR(porch_motion_new(&m, &cfg), PORCH_ERR_INVALID_ARG);
    CHECK(m == NULL);
    cfg.width = PORCH_MOTION_MAX_DIM + 1;
    CHECK_ERR(porch_motion_new(&m, &cfg), PORCH_ERR_TOO_LARGE);
    porch_motion_config_default(&cfg, W, H);
    cfg.nzones = 1;
    cfg.zones[0].nvertices = 2;
    CHECK_ERR(porch_motion_new(&m, &cfg), PORCH_ERR_INVALID_ARG);
    cfg.zones[0].nvertices = 3;
    cfg.zones[0].v[2].x = 1.5f;
    CHECK_ERR(porch_motion_new(&m, &cfg), PORCH_ERR_INVALID_ARG);
    cfg.zones[0].v[2].x = NAN;
    CHECK_ERR(porch_motion_new(&m, &cfg), PORCH_ERR_INVALID_ARG);
    cfg.nzones = PORCH_MOTION_MAX_ZONES + 1;
    CHECK_ERR(porch_motion_new(&m, &cfg), PORCH_ERR_TOO_LARGE);
    CHECK_ERR(porch_motion_new(NULL, &cfg), PORCH_ERR_INVALID_ARG);
    porch_motion_config_default(&cfg, W, H);
    cfg.sensitivity = 11;
    CHECK_ERR(porch_motion_new(&m, &cfg), PORCH_ERR_INVALID_ARG);
    porch_motion_free(NULL);
    CHECK(porch_motion_mask(NULL) == NULL);
}

static void test_process_args(void)
{
    scene s = { .rng = 1 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;

    make_background(&s, 0);
    render(&s, 1.0);
    CHECK(porch_motion_mask(m) == NULL);
    CHECK_ERR(porch_motion_process(m, NULL, W, 0, &r), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_motion_process(m, s.frame, W - 1, 0, &r), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_motion_process(NULL, s.frame, W, 0, &r), PORCH_ERR_INVALID_ARG);
    CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
    CHECK(r.global & PORCH_MOTION_GLOBAL_INIT);
    CHECK(porch_motion_mask(m) != NULL);
    porch_motion_free(m);
}

/* A global brightness step (exposure, a cloud, a lamp) is not motion. */
static void test_brightness_step(void)
{
    static const double steps[] = { 1.25, 0.7, 1.6 };

    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        scene s = { .rng = 7 };
        porch_motion *m = new_model(NULL);
        porch_motion_result r;
        int cands = 0;
        make_background(&s, 0);
        warm_up(m, &s, 30);
        for (int i = 0; i < 30; i++) {
            render(&s, steps[k]);
            CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
            cands += r.ncandidates;
        }
        CHECK(cands == 0);
        porch_motion_free(m);
    }
}

/* A square crossing the frame is one translating track, handed over. */
static void test_moving_square(void)
{
    scene s = { .rng = 3 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    uint32_t id = 0;
    int hits = 0, frames = 0, same_id = 1;

    make_background(&s, 0);
    warm_up(m, &s, 20);
    for (int x = 5; x < W - 20; x += 3, frames++) {
        render(&s, 1.0);
        square(&s, x, 40, 14, 230);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        if (r.ncandidates == 0)
            continue;
        hits++;
        CHECK(r.regions[0].x <= x + 3 && r.regions[0].x + r.regions[0].w >= x + 11);
        CHECK(r.regions[0].in_zone == 1);
        if (id == 0)
            id = r.regions[0].track_id;
        same_id &= r.regions[0].track_id == id;
        if (r.regions[0].age > 6) {
            CHECK(r.regions[0].vx > 1.5f && r.regions[0].vx < 4.5f);
            CHECK(r.regions[0].coherence > 0.8f);
        }
    }
    CHECK(hits >= frames - 2);
    CHECK(same_id);
    porch_motion_free(m);
}

/* A square jumping between two places (a branch) is tracked but not handed over. */
static void test_oscillation(void)
{
    scene s = { .rng = 5 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    int late_cands = 0;

    make_background(&s, 0);
    warm_up(m, &s, 20);
    for (int i = 0; i < 60; i++) {
        render(&s, 1.0);
        square(&s, 60 + (i % 2) * 10, 30 + (i % 4 < 2) * 6, 12, 30);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        if (i >= 20)
            late_cands += r.ncandidates;
    }
    CHECK(late_cands <= 2);
    porch_motion_free(m);
}

/* Motion under a mask is ignored; outside a zone it is reported, not handed over. */
static void test_mask_and_zone(void)
{
    porch_motion_config cfg;
    porch_motion_polygon left = { 4, { { 0, 0 }, { 0.5f, 0 }, { 0.5f, 1 }, { 0, 1 } } };
    porch_motion_polygon right = { 4, { { 0.5f, 0 }, { 1, 0 }, { 1, 1 }, { 0.5f, 1 } } };

    for (int zone = 0; zone < 2; zone++) {
        scene s = { .rng = 9 };
        porch_motion *m;
        porch_motion_result r;
        int regions = 0, cands = 0;
        porch_motion_config_default(&cfg, W, H);
        if (zone) {
            cfg.nzones = 1;
            cfg.zones[0] = right;
        } else {
            cfg.nmasks = 1;
            cfg.masks[0] = left;
        }
        m = new_model(&cfg);
        make_background(&s, 0);
        warm_up(m, &s, 20);
        for (int i = 0; i < 20; i++) {
            render(&s, 1.0);
            square(&s, 10 + 2 * i, 40, 12, 230);   /* stays in the left half */
            CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
            regions += r.nregions;
            cands += r.ncandidates;
            for (int k = 0; k < r.nregions && zone; k++)
                CHECK(r.regions[k].in_zone == 0);
        }
        CHECK(cands == 0);
        CHECK(zone ? regions > 10 : regions == 0);
        porch_motion_free(m);
    }
}

/* A panning camera moves everything: flagged, nothing handed over. */
static void test_camera_pan(void)
{
    scene s = { .rng = 11 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    int cands = 0, flagged = 0;

    make_background(&s, 0);
    warm_up(m, &s, 20);
    for (int i = 1; i <= 30; i++) {
        make_background(&s, 2 * i);
        render(&s, 1.0);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        cands += r.ncandidates;
        flagged += (r.global & PORCH_MOTION_GLOBAL_CAMERA) != 0;
    }
    CHECK(cands == 0);
    CHECK(flagged >= 25);
    porch_motion_free(m);
}

/* A shake in the middle of a square's crossing: the frames after it settle
 * (no new region is handed over, the model is realigned) but the square,
 * already handed over, stays a candidate; the shake itself is flagged. */
static void test_shake_keeps_track(void)
{
    scene s = { .rng = 13 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    int flagged = 0, settle_hits = 0;

    make_background(&s, 0);
    warm_up(m, &s, 20);
    for (int i = 0; i < 30; i++) {
        if (i == 15)
            make_background(&s, 4);
        render(&s, 1.0);
        square(&s, 5 + 3 * i, 40, 14, 230);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        flagged += (r.global & PORCH_MOTION_GLOBAL_CAMERA) != 0;
        if (i >= 16 && i < 16 + SETTLE_FRAMES)
            settle_hits += r.ncandidates == 1 && r.regions[0].x <= 5 + 3 * i + 3 &&
                           r.regions[0].x + r.regions[0].w >= 5 + 3 * i + 11;
    }
    CHECK(flagged >= 1);
    CHECK(settle_hits >= SETTLE_FRAMES - 1);
    porch_motion_free(m);
}

/* A day/night (IR) switch remaps grey levels non-linearly (no single gain
 * explains it) across the whole frame at once: the model is reseeded, the
 * mask does not flood and nothing is handed over. */
static void test_ir_switch(void)
{
    scene s = { .rng = 13 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    int cands = 0, reseeds = 0;
    float fg_max = 0;

    make_background(&s, 0);
    warm_up(m, &s, 30);
    for (int i = 0; i < 40; i++) {
        render(&s, 1.0);
        for (int k = 0; k < W * H; k++) /* IR: what was dark is bright, and back */
            s.frame[k] = (uint8_t)(255 - s.frame[k]);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        cands += r.ncandidates;
        reseeds += (r.global & PORCH_MOTION_GLOBAL_INIT) != 0;
        fg_max = r.fg_fraction > fg_max ? r.fg_fraction : fg_max;
    }
    CHECK(cands == 0);
    CHECK(reseeds == 1);
    CHECK(fg_max < 0.05f);
    porch_motion_free(m);
}

/* An object coming close grows over several frames until it covers most of
 * the frame: it is not a global change (no reseed, which would learn it as
 * background) and stays a candidate. */
static void test_growing_object(void)
{
    scene s = { .rng = 15 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    int reseeds = 0, late_hits = 0;

    make_background(&s, 0);
    warm_up(m, &s, 20);
    for (int i = 0; i < 40; i++) {
        int half_w = 8 + (i < 30 ? i : 30) * 2, half_h = 5 + (i < 30 ? i : 30) * 4 / 3;
        render(&s, 1.0);
        for (int y = H / 2 - half_h; y < H / 2 + half_h; y++)
            for (int x = W / 2 - half_w + (i & 1); x < W / 2 + half_w; x++)
                if (x >= 0 && x < W && y >= 0 && y < H)
                    s.frame[y * W + x] = (uint8_t)(215 + (x + y + i) % 7 * 5);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        reseeds += (r.global & PORCH_MOTION_GLOBAL_INIT) != 0;
        late_hits += i >= 30 && r.ncandidates > 0;
    }
    CHECK(r.fg_fraction > 0.35f);
    CHECK(reseeds == 0);
    CHECK(late_hits >= 9);
    porch_motion_free(m);
}

/* Paints an object that grows over 30 frames to cover most of the frame
 * and keeps moving: a steep ramp sliding 3 pixels a frame (a person in
 * front of the camera; never still from one frame to the next). */
static void close_object(scene *s, int i)
{
    int half_w = 8 + (i < 30 ? i : 30) * 2, half_h = 5 + (i < 30 ? i : 30) * 4 / 3;

    for (int y = H / 2 - half_h; y < H / 2 + half_h; y++)
        for (int x = W / 2 - half_w; x < W / 2 + half_w; x++)
            if (x >= 0 && x < W && y >= 0 && y < H)
                s->frame[y * W + x] = (uint8_t)(150 + (x + 3 * i) % 24 * 4);
}

/* A close object that stays for many frames but keeps moving is not a
 * persistent global change: no reseed (which would learn it), candidates
 * throughout (sbi-board: a person at a whiteboard). */
static void test_close_object_stays(void)
{
    scene s = { .rng = 21 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    int reseeds = 0, late_hits = 0;

    make_background(&s, 0);
    warm_up(m, &s, 20);
    for (int i = 0; i < 80; i++) {
        render(&s, 1.0);
        close_object(&s, i);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        reseeds += i > 0 && (r.global & PORCH_MOTION_GLOBAL_INIT) != 0;
        late_hits += i >= 60 && r.ncandidates > 0;
    }
    CHECK(r.fg_fraction > 0.35f);
    CHECK(reseeds == 0);
    CHECK(late_hits >= 19);
    porch_motion_free(m);
}

/* The view changes gradually (a pan the shift search cannot follow) and
 * then stays still: the stale model is reseeded within a few still frames
 * and the new view is quiet. */
static void test_stale_view_reseeded(void)
{
    scene s = { .rng = 22 }, t = { .rng = 23 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    int reseeds = 0, late_cands = 0;

    make_background(&s, 0);
    make_background(&t, 100);
    for (int p = 0; p < W * H; p++)
        t.bg[p] = (uint8_t)(255 - t.bg[p]); /* another view, not a brightness change */
    warm_up(m, &s, 20);
    for (int i = 0; i < 30; i++) {
        int k = i < 10 ? i : 10;
        render(&s, 1.0);
        render(&t, 1.0);
        for (int p = 0; p < W * H; p++)
            s.frame[p] = (uint8_t)((s.frame[p] * (10 - k) + t.frame[p] * k) / 10);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        reseeds += (r.global & PORCH_MOTION_GLOBAL_INIT) != 0;
        late_cands += i >= 20 && r.ncandidates > 0;
    }
    CHECK(reseeds >= 1);
    CHECK(late_cands == 0);
    porch_motion_free(m);
}

/* A square already there on the first frame that changes slowly (a person
 * standing, shifting): the bootstrap reference keeps it from being learnt,
 * so it becomes a candidate once it has changed by more than the threshold;
 * without the bootstrap (PORCH_MOTION_NO_BOOT) the model absorbs it. */
static int present_from_start(unsigned flags)
{
    scene s = { .rng = 17 };
    porch_motion_config cfg;
    porch_motion *m;
    porch_motion_result r;
    int hits = 0;

    porch_motion_config_default(&cfg, W, H);
    cfg.flags = flags;
    m = new_model(&cfg);
    make_background(&s, 0);
    for (int i = 0; i < 120; i++) {
        render(&s, 1.0);
        for (int y = 30; y < 70; y++)
            for (int x = 50; x < 80; x++)
                s.frame[y * W + x] = (uint8_t)(120 + (x * 7 + y * 3) % 11 + i / 2);
        CHECK_OK(porch_motion_process(m, s.frame, W, i * 100000, &r));
        DUMP(r);
        for (int k = 0; k < r.ncandidates; k++)
            hits += i >= 80 && r.regions[k].x < 80 && r.regions[k].x + r.regions[k].w > 50;
    }
    porch_motion_free(m);
    return hits;
}

static void test_bootstrap(void)
{
    int with = present_from_start(0), without = present_from_start(PORCH_MOTION_NO_BOOT);

    CHECK(with >= 36);
    CHECK(without < with / 2);
}

/* Blink counts flips that end short runs: a patch flickering frame to frame
 * (leaves, ripples) becomes dynamic background; a lamp that stays on and
 * off for 8 frames at a time does not. */
static float patch_dynamic(int period)
{
    scene s = { .rng = 19 };
    porch_motion *m = new_model(NULL);
    porch_motion_result r;
    float dyn = 0;

    make_background(&s, 0);
    warm_up(m, &s, 20);
    for (int i = 0; i < 80; i++) {
        render(&s, 1.0);
        if ((i / period) % 2 == 0)
            square(&s, 70, 40, 16, 240);
        CHECK_OK(porch_motion_process(m, s.frame, W, 0, &r));
        DUMP(r);
        for (int k = 0; k < r.nregions && i >= 60; k++)
            dyn = r.regions[k].dynamic > dyn ? r.regions[k].dynamic : dyn;
    }
    porch_motion_free(m);
    return dyn;
}

static void test_blink_runs(void)
{
    CHECK(patch_dynamic(1) > 0.5f);
    CHECK(patch_dynamic(8) < 0.1f);
}

int main(void)
{
    test_config();
    test_process_args();
    test_brightness_step();
    test_moving_square();
    test_oscillation();
    test_mask_and_zone();
    test_camera_pan();
    test_shake_keeps_track();
    test_ir_switch();
    test_growing_object();
    test_close_object_stays();
    test_stale_view_reseeded();
    test_bootstrap();
    test_blink_runs();
    return CHECK_DONE();
}
