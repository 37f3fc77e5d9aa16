/*
 * events.c: the public entry points of the event stage. Each frame runs
 * intake (detsel.c), association (tracker.c) and rules (rules.c), in that
 * order; all state is in one allocation made by porch_events_new().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "events/events_internal.h"

#define PTS_LIMIT ((int64_t)1 << 61) /* about 73,000 years in microseconds */

static int64_t to_us(float seconds)
{
    /* config.c bounds every duration to a day, far inside int64. */
    return (int64_t)llround((double)seconds * 1e6);
}

static void reset_analysis(porch_events *ev)
{
    porch__ev_tracks_reset(ev);
    memset(ev->act, 0, sizeof(ev->act));
    memset(ev->parked, 0, sizeof(ev->parked));
    ev->started = 0;
    ev->start_us = 0;
}

/* Ownership: on success *out is owned by the caller, released with
 * porch_events_free(); on error *out is NULL and nothing is held. */
int porch_events_new(porch_events **out, const porch_events_config *cfg)
{
    porch_events *ev = NULL;
    int err;

    if (out != NULL)
        *out = NULL;
    if (out == NULL || cfg == NULL)
        return PORCH_ERR_INVALID_ARG;
    err = porch__ev_config_check(cfg);
    if (err != PORCH_OK)
        goto out;
    ev = calloc(1, sizeof(*ev));
    if (ev == NULL) {
        err = PORCH_ERR_NOMEM;
        goto out;
    }
    ev->cfg = *cfg;
    for (int k = 0; k < cfg->nrules; k++) {
        ev->min_us[k] = to_us(cfg->rules[k].min_seconds);
        ev->cooldown_us[k] = to_us(cfg->rules[k].cooldown_seconds);
    }
    ev->stationary_us = to_us(cfg->stationary_seconds);
    ev->post_roll_us = to_us(cfg->post_roll_seconds);
    ev->parked_us = to_us(cfg->parked_memory_seconds);
    ev->next_track_id = 1;
    ev->next_event_id = 1;
    reset_analysis(ev);
    *out = ev;
    ev = NULL;
out:
    porch_events_free(ev);
    return err;
}

int porch_events_update(porch_events *ev, int64_t pts_us, const porch_detection *dets,
                        size_t n, porch_event *out, size_t cap, size_t *n_out)
{
    int err;

    if (n_out != NULL)
        *n_out = 0;
    if (ev == NULL || out == NULL || n_out == NULL || cap < PORCH_EVENTS_MAX_OUT ||
        (dets == NULL && n > 0))
        return PORCH_ERR_INVALID_ARG;
    /* Backwards time would break every duration; the bound keeps all pts
     * differences and pts + duration sums far from int64 overflow. */
    if ((ev->started && pts_us < ev->last_pts) || pts_us < -PTS_LIMIT || pts_us > PTS_LIMIT)
        return PORCH_ERR_INVALID_ARG;
    err = porch__ev_select(ev, dets, n);
    if (err != PORCH_OK)
        return err;
    if (!ev->started) {
        ev->started = 1;
        ev->start_us = pts_us;
    }
    ev->last_pts = pts_us;
    porch__ev_track_frame(ev, pts_us);
    *n_out = porch__ev_rules_frame(ev, pts_us, out);
    return PORCH_OK;
}

int porch_events_flush(porch_events *ev, porch_event *out, size_t cap, size_t *n_out)
{
    if (n_out != NULL)
        *n_out = 0;
    if (ev == NULL || out == NULL || n_out == NULL || cap < PORCH_EVENTS_MAX_OUT)
        return PORCH_ERR_INVALID_ARG;
    *n_out = porch__ev_end_all(ev, out);
    reset_analysis(ev);
    return PORCH_OK;
}

int porch_events_tracks(const porch_events *ev, porch_track *out, size_t cap, size_t *n)
{
    if (n != NULL)
        *n = 0;
    if (ev == NULL || n == NULL || (out == NULL && cap > 0))
        return PORCH_ERR_INVALID_ARG;
    /* Insertion by id: the cap keeps the oldest tracks (ids grow with birth). */
    size_t m = 0;
    for (int s = 0; s < PORCH_EVENTS_MAX_TRACKS && cap > 0; s++) {
        porch_track p = ev->t[s].pub;
        if (p.id == 0 || (m == cap && out[m - 1].id < p.id))
            continue;
        size_t j = m < cap ? m++ : m - 1;
        for (; j > 0 && out[j - 1].id > p.id; j--)
            out[j] = out[j - 1];
        out[j] = p;
    }
    *n = m;
    return PORCH_OK;
}

void porch_events_free(porch_events *ev)
{
    free(ev);
}
