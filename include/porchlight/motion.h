/*
 * porchlight/motion.h: detection stage 1, motion analysis.
 *
 * Finds the regions of a small greyscale analysis frame where something real
 * moves, and hands them to the object detector. It never raises an alert by
 * itself. Per frame it:
 *
 *   1. estimates global changes: camera shift (shake, panning) from row and
 *      column projections, and the illumination gain against the background;
 *   2. classifies each pixel against a per-pixel sample model (ViBe/PBAS
 *      style: 16 samples, per-pixel adaptive distance threshold and update
 *      rate, blink-driven threshold raise for dynamic backgrounds);
 *   3. removes cast shadows (darker by a locally uniform ratio), applies the
 *      configured masks, and cleans the mask (3x3 majority);
 *   4. labels connected regions and tracks them over frames; tracks that
 *      translate coherently or stay put are handed over ("candidates"),
 *      tracks that oscillate in place (branches, water) are not.
 *
 * The algorithm, its measurements and the scoring: docs/MOTION.md.
 *
 * A porch_motion object is per camera and not thread-safe; it starts no
 * threads. Everything it needs is allocated in porch_motion_new(); process()
 * does not allocate.
 */
#ifndef PORCHLIGHT_MOTION_H
#define PORCHLIGHT_MOTION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_MOTION_MAX_DIM 1024       /* analysis frames are small: width, height <= this */
#define PORCH_MOTION_MIN_DIM 16
#define PORCH_MOTION_MAX_ZONES 16       /* zones, and separately masks */
#define PORCH_MOTION_MAX_VERTICES 16    /* per polygon */
#define PORCH_MOTION_MAX_REGIONS 32     /* regions reported per frame */

/* A point in normalised frame coordinates: (0,0) top-left, (1,1) bottom-right. */
typedef struct porch_motion_point {
    float x, y;
} porch_motion_point;

/* A simple polygon (3..PORCH_MOTION_MAX_VERTICES vertices, even-odd rule). */
typedef struct porch_motion_polygon {
    int nvertices;
    porch_motion_point v[PORCH_MOTION_MAX_VERTICES];
} porch_motion_polygon;

typedef struct porch_motion_config {
    int width, height;      /* analysis frame size in pixels */
    /* Zones: where events count (regions outside are reported with in_zone = 0).
     * No zone means the whole frame. */
    int nzones;
    porch_motion_polygon zones[PORCH_MOTION_MAX_ZONES];
    /* Masks: where motion is ignored altogether (never foreground). */
    int nmasks;
    porch_motion_polygon masks[PORCH_MOTION_MAX_ZONES];
    int sensitivity;        /* 1 (least) .. 10 (most); 0 = default (5) */
    int min_area;           /* smallest region in pixels; 0 = default (0.02% of the frame, >= 6) */
    int min_age;            /* frames a track must exist before it is a candidate; 0 = default (2) */
    unsigned flags;         /* PORCH_MOTION_NO_*: switch parts off (for measurement); 0 = all on */
} porch_motion_config;

/* porch_motion_config.flags: each switches one part of the stage off, so
 * its contribution can be measured (docs/MOTION.md). */
#define PORCH_MOTION_NO_ADAPT   0x1  /* fixed per-pixel threshold (plain ViBe) */
#define PORCH_MOTION_NO_GAIN    0x2  /* no illumination normalisation */
#define PORCH_MOTION_NO_SHADOW  0x4  /* no shadow suppression */
#define PORCH_MOTION_NO_SHIFT   0x8  /* no camera-shift compensation */
#define PORCH_MOTION_NO_GATING  0x10 /* every tracked region is a candidate */
#define PORCH_MOTION_NO_BOOT    0x20 /* no bootstrap reference after the first frame */

/* porch_motion_result.global flags */
#define PORCH_MOTION_GLOBAL_INIT   0x1  /* model (re)initialised on this frame */
#define PORCH_MOTION_GLOBAL_LIGHT  0x2  /* illumination changed across the frame */
#define PORCH_MOTION_GLOBAL_CAMERA 0x4  /* camera moved (shake or pan) on or just before this frame */

typedef struct porch_motion_region {
    uint32_t track_id;      /* stable across frames, never 0 */
    int x, y, w, h;         /* bounding box in analysis pixels */
    int area;               /* foreground pixels in the region */
    uint32_t age;           /* frames since the track was born (1 on its first frame) */
    float cx, cy;           /* centroid, pixels */
    float vx, vy;           /* smoothed velocity, pixels per frame */
    float displacement;     /* net centroid displacement over the recent window, pixels */
    float path;             /* centroid path length over the same window, pixels */
    float coherence;        /* 0..1: 1 = translating or still, 0 = oscillating in place */
    float dynamic;          /* 0..1: share of its pixels on "dynamic background" (blinking) pixels */
    uint8_t in_zone;        /* 1 if any of its pixels lies in a zone */
    uint8_t candidate;      /* 1 if handed to the object detector */
} porch_motion_region;

typedef struct porch_motion_result {
    int64_t pts_us;         /* as passed to porch_motion_process() */
    uint64_t frame;         /* frames processed before this one */
    float fg_fraction;      /* share of frame pixels foreground after cleaning */
    float gain;             /* illumination gain of this frame against the model */
    int shift_x, shift_y;   /* camera shift against the previous frame, pixels */
    unsigned global;        /* PORCH_MOTION_GLOBAL_* flags */
    int nregions;           /* tracked regions seen on this frame (candidates first) */
    int ncandidates;        /* how many of them are candidates */
    porch_motion_region regions[PORCH_MOTION_MAX_REGIONS];
} porch_motion_result;

typedef struct porch_motion porch_motion;

/* Fills cfg with defaults for a width x height analysis frame. */
void porch_motion_config_default(porch_motion_config *cfg, int width, int height);

/*
 * Creates a model for cfg (copied). On success *out is owned by the caller
 * and freed with porch_motion_free(). Errors: PORCH_ERR_INVALID_ARG (bad
 * size, polygon or setting), PORCH_ERR_TOO_LARGE (above the caps),
 * PORCH_ERR_NOMEM.
 */
int porch_motion_new(porch_motion **out, const porch_motion_config *cfg);

/*
 * Analyses one grey frame (width x height bytes, rows stride bytes apart).
 * *out is zeroed on entry and filled in. The first frame initialises the
 * model and yields no regions. Errors: PORCH_ERR_INVALID_ARG.
 */
int porch_motion_process(porch_motion *m, const uint8_t *grey, size_t stride,
                         int64_t pts_us, porch_motion_result *out);

/*
 * The cleaned foreground mask of the last processed frame: width x height
 * bytes, 255 = foreground, 0 = background (shadows and masked areas are 0).
 * Owned by m, valid until the next process() or free(); NULL before the
 * first frame.
 */
const uint8_t *porch_motion_mask(const porch_motion *m);

/* Frees the model; NULL is allowed. */
void porch_motion_free(porch_motion *m);

#ifdef __cplusplus
}
#endif

#endif
