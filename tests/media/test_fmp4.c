/*
 * test_fmp4.c: the media module: remux to fMP4 pieces, the push muxer, the
 * piece validator and the decoding probe.
 *
 * Synthetic H.264 files come from tests/support/testvideo.c into a mkdtemp
 * directory (removed at the end). Real third-party footage is used only
 * when PORCH_TESTDATA points at it; that part SKIPs with a message
 * otherwise, the rest always runs.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "check.h"
#include "porchlight/error.h"
#include "porchlight/media.h"
#include "testvideo.h"

#define MAX_PIECES 512
#define W 176
#define H 144
#define FPS 25
#define GOP 12
#define NFRAMES 60

/* ---- collecting pieces ------------------------------------------------ */

struct piece {
    porch_fmp4_part part;
    uint8_t *data;
    size_t len;
    porch_fmp4_piece_info info;
};

struct pieces {
    struct piece v[MAX_PIECES];
    size_t n;
    size_t abort_at; /* return abort_ret once n reaches this (0 = never) */
    int abort_ret;
};

static int collect(void *ctx, porch_fmp4_part part, const uint8_t *data,
                   size_t len, const porch_fmp4_piece_info *info)
{
    struct pieces *p = ctx;
    struct piece *q;

    REQUIRE(p->n < MAX_PIECES);
    q = &p->v[p->n++];
    q->part = part;
    q->len = len;
    q->info = *info;
    q->data = malloc(len ? len : 1);
    REQUIRE(q->data != NULL);
    memcpy(q->data, data, len);
    if (p->abort_at != 0 && p->n >= p->abort_at)
        return p->abort_ret;
    return 0;
}

static void pieces_free(struct pieces *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        free(p->v[i].data);
    memset(p, 0, sizeof(*p));
}

/* INIT + fragments [first, first + count) as one buffer (malloc'd). */
static uint8_t *concat(const struct pieces *p, size_t first, size_t count,
                       size_t *len)
{
    size_t i, n = p->v[0].len, off;
    uint8_t *buf;

    for (i = first; i < first + count; i++)
        n += p->v[i].len;
    buf = malloc(n);
    REQUIRE(buf != NULL);
    memcpy(buf, p->v[0].data, p->v[0].len);
    off = p->v[0].len;
    for (i = first; i < first + count; i++) {
        memcpy(buf + off, p->v[i].data, p->v[i].len);
        off += p->v[i].len;
    }
    *len = n;
    return buf;
}

/* ---- files ------------------------------------------------------------ */

static char tmpdir[256];

static const char *tpath(const char *name)
{
    static char buf[512];

    snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
    return buf;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    *len = 0;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    REQUIRE(f != NULL);
    REQUIRE(len == 0 || fwrite(data, 1, len, f) == len);
    REQUIRE(fclose(f) == 0);
}

static void rm_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(tpath(e->d_name));
    closedir(d);
    rmdir(tmpdir);
}

/* ---- checking a remux result ------------------------------------------ */

/* Shape: INIT first, then FRAGMENTs, indices 0..n-1, all pass the check. */
static void check_shape(const struct pieces *p)
{
    size_t i;

    REQUIRE(p->n >= 2);
    CHECK(p->v[0].part == PORCH_FMP4_INIT);
    CHECK_OK(porch_fmp4_check(p->v[0].data, p->v[0].len, PORCH_FMP4_INIT));
    CHECK_ERR(porch_fmp4_check(p->v[0].data, p->v[0].len, PORCH_FMP4_FRAGMENT),
              PORCH_ERR_MALFORMED);
    for (i = 0; i < p->n; i++) {
        CHECK(p->v[i].info.index == i);
        if (i == 0)
            continue;
        CHECK(p->v[i].part == PORCH_FMP4_FRAGMENT);
        CHECK(p->v[i].len <= PORCH_FMP4_PIECE_MAX);
        CHECK_OK(porch_fmp4_check(p->v[i].data, p->v[i].len, PORCH_FMP4_FRAGMENT));
        CHECK(p->v[i].info.n_packets > 0);
    }
    CHECK(p->v[1].info.start_us == 0);
}

