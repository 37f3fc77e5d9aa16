/*
 * trigger_analysis.c: the detection trigger, the analysis pipeline
 * (lib/analysis) behind the porch_trigger interface of the live hub.
 *
 * One per camera, used on the camera's thread. The camera's event (its
 * clip) runs while at least one analysis event is open; the open events'
 * ids are kept here, so two people arriving one after the other make one
 * clip whose reason is the first one's and whose labels name both.
 *
 * The grey motion frame is made here from the decoded picture exactly as
 * porch_source makes it for `analyze` (libswscale, area averaging, to
 * grey_width), not taken from the camera's point-sampled grey (384x288 for
 * a 768-wide source): motion decides when the detector runs, so the hub
 * and `analyze` see the same frames. On vtest.mp4 both give the same 398
 * detector runs and the same events (start, class, score, track).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "porchlight/error.h"
#include "porchlight/hub_trigger.h"
#include "porchlight/nanodet.h"
#include "hub/hub_internal.h"

#define COLOUR_MAX_W 1920           /* the detector letterboxes to 416; crops want source pixels */
#define THUMB_BETTER 0.05f          /* a score this much higher is a better key moment */

struct atrig {
    porch_analysis_config cfg;
    const porch_nn_model *model;
    unsigned n_threads;
    porch_detect_budget *budget;
    porch_analysis *a;              /* NULL until the first picture (its size) and after reset */
    int gw, gh;
    porch_analysis_result *res;     /* scratch, ~40 KB */
    struct SwsContext *sws;
    int sws_w, sws_h, sws_fmt;
    uint8_t *bgr;
    size_t bgr_cap;
    int bw, bh;
    uint32_t open[PORCH_EVENTS_MAX_ACTIVE]; /* ids of the open analysis events */
    size_t nopen;
    float best;                     /* best score shown by a thumbnail in this event */
    int64_t last_pts;
    int grey_width;
    struct SwsContext *gsws;
    uint8_t *grey;
    size_t grey_cap, grey_ls;
};

static int colour(struct atrig *t, const AVFrame *f, porch_analysis_image *img)
{
    int w = f->width > COLOUR_MAX_W ? COLOUR_MAX_W : f->width;
    int h = (int)lround((double)f->height * w / f->width);
    size_t need = (size_t)w * 3 * (size_t)h;
    uint8_t *d[4] = { NULL };
    int ls[4] = { w * 3 };

    if (w <= 0 || h <= 0)
        return PORCH_ERR_MEDIA;
    if (need > t->bgr_cap) {
        uint8_t *p = realloc(t->bgr, need);
        if (!p)
            return PORCH_ERR_NOMEM;
        t->bgr = p;
        t->bgr_cap = need;
    }
    t->sws = sws_getCachedContext(t->sws, f->width, f->height, (enum AVPixelFormat)f->format, w,
                                  h, AV_PIX_FMT_BGR24, SWS_BILINEAR, NULL, NULL, NULL);
    if (!t->sws)
        return PORCH_ERR_MEDIA;
    d[0] = t->bgr;
    if (sws_scale(t->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, d, ls) != h)
        return PORCH_ERR_MEDIA;
    *img = (porch_analysis_image){ t->bgr, (size_t)w * 3, w, h, PORCH_NANODET_BGR };
    return PORCH_OK;
}

