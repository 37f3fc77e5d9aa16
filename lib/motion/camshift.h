/*
 * camshift.h (internal): camera shift (shake, pan) between the frame the
 * background model is aligned to (the reference) and the current frame.
 *
 * Method: the gradients of the row and column mean profiles are matched
 * over +-range pixels (integral projections; O(w*h) to build, O(range*(w+h))
 * to search). A shift is reported only when it explains the profiles much
 * better than no shift, and then confirmed on the pixels themselves: on a
 * sparse grid of textured pixels, the shifted reference must explain most
 * of them better than the unshifted one. An object moving in a still scene
 * changes the profiles (a bright car dominates a few columns) but only its
 * own pixels prefer the shift, so it is not taken for camera motion. The reference
 * is replaced whenever a shift is reported, and otherwise every
 * PORCH__CAMSHIFT_REFRESH frames, so slow sub-pixel pans accumulate until
 * they reach one pixel.
 */
#ifndef PORCH_MOTION_CAMSHIFT_H
#define PORCH_MOTION_CAMSHIFT_H

#include <stdint.h>

#define PORCH__CAMSHIFT_REFRESH 25

typedef struct porch__camshift {
    int w, h, range;
    float *ref_col, *ref_row;   /* gradient profiles of the reference: w-1, h-1 */
    float *col, *row;           /* the same for the current frame */
    float *acc;                 /* scratch: w column sums */
    uint8_t *ref_img;           /* the reference frame, packed w x h */
    int since_ref;              /* frames since the reference was taken */
} porch__camshift;

/* Allocates profiles for w x h (owned by cs; porch__camshift_free()). */
int porch__camshift_init(porch__camshift *cs, int w, int h);
void porch__camshift_free(porch__camshift *cs);

/* Makes img (packed w x h) the reference. */
void porch__camshift_reset(porch__camshift *cs, const uint8_t *img);

/* Estimates the shift of img against the reference; returns 1 and sets
 * (dx, dy) (content at p moved to p + d) if the camera moved, else 0. */
int porch__camshift_estimate(porch__camshift *cs, const uint8_t *img, int *dx, int *dy);

#endif