/* Each fragment alone (after INIT) decodes, starting at a keyframe. */
static void check_each_fragment_decodes(const struct pieces *p)
{
    porch_media_stats s;
    size_t i, len;
    uint8_t *buf;

    for (i = 1; i < p->n; i++) {
        buf = concat(p, i, 1, &len);
        CHECK_OK(porch_media_probe(buf, len, &s));
        CHECK(s.first_is_key == 1);
        CHECK(s.keyframes >= 1);
        CHECK(s.decode_errors == 0);
        CHECK(s.frames == p->v[i].info.n_packets);
        if (s.frames != p->v[i].info.n_packets)
            fprintf(stderr, "  fragment %zu: %u frames, %u packets\n", i,
                    s.frames, p->v[i].info.n_packets);
        free(buf);
    }
}

/* The whole concatenation decodes to `frames` frames; returns its stats. */
static porch_media_stats check_whole(const struct pieces *p, uint32_t frames)
{
    porch_media_stats s;
    uint32_t packets = 0;
    size_t i, len;
    uint8_t *buf = concat(p, 1, p->n - 1, &len);

    for (i = 1; i < p->n; i++)
        packets += p->v[i].info.n_packets;
    CHECK(packets == frames);
    CHECK_OK(porch_media_probe(buf, len, &s));
    CHECK(s.frames == frames);
    CHECK(s.packets == frames);
    CHECK(s.keyframes == p->n - 1);
    CHECK(s.first_is_key == 1);
    CHECK(s.decode_errors == 0);
    if (s.frames != frames)
        fprintf(stderr, "  whole: %u frames, want %u\n", s.frames, frames);
    free(buf);
    return s;
}

static void remux_generated(const char *name, unsigned flags)
{
    struct pieces p = { 0 };
    porch_media_stats s, src;
    uint8_t *file;
    size_t len, i;

    REQUIRE(porch_test_make_video_ex(tpath(name), W, H, NFRAMES, FPS, GOP, flags) == 0);
    CHECK_OK(porch_media_remux(tpath(name), NULL, collect, &p));
    check_shape(&p);
    CHECK(p.n == 1 + (NFRAMES + GOP - 1) / GOP);
    for (i = 1; i < p.n; i++) {
        CHECK(p.v[i].info.n_packets == (i < p.n - 1 ? GOP : NFRAMES - GOP * (p.n - 2)));
        /* Fragment i starts (i-1)*GOP frames in: 480 ms steps at 25 fps. */
        CHECK(llabs(p.v[i].info.start_us - (int64_t)(i - 1) * GOP * 1000000 / FPS) <= 1000);
        CHECK(llabs(p.v[i].info.duration_us -
                    (int64_t)p.v[i].info.n_packets * 1000000 / FPS) <= 1000);
    }
    check_each_fragment_decodes(&p);
    s = check_whole(&p, NFRAMES);
    CHECK(strcmp(s.codec, "h264") == 0);
    CHECK(s.width == W && s.height == H);
    CHECK(llabs(s.duration_us - (int64_t)NFRAMES * 1000000 / FPS) <= 1000);
    /* The probe reads the source too when it is an MP4. */
    if (strstr(name, ".mp4") != NULL && (file = read_all(tpath(name), &len)) != NULL) {
        CHECK_OK(porch_media_probe(file, len, &src));
        CHECK(src.frames == NFRAMES);
        free(file);
    }
    pieces_free(&p);
}

static void test_remux_generated(void)
{
    remux_generated("plain.mp4", 0);
    remux_generated("frag.mp4", PORCH_TESTVIDEO_FRAGMENTED);
    remux_generated("bframes.mp4", PORCH_TESTVIDEO_BFRAMES);
    remux_generated("video.mkv", 0);
}

