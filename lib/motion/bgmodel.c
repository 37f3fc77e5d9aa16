/*
 * bgmodel.c: per-pixel sample-consensus background model (see bgmodel.h).
 *
 * Cost: one 16-byte compare per pixel (SSE2 where available, a scalar loop
 * otherwise), a handful of integer updates, and one xorshift draw per
 * background pixel. No floating point in the per-pixel loop.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "porchlight/error.h"
#include "motion/bgmodel.h"

#define NS PORCH__BG_NSAMPLES
#define R_MAX 80
#define DMIN_INIT (3 << 8)
/* Threshold steering (measured on the dev set, docs/MOTION.md):
 * r -> max(r_min, DMIN_SCALE * dmin) + blink >> BLINK_SHIFT. */
#ifndef DMIN_SCALE
#define DMIN_SCALE 3
#endif
/* Faster learning after a seeding: update mask EARLY_SUB (probability
 * 1/(EARLY_SUB+1)) for EARLY_FRAMES frames. */
#ifndef EARLY_FRAMES
#define EARLY_FRAMES 20
#endif
#ifndef EARLY_SUB
#define EARLY_SUB 7
#endif
#ifndef R_DROP
#define R_DROP 6
#endif
#ifndef BLINK_SHIFT
#define BLINK_SHIFT 6
#endif
#ifndef BLINK_INC
#define BLINK_INC 16
#endif
/* Decay per frame without a flip: a lane where a car passes every dozen
 * frames (two flips) stays low; leaves flipping every few frames saturate. */
#ifndef BLINK_DECAY
#define BLINK_DECAY 4
#endif
/* A decision flip counts as a blink when the state it ends had held for at
 * most this many frames after the one it began on. */
#ifndef BLIP_RUN
#define BLIP_RUN 4
#endif
/* Pixels blinking at least this much are left out of the bootstrap test. */
#ifndef BOOT_BLINK
#define BOOT_BLINK 32
#endif

static uint32_t next_rand(uint32_t *s)
{
    uint32_t x = *s;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* Whether at least two samples lie within r of x, and the smallest distance. */
static inline void match(const uint8_t *s, uint8_t x, uint8_t r, int *count, int *dmin)
{
#ifdef __SSE2__
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i xv = _mm_set1_epi8((char)x);
    __m128i ad = _mm_or_si128(_mm_subs_epu8(v, xv), _mm_subs_epu8(xv, v));
    __m128i le = _mm_cmpeq_epi8(_mm_min_epu8(ad, _mm_set1_epi8((char)r)), ad);
    __m128i m = _mm_min_epu8(ad, _mm_srli_si128(ad, 8));
    unsigned bits = (unsigned)_mm_movemask_epi8(le);

    m = _mm_min_epu8(m, _mm_srli_si128(m, 4));
    m = _mm_min_epu8(m, _mm_srli_si128(m, 2));
    m = _mm_min_epu8(m, _mm_srli_si128(m, 1));
    *count = (bits & (bits - 1)) != 0 ? 2 : (int)(bits != 0); /* saturates at 2 */
    *dmin = _mm_cvtsi128_si32(m) & 0xff;
#else
    int c = 0, dm = 255;

    for (int k = 0; k < NS; k++) {
        int d = abs((int)s[k] - (int)x);
        c += d <= r;
        dm = d < dm ? d : dm;
    }
    *count = c;
    *dmin = dm;
#endif
}

/* Mean of a pixel's samples (the model's background estimate). */
static inline int sample_mean(const uint8_t *s)
{
#ifdef __SSE2__
    __m128i sad = _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(const void *)s),
                               _mm_setzero_si128());
    int sum = _mm_cvtsi128_si32(sad) + _mm_cvtsi128_si32(_mm_srli_si128(sad, 8));
#else
    int sum = 0;

    for (int k = 0; k < NS; k++)
        sum += s[k];
#endif
    return (sum + NS / 2) / NS;
}

