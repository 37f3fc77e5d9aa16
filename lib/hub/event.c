/*
 * event.c: one event clip, from packets to a sealed clip in the spool.
 *
 *   start: sealed notice queued + clip writer (header, fsynced) + tail(0) + fMP4 muxer
 *   each muxer piece: seal record -> append+fdatasync -> seal tail(next) -> write tail
 *   finish: flush muxer -> seal META -> append, fsync, rename to .clip
 *
 * The metadata in every tail is the best known so far (reason, labels,
 * thumbnail, end time = last packet), so a clip closed by crash recovery
 * still says why it fired. If the muxer or a seal fails mid-event (garbage
 * from the camera, disk full), the clip is closed with what is sealed and
 * the event continues unrecorded rather than harming the camera thread.
 */
#include <stdlib.h>
#include <string.h>

#include <libavutil/mathematics.h>

#include "porchlight/error.h"
#include "porchlight/hub_record.h"
#include "porchlight/media.h"
#include "porchlight/notice.h"

struct porch_event_rec {
    porch_clip_writer *w;
    porch_spool_clip *sc;
    porch_fmp4_muxer *mux;
    int mux_err;               /* first muxer/seal error; later packets are ignored */
    uint64_t start_us;
    int64_t src_start_us, src_last_us;
    AVRational tb;
    char reason[PORCH_META_MAX_REASON + 1];
    porch_label *labels;
    size_t n_labels, cap_labels;
    uint8_t *thumb;
    size_t thumb_len;
    uint64_t packets;
    uint32_t records;
};

static int encode_meta(const porch_event_rec *e, uint64_t end_us, uint8_t **out, size_t *len)
{
    porch_clip_meta m;

    memset(&m, 0, sizeof m);
    m.end_us = end_us;
    memcpy(m.reason, e->reason, sizeof m.reason);
    m.labels = e->labels;
    m.n_labels = e->n_labels;
    m.thumbnail = e->thumb;
    m.thumbnail_len = e->thumb_len;
    return porch_meta_encode(&m, out, len);
}

static uint64_t wall_at(const porch_event_rec *e, int64_t src_us)
{
    int64_t d = src_us - e->src_start_us;

    return d > 0 ? e->start_us + (uint64_t)d : e->start_us;
}

static int write_tail(porch_event_rec *e)
{
    const uint8_t *rec = NULL;
    uint8_t *meta = NULL;
    size_t meta_len = 0, rec_len = 0;
    int ret = encode_meta(e, wall_at(e, e->src_last_us), &meta, &meta_len);

    if (ret == PORCH_OK)
        ret = porch_clip_writer_seal_tail(e->w, meta, meta_len, &rec, &rec_len);
    if (ret == PORCH_OK)
        ret = porch_spool_clip_tail(e->sc, rec, rec_len);
    free(meta);
    return ret;
}

static int on_piece(void *ctx, porch_fmp4_part part, const uint8_t *data, size_t len,
                    const porch_fmp4_piece_info *info)
{
    porch_event_rec *e = ctx;
    const uint8_t *rec = NULL;
    size_t rec_len = 0;
    int ret;

    (void)info;
    ret = porch_clip_writer_append(e->w, part == PORCH_FMP4_INIT ? PORCH_RECORD_INIT
                                                                 : PORCH_RECORD_MEDIA,
                                   data, len, &rec, &rec_len);
    if (ret == PORCH_OK)
        ret = porch_spool_clip_append(e->sc, rec, rec_len);
    if (ret == PORCH_OK) {
        e->records++;
        ret = write_tail(e);
    }
    return ret;
}

/* The event's sealed notice (camera, time, reason, naming the clip), queued
 * before the clip's first byte so that users are told while it happens and
 * a crash cannot lose it (spool_notice.c). */
static int queue_notice(porch_event_rec *e, const porch_event_rec_opts *o,
                        const porch_clip_info *info)
{
    porch_clip_meta m;
    uint8_t *notice = NULL;
    size_t len = 0;
    int ret;

    if (!porch_spool_notices_on(o->spool))
        return PORCH_OK;
    memset(&m, 0, sizeof m);
    memcpy(m.reason, e->reason, sizeof m.reason);
    ret = porch_notice_seal(&notice, &len, o->hub, o->roster, o->camera, e->start_us,
                            info->clip_id, &m);
    if (ret == PORCH_OK)
        ret = porch_spool_notice_put(o->spool, info, notice, len);
    free(notice);
    return ret;
}

static int begin(porch_event_rec *e, const porch_event_rec_opts *o)
{
    porch_clip_info info;
    const uint8_t *hdr = NULL, *tail = NULL;
    uint8_t *meta = NULL;
    size_t hdr_len = 0, tail_len = 0, meta_len = 0;
    int ret;

    if ((ret = porch_clip_writer_new(&e->w, o->hub, o->roster, o->camera, e->start_us)) !=
        PORCH_OK)
        return ret;
    porch_clip_writer_info(e->w, &info);
    if ((ret = queue_notice(e, o, &info)) == PORCH_OK &&
        (ret = porch_clip_writer_header(e->w, &hdr, &hdr_len)) == PORCH_OK &&
        (ret = encode_meta(e, e->start_us, &meta, &meta_len)) == PORCH_OK &&
        (ret = porch_clip_writer_seal_tail(e->w, meta, meta_len, &tail, &tail_len)) ==
            PORCH_OK)
        ret = porch_spool_clip_begin(o->spool, &e->sc, &info, hdr, hdr_len, tail, tail_len);
    free(meta);
    if (ret == PORCH_OK)
        ret = porch_fmp4_muxer_new(&e->mux, o->par, o->time_base, on_piece, e);
    return ret;
}

