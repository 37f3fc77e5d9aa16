/*
 * probe.c: prove that an in-memory MP4 plays, by decoding all of it.
 *
 * The bytes are untrusted (a decrypted clip, or anything a test built), so
 * the mp4 demuxer is forced instead of probed: no other demuxer (HLS,
 * concat, image2 ...) ever sees them, and external data references stay
 * off (the mov demuxer's enable_drefs defaults to 0). The picture size the
 * decoder may allocate is capped by PORCH_MEDIA_PIXELS_MAX.
 */
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/mathematics.h>

#include "porchlight/error.h"
#include "porchlight/media.h"
#include "media/media_internal.h"

#define IO_BUF_SIZE 65536

/* A read-only view of the caller's bytes; invariant: off <= len. */
struct memsrc {
    const uint8_t *p;
    size_t len;
    size_t off;
};

struct probe {
    struct memsrc src;
    AVIOContext *pb;
    AVFormatContext *ic;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int vidx;
    int64_t min_pts, max_end; /* stream time base; AV_NOPTS_VALUE if none */
    porch_media_stats *st;
};

static int read_cb(void *opaque, uint8_t *buf, int n)
{
    struct memsrc *s = opaque;
    size_t left = s->len - s->off;
    size_t k = n > 0 ? (size_t)n : 0;

    if (left == 0)
        return AVERROR_EOF;
    if (k > left)
        k = left;
    memcpy(buf, s->p + s->off, k);
    s->off += k;
    return (int)k;
}

static int64_t seek_cb(void *opaque, int64_t off, int whence)
{
    struct memsrc *s = opaque;
    int64_t base;

    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE)
        return (int64_t)s->len;
    if (whence == SEEK_SET)
        base = 0;
    else if (whence == SEEK_CUR)
        base = (int64_t)s->off;
    else if (whence == SEEK_END)
        base = (int64_t)s->len;
    else
        return AVERROR(EINVAL);
    /* len <= PORCH_MEDIA_PROBE_MAX, so base + off cannot overflow here. */
    if (off < -base || off > (int64_t)s->len - base)
        return AVERROR(EINVAL);
    s->off = (size_t)(base + off);
    return (int64_t)s->off;
}

/* Opens the mp4 demuxer over p->src and finds the video stream.
 * Ownership: p->pb (and its buffer) and p->ic belong to p and are freed by
 * porch_media_probe's out path, also when this fails halfway. */
static int open_demuxer(struct probe *p)
{
    uint8_t *iobuf;
    int ret;

    if ((iobuf = av_malloc(IO_BUF_SIZE)) == NULL)
        return PORCH_ERR_NOMEM;
    p->pb = avio_alloc_context(iobuf, IO_BUF_SIZE, 0, &p->src, read_cb, NULL,
                               seek_cb);
    if (p->pb == NULL) {
        av_free(iobuf);
        return PORCH_ERR_NOMEM;
    }
    if ((p->ic = avformat_alloc_context()) == NULL)
        return PORCH_ERR_NOMEM;
    p->ic->pb = p->pb;
    p->ic->flags |= AVFMT_FLAG_CUSTOM_IO;
    /* On failure avformat_open_input frees ic and sets it to NULL. */
    ret = avformat_open_input(&p->ic, NULL, av_find_input_format("mp4"), NULL);
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    ret = av_find_best_stream(p->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret == AVERROR_STREAM_NOT_FOUND)
        return PORCH_ERR_MEDIA_NO_VIDEO;
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    p->vidx = ret;
    return PORCH_OK;
}

/* Ownership: p->dec belongs to p, freed by porch_media_probe's out path. */
static int open_decoder(struct probe *p)
{
    const AVStream *s = p->ic->streams[p->vidx];
    const AVCodec *codec = avcodec_find_decoder(s->codecpar->codec_id);
    int ret;

    if (codec == NULL)
        return PORCH_ERR_MEDIA;
    if ((p->dec = avcodec_alloc_context3(codec)) == NULL)
        return PORCH_ERR_NOMEM;
    ret = avcodec_parameters_to_context(p->dec, s->codecpar);
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    p->dec->pkt_timebase = s->time_base;
    p->dec->max_pixels = PORCH_MEDIA_PIXELS_MAX;
    p->dec->thread_count = 1;
    ret = avcodec_open2(p->dec, codec, NULL);
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    av_strlcpy(p->st->codec, avcodec_get_name(s->codecpar->codec_id),
               sizeof(p->st->codec));
    p->st->width = s->codecpar->width;
    p->st->height = s->codecpar->height;
    return PORCH_OK;
}

