/*
 * porchlight/analysis.h: the per-camera analysis pipeline of the hub.
 *
 * Ties the three detection stages together: motion (motion.h) on every
 * frame, the NanoDet detector (nn.h, nanodet.h) only on frames where motion
 * has candidates or at a configured minimum rate, at most max_detect_fps
 * times a second, on a crop around the candidates when they are small, and
 * the tracker and event rules (events.h) on every detected frame. The live
 * hub and `porchlight-hub analyze` run exactly this code. Algorithm,
 * defaults and measurements: docs/DETECTION.md; configuration keys:
 * docs/API.md ("Analysis configuration").
 *
 * Two calls per frame, so the caller converts the colour picture only when
 * the detector will run (decode once, scale once per need):
 *
 *   porch_analysis_config cfg;
 *   porch_analysis_config_default(&cfg);
 *   porch_analysis_config_parse(&cfg, text, len, &line);   // optional
 *   porch_analysis_new(&a, &cfg, model, 1, 320, 180);      // model shared, read-only
 *   for each decoded frame:
 *       porch_analysis_motion(a, grey, grey_stride, pts_us, &need_colour);
 *       porch_analysis_detect(a, need_colour ? &colour : NULL, result);
 *   porch_analysis_flush(a, result);                         // end of stream
 *   porch_analysis_free(a);
 *
 * A porch_analysis object is per camera and not thread-safe; cameras run in
 * parallel with one object each, sharing one porch_nn_model (immutable).
 * The object owns one porch_nn_session with the thread count the hub
 * budgets. Everything is allocated in porch_analysis_new(); the per-frame
 * calls do not allocate (nanodet's bounded decoding aside).
 */
#ifndef PORCHLIGHT_ANALYSIS_H
#define PORCHLIGHT_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/events.h"
#include "porchlight/motion.h"
#include "porchlight/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_ANALYSIS_MAX_DETS 100     /* detections reported per frame */
#define PORCH_ANALYSIS_MAX_ZONES PORCH_EVENTS_MAX_ZONES
#define PORCH_ANALYSIS_MAX_RULES PORCH_EVENTS_MAX_RULES
#define PORCH_ANALYSIS_MAX_TEXT (1u << 20) /* bytes of configuration text parsed */
#define PORCH_ANALYSIS_MAX_LINE 1024    /* bytes of one configuration line */

/* Crop policy (porch_analysis_config.crop). */
enum porch_analysis_crop {
    PORCH_ANALYSIS_CROP_OFF = 0,    /* the detector always sees the whole frame */
    PORCH_ANALYSIS_CROP_AUTO = 1    /* a crop around the candidates when they are small */
};

/* An alert rule as configured: classes, a zone by name, and per-rule
 * overrides (negative = the camera-wide value). */
typedef struct porch_analysis_rule {
    unsigned classes;               /* PORCH_EVENTS_CLASS_BIT mask */
    char zone[PORCH_EVENTS_ZONE_NAME]; /* "" = anywhere */
    float min_score, min_seconds, cooldown_seconds; /* < 0: camera default */
} porch_analysis_rule;

typedef struct porch_analysis_config {
    /* Zones (where events count, named) and masks (where motion is ignored). */
    int nzones;
    porch_events_zone zones[PORCH_ANALYSIS_MAX_ZONES];
    int nmasks;
    porch_motion_polygon masks[PORCH_MOTION_MAX_ZONES];
    /* Alert rules; none = one rule: every alert class, anywhere. */
    int nrules;
    porch_analysis_rule rules[PORCH_ANALYSIS_MAX_RULES];
    /* Camera-wide rule defaults. */
    float min_score;                /* 0..1 */
    float min_seconds;              /* persistence, 0..3600 */
    int min_hits;                   /* confident detections within that time, 1..1000 */
    float cooldown_seconds;         /* 0..86400 */
    /* Detector */
    float detect_score;             /* decoding threshold, 0..1 (<= min_score to be useful) */
    float nms_iou;                  /* per-class NMS, (0,1] */
    float max_detect_fps;           /* cap on detector runs per second, (0, 1000] */
    float min_detect_fps;           /* detector runs at least this often, 0 = only on motion */
    int crop;                       /* enum porch_analysis_crop */
    float crop_max_area;            /* AUTO: crop only when it covers at most this share of the frame */
    float crop_margin;              /* AUTO: context around the candidates' union, in its own sizes */
    int motion_gate;                /* 1: a detection starts a track only on a motion candidate */
    /* Motion */
    int motion_sensitivity;         /* 1..10 */
    int motion_min_area;            /* pixels of the grey frame, 0 = motion's default */
    /* Tracker and events (events.h) */
    float iou_min, match_dist;
    int max_misses;
    float stationary_dist, stationary_size, stationary_seconds, parked_memory_seconds;
    float post_roll_seconds;
} porch_analysis_config;

/* A packed 8-bit 3-channel picture (the detector's input). */
typedef struct porch_analysis_image {
    const uint8_t *pix;
    size_t stride;                  /* bytes between rows, >= 3 * width */
    int width, height;
    int order;                      /* PORCH_NANODET_BGR or PORCH_NANODET_RGB */
} porch_analysis_image;