static void test_remux_limits(void)
{
    porch_remux_opts o = { 0 };
    struct pieces p = { 0 };

    o.max_fragments = 2;
    CHECK_OK(porch_media_remux(tpath("plain.mp4"), &o, collect, &p));
    CHECK(p.n == 3);
    check_whole(&p, 2 * GOP);
    pieces_free(&p);

    memset(&o, 0, sizeof(o));
    o.max_duration_us = 1000000; /* 1 s = 25 frames: 12 + 12 + 1 */
    CHECK_OK(porch_media_remux(tpath("plain.mp4"), &o, collect, &p));
    CHECK(p.n == 4);
    check_shape(&p);
    check_whole(&p, FPS);
    pieces_free(&p);

    /* fn's non-zero return aborts at once and is passed through. */
    p.abort_at = 2;
    p.abort_ret = 42;
    CHECK_ERR(porch_media_remux(tpath("plain.mp4"), NULL, collect, &p), 42);
    CHECK(p.n == 2);
    pieces_free(&p);
}

/* A minimal PCM WAV: a media file without any video stream. */
static void make_wav(const char *path)
{
    static const uint8_t hdr[44] = {
        'R', 'I', 'F', 'F', 36 + 200, 0, 0, 0, 'W', 'A', 'V', 'E',
        'f', 'm', 't', ' ', 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0,
        0x80, 0x3e, 0, 0, 2, 0, 16, 0, 'd', 'a', 't', 'a', 200, 0, 0, 0,
    };
    uint8_t buf[244] = { 0 };

    memcpy(buf, hdr, sizeof(hdr));
    write_all(path, buf, sizeof(buf));
}

static void test_remux_errors(void)
{
    struct pieces p = { 0 };
    uint8_t *file;
    size_t len;

    CHECK_ERR(porch_media_remux(NULL, NULL, collect, &p), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_media_remux(tpath("plain.mp4"), NULL, NULL, &p),
              PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_media_remux(tpath("does-not-exist.mp4"), NULL, collect, &p),
              PORCH_ERR_IO);
    make_wav(tpath("audio.wav"));
    CHECK_ERR(porch_media_remux(tpath("audio.wav"), NULL, collect, &p),
              PORCH_ERR_MEDIA_NO_VIDEO);
    write_all(tpath("empty.mp4"), "", 0);
    CHECK_ERR(porch_media_remux(tpath("empty.mp4"), NULL, collect, &p), PORCH_ERR_MEDIA);
    write_all(tpath("garbage.mp4"), "this is not a video file at all, no", 36);
    CHECK_ERR(porch_media_remux(tpath("garbage.mp4"), NULL, collect, &p), PORCH_ERR_MEDIA);
    CHECK(p.n == 0);

    /* A normal MP4 keeps its moov at the end: cut in half, it is unusable. */
    REQUIRE((file = read_all(tpath("plain.mp4"), &len)) != NULL);
    write_all(tpath("half.mp4"), file, len / 2);
    CHECK_ERR(porch_media_remux(tpath("half.mp4"), NULL, collect, &p), PORCH_ERR_MEDIA);
    CHECK(p.n == 0);
    /* Damaged sample bytes are copied, not decoded: the remux still works. */
    memset(file + len / 3, 0xA5, 64);
    write_all(tpath("damaged.mp4"), file, len);
    CHECK_OK(porch_media_remux(tpath("damaged.mp4"), NULL, collect, &p));
    check_shape(&p);
    pieces_free(&p);
    free(file);

    /* An fMP4 source cut in half salvages whole fragments, or fails cleanly. */
    REQUIRE((file = read_all(tpath("frag.mp4"), &len)) != NULL);
    write_all(tpath("frag-half.mp4"), file, len / 2);
    if (porch_media_remux(tpath("frag-half.mp4"), NULL, collect, &p) == PORCH_OK) {
        check_shape(&p);
        CHECK(p.n < 1 + NFRAMES / GOP + 1);
    }
    pieces_free(&p);
    free(file);
}

/* ---- the push muxer directly ------------------------------------------- */

struct src {
    AVFormatContext *ic;
    AVPacket *pkt;
};

static void src_open(struct src *s, const char *path)
{
    REQUIRE(avformat_open_input(&s->ic, path, NULL, NULL) == 0);
    REQUIRE(avformat_find_stream_info(s->ic, NULL) >= 0);
    REQUIRE((s->pkt = av_packet_alloc()) != NULL);
}

static void src_close(struct src *s)
{
    av_packet_free(&s->pkt);
    avformat_close_input(&s->ic);
}

