/*
 * nanodet_decode.c: NanoDet v0.x GFL head decoding (GFLHead.get_bboxes
 * with reg_max 10) and per-class non-maximum suppression.
 * For cell i of the stride-s grid (W = 416 / s): centre ((i % W) + 0.5) s,
 * ((i / W) + 0.5) s; side distance = s x E[softmax(11 logits)]; box clipped
 * to the input, then mapped back through the letterbox.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/nanodet.h"

#define REG 11
#define MAX_CAND 4096 /* candidates kept before NMS (upstream: 1000 per level) */

static float expect(const float *logit)
{
    float mx = logit[0], sum = 0, acc = 0;
    for (int k = 1; k < REG; k++)
        mx = logit[k] > mx ? logit[k] : mx;
    for (int k = 0; k < REG; k++) {
        float e = expf(logit[k] - mx);
        sum += e;
        acc += e * (float)k;
    }
    return acc / sum;
}

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Network-input box -> source pixels. */
static void unletterbox(const porch_nanodet_letterbox *lb, porch_nanodet_det *d)
{
    float sx = (float)lb->src_w / (float)lb->w, sy = (float)lb->src_h / (float)lb->h;
    d->x0 = clampf((d->x0 - (float)lb->left) * sx, 0, (float)lb->src_w);
    d->x1 = clampf((d->x1 - (float)lb->left) * sx, 0, (float)lb->src_w);
    d->y0 = clampf((d->y0 - (float)lb->top) * sy, 0, (float)lb->src_h);
    d->y1 = clampf((d->y1 - (float)lb->top) * sy, 0, (float)lb->src_h);
}

static size_t level(const float *cls, const float *reg, int stride, float thr,
                    porch_nanodet_det *cand, size_t n, size_t cap)
{
    int W = PORCH_NANODET_SIZE / stride;
    for (int i = 0; i < W * W; i++) {
        const float *sc = cls + (size_t)i * PORCH_NANODET_CLASSES;
        float cx = ((float)(i % W) + 0.5f) * (float)stride, cy = ((float)(i / W) + 0.5f) * (float)stride;
        float d[4] = { -1, 0, 0, 0 };
        for (int c = 0; c < PORCH_NANODET_CLASSES && n < cap; c++) {
            if (!(sc[c] > thr))
                continue;
            if (d[0] < 0)
                for (int s = 0; s < 4; s++)
                    d[s] = (float)stride * expect(reg + (size_t)i * 4 * REG + (size_t)s * REG);
            porch_nanodet_det *o = &cand[n++];
            o->x0 = clampf(cx - d[0], 0, PORCH_NANODET_SIZE);
            o->y0 = clampf(cy - d[1], 0, PORCH_NANODET_SIZE);
            o->x1 = clampf(cx + d[2], 0, PORCH_NANODET_SIZE);
            o->y1 = clampf(cy + d[3], 0, PORCH_NANODET_SIZE);
            o->score = sc[c];
            o->cls = c;
        }
    }
    return n;
}

static int by_score(const void *a, const void *b)
{
    float x = ((const porch_nanodet_det *)a)->score, y = ((const porch_nanodet_det *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

static float iou(const porch_nanodet_det *a, const porch_nanodet_det *b)
{
    float w = fminf(a->x1, b->x1) - fmaxf(a->x0, b->x0), h = fminf(a->y1, b->y1) - fmaxf(a->y0, b->y0);
    if (w <= 0 || h <= 0)
        return 0;
    float inter = w * h;
    float u = (a->x1 - a->x0) * (a->y1 - a->y0) + (b->x1 - b->x0) * (b->y1 - b->y0) - inter;
    return u > 0 ? inter / u : 0;
}

/* Greedy per-class NMS over score-sorted candidates. */
static size_t nms(porch_nanodet_det *c, size_t n, float thr, porch_nanodet_det *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < cap; i++) {
        int keep = 1;
        for (size_t j = 0; j < k && keep; j++)
            keep = !(out[j].cls == c[i].cls && iou(&out[j], &c[i]) > thr);
        if (keep)
            out[k++] = c[i];
    }
    return k;
}

/* The candidate list is allocated and freed here (at most MAX_CAND entries). */
int porch_nanodet_decode(const float *const *outputs, const porch_nanodet_letterbox *lb,
                         float score_thr, float iou_thr, porch_nanodet_det *dets, size_t cap,
                         size_t *n)
{
    if (n)
        *n = 0;
    if (!outputs || !lb || !dets || !n || lb->w < 1 || lb->h < 1)
        return PORCH_ERR_INVALID_ARG;
    for (int i = 0; i < 6; i++)
        if (!outputs[i])
            return PORCH_ERR_INVALID_ARG;
    porch_nanodet_det *cand = malloc(sizeof *cand * MAX_CAND);
    if (!cand)
        return PORCH_ERR_NOMEM;
    size_t m = 0;
    static const int strides[3] = { 8, 16, 32 };
    for (int l = 0; l < 3; l++)
        m = level(outputs[l], outputs[3 + l], strides[l], score_thr, cand, m, MAX_CAND);
    qsort(cand, m, sizeof *cand, by_score);
    *n = nms(cand, m, iou_thr, dets, cap);
    for (size_t i = 0; i < *n; i++)
        unletterbox(lb, &dets[i]);
    free(cand);
    return PORCH_OK;
}

const char *porch_coco_label(int cls)
{
    static const char *const names[PORCH_NANODET_CLASSES] = {
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat",
        "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
        "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball",
        "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
        "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
        "couch", "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse",
        "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
        "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
        "toothbrush",
    };
    return cls >= 0 && cls < PORCH_NANODET_CLASSES ? names[cls] : "?";
}
