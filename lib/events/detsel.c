/*
 * detsel.c: per-frame intake of the detector's output.
 *
 * Validates every detection (the whole frame is rejected before any state
 * changes if one is malformed), drops classes that raise no alerts, clamps
 * boxes to the frame, and keeps at most PORCH_EVENTS_MAX_DETS of the rest.
 * Which ones are kept should not depend on the order the detector happened
 * to list them in, so they are ranked by score, highest first; only equal
 * scores fall back to their index in the caller's array (lower first). The kept list
 * stays in that order, so later steps (new tracks when slots run out) also
 * favour the most confident detections.
 */
#include <math.h>

#include "porchlight/error.h"
#include "events/events_internal.h"

static float clamp01(float v)
{
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

static int det_valid(const porch_detection *d)
{
    if (!isfinite(d->x0) || !isfinite(d->y0) || !isfinite(d->x1) || !isfinite(d->y1))
        return 0;
    if (d->x1 < d->x0 || d->y1 < d->y0)
        return 0;
    return isfinite(d->score) && d->score >= 0.0f && d->score <= 1.0f;
}

/* a ranks before b: higher score, then lower index. */
static int ranks_before(const porch__det *a, const porch__det *b)
{
    return a->score > b->score || (a->score == b->score && a->index < b->index);
}

/* Insertion into the sorted, capped list; the lowest-ranked falls off. */
static void keep(porch_events *ev, const porch__det *d)
{
    size_t pos = ev->ndets;

    while (pos > 0 && ranks_before(d, &ev->dets[pos - 1]))
        pos--;
    if (pos >= PORCH_EVENTS_MAX_DETS)
        return;
    size_t last = ev->ndets < PORCH_EVENTS_MAX_DETS ? ev->ndets : PORCH_EVENTS_MAX_DETS - 1;
    for (size_t k = last; k > pos; k--)
        ev->dets[k] = ev->dets[k - 1];
    ev->dets[pos] = *d;
    if (ev->ndets < PORCH_EVENTS_MAX_DETS)
        ev->ndets++;
}

int porch__ev_select(porch_events *ev, const porch_detection *dets, size_t n)
{
    ev->ndets = 0;
    for (size_t k = 0; k < n; k++)
        if (!det_valid(&dets[k]))
            return PORCH_ERR_INVALID_ARG;
    for (size_t k = 0; k < n; k++) {
        int cls = porch_events_class_of(dets[k].coco);
        if (cls == 0)
            continue;
        porch__det d = {
            .x0 = clamp01(dets[k].x0), .y0 = clamp01(dets[k].y0),
            .x1 = clamp01(dets[k].x1), .y1 = clamp01(dets[k].y1),
            .score = dets[k].score, .cls = (uint8_t)cls, .motion = dets[k].motion,
            /* Indices beyond 65535 only break ties among equal scores. */
            .index = (uint16_t)(k < UINT16_MAX ? k : UINT16_MAX),
        };
        keep(ev, &d);
    }
    return PORCH_OK;
}
