/*
 * parked.c: memory of stationary tracks the detector lost.
 *
 * Detectors drop parked cars for seconds at a time (dusk, rain, a passer-by
 * in front). Without a memory, the car would come back as a new track,
 * born after the start-up window, and alert as an arrival. So when a
 * stationary track is lost, its box is kept for parked_memory_seconds; a
 * new track of the same class whose first box overlaps it (IoU >= 0.5)
 * takes the entry and starts suppressed, exactly as the old track was
 * (alerted-and-parked or there-from-the-start both mean "quiet until it
 * moves"). Each entry revives one track at most.
 */
#include <math.h>
#include <string.h>

#include "events/events_internal.h"

#define SAME_SPOT_IOU 0.5f

static float box_iou(const porch__parked *p, const porch_track *t)
{
    float ix = fminf(p->x1, t->x1) - fmaxf(p->x0, t->x0);
    float iy = fminf(p->y1, t->y1) - fmaxf(p->y0, t->y0);
    if (ix <= 0.0f || iy <= 0.0f)
        return 0.0f;
    float inter = ix * iy;
    float uni = (p->x1 - p->x0) * (p->y1 - p->y0) + (t->x1 - t->x0) * (t->y1 - t->y0) - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

void porch__ev_parked_add(porch_events *ev, const porch_track *t, int64_t pts_us)
{
    porch__parked *slot = NULL;

    if (ev->parked_us == 0)
        return;
    /* A free entry, else the one that would expire first. */
    for (int k = 0; k < PORCH_EVENTS_MAX_PARKED && (slot == NULL || slot->used); k++)
        if (slot == NULL || !ev->parked[k].used || ev->parked[k].until_us < slot->until_us)
            slot = &ev->parked[k];
    *slot = (porch__parked){ .x0 = t->x0, .y0 = t->y0, .x1 = t->x1, .y1 = t->y1, .used = 1,
                             .cls = t->cls, .until_us = pts_us + ev->parked_us };
}

int porch__ev_parked_take(porch_events *ev, const porch_track *t, int64_t pts_us)
{
    for (int k = 0; k < PORCH_EVENTS_MAX_PARKED; k++) {
        porch__parked *p = &ev->parked[k];
        if (!p->used || p->cls != t->cls)
            continue;
        if (pts_us > p->until_us) {
            memset(p, 0, sizeof(*p)); /* expired */
            continue;
        }
        if (box_iou(p, t) >= SAME_SPOT_IOU) {
            memset(p, 0, sizeof(*p));
            return 1;
        }
    }
    return 0;
}
