/*
 * camshift.c: integral-projection camera shift estimate (see camshift.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "motion/camshift.h"

/* A shift must cut the profile mismatch to this share of the no-shift
 * mismatch, and the no-shift mismatch must exceed the noise floor (grey
 * levels per profile sample). */
#define SHIFT_GAIN 0.6f
#define NOISE_FLOOR 0.15f
#define VERIFY_MARGIN 6

int porch__camshift_init(porch__camshift *cs, int w, int h)
{
    memset(cs, 0, sizeof(*cs));
    cs->w = w;
    cs->h = h;
    cs->range = w / 16 > 2 ? w / 16 : 2;
    cs->ref_col = calloc((size_t)w, sizeof(float));
    cs->ref_row = calloc((size_t)h, sizeof(float));
    cs->col = calloc((size_t)w, sizeof(float));
    cs->row = calloc((size_t)h, sizeof(float));
    cs->acc = calloc((size_t)w, sizeof(float));
    cs->ref_img = calloc((size_t)w * (size_t)h, 1);
    if (!cs->ref_col || !cs->ref_row || !cs->col || !cs->row || !cs->acc || !cs->ref_img) {
        porch__camshift_free(cs);
        return PORCH_ERR_NOMEM;
    }
    return PORCH_OK;
}

void porch__camshift_free(porch__camshift *cs)
{
    if (cs == NULL)
        return;
    free(cs->ref_col);
    free(cs->ref_row);
    free(cs->col);
    free(cs->row);
    free(cs->acc);
    free(cs->ref_img);
    memset(cs, 0, sizeof(*cs));
}

/* Gradient profiles, normalised by the frame mean so a gain change alone
 * leaves them unchanged. */
static void profiles(porch__camshift *cs, const uint8_t *img, float *col, float *row)
{
    double total = 0;
    float norm;

    memset(cs->acc, 0, (size_t)cs->w * sizeof(float));
    for (int y = 0; y < cs->h; y++) {
        const uint8_t *p = img + (size_t)y * (size_t)cs->w;
        unsigned rs = 0;
        for (int x = 0; x < cs->w; x++) {
            cs->acc[x] += p[x];
            rs += p[x];
        }
        row[y] = (float)rs / (float)cs->w;
        total += rs;
    }
    norm = total > 0 ? (float)(128.0 * cs->w * cs->h / total) : 1.0f;
    for (int x = 0; x < cs->w; x++)
        col[x] = cs->acc[x] / (float)cs->h;
    for (int x = 0; x + 1 < cs->w; x++)
        col[x] = (col[x + 1] - col[x]) * norm;
    for (int y = 0; y + 1 < cs->h; y++)
        row[y] = (row[y + 1] - row[y]) * norm;
}

void porch__camshift_reset(porch__camshift *cs, const uint8_t *img)
{
    profiles(cs, img, cs->ref_col, cs->ref_row);
    memcpy(cs->ref_img, img, (size_t)cs->w * (size_t)cs->h);
    cs->since_ref = 0;
}

/* Mean |cur[x] - ref[x - s]| over the overlap. */
static float mismatch(const float *cur, const float *ref, int n, int s)
{
    float sum = 0;
    int lo = s > 0 ? s : 0, hi = s < 0 ? n + s : n;

    for (int x = lo; x < hi; x++)
        sum += fabsf(cur[x] - ref[x - s]);
    return hi > lo ? sum / (float)(hi - lo) : 0;
}

static int best_shift(const float *cur, const float *ref, int n, int range)
{
    float zero = mismatch(cur, ref, n, 0), best = zero;
    int arg = 0;

    for (int s = -range; s <= range; s++) {
        float c = mismatch(cur, ref, n, s);
        if (c < best) {
            best = c;
            arg = s;
        }
    }
    if (arg == 0 || zero < NOISE_FLOOR || best > SHIFT_GAIN * zero)
        return 0;
    return arg;
}

/*
 * On every 4th pixel of every 4th row (away from the borders), counts where
 * the reference shifted by (dx, dy) is clearly closer to img than the
 * unshifted reference, and the reverse. Flat pixels, where both agree
 * within VERIFY_MARGIN, vote for neither.
 */
static int verify(const porch__camshift *cs, const uint8_t *img, int dx, int dy)
{
    const int m = cs->range + 1;
    const size_t w = (size_t)cs->w;
    int for_shift = 0, for_zero = 0;

    for (int y = m; y < cs->h - m; y += 4) {
        for (int x = m; x < cs->w - m; x += 4) {
            int v = img[(size_t)y * w + (size_t)x];
            int e0 = abs(v - cs->ref_img[(size_t)y * w + (size_t)x]);
            int e1 = abs(v - cs->ref_img[(size_t)(y - dy) * w + (size_t)(x - dx)]);
            for_shift += e1 + VERIFY_MARGIN < e0;
            for_zero += e0 + VERIFY_MARGIN < e1;
        }
    }
    return for_shift > 3 * for_zero && for_shift >= 16;
}

static void take_reference(porch__camshift *cs, const uint8_t *img)
{
    memcpy(cs->ref_col, cs->col, (size_t)cs->w * sizeof(float));
    memcpy(cs->ref_row, cs->row, (size_t)cs->h * sizeof(float));
    memcpy(cs->ref_img, img, (size_t)cs->w * (size_t)cs->h);
    cs->since_ref = 0;
}

int porch__camshift_estimate(porch__camshift *cs, const uint8_t *img, int *dx, int *dy)
{
    profiles(cs, img, cs->col, cs->row);
    *dx = best_shift(cs->col, cs->ref_col, cs->w - 1, cs->range);
    *dy = best_shift(cs->row, cs->ref_row, cs->h - 1, cs->range);
    if ((*dx != 0 || *dy != 0) && !verify(cs, img, *dx, *dy)) {
        *dx = 0;
        *dy = 0;
    }
    if (*dx != 0 || *dy != 0 || ++cs->since_ref >= PORCH__CAMSHIFT_REFRESH)
        take_reference(cs, img);
    return *dx != 0 || *dy != 0;
}