/* Feeds packets [skip, end) with their durations erased (as live sources
 * send them), so the muxer must derive them from the dts steps. */
static void feed(porch_fmp4_muxer *m, struct src *s, int skip)
{
    int i = 0;

    while (av_read_frame(s->ic, s->pkt) >= 0) {
        s->pkt->duration = 0;
        s->pkt->stream_index = 7; /* ignored by the muxer */
        if (i++ >= skip)
            CHECK_OK(porch_fmp4_muxer_write(m, s->pkt));
        av_packet_unref(s->pkt);
    }
}

static void test_push_muxer(void)
{
    struct pieces p = { 0 };
    porch_fmp4_muxer *m = NULL;
    const uint8_t *init;
    size_t init_len;
    struct src s = { 0 };
    AVStream *st;
    porch_media_stats ms;
    AVPacket *pkt;

    src_open(&s, tpath("plain.mp4"));
    st = s.ic->streams[0];
    CHECK_OK(porch_fmp4_muxer_new(&m, st->codecpar, st->time_base, collect, &p));
    REQUIRE(m != NULL);
    CHECK(p.n == 0); /* INIT waits for the first keyframe */
    CHECK_OK(porch_fmp4_muxer_init_segment(m, &init, &init_len));
    CHECK_OK(porch_fmp4_check(init, init_len, PORCH_FMP4_INIT));
    /* Start mid-GOP: packets 3..11 precede any keyframe and are dropped. */
    feed(m, &s, 3);
    CHECK_OK(porch_fmp4_muxer_finish(m));
    CHECK(porch_fmp4_muxer_fragments(m) == 4);
    REQUIRE(p.n == 5);
    CHECK(p.v[0].len == init_len && memcmp(p.v[0].data, init, init_len) == 0);
    check_shape(&p);
    check_each_fragment_decodes(&p);
    ms = check_whole(&p, NFRAMES - GOP);
    /* Durations were erased: they must come back from the dts steps. */
    CHECK(llabs(ms.duration_us - (int64_t)(NFRAMES - GOP) * 1000000 / FPS) <= 1000);
    CHECK(llabs(p.v[4].info.duration_us - (int64_t)GOP * 1000000 / FPS) <= 1000);

    /* After finish the muxer refuses more work. */
    REQUIRE((pkt = av_packet_alloc()) != NULL);
    CHECK_ERR(porch_fmp4_muxer_write(m, pkt), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_fmp4_muxer_finish(m), PORCH_ERR_INVALID_ARG);
    av_packet_free(&pkt);
    porch_fmp4_muxer_free(m);
    pieces_free(&p);

    /* No keyframe ever: nothing at all is emitted. */
    CHECK_OK(porch_fmp4_muxer_new(&m, st->codecpar, st->time_base, collect, &p));
    CHECK_OK(porch_fmp4_muxer_finish(m));
    CHECK(p.n == 0 && porch_fmp4_muxer_fragments(m) == 0);
    porch_fmp4_muxer_free(m);
    src_close(&s);
}

static void test_push_muxer_args(void)
{
    struct pieces p = { 0 };
    porch_fmp4_muxer *m = (porch_fmp4_muxer *)&p; /* must be reset to NULL */
    AVCodecParameters *par = avcodec_parameters_alloc();
    AVRational tb = { 1, 90000 };

    REQUIRE(par != NULL);
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = AV_CODEC_ID_H264;
    par->width = W;
    par->height = H;
    /* H.264 without extradata (avcC) cannot make a playable INIT. */
    CHECK_ERR(porch_fmp4_muxer_new(&m, par, tb, collect, &p), PORCH_ERR_MEDIA);
    CHECK(m == NULL);
    CHECK_ERR(porch_fmp4_muxer_new(NULL, par, tb, collect, &p), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_fmp4_muxer_new(&m, NULL, tb, collect, &p), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_fmp4_muxer_new(&m, par, tb, NULL, &p), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_fmp4_muxer_new(&m, par, (AVRational){ 0, 1 }, collect, &p),
              PORCH_ERR_INVALID_ARG);
    par->codec_type = AVMEDIA_TYPE_AUDIO;
    CHECK_ERR(porch_fmp4_muxer_new(&m, par, tb, collect, &p), PORCH_ERR_INVALID_ARG);
    /* A codec MP4 cannot carry. */
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = AV_CODEC_ID_CINEPAK;
    CHECK_ERR(porch_fmp4_muxer_new(&m, par, tb, collect, &p), PORCH_ERR_MEDIA);
    CHECK(m == NULL);
    CHECK_ERR(porch_fmp4_muxer_write(NULL, NULL), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_fmp4_muxer_finish(NULL), PORCH_ERR_INVALID_ARG);
    CHECK(porch_fmp4_muxer_fragments(NULL) == 0);
    porch_fmp4_muxer_free(NULL);
    avcodec_parameters_free(&par);
    CHECK(p.n == 0);
}

