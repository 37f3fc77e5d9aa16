/*
 * frames.c: FFmpeg demux + decode + libswscale into small grey frames.
 *
 * Invariants: once open, fmt/dec/pkt/frm/sws/buf are all non-NULL; the
 * output size (out_w x out_h) never changes, even if the stream's size does
 * (the scaler is rebuilt for the new input size). After the decoder has been
 * drained, `done` is set and every call returns end-of-stream.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "porchlight/error.h"
#include "porchlight/frames.h"
#include "media/decoder.h"

struct porch_frames {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frm;
    struct SwsContext *sws;
    int stream;              /* index of the video stream in fmt */
    int out_w, out_h;
    int sws_flags;
    int in_w, in_h, in_fmt;  /* what sws was built for */
    uint8_t *buf;            /* out_w x out_h, stride out_w */
    uint64_t index;          /* frames returned so far */
    int flushing;            /* demuxer hit EOF, decoder being drained */
    int done;
};

/* Fills in the missing dimension from the aspect ratio; 0,0 = native. */
static int pick_size(int in_w, int in_h, int *w, int *h)
{
    if (in_w <= 0 || in_h <= 0)
        return PORCH_ERR_MEDIA;
    if (*w == 0 && *h == 0) {
        *w = in_w;
        *h = in_h;
    } else if (*h == 0) {
        *h = (int)(((int64_t)*w * in_h + in_w / 2) / in_w);
    } else if (*w == 0) {
        *w = (int)(((int64_t)*h * in_w + in_h / 2) / in_h);
    }
    if (*w < 1 || *h < 1)
        return PORCH_ERR_INVALID_ARG;
    if (*w > PORCH_FRAMES_MAX_DIM || *h > PORCH_FRAMES_MAX_DIM)
        return PORCH_ERR_TOO_LARGE;
    return PORCH_OK;
}

static int open_decoder(porch_frames *f)
{
    const AVCodec *codec = NULL;
    int idx = av_find_best_stream(f->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);

    if (idx == AVERROR_STREAM_NOT_FOUND)
        return PORCH_ERR_MEDIA_NO_VIDEO;
    if (idx < 0 || codec == NULL)
        return PORCH_ERR_MEDIA;
    f->stream = idx;
    return porch__analysis_decoder_open(&f->dec, f->fmt->streams[idx]->codecpar,
                                        f->fmt->streams[idx]->time_base, 0);
}

static int open_input(porch_frames *f, const char *url)
{
    if (avformat_open_input(&f->fmt, url, NULL, NULL) < 0)
        return PORCH_ERR_MEDIA;
    if (avformat_find_stream_info(f->fmt, NULL) < 0)
        return PORCH_ERR_MEDIA;
    return open_decoder(f);
}

/*
 * Opens the input and decoder, and sizes the output buffer.
 * On success *out is owned by the caller (porch_frames_close()).
 */
int porch_frames_open_ex(porch_frames **out, const char *url,
                         const porch_frames_options *opt)
{
    porch_frames *f = NULL;
    porch_frames_options o = { 0, 0, PORCH_FRAMES_SCALE_AREA };
    int err;

    if (out != NULL)
        *out = NULL;
    if (out == NULL || url == NULL)
        return PORCH_ERR_INVALID_ARG;
    if (opt != NULL)
        o = *opt;
    if (o.width < 0 || o.height < 0 || o.scaler < 0 || o.scaler > 1)
        return PORCH_ERR_INVALID_ARG;
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        return PORCH_ERR_NOMEM;
    f->sws_flags = o.scaler == PORCH_FRAMES_SCALE_NEAREST ? SWS_POINT : SWS_AREA;
    err = open_input(f, url);
    if (err != PORCH_OK)
        goto out;
    f->out_w = o.width;
    f->out_h = o.height;
    err = pick_size(f->dec->width, f->dec->height, &f->out_w, &f->out_h);
    if (err != PORCH_OK)
        goto out;
    f->pkt = av_packet_alloc();
    f->frm = av_frame_alloc();
    f->buf = malloc((size_t)f->out_w * (size_t)f->out_h);
    if (f->pkt == NULL || f->frm == NULL || f->buf == NULL) {
        err = PORCH_ERR_NOMEM;
        goto out;
    }
    *out = f;
    f = NULL;
out:
    porch_frames_close(f);
    return err;
}

int porch_frames_open(porch_frames **out, const char *url, int width, int height)
{
    porch_frames_options o = { width, height, PORCH_FRAMES_SCALE_AREA };

    return porch_frames_open_ex(out, url, &o);
}

