/*
 * porchlight/frames.h: decode any FFmpeg-readable file or URL into small
 * 8-bit greyscale frames (the luma of the picture, scaled with libswscale).
 *
 * This feeds the motion stage (porchlight/motion.h) and the evaluation
 * tools. One porch_frames object reads one input, on the caller's thread,
 * with a single decoding thread; it is not shared between threads.
 *
 *   porch_frames *f;
 *   porch_frame fr;
 *   porch_frames_open(&f, "file:/path/video.mp4", 320, 0);
 *   while (porch_frames_next(f, &fr) == PORCH_OK && !fr.end)
 *       use(fr.data, fr.stride, fr.width, fr.height);
 *   porch_frames_close(f);
 *
 * The library never prints, but FFmpeg logs through av_log's global
 * callback; programs that want it quiet call av_log_set_level() themselves.
 */
#ifndef PORCHLIGHT_FRAMES_H
#define PORCHLIGHT_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hard caps on the output size (input may be larger: it is scaled down). */
#define PORCH_FRAMES_MAX_DIM 4096

enum porch_frames_scaler {
    PORCH_FRAMES_SCALE_AREA = 0,    /* area averaging: for pictures */
    PORCH_FRAMES_SCALE_NEAREST = 1  /* nearest sample: for label masks (keeps values exact) */
};

typedef struct porch_frames_options {
    int width;      /* output width; 0 = from height and the aspect ratio (or native) */
    int height;     /* output height; 0 = from width and the aspect ratio (or native) */
    int scaler;     /* enum porch_frames_scaler */
} porch_frames_options;

typedef struct porch_frame {
    const uint8_t *data;   /* width x height grey samples; owned by the reader, valid until the next call */
    size_t stride;         /* bytes between rows (>= width) */
    int width, height;
    int64_t pts_us;        /* presentation time in microseconds (INT64_MIN if unknown) */
    uint64_t index;        /* 0-based decode-order index of this frame */
    int end;               /* 1: no more frames (data is NULL), 0: a frame */
} porch_frame;

typedef struct porch_frames porch_frames;

/*
 * Opens url and its best video stream. width/height as in
 * porch_frames_options (0, 0 = native size). Area-averaging scaler.
 * On success *out is a new reader owned by the caller: free it with
 * porch_frames_close(). Errors: PORCH_ERR_INVALID_ARG, PORCH_ERR_MEDIA
 * (cannot open/probe/decode), PORCH_ERR_MEDIA_NO_VIDEO, PORCH_ERR_TOO_LARGE
 * (output above PORCH_FRAMES_MAX_DIM), PORCH_ERR_NOMEM.
 */
int porch_frames_open(porch_frames **out, const char *url, int width, int height);

/* As porch_frames_open() with explicit options (opt may be NULL: defaults). */
int porch_frames_open_ex(porch_frames **out, const char *url,
                         const porch_frames_options *opt);

/*
 * Decodes the next frame into *frame (zeroed on entry). At the end of the
 * input returns PORCH_OK with frame->end = 1. The pixels belong to f and stay
 * valid until the next porch_frames_next() or porch_frames_close().
 */
int porch_frames_next(porch_frames *f, porch_frame *frame);

/* Output size chosen at open time (known before the first frame). */
void porch_frames_size(const porch_frames *f, int *width, int *height);

/* Frames per second declared by the stream, or 0 if unknown. */
double porch_frames_fps(const porch_frames *f);

/* Frees everything; NULL is allowed. */
void porch_frames_close(porch_frames *f);

#ifdef __cplusplus
}
#endif

#endif