/* ---- the probe on bad input -------------------------------------------- */

static void test_probe_errors(void)
{
    porch_media_stats s;
    static const uint8_t junk[64] = { 0, 0, 0, 8, 'j', 'u', 'n', 'k' };

    memset(&s, 0xff, sizeof(s));
    CHECK_ERR(porch_media_probe(NULL, 10, &s), PORCH_ERR_INVALID_ARG);
    CHECK(s.frames == 0 && s.width == 0 && s.codec[0] == 0);
    CHECK_ERR(porch_media_probe(junk, 0, NULL), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_media_probe(junk, sizeof(junk), &s), PORCH_ERR_MEDIA);
    CHECK_ERR(porch_media_probe(junk, 0, &s), PORCH_ERR_MEDIA);
}

/* ---- the box validator -------------------------------------------------- */

struct bb {
    uint8_t b[70000];
    size_t n;
};

static void put32(struct bb *b, uint32_t v)
{
    REQUIRE(b->n + 4 <= sizeof(b->b));
    b->b[b->n++] = (uint8_t)(v >> 24);
    b->b[b->n++] = (uint8_t)(v >> 16);
    b->b[b->n++] = (uint8_t)(v >> 8);
    b->b[b->n++] = (uint8_t)v;
}

/* Appends a box header with an explicit size field and zeroed body. */
static void box(struct bb *b, uint32_t size, const char *type, size_t body)
{
    put32(b, size);
    REQUIRE(b->n + 4 + body <= sizeof(b->b));
    memcpy(b->b + b->n, type, 4);
    b->n += 4;
    memset(b->b + b->n, 0, body);
    b->n += body;
}

/* A leaf box of total size 8 + body. */
static void leaf(struct bb *b, const char *type, size_t body)
{
    box(b, (uint32_t)(8 + body), type, body);
}

static void moov(struct bb *b, int with_mvex)
{
    box(b, with_mvex ? 8 + 8 + 8 + 16 : 8 + 8 + 8, "moov", 0);
    leaf(b, "mvhd", 0);
    leaf(b, "trak", 0);
    if (with_mvex) {
        box(b, 16, "mvex", 0);
        leaf(b, "trex", 0);
    }
}

static void moof(struct bb *b)
{
    box(b, 8 + 8 + 16, "moof", 0);
    leaf(b, "mfhd", 0);
    box(b, 16, "traf", 0);
    leaf(b, "tfhd", 0);
}

static int chk(const struct bb *b, porch_fmp4_part part)
{
    return porch_fmp4_check(b->b, b->n, part);
}

static void test_check_init(void)
{
    struct bb b;
    unsigned i;

    b.n = 0; leaf(&b, "ftyp", 8); moov(&b, 1);
    CHECK_OK(chk(&b, PORCH_FMP4_INIT));
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "ftyp", 16); leaf(&b, "free", 3); moov(&b, 1); leaf(&b, "skip", 0);
    CHECK_OK(chk(&b, PORCH_FMP4_INIT));
    b.n = 0; leaf(&b, "ftyp", 8);                       /* moov missing */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED);
    b.n = 0; moov(&b, 1); leaf(&b, "ftyp", 8);          /* wrong order */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "free", 0); leaf(&b, "ftyp", 8); moov(&b, 1);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "ftyp", 8); moov(&b, 1); moov(&b, 1); /* two moov */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "ftyp", 8); moov(&b, 0);          /* not fragmented */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "ftyp", 8); leaf(&b, "uuid", 16); moov(&b, 1);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "ftyp", 6); moov(&b, 1);          /* ftyp too short */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "ftyp", 8); moov(&b, 1); leaf(&b, "mdat", 0);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    /* Too many boxes at one level. */
    b.n = 0; leaf(&b, "ftyp", 8); moov(&b, 1);
    for (i = 0; i < PORCH_FMP4_BOXES_MAX; i++)
        leaf(&b, "free", 0);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TOO_LARGE);
}

