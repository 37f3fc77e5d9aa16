/*
 * source.c: FFmpeg demux + decode, with two libswscale conversions of each
 * picture: to the grey motion frame always, to packed BGR only on demand.
 *
 * Invariants: once open, fmt/dec/pkt/frm/grey/bgr are non-NULL and the
 * output sizes never change (scalers are rebuilt if the stream's size
 * does). have_frame is 1 while frm holds the picture last returned;
 * bgr_ready is 1 once it has been converted to BGR.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "porchlight/error.h"
#include "porchlight/frames.h"
#include "porchlight/nanodet.h"
#include "porchlight/source.h"
#include "media/decoder.h"

typedef struct scaler {
    struct SwsContext *sws;
    int in_w, in_h, in_fmt;
} scaler;

struct porch_source {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frm;
    int stream;
    int grey_w, grey_h, col_w, col_h;
    uint8_t *grey, *bgr;
    int grey_ls, bgr_ls;     /* line sizes: rounded up to 64 bytes */
    scaler gs, cs;
    int64_t last_pts, step_us;
    uint64_t index;
    int have_frame, bgr_ready, flushing, done;
};

static int open_decoder(porch_source *s, int fast)
{
    const AVCodec *codec = NULL;
    int idx = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);

    if (idx == AVERROR_STREAM_NOT_FOUND)
        return PORCH_ERR_MEDIA_NO_VIDEO;
    if (idx < 0 || codec == NULL)
        return PORCH_ERR_MEDIA;
    s->stream = idx;
    /* The live hub's decoder settings (fast = a camera's fast_decode). */
    return porch__analysis_decoder_open(&s->dec, s->fmt->streams[idx]->codecpar,
                                        s->fmt->streams[idx]->time_base, fast);
}

/* Output sizes: grey at grey_w wide, colour at the source's size capped at max_w. */
static int pick_sizes(porch_source *s, int grey_w, int max_w)
{
    int w = s->dec->width, h = s->dec->height;

    if (w <= 0 || h <= 0)
        return PORCH_ERR_MEDIA;
    s->grey_w = grey_w;
    s->grey_h = (int)(((int64_t)grey_w * h + w / 2) / w);
    s->col_w = max_w > 0 && w > max_w ? max_w : w;
    s->col_h = (int)(((int64_t)s->col_w * h + w / 2) / w);
    if (s->grey_h < 16 || s->grey_h > 1024 || s->col_h < 1)
        return PORCH_ERR_TOO_LARGE;
    if (s->col_w > PORCH_FRAMES_MAX_DIM || s->col_h > PORCH_FRAMES_MAX_DIM)
        return PORCH_ERR_TOO_LARGE;
    return PORCH_OK;
}

static void set_step(porch_source *s)
{
    AVRational r = s->fmt->streams[s->stream]->avg_frame_rate;

    if (r.num <= 0 || r.den <= 0)
        r = s->fmt->streams[s->stream]->r_frame_rate;
    s->step_us = r.num > 0 && r.den > 0 ? (int64_t)(1e6 * r.den / r.num) : 40000;
    if (s->step_us < 1)
        s->step_us = 1;
}

static int open_all(porch_source *s, const char *url, int grey_w, int max_w, int fast)
{
    int err;

    if (avformat_open_input(&s->fmt, url, NULL, NULL) < 0)
        return PORCH_ERR_MEDIA;
    if (avformat_find_stream_info(s->fmt, NULL) < 0)
        return PORCH_ERR_MEDIA;
    err = open_decoder(s, fast);
    if (err == PORCH_OK)
        err = pick_sizes(s, grey_w, max_w);
    if (err != PORCH_OK)
        return err;
    set_step(s);
    s->pkt = av_packet_alloc();
    s->frm = av_frame_alloc();
    /* libswscale's SIMD paths store whole vectors and may write past the last
     * pixel of a line (and of the picture): aligned line sizes and one spare
     * line keep those stores inside the buffers. */
    s->grey_ls = (s->grey_w + 63) & ~63;
    s->bgr_ls = (s->col_w * 3 + 63) & ~63;
    s->grey = malloc((size_t)s->grey_ls * ((size_t)s->grey_h + 1));
    s->bgr = malloc((size_t)s->bgr_ls * ((size_t)s->col_h + 1));
    if (s->pkt == NULL || s->frm == NULL || s->grey == NULL || s->bgr == NULL)
        return PORCH_ERR_NOMEM;
    return PORCH_OK;
}

int porch_source_open(porch_source **out, const char *url, int grey_w, int colour_max_w)
{
    return porch_source_open_fast(out, url, grey_w, colour_max_w, 0);
}

int porch_source_open_fast(porch_source **out, const char *url, int grey_w, int colour_max_w,
                           int fast_decode)
{
    porch_source *s = NULL;
    int err;

    if (out != NULL)
        *out = NULL;
    if (grey_w == 0)
        grey_w = 320;
    if (out == NULL || url == NULL || grey_w < 16 || grey_w > 1024 || colour_max_w < 0)
        return PORCH_ERR_INVALID_ARG;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return PORCH_ERR_NOMEM;
    s->last_pts = INT64_MIN;
    err = open_all(s, url, grey_w, colour_max_w, fast_decode != 0);
    if (err != PORCH_OK)
        goto out;
    *out = s;
    s = NULL;
out:
    porch_source_close(s);
    return err;
}

/* Converts the current picture to dst (w x h, one plane, fmt) through sc. */
static int convert(scaler *sc, const AVFrame *src, uint8_t *dst, int w, int h, int linesize,
                   enum AVPixelFormat fmt, int flags)
{
    uint8_t *d[4] = { dst, NULL, NULL, NULL };
    int ds[4] = { linesize, 0, 0, 0 };

