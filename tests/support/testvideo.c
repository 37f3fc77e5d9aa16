/*
 * testvideo.c (tests only): see testvideo.h.
 *
 * Pipeline: draw frame i into a yuv420p AVFrame -> H.264 encoder -> muxer
 * chosen from the file name. pts counts frames (time base 1/fps).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

#include "testvideo.h"

struct tv {
    AVFormatContext *oc;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
};

static int tv_fail(const char *what, int ret)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = "";

    av_strerror(ret, buf, sizeof(buf));
    fprintf(stderr, "testvideo: %s: %s\n", what, buf);
    return ret < 0 ? ret : -1;
}

static const AVCodec *tv_find_encoder(void)
{
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");

    return c != NULL ? c : avcodec_find_encoder(AV_CODEC_ID_H264);
}

static void tv_x264_options(AVCodecContext *enc, int gop, unsigned flags)
{
    char params[128];
    int bf = (flags & PORCH_TESTVIDEO_BFRAMES) != 0;

    /* scenecut=0: keyframes exactly every gop frames, never in between. */
    snprintf(params, sizeof(params), "keyint=%d:min-keyint=%d:scenecut=0",
             gop, gop);
    av_opt_set(enc->priv_data, "preset", bf ? "veryfast" : "ultrafast", 0);
    av_opt_set(enc->priv_data, "profile", bf ? "main" : "baseline", 0);
    av_opt_set(enc->priv_data, "x264-params", params, 0);
}

static int tv_open_encoder(struct tv *t, int w, int h, int fps, int gop,
                           unsigned flags)
{
    const AVCodec *codec = tv_find_encoder();
    int ret;

    if (codec == NULL)
        return tv_fail("no H.264 encoder in this FFmpeg", AVERROR_ENCODER_NOT_FOUND);
    if ((t->enc = avcodec_alloc_context3(codec)) == NULL)
        return tv_fail("avcodec_alloc_context3", AVERROR(ENOMEM));
    t->enc->width = w;
    t->enc->height = h;
    t->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    t->enc->time_base = (AVRational){ 1, fps };
    t->enc->framerate = (AVRational){ fps, 1 };
    t->enc->gop_size = gop;
    t->enc->keyint_min = gop;
    t->enc->max_b_frames = (flags & PORCH_TESTVIDEO_BFRAMES) ? 2 : 0;
    t->enc->thread_count = 1;
    if (t->oc->oformat->flags & AVFMT_GLOBALHEADER)
        t->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (strcmp(codec->name, "libx264") == 0)
        tv_x264_options(t->enc, gop, flags);
    if ((ret = avcodec_open2(t->enc, codec, NULL)) < 0)
        return tv_fail("avcodec_open2", ret);
    return 0;
}

static int tv_open_output(struct tv *t, const char *path, unsigned flags)
{
    AVDictionary *opts = NULL;
    int ret;

    if ((t->st = avformat_new_stream(t->oc, NULL)) == NULL)
        return tv_fail("avformat_new_stream", AVERROR(ENOMEM));
    if ((ret = avcodec_parameters_from_context(t->st->codecpar, t->enc)) < 0)
        return tv_fail("avcodec_parameters_from_context", ret);
    t->st->time_base = t->enc->time_base;
    if ((ret = avio_open(&t->oc->pb, path, AVIO_FLAG_WRITE)) < 0)
        return tv_fail(path, ret);
    if (flags & PORCH_TESTVIDEO_FRAGMENTED)
        av_dict_set(&opts, "movflags", "frag_keyframe+empty_moov", 0);
    ret = avformat_write_header(t->oc, &opts);
    av_dict_free(&opts);
    return ret < 0 ? tv_fail("avformat_write_header", ret) : 0;
}

