/*
 * motion.c: the motion stage's lifecycle and per-frame pipeline
 * (porchlight/motion.h; the algorithm is described in docs/MOTION.md).
 *
 * Per frame: copy -> camera shift (realign the model) -> illumination gain
 * -> per-pixel classification and model update -> flood check (global
 * change: reseed) -> shadows -> masks -> 3x3 majority -> regions -> tracks
 * -> hand-over. After a reseed or a camera shift, PORCH__MOTION_SETTLE
 * frames hand nothing over.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "motion/mask.h"
#include "motion/motion_internal.h"

/* A raw mask covering more than FLOOD_SHARE of the frame and spread over at
 * least FLOOD_CELLS of the 4x4 grid cells is a global change (lights, IR
 * switch, exposure jump, big shake), not an object: a close object covers
 * much of the frame but not all of it evenly. */
#define FLOOD_SHARE 0.35
#define FLOOD_CELLS 13
#define FLOOD_CELL_SHARE 0.15
/* A global change is sudden: the raw mask at least FLOOD_JUMP times what it
 * was on the previous frame. A mask that grows over several frames is an
 * object coming close (or its ghost), and reseeding would learn it as
 * background (sbi-board: a person at a whiteboard reseeded 4 times). A
 * flood that lasts FLOOD_PERSIST frames reseeds when the view under it has
 * stopped changing (at least FLOOD_STILL of its pixels within STILL_DIFF of
 * the previous frame): the model is stale (psu-movecam after its pan: 0.95
 * still), whereas a person close to the camera keeps moving (sbi-board,
 * 0.48-0.64 still; it was reseeded at frame 40 and lost for 6 frames).
 * FLOOD_STILL_RUN still frames in a row reseed without waiting for
 * FLOOD_PERSIST: nothing moves, so nothing is lost (psu-movecam's stale view
 * after its pan ended at frame 170 is reseeded at 175 instead of 180). */
#ifndef FLOOD_JUMP
#define FLOOD_JUMP 1.3
#endif
#ifndef FLOOD_DYNAMIC
#define FLOOD_DYNAMIC 0.2
#endif
#ifndef FLOOD_PERSIST
#define FLOOD_PERSIST 25
#endif
#ifndef FLOOD_STILL
#define FLOOD_STILL 0.9
#endif
#ifndef FLOOD_STILL_RUN
#define FLOOD_STILL_RUN 5
#endif
/* Gain change between consecutive frames reported as a light change. */
#define LIGHT_STEP 0.06
/* Grey levels of frame-to-frame change under which a pixel is still. */
#define STILL_DIFF 8
#define MERGE_GAP 3

void porch_motion_config_default(porch_motion_config *cfg, int width, int height)
{
    if (cfg == NULL)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->width = width;
    cfg->height = height;
    cfg->sensitivity = 5;
}

static int check_config(const porch_motion_config *c)
{
    if (c->width < PORCH_MOTION_MIN_DIM || c->height < PORCH_MOTION_MIN_DIM)
        return PORCH_ERR_INVALID_ARG;
    if (c->width > PORCH_MOTION_MAX_DIM || c->height > PORCH_MOTION_MAX_DIM)
        return PORCH_ERR_TOO_LARGE;
    if (c->nzones < 0 || c->nmasks < 0 || c->sensitivity < 0 || c->sensitivity > 10 ||
        c->min_area < 0 || c->min_age < 0 || c->min_age > 1000)
        return PORCH_ERR_INVALID_ARG;
    if (c->nzones > PORCH_MOTION_MAX_ZONES || c->nmasks > PORCH_MOTION_MAX_ZONES)
        return PORCH_ERR_TOO_LARGE;
    for (int k = 0; k < c->nzones; k++)
        if (!porch__poly_valid(&c->zones[k]))
            return PORCH_ERR_INVALID_ARG;
    for (int k = 0; k < c->nmasks; k++)
        if (!porch__poly_valid(&c->masks[k]))
            return PORCH_ERR_INVALID_ARG;
    return PORCH_OK;
}

