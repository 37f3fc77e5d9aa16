/*
 * regions.c: from tracks to reported regions, and the hand-over rule.
 *
 * A matched track is a candidate (handed to the object detector) when it is
 * in a zone, at least min_age frames old, and not oscillating: over its
 * history window its centroid must get somewhere relative to the path it
 * travelled (coherence), or stay put. Regions lying mostly on dynamic
 * background (pixels whose decision keeps flipping: leaves, water) must
 * prove themselves: tracked for a while, coherent, and actually travelling.
 * The thresholds were chosen on the dev set (docs/MOTION.md). Candidates are listed first.
 */
#include <string.h>

#include "motion/motion_internal.h"

/* Oscillation: over at least OSC_MIN_HIST matched frames, coherence below
 * OSC_COHERENCE on a region with more than OSC_DYNAMIC of its pixels on
 * dynamic background. Not applied to regions on still background: merging
 * and splitting of cars in dense traffic makes centroids jump, and there the
 * rule cost more recall than it saved (docs/MOTION.md). */
#define OSC_MIN_HIST 4
#ifndef OSC_DYNAMIC
#define OSC_DYNAMIC 0.3f
#endif
#ifndef OSC_COHERENCE
#define OSC_COHERENCE 0.15f
#endif
#define DYN_SHARE 0.5f          /* region mostly on dynamic background ... */
#ifndef DYN_MIN_HIST
#define DYN_MIN_HIST 6          /* ... must have been tracked this long, */
#endif
#define DYN_COHERENCE 0.7f      /* ... this coherent, */
#define DYN_TRAVEL 6.0f         /* ... and have travelled this many pixels */

static void describe(const porch__track *t, porch_motion_region *r)
{
    const porch__blob *b = &t->blob;

    memset(r, 0, sizeof(*r));
    r->track_id = t->id;
    r->x = b->x0;
    r->y = b->y0;
    r->w = b->x1 - b->x0 + 1;
    r->h = b->y1 - b->y0 + 1;
    r->area = b->area;
    r->age = t->age;
    r->cx = t->cx;
    r->cy = t->cy;
    r->vx = t->vx;
    r->vy = t->vy;
    porch__track_motion(t, &r->displacement, &r->path, &r->coherence);
    r->dynamic = b->area > 0 ? (float)b->ndyn / (float)b->area : 0;
    r->in_zone = b->nzone > 0;
}

static int is_candidate(const porch_motion *m, const porch__track *t,
                        const porch_motion_region *r)
{
    /* A part split off a track already handed over (heir) is that object,
     * already proven by the age rule: it is not made to wait again
     * (sbi-cavignal, ucsd-skiing: the person's half of a split region was
     * a new track, and the frame of the split was missed). */
    if (!r->in_zone || r->area < m->min_area || ((int)t->age < m->min_age && !t->heir))
        return 0;
    if (m->cfg.flags & PORCH_MOTION_NO_GATING)
        return 1;
    if (t->hn >= OSC_MIN_HIST && r->coherence < OSC_COHERENCE && r->dynamic > OSC_DYNAMIC)
        return 0;
    if (r->dynamic > DYN_SHARE &&
        (t->hn < DYN_MIN_HIST || r->coherence < DYN_COHERENCE || r->displacement < DYN_TRAVEL))
        return 0;
    return 1;
}

void porch__motion_regions(porch_motion *m, int suppress, porch_motion_result *out)
{
    porch_motion_region cand[PORCH__TRACK_MAX], rest[PORCH__TRACK_MAX];
    int nc = 0, nr = 0;

    for (int k = 0; k < PORCH__TRACK_MAX; k++) {
        porch__track *t = &m->tr.t[k];
        porch_motion_region r;
        if (t->id == 0 || !t->matched)
            continue;
        describe(t, &r);
        /* While settling (after a camera shift) only tracks already handed
         * over, or split off one, continue: the realigned model's new
         * regions are mostly edges it has not relearnt, but an object it
         * was following is still that object (ucsd-cyclists: a shake lost
         * the cyclists, who split off the brush's region). */
        r.candidate = (uint8_t)((!suppress || t->handed > 0 || t->heir) &&
                                is_candidate(m, t, &r));
        t->handed += r.candidate;
        if (r.candidate)
            cand[nc++] = r;
        else
            rest[nr++] = r;
    }
    /* PORCH__TRACK_MAX == PORCH_MOTION_MAX_REGIONS, so everything fits. */
    memcpy(out->regions, cand, (size_t)nc * sizeof(cand[0]));
    memcpy(out->regions + nc, rest, (size_t)nr * sizeof(rest[0]));
    out->ncandidates = nc;
    out->nregions = nc + nr;
}
