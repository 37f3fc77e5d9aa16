/*
 * porchlight/events.h: detection stage 3, object tracking and event rules.
 *
 * Takes the object detector's per-frame detections (COCO-80 classes, boxes
 * in normalised frame coordinates), maps them to alert classes (person,
 * vehicle, animal; everything else is dropped), tracks them across frames,
 * and applies the camera's rules (class + zone + persistence + minimum
 * score, cooldown per class and zone, stationary-object suppression) to
 * decide when an event starts and ends. Every started event carries a
 * sentence saying why it fired. The algorithm and every parameter with its
 * default: docs/EVENTS.md.
 *
 *   porch_events_config cfg;
 *   porch_events_config_default(&cfg);          // one rule: any class, anywhere
 *   porch_events_new(&ev, &cfg);
 *   for each analysed frame:
 *       porch_events_update(ev, pts_us, dets, n, out, PORCH_EVENTS_MAX_OUT, &n_out);
 *   porch_events_flush(ev, out, PORCH_EVENTS_MAX_OUT, &n_out);  // end of stream
 *   porch_events_free(ev);
 *
 * A porch_events object is per camera and not thread-safe. Everything it
 * needs is allocated by porch_events_new() with the hard caps below;
 * update() and flush() never allocate.
 */
#ifndef PORCHLIGHT_EVENTS_H
#define PORCHLIGHT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/motion.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_EVENTS_MAX_DETS 64        /* detections considered per frame (highest scores) */
#define PORCH_EVENTS_MAX_TRACKS 32      /* live tracks */
#define PORCH_EVENTS_MAX_ACTIVE 64      /* events started and not yet ended */
#define PORCH_EVENTS_MAX_PARKED 16      /* lost stationary tracks remembered */
#define PORCH_EVENTS_MAX_RULES 16
#define PORCH_EVENTS_MAX_ZONES PORCH_MOTION_MAX_ZONES
#define PORCH_EVENTS_ZONE_NAME 32       /* bytes, including the NUL */
#define PORCH_EVENTS_REASON 160         /* bytes, including the NUL */
/* Events one update() or flush() can report: every active event ending
 * plus every track starting one. `out` must hold at least this many. */
#define PORCH_EVENTS_MAX_OUT (PORCH_EVENTS_MAX_ACTIVE + PORCH_EVENTS_MAX_TRACKS)

#define PORCH_EVENTS_ZONE_ANY (-1)      /* rule applies anywhere in the frame */

/* Bit of an alert class (porch_label_class) in porch_events_rule.classes. */
#define PORCH_EVENTS_CLASS_BIT(c) (1u << (c))
#define PORCH_EVENTS_CLASSES_ALL                                         \
    (PORCH_EVENTS_CLASS_BIT(2) | PORCH_EVENTS_CLASS_BIT(3) | PORCH_EVENTS_CLASS_BIT(4))

/* One detection of one frame, as the detector reports it. */
typedef struct porch_detection {
    float x0, y0, x1, y1;   /* normalised: (0,0) top-left, (1,1) bottom-right; clamped */
    float score;            /* 0..1 */
    int coco;               /* COCO-80 class index (porch_nanodet_det.cls) */
    uint8_t motion;         /* what the caller saw under it: PORCH_DET_MOTION_* */
} porch_detection;

/* porch_detection.motion. UNKNOWN (0, the zero value): the tracker's own
 * rules alone. NONE: nothing says it arrived: it may continue a track, a
 * track it starts is born suppressed (quiet until it moves), and it is no
 * evidence that a suppressed track moved off. SEEN: something moves under
 * it: a track it starts in the start-up window is not taken for "there
 * before we started watching". */
#define PORCH_DET_MOTION_UNKNOWN 0
#define PORCH_DET_MOTION_NONE 1
#define PORCH_DET_MOTION_SEEN 2

/* A named zone: a polygon in normalised coordinates (motion.h's type). */
typedef struct porch_events_zone {
    char name[PORCH_EVENTS_ZONE_NAME];   /* NUL-terminated; "" = called by its index */
    porch_motion_polygon poly;
} porch_events_zone;

typedef struct porch_events_rule {
    unsigned classes;       /* PORCH_EVENTS_CLASS_BIT(PORCH_CLASS_*) mask: person/vehicle/animal */
    int zone;               /* index into zones, or PORCH_EVENTS_ZONE_ANY */
    float min_score;        /* a hit counts only at or above this score, 0..1 */
    float min_seconds;      /* persistence: in the zone this long before firing, >= 0 */
    float cooldown_seconds; /* no second event of the same class + zone within this, >= 0 */
} porch_events_rule;

