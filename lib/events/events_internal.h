/*
 * events_internal.h: the state behind porch_events, shared by the files of
 * lib/events/ (one concern each):
 *
 *   classmap.c  COCO-80 -> alert class
 *   zone.c      polygon checks, bottom-centre-in-zone test
 *   config.c    defaults and validation
 *   detsel.c    per-frame detection intake: validate, map, keep the best N
 *   tracker.c   association, track life, stationary logic
 *   parked.c    memory of lost stationary tracks
 *   rules.c     rules, cooldowns, event start/end, reasons
 *   events.c    the public entry points
 *
 * Everything lives in one calloc()ed porch_events; no function here
 * allocates.
 */
#ifndef PORCH_EVENTS_INTERNAL_H
#define PORCH_EVENTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/events.h"

#define PORCH__EV_NCLASS 6   /* porch_label_class values 0..5 */
#define PORCH__EV_NO_RUN INT64_MIN

/* A detection accepted for this frame. */
typedef struct porch__det {
    float x0, y0, x1, y1, score;
    uint8_t cls;            /* alert class, never 0 */
    uint8_t motion;         /* porch_detection.motion */
    uint16_t index;         /* position in the caller's array (tie-break) */
} porch__det;

/* A candidate (track, detection) association. */
typedef struct porch__pair {
    float key;              /* IoU (higher first) or distance (lower first) */
    uint8_t track, det;
} porch__pair;

typedef struct porch__track {
    porch_track pub;        /* pub.id == 0: free slot */
    float fx, fy;           /* centre at the first hit */
    /* Stationary anchor: the centre has stayed within the still radius
     * (tracker.c: stationary_dist, or stationary_size of the box's size if
     * larger) of (ax, ay) since anchor_us; asz is the box's size there.
     * Reset to the current centre whenever it leaves that radius, so
     * "stationary" means "still for a whole window". A still track (stationary
     * or suppressed) leaves only on two consecutive hits that agree: the
     * first one away is kept in (wx, wy), wd from the anchor, away = 1. */
    float ax, ay, asz;
    int64_t anchor_us;
    float wx, wy, wd;
    uint8_t away;
    uint8_t matched;        /* matched on the current frame */
    int active;             /* index into porch_events.act, or -1 */
    /* Per rule: pts at which the current in-zone run began, or
     * PORCH__EV_NO_RUN (pts may be negative, so no small sentinel). */
    int64_t since[PORCH_EVENTS_MAX_RULES];
    uint32_t run_hits[PORCH_EVENTS_MAX_RULES]; /* hits >= min_score in that run */
} porch__track;

/* Where a stationary track was when the detector lost it. A new track of
 * the same class appearing on that spot before until_us is the same parked
 * object coming back (detectors drop parked cars at dusk, under rain, behind
 * a passer-by), not an arrival. */
typedef struct porch__parked {
    float x0, y0, x1, y1;
    uint8_t used;
    uint8_t cls;
    int64_t until_us;
} porch__parked;

/* A started event that has not ended yet. */
typedef struct porch__active {
    uint8_t used;
    uint8_t ending;         /* end_us is set; END once pts >= end_us */
    int track;              /* slot in porch_events.t, -1 once the track is lost */
    int64_t end_us;
    porch_event ev;         /* as reported at START; max_score kept up to date */
} porch__active;

struct porch_events {
    porch_events_config cfg;
    int64_t min_us[PORCH_EVENTS_MAX_RULES];      /* rules[k].min_seconds in us */
    int64_t cooldown_us[PORCH_EVENTS_MAX_RULES];
    int64_t stationary_us, post_roll_us, parked_us;
    uint8_t started;        /* a frame has been seen since new/flush */
    int64_t start_us;       /* pts of that first frame */
    int64_t last_pts;
    uint32_t next_track_id, next_event_id;
    porch__track t[PORCH_EVENTS_MAX_TRACKS];
    porch__active act[PORCH_EVENTS_MAX_ACTIVE];
    porch__parked parked[PORCH_EVENTS_MAX_PARKED];
    /* Start pts of the last event per class and zone (index nzones.. = any). */
    uint8_t fired[PORCH__EV_NCLASS][PORCH_EVENTS_MAX_ZONES + 1];
    int64_t fired_us[PORCH__EV_NCLASS][PORCH_EVENTS_MAX_ZONES + 1];
    /* Per-frame scratch, sized by the caps. */
    size_t ndets;
    porch__det dets[PORCH_EVENTS_MAX_DETS];
    uint8_t det_used[PORCH_EVENTS_MAX_DETS];
    porch__pair pairs[PORCH_EVENTS_MAX_TRACKS * PORCH_EVENTS_MAX_DETS];
};

/* zone.c */
int porch__ev_in_zone(const porch_events_config *cfg, int zone, const porch_track *t);

/* config.c */
int porch__ev_config_check(const porch_events_config *cfg);

/* detsel.c: fills ev->dets from the caller's array; INVALID_ARG on bad input. */
int porch__ev_select(porch_events *ev, const porch_detection *dets, size_t n);

/* parked.c */
void porch__ev_parked_add(porch_events *ev, const porch_track *t, int64_t pts_us);
int porch__ev_parked_take(porch_events *ev, const porch_track *t, int64_t pts_us);

/* tracker.c */
void porch__ev_track_frame(porch_events *ev, int64_t pts_us);
void porch__ev_tracks_reset(porch_events *ev);

/* rules.c */
size_t porch__ev_rules_frame(porch_events *ev, int64_t pts_us, porch_event *out);
size_t porch__ev_end_all(porch_events *ev, porch_event *out);
void porch__ev_track_lost(porch_events *ev, int slot);
void porch__ev_track_moved(porch_events *ev, porch__track *t, int64_t pts_us);

#endif