int porch_event_rec_start(porch_event_rec **out, const porch_event_rec_opts *o,
                          uint64_t start_us, int64_t src_start_us, const char *reason)
{
    porch_event_rec *e;
    int ret;

    if (out)
        *out = NULL;
    if (!out || !o || !o->hub || !o->roster || !o->spool || !o->camera || !o->par || !reason)
        return PORCH_ERR_INVALID_ARG;
    if (!(e = calloc(1, sizeof *e)))
        return PORCH_ERR_NOMEM;
    e->start_us = start_us;
    e->src_start_us = e->src_last_us = src_start_us;
    e->tb = o->time_base;
    snprintf(e->reason, sizeof e->reason, "%s", reason);
    if ((ret = begin(e, o)) != PORCH_OK) {
        porch_event_rec_abort(e);
        return ret;
    }
    *out = e;
    return PORCH_OK;
}

int porch_event_rec_packet(porch_event_rec *e, const AVPacket *pkt)
{
    int64_t ts;

    if (!e || !pkt)
        return PORCH_ERR_INVALID_ARG;
    if (e->mux_err)
        return e->mux_err;
    ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (ts != AV_NOPTS_VALUE)
        e->src_last_us = av_rescale_q(ts, e->tb, AV_TIME_BASE_Q);
    e->mux_err = porch_fmp4_muxer_write(e->mux, pkt);
    if (e->mux_err == PORCH_OK)
        e->packets++;
    return e->mux_err;
}

int porch_event_rec_label(porch_event_rec *e, const porch_label *l, int64_t src_us)
{
    if (!e || !l)
        return PORCH_ERR_INVALID_ARG;
    if (e->n_labels >= PORCH_META_MAX_LABELS)
        return PORCH_OK;
    if (e->n_labels == e->cap_labels) {
        size_t ncap = e->cap_labels ? 2 * e->cap_labels : 16;
        porch_label *p = realloc(e->labels, ncap * sizeof *p);
        if (!p)
            return PORCH_ERR_NOMEM;
        e->labels = p;
        e->cap_labels = ncap;
    }
    e->labels[e->n_labels] = *l;
    e->labels[e->n_labels].t_ms =
        src_us > e->src_start_us ? (uint32_t)((src_us - e->src_start_us) / 1000) : 0;
    e->n_labels++;
    return PORCH_OK;
}

int porch_event_rec_thumbnail(porch_event_rec *e, const uint8_t *jpeg, size_t len)
{
    uint8_t *p;

    if (!e || !jpeg || len == 0 || len > PORCH_META_MAX_THUMBNAIL)
        return PORCH_ERR_INVALID_ARG;
    if (!(p = malloc(len)))
        return PORCH_ERR_NOMEM;
    memcpy(p, jpeg, len);
    free(e->thumb);
    e->thumb = p;
    e->thumb_len = len;
    return PORCH_OK;
}

void porch_event_rec_counts(const porch_event_rec *e, uint64_t *packets, uint32_t *records)
{
    if (packets)
        *packets = e ? e->packets : 0;
    if (records)
        *records = e ? e->records : 0;
}

static void rec_free(porch_event_rec *e)
{
    porch_fmp4_muxer_free(e->mux);
    porch_clip_writer_free(e->w);
    free(e->labels);
    free(e->thumb);
    free(e);
}

int porch_event_rec_finish(porch_event_rec *e, uint64_t end_us, char name[PORCH_SPOOL_NAME_BYTES])
{
    const uint8_t *rec = NULL;
    uint8_t *meta = NULL;
    size_t meta_len = 0, rec_len = 0;
    int ret, mux_ret = PORCH_OK;

    if (name)
        name[0] = '\0';
    if (!e)
        return PORCH_ERR_INVALID_ARG;
    if (!e->mux_err)
        mux_ret = porch_fmp4_muxer_finish(e->mux);
    ret = encode_meta(e, end_us, &meta, &meta_len);
    if (ret == PORCH_OK)
        ret = porch_clip_writer_finish(e->w, meta, meta_len, &rec, &rec_len);
    free(meta);
    if (ret == PORCH_OK) {
        ret = porch_spool_clip_finish(e->sc, rec, rec_len, name);
        e->sc = NULL;
    }
    if (ret != PORCH_OK) {
        porch_spool_clip_abort(e->sc);
        e->sc = NULL;
    }
    rec_free(e);
    return ret != PORCH_OK ? ret : mux_ret;
}

void porch_event_rec_abort(porch_event_rec *e)
{
    if (!e)
        return;
    porch_spool_clip_abort(e->sc);
    rec_free(e);
}
