/*
 * gate.c: which of the detector's boxes the tracker and rules see.
 *
 * Motion is the judge of "something arrived": a detection a local motion
 * candidate overlaps is marked PORCH_DET_MOTION_SEEN (so even in the
 * events stage's start-up window it is an arrival, not "there before we
 * started"), one only a global candidate covers _UNKNOWN, any other
 * PORCH_DET_MOTION_NONE. It still continues a track (a
 * person who stops at the door stays tracked), but a track it starts is
 * born suppressed (events.h): a parked car, a poster of a face, a statue, a
 * car half hidden by swaying leaves are tracked, so the tracker knows them
 * and they stay quiet until they really move. (Dropping such detections
 * instead, as before, left a parked car untracked until some motion next to
 * it, e.g. a passer-by's shadow, let it start a track after the start-up
 * window: psu-walk's false vehicle.)
 *
 * On a crop, boxes touching an inner edge of the crop are cut by it and
 * dropped (their shape is wrong), and parked or suppressed tracks not wholly
 * inside the crop are fed again with their last box, so the crop does not
 * make them count misses and come back later as "arrivals".
 */
#include <math.h>

#include "porchlight/clip_meta.h"
#include "porchlight/error.h"
#include "analysis/analysis_internal.h"

#define EDGE 0.004f          /* a box within this of an inner crop edge touches it */
#define OVERLAP 0.5f         /* detection and candidate share this of the smaller box */
/* A candidate lying mostly on "dynamic background" (pixels that keep
 * blinking: leaves, water) cannot start a track: sbi-foliage's leaves
 * (dynamic 0.99) once let a half-hidden parked car start one and alert. */
#define MAX_DYNAMIC 0.7f
/* A candidate over more than this share of the frame is a global change
 * (light, camera shake, waves, the motion model still learning): motion,
 * but no evidence of where something arrived. */
#define MAX_CANDIDATE_AREA 0.5f

static float area(float x0, float y0, float x1, float y1)
{
    return x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0.0f;
}

static float overlap(float ax0, float ay0, float ax1, float ay1, float bx0, float by0, float bx1,
                     float by1)
{
    return area(fmaxf(ax0, bx0), fmaxf(ay0, by0), fminf(ax1, bx1), fminf(ay1, by1));
}

static int touches_inner_edge(const porch_detection *d, const porch__an_rect *c)
{
    return (c->x0 > 0.0f && d->x0 <= c->x0 + EDGE) || (c->y0 > 0.0f && d->y0 <= c->y0 + EDGE) ||
           (c->x1 < 1.0f && d->x1 >= c->x1 - EDGE) || (c->y1 < 1.0f && d->y1 >= c->y1 - EDGE);
}

/* What motion says under d: PORCH_DET_MOTION_SEEN for a local candidate
 * (mostly off dynamic background), _UNKNOWN when only a global one covers
 * it (something moves, but motion cannot say what or where: it neither
 * starts an arrival in the start-up window nor denies a departure), _NONE
 * when no candidate does. */
static uint8_t motion_under(const porch_analysis *a, const porch_detection *d)
{
    float da = area(d->x0, d->y0, d->x1, d->y1);
    uint8_t seen = PORCH_DET_MOTION_NONE;

    for (int i = 0; i < a->mres.nregions; i++) {
        const porch_motion_region *r = &a->mres.regions[i];
        if (!r->candidate || r->dynamic > MAX_DYNAMIC)
            continue;
        float x0 = (float)r->x / (float)a->grey_w, y0 = (float)r->y / (float)a->grey_h;
        float x1 = (float)(r->x + r->w) / (float)a->grey_w;
        float y1 = (float)(r->y + r->h) / (float)a->grey_h;
        float ra = area(x0, y0, x1, y1), small = da < ra ? da : ra;
        if (small <= 0.0f || overlap(d->x0, d->y0, d->x1, d->y1, x0, y0, x1, y1) < OVERLAP * small)
            continue;
        if (ra <= MAX_CANDIDATE_AREA)
            return PORCH_DET_MOTION_SEEN;
        seen = PORCH_DET_MOTION_UNKNOWN;
    }
    return seen;
}

static int coco_of(int cls)
{
    return cls == PORCH_CLASS_PERSON ? 0 : cls == PORCH_CLASS_VEHICLE ? 2 : 16;
}

/* Share of track t's box inside rectangle c. */
static float inside(const porch_track *t, const porch__an_rect *c)
{
    float ta = area(t->x0, t->y0, t->x1, t->y1);
    return ta > 0.0f ? overlap(t->x0, t->y0, t->x1, t->y1, c->x0, c->y0, c->x1, c->y1) / ta : 0.0f;
}

size_t porch__an_gate(porch_analysis *a, size_t n, const porch__an_rect *crop, int cropped)
{
    size_t nt = 0, k = 0;

    if (porch_events_tracks(a->events, a->tracks, PORCH_EVENTS_MAX_TRACKS, &nt) != PORCH_OK)
        nt = 0;
    for (size_t i = 0; i < n; i++) {
        const porch_detection *d = &a->dets[i];
        if (porch_events_class_of(d->coco) == 0 || (cropped && touches_inner_edge(d, crop)))
            continue;
        a->feed[k] = *d;
        a->feed[k++].motion = a->cfg.motion_gate ? motion_under(a, d) : PORCH_DET_MOTION_UNKNOWN;
    }
    for (size_t i = 0; cropped && i < nt; i++) {
        const porch_track *t = &a->tracks[i];
        if ((t->stationary || t->suppressed) && inside(t, crop) < 0.9f)
            a->feed[k++] = (porch_detection){ t->x0, t->y0, t->x1, t->y1, t->score,
                                              coco_of(t->cls), PORCH_DET_MOTION_NONE };
    }
    return k;
}
