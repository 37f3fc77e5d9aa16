/*
 * mask.h (internal): rasterised zones and masks, and mask cleaning.
 */
#ifndef PORCH_MOTION_MASK_H
#define PORCH_MOTION_MASK_H

#include <stdint.h>

#include "porchlight/motion.h"

/* 1 if p has 3..PORCH_MOTION_MAX_VERTICES finite vertices within [0,1]. */
int porch__poly_valid(const porch_motion_polygon *p);

/* 1 if the point (x, y), in normalised coordinates, is inside p (even-odd
 * rule). The motion stage's zones and the event rules' zones use this one
 * test, so a region and a detection agree on what "in the zone" means. */
int porch__poly_contains(const porch_motion_polygon *p, float x, float y);

/* Sets out[i] = 1 for every pixel of a w x h frame whose centre lies inside
 * p (even-odd rule); other pixels are left as they are. */
void porch__poly_raster(const porch_motion_polygon *p, int w, int h, uint8_t *out);

/* 3x3 majority (>= 5 of 9, outside counts as 0) of a 0/1 mask into out
 * (values 0/1). colsum is a scratch row of w bytes. in != out. */
void porch__majority3(const uint8_t *in, uint8_t *out, int w, int h, uint8_t *colsum);

#endif
