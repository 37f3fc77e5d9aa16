/*
 * fmp4_mux.c: a push-style fragmented-MP4 muxer that copies packets.
 *
 * FFmpeg's mp4 muxer runs with movflags frag_custom+empty_moov+
 * default_base_moof+skip_trailer and writes into a custom AVIOContext whose
 * callback appends to a growable buffer (m->out). Pieces come out as:
 *
 *   avformat_write_header   -> ftyp+moov     (kept in m->init, sent to fn
 *                                             when the first fragment starts)
 *   av_write_frame(pkt)...  -> nothing yet   (samples wait inside movenc)
 *   av_write_frame(NULL)    -> moof+mdat     (one FRAGMENT, sent to fn)
 *
 * A fragment is flushed when the next keyframe arrives, so every fragment
 * starts with a keyframe and holds exactly one GOP. The newest packet is
 * held back ("held") until its successor arrives: movenc writes the last
 * sample of a fragment with the packet's own duration, which live sources
 * often leave at 0, so a missing duration is filled from the dts step.
 *
 * State (no globals; everything lives in the muxer):
 *
 *   new --write(non-key)--> (dropped) ...
 *       --write(key)------> INIT sent, fragment open --write(key)--> FRAGMENT
 *       sent, next fragment open ... --finish--> last FRAGMENT sent, closed
 *   any error -> dead: m->err is returned by every later call.
 */
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/mathematics.h>

#include "porchlight/error.h"
#include "porchlight/media.h"
#include "media/media_internal.h"

/* AVIO staging buffer handed to FFmpeg; its size only bounds call sizes. */
#define IO_BUF_SIZE 65536
/* Room left in a piece for ftyp/moof/trun overhead beyond the sample
 * bytes: trun costs at most 16 bytes per sample, so 2 MiB covers
 * PORCH_FMP4_FRAG_PACKETS_MAX samples comfortably. */
#define FRAG_OVERHEAD ((size_t)2 * 1024 * 1024)
#define MOVFLAGS "frag_custom+empty_moov+default_base_moof+skip_trailer"

/* The fragment being built (timestamps in the caller's time base). */
struct frag {
    uint32_t n_packets;
    size_t bytes;       /* sample bytes so far; <= PIECE_MAX - FRAG_OVERHEAD */
    int64_t start;      /* earliest pts in the fragment */
    int64_t end;        /* latest pts + duration in the fragment */
};

struct porch_fmp4_muxer {
    AVFormatContext *oc;  /* mp4 muxer; oc->pb == pb */
    AVIOContext *pb;      /* custom IO: write_cb appends to out */
    AVPacket *held;       /* newest accepted packet, not yet muxed */
    AVPacket *tmp;        /* scratch copy of held in the output time base */
    AVRational in_tb;     /* time base of the caller's packets */
    porch_fmp4_fn fn;
    void *ctx;
    porch__mbuf out;      /* bytes written by movenc since the last piece */
    porch__mbuf init;     /* the INIT piece, kept for the whole life */
    int io_err;           /* first error write_cb hit (movenc only sees EIO) */
    int err;              /* sticky: once non-zero, the muxer is dead */
    int finished;
    int started;          /* a keyframe arrived: INIT sent, fragment open */
    int have_held;
    uint32_t next_index;  /* index of the next piece handed to fn */
    uint32_t fragments;   /* FRAGMENT pieces handed to fn */
    int64_t first_start;  /* start of the first fragment, or AV_NOPTS_VALUE */
    int64_t last_duration; /* duration of the last muxed packet */
    struct frag cur;
};

#if LIBAVFORMAT_VERSION_MAJOR >= 61
typedef const uint8_t io_bytes;
#else
typedef uint8_t io_bytes;
#endif

/* AVIO write callback: movenc's bytes land in m->out, capped. */
static int write_cb(void *opaque, io_bytes *buf, int n)
{
    porch_fmp4_muxer *m = opaque;
    int err;

    if (m->io_err)
        return AVERROR(EIO);
    err = porch__mbuf_append(&m->out, buf, n > 0 ? (size_t)n : 0);
    if (err != PORCH_OK) {
        m->io_err = err;
        return AVERROR(EIO);
    }
    return n;
}

/* Codecs whose MP4 sample entry is built from extradata (avcC, hvcC):
 * without it, empty_moov would write an unplayable INIT. */
