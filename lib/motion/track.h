/*
 * track.h (internal): tracking of foreground regions over frames.
 *
 * Greedy nearest-neighbour association of this frame's regions to live
 * tracks (oldest track first), with a constant-velocity prediction and a
 * gate that grows with the track's size (or box overlap). A track survives up to
 * PORCH__TRACK_MAX_MISSES frames without a region, so a branch that
 * appears and disappears keeps its history, which is what shows it to be
 * oscillating: its centroid travels a long path but gets nowhere.
 */
#ifndef PORCH_MOTION_TRACK_H
#define PORCH_MOTION_TRACK_H

#include <stdint.h>

#include "motion/blobs.h"

#define PORCH__TRACK_MAX 32
#define PORCH__TRACK_HIST 16        /* centroid history window, frames */
#define PORCH__TRACK_MAX_MISSES 8

typedef struct porch__track {
    uint32_t id;            /* 0 = free slot */
    uint32_t age;           /* frames since birth */
    int misses;             /* consecutive frames without a region */
    int matched;            /* matched on the current frame */
    porch__blob blob;       /* last matched region */
    porch__blob prev;       /* the region matched before it */
    float cx, cy, vx, vy;
    float hx[PORCH__TRACK_HIST], hy[PORCH__TRACK_HIST]; /* ring of matched centroids */
    int hn, hpos;           /* entries used, next slot */
    int handed;             /* frames it was handed over as a candidate */
    int heir;               /* born overlapping a handed-over track's region: a part
                             * split off an object already followed */
} porch__track;

typedef struct porch__tracker {
    porch__track t[PORCH__TRACK_MAX];
    uint32_t next_id;       /* ids start at 1 and never repeat within 2^32 */
} porch__tracker;

void porch__tracker_reset(porch__tracker *tr);

/* Associates the n regions of this frame (largest first) with tracks. */
void porch__tracker_update(porch__tracker *tr, const porch__blob *b, int n);

/* Net displacement and path length of the centroid over the history window,
 * and coherence = (disp + 2) / (path + 2), in 0..1. */
void porch__track_motion(const porch__track *t, float *disp, float *path, float *coherence);

#endif