/* (Re)builds the scaler when the decoded picture's size or format changes. */
static int ensure_scaler(porch_frames *f, const AVFrame *src)
{
    if (f->sws != NULL && src->width == f->in_w && src->height == f->in_h &&
        src->format == f->in_fmt)
        return PORCH_OK;
    sws_freeContext(f->sws);
    f->sws = sws_getContext(src->width, src->height, (enum AVPixelFormat)src->format,
                            f->out_w, f->out_h, AV_PIX_FMT_GRAY8, f->sws_flags,
                            NULL, NULL, NULL);
    if (f->sws == NULL)
        return PORCH_ERR_MEDIA;
    f->in_w = src->width;
    f->in_h = src->height;
    f->in_fmt = src->format;
    return PORCH_OK;
}

static int emit(porch_frames *f, porch_frame *frame)
{
    AVStream *st = f->fmt->streams[f->stream];
    uint8_t *dst[4] = { f->buf, NULL, NULL, NULL };
    int dst_stride[4] = { f->out_w, 0, 0, 0 };
    int64_t ts = f->frm->best_effort_timestamp;
    int err = ensure_scaler(f, f->frm);

    if (err != PORCH_OK)
        return err;
    if (sws_scale(f->sws, (const uint8_t *const *)f->frm->data, f->frm->linesize,
                  0, f->frm->height, dst, dst_stride) != f->out_h)
        return PORCH_ERR_MEDIA;
    frame->data = f->buf;
    frame->stride = (size_t)f->out_w;
    frame->width = f->out_w;
    frame->height = f->out_h;
    frame->pts_us = ts == AV_NOPTS_VALUE ? INT64_MIN
                    : av_rescale_q(ts, st->time_base, (AVRational){ 1, 1000000 });
    frame->index = f->index++;
    av_frame_unref(f->frm);
    return PORCH_OK;
}

/* Feeds the decoder one packet of our stream, or the flush packet at EOF. */
static int feed(porch_frames *f)
{
    int rc;

    for (;;) {
        rc = av_read_frame(f->fmt, f->pkt);
        if (rc == AVERROR_EOF) {
            f->flushing = 1;
            return avcodec_send_packet(f->dec, NULL) < 0 ? PORCH_ERR_MEDIA : PORCH_OK;
        }
        if (rc < 0)
            return PORCH_ERR_MEDIA;
        if (f->pkt->stream_index == f->stream)
            break;
        av_packet_unref(f->pkt);
    }
    rc = avcodec_send_packet(f->dec, f->pkt);
    av_packet_unref(f->pkt);
    /* A corrupt packet is skipped, as players do; the next keyframe recovers. */
    return rc < 0 && rc != AVERROR_INVALIDDATA ? PORCH_ERR_MEDIA : PORCH_OK;
}

int porch_frames_next(porch_frames *f, porch_frame *frame)
{
    int rc;

    if (frame != NULL)
        memset(frame, 0, sizeof(*frame));
    if (f == NULL || frame == NULL)
        return PORCH_ERR_INVALID_ARG;
    while (!f->done) {
        rc = avcodec_receive_frame(f->dec, f->frm);
        if (rc == 0)
            return emit(f, frame);
        if (rc == AVERROR_EOF) {
            f->done = 1;
        } else if (rc != AVERROR(EAGAIN)) {
            return PORCH_ERR_MEDIA;
        } else if (!f->flushing) {
            int err = feed(f);
            if (err != PORCH_OK)
                return err;
        } else {
            f->done = 1;
        }
    }
    frame->end = 1;
    return PORCH_OK;
}

void porch_frames_size(const porch_frames *f, int *width, int *height)
{
    if (width != NULL)
        *width = f != NULL ? f->out_w : 0;
    if (height != NULL)
        *height = f != NULL ? f->out_h : 0;
}

double porch_frames_fps(const porch_frames *f)
{
    AVRational r;

    if (f == NULL)
        return 0.0;
    r = f->fmt->streams[f->stream]->avg_frame_rate;
    if (r.num <= 0 || r.den <= 0)
        r = f->fmt->streams[f->stream]->r_frame_rate;
    return r.num > 0 && r.den > 0 ? (double)r.num / r.den : 0.0;
}

void porch_frames_close(porch_frames *f)
{
    if (f == NULL)
        return;
    sws_freeContext(f->sws);
    av_frame_free(&f->frm);
    av_packet_free(&f->pkt);
    avcodec_free_context(&f->dec);
    avformat_close_input(&f->fmt);
    free(f->buf);
    free(f);
}
