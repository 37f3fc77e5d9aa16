/*
 * detect.c: step 2 of a frame: the detector on the whole colour picture or
 * a crop of it, detections back in normalised frame coordinates, then the
 * tracker and rules.
 */
#include <math.h>
#include <string.h>

#include "porchlight/analysis.h"
#include "porchlight/clip_meta.h"
#include "porchlight/error.h"
#include "porchlight/nanodet.h"
#include "analysis/analysis_internal.h"

static int image_valid(const porch_analysis_image *c)
{
    return c->pix != NULL && c->width >= 1 && c->height >= 1 && c->width <= 16384 &&
           c->height <= 16384 && c->stride >= (size_t)c->width * 3 &&
           (c->order == PORCH_NANODET_BGR || c->order == PORCH_NANODET_RGB);
}

static float clamp01(float v)
{
    return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
}

/* Crop rectangle in whole colour pixels, at least 1x1. */
typedef struct pix_rect {
    int x, y, w, h;
} pix_rect;

static pix_rect to_pixels(const porch__an_rect *r, int W, int H)
{
    pix_rect p;

    p.x = (int)floorf(r->x0 * (float)W);
    p.y = (int)floorf(r->y0 * (float)H);
    p.w = (int)ceilf(r->x1 * (float)W) - p.x;
    p.h = (int)ceilf(r->y1 * (float)H) - p.y;
    p.x = p.x < 0 ? 0 : p.x > W - 1 ? W - 1 : p.x;
    p.y = p.y < 0 ? 0 : p.y > H - 1 ? H - 1 : p.y;
    p.w = p.w < 1 ? 1 : p.w > W - p.x ? W - p.x : p.w;
    p.h = p.h < 1 ? 1 : p.h > H - p.y ? H - p.y : p.h;
    return p;
}

/* Runs nanodet on the pixels of r; detections land in a->dets, normalised. */
static int run_detector(porch_analysis *a, const porch_analysis_image *c, pix_rect r,
                        size_t *n)
{
    porch_nanodet_letterbox lb;
    const uint8_t *p = c->pix + (size_t)r.y * c->stride + (size_t)r.x * 3;
    const float *in[1] = { a->input };
    size_t nraw = 0;
    int err;

    *n = 0;
    err = porch_nanodet_preprocess(p, r.w, r.h, c->stride, c->order, a->input, &lb);
    if (err == PORCH_OK)
        err = porch_nn_run(a->nn, in, a->outputs);
    if (err == PORCH_OK)
        err = porch_nanodet_decode((const float *const *)a->outputs, &lb, a->cfg.detect_score,
                                   a->cfg.nms_iou, a->raw, PORCH_ANALYSIS_MAX_DETS, &nraw);
    if (err != PORCH_OK)
        return err;
    for (size_t i = 0; i < nraw; i++) {
        const porch_nanodet_det *d = &a->raw[i];
        porch_detection *o = &a->dets[i];
        o->x0 = clamp01((d->x0 + (float)r.x) / (float)c->width);
        o->y0 = clamp01((d->y0 + (float)r.y) / (float)c->height);
        o->x1 = clamp01((d->x1 + (float)r.x) / (float)c->width);
        o->y1 = clamp01((d->y1 + (float)r.y) / (float)c->height);
        o->score = clamp01(d->score);
        o->coco = d->cls;
    }
    *n = nraw;
    return PORCH_OK;
}

/* COCO index standing for an alert class when a track is carried. */
static int coco_of(int cls)
{
    return cls == PORCH_CLASS_PERSON ? 0 : cls == PORCH_CLASS_VEHICLE ? 2 : 16;
}

/* Share of box b inside rectangle r. */
static float inside(const porch_track *b, const porch__an_rect *r)
{
    float w = fminf(b->x1, r->x1) - fmaxf(b->x0, r->x0);
    float h = fminf(b->y1, r->y1) - fmaxf(b->y0, r->y0);
    float area = (b->x1 - b->x0) * (b->y1 - b->y0);
    return w > 0.0f && h > 0.0f && area > 0.0f ? w * h / area : 0.0f;
}

/*
 * A crop hides the rest of the frame, so tracks there would count misses
 * and be lost: a parked car would come back as a new track the next time
 * the detector sees it and alert as an arrival. Stationary or suppressed
 * tracks (the only ones that cannot alert without moving) that lie mostly
 * outside the crop are carried: their last box is fed again, which keeps
 * them in place. Moving tracks outside the crop are not: they may be false.
 * Returns the detections appended after a->dets[n].
 */
