/*
 * bgmodel.h (internal): the per-pixel background model of the motion stage.
 *
 * Each pixel keeps PORCH__BG_NSAMPLES past grey values (ViBe's sample set)
 * and three adaptive quantities (PBAS/SuBSENSE style):
 *   dmin  running mean of the smallest distance between the pixel and its
 *         samples (how much this pixel varies when nothing moves), 8.8 fixed;
 *   blink how often its raw foreground decision flips (0..255); high on
 *         leaves, water, flicker;
 *   r     its distance threshold, steered towards max(r_min - 6, 3*dmin) +
 *         blink/64 by one grey level per frame (bgmodel.c: R_DROP etc.).
 * A pixel is background when at least two samples lie within r. Background
 * pixels replace one of their samples with probability 1/16 (1/8 for the
 * first frames after a seeding) and, with the same probability, one sample
 * of a random 8-neighbour (spatial diffusion, which erodes ghosts).
 * Foreground pixels never update their own samples.
 *
 * All arrays are w*h (samples: w*h*16, pixel-major so one pixel's samples
 * share a cache line and one SSE2 register).
 */
#ifndef PORCH_MOTION_BGMODEL_H
#define PORCH_MOTION_BGMODEL_H

#include <stddef.h>
#include <stdint.h>

#define PORCH__BG_NSAMPLES 16

typedef struct porch__bg {
    int w, h;
    size_t npix;
    uint8_t *samples;   /* npix * PORCH__BG_NSAMPLES */
    uint16_t *dmin;     /* 8.8 fixed point grey levels */
    uint8_t *blink;     /* 0..255 */
    uint8_t *r;         /* current threshold, grey levels */
    uint8_t *raw;       /* bit 0: previous raw decision (1 foreground); bits 1..7:
                         * frames it has held since (saturating at 127) */
    int since_seed;     /* frames classified since the last seeding (saturates) */
    uint32_t rng;       /* xorshift32 state, never 0 */
    int r_min;          /* lower bound of r (from sensitivity) */
    int adaptive;       /* 0: fixed r = r_min (plain ViBe, for ablation) */
    /* Bootstrap reference: the range [lo, hi] of each pixel over the first
     * PORCH__BG_BOOT_LEARN frames after the first seeding. For the next
     * PORCH__BG_BOOT_FRAMES frames a pixel that leaves its range by more
     * than r is foreground too, so an object present from the first frame
     * that moves slowly (a person standing, a queue) is not learnt as
     * background by the sample updates it would otherwise receive. */
    uint8_t *lo, *hi;
    int boot;           /* frames classified since the first seeding; -1 = off */
} porch__bg;

#define PORCH__BG_BOOT_LEARN 4
#ifndef PORCH__BG_BOOT_FRAMES
#define PORCH__BG_BOOT_FRAMES 300
#endif

/* Allocates the arrays for w x h; bg->* owned by bg, freed by porch__bg_free(). */
int porch__bg_init(porch__bg *bg, int w, int h, int r_min, int adaptive);
void porch__bg_free(porch__bg *bg);

/* (Re)fills every pixel's samples from its 3x3 neighbourhood in img (packed
 * w x h). Keeps dmin/blink/r: they describe the scene, not its brightness. */
void porch__bg_seed(porch__bg *bg, const uint8_t *img);

/* Starts the bootstrap reference from img (the first frame). */
void porch__bg_boot_start(porch__bg *bg, const uint8_t *img);

/* Illumination gain of img against the model, over pixels that were
 * background on the previous frame (subsampled). 1.0 if undecidable. */
double porch__bg_gain(const porch__bg *bg, const uint8_t *img);

/* Classifies img (gain-normalised, packed) into fg (1/0 per pixel) and
 * updates the model. Returns the number of foreground pixels. */
size_t porch__bg_classify(porch__bg *bg, const uint8_t *img, uint8_t *fg);

/* Clears foreground pixels of fg that look like cast shadows on the model. */
void porch__bg_shadows(const porch__bg *bg, const uint8_t *img, uint8_t *fg);

/* Moves the model by (dx, dy) pixels (content at p goes to p + d), refilling
 * uncovered pixels from img. |dx| < w, |dy| < h. */
void porch__bg_shift(porch__bg *bg, int dx, int dy, const uint8_t *img);

#endif
