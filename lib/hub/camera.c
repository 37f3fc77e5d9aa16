/*
 * camera.c: one camera's thread: demux, pre-roll ring, analysis decode,
 * trigger, event recorder; reconnect with capped exponential backoff.
 *
 * Per video packet, in this order:
 *   1. timestamp checks (jump = discontinuity), codec parameter changes;
 *   2. real-time pacing for files that ask for it;
 *   3. into the ring;
 *   4. into the open clip (or: the clip ends here: post-roll over, too long);
 *   5. decode, grey picture, trigger; STARTED opens a clip from the ring.
 *      With analysis_url, step 5 reads the analysis stream up to the
 *      packet's time instead (substream.c) and the main stream is not
 *      decoded at all.
 * A bad packet costs that packet (counted); a bad stream costs a reconnect;
 * neither touches another camera.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/mathematics.h>

#include "porchlight/error.h"
#include "porchlight/hub.h"
#include "hub/hub_internal.h"
#include "media/decoder.h"
#include "media/media_internal.h"

#define TS_JUMP_BACK_US INT64_C(1000000)
#define TS_JUMP_FWD_US INT64_C(10000000)

struct session {
    struct porch__camera *cam;
    struct porch__io io;
    AVFormatContext *ic;
    AVCodecContext *dec;
    AVCodecParameters *par;         /* what the clip records (extradata updated) */
    AVPacket *pkt;
    AVFrame *frm;
    int vidx;
    AVRational tb;
    int64_t last_ts_us;             /* INT64_MIN before the first packet */
    int64_t step_us;                /* last timestamp step (for loops) */
    int64_t loop_offset_us;
    int64_t pace_wall0, pace_ts0;
    uint8_t *grey;
    size_t grey_cap;
    uint64_t frame_index;
    porch_event_rec *rec;
    int64_t ev_start_ts, end_at;    /* end_at INT64_MAX: no end decided */
    int cont;                       /* event outlived max_event: reopen at next keyframe */
    char reason[PORCH_META_MAX_REASON + 1];
    int got_packets;
    struct porch__sub *sub;         /* analysis stream, NULL = decode the main one */
    int fail;                       /* the analysis stream was lost: the session ends */
};

#define STAT_ADD(cam, field, n)               \
    do {                                      \
        pthread_mutex_lock(&(cam)->mu);       \
        (cam)->st.field += (n);               \
        pthread_mutex_unlock(&(cam)->mu);     \
    } while (0)

static const char *cname(const struct session *s)
{
    return s->cam->cfg->name;
}

static void event_close(struct session *s, int64_t ts_us)
{
    char name[PORCH_SPOOL_NAME_BYTES];
    uint64_t packets = 0;
    uint32_t records = 0;
    int ret;

    if (!s->rec)
        return;
    porch_event_rec_counts(s->rec, &packets, &records);
    ret = porch_event_rec_finish(s->rec, porch__wall_us(), name);
    s->rec = NULL;
    s->end_at = INT64_MAX;
    if (name[0] == '\0') {
        STAT_ADD(s->cam, record_errors, 1);
        porch__hub_logf(s->cam->hub, PORCH_HUB_ERROR, cname(s),
                        "event clip could not be closed (%s); it stays as a partial and is "
                        "recovered at the next start", porch_strerror(ret));
        return;
    }
    if (ret != PORCH_OK)
        porch__hub_logf(s->cam->hub, PORCH_HUB_WARN, cname(s),
                        "event clip %s closed early: recording failed (%s)", name,
                        porch_strerror(ret));
    STAT_ADD(s->cam, clips, 1);
    porch__hub_logf(s->cam->hub, PORCH_HUB_INFO, cname(s),
                    "event clip %s sealed: %" PRIu64 " frames, %u records, %.1f s; reason: %s",
                    name, packets, records, (double)(ts_us - s->ev_start_ts) / 1e6, s->reason);
    porch__hub_queued(s->cam->hub);
}

