/*
 * motion_internal.h (internal): the motion stage object, shared by
 * motion.c (lifecycle and per-frame pipeline) and regions.c (hand-over).
 */
#ifndef PORCH_MOTION_INTERNAL_H
#define PORCH_MOTION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/motion.h"
#include "motion/bgmodel.h"
#include "motion/blobs.h"
#include "motion/camshift.h"
#include "motion/track.h"

/* Frames after a model (re)initialisation or a camera shift during which no
 * region is handed over: the model is still catching up. */
#define PORCH__MOTION_SETTLE 5

struct porch_motion {
    porch_motion_config cfg;
    int w, h;
    size_t npix;
    int min_area, min_age;
    porch__bg bg;
    porch__camshift cs;
    porch__tracker tr;
    uint8_t *cur;       /* packed copy of the input */
    uint8_t *last;      /* the previous frame's input (for the still-flood test) */
    uint8_t *norm;      /* input divided by the illumination gain */
    uint8_t *raw;       /* raw decision, then cleaned 0/1 mask */
    uint8_t *clean;     /* majority-filtered 0/1 mask */
    uint8_t *out;       /* public mask: 0/255 */
    uint8_t *scratch;   /* w*h */
    uint8_t *zone;      /* 1 inside a zone (all 1 without zones) */
    uint8_t *ignore;    /* 1 inside a mask */
    uint8_t *rowbuf;    /* w */
    int32_t *stack;     /* w*h */
    porch__blob *blobs; /* PORCH__BLOBS_MAX */
    uint64_t frame;     /* frames processed */
    int settle;         /* frames left without hand-over */
    int cam_settle;     /* frames left flagged PORCH_MOTION_GLOBAL_CAMERA */
    double prev_gain;
    size_t prev_nfg;    /* raw foreground pixels on the previous frame */
    int flood_run;      /* consecutive frames with a spread raw mask */
    int still_run;      /* ... of which the last ones were still (motion.c) */
};

/* Fills out->regions from the tracks matched on this frame, deciding which
 * are candidates; suppress = 1 (settling) hands over only tracks that
 * were candidates before. */
void porch__motion_regions(porch_motion *m, int suppress, porch_motion_result *out);

#endif