static int needs_extradata(enum AVCodecID id)
{
    return id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC;
}

static int check_params(const AVCodecParameters *video, AVRational tb)
{
    if (video->codec_type != AVMEDIA_TYPE_VIDEO || tb.num <= 0 || tb.den <= 0)
        return PORCH_ERR_INVALID_ARG;
    if (needs_extradata(video->codec_id) && video->extradata_size <= 0)
        return PORCH_ERR_MEDIA;
    if (video->width <= 0 || video->height <= 0)
        return PORCH_ERR_MEDIA;
    return PORCH_OK;
}

/* Creates m->oc (mp4 muxer, one video stream) writing through m->pb.
 * Ownership: oc, pb and pb's buffer belong to m and are freed by
 * porch_fmp4_muxer_free, also when this fails halfway. */
static int open_output(porch_fmp4_muxer *m, const AVCodecParameters *video)
{
    uint8_t *iobuf;
    AVStream *st;
    int ret;

    ret = avformat_alloc_output_context2(&m->oc, NULL, "mp4", NULL);
    if (ret < 0 || m->oc == NULL)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    if (avformat_query_codec(m->oc->oformat, video->codec_id,
                             FF_COMPLIANCE_NORMAL) != 1)
        return PORCH_ERR_MEDIA;
    if ((st = avformat_new_stream(m->oc, NULL)) == NULL)
        return PORCH_ERR_NOMEM;
    if (avcodec_parameters_copy(st->codecpar, video) < 0)
        return PORCH_ERR_NOMEM;
    st->codecpar->codec_tag = 0; /* the source's tag may not be an MP4 one */
    st->time_base = m->in_tb;
    if ((iobuf = av_malloc(IO_BUF_SIZE)) == NULL)
        return PORCH_ERR_NOMEM;
    m->pb = avio_alloc_context(iobuf, IO_BUF_SIZE, 1, m, NULL, write_cb, NULL);
    if (m->pb == NULL) {
        av_free(iobuf);
        return PORCH_ERR_NOMEM;
    }
    m->oc->pb = m->pb;
    /* Bitexact: no library version or creation time in the INIT. */
    m->oc->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_BITEXACT;
    /* Shift timestamps so every clip starts at 0, without edit lists. */
    m->oc->avoid_negative_ts = AVFMT_AVOID_NEG_TS_MAKE_ZERO;
    return PORCH_OK;
}

/* Pushes what movenc wrote into m->out and reports the first failure. */
static int drain(porch_fmp4_muxer *m, int ret)
{
    avio_flush(m->pb);
    if (m->io_err)
        return m->io_err;
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_MEDIA);
    if (m->pb->error < 0)
        return porch__averr(m->pb->error, PORCH_ERR_MEDIA);
    return PORCH_OK;
}

/* Writes ftyp+moov and moves them from m->out into m->init (both buffers
 * belong to m; swapping them moves ownership, nothing is copied). */
static int write_init(porch_fmp4_muxer *m)
{
    AVDictionary *opts = NULL;
    porch__mbuf t;
    int ret, err;

    if (av_dict_set(&opts, "movflags", MOVFLAGS, 0) < 0)
        return PORCH_ERR_NOMEM;
    ret = avformat_write_header(m->oc, &opts);
    av_dict_free(&opts);
    if ((err = drain(m, ret)) != PORCH_OK)
        return err;
    if (m->out.len == 0)
        return PORCH_ERR_MEDIA;
    t = m->init;
    m->init = m->out;
    m->out = t;
    return PORCH_OK;
}

/*
 * Ownership: on success *out is a new muxer owned by the caller, freed
 * with porch_fmp4_muxer_free(); it holds its own copy of `video`. On
 * failure *out stays NULL and nothing is left allocated.
 */
