/*
 * porchlight/source.h: one decoded video input for the analysis pipeline.
 *
 * Decodes each picture once and scales it with libswscale only as far as
 * it is needed: always to the small grey frame of the motion stage, and to
 * a packed BGR picture (at the source's own size, capped) only when the
 * caller asks for it, i.e. on frames where the detector runs.
 *
 *   porch_source *s;
 *   porch_source_frame f;
 *   porch_source_open(&s, "file.mp4", 320, 0);
 *   while (porch_source_next(s, &f) == PORCH_OK && !f.end) {
 *       porch_analysis_motion(a, f.grey, f.grey_stride, f.pts_us, &need);
 *       if (need) porch_source_colour(s, &img);
 *       porch_analysis_detect(a, need ? &img : NULL, res);
 *   }
 *   porch_source_close(s);
 *
 * Not thread-safe; one decoding thread. FFmpeg logs through av_log's global
 * callback; programs that want it quiet set av_log_set_level() themselves.
 */
#ifndef PORCHLIGHT_SOURCE_H
#define PORCHLIGHT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/analysis.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct porch_source porch_source;

typedef struct porch_source_frame {
    const uint8_t *grey;    /* grey_w x grey_h, owned by the source, valid until the next call */
    size_t grey_stride;
    int64_t pts_us;         /* strictly increasing: synthesised from the frame rate when the
                               stream's is missing or goes backwards */
    uint64_t index;         /* 0-based decode-order index */
    int end;                /* 1: no more frames */
} porch_source_frame;

/*
 * Opens url (a file or anything FFmpeg reads). grey_w: width of the grey
 * frames (height from the aspect ratio; 0 = 320). colour_max_w: the BGR
 * picture is the source's size scaled down to at most this width (0 = the
 * source's own). On success *out is owned by the caller
 * (porch_source_close()). Errors: PORCH_ERR_INVALID_ARG, PORCH_ERR_MEDIA,
 * PORCH_ERR_MEDIA_NO_VIDEO, PORCH_ERR_TOO_LARGE, PORCH_ERR_NOMEM.
 */
int porch_source_open(porch_source **out, const char *url, int grey_w, int colour_max_w);

/* The same, with fast_decode != 0 decoding as a camera with `fast_decode = yes`
 * does (H.264 in-loop deblocking skipped; docs/HUB.md), so analyze and the
 * evaluation can measure what that camera's detector sees. */
int porch_source_open_fast(porch_source **out, const char *url, int grey_w, int colour_max_w,
                           int fast_decode);

/* Decodes the next picture and its grey frame into *f (zeroed on entry);
 * end of input: PORCH_OK with f->end = 1. */
int porch_source_next(porch_source *s, porch_source_frame *f);

/* The current picture as packed BGR (converted on the first call per frame;
 * owned by the source, valid until the next porch_source_next()).
 * Errors: PORCH_ERR_INVALID_ARG (no current frame), PORCH_ERR_MEDIA. */
int porch_source_colour(porch_source *s, porch_analysis_image *img);

/* Sizes chosen at open time. */
void porch_source_sizes(const porch_source *s, int *grey_w, int *grey_h, int *colour_w,
                        int *colour_h);
/* Declared frames per second, or 0. */
double porch_source_fps(const porch_source *s);

/* NULL-safe. */
void porch_source_close(porch_source *s);

/* Called once per analysed frame (final = 0) and once after the end of the
 * stream with the flushed events (final = 1). A non-zero return stops the
 * run and is returned by porch_analysis_run(). */
typedef int (*porch_analysis_cb)(void *ctx, const porch_analysis_result *r, int final);

/*
 * Runs a over every frame of s: motion, then the colour picture only when
 * the detector needs it, then the callback; flushes at the end. res is the
 * caller's scratch result (large; reused per frame).
 * Errors: the first error of the source, the pipeline or the callback.
 */
int porch_analysis_run(porch_analysis *a, porch_source *s, porch_analysis_result *res,
                       porch_analysis_cb cb, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
