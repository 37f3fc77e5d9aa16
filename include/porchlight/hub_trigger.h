/*
 * porchlight/hub_trigger.h: what decides that an event starts and ends.
 *
 * The camera thread hands every decoded analysis picture to a trigger and
 * gets back a state change. Two implementations: the analysis pipeline
 * (porchlight/analysis.h: motion, NanoDet, tracker and rules; the hub's
 * default, `trigger = detect`) and the frame-difference trigger
 * (`trigger = motion-diff`).
 *
 *   IDLE ──STARTED──► (ONGOING)* ──ENDED──► IDLE
 *
 * STARTED carries the reason (recorded in the clip); `thumbnail` marks the
 * picture as the event's key moment so far (the hub JPEG-encodes it); a
 * result may carry one label for the clip's metadata. Post-roll is the
 * recorder's business, not the trigger's.
 */
#ifndef PORCHLIGHT_HUB_TRIGGER_H
#define PORCHLIGHT_HUB_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/analysis.h"
#include "porchlight/clip_meta.h"
#include "porchlight/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

struct AVFrame;

typedef enum porch_trigger_state {
    PORCH_TRIGGER_IDLE = 0,     /* no event */
    PORCH_TRIGGER_STARTED = 1,  /* an event starts at this picture */
    PORCH_TRIGGER_ONGOING = 2,  /* the event goes on */
    PORCH_TRIGGER_ENDED = 3     /* the event ended at this picture */
} porch_trigger_state;

/* One analysis picture: 8-bit grey (luma) at analysis size, plus the
 * decoded picture it came from (any pixel format; for colour analysers and
 * for the thumbnail). Pointers are valid only during the call. The live hub
 * leaves grey NULL (stride, width, height 0) for its built-in detect
 * trigger, which makes its own grey frame (this one cost about 3% of a
 * 720p decode per picture). */
typedef struct porch_trigger_input {
    const uint8_t *grey;
    size_t stride;
    int width, height;
    const struct AVFrame *picture;
    int64_t pts_us;             /* stream time, microseconds */
    uint64_t index;             /* 0-based picture index on this camera */
} porch_trigger_input;

typedef struct porch_trigger_result {
    porch_trigger_state state;
    char reason[PORCH_META_MAX_REASON + 1]; /* set with STARTED (may refine later) */
    int thumbnail;              /* 1: this picture is the best key moment so far */
    int has_label;
    porch_label label;          /* t_ms is filled by the recorder */
} porch_trigger_result;

typedef struct porch_trigger_ops {
    /* Analyses one picture; *out is zeroed by the caller. */
    int (*frame)(void *self, const porch_trigger_input *in, porch_trigger_result *out);
    /* Forgets the scene (after a reconnect or a timestamp jump). */
    void (*reset)(void *self);
    void (*free)(void *self);
} porch_trigger_ops;

typedef struct porch_trigger {
    const porch_trigger_ops *ops;
    void *self;
} porch_trigger;

typedef struct porch_diff_trigger_opts {
    double threshold;           /* grey step that counts as changed (default 25) */
    double fraction;            /* changed fraction that is motion (default 0.01) */
    int64_t quiet_us;           /* no motion this long ends the event (default 1 s) */
} porch_diff_trigger_opts;

/*
 * The interim trigger: a picture is "motion" when more than `fraction` of
 * its pixels differ from the previous picture by more than `threshold`.
 * Ownership: out->self is allocated here, released with porch_trigger_free().
 */
int porch_diff_trigger_new(porch_trigger *out, const porch_diff_trigger_opts *opts);

/*
 * The hub's detector budget: at most `runs` detector runs in flight at once
 * across every camera that shares it (a camera's thread waits for a slot),
 * so the cameras together never use more detector threads than the hub
 * grants. Thread-safe. Ownership: *out, porch_detect_budget_free().
 * Errors: PORCH_ERR_INVALID_ARG (runs 0), PORCH_ERR_NOMEM.
 */
typedef struct porch_detect_budget porch_detect_budget;
int porch_detect_budget_new(porch_detect_budget **out, unsigned runs);
/* NULL-safe; no run may be in flight. */
void porch_detect_budget_free(porch_detect_budget *b);

typedef struct porch_analysis_trigger_opts {
    const porch_analysis_config *cfg;   /* copied; checked */
    const porch_nn_model *model;        /* nanodet; borrowed, shared read-only, outlives the trigger */
    unsigned n_threads;                 /* this camera's detector threads (0 = 1) */
    porch_detect_budget *budget;        /* borrowed, may be NULL (no limit across cameras) */
    int grey_width;                     /* motion frame width (0 = 320), as porch_source's */
} porch_analysis_trigger_opts;

/*
 * The detection trigger: the analysis pipeline on every picture (its own
 * grey frame of in->picture for motion, made as porch_source makes it, so
 * the hub and `analyze` see the same frames; the picture converted to BGR
 * only when the detector runs; in->grey is not used). The
 * camera's event runs while at least one analysis event is open: STARTED
 * with the first one's reason ("person in zone 'porch' for 1.0 s (score
 * 0.71, track 3)") and a label (class, score, box, track), each further
 * event's start a label, a better score a new thumbnail, ENDED when the
 * last one ends. The pipeline is created at the first picture's size and
 * again after reset(). Ownership: out->self, porch_trigger_free().
 * Errors: PORCH_ERR_INVALID_ARG (NULL, no model), porch_analysis_config_check's
 * errors, PORCH_ERR_NOMEM.
 */
int porch_analysis_trigger_new(porch_trigger *out, const porch_analysis_trigger_opts *o);

/* Calls ops->free; leaves *t zeroed; NULL-safe. */
void porch_trigger_free(porch_trigger *t);

#ifdef __cplusplus
}
#endif

#endif