static int alloc_buffers(porch_motion *m)
{
    size_t n = m->npix;

    m->cur = malloc(n);
    m->last = malloc(n);
    m->norm = malloc(n);
    m->raw = malloc(n);
    m->clean = malloc(n);
    m->out = calloc(n, 1);
    m->scratch = malloc(n);
    m->zone = calloc(n, 1);
    m->ignore = calloc(n, 1);
    m->rowbuf = malloc((size_t)m->w);
    m->stack = malloc(n * sizeof(int32_t));
    m->blobs = malloc(PORCH__BLOBS_MAX * sizeof(porch__blob));
    if (!m->cur || !m->last || !m->norm || !m->raw || !m->clean || !m->out || !m->scratch ||
        !m->zone || !m->ignore || !m->rowbuf || !m->stack || !m->blobs)
        return PORCH_ERR_NOMEM;
    return PORCH_OK;
}

static void raster_zones(porch_motion *m)
{
    const porch_motion_config *c = &m->cfg;

    if (c->nzones == 0)
        memset(m->zone, 1, m->npix);
    for (int k = 0; k < c->nzones; k++)
        porch__poly_raster(&c->zones[k], m->w, m->h, m->zone);
    for (int k = 0; k < c->nmasks; k++)
        porch__poly_raster(&c->masks[k], m->w, m->h, m->ignore);
}

/* Sensitivity 1..10 maps to a minimum distance threshold of 30..12 grey levels. */
static int r_min_for(int sensitivity)
{
    return 32 - 2 * sensitivity;
}

/*
 * Creates the model. On success *out is owned by the caller and freed with
 * porch_motion_free().
 */
int porch_motion_new(porch_motion **out, const porch_motion_config *cfg)
{
    porch_motion *m = NULL;
    int err;

    if (out != NULL)
        *out = NULL;
    if (out == NULL || cfg == NULL)
        return PORCH_ERR_INVALID_ARG;
    err = check_config(cfg);
    if (err != PORCH_OK)
        return err;
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        return PORCH_ERR_NOMEM;
    m->cfg = *cfg;
    if (m->cfg.sensitivity == 0)
        m->cfg.sensitivity = 5;
    m->w = cfg->width;
    m->h = cfg->height;
    m->npix = (size_t)m->w * (size_t)m->h;
    /* 0.02 % of the frame (11 pixels at 320x180): a distant car in fog
     * shows only a few edge pixels at first (ucsd-traffic); 0.01 % put
     * regions on water and panning views (docs/MOTION.md). */
    m->min_area = cfg->min_area ? cfg->min_area : (int)fmax(6.0, 0.0002 * (double)m->npix);
    m->min_age = cfg->min_age ? cfg->min_age : 2;
    m->prev_gain = 1.0;
    err = alloc_buffers(m);
    if (err == PORCH_OK)
        err = porch__bg_init(&m->bg, m->w, m->h, r_min_for(m->cfg.sensitivity),
                             !(cfg->flags & PORCH_MOTION_NO_ADAPT));
    if (err == PORCH_OK)
        err = porch__camshift_init(&m->cs, m->w, m->h);
    if (err != PORCH_OK)
        goto out;
    raster_zones(m);
    porch__tracker_reset(&m->tr);
    *out = m;
    m = NULL;
out:
    porch_motion_free(m);
    return err;
}

void porch_motion_free(porch_motion *m)
{
    if (m == NULL)
        return;
    porch__bg_free(&m->bg);
    porch__camshift_free(&m->cs);
    free(m->cur);
    free(m->last);
    free(m->norm);
    free(m->raw);
    free(m->clean);
    free(m->out);
    free(m->scratch);
    free(m->zone);
    free(m->ignore);
    free(m->rowbuf);
    free(m->stack);
    free(m->blobs);
    free(m);
}

const uint8_t *porch_motion_mask(const porch_motion *m)
{
    return m != NULL && m->frame > 0 ? m->out : NULL;
}