static int event_open(struct session *s, int from_ring)
{
    struct porch__camera *cam = s->cam;
    porch_event_rec_opts o = { cam->hub->o.hub, cam->hub->o.roster, cam->hub->spool,
                               cam->cfg->name, s->par, s->tb };
    size_t n = from_ring ? porch_pkt_ring_count(cam->ring) : 0;
    int64_t ts0 = n ? porch_pkt_ring_ts(cam->ring, 0) : s->last_ts_us;
    uint64_t now = porch__wall_us();
    uint64_t start = now - (uint64_t)(s->last_ts_us - ts0 > 0 ? s->last_ts_us - ts0 : 0);
    int ret = porch_event_rec_start(&s->rec, &o, start, ts0, s->reason);

    for (size_t i = 0; ret == PORCH_OK && i < n; i++)
        ret = porch_event_rec_packet(s->rec, porch_pkt_ring_get(cam->ring, i));
    if (ret != PORCH_OK && !s->rec) {
        STAT_ADD(cam, record_errors, 1);
        porch__hub_logf(cam->hub, PORCH_HUB_ERROR, cname(s), "cannot start an event clip: %s",
                        porch_strerror(ret));
        return ret;
    }
    s->ev_start_ts = ts0;
    s->end_at = INT64_MAX;
    return PORCH_OK;
}

static void on_result(struct session *s, const porch_trigger_result *r, const AVFrame *pic)
{
    if (r->state == PORCH_TRIGGER_STARTED) {
        if (!s->rec) {
            snprintf(s->reason, sizeof s->reason, "%s", r->reason);
            STAT_ADD(s->cam, events, 1);
            porch__hub_logf(s->cam->hub, PORCH_HUB_INFO, cname(s), "event: %s", r->reason);
            if (event_open(s, 1) != PORCH_OK)
                return;
        }
        s->end_at = INT64_MAX; /* a new start inside the post-roll extends the clip */
    } else if (r->state == PORCH_TRIGGER_ENDED && s->rec) {
        s->end_at = s->last_ts_us + s->cam->cfg->postroll_us;
    }
    if (!s->rec)
        return;
    if (r->has_label)
        porch_event_rec_label(s->rec, &r->label, s->last_ts_us);
    if (r->thumbnail) {
        uint8_t *jpeg = NULL;
        size_t len = 0;
        if (porch_hub_jpeg(pic, PORCH_HUB_THUMB_WIDTH, &jpeg, &len) == PORCH_OK)
            porch_event_rec_thumbnail(s->rec, jpeg, len);
        free(jpeg);
    }
}

static void analyse_frame(struct session *s, const AVFrame *pic, int64_t pts_us)
{
    struct porch__camera *cam = s->cam;
    porch_trigger_input in = { 0 };
    porch_trigger_result r;
    int w = 0, h = 0;

    if (cam->grey) {
        if (porch__hub_grey(pic, cam->cfg->analysis_width, &s->grey, &s->grey_cap, &w, &h,
                            &in.stride) != PORCH_OK)
            return;
        in.grey = s->grey;
        in.width = w;
        in.height = h;
    }
    in.picture = pic;
    in.pts_us = pts_us;
    in.index = s->frame_index++;
    memset(&r, 0, sizeof r);
    if (cam->trig.ops->frame(cam->trig.self, &in, &r) == PORCH_OK)
        on_result(s, &r, pic);
}

static void sub_frame(void *ctx, const AVFrame *f, int64_t ts_us)
{
    struct session *s = ctx;

    STAT_ADD(s->cam, frames, 1);
    analyse_frame(s, f, ts_us);
}

/* The picture's own time: with B-frames, packets come in decode order. */
static int64_t frame_ts(const struct session *s)
{
    int64_t t = s->frm->best_effort_timestamp;

    if (t == AV_NOPTS_VALUE)
        return s->last_ts_us;
    return av_rescale_q(t, s->tb, AV_TIME_BASE_Q) + s->loop_offset_us;
}