int porch__bg_init(porch__bg *bg, int w, int h, int r_min, int adaptive)
{
    size_t n = (size_t)w * (size_t)h;

    memset(bg, 0, sizeof(*bg));
    bg->w = w;
    bg->h = h;
    bg->npix = n;
    bg->r_min = r_min;
    bg->adaptive = adaptive;
    bg->rng = 0x9e3779b9u;
    bg->samples = malloc(n * NS);
    bg->dmin = malloc(n * sizeof(*bg->dmin));
    bg->blink = calloc(n, 1);
    bg->r = malloc(n);
    bg->raw = calloc(n, 1);
    bg->lo = malloc(n);
    bg->hi = malloc(n);
    bg->boot = -1;
    if (!bg->samples || !bg->dmin || !bg->blink || !bg->r || !bg->raw || !bg->lo || !bg->hi) {
        porch__bg_free(bg);
        return PORCH_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        bg->dmin[i] = DMIN_INIT;
    memset(bg->r, r_min, n);
    return PORCH_OK;
}

void porch__bg_free(porch__bg *bg)
{
    if (bg == NULL)
        return;
    free(bg->samples);
    free(bg->dmin);
    free(bg->blink);
    free(bg->r);
    free(bg->raw);
    free(bg->lo);
    free(bg->hi);
    memset(bg, 0, sizeof(*bg));
}

/* Offsets -1, 0, 0, +1 from two random bits: the centre is drawn twice as
 * often as each side, which is fine for seeding (ViBe draws uniformly). */
static const int8_t step_of[4] = { -1, 0, 0, 1 };

/*
 * Fills a pixel's samples from random pixels of its 3x3 neighbourhood
 * (clamped at the borders). One 32-bit draw serves 8 samples (4 bits each)
 * because reseeding a whole frame must stay cheap: it happens on every
 * global change. (A fixed neighbour pattern was measured too: cheaper, but
 * it cost sbi-board 0.05 frame recall; docs/MOTION.md.)
 */
static void seed_pixel(porch__bg *bg, const uint8_t *img, int x, int y)
{
    size_t i = (size_t)y * (size_t)bg->w + (size_t)x;
    uint8_t *s = bg->samples + i * NS;
    uint32_t rnd = 0;

    s[0] = img[i];
    for (int k = 1; k < NS; k++) {
        int nx, ny;
        if ((k & 7) == 1)
            rnd = next_rand(&bg->rng);
        nx = x + step_of[rnd & 3];
        ny = y + step_of[(rnd >> 2) & 3];
        rnd >>= 4;
        nx = nx < 0 ? 0 : nx >= bg->w ? bg->w - 1 : nx;
        ny = ny < 0 ? 0 : ny >= bg->h ? bg->h - 1 : ny;
        s[k] = img[(size_t)ny * (size_t)bg->w + (size_t)nx];
    }
    bg->raw[i] = 0;
}

/*
 * seed_pixel() for a pixel whose 3x3 neighbourhood lies inside the frame:
 * the same draws and the same samples, through a table of 16 offsets
 * instead of clamped coordinates (reseeding is a quarter of the stage's
 * time on footage that floods often, such as sbi-foliage).
 */
static void seed_inner(porch__bg *bg, const uint8_t *img, size_t i, const ptrdiff_t *off)
{
    uint8_t *s = bg->samples + i * NS;
    uint32_t rnd = 0;

    s[0] = img[i];
    for (int k = 1; k < NS; k++) {
        if ((k & 7) == 1)
            rnd = next_rand(&bg->rng);
        s[k] = img[(ptrdiff_t)i + off[rnd & 15]];
        rnd >>= 4;
    }
    bg->raw[i] = 0;
}

void porch__bg_seed(porch__bg *bg, const uint8_t *img)
{
    ptrdiff_t off[16];

    for (int c = 0; c < 16; c++)
        off[c] = (ptrdiff_t)step_of[(c >> 2) & 3] * bg->w + step_of[c & 3];
    bg->since_seed = 0;
    for (int y = 0; y < bg->h; y++) {
        int inner = y > 0 && y < bg->h - 1;
        for (int x = 0; x < bg->w; x++) {
            if (inner && x > 0 && x < bg->w - 1)
                seed_inner(bg, img, (size_t)y * (size_t)bg->w + (size_t)x, off);
            else
                seed_pixel(bg, img, x, y);
        }
    }
}

void porch__bg_boot_start(porch__bg *bg, const uint8_t *img)
{
    memcpy(bg->lo, img, bg->npix);
    memcpy(bg->hi, img, bg->npix);
    bg->boot = 1;
}

double porch__bg_gain(const porch__bg *bg, const uint8_t *img)
{
    uint64_t si = 0, sb = 0;

    /* Every other row and column: a quarter of the pixels is plenty for one
     * global number. Near-black and saturated pixels carry no gain. */
    for (int y = 0; y < bg->h; y += 2) {
        size_t row = (size_t)y * (size_t)bg->w;
        for (int x = 0; x < bg->w; x += 2) {
            size_t i = row + (size_t)x;
            int b;
            if ((bg->raw[i] & 1) || img[i] < 8 || img[i] > 247)
                continue;
            b = sample_mean(bg->samples + i * NS);
            si += img[i];
            sb += (unsigned)b;
        }
    }
    if (sb < 1000 || si < 1000)
        return 1.0;
    return (double)si / (double)sb;
}

/* Steers the pixel's threshold towards what its variability warrants. */
static inline void adapt_threshold(porch__bg *bg, size_t i)
{
    int target = (DMIN_SCALE * (int)bg->dmin[i]) >> 8;

    target = target < bg->r_min - R_DROP ? bg->r_min - R_DROP : target;
    target += bg->blink[i] >> BLINK_SHIFT;
    target = target > R_MAX ? R_MAX : target;
    bg->r[i] = (uint8_t)(bg->r[i] + (bg->r[i] < target) - (bg->r[i] > target));
}

/* Conservative update of a background pixel and diffusion to a neighbour. */
static inline void update(porch__bg *bg, int x, int y, uint8_t v, unsigned sub)
{
    uint32_t rnd = next_rand(&bg->rng);
    size_t i = (size_t)y * (size_t)bg->w + (size_t)x;

    if ((rnd & sub) == 0)
        bg->samples[i * NS + ((rnd >> 4) & 15)] = v;
    if (((rnd >> 8) & sub) == 0) {
        int nx = x + (int)((rnd >> 12) % 3) - 1, ny = y + (int)((rnd >> 16) % 3) - 1;
        nx = nx < 0 ? 0 : nx >= bg->w ? bg->w - 1 : nx;
        ny = ny < 0 ? 0 : ny >= bg->h ? bg->h - 1 : ny;
        bg->samples[((size_t)ny * (size_t)bg->w + (size_t)nx) * NS + ((rnd >> 20) & 15)] = v;
    }
}

/*
 * Blink: +BLINK_INC when the raw decision flips after a run of at most
 * BLIP_RUN frames: leaves and ripples flicker frame to frame, while a car
 * keeps a pixel foreground for several frames and the road between cars
 * background for several more (such a flip leaves blink as it is);
 * -BLINK_DECAY on a frame without a flip.
 */
static inline void count_blink(porch__bg *bg, size_t i, int f)
{
    int state = bg->raw[i];

    if (f == (state & 1)) {
        bg->raw[i] = (uint8_t)(state + (state < 254 ? 2 : 0));
        bg->blink[i] = (uint8_t)(bg->blink[i] > BLINK_DECAY ? bg->blink[i] - BLINK_DECAY : 0);
        return;
    }
    bg->raw[i] = (uint8_t)f;
    if ((state >> 1) <= BLIP_RUN)
        bg->blink[i] = (uint8_t)(bg->blink[i] > 255 - BLINK_INC ? 255 : bg->blink[i] + BLINK_INC);
}

static inline int classify_pixel(porch__bg *bg, size_t i, uint8_t v)
{
    int count, d, f;
    int dm = bg->dmin[i];

    match(bg->samples + i * NS, v, bg->r[i], &count, &d);
    f = count < 2;
    /* Foreground pixels teach dmin 8x more slowly, so an object that stops
     * is absorbed over minutes, not seconds. */
    dm += f ? ((d << 8) - dm) >> 8 : ((d << 8) - dm) >> 5;
    bg->dmin[i] = (uint16_t)dm;
    count_blink(bg, i, f);
    if (bg->adaptive)
        adapt_threshold(bg, i);
    return f;
}

/* Bootstrap: widen each pixel's range on the learning frames, then flag as
 * foreground the pixels outside it by more than r (and not blinking: the
 * range of leaves or water from a few frames says little). */
static void boot_pass(porch__bg *bg, const uint8_t *img, uint8_t *fg)
{
    if (bg->boot < PORCH__BG_BOOT_LEARN) {
        for (size_t i = 0; i < bg->npix; i++) {
            bg->lo[i] = img[i] < bg->lo[i] ? img[i] : bg->lo[i];
            bg->hi[i] = img[i] > bg->hi[i] ? img[i] : bg->hi[i];
        }
        return;
    }
    for (size_t i = 0; i < bg->npix; i++) {
        int r = bg->r[i];
        fg[i] = (uint8_t)((img[i] + r < bg->lo[i] || img[i] > bg->hi[i] + r) &&
                          bg->blink[i] < BOOT_BLINK);
    }
}

size_t porch__bg_classify(porch__bg *bg, const uint8_t *img, uint8_t *fg)
{
    size_t nfg = 0;
    int booting = bg->boot >= 0;
    /* Update probability 1/16 (ViBe's), 1/EARLY_SUB+1 for the first frames
     * after a seeding, so that a model started on one frame learns a
     * dynamic background (and erodes ghosts) within a short clip. */
    unsigned sub = bg->since_seed < EARLY_FRAMES ? EARLY_SUB : 15;

    bg->since_seed += bg->since_seed < EARLY_FRAMES;
    if (booting) {
        boot_pass(bg, img, fg);
        booting = bg->boot >= PORCH__BG_BOOT_LEARN;
        bg->boot = bg->boot + 1 >= PORCH__BG_BOOT_FRAMES ? -1 : bg->boot + 1;
    }

    for (int y = 0; y < bg->h; y++) {
        size_t row = (size_t)y * (size_t)bg->w;
        for (int x = 0; x < bg->w; x++) {
            size_t i = row + (size_t)x;
            int f = classify_pixel(bg, i, img[i]);
            f |= booting & fg[i];
            fg[i] = (uint8_t)f;
            nfg += (size_t)f;
            if (!f)
                update(bg, x, y, img[i], sub);
        }
    }
    return nfg;
}

/* Ratio img/background in 1/256 units; 0 where the background is too dark. */
static int ratio(const porch__bg *bg, const uint8_t *img, size_t i)
{
    int b = sample_mean(bg->samples + i * NS);

    return b < 24 ? 0 : ((int)img[i] << 8) / b;
}

/*
 * A shadow darkens the background by a similar factor at neighbouring
 * pixels (it keeps the texture); an object replaces the texture. So: ratio
 * in [SHADOW_LO, SHADOW_HI] / 256 and the 4-neighbours' ratios within
 * SHADOW_TOL / 256 of it.
 */
#ifndef SHADOW_LO
#define SHADOW_LO 115
#endif
#ifndef SHADOW_HI
#define SHADOW_HI 236
#endif
#ifndef SHADOW_TOL
#define SHADOW_TOL 20
#endif
void porch__bg_shadows(const porch__bg *bg, const uint8_t *img, uint8_t *fg)
{
    const size_t w = (size_t)bg->w;

    for (int y = 1; y < bg->h - 1; y++) {
        for (size_t x = 1; x + 1 < w; x++) {
            size_t i = (size_t)y * w + x;
            size_t nb[4] = { i - 1, i + 1, i - w, i + w };
            int r, ok = 1;
            if (!fg[i])
                continue;
            r = ratio(bg, img, i);
            if (r < SHADOW_LO || r > SHADOW_HI)
                continue;
            for (int k = 0; k < 4 && ok; k++)
                ok = abs(ratio(bg, img, nb[k]) - r) <= SHADOW_TOL;
            if (ok)
                fg[i] = 2; /* marked; cleared below so neighbours still see fg */
        }
    }
    for (size_t i = 0; i < bg->npix; i++)
        fg[i] = fg[i] == 1;
}

/* Moves rows/columns of one per-pixel plane of element size es in place. */
static void shift_plane(uint8_t *p, int w, int h, size_t es, int dx, int dy)
{
    size_t n = (size_t)(w - abs(dx)) * es;
    size_t dcol = (size_t)(dx > 0 ? dx : 0) * es, scol = (size_t)(dx < 0 ? -dx : 0) * es;
    size_t row = (size_t)w * es;

    if (dy > 0) {
        for (int y = h - 1; y >= dy; y--)
            memmove(p + (size_t)y * row + dcol, p + (size_t)(y - dy) * row + scol, n);
    } else {
        for (int y = 0; y < h + dy; y++)
            memmove(p + (size_t)y * row + dcol, p + (size_t)(y - dy) * row + scol, n);
    }
}

static void reset_pixel(porch__bg *bg, const uint8_t *img, int x, int y)
{
    size_t i = (size_t)y * (size_t)bg->w + (size_t)x;

    seed_pixel(bg, img, x, y);
    bg->dmin[i] = DMIN_INIT;
    bg->blink[i] = 0;
    bg->r[i] = (uint8_t)bg->r_min;
}

void porch__bg_shift(porch__bg *bg, int dx, int dy, const uint8_t *img)
{
    shift_plane(bg->samples, bg->w, bg->h, NS, dx, dy);
    shift_plane((uint8_t *)bg->dmin, bg->w, bg->h, sizeof(*bg->dmin), dx, dy);
    shift_plane(bg->blink, bg->w, bg->h, 1, dx, dy);
    shift_plane(bg->r, bg->w, bg->h, 1, dx, dy);
    shift_plane(bg->raw, bg->w, bg->h, 1, dx, dy);
    for (int y = 0; y < bg->h; y++) {
        for (int x = 0; x < bg->w; x++) {
            int sx = x - dx, sy = y - dy;
            if (sx < 0 || sx >= bg->w || sy < 0 || sy >= bg->h)
                reset_pixel(bg, img, x, y);
        }
    }
}