static void copy_in(porch_motion *m, const uint8_t *grey, size_t stride)
{
    for (int y = 0; y < m->h; y++)
        memcpy(m->cur + (size_t)y * (size_t)m->w, grey + (size_t)y * stride, (size_t)m->w);
}

/* The current frame becomes the last one; its buffer is reused for the next. */
static void swap_frames(porch_motion *m)
{
    uint8_t *t = m->last;

    m->last = m->cur;
    m->cur = t;
}

static void reinit(porch_motion *m, const uint8_t *img)
{
    porch__bg_seed(&m->bg, img);
    m->bg.boot = -1; /* a global change or a shift invalidates the reference */
    porch__camshift_reset(&m->cs, img);
    porch__tracker_reset(&m->tr);
    memset(m->out, 0, m->npix);
    m->settle = PORCH__MOTION_SETTLE;
}

/* Divides the input by the gain through a 256-entry table. */
static void normalise(porch_motion *m, double gain)
{
    uint8_t lut[256];

    /* Within 1% the model's tolerance (>= 12 grey levels) absorbs it. */
    if (fabs(gain - 1.0) < 0.01) {
        memcpy(m->norm, m->cur, m->npix);
        return;
    }
    for (int v = 0; v < 256; v++) {
        long q = lround(v / gain);
        lut[v] = (uint8_t)(q > 255 ? 255 : q);
    }
    for (size_t i = 0; i < m->npix; i++)
        m->norm[i] = lut[m->cur[i]];
}

static int is_spread(const porch_motion *m, size_t nfg)
{
    int cells[16] = { 0 }, full = 0;
    double cell_area = (double)m->npix / 16.0;

    if ((double)nfg < FLOOD_SHARE * (double)m->npix)
        return 0;
    for (int y = 0; y < m->h; y++) {
        const uint8_t *row = m->raw + (size_t)y * (size_t)m->w;
        int cy = y * 4 / m->h;
        for (int x = 0; x < m->w; x++)
            cells[cy * 4 + x * 4 / m->w] += row[x];
    }
    for (int k = 0; k < 16; k++)
        full += cells[k] >= FLOOD_CELL_SHARE * cell_area;
    return full >= FLOOD_CELLS;
}

/* Share of the raw foreground on dynamic-background pixels. */
static double dynamic_share(const porch_motion *m, size_t nfg)
{
    size_t n = 0;

    for (size_t i = 0; i < m->npix; i++)
        n += m->raw[i] & (m->bg.blink[i] >> 7);
    return nfg > 0 ? (double)n / (double)nfg : 0.0;
}

/* Share of the raw foreground that did not change since the previous frame
 * (|cur - last| <= STILL_DIFF): near 1 for a stale model (the view after a
 * pan, a scene change), lower for an object moving close to the camera.
 * Computed only on frames of a persistent flood. */
static double still_share(const porch_motion *m, size_t nfg)
{
    size_t n = 0;

    for (size_t i = 0; i < m->npix; i++)
        n += m->raw[i] & (abs((int)m->cur[i] - (int)m->last[i]) <= STILL_DIFF);
    return nfg > 0 ? (double)n / (double)nfg : 0.0;
}

/* Global change: a spread mask that appeared suddenly, that persists, or
 * that lies mostly on dynamic background (leaves across the whole frame:
 * reseeding is what keeps them quiet, docs/MOTION.md). */
static int is_flood(porch_motion *m, size_t nfg)
{
    size_t prev = m->prev_nfg;
    int spread = is_spread(m, nfg);

    m->prev_nfg = nfg;
    m->flood_run = spread ? m->flood_run + 1 : 0;
    m->still_run = spread && still_share(m, nfg) >= FLOOD_STILL ? m->still_run + 1 : 0;
    if (!spread)
        return 0;
    return (double)nfg >= FLOOD_JUMP * (double)prev ||
           (m->flood_run >= FLOOD_PERSIST && m->still_run > 0) ||
           m->still_run >= FLOOD_STILL_RUN || dynamic_share(m, nfg) > FLOOD_DYNAMIC;
}

