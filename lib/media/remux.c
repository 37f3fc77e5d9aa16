/*
 * remux.c: file/URL -> fragmented MP4 pieces, by copying packets.
 *
 * Opens the input with libavformat, picks the best video stream and feeds
 * its packets to a porch_fmp4_muxer. Other streams are skipped (video only
 * for now). Limits in porch_remux_opts end the copy cleanly; they are
 * measured from the first keyframe, since the muxer drops what precedes it.
 */
#include <libavformat/avformat.h>
#include <libavutil/mathematics.h>

#include "porchlight/error.h"
#include "porchlight/media.h"
#include "media/media_internal.h"

/* Inputs may only be local files or camera protocols: an input file must
 * not make us fetch arbitrary URLs (e.g. an HLS playlist naming http). */
#define PROTOCOLS "file,rtsp,rtsps,rtp,srtp,udp,tcp,tls"

struct limits {
    int64_t max_duration_us;
    uint32_t max_fragments;
};

struct remux {
    AVFormatContext *ic;
    AVPacket *pkt;
    porch_fmp4_muxer *mux;
    int vidx;             /* index of the video stream in ic */
    int64_t first_key_ts; /* pts of the first keyframe, or AV_NOPTS_VALUE */
    struct limits lim;
};

static struct limits get_limits(const porch_remux_opts *opts)
{
    struct limits l = { PORCH_REMUX_DEFAULT_MAX_DURATION_US,
                        PORCH_REMUX_DEFAULT_MAX_FRAGMENTS };

    if (opts != NULL && opts->max_duration_us > 0)
        l.max_duration_us = opts->max_duration_us;
    if (opts != NULL && opts->max_fragments > 0)
        l.max_fragments = opts->max_fragments;
    if (l.max_fragments > PORCH_REMUX_MAX_FRAGMENTS)
        l.max_fragments = PORCH_REMUX_MAX_FRAGMENTS;
    return l;
}

/* Ownership: r->ic belongs to r, closed by porch_media_remux's out path
 * (avformat_open_input leaves it NULL when it fails). */
static int open_input(struct remux *r, const char *url)
{
    AVDictionary *opts = NULL;
    int ret;

    if (av_dict_set(&opts, "protocol_whitelist", PROTOCOLS, 0) < 0)
        return PORCH_ERR_NOMEM;
    ret = avformat_open_input(&r->ic, url, NULL, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    ret = avformat_find_stream_info(r->ic, NULL);
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    ret = av_find_best_stream(r->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret == AVERROR_STREAM_NOT_FOUND)
        return PORCH_ERR_MEDIA_NO_VIDEO;
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    r->vidx = ret;
    return PORCH_OK;
}

/* Non-zero when pkt must not be copied because a limit is reached. */
static int limit_reached(struct remux *r, const AVPacket *pkt)
{
    const AVStream *st = r->ic->streams[r->vidx];
    int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    int key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;

    if (r->first_key_ts == AV_NOPTS_VALUE) {
        if (key)
            r->first_key_ts = ts;
        return 0;
    }
    /* The next keyframe would open fragment fragments+2 (one is open). */
    if (key && porch_fmp4_muxer_fragments(r->mux) + 1 >= r->lim.max_fragments)
        return 1;
    if (ts == AV_NOPTS_VALUE)
        return 0;
    ts = porch__ts_sub(ts, r->first_key_ts);
    return av_rescale_q(ts, st->time_base, AV_TIME_BASE_Q) >= r->lim.max_duration_us;
}

/* Copies video packets until EOF or a limit. EOF is success; a read error
 * after some packets is treated as the end of a damaged file. */
static int copy_packets(struct remux *r)
{
    int ret, err;

    for (;;) {
        ret = av_read_frame(r->ic, r->pkt);
        if (ret < 0)
            return ret == AVERROR_EOF || ret == AVERROR_INVALIDDATA
                       ? PORCH_OK : porch__averr(ret, PORCH_ERR_MEDIA);
        if (r->pkt->stream_index != r->vidx) {
            av_packet_unref(r->pkt);
            continue;
        }
        if (limit_reached(r, r->pkt)) {
            av_packet_unref(r->pkt);
            return PORCH_OK;
        }
        err = porch_fmp4_muxer_write(r->mux, r->pkt);
        av_packet_unref(r->pkt);
        if (err != PORCH_OK)
            return err;
    }
}

/*
 * Ownership: everything (input context, packet, muxer) is allocated and
 * freed inside this call; pieces are lent to fn only during each call.
 */
int porch_media_remux(const char *url, const porch_remux_opts *opts,
                      porch_fmp4_fn fn, void *ctx)
{
    struct remux r = { NULL, NULL, NULL, -1, AV_NOPTS_VALUE, { 0, 0 } };
    const AVStream *st;
    int err;

    if (url == NULL || fn == NULL)
        return PORCH_ERR_INVALID_ARG;
    r.lim = get_limits(opts);
    if ((r.pkt = av_packet_alloc()) == NULL) {
        err = PORCH_ERR_NOMEM;
        goto out;
    }
    if ((err = open_input(&r, url)) != PORCH_OK)
        goto out;
    st = r.ic->streams[r.vidx];
    err = porch_fmp4_muxer_new(&r.mux, st->codecpar, st->time_base, fn, ctx);
    if (err != PORCH_OK)
        goto out;
    if ((err = copy_packets(&r)) != PORCH_OK)
        goto out;
    if ((err = porch_fmp4_muxer_finish(r.mux)) != PORCH_OK)
        goto out;
    /* No keyframe at all: nothing was produced, the input is unusable. */
    if (porch_fmp4_muxer_fragments(r.mux) == 0)
        err = PORCH_ERR_MEDIA;
out:
    porch_fmp4_muxer_free(r.mux);
    av_packet_free(&r.pkt);
    avformat_close_input(&r.ic);
    return err;
}
