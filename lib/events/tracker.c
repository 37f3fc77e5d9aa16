/*
 * tracker.c: associates each frame's detections with tracks.
 *
 * Per frame, within each alert class (a person never continues a car's
 * track):
 *
 *   1. every (track, detection) pair with IoU >= iou_min is ranked by IoU,
 *      and pairs are taken greedily, best first, each track and detection
 *      used once;
 *   2. the tracks and detections still unmatched are paired by centre
 *      distance <= match_dist, nearest first. This catches small, fast
 *      objects (a cat, a bird, a distant cyclist) whose boxes do not
 *      overlap from one frame to the next;
 *   3. tracks without a detection count a miss and are lost after more
 *      than max_misses consecutive misses; detections without a track start
 *      one (in score order, while slots last), with the next id.
 *
 * Ties are broken by slot and detection rank, so the result is a function
 * of the input alone. Stationary logic: each track keeps an anchor, the
 * centre where it last "arrived"; moving farther than the still radius from
 * it moves the anchor, and staying within it for stationary_seconds makes
 * the track stationary (see events_internal.h). The radius grows with the
 * box (stationary_size of its size): a detector's box of a big or partly
 * hidden object jitters by a share of its size, not by a fixed distance,
 * and sbi-foliage's parked car "moved" out of suppression on jitter alone.
 * A still track must also leave on two consecutive hits that agree (the
 * second still as far out, or near the first), so a box that jumps out
 * and back (leaves in front of a parked car) is not a departure, and on
 * hits the caller did not see still (motion not NONE): an object that
 * really moves off makes motion, a box sliding along a half-hidden car
 * does not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "events/events_internal.h"

/* porch__pair stores slot and detection rank in bytes. */
_Static_assert(PORCH_EVENTS_MAX_TRACKS <= 256 && PORCH_EVENTS_MAX_DETS <= 256,
               "pair indices are uint8_t");