static void test_check_sizes(void)
{
    struct bb b;

    b.n = 0;                                             /* empty */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED);
    b.n = 0; leaf(&b, "ftyp", 8); b.n = 5;               /* inside a header */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED);
    b.n = 0; leaf(&b, "ftyp", 8); moov(&b, 1); b.n -= 1; /* past the end */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED);
    b.n = 0; box(&b, 4, "ftyp", 8);                      /* size < 8 */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "ftyp", 8); box(&b, 0x7fffffff, "moov", 0);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED);
    /* size 0: the last box runs to the end of the data. */
    b.n = 0; leaf(&b, "ftyp", 8); box(&b, 0, "moov", 0);
    leaf(&b, "mvhd", 0); leaf(&b, "trak", 0); box(&b, 16, "mvex", 0); leaf(&b, "trex", 0);
    CHECK_OK(chk(&b, PORCH_FMP4_INIT));
    b.n = 0; box(&b, 0, "ftyp", 8); moov(&b, 1);         /* ftyp swallows moov */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED);
    b.n = 0; leaf(&b, "ftyp", 8); box(&b, 32, "moov", 0); /* size 0 inside */
    leaf(&b, "mvhd", 0); leaf(&b, "trak", 0); box(&b, 0, "mvex", 8);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    /* largesize: 16-byte header. */
    b.n = 0; box(&b, 1, "ftyp", 0); put32(&b, 0); put32(&b, 24);
    put32(&b, 0); put32(&b, 0); moov(&b, 1);
    CHECK_OK(chk(&b, PORCH_FMP4_INIT));
    b.n = 0; box(&b, 1, "ftyp", 0); put32(&b, 0); put32(&b, 8); moov(&b, 1);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED); /* largesize < 16 */
    b.n = 0; box(&b, 1, "ftyp", 0); put32(&b, 0xffffffffu); put32(&b, 0); moov(&b, 1);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED); /* huge largesize */
    b.n = 0; box(&b, 1, "ftyp", 0); put32(&b, 0);        /* largesize cut */
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_TRUNCATED);
    /* A child overrunning its parent, which itself is complete. */
    b.n = 0; leaf(&b, "ftyp", 8); box(&b, 8 + 8 + 12, "moov", 0);
    leaf(&b, "mvhd", 0); box(&b, 16, "trak", 4);
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    CHECK_ERR(porch_fmp4_check(NULL, 0, PORCH_FMP4_INIT), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_fmp4_check(b.b, b.n, (porch_fmp4_part)7), PORCH_ERR_INVALID_ARG);
}

