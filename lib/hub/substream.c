/*
 * substream.c: a camera's analysis stream (`analysis_url`): a second input
 * read and decoded on the camera's own thread, interleaved with the main
 * stream by time, so the main stream is only demuxed and recorded.
 *
 * Before the camera thread handles a main packet at time T, it reads the
 * analysis stream until that stream's time reaches T and analyses every
 * picture on the way; a trigger's result therefore applies to the main
 * packet at (about) its time, one analysis frame at most late. The two
 * timelines are aligned at their first packets (a camera's streams start
 * together; the skew is the one of the two connections). The analysis
 * stream's end: a file stops being analysed (or loops with `loop`); a
 * network stream's end or a read that blocks past the I/O timeout is a
 * loss of the camera (the session reconnects both).
 */
#include <stdlib.h>
#include <string.h>

#include <libavutil/mathematics.h>

#include "porchlight/error.h"
#include "porchlight/hub.h"
#include "hub/hub_internal.h"
#include "media/decoder.h"

struct porch__sub {
    struct porch__io io;
    const porch_hub_camera_config *cfg;
    AVFormatContext *ic;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frm;
    int vidx;
    AVRational tb;
    int64_t off_us;                 /* main time = this stream's time + off_us */
    int have_off;
    int64_t last_us;                /* main-timeline time of the last packet */
    int64_t loop_us;                /* added after each loop */
    int ended;                      /* a file without loop: analysis over */
};

static int open_decoder(struct porch__sub *s)
{
    const AVStream *st = s->ic->streams[s->vidx];

    if (!(s->pkt = av_packet_alloc()) || !(s->frm = av_frame_alloc()))
        return PORCH_ERR_NOMEM;
    s->tb = st->time_base;
    return porch__analysis_decoder_open(&s->dec, st->codecpar, st->time_base,
                                        s->cfg->fast_decode);
}

int porch__sub_open(struct porch__sub **out, const porch_hub_camera_config *cfg,
                    atomic_int *stop)
{
    struct porch__sub *s;
    int ret;

    *out = NULL;
    if (!(s = calloc(1, sizeof *s)))
        return PORCH_ERR_NOMEM;
    s->io.stop = stop;
    s->cfg = cfg;
    s->last_us = INT64_MIN;
    ret = porch__hub_open_input(&s->ic, cfg, cfg->analysis_url, &s->io);
    if (ret == PORCH_OK) {
        ret = av_find_best_stream(s->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        if (ret >= 0) {
            s->vidx = ret;
            ret = open_decoder(s);
        } else {
            ret = ret == AVERROR_STREAM_NOT_FOUND ? PORCH_ERR_MEDIA_NO_VIDEO : PORCH_ERR_MEDIA;
        }
    }
    if (ret != PORCH_OK) {
        porch__sub_free(s);
        return ret;
    }
    *out = s;
    return PORCH_OK;
}

void porch__sub_size(const struct porch__sub *s, int *w, int *h)
{
    *w = s->dec->width;
    *h = s->dec->height;
}

void porch__sub_free(struct porch__sub *s)
{
    if (!s)
        return;
    av_packet_free(&s->pkt);
    av_frame_free(&s->frm);
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->ic);
    free(s);
}

static int64_t stream_us(const struct porch__sub *s, int64_t t)
{
    return av_rescale_q(t, s->tb, AV_TIME_BASE_Q);
}

static void decode(struct porch__sub *s, porch__sub_frame_fn fn, void *ctx)
{
    int ret = avcodec_send_packet(s->dec, s->pkt);

    if (ret < 0 && ret != AVERROR(EAGAIN))
        return; /* a bad packet costs that packet */
    while (avcodec_receive_frame(s->dec, s->frm) >= 0) {
        int64_t t = s->frm->best_effort_timestamp;
        fn(ctx, s->frm, t == AV_NOPTS_VALUE ? s->last_us : stream_us(s, t) + s->off_us);
        av_frame_unref(s->frm);
    }
}

/* End of the analysis input: loop a file onto the same timeline, or stop. */
static int at_end(struct porch__sub *s)
{
    const char *url = s->cfg->analysis_url;
    int is_file = !strstr(url, "://") || !strncmp(url, "file:", 5);

    if (!is_file)
        return PORCH_ERR_HUB_STREAM;
    if (!s->cfg->loop || av_seek_frame(s->ic, s->vidx, INT64_MIN, AVSEEK_FLAG_BACKWARD) < 0) {
        s->ended = 1;
        return PORCH_OK;
    }
    avcodec_flush_buffers(s->dec);
    s->off_us = s->last_us + 1 - (s->ic->start_time != AV_NOPTS_VALUE ? s->ic->start_time : 0);
    return PORCH_OK;
}

static void on_packet(struct porch__sub *s, int64_t main_ts)
{
    int64_t t = s->pkt->pts != AV_NOPTS_VALUE ? s->pkt->pts : s->pkt->dts;

    if (t == AV_NOPTS_VALUE)
        return;
    if (!s->have_off) {
        s->off_us = main_ts - stream_us(s, t);
        s->have_off = 1;
    }
    t = stream_us(s, t) + s->off_us;
    s->last_us = t > s->last_us ? t : s->last_us;
}

int porch__sub_until(struct porch__sub *s, int64_t main_ts, porch__sub_frame_fn fn, void *ctx)
{
    int ret;

    while (!s->ended && (s->last_us == INT64_MIN || s->last_us < main_ts)) {
        if (atomic_load(s->io.stop))
            return PORCH_ERR_HUB_STOPPED;
        s->io.deadline_us = porch__mono_us() + PORCH_HUB_IO_TIMEOUT_US;
        ret = av_read_frame(s->ic, s->pkt);
        if (ret == AVERROR_EOF) {
            if ((ret = at_end(s)) != PORCH_OK)
                return ret;
            continue;
        }
        if (ret < 0)
            return ret == AVERROR(ENOMEM) ? PORCH_ERR_NOMEM : PORCH_ERR_HUB_STREAM;
        if (s->pkt->stream_index == s->vidx && s->pkt->size > 0) {
            on_packet(s, main_ts);
            decode(s, fn, ctx);
        }
        av_packet_unref(s->pkt);
    }
    return PORCH_OK;
}
