/*
 * analysis.c: one camera's pipeline: motion on every frame, the detector
 * when motion (or the minimum rate, or a moving track) asks for it and the
 * rate cap allows, the tracker and rules on every detected frame.
 *
 * Invariants: pending is 1 exactly between a successful step 1 and its
 * step 2; why is step 1's decision for that frame. The events stage sees
 * only detected frames, so its miss counts are in detector runs.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/analysis.h"
#include "porchlight/error.h"
#include "porchlight/nanodet.h"
#include "analysis/analysis_internal.h"

/* Cells per stride-8/16/32 level, and channels of the score and box heads. */
static const size_t level_cells[3] = { 52 * 52, 26 * 26, 13 * 13 };

static int check_model(const porch_nn_model *m)
{
    porch_nn_tensor_info ti;

    if (porch_nn_model_n_inputs(m) != 1 || porch_nn_model_n_outputs(m) != 6)
        return PORCH_ERR_INVALID_ARG;
    if (porch_nn_model_input(m, 0, &ti) != PORCH_OK || ti.count != PORCH_NANODET_INPUT_COUNT)
        return PORCH_ERR_INVALID_ARG;
    for (size_t i = 0; i < 6; i++) {
        size_t want = level_cells[i % 3] * (i < 3 ? PORCH_NANODET_CLASSES : 44);
        if (porch_nn_model_output(m, i, &ti) != PORCH_OK || ti.count != want)
            return PORCH_ERR_INVALID_ARG;
    }
    return PORCH_OK;
}

static int alloc_buffers(porch_analysis *a)
{
    porch_nn_tensor_info ti;

    a->input = malloc(sizeof(float) * PORCH_NANODET_INPUT_COUNT);
    if (a->input == NULL)
        return PORCH_ERR_NOMEM;
    for (size_t i = 0; i < 6; i++) {
        if (porch_nn_model_output(a->model, i, &ti) != PORCH_OK)
            return PORCH_ERR_INVALID_ARG;
        a->outputs[i] = malloc(sizeof(float) * ti.count);
        if (a->outputs[i] == NULL)
            return PORCH_ERR_NOMEM;
    }
    return PORCH_OK;
}

static int make_stages(porch_analysis *a, unsigned n_threads)
{
    porch_motion_config mc;
    porch_events_config ec;
    int err;

    porch__an_motion_config(&a->cfg, a->grey_w, a->grey_h, &mc);
    err = porch_motion_new(&a->motion, &mc);
    if (err != PORCH_OK)
        return err;
    porch__an_events_config(&a->cfg, &ec);
    err = porch_events_new(&a->events, &ec);
    if (err != PORCH_OK)
        return err;
    return porch_nn_session_new(&a->nn, a->model, n_threads == 0 ? 1 : n_threads);
}

int porch_analysis_new(porch_analysis **out, const porch_analysis_config *cfg,
                       const porch_nn_model *model, unsigned n_threads, int grey_w, int grey_h)
{
    porch_analysis *a = NULL;
    int err;

    if (out != NULL)
        *out = NULL;
    if (out == NULL || cfg == NULL || model == NULL)
        return PORCH_ERR_INVALID_ARG;
    err = porch_analysis_config_check(cfg);
    if (err != PORCH_OK)
        return err;
    err = check_model(model);
    if (err != PORCH_OK)
        return err;
    a = calloc(1, sizeof(*a));
    if (a == NULL)
        return PORCH_ERR_NOMEM;
    a->cfg = *cfg;
    a->model = model;
    a->grey_w = grey_w;
    a->grey_h = grey_h;
    a->last_detect_us = INT64_MIN;
    a->pts_us = INT64_MIN;
    err = alloc_buffers(a);
    if (err == PORCH_OK)
        err = make_stages(a, n_threads);
    if (err != PORCH_OK)
        goto out;
    *out = a;
    a = NULL;
out:
    porch_analysis_free(a);
    return err;
}

void porch_analysis_free(porch_analysis *a)
{
    if (a == NULL)
        return;
    porch_nn_session_free(a->nn);
    porch_motion_free(a->motion);
    porch_events_free(a->events);
    free(a->input);
    for (size_t i = 0; i < 6; i++)
        free(a->outputs[i]);
    free(a);
}

/* 1 if some live track is neither stationary nor suppressed: worth following. */
static int moving_tracks(const porch_analysis *a)
{
    porch_track t[PORCH_EVENTS_MAX_TRACKS];
    size_t n = 0;

    if (porch_events_tracks(a->events, t, PORCH_EVENTS_MAX_TRACKS, &n) != PORCH_OK)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!t[i].stationary && !t[i].suppressed)
            return 1;
    return 0;
}

/* Microseconds since the last detector run reach interval (1 ms slack for pts rounding). */
static int due(const porch_analysis *a, int64_t pts_us, float fps)
{
    if (a->last_detect_us == INT64_MIN)
        return 1;
    return (double)(pts_us - a->last_detect_us) + 1000.0 >= 1e6 / (double)fps;
}

/* Step 1's decision: why the detector should run on this frame (0 = not). */
static int decide(const porch_analysis *a, int64_t pts_us)
{
    int why = 0;

    if (a->mres.ncandidates > 0)
        why = PORCH_ANALYSIS_WHY_MOTION;
    else if (moving_tracks(a))
        why = PORCH_ANALYSIS_WHY_TRACKS;
    else if (a->cfg.min_detect_fps > 0.0f && due(a, pts_us, a->cfg.min_detect_fps))
        why = PORCH_ANALYSIS_WHY_MIN_RATE;
    if (why != 0 && !due(a, pts_us, a->cfg.max_detect_fps))
        why = 0;
    return why;
}

int porch_analysis_motion(porch_analysis *a, const uint8_t *grey, size_t stride,
                          int64_t pts_us, int *need_colour)
{
    int err;

    if (need_colour != NULL)
        *need_colour = 0;
    if (a == NULL || grey == NULL || need_colour == NULL)
        return PORCH_ERR_INVALID_ARG;
    if (a->pending)
        return PORCH_ERR_ANALYSIS_STATE;
    if (a->started && pts_us <= a->pts_us)
        return PORCH_ERR_INVALID_ARG;
    err = porch_motion_process(a->motion, grey, stride, pts_us, &a->mres);
    if (err != PORCH_OK)
        return err;
    a->started = 1;
    a->pts_us = pts_us;
    a->why = decide(a, pts_us);
    a->pending = 1;
    *need_colour = a->why != 0;
    return PORCH_OK;
}