int porch_fmp4_muxer_new(porch_fmp4_muxer **out, const AVCodecParameters *video,
                         AVRational time_base, porch_fmp4_fn fn, void *ctx)
{
    porch_fmp4_muxer *m = NULL;
    int err;

    if (out != NULL)
        *out = NULL;
    if (out == NULL || video == NULL || fn == NULL)
        return PORCH_ERR_INVALID_ARG;
    if ((err = check_params(video, time_base)) != PORCH_OK)
        return err;
    err = PORCH_ERR_NOMEM;
    if ((m = calloc(1, sizeof(*m))) == NULL)
        goto out;
    m->in_tb = time_base;
    m->fn = fn;
    m->ctx = ctx;
    m->first_start = AV_NOPTS_VALUE;
    porch__mbuf_init(&m->out, PORCH_FMP4_PIECE_MAX);
    porch__mbuf_init(&m->init, PORCH_FMP4_PIECE_MAX);
    m->held = av_packet_alloc();
    m->tmp = av_packet_alloc();
    if (m->held == NULL || m->tmp == NULL)
        goto out;
    if ((err = open_output(m, video)) != PORCH_OK)
        goto out;
    err = write_init(m);
out:
    if (err != PORCH_OK)
        porch_fmp4_muxer_free(m);
    else
        *out = m;
    return err;
}

void porch_fmp4_muxer_free(porch_fmp4_muxer *m)
{
    if (m == NULL)
        return;
    avformat_free_context(m->oc); /* custom IO: does not touch m->pb */
    if (m->pb != NULL) {
        av_freep(&m->pb->buffer); /* FFmpeg may have replaced our buffer */
        avio_context_free(&m->pb);
    }
    av_packet_free(&m->held);
    av_packet_free(&m->tmp);
    porch__mbuf_free(&m->out);
    porch__mbuf_free(&m->init);
    free(m);
}

static int64_t to_us(const porch_fmp4_muxer *m, int64_t ts)
{
    return av_rescale_q(ts, m->in_tb, AV_TIME_BASE_Q);
}

/* The timestamp that orders packets: dts when known, else pts. */
static int64_t order_ts(const AVPacket *p)
{
    return p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
}

static int64_t show_ts(const AVPacket *p)
{
    return p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
}

static int send_piece(porch_fmp4_muxer *m, porch_fmp4_part part,
                      const porch__mbuf *b, const porch_fmp4_piece_info *info)
{
    return m->fn(m->ctx, part, b->p, b->len, info);
}

static int send_init(porch_fmp4_muxer *m)
{
    porch_fmp4_piece_info info = { 0 };

    info.index = m->next_index++;
    return send_piece(m, PORCH_FMP4_INIT, &m->init, &info);
}

/* Cuts the open fragment (moof+mdat) and hands it to fn. */
static int flush_fragment(porch_fmp4_muxer *m)
{
    porch_fmp4_piece_info info = { 0 };
    int err;

    if ((err = drain(m, av_write_frame(m->oc, NULL))) != PORCH_OK)
        return err;
    if (m->out.len == 0)
        return PORCH_ERR_MEDIA;
    if (m->first_start == AV_NOPTS_VALUE)
        m->first_start = m->cur.start;
    info.index = m->next_index++;
    info.start_us = to_us(m, porch__ts_sub(m->cur.start, m->first_start));
    info.src_start_us = to_us(m, m->cur.start);
    info.duration_us = to_us(m, porch__ts_sub(m->cur.end, m->cur.start));
    info.n_packets = m->cur.n_packets;
    err = send_piece(m, PORCH_FMP4_FRAGMENT, &m->out, &info);
    porch__mbuf_reset(&m->out);
    memset(&m->cur, 0, sizeof(m->cur));
    m->fragments++;
    return err;
}

static void account(struct frag *f, const AVPacket *p)
{
    int64_t pts = show_ts(p);
    int64_t end = porch__ts_add(pts, p->duration > 0 ? p->duration : 0);

    if (f->n_packets == 0 || pts < f->start)
        f->start = pts;
    if (f->n_packets == 0 || end > f->end)
        f->end = end;
    f->n_packets++;
    f->bytes += (size_t)p->size;
}

/* Gives the held packet to movenc (it joins the open fragment). movenc
 * keeps its own reference until the fragment is flushed; m->tmp is only a
 * temporary reference, dropped before returning. */
static int mux_held(porch_fmp4_muxer *m)
{
    AVStream *st = m->oc->streams[0];
    int ret;

    if (m->cur.n_packets >= PORCH_FMP4_FRAG_PACKETS_MAX ||
        (size_t)m->held->size > PORCH_FMP4_PIECE_MAX - FRAG_OVERHEAD - m->cur.bytes)
        return PORCH_ERR_TOO_LARGE;
    account(&m->cur, m->held);
    m->last_duration = m->held->duration;
    if (av_packet_ref(m->tmp, m->held) < 0)
        return PORCH_ERR_NOMEM;
    m->tmp->stream_index = 0;
    av_packet_rescale_ts(m->tmp, m->in_tb, st->time_base);
    ret = av_write_frame(m->oc, m->tmp);
    av_packet_unref(m->tmp);
    m->have_held = 0;
    return drain(m, ret);
}