    if (sc->sws == NULL || src->width != sc->in_w || src->height != sc->in_h ||
        src->format != sc->in_fmt) {
        sws_freeContext(sc->sws);
        sc->sws = sws_getContext(src->width, src->height, (enum AVPixelFormat)src->format, w, h,
                                 fmt, flags, NULL, NULL, NULL);
        if (sc->sws == NULL)
            return PORCH_ERR_MEDIA;
        sc->in_w = src->width;
        sc->in_h = src->height;
        sc->in_fmt = src->format;
    }
    if (sws_scale(sc->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height, d,
                  ds) != h)
        return PORCH_ERR_MEDIA;
    return PORCH_OK;
}

/* Feeds the decoder one packet of our stream, or the flush packet at EOF. */
static int feed(porch_source *s)
{
    int rc;

    for (;;) {
        rc = av_read_frame(s->fmt, s->pkt);
        if (rc == AVERROR_EOF) {
            s->flushing = 1;
            return avcodec_send_packet(s->dec, NULL) < 0 ? PORCH_ERR_MEDIA : PORCH_OK;
        }
        if (rc < 0)
            return PORCH_ERR_MEDIA;
        if (s->pkt->stream_index == s->stream)
            break;
        av_packet_unref(s->pkt);
    }
    rc = avcodec_send_packet(s->dec, s->pkt);
    av_packet_unref(s->pkt);
    /* A corrupt packet is skipped, as players do; the next keyframe recovers. */
    return rc < 0 && rc != AVERROR_INVALIDDATA ? PORCH_ERR_MEDIA : PORCH_OK;
}

/* The stream's pts in microseconds, or one frame after the last if missing or backwards. */
static int64_t frame_pts(porch_source *s)
{
    AVStream *st = s->fmt->streams[s->stream];
    int64_t ts = s->frm->best_effort_timestamp, us;

    us = ts == AV_NOPTS_VALUE ? INT64_MIN : av_rescale_q(ts, st->time_base, (AVRational){ 1, 1000000 });
    if (s->last_pts != INT64_MIN && (us == INT64_MIN || us <= s->last_pts))
        us = s->last_pts + s->step_us;
    if (us == INT64_MIN)
        us = 0;
    s->last_pts = us;
    return us;
}

static int emit(porch_source *s, porch_source_frame *f)
{
    int err = convert(&s->gs, s->frm, s->grey, s->grey_w, s->grey_h, s->grey_ls, AV_PIX_FMT_GRAY8,
                      SWS_AREA);

    if (err != PORCH_OK)
        return err;
    s->have_frame = 1;
    s->bgr_ready = 0;
    f->grey = s->grey;
    f->grey_stride = (size_t)s->grey_ls;
    f->pts_us = frame_pts(s);
    f->index = s->index++;
    return PORCH_OK;
}

int porch_source_next(porch_source *s, porch_source_frame *f)
{
    int rc;

    if (f != NULL)
        memset(f, 0, sizeof(*f));
    if (s == NULL || f == NULL)
        return PORCH_ERR_INVALID_ARG;
    if (s->have_frame)
        av_frame_unref(s->frm);
    s->have_frame = 0;
    while (!s->done) {
        rc = avcodec_receive_frame(s->dec, s->frm);
        if (rc == 0)
            return emit(s, f);
        if (rc == AVERROR_EOF || (rc == AVERROR(EAGAIN) && s->flushing)) {
            s->done = 1;
        } else if (rc != AVERROR(EAGAIN)) {
            return PORCH_ERR_MEDIA;
        } else {
            int err = feed(s);
            if (err != PORCH_OK)
                return err;
        }
    }
    f->end = 1;
    return PORCH_OK;
}

int porch_source_colour(porch_source *s, porch_analysis_image *img)
{
    int err;

    if (img != NULL)
        memset(img, 0, sizeof(*img));
    if (s == NULL || img == NULL || !s->have_frame)
        return PORCH_ERR_INVALID_ARG;
    if (!s->bgr_ready) {
        /* Bilinear when scaling down the colour picture: the detector resamples it again. */
        err = convert(&s->cs, s->frm, s->bgr, s->col_w, s->col_h, s->bgr_ls, AV_PIX_FMT_BGR24,
                      SWS_BILINEAR);
        if (err != PORCH_OK)
            return err;
        s->bgr_ready = 1;
    }
    img->pix = s->bgr;
    img->stride = (size_t)s->bgr_ls;
    img->width = s->col_w;
    img->height = s->col_h;
    img->order = PORCH_NANODET_BGR;
    return PORCH_OK;
}

void porch_source_sizes(const porch_source *s, int *grey_w, int *grey_h, int *colour_w,
                        int *colour_h)
{
    if (grey_w != NULL)
        *grey_w = s != NULL ? s->grey_w : 0;
    if (grey_h != NULL)
        *grey_h = s != NULL ? s->grey_h : 0;
    if (colour_w != NULL)
        *colour_w = s != NULL ? s->col_w : 0;
    if (colour_h != NULL)
        *colour_h = s != NULL ? s->col_h : 0;
}

double porch_source_fps(const porch_source *s)
{
    return s != NULL && s->step_us > 0 ? 1e6 / (double)s->step_us : 0.0;
}

void porch_source_close(porch_source *s)
{
    if (s == NULL)
        return;
    sws_freeContext(s->gs.sws);
    sws_freeContext(s->cs.sws);
    av_packet_free(&s->pkt);
    av_frame_free(&s->frm);
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->fmt);
    free(s->grey);
    free(s->bgr);
    free(s);
}