static float iou(const porch_track *t, const porch__det *d)
{
    float ix = fminf(t->x1, d->x1) - fmaxf(t->x0, d->x0);
    float iy = fminf(t->y1, d->y1) - fmaxf(t->y0, d->y0);
    if (ix <= 0.0f || iy <= 0.0f)
        return 0.0f;
    float inter = ix * iy;
    float uni = (t->x1 - t->x0) * (t->y1 - t->y0) + (d->x1 - d->x0) * (d->y1 - d->y0) - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

static float centre_dist(const porch_track *t, const porch__det *d)
{
    float dx = 0.5f * (t->x0 + t->x1 - d->x0 - d->x1);
    float dy = 0.5f * (t->y0 + t->y1 - d->y0 - d->y1);
    return sqrtf(dx * dx + dy * dy);
}

/* Best pair first: larger key (IoU) or smaller key (distance), then slot,
 * then detection rank. The pass is encoded in the sign of the key. */
static int pair_cmp(const void *pa, const void *pb)
{
    const porch__pair *a = pa, *b = pb;

    if (a->key != b->key)
        return a->key > b->key ? -1 : 1;
    if (a->track != b->track)
        return a->track < b->track ? -1 : 1;
    return (a->det > b->det) - (a->det < b->det);
}

/* Collects the candidate pairs of one pass: by IoU (by_dist 0) or by
 * negated centre distance (by_dist 1), so that pair_cmp sorts both. */
static size_t collect(porch_events *ev, int by_dist)
{
    size_t np = 0;

    for (int s = 0; s < PORCH_EVENTS_MAX_TRACKS; s++) {
        const porch__track *t = &ev->t[s];
        if (t->pub.id == 0 || t->matched)
            continue;
        for (size_t k = 0; k < ev->ndets; k++) {
            const porch__det *d = &ev->dets[k];
            if (ev->det_used[k] || d->cls != t->pub.cls)
                continue;
            float key = by_dist ? -centre_dist(&t->pub, d) : iou(&t->pub, d);
            if (by_dist ? -key > ev->cfg.match_dist : key < ev->cfg.iou_min)
                continue;
            ev->pairs[np++] = (porch__pair){ .key = key, .track = (uint8_t)s, .det = (uint8_t)k };
        }
    }
    return np;
}

static void set_box(porch_track *p, const porch__det *d)
{
    p->x0 = d->x0;
    p->y0 = d->y0;
    p->x1 = d->x1;
    p->y1 = d->y1;
    p->score = d->score;
    if (d->score > p->max_score)
        p->max_score = d->score;
}

static float box_size(const porch__det *d)
{
    return sqrtf((d->x1 - d->x0) * (d->y1 - d->y0));
}

static float dist(float ax, float ay, float bx, float by)
{
    return sqrtf((ax - bx) * (ax - bx) + (ay - by) * (ay - by));
}

/* Movement within this of the anchor is jitter. */
static float still_radius(const porch_events *ev, const porch__track *t, float size)
{
    float rel = ev->cfg.stationary_size * fminf(t->asz, size);
    return rel > ev->cfg.stationary_dist ? rel : ev->cfg.stationary_dist;
}

/* 1 if a still track's hit at (cx, cy), d from the anchor (beyond the
 * radius r), confirms a departure; else it is remembered as the first one
 * away (or replaces it: a box that jumped elsewhere is not a departure). */
static int departs(porch__track *t, float cx, float cy, float d, float r)
{
    if (t->away && (d >= t->wd || dist(cx, cy, t->wx, t->wy) <= r))
        return 1;
    t->away = 1;
    t->wx = cx;
    t->wy = cy;
    t->wd = d;
    return 0;
}

/* det is the hit, (cx, cy) its centre. */
static void update_stationary(porch_events *ev, porch__track *t, const porch__det *det, float cx,
                              float cy, int64_t pts)
{
    float size = box_size(det), d = dist(cx, cy, t->ax, t->ay), r = still_radius(ev, t, size);
    int was_still = t->pub.stationary || t->pub.suppressed;

    if (d <= r) {
        t->away = 0;
        if (pts - t->anchor_us >= ev->stationary_us)
            t->pub.stationary = 1;
        return;
    }
    if (was_still && (det->motion == PORCH_DET_MOTION_NONE || !departs(t, cx, cy, d, r)))
        return;
    t->away = 0;
    t->ax = cx;
    t->ay = cy;
    t->asz = size;
    t->anchor_us = pts;
    t->pub.stationary = 0;
    if (was_still)
        porch__ev_track_moved(ev, t, pts);
}

static void follow(porch_events *ev, porch__track *t, const porch__det *d, int64_t pts)
{
    set_box(&t->pub, d);
    float cx = 0.5f * (d->x0 + d->x1), cy = 0.5f * (d->y0 + d->y1);

    t->pub.displacement = dist(cx, cy, t->fx, t->fy);
    t->pub.last_us = pts;
    t->pub.hits++;
    t->pub.misses = 0;
    t->matched = 1;
    update_stationary(ev, t, d, cx, cy, pts);
}

static void assign(porch_events *ev, size_t np, int64_t pts)
{
    qsort(ev->pairs, np, sizeof(ev->pairs[0]), pair_cmp);
    for (size_t k = 0; k < np; k++) {
        porch__track *t = &ev->t[ev->pairs[k].track];
        if (t->matched || ev->det_used[ev->pairs[k].det])
            continue;
        ev->det_used[ev->pairs[k].det] = 1;
        follow(ev, t, &ev->dets[ev->pairs[k].det], pts);
    }
}

static int free_slot(const porch_events *ev)
{
    for (int s = 0; s < PORCH_EVENTS_MAX_TRACKS; s++)
        if (ev->t[s].pub.id == 0)
            return s;
    return -1;
}

/* A track born within the first stationary_seconds of the analysis is
 * taken to have been there before it started (a parked car, a sleeping
 * dog) unless the caller saw motion under it, and so is one born of a
 * detection the caller saw no motion under (a parked car first detected
 * later: dusk, a crop, a passer-by who hid it at start-up) and one born
 * where a still track was recently lost (parked.c): it is suppressed until
 * it moves, since nothing says it arrived. */
static void start_track(porch_events *ev, const porch__det *d, int64_t pts)
{
    int s = free_slot(ev);
    if (s < 0)
        return; /* full: the detection stays untracked this frame */
    porch__track *t = &ev->t[s];
    memset(t, 0, sizeof(*t));
    t->pub.id = ev->next_track_id++;
    if (ev->next_track_id == 0)
        ev->next_track_id = 1;
    t->pub.cls = d->cls;
    t->pub.first_us = pts;
    t->active = -1;
    for (int k = 0; k < PORCH_EVENTS_MAX_RULES; k++)
        t->since[k] = PORCH__EV_NO_RUN;
    t->fx = t->ax = 0.5f * (d->x0 + d->x1);
    t->fy = t->ay = 0.5f * (d->y0 + d->y1);
    t->asz = box_size(d);
    t->anchor_us = pts;
    follow(ev, t, d, pts);
    int early = pts - ev->start_us < ev->stationary_us;
    t->pub.suppressed = (early && d->motion != PORCH_DET_MOTION_SEEN) ||
                        d->motion == PORCH_DET_MOTION_NONE ||
                        porch__ev_parked_take(ev, &t->pub, pts);
}

static void age_tracks(porch_events *ev)
{
    for (int s = 0; s < PORCH_EVENTS_MAX_TRACKS; s++) {
        porch__track *t = &ev->t[s];
        if (t->pub.id == 0 || t->matched)
            continue;
        if (++t->pub.misses > (uint32_t)ev->cfg.max_misses) {
            /* Still when lost (parked, or suppressed and never moved): the
             * same object reappearing on the spot is not an arrival. */
            if (t->pub.stationary || t->pub.suppressed)
                porch__ev_parked_add(ev, &t->pub, t->pub.last_us);
            porch__ev_track_lost(ev, s);
            memset(t, 0, sizeof(*t));
        }
    }
}

void porch__ev_track_frame(porch_events *ev, int64_t pts_us)
{
    for (int s = 0; s < PORCH_EVENTS_MAX_TRACKS; s++)
        ev->t[s].matched = 0;
    memset(ev->det_used, 0, sizeof(ev->det_used));
    assign(ev, collect(ev, 0), pts_us);
    assign(ev, collect(ev, 1), pts_us);
    age_tracks(ev);
    for (size_t k = 0; k < ev->ndets; k++)
        if (!ev->det_used[k])
            start_track(ev, &ev->dets[k], pts_us);
}

void porch__ev_tracks_reset(porch_events *ev)
{
    memset(ev->t, 0, sizeof(ev->t));
}