/* The grey frame of f (grey_width wide, aspect kept) into t->grey. */
static int grey(struct atrig *t, const AVFrame *f, int *w, int *h)
{
    uint8_t *d[4] = { NULL };
    int ls[4] = { 0 };

    *w = t->grey_width;
    *h = f->width > 0 ? (int)(((int64_t)*w * f->height + f->width / 2) / f->width) : 0;
    if (*h < 16 || *h > PORCH_MOTION_MAX_DIM)
        return PORCH_ERR_MEDIA;
    t->grey_ls = ((size_t)*w + 63) & ~(size_t)63;
    if (t->grey_ls * (size_t)*h > t->grey_cap) {
        uint8_t *p = realloc(t->grey, t->grey_ls * (size_t)*h);
        if (!p)
            return PORCH_ERR_NOMEM;
        t->grey = p;
        t->grey_cap = t->grey_ls * (size_t)*h;
    }
    t->gsws = sws_getCachedContext(t->gsws, f->width, f->height, (enum AVPixelFormat)f->format,
                                   *w, *h, AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
    if (!t->gsws)
        return PORCH_ERR_MEDIA;
    d[0] = t->grey;
    ls[0] = (int)t->grey_ls;
    if (sws_scale(t->gsws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, d, ls) != *h)
        return PORCH_ERR_MEDIA;
    return PORCH_OK;
}

static int ensure_pipeline(struct atrig *t, int w, int h)
{
    if (t->a && w == t->gw && h == t->gh)
        return PORCH_OK;
    porch_analysis_free(t->a);
    t->a = NULL;
    t->nopen = 0;
    t->gw = w;
    t->gh = h;
    t->last_pts = INT64_MIN;
    return porch_analysis_new(&t->a, &t->cfg, t->model, t->n_threads, w, h);
}

/* Steps 1 and 2 of the pipeline; the detector's run holds a budget slot. */
static int analyse(struct atrig *t, const porch_trigger_input *in)
{
    porch_analysis_image img;
    /* The camera hands packet times in decode order; the pipeline wants
     * them increasing. */
    int64_t pts = in->pts_us > t->last_pts ? in->pts_us : t->last_pts + 1;
    int need = 0, err = porch_analysis_motion(t->a, t->grey, t->grey_ls, pts, &need);

    t->last_pts = pts;
    if (err != PORCH_OK)
        return err;
    if (!need)
        return porch_analysis_detect(t->a, NULL, t->res);
    porch__budget_acquire(t->budget);
    err = colour(t, in->picture, &img);
    err = porch_analysis_detect(t->a, err == PORCH_OK ? &img : NULL, t->res);
    porch__budget_release(t->budget);
    return err;
}

static uint16_t frac16(float v)
{
    long x = lroundf(65535.0f * v);
    return (uint16_t)(x < 0 ? 0 : x > 65535 ? 65535 : x);
}

static const porch_track *track_of(const porch_analysis_result *r, uint32_t id)
{
    for (size_t i = 0; i < r->ntracks; i++)
        if (r->tracks[i].id == id)
            return &r->tracks[i];
    return NULL;
}

static void label_of(const porch_track *tr, porch_trigger_result *out)
{
    out->has_label = 1;
    out->label.cls = tr->cls;
    out->label.score = frac16(tr->score);
    out->label.x = frac16(tr->x0);
    out->label.y = frac16(tr->y0);
    out->label.w = frac16(tr->x1 - tr->x0);
    out->label.h = frac16(tr->y1 - tr->y0);
    out->label.track_id = tr->id;
}

static void on_start(struct atrig *t, const porch_event *e, porch_trigger_result *out)
{
    const porch_track *tr = track_of(t->res, e->track_id);

    if (t->nopen == PORCH_EVENTS_MAX_ACTIVE)
        return;
    if (t->nopen++ == 0) {
        t->open[0] = e->event_id;
        out->state = PORCH_TRIGGER_STARTED;
        out->thumbnail = 1;
        t->best = e->max_score;
        snprintf(out->reason, sizeof out->reason, "%s", e->reason);
    } else {
        t->open[t->nopen - 1] = e->event_id;
    }
    if (tr)
        label_of(tr, out);
}

static void on_end(struct atrig *t, const porch_event *e, porch_trigger_result *out)
{
    for (size_t i = 0; i < t->nopen; i++) {
        if (t->open[i] != e->event_id)
            continue;
        t->open[i] = t->open[--t->nopen];
        if (t->nopen == 0)
            out->state = PORCH_TRIGGER_ENDED;
        return;
    }
}

/* While an event is open: a clearly better view of one of its tracks. */
static void better_view(struct atrig *t, porch_trigger_result *out)
{
    const porch_track *best = NULL;

    for (size_t i = 0; i < t->res->ntracks; i++) {
        const porch_track *tr = &t->res->tracks[i];
        if (tr->event_id && tr->misses == 0 && tr->score > t->best + THUMB_BETTER &&
            (!best || tr->score > best->score))
            best = tr;
    }
    if (!best)
        return;
    t->best = best->score;
    out->thumbnail = 1;
    label_of(best, out);
}

static void decide(struct atrig *t, porch_trigger_result *out)
{
    int was_open = t->nopen > 0;

    for (size_t i = 0; i < t->res->nevents; i++) {
        const porch_event *e = &t->res->events[i];
        if (e->kind == PORCH_EVENT_START)
            on_start(t, e, out);
        else
            on_end(t, e, out);
    }
    if (out->state == PORCH_TRIGGER_IDLE && t->nopen > 0) {
        out->state = PORCH_TRIGGER_ONGOING;
        if (was_open && !out->has_label)
            better_view(t, out);
    }
}

static int atrig_frame(void *self, const porch_trigger_input *in, porch_trigger_result *out)
{
    struct atrig *t = self;
    int w = 0, h = 0, err;

    if (!in || !in->picture)
        return PORCH_ERR_INVALID_ARG;
    if ((err = grey(t, in->picture, &w, &h)) != PORCH_OK ||
        (err = ensure_pipeline(t, w, h)) != PORCH_OK || (err = analyse(t, in)) != PORCH_OK)
        return err;
    decide(t, out);
    return PORCH_OK;
}

/* A new scene: the tracks and open events are forgotten with the pipeline. */
static void atrig_reset(void *self)
{
    struct atrig *t = self;

    porch_analysis_free(t->a);
    t->a = NULL;
    t->nopen = 0;
}

static void atrig_free(void *self)
{
    struct atrig *t = self;

    if (!t)
        return;
    porch_analysis_free(t->a);
    sws_freeContext(t->sws);
    sws_freeContext(t->gsws);
    free(t->grey);
    free(t->bgr);
    free(t->res);
    free(t);
}

static const porch_trigger_ops atrig_ops = { atrig_frame, atrig_reset, atrig_free };

int porch_analysis_trigger_new(porch_trigger *out, const porch_analysis_trigger_opts *o)
{
    struct atrig *t = NULL;
    int err;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !o || !o->cfg || !o->model || o->grey_width < 0 ||
        o->grey_width > PORCH_MOTION_MAX_DIM)
        return PORCH_ERR_INVALID_ARG;
    if ((err = porch_analysis_config_check(o->cfg)) != PORCH_OK)
        return err;
    if (!(t = calloc(1, sizeof *t)) || !(t->res = malloc(sizeof *t->res))) {
        atrig_free(t);
        return PORCH_ERR_NOMEM;
    }
    t->cfg = *o->cfg;
    t->model = o->model;
    t->n_threads = o->n_threads ? o->n_threads : 1;
    t->budget = o->budget;
    t->grey_width = o->grey_width ? o->grey_width : 320;
    out->ops = &atrig_ops;
    out->self = t;
    return PORCH_OK;
}