/* Camera shift and illumination; returns the gain-normalised frame in m->norm. */
static void global_changes(porch_motion *m, porch_motion_result *res)
{
    int dx = 0, dy = 0;
    double gain = 1.0;

    if (!(m->cfg.flags & PORCH_MOTION_NO_SHIFT) &&
        porch__camshift_estimate(&m->cs, m->cur, &dx, &dy)) {
        porch__bg_shift(&m->bg, dx, dy, m->cur);
        m->bg.boot = -1;
        m->settle = PORCH__MOTION_SETTLE;
        m->cam_settle = PORCH__MOTION_SETTLE;
        res->shift_x = dx;
        res->shift_y = dy;
    }
    if (!(m->cfg.flags & PORCH_MOTION_NO_GAIN))
        gain = porch__bg_gain(&m->bg, m->cur);
    if (fabs(gain - m->prev_gain) > LIGHT_STEP * m->prev_gain)
        res->global |= PORCH_MOTION_GLOBAL_LIGHT;
    m->prev_gain = gain;
    res->gain = (float)gain;
    normalise(m, gain);
}

/* Shadows, masks and majority filter: m->raw -> m->clean (0/1), m->out (0/255). */
static size_t clean_mask(porch_motion *m)
{
    size_t n = 0;

    if (!(m->cfg.flags & PORCH_MOTION_NO_SHADOW))
        porch__bg_shadows(&m->bg, m->norm, m->raw);
    if (m->cfg.nmasks > 0)
        for (size_t i = 0; i < m->npix; i++)
            m->raw[i] &= (uint8_t)!m->ignore[i];
    porch__majority3(m->raw, m->clean, m->w, m->h, m->rowbuf);
    for (size_t i = 0; i < m->npix; i++) {
        m->out[i] = (uint8_t)(m->clean[i] ? 255 : 0);
        n += m->clean[i];
    }
    return n;
}

static void find_regions(porch_motion *m, porch_motion_result *res)
{
    porch__blob_input in = { m->clean, m->bg.blink, m->zone, m->w, m->h,
                             m->min_area, MERGE_GAP };
    int n = porch__blobs_find(&in, m->scratch, m->stack, m->blobs);

    porch__tracker_update(&m->tr, m->blobs, n);
    porch__motion_regions(m, m->settle > 0, res);
}

int porch_motion_process(porch_motion *m, const uint8_t *grey, size_t stride,
                         int64_t pts_us, porch_motion_result *out)
{
    size_t nfg;

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (m == NULL || grey == NULL || out == NULL || stride < (size_t)m->w)
        return PORCH_ERR_INVALID_ARG;
    out->pts_us = pts_us;
    out->frame = m->frame++;
    out->gain = 1.0f;
    swap_frames(m);
    copy_in(m, grey, stride);
    if (out->frame == 0) {
        memcpy(m->last, m->cur, m->npix);
        reinit(m, m->cur);
        if (!(m->cfg.flags & PORCH_MOTION_NO_BOOT))
            porch__bg_boot_start(&m->bg, m->cur);
        m->settle = 0; /* nothing to settle from: no tracks, no previous model */
        out->global = PORCH_MOTION_GLOBAL_INIT;
        return PORCH_OK;
    }
    global_changes(m, out);
    nfg = porch__bg_classify(&m->bg, m->norm, m->raw);
    if (is_flood(m, nfg)) {
        reinit(m, m->cur);
        m->prev_gain = 1.0;
        m->prev_nfg = 0;
        m->flood_run = 0;
        m->still_run = 0;
        out->global |= PORCH_MOTION_GLOBAL_INIT | PORCH_MOTION_GLOBAL_LIGHT;
        return PORCH_OK;
    }
    nfg = clean_mask(m);
    out->fg_fraction = (float)((double)nfg / (double)m->npix);
    find_regions(m, out);
    if (m->cam_settle > 0) {
        out->global |= PORCH_MOTION_GLOBAL_CAMERA;
        m->cam_settle--;
    }
    m->settle -= m->settle > 0;
    return PORCH_OK;
}
