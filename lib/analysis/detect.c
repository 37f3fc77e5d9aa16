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

/* The detector and the events stage for this frame, into out. */
static int detect_frame(porch_analysis *a, const porch_analysis_image *c,
                        porch_analysis_result *out)
{
    porch__an_rect crop = { 0.0f, 0.0f, 1.0f, 1.0f };
    size_t n = 0, nfeed;
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
    nfeed = porch__an_gate(a, n, &crop, out->cropped);
    out->detected = 1;
    out->why = a->why;
    a->last_detect_us = a->pts_us;
    a->detects++;
    return porch_events_update(a->events, a->pts_us, a->feed, nfeed, out->events,
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