/* Deterministic per-pixel noise (xorshift32; the state is the caller's). */
static uint32_t tv_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Frame i: a gradient with noise, a checkered square moving right/down. */
static void tv_draw(AVFrame *f, int i, int n_frames)
{
    int w = f->width, h = f->height, side = (w < h ? w : h) / 4;
    int sx = (w - side) * i / (n_frames > 1 ? n_frames - 1 : 1);
    int sy = (h - side) / 2 + (h / 8) * ((i / 8) % 2);
    uint32_t seed = 0x9e3779b9u ^ (uint32_t)(i * 7919 + 1);
    int x, y;

    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++) {
            int v = 40 + (x + y) * 120 / (w + h) + (int)(tv_rand(&seed) % 16);
            if (x >= sx && x < sx + side && y >= sy && y < sy + side)
                v = (((x - sx) / 4 + (y - sy) / 4) % 2) ? 230 : 20;
            f->data[0][y * f->linesize[0] + x] = (uint8_t)v;
        }
    for (y = 0; y < h / 2; y++)
        for (x = 0; x < w / 2; x++) {
            f->data[1][y * f->linesize[1] + x] = (uint8_t)(128 + x * 32 / w);
            f->data[2][y * f->linesize[2] + x] = (uint8_t)(128 - y * 32 / h);
        }
}

/* Sends frame (NULL = flush) and writes every packet it produces. */
static int tv_encode(struct tv *t, AVFrame *frame)
{
    int ret = avcodec_send_frame(t->enc, frame);

    if (ret < 0)
        return tv_fail("avcodec_send_frame", ret);
    for (;;) {
        ret = avcodec_receive_packet(t->enc, t->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return tv_fail("avcodec_receive_packet", ret);
        /* One frame each: without it the MP4 muxer guesses the last
         * sample's duration and demuxers may then drop that frame. */
        if (t->pkt->duration <= 0)
            t->pkt->duration = 1;
        av_packet_rescale_ts(t->pkt, t->enc->time_base, t->st->time_base);
        t->pkt->stream_index = t->st->index;
        if ((ret = av_interleaved_write_frame(t->oc, t->pkt)) < 0)
            return tv_fail("av_interleaved_write_frame", ret);
    }
}

static int tv_encode_all(struct tv *t, int n_frames)
{
    int i, ret;

    t->frame->format = AV_PIX_FMT_YUV420P;
    t->frame->width = t->enc->width;
    t->frame->height = t->enc->height;
    if ((ret = av_frame_get_buffer(t->frame, 0)) < 0)
        return tv_fail("av_frame_get_buffer", ret);
    for (i = 0; i < n_frames; i++) {
        if ((ret = av_frame_make_writable(t->frame)) < 0)
            return tv_fail("av_frame_make_writable", ret);
        tv_draw(t->frame, i, n_frames);
        t->frame->pts = i;
        if ((ret = tv_encode(t, t->frame)) < 0)
            return ret;
    }
    if ((ret = tv_encode(t, NULL)) < 0)
        return ret;
    ret = av_write_trailer(t->oc);
    return ret < 0 ? tv_fail("av_write_trailer", ret) : 0;
}

int porch_test_make_video_ex(const char *path, int width, int height,
                             int n_frames, int fps, int gop, unsigned flags)
{
    struct tv t = { 0 };
    int ret;

    if (path == NULL || width < 16 || height < 16 || width % 2 || height % 2 ||
        n_frames < 1 || fps < 1 || gop < 1)
        return tv_fail("bad arguments", AVERROR(EINVAL));
    ret = avformat_alloc_output_context2(&t.oc, NULL, NULL, path);
    if (ret < 0 || t.oc == NULL) {
        ret = tv_fail("avformat_alloc_output_context2", ret);
        goto out;
    }
    t.frame = av_frame_alloc();
    t.pkt = av_packet_alloc();
    if (t.frame == NULL || t.pkt == NULL) {
        ret = tv_fail("alloc", AVERROR(ENOMEM));
        goto out;
    }
    if ((ret = tv_open_encoder(&t, width, height, fps, gop, flags)) < 0)
        goto out;
    if ((ret = tv_open_output(&t, path, flags)) < 0)
        goto out;
    ret = tv_encode_all(&t, n_frames);
out:
    if (t.oc != NULL)
        avio_closep(&t.oc->pb);
    avformat_free_context(t.oc);
    avcodec_free_context(&t.enc);
    av_frame_free(&t.frame);
    av_packet_free(&t.pkt);
    return ret;
}

int porch_test_make_video(const char *path, int width, int height,
                          int n_frames, int fps, int gop)
{
    return porch_test_make_video_ex(path, width, height, n_frames, fps, gop, 0);
}