/* Result of one frame. Large (~40 KB): allocate it once and reuse it. */
typedef struct porch_analysis_result {
    int64_t pts_us;
    uint64_t frame;                 /* frames analysed before this one */
    porch_motion_result motion;     /* regions, in grey-frame pixels */
    int detected;                   /* 1 if the detector ran on this frame */
    int why;                        /* PORCH_ANALYSIS_WHY_*: why it ran (0 = it did not) */
    int cropped;                    /* 1 if it ran on a crop */
    float crop_x0, crop_y0, crop_x1, crop_y1; /* the crop, normalised (whole frame if not) */
    size_t ndets;
    porch_detection dets[PORCH_ANALYSIS_MAX_DETS]; /* every class above detect_score, normalised */
    size_t ntracks;
    porch_track tracks[PORCH_EVENTS_MAX_TRACKS];
    size_t nevents;                 /* events started or ended on this frame */
    porch_event events[PORCH_EVENTS_MAX_OUT];
} porch_analysis_result;

#define PORCH_ANALYSIS_WHY_MOTION 1     /* motion candidates */
#define PORCH_ANALYSIS_WHY_MIN_RATE 2   /* min_detect_fps was due */
#define PORCH_ANALYSIS_WHY_TRACKS 3     /* live tracks to follow */

typedef struct porch_analysis porch_analysis;

/* Fills cfg with the defaults (docs/DETECTION.md). */
void porch_analysis_config_default(porch_analysis_config *cfg);

/*
 * Applies one `key = value` setting (key and value without surrounding
 * blanks, NUL-terminated). The keys: docs/API.md. Rules that name a zone are
 * resolved in porch_analysis_config_check(), so lines may come in any order.
 * On error cfg is unchanged.
 * Errors: PORCH_ERR_ANALYSIS_KEY (not an analysis key: the hub tries its
 * own), PORCH_ERR_ANALYSIS_VALUE (bad value), PORCH_ERR_TOO_LARGE (more
 * zones, masks or rules than the caps), PORCH_ERR_INVALID_ARG (NULL).
 */
int porch_analysis_config_set(porch_analysis_config *cfg, const char *key, const char *value);

/*
 * Parses text (len bytes, at most PORCH_ANALYSIS_MAX_TEXT) of `key = value`
 * lines: blank lines and lines starting with '#' or ';' are skipped; a
 * `[section]` line that follows settings or another section line ends the
 * parse (only the first block of settings is read); every other line goes
 * to porch_analysis_config_set(). Then checks the
 * result. *err_line receives the 1-based line of the first error (0 if
 * none or not a line's fault). On error cfg may hold the lines before it.
 * Errors: those of _set() and _check(), PORCH_ERR_TOO_LARGE (text or a
 * line too long), PORCH_ERR_ANALYSIS_VALUE (a line without '=', a NUL).
 */
int porch_analysis_config_parse(porch_analysis_config *cfg, const char *text, size_t len,
                                int *err_line);

/*
 * Checks the whole configuration: every value in range, every rule's zone
 * defined. Errors: PORCH_ERR_ANALYSIS_ZONE (a rule names an unknown zone),
 * PORCH_ERR_ANALYSIS_VALUE (a value out of range), PORCH_ERR_INVALID_ARG.
 */
int porch_analysis_config_check(const porch_analysis_config *cfg);

/*
 * Creates the pipeline of one camera whose motion frames are grey_w x
 * grey_h. model is a loaded nanodet (porch_nn_model_load of nanodet.json),
 * not owned, shared read-only: it must outlive the object. n_threads is the
 * detector's thread count (0 = 1). On success *out is owned by the caller
 * and freed with porch_analysis_free().
 * Errors: those of _check(), PORCH_ERR_INVALID_ARG (NULL, sizes outside
 * motion's limits, a model whose inputs and outputs are not nanodet's),
 * PORCH_ERR_NOMEM, and the errors of porch_motion_new, porch_events_new,
 * porch_nn_session_new.
 */
int porch_analysis_new(porch_analysis **out, const porch_analysis_config *cfg,
                       const porch_nn_model *model, unsigned n_threads, int grey_w, int grey_h);

/*
 * Step 1 of a frame: runs motion on the grey frame (grey_w x grey_h bytes,
 * rows stride apart) and decides whether the detector runs on it; *need_colour
 * is set to 1 if so (the caller then passes the colour picture to
 * porch_analysis_detect()). pts_us must increase.
 * Errors: PORCH_ERR_INVALID_ARG, PORCH_ERR_ANALYSIS_STATE (step 2 of the
 * previous frame missing), motion's errors.
 */
int porch_analysis_motion(porch_analysis *a, const uint8_t *grey, size_t stride,
                          int64_t pts_us, int *need_colour);

/*
 * Step 2: runs the detector on colour (the same picture as the grey frame,
 * at any size; NULL allowed when need_colour was 0), feeds the tracker and
 * the rules, and fills *out (zeroed on entry).
 * Errors: PORCH_ERR_INVALID_ARG, PORCH_ERR_ANALYSIS_STATE (no step 1, or
 * colour missing when it was needed), the detector's and events' errors.
 */
int porch_analysis_detect(porch_analysis *a, const porch_analysis_image *colour,
                          porch_analysis_result *out);

/* End of stream: ends every open event into *out (zeroed on entry; only
 * events and nevents are set). Errors: PORCH_ERR_INVALID_ARG. */
int porch_analysis_flush(porch_analysis *a, porch_analysis_result *out);

/* Zone name of an event's zone index ("" for anywhere or out of range). */
const char *porch_analysis_zone_name(const porch_analysis *a, int zone);

/* Detector runs so far (for cost accounting). */
uint64_t porch_analysis_detect_count(const porch_analysis *a);

/* Frees; NULL is allowed. */
void porch_analysis_free(porch_analysis *a);

/* Name of an alert class ("person", "vehicle", "animal"; "?" otherwise). */
const char *porch_analysis_class_name(int cls);

#ifdef __cplusplus
}
#endif

#endif