static size_t carry_tracks(porch_analysis *a, const porch__an_rect *crop, size_t n)
{
    size_t nt = 0, k = 0;

    if (porch_events_tracks(a->events, a->tracks, PORCH_EVENTS_MAX_TRACKS, &nt) != PORCH_OK)
        return 0;
    for (size_t i = 0; i < nt && n + k < sizeof a->dets / sizeof a->dets[0]; i++) {
        const porch_track *t = &a->tracks[i];
        if ((!t->stationary && !t->suppressed) || inside(t, crop) > 0.5f)
            continue;
        a->dets[n + k++] = (porch_detection){ t->x0, t->y0, t->x1, t->y1, t->score,
                                              coco_of(t->cls) };
    }
    return k;
}

/* The detector and the events stage for this frame, into out. */
static int detect_frame(porch_analysis *a, const porch_analysis_image *c,
                        porch_analysis_result *out)
{
    porch__an_rect crop = { 0.0f, 0.0f, 1.0f, 1.0f };
    size_t n = 0, carried = 0;
    int err;

    if (a->cfg.crop == PORCH_ANALYSIS_CROP_AUTO && a->why == PORCH_ANALYSIS_WHY_MOTION)
        out->cropped = porch__an_crop(&a->mres, a->grey_w, a->grey_h, c->width, c->height,
                                      a->cfg.crop_margin, a->cfg.crop_max_area, &crop);
    err = run_detector(a, c, to_pixels(&crop, c->width, c->height), &n);
    if (err != PORCH_OK)
        return err;
    out->crop_x0 = crop.x0;
    out->crop_y0 = crop.y0;
    out->crop_x1 = crop.x1;
    out->crop_y1 = crop.y1;
    memcpy(out->dets, a->dets, n * sizeof(a->dets[0]));
    out->ndets = n;
    if (out->cropped)
        carried = carry_tracks(a, &crop, n);
    out->detected = 1;
    out->why = a->why;
    a->last_detect_us = a->pts_us;
    a->detects++;
    return porch_events_update(a->events, a->pts_us, a->dets, n + carried, out->events,
                               PORCH_EVENTS_MAX_OUT, &out->nevents);
}

int porch_analysis_detect(porch_analysis *a, const porch_analysis_image *colour,
                          porch_analysis_result *out)
{
    int err = PORCH_OK;

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (a == NULL || out == NULL)
        return PORCH_ERR_INVALID_ARG;
    if (!a->pending)
        return PORCH_ERR_ANALYSIS_STATE;
    if (a->why != 0 && colour == NULL)
        return PORCH_ERR_ANALYSIS_STATE;
    if (a->why != 0 && !image_valid(colour))
        return PORCH_ERR_INVALID_ARG;
    a->pending = 0;
    out->pts_us = a->pts_us;
    out->frame = a->frames++;
    out->motion = a->mres;
    out->crop_x1 = out->crop_y1 = 1.0f;
    if (a->why != 0)
        err = detect_frame(a, colour, out);
    if (err != PORCH_OK)
        return err;
    return porch_events_tracks(a->events, out->tracks, PORCH_EVENTS_MAX_TRACKS, &out->ntracks);
}

int porch_analysis_flush(porch_analysis *a, porch_analysis_result *out)
{
    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (a == NULL || out == NULL)
        return PORCH_ERR_INVALID_ARG;
    out->pts_us = a->pts_us;
    out->frame = a->frames;
    a->pending = 0;
    return porch_events_flush(a->events, out->events, PORCH_EVENTS_MAX_OUT, &out->nevents);
}

const char *porch_analysis_zone_name(const porch_analysis *a, int zone)
{
    if (a == NULL || zone < 0 || zone >= a->cfg.nzones)
        return "";
    return a->cfg.zones[zone].name;
}

uint64_t porch_analysis_detect_count(const porch_analysis *a)
{
    return a != NULL ? a->detects : 0;
}

const char *porch_analysis_class_name(int cls)
{
    switch (cls) {
    case PORCH_CLASS_PERSON:
        return "person";
    case PORCH_CLASS_VEHICLE:
        return "vehicle";
    case PORCH_CLASS_ANIMAL:
        return "animal";
    default:
        return "?";
    }
}