/* A held packet without a duration lasts until its successor's dts. */
static void fill_duration(AVPacket *held, const AVPacket *next)
{
    int64_t d;

    if (held->duration > 0 || order_ts(held) == AV_NOPTS_VALUE)
        return;
    d = porch__ts_sub(order_ts(next), order_ts(held));
    if (d > 0)
        held->duration = d;
}

/* Ownership: m->held takes a new reference to pkt's data (or a copy if
 * pkt is not reference-counted); the caller keeps pkt. */
static int hold(porch_fmp4_muxer *m, const AVPacket *pkt)
{
    av_packet_unref(m->held);
    if (av_packet_ref(m->held, pkt) < 0)
        return PORCH_ERR_NOMEM;
    m->have_held = 1;
    return PORCH_OK;
}

/* A keyframe closes the open fragment (or, the first time, sends INIT). */
static int on_keyframe(porch_fmp4_muxer *m)
{
    if (!m->started) {
        m->started = 1;
        return send_init(m);
    }
    return m->cur.n_packets > 0 ? flush_fragment(m) : PORCH_OK;
}

static int accept_packet(porch_fmp4_muxer *m, const AVPacket *pkt)
{
    int err;

    if (m->have_held) {
        fill_duration(m->held, pkt);
        if ((err = mux_held(m)) != PORCH_OK)
            return err;
    }
    if ((pkt->flags & AV_PKT_FLAG_KEY) && (err = on_keyframe(m)) != PORCH_OK)
        return err;
    return hold(m, pkt);
}

int porch_fmp4_muxer_write(porch_fmp4_muxer *m, const AVPacket *pkt)
{
    if (m == NULL || pkt == NULL)
        return PORCH_ERR_INVALID_ARG;
    if (m->err != PORCH_OK)
        return m->err;
    if (m->finished)
        return PORCH_ERR_INVALID_ARG;
    if (pkt->pts == AV_NOPTS_VALUE && pkt->dts == AV_NOPTS_VALUE)
        return m->err = PORCH_ERR_MEDIA;
    /* Nothing to copy, or nothing decodable before the first keyframe. */
    if (pkt->size <= 0 || (!m->started && !(pkt->flags & AV_PKT_FLAG_KEY)))
        return PORCH_OK;
    return m->err = accept_packet(m, pkt);
}

static int finish_inner(porch_fmp4_muxer *m)
{
    int err;

    if (m->have_held) {
        /* The last packet has no successor: reuse the previous step. */
        if (m->held->duration <= 0)
            m->held->duration = m->last_duration > 0 ? m->last_duration : 1;
        if ((err = mux_held(m)) != PORCH_OK)
            return err;
    }
    if (m->cur.n_packets > 0 && (err = flush_fragment(m)) != PORCH_OK)
        return err;
    /* skip_trailer: no mfra; anything movenc still writes is dropped. */
    err = drain(m, av_write_trailer(m->oc));
    porch__mbuf_reset(&m->out);
    return err;
}

int porch_fmp4_muxer_finish(porch_fmp4_muxer *m)
{
    if (m == NULL)
        return PORCH_ERR_INVALID_ARG;
    if (m->err != PORCH_OK)
        return m->err;
    if (m->finished)
        return PORCH_ERR_INVALID_ARG;
    m->finished = 1;
    return m->err = finish_inner(m);
}

int porch_fmp4_muxer_init_segment(const porch_fmp4_muxer *m,
                                  const uint8_t **data, size_t *len)
{
    if (data != NULL)
        *data = NULL;
    if (len != NULL)
        *len = 0;
    if (m == NULL || data == NULL || len == NULL)
        return PORCH_ERR_INVALID_ARG;
    *data = m->init.p;
    *len = m->init.len;
    return PORCH_OK;
}

uint32_t porch_fmp4_muxer_fragments(const porch_fmp4_muxer *m)
{
    return m != NULL ? m->fragments : 0;
}
