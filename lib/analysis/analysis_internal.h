/*
 * analysis_internal.h (internal): the analysis pipeline's state and the
 * helpers its files share.
 */
#ifndef PORCH_ANALYSIS_INTERNAL_H
#define PORCH_ANALYSIS_INTERNAL_H

#include "porchlight/analysis.h"
#include "porchlight/nanodet.h"

/* Value parsers of config.c (values.c). Each takes a NUL-terminated value
 * without surrounding blanks and returns PORCH_OK or PORCH_ERR_ANALYSIS_VALUE
 * (PORCH_ERR_TOO_LARGE for too many vertices); outputs are written only on
 * success. */
int porch__an_float(const char *s, float *out);
int porch__an_long(const char *s, long *out);
/* "x,y x,y x,y ..." in normalised coordinates, 3..PORCH_MOTION_MAX_VERTICES. */
int porch__an_polygon(const char *s, porch_motion_polygon *out);
/* "NAME: x,y x,y ..." */
int porch__an_zone(const char *s, porch_events_zone *out);
/* "CLASS[,CLASS...] [in ZONE] [score=S] [for=SEC] [cooldown=SEC]" */
int porch__an_rule(const char *s, porch_analysis_rule *out);

/* Zone index of name in cfg, PORCH_EVENTS_ZONE_ANY for "", -2 if unknown. */
int porch__an_zone_index(const porch_analysis_config *cfg, const char *name);
/* The events stage's configuration for cfg (rules resolved; an unknown zone
 * becomes an invalid index, which porch__ev_config_check rejects). */
void porch__an_events_config(const porch_analysis_config *cfg, porch_events_config *ev);
/* The motion stage's configuration for cfg and a w x h grey frame. */
void porch__an_motion_config(const porch_analysis_config *cfg, int w, int h,
                             porch_motion_config *m);

/* A crop rectangle in normalised coordinates. */
typedef struct porch__an_rect {
    float x0, y0, x1, y1;
} porch__an_rect;

/*
 * The crop for this frame's candidate regions (grey frame gw x gh, colour
 * picture cw x ch): their union, widened by margin on each side, grown to a
 * square in colour pixels of at least 416 (the network input: never scaled
 * up) or the shorter side if smaller, clamped
 * to the frame. Returns 1 and the crop if it covers at most max_area of the
 * frame, 0 (whole frame) otherwise or when there are no candidates.
 */
int porch__an_crop(const porch_motion_result *m, int gw, int gh, int cw, int ch,
                   float margin, float max_area, porch__an_rect *crop);

/* gate.c: copies into a->feed the detections of a->dets[0..n) the events
 * stage should see (and, on a crop, the carried tracks); returns how many. */
size_t porch__an_gate(porch_analysis *a, size_t n, const porch__an_rect *crop, int cropped);

struct porch_analysis {
    porch_analysis_config cfg;
    const porch_nn_model *model;
    porch_nn_session *nn;
    porch_motion *motion;
    porch_events *events;
    int grey_w, grey_h;
    float *input;                    /* PORCH_NANODET_INPUT_COUNT */
    float *outputs[6];               /* nanodet's heads, output order */
    porch_nanodet_det raw[PORCH_ANALYSIS_MAX_DETS];
    porch_detection dets[PORCH_ANALYSIS_MAX_DETS];    /* the detector's, reported */
    porch_detection feed[PORCH_ANALYSIS_MAX_DETS + PORCH_EVENTS_MAX_TRACKS]; /* to events */
    porch_track tracks[PORCH_EVENTS_MAX_TRACKS];                /* scratch */
    porch_motion_result mres;        /* step 1's result, for step 2 */
    int64_t pts_us, last_detect_us;  /* last_detect_us = INT64_MIN before the first */
    uint64_t frames, detects;
    int pending;                     /* step 1 done, step 2 due */
    int why;                         /* step 1's decision: PORCH_ANALYSIS_WHY_*, 0 = none */
    int started;
};

#endif