static void decode(struct session *s)
{
    int ret = avcodec_send_packet(s->dec, s->pkt);

    if (ret < 0 && ret != AVERROR(EAGAIN)) {
        STAT_ADD(s->cam, decode_errors, 1);
        return;
    }
    while ((ret = avcodec_receive_frame(s->dec, s->frm)) >= 0) {
        STAT_ADD(s->cam, frames, 1);
        analyse_frame(s, s->frm, frame_ts(s));
        av_frame_unref(s->frm);
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        STAT_ADD(s->cam, decode_errors, 1);
}

/* A new timeline (jump, parameter change, loop): the ring and the clip end. */
static void discontinuity(struct session *s, const char *why)
{
    porch__hub_logf(s->cam->hub, PORCH_HUB_WARN, cname(s), "%s: clip closed, pre-roll reset",
                    why);
    event_close(s, s->last_ts_us);
    porch_pkt_ring_clear(s->cam->ring);
    if (s->cam->trig.ops->reset)
        s->cam->trig.ops->reset(s->cam->trig.self);
    avcodec_flush_buffers(s->dec);
}

static int param_change(struct session *s)
{
    size_t len = 0;
    const uint8_t *ed = av_packet_get_side_data(s->pkt, AV_PKT_DATA_NEW_EXTRADATA, &len);
    uint8_t *copy;

    if (!ed || len == 0 || len > (1u << 20) ||
        (len == (size_t)s->par->extradata_size && !memcmp(ed, s->par->extradata, len)))
        return PORCH_OK;
    STAT_ADD(s->cam, param_changes, 1);
    discontinuity(s, "codec parameters changed");
    if (!(copy = av_mallocz(len + AV_INPUT_BUFFER_PADDING_SIZE)))
        return PORCH_ERR_NOMEM;
    memcpy(copy, ed, len);
    av_free(s->par->extradata);
    s->par->extradata = copy;
    s->par->extradata_size = (int)len;
    return PORCH_OK;
}

/* Stream time of the packet in microseconds (loops shifted onto one timeline). */
static int64_t packet_ts(struct session *s)
{
    int64_t t = s->pkt->pts != AV_NOPTS_VALUE ? s->pkt->pts : s->pkt->dts;

    if (t == AV_NOPTS_VALUE)
        return s->last_ts_us == INT64_MIN ? 0 : s->last_ts_us + s->step_us;
    return av_rescale_q(t, s->tb, AV_TIME_BASE_Q) + s->loop_offset_us;
}

static void check_jump(struct session *s, int64_t ts)
{
    if (s->last_ts_us == INT64_MIN)
        return;
    if (ts < s->last_ts_us - TS_JUMP_BACK_US || ts > s->last_ts_us + TS_JUMP_FWD_US) {
        STAT_ADD(s->cam, ts_jumps, 1);
        discontinuity(s, "timestamp jump");
        s->pace_wall0 = 0;
    } else if (ts > s->last_ts_us) {
        s->step_us = ts - s->last_ts_us;
    }
}

static void pace(struct session *s, int64_t ts)
{
    int64_t now = porch__mono_us(), due;

    if (!s->cam->cfg->realtime)
        return;
    if (s->pace_wall0 == 0) {
        s->pace_wall0 = now;
        s->pace_ts0 = ts;
    }
    due = s->pace_wall0 + (ts - s->pace_ts0);
    if (due > now + 1000) {
        STAT_ADD(s->cam, paced_sleeps, 1);
        porch__hub_sleep(s->cam->hub, due - now > 1000000 ? 1000000 : due - now);
    }
}

static void record(struct session *s, int64_t ts)
{
    int key = (s->pkt->flags & AV_PKT_FLAG_KEY) != 0;

    if (s->rec && (ts >= s->end_at || ts - s->ev_start_ts >= s->cam->cfg->max_event_us)) {
        s->cont = ts < s->end_at && s->end_at == INT64_MAX;
        event_close(s, ts);
    }
    if (!s->rec && s->cont && key) {
        s->cont = 0;
        if (event_open(s, 0) != PORCH_OK)
            return;
    }
    if (s->rec && porch_event_rec_packet(s->rec, s->pkt) != PORCH_OK) {
        STAT_ADD(s->cam, record_errors, 1);
        porch__hub_logf(s->cam->hub, PORCH_HUB_WARN, cname(s),
                        "bad packet for the recorder at %.3f s: the clip ends here",
                        (double)ts / 1e6);
        event_close(s, ts);
    }
}

static void on_packet(struct session *s)
{
    int64_t ts;

    STAT_ADD(s->cam, packets, 1);
    s->got_packets = 1;
    if (param_change(s) != PORCH_OK)
        return;
    ts = packet_ts(s);
    check_jump(s, ts);
    s->last_ts_us = ts;
    pace(s, ts);
    if (porch_pkt_ring_push(s->cam->ring, s->pkt, ts) != PORCH_OK)
        return;
    pthread_mutex_lock(&s->cam->mu);
    s->cam->st.ring_overflows = porch_pkt_ring_overflows(s->cam->ring);
    pthread_mutex_unlock(&s->cam->mu);
    record(s, ts);
    if (!s->sub)
        decode(s);
    else
        s->fail = porch__sub_until(s->sub, ts, sub_frame, s);
}

/* End of a file: loop onto the same timeline, or report the end. */
static int rewind_input(struct session *s)
{
    if (!s->cam->cfg->loop)
        return AVERROR_EOF;
    if (av_seek_frame(s->ic, s->vidx, INT64_MIN, AVSEEK_FLAG_BACKWARD) < 0 &&
        avformat_seek_file(s->ic, -1, INT64_MIN, 0, 0, 0) < 0)
        return AVERROR_EOF;
    s->loop_offset_us = s->last_ts_us + s->step_us -
                        (s->ic->start_time != AV_NOPTS_VALUE ? s->ic->start_time : 0);
    avcodec_flush_buffers(s->dec);
    if (s->cam->trig.ops->reset)
        s->cam->trig.ops->reset(s->cam->trig.self);
    return 0;
}

static int is_file(const char *url)
{
    return !strstr(url, "://") || !strncmp(url, "file:", 5);
}

static int read_loop(struct session *s)
{
    int ret;

    while (!atomic_load(&s->cam->hub->stop)) {
        s->io.deadline_us = porch__mono_us() + PORCH_HUB_IO_TIMEOUT_US;
        ret = av_read_frame(s->ic, s->pkt);
        if (ret == AVERROR_EOF && (ret = rewind_input(s)) == 0)
            continue;
        /* A network camera never "ends": its end of stream is a loss. */
        if (ret == AVERROR_EOF)
            return is_file(s->cam->cfg->url) ? PORCH_OK : PORCH_ERR_HUB_STREAM;
        if (ret < 0)
            return ret == AVERROR(ENOMEM) ? PORCH_ERR_NOMEM : PORCH_ERR_HUB_STREAM;
        if (s->pkt->stream_index == s->vidx && s->pkt->size > 0)
            on_packet(s);
        av_packet_unref(s->pkt);
        if (s->fail)
            return s->fail;
    }
    return PORCH_ERR_HUB_STOPPED;
}

static int open_decoder(struct session *s)
{
    const AVStream *st = s->ic->streams[s->vidx];

    if (!(s->par = avcodec_parameters_alloc()) || !(s->pkt = av_packet_alloc()) ||
        !(s->frm = av_frame_alloc()) || avcodec_parameters_copy(s->par, st->codecpar) < 0)
        return PORCH_ERR_NOMEM;
    s->tb = st->time_base;
    return porch__analysis_decoder_open(&s->dec, st->codecpar, st->time_base,
                                        s->cam->cfg->fast_decode);
}

static int session_open(struct session *s)
{
    const char *url = s->cam->cfg->url;
    int ret = porch__hub_open_input(&s->ic, s->cam->cfg, url, &s->io);

    if (ret != PORCH_OK)
        return ret;
    ret = av_find_best_stream(s->ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (ret < 0)
        return ret == AVERROR_STREAM_NOT_FOUND ? PORCH_ERR_MEDIA_NO_VIDEO : PORCH_ERR_MEDIA;
    s->vidx = ret;
    if ((ret = open_decoder(s)) != PORCH_OK || !s->cam->cfg->analysis_url[0])
        return ret;
    if ((ret = porch__sub_open(&s->sub, s->cam->cfg, &s->cam->hub->stop)) != PORCH_OK)
        porch__hub_logf(s->cam->hub, PORCH_HUB_WARN, cname(s),
                        "cannot open the analysis stream (analysis_url): %s", porch_strerror(ret));
    return ret;
}

static void session_free(struct session *s)
{
    av_packet_free(&s->pkt);
    av_frame_free(&s->frm);
    avcodec_free_context(&s->dec);
    avcodec_parameters_free(&s->par);
    avformat_close_input(&s->ic);
    porch__sub_free(s->sub);
    free(s->grey);
}

/* One connection: returns why it ended. */
static int session_run(struct porch__camera *cam, int *got_packets)
{
    struct session s;
    int ret;

    memset(&s, 0, sizeof s);
    s.cam = cam;
    s.io.stop = &cam->hub->stop;
    s.last_ts_us = INT64_MIN;
    s.end_at = INT64_MAX;
    s.step_us = 66666;
    if ((ret = session_open(&s)) == PORCH_OK) {
        STAT_ADD(cam, connects, 1);
        porch__hub_logf(cam->hub, PORCH_HUB_INFO, cam->cfg->name, "connected: %s, %dx%d",
                        avcodec_get_name(s.par->codec_id), s.par->width, s.par->height);
        if (s.sub) {
            int w = 0, h = 0;
            porch__sub_size(s.sub, &w, &h);
            porch__hub_logf(cam->hub, PORCH_HUB_INFO, cam->cfg->name,
                            "analysis stream: %dx%d (the main stream is recorded, not decoded)",
                            w, h);
        }
        ret = read_loop(&s);
        event_close(&s, s.last_ts_us);
    }
    *got_packets = s.got_packets;
    porch_pkt_ring_clear(cam->ring);
    if (cam->trig.ops->reset)
        cam->trig.ops->reset(cam->trig.self);
    session_free(&s);
    return ret;
}

static void camera_loop(struct porch__camera *cam)
{
    int64_t backoff = PORCH_HUB_BACKOFF_MIN_US;
    int got = 0, ret;

    while (!atomic_load(&cam->hub->stop)) {
        ret = session_run(cam, &got);
        if (ret == PORCH_OK) {
            porch__hub_logf(cam->hub, PORCH_HUB_INFO, cam->cfg->name, "end of input");
            return;
        }
        if (ret == PORCH_ERR_HUB_STOPPED || atomic_load(&cam->hub->stop))
            return;
        if (got)
            backoff = PORCH_HUB_BACKOFF_MIN_US;
        STAT_ADD(cam, failures, 1);
        porch__hub_logf(cam->hub, PORCH_HUB_WARN, cam->cfg->name,
                        "stream %s (%s: %s); retrying in %.1f s", got ? "lost" : "unavailable",
                        porch_errname(ret), porch_strerror(ret), (double)backoff / 1e6);
        if (porch__hub_sleep(cam->hub, backoff))
            return;
        backoff = backoff * 2 > PORCH_HUB_BACKOFF_MAX_US ? PORCH_HUB_BACKOFF_MAX_US : backoff * 2;
    }
}

void *porch__camera_main(void *arg)
{
    struct porch__camera *cam = arg;

    camera_loop(cam);
    pthread_mutex_lock(&cam->mu);
    cam->st.running = 0;
    pthread_mutex_unlock(&cam->mu);
    return NULL;
}
