/*
 * track.c: region tracker (see track.h).
 */
#include <math.h>
#include <string.h>

#include "motion/track.h"

void porch__tracker_reset(porch__tracker *tr)
{
    uint32_t next = tr->next_id ? tr->next_id : 1;

    memset(tr, 0, sizeof(*tr));
    tr->next_id = next;
}

static float bw(const porch__blob *b) { return (float)(b->x1 - b->x0 + 1); }
static float bh(const porch__blob *b) { return (float)(b->y1 - b->y0 + 1); }

/* Distance from the track's predicted centroid to the region's, or -1 when
 * outside the gate. */
static float gate_distance(const porch__track *t, const porch__blob *b)
{
    float cx = (float)(b->sx / b->area), cy = (float)(b->sy / b->area);
    float dx = cx - (t->cx + t->vx), dy = cy - (t->cy + t->vy);
    float d = sqrtf(dx * dx + dy * dy);
    /* The gate grows with the track's own size, not the region's: a small
     * track must not grab a large region another track is following
     * (sbi-highwayI 406: a small car's track took a big merged region and
     * its owner lost it). Overlap still lets a track follow its region as
     * it grows. */
    float size = fmaxf(bw(&t->blob), bh(&t->blob));
    float gate = fmaxf(8.0f, 0.75f * size);
    int overlap = b->x0 <= t->blob.x1 && t->blob.x0 <= b->x1 &&
                  b->y0 <= t->blob.y1 && t->blob.y0 <= b->y1;

    return d <= gate || overlap ? d : -1.0f;
}

static void push_history(porch__track *t)
{
    t->hx[t->hpos] = t->cx;
    t->hy[t->hpos] = t->cy;
    t->hpos = (t->hpos + 1) % PORCH__TRACK_HIST;
    t->hn += t->hn < PORCH__TRACK_HIST;
}

static void follow(porch__track *t, const porch__blob *b)
{
    float cx = (float)(b->sx / b->area), cy = (float)(b->sy / b->area);

    if (t->age > 1) {
        /* Velocity over the frames since the last match, smoothed. */
        float gap = (float)(t->misses + 1);
        t->vx = 0.6f * t->vx + 0.4f * (cx - t->cx) / gap;
        t->vy = 0.6f * t->vy + 0.4f * (cy - t->cy) / gap;
    }
    t->cx = cx;
    t->cy = cy;
    t->prev = t->age > 1 ? t->blob : *b;
    t->blob = *b;
    t->misses = 0;
    t->matched = 1;
    push_history(t);
}

static int boxes_overlap(const porch__blob *a, const porch__blob *b)
{
    return a->x0 <= b->x1 && b->x0 <= a->x1 && a->y0 <= b->y1 && b->y0 <= a->y1;
}

/* Whether b overlaps where a handed-over track was on the previous frame. */
static int splits_from_handed(const porch__tracker *tr, const porch__blob *b)
{
    for (int k = 0; k < PORCH__TRACK_MAX; k++) {
        const porch__track *t = &tr->t[k];
        if (t->id != 0 && t->handed > 0 && boxes_overlap(t->matched ? &t->prev : &t->blob, b))
            return 1;
    }
    return 0;
}

static void start(porch__tracker *tr, const porch__blob *b)
{
    porch__track *slot = NULL;

    for (int k = 0; k < PORCH__TRACK_MAX && slot == NULL; k++)
        if (tr->t[k].id == 0)
            slot = &tr->t[k];
    if (slot == NULL)
        return; /* full: the region stays untracked this frame */
    memset(slot, 0, sizeof(*slot));
    slot->id = tr->next_id++;
    if (tr->next_id == 0)
        tr->next_id = 1;
    slot->age = 1;
    slot->heir = splits_from_handed(tr, b);
    follow(slot, b);
}

/* Index of the live, unmatched track with the largest age, or -1. */
static int oldest_unmatched(const porch__tracker *tr, const uint8_t *done)
{
    int best = -1;

    for (int k = 0; k < PORCH__TRACK_MAX; k++) {
        if (tr->t[k].id == 0 || done[k])
            continue;
        if (best < 0 || tr->t[k].age > tr->t[best].age)
            best = k;
    }
    return best;
}

void porch__tracker_update(porch__tracker *tr, const porch__blob *b, int n)
{
    uint8_t used[PORCH__BLOBS_MAX] = { 0 }, done[PORCH__TRACK_MAX] = { 0 };
    int k;

    for (k = 0; k < PORCH__TRACK_MAX; k++) {
        tr->t[k].matched = 0;
        if (tr->t[k].id != 0)
            tr->t[k].age++;
    }
    while ((k = oldest_unmatched(tr, done)) >= 0) {
        int best = -1;
        float bd = 0;
        done[k] = 1;
        for (int j = 0; j < n; j++) {
            float d = used[j] ? -1.0f : gate_distance(&tr->t[k], &b[j]);
            if (d >= 0 && (best < 0 || d < bd)) {
                best = j;
                bd = d;
            }
        }
        if (best >= 0) {
            used[best] = 1;
            follow(&tr->t[k], &b[best]);
        } else if (++tr->t[k].misses > PORCH__TRACK_MAX_MISSES) {
            tr->t[k].id = 0;
        }
    }
    for (int j = 0; j < n; j++)
        if (!used[j])
            start(tr, &b[j]);
}

void porch__track_motion(const porch__track *t, float *disp, float *path, float *coherence)
{
    int first = (t->hpos - t->hn + PORCH__TRACK_HIST) % PORCH__TRACK_HIST;
    float p = 0, dx, dy;

    for (int k = 1; k < t->hn; k++) {
        int a = (first + k - 1) % PORCH__TRACK_HIST, c = (first + k) % PORCH__TRACK_HIST;
        p += hypotf(t->hx[c] - t->hx[a], t->hy[c] - t->hy[a]);
    }
    dx = t->cx - t->hx[first];
    dy = t->cy - t->hy[first];
    *disp = hypotf(dx, dy);
    *path = p;
    *coherence = (*disp + 2.0f) / (p + 2.0f);
}