static void test_check_fragment(void)
{
    struct bb b;
    int i;

    b.n = 0; moof(&b); leaf(&b, "mdat", 10);
    CHECK_OK(chk(&b, PORCH_FMP4_FRAGMENT));
    CHECK_ERR(chk(&b, PORCH_FMP4_INIT), PORCH_ERR_MALFORMED);
    b.n = 0; leaf(&b, "styp", 8); moof(&b); leaf(&b, "mdat", 0); moof(&b);
    leaf(&b, "free", 0); leaf(&b, "mdat", 3);
    CHECK_OK(chk(&b, PORCH_FMP4_FRAGMENT));
    b.n = 0; moof(&b);                                   /* mdat missing */
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_TRUNCATED);
    b.n = 0; leaf(&b, "mdat", 4); moof(&b);              /* wrong order */
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_MALFORMED);
    b.n = 0; moof(&b); moof(&b); leaf(&b, "mdat", 4);
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_MALFORMED);
    b.n = 0; moof(&b); leaf(&b, "mdat", 4); leaf(&b, "styp", 8);
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_MALFORMED);
    b.n = 0; box(&b, 16, "moof", 0); leaf(&b, "mfhd", 0); leaf(&b, "mdat", 0);
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_MALFORMED); /* no traf */
    b.n = 0; box(&b, 24, "moof", 0); leaf(&b, "mfhd", 0); leaf(&b, "traf", 0);
    leaf(&b, "mdat", 0);
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_MALFORMED); /* no tfhd */
    /* Nesting beyond PORCH_FMP4_DEPTH_MAX: traf inside traf inside ... */
    b.n = 0; box(&b, 8 + 8 + 8 * 6 + 8, "moof", 0); leaf(&b, "mfhd", 0);
    for (i = 0; i < 6; i++)
        box(&b, (uint32_t)(8 * (6 - i) + 8), "traf", 0);
    leaf(&b, "tfhd", 0);
    leaf(&b, "mdat", 0);
    CHECK_ERR(chk(&b, PORCH_FMP4_FRAGMENT), PORCH_ERR_TOO_LARGE);
}

/* Every proper prefix of a real piece is TRUNCATED, never accepted. */
static void test_check_prefixes(void)
{
    struct pieces p = { 0 };
    size_t k, bad = 0;
    int part;

    CHECK_OK(porch_media_remux(tpath("plain.mp4"), NULL, collect, &p));
    REQUIRE(p.n >= 2);
    for (part = 0; part < 2; part++) {
        const struct piece *q = &p.v[part];
        for (k = 0; k < q->len; k++)
            bad += porch_fmp4_check(q->data, k, q->part) != PORCH_ERR_TRUNCATED;
    }
    CHECK(bad == 0);
    pieces_free(&p);
}

/* ---- real footage (optional) ------------------------------------------- */

static void remux_real(const char *dir, const char *rel)
{
    struct pieces p = { 0 };
    porch_media_stats src;
    char path[1024];
    uint8_t *file;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if ((file = read_all(path, &len)) == NULL) {
        printf("SKIP part: %s not found\n", path);
        return;
    }
    CHECK_OK(porch_media_probe(file, len, &src));
    free(file);
    CHECK_OK(porch_media_remux(path, NULL, collect, &p));
    check_shape(&p);
    check_each_fragment_decodes(&p);
    check_whole(&p, src.frames);
    printf("%s: %u frames %dx%d in %zu fragments\n", rel, src.frames,
           src.width, src.height, p.n - 1);
    pieces_free(&p);
}

static void test_real_footage(void)
{
    const char *dir = getenv("PORCH_TESTDATA");
    struct pieces p = { 0 };
    char path[1024];
    struct stat sb;

    if (dir == NULL || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIP part: PORCH_TESTDATA (%s) absent; real footage not tested\n",
               dir ? dir : "unset");
        return;
    }
    remux_real(dir, "sequences/sbi-cavignal/video.mp4");
    remux_real(dir, "videos/car-detection.mp4");
    remux_real(dir, "videos/intel-previews/person-bicycle-car-detection.mp4");
    /* MS-MPEG4v2 in AVI: no MP4 mapping, refused cleanly. */
    snprintf(path, sizeof(path), "%s/videos/road-closeup.avi", dir);
    if (stat(path, &sb) == 0)
        CHECK_ERR(porch_media_remux(path, NULL, collect, &p), PORCH_ERR_MEDIA);
    CHECK(p.n == 0);
}

int main(void)
{
    if (getenv("PORCH_TEST_VERBOSE") == NULL)
        av_log_set_level(AV_LOG_QUIET);
    snprintf(tmpdir, sizeof(tmpdir), "%s/porch-media-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    REQUIRE(mkdtemp(tmpdir) != NULL);

    test_check_init();
    test_check_sizes();
    test_check_fragment();
    test_probe_errors();
    test_push_muxer_args();
    test_remux_generated();
    test_remux_limits();
    test_remux_errors();
    test_push_muxer();
    test_check_prefixes();
    test_real_footage();

    rm_tmpdir();
    return CHECK_DONE();
}