typedef struct porch_events_config {
    int nzones;
    porch_events_zone zones[PORCH_EVENTS_MAX_ZONES];
    int nrules;             /* 1..PORCH_EVENTS_MAX_RULES; checked in order, first match fires */
    porch_events_rule rules[PORCH_EVENTS_MAX_RULES];
    /* Tracker */
    float iou_min;          /* (0,1]: least IoU for a detection to continue a track */
    float match_dist;       /* (0,1]: fallback gate, centre distance in frame units */
    int max_misses;         /* 1..1000: frames without a hit before a track is lost */
    /* Stationary objects */
    float stationary_dist;  /* (0,1]: centre movement below this (frame units) is "still" */
    float stationary_size;  /* 0..10: ... or below this share of the box's size (the square
                               root of its area, the smaller of then and now), if larger */
    float stationary_seconds; /* > 0: still for this long = stationary; also the start-up window */
    float parked_memory_seconds; /* >= 0: a stationary track lost this recently is recognised
                                    when it reappears in place (0 = off) */
    /* Events */
    float post_roll_seconds;  /* >= 0: an event ends this long after its object is gone or still */
    int min_hits;           /* 1..1000: hits at or above a rule's min_score within its run
                               before it fires (with min_seconds; 1 = min_seconds alone) */
} porch_events_config;

/* Kinds of porch_event. */
#define PORCH_EVENT_START 1
#define PORCH_EVENT_END 2

typedef struct porch_event {
    int kind;               /* PORCH_EVENT_START or PORCH_EVENT_END */
    uint32_t event_id;      /* pairs a START with its END; monotonic, never 0 */
    uint32_t track_id;
    uint8_t cls;            /* porch_label_class */
    int zone;               /* zone of the rule that fired, or PORCH_EVENTS_ZONE_ANY */
    int rule;               /* index of the rule that fired */
    int64_t start_us;       /* pts of the frame on which the rules were met */
    int64_t end_us;         /* END only: last sighting (or stop) + post-roll; 0 on START */
    float max_score;        /* best score of the track so far (at END: over the whole event) */
    char reason[PORCH_EVENTS_REASON]; /* why it fired, e.g.
                              "person in zone 'porch' for 2.4 s (score 0.91, track 7)" */
} porch_event;

/* A live track, for inspection (`porch --frames`). */
typedef struct porch_track {
    uint32_t id;            /* monotonic, never 0 */
    uint8_t cls;            /* porch_label_class */
    float x0, y0, x1, y1;   /* last matched box, normalised */
    float score;            /* score of the last hit */
    float max_score;
    int64_t first_us, last_us; /* pts of the first and last hit */
    uint32_t hits;          /* frames with a matched detection */
    uint32_t misses;        /* consecutive frames without one */
    float displacement;     /* centre distance from where it was first seen, frame units */
    uint8_t stationary;     /* 1: centre within the still radius for stationary_seconds */
    uint8_t suppressed;     /* 1: will not alert until it moves (parked, or alerted then parked) */
    uint32_t event_id;      /* its active event, 0 if none */
} porch_track;

typedef struct porch_events porch_events;

/* COCO-80 index -> alert class (PORCH_CLASS_PERSON/VEHICLE/ANIMAL), 0 = ignored. */
int porch_events_class_of(int coco);

/* Fills cfg with the defaults (docs/EVENTS.md): no zones, one rule (any
 * alert class, anywhere, score 0.5, 1 s, cooldown 30 s). */
void porch_events_config_default(porch_events_config *cfg);

/*
 * Creates the tracker and rule state for cfg (copied). Ownership: on success
 * *out is owned by the caller and released with porch_events_free().
 * Errors: PORCH_ERR_INVALID_ARG (NULL, bad polygon, rule, or parameter),
 * PORCH_ERR_TOO_LARGE (more zones or rules than the caps), PORCH_ERR_NOMEM.
 */
int porch_events_new(porch_events **out, const porch_events_config *cfg);

/*
 * Feeds one analysed frame. pts_us must not go backwards and must lie
 * within +-2^61 (so no duration sum can overflow). Detections of
 * ignored classes are dropped; of the rest, if more than
 * PORCH_EVENTS_MAX_DETS, only the highest-scoring are used (ties: the lower
 * index wins), so apart from exact ties the outcome does not depend on
 * the detector's order.
 * Writes the events that started or ended on this frame into out (cap >=
 * PORCH_EVENTS_MAX_OUT; ends first, then starts, each by event id) and
 * their number into *n_out (zeroed on entry). On error nothing changes.
 * Errors: PORCH_ERR_INVALID_ARG (NULL, cap too small, pts backwards or out of range,
 * a non-finite or inverted box, a score outside 0..1).
 */
int porch_events_update(porch_events *ev, int64_t pts_us, const porch_detection *dets,
                        size_t n, porch_event *out, size_t cap, size_t *n_out);

/*
 * End of stream: ends every active event (end = last sighting, or the
 * moment it stopped, + post-roll) and forgets all tracks, as if analysis
 * restarted; ids keep increasing and cooldowns are kept.
 * Errors: PORCH_ERR_INVALID_ARG.
 */
int porch_events_flush(porch_events *ev, porch_event *out, size_t cap, size_t *n_out);

/* Copies the live tracks, by id (the oldest cap if more), into out and their number
 * into *n (zeroed on entry). Errors: PORCH_ERR_INVALID_ARG. */
int porch_events_tracks(const porch_events *ev, porch_track *out, size_t cap, size_t *n);

/* Frees; NULL is allowed. */
void porch_events_free(porch_events *ev);

#ifdef __cplusplus
}
#endif

#endif
