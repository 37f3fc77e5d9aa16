/*
 * blobs.h (internal): connected foreground regions of a 0/1 mask.
 */
#ifndef PORCH_MOTION_BLOBS_H
#define PORCH_MOTION_BLOBS_H

#include <stdint.h>

#define PORCH__BLOBS_MAX 256    /* regions kept per frame (the largest) */

typedef struct porch__blob {
    int x0, y0, x1, y1;     /* inclusive bounding box */
    int area;               /* pixels */
    double sx, sy;          /* coordinate sums (centroid = s / area) */
    int ndyn;               /* pixels on dynamic background */
    int nzone;              /* pixels inside a zone */
} porch__blob;

typedef struct porch__blob_input {
    const uint8_t *mask;    /* w x h, 1 = foreground */
    const uint8_t *dynamic; /* w x h, per-pixel blink level (0..255) */
    const uint8_t *zone;    /* w x h, 1 = inside a zone */
    int w, h;
    int min_area;           /* regions smaller than this after merging are dropped */
    int merge_gap;          /* regions whose boxes come within this many pixels merge */
} porch__blob_input;

/*
 * Labels 8-connected regions, merges close ones, drops small ones. scratch
 * is w*h bytes, stack w*h int32 (both caller-owned). Writes at most
 * PORCH__BLOBS_MAX regions to out, largest first; returns how many.
 */
int porch__blobs_find(const porch__blob_input *in, uint8_t *scratch, int32_t *stack,
                      porch__blob *out);

#endif
