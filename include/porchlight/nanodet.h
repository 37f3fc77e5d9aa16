/*
 * porchlight/nanodet.h: the NanoDet-g detector's pre- and post-processing
 * around porch_nn_run (ML-MODELS.md §4.1).
 *
 *   porch_nanodet_letterbox lb;
 *   porch_nanodet_preprocess(bgr, w, h, stride, PORCH_NANODET_BGR, input, &lb);
 *   porch_nn_run(session, (const float *[]){ input }, outputs);   // 6 outputs, name order
 *   porch_nanodet_decode((const float *const *)outputs, &lb, 0.35f, 0.6f, dets, 100, &n);
 *
 * Boxes come back in source-image pixels. Nothing here allocates except
 * porch_nanodet_decode's bounded candidate list.
 */
#ifndef PORCHLIGHT_NANODET_H
#define PORCHLIGHT_NANODET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_NANODET_SIZE 416
#define PORCH_NANODET_CLASSES 80
/* floats of the network input: NCHW [1,3,416,416] */
#define PORCH_NANODET_INPUT_COUNT (3 * PORCH_NANODET_SIZE * PORCH_NANODET_SIZE)

enum porch_nanodet_order { PORCH_NANODET_BGR = 0, PORCH_NANODET_RGB = 1 };

/* Where the source image sits in the 416x416 network input. */
typedef struct porch_nanodet_letterbox {
    int src_w, src_h;    /* source image size */
    int left, top;       /* offset of the scaled image */
    int w, h;            /* scaled size: round(src * scale) */
} porch_nanodet_letterbox;

typedef struct porch_nanodet_det {
    float x0, y0, x1, y1;  /* source-image pixels */
    float score;           /* class probability (sigmoid), 0..1 */
    int cls;               /* COCO-80 index (porch_coco_label) */
} porch_nanodet_det;

/*
 * Letterboxes a packed 3-channel 8-bit image (stride bytes per row,
 * channel order `order`) into the network input: keep aspect ratio,
 * centred, black bars, bilinear half-pixel resize, BGR, (x - mean) / std,
 * NCHW. out holds PORCH_NANODET_INPUT_COUNT floats.
 * Errors: PORCH_ERR_INVALID_ARG (NULL, sizes < 1 or > 16384, stride < 3w).
 */
int porch_nanodet_preprocess(const uint8_t *pix, int w, int h, size_t stride, int order,
                             float *out, porch_nanodet_letterbox *lb);

/*
 * GFL decoding of the six outputs (in porch_nn_model_output order:
 * Identity, _1, _2 = class scores of strides 8/16/32, _3, _4, _5 = box
 * distributions), per-class NMS (IoU > iou_thr suppressed), best first.
 * Writes at most cap detections into dets and their number into *n.
 * Errors: PORCH_ERR_INVALID_ARG, PORCH_ERR_NOMEM.
 */
int porch_nanodet_decode(const float *const *outputs, const porch_nanodet_letterbox *lb,
                         float score_thr, float iou_thr, porch_nanodet_det *dets, size_t cap,
                         size_t *n);

/* COCO-80 class name ("person", "car", …); "?" outside 0..79. */
const char *porch_coco_label(int cls);

#ifdef __cplusplus
}
#endif

#endif