static int frame_is_key(const AVFrame *f)
{
#ifdef AV_FRAME_FLAG_KEY
    return (f->flags & AV_FRAME_FLAG_KEY) != 0;
#else
    return f->key_frame != 0;
#endif
}

/* Takes every frame the decoder has ready. */
static int receive_frames(struct probe *p)
{
    int ret;

    for (;;) {
        ret = avcodec_receive_frame(p->dec, p->frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return PORCH_OK;
        if (ret < 0) {
            p->st->decode_errors++;
            return PORCH_OK;
        }
        if (p->st->frames == 0) {
            /* The decoded size is the truth; stsd may say 0 (MPEG-4 part 2). */
            p->st->first_is_key = p->st->first_is_key && frame_is_key(p->frame);
            p->st->width = p->frame->width;
            p->st->height = p->frame->height;
        }
        p->st->frames++;
        av_frame_unref(p->frame);
    }
}

static void account_packet(struct probe *p, const AVPacket *k)
{
    int64_t pts = k->pts != AV_NOPTS_VALUE ? k->pts : k->dts, end;
    int key = (k->flags & AV_PKT_FLAG_KEY) != 0;

    if (p->st->packets == 0)
        p->st->first_is_key = key;
    p->st->packets++;
    p->st->keyframes += key;
    if (pts == AV_NOPTS_VALUE)
        return;
    if (p->min_pts == AV_NOPTS_VALUE || pts < p->min_pts)
        p->min_pts = pts;
    end = porch__ts_add(pts, k->duration > 0 ? k->duration : 0);
    if (p->max_end == AV_NOPTS_VALUE || end > p->max_end)
        p->max_end = end;
}

/* Feeds one video packet (NULL = drain at end of stream). A packet the
 * decoder rejects is counted, not fatal: the stats tell the caller. */
static int decode_packet(struct probe *p, const AVPacket *k)
{
    int ret = avcodec_send_packet(p->dec, k);

    if (ret == AVERROR(ENOMEM))
        return PORCH_ERR_NOMEM;
    if (ret < 0 && ret != AVERROR_EOF)
        p->st->decode_errors++;
    return receive_frames(p);
}

static int decode_all(struct probe *p)
{
    int ret, err;

    while ((ret = av_read_frame(p->ic, p->pkt)) >= 0) {
        err = PORCH_OK;
        if (p->pkt->stream_index == p->vidx) {
            account_packet(p, p->pkt);
            err = decode_packet(p, p->pkt);
        }
        av_packet_unref(p->pkt);
        if (err != PORCH_OK)
            return err;
    }
    if (ret != AVERROR_EOF)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    return decode_packet(p, NULL);
}

static void finish_stats(struct probe *p)
{
    const AVStream *s = p->ic->streams[p->vidx];

    if (p->min_pts != AV_NOPTS_VALUE)
        p->st->duration_us = av_rescale_q(
            porch__ts_sub(p->max_end, p->min_pts), s->time_base, AV_TIME_BASE_Q);
    if (p->st->frames == 0)
        p->st->first_is_key = 0;
}

/*
 * Ownership: the caller keeps mp4 (only read, during the call) and *out;
 * everything FFmpeg allocates here is freed before returning.
 */
int porch_media_probe(const uint8_t *mp4, size_t len, porch_media_stats *out)
{
    struct probe p;
    int err;

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (mp4 == NULL || out == NULL)
        return PORCH_ERR_INVALID_ARG;
    if (len > PORCH_MEDIA_PROBE_MAX)
        return PORCH_ERR_TOO_LARGE;
    memset(&p, 0, sizeof(p));
    p.src.p = mp4;
    p.src.len = len;
    p.min_pts = p.max_end = AV_NOPTS_VALUE;
    p.st = out;
    err = PORCH_ERR_NOMEM;
    p.pkt = av_packet_alloc();
    p.frame = av_frame_alloc();
    if (p.pkt == NULL || p.frame == NULL)
        goto out;
    if ((err = open_demuxer(&p)) != PORCH_OK)
        goto out;
    if ((err = open_decoder(&p)) != PORCH_OK)
        goto out;
    if ((err = decode_all(&p)) != PORCH_OK)
        goto out;
    finish_stats(&p);
out:
    avcodec_free_context(&p.dec);
    avformat_close_input(&p.ic);
    if (p.pb != NULL)
        av_freep(&p.pb->buffer);
    avio_context_free(&p.pb);
    av_frame_free(&p.frame);
    av_packet_free(&p.pkt);
    return err;
}
