/*
 * input.c: opening a camera with libavformat, and the analysis picture.
 *
 * Every blocking libavformat call is bounded: the interrupt callback ends
 * it when the hub stops or when the per-call deadline passes, so a camera
 * that goes silent (UDP with no packets, a half-open TCP connection) is
 * detected as dropped and retried, without any other thread waiting on it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#ifdef PORCH_HAVE_AVDEVICE
#include <libavdevice/avdevice.h>
#endif

#include "porchlight/error.h"
#include "porchlight/hub.h"
#include "porchlight/media.h"
#include "hub/hub_internal.h"
#include "media/media_internal.h"

/* Cameras speak these; a camera URL must not make us fetch anything else. */
#define PROTOCOLS "file,rtsp,rtsps,rtp,srtp,udp,tcp,tls,http,https,crypto"

int64_t porch__mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

uint64_t porch__wall_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int interrupted(void *opaque)
{
    struct porch__io *io = opaque;

    if (atomic_load(io->stop))
        return 1;
    return io->deadline_us && porch__mono_us() > io->deadline_us;
}

static int set_options(AVDictionary **d, const porch_hub_camera_config *cam, const char *url)
{
    int ret = av_dict_set(d, "protocol_whitelist", PROTOCOLS, 0);

    if (ret >= 0 && !strncmp(url, "rtsp", 4))
        ret = av_dict_set(d, "rtsp_transport",
                          cam->rtsp_transport == PORCH_RTSP_UDP ? "udp" : "tcp", 0);
    /* Socket-level timeouts (microseconds) as a second line of defence. */
    if (ret >= 0 && !strncmp(url, "rtsp", 4))
        ret = av_dict_set(d, "timeout", "5000000", 0);
    if (ret >= 0 && !strncmp(url, "http", 4))
        ret = av_dict_set(d, "rw_timeout", "5000000", 0);
    return ret < 0 ? PORCH_ERR_NOMEM : PORCH_OK;
}

/* "v4l2:/dev/video0" selects the V4L2 input device. */
static const AVInputFormat *input_format(const char **url)
{
#ifdef PORCH_HAVE_AVDEVICE
    if (!strncmp(*url, "v4l2:", 5)) {
        avdevice_register_all();
        *url += 5;
        return av_find_input_format("video4linux2");
    }
#else
    (void)url;
#endif
    return NULL;
}

int porch__hub_open_input(AVFormatContext **out, const porch_hub_camera_config *cam,
                          const char *url, struct porch__io *io)
{
    AVFormatContext *ic = NULL;
    AVDictionary *opts = NULL;
    const AVInputFormat *fmt = input_format(&url);
    int ret;

    *out = NULL;
    if (!(ic = avformat_alloc_context()))
        return PORCH_ERR_NOMEM;
    ic->interrupt_callback.callback = interrupted;
    ic->interrupt_callback.opaque = io;
    ic->flags |= AVFMT_FLAG_DISCARD_CORRUPT;
    if ((ret = set_options(&opts, cam, url)) != PORCH_OK) {
        avformat_free_context(ic);
        return ret;
    }
    io->deadline_us = porch__mono_us() + 2 * PORCH_HUB_IO_TIMEOUT_US;
    ret = avformat_open_input(&ic, url, fmt, &opts); /* frees ic on failure */
    av_dict_free(&opts);
    if (ret < 0)
        return porch__averr(ret, PORCH_ERR_HUB_STREAM);
    io->deadline_us = porch__mono_us() + 2 * PORCH_HUB_IO_TIMEOUT_US;
    if ((ret = avformat_find_stream_info(ic, NULL)) < 0) {
        avformat_close_input(&ic);
        return porch__averr(ret, PORCH_ERR_HUB_STREAM);
    }
    *out = ic;
    return PORCH_OK;
}

/* Pixel formats whose plane 0 is 8-bit luma, one byte per sample. */
static int luma_plane(enum AVPixelFormat f)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f);

    return d && !(d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL |
                              AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_HWACCEL)) &&
           d->comp[0].plane == 0 && d->comp[0].depth == 8 && d->comp[0].step == 1;
}

/* 2x2 mean (rounded) at pixel x*k of rows r0, r1: the reference of the
 * fast paths below. */
static uint8_t mean2x2(const uint8_t *r0, const uint8_t *r1, int sx)
{
    return (uint8_t)((r0[sx] + r0[sx + 1] + r1[sx] + r1[sx + 1] + 2) >> 2);
}

#define MEAN_BLOCK 16
#if defined(__SSE2__)
/* The rounded 2x2 means of the byte pairs of 16 bytes at r0 and r1, one
 * per 16-bit lane (lane i: bytes 2i, 2i+1 of both rows). */
static inline __m128i pair_means(const uint8_t *r0, const uint8_t *r1)
{
    const __m128i lo = _mm_set1_epi16(0x00ff), two = _mm_set1_epi16(2);
    __m128i a = _mm_loadu_si128((const __m128i *)r0);
    __m128i b = _mm_loadu_si128((const __m128i *)r1);
    __m128i sa = _mm_add_epi16(_mm_and_si128(a, lo), _mm_srli_epi16(a, 8));
    __m128i sb = _mm_add_epi16(_mm_and_si128(b, lo), _mm_srli_epi16(b, 8));

    return _mm_srli_epi16(_mm_add_epi16(_mm_add_epi16(sa, sb), two), 2);
}

/* k = 4 (1280 -> 320, the common case) with SSE2: 16 pixels from 64 bytes
 * of each row. In 16-bit lanes, (v & 0xff) + (v >> 8) sums each byte pair;
 * the pairs wanted are the low halves of the 32-bit lanes (x86 is little-
 * endian), which the mask keeps and the two packs narrow (no saturation:
 * every value is <= 255). 4.3 instructions a pixel (callgrind) against 8
 * for the plain-C version below (GCC's vectorisation of it narrows clumsily)
 * and 13 for the scalar loop.
 * Returns how many pixels of the row it did; the caller finishes them. */
static int mean_row4(const uint8_t *r0, const uint8_t *r1, uint8_t *o, int w)
{
    const __m128i keep = _mm_set1_epi32(0xffff);
    int x = 0;

    for (; x + 16 <= w; x += 16) {
        const uint8_t *a = r0 + 4 * (size_t)x, *b = r1 + 4 * (size_t)x;
        __m128i q0 = _mm_and_si128(pair_means(a, b), keep);
        __m128i q1 = _mm_and_si128(pair_means(a + 16, b + 16), keep);
        __m128i q2 = _mm_and_si128(pair_means(a + 32, b + 32), keep);
        __m128i q3 = _mm_and_si128(pair_means(a + 48, b + 48), keep);
        _mm_storeu_si128((__m128i *)(o + x),
                         _mm_packus_epi16(_mm_packs_epi32(q0, q1), _mm_packs_epi32(q2, q3)));
    }
    return x;
}

/* k = 6 (1920 -> 320) with SSE2: 8 pixels from 48 bytes of each row. The
 * byte-pair sums of all 24 16-bit words are made as for k = 4; the pixels
 * are words 0, 3, 6, ... 21, taken out one by one (pextrw). 9.6
 * instructions a pixel (callgrind) against 13 for the scalar loop. */
static int mean_row6(const uint8_t *r0, const uint8_t *r1, uint8_t *o, int w)
{
    int x = 0;

    for (; x + 8 <= w; x += 8) {
        const uint8_t *a = r0 + 6 * (size_t)x, *b = r1 + 6 * (size_t)x;
        __m128i q0 = pair_means(a, b), q1 = pair_means(a + 16, b + 16);
        __m128i q2 = pair_means(a + 32, b + 32);
        o[x + 0] = (uint8_t)_mm_extract_epi16(q0, 0);
        o[x + 1] = (uint8_t)_mm_extract_epi16(q0, 3);
        o[x + 2] = (uint8_t)_mm_extract_epi16(q0, 6);
        o[x + 3] = (uint8_t)_mm_extract_epi16(q1, 1);
        o[x + 4] = (uint8_t)_mm_extract_epi16(q1, 4);
        o[x + 5] = (uint8_t)_mm_extract_epi16(q1, 7);
        o[x + 6] = (uint8_t)_mm_extract_epi16(q2, 2);
        o[x + 7] = (uint8_t)_mm_extract_epi16(q2, 5);
    }
    return x;
}
#else
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PAIR_SHIFT 16 /* the first two bytes of a loaded word are its high half */
#else
#define PAIR_SHIFT 0
#endif

/* The first two bytes of a 4-byte group, summed (either byte order). */
static uint32_t pair_sum(uint32_t v)
{
    return ((v >> PAIR_SHIFT) & 0xff) + ((v >> (PAIR_SHIFT + 8)) & 0xff);
}

/* k = 4 (1280 -> 320, the common case): each output pixel's two bytes are
 * the start of a 4-byte word, so whole words are loaded and -O2 vectorises
 * the fixed-size block (strided byte loads it would not). Returns how many
 * pixels of the row it did; the caller finishes the rest. */
static int mean_row4(const uint8_t *restrict r0, const uint8_t *restrict r1, uint8_t *restrict o,
                     int w)
{
    int x = 0;

    for (; x + MEAN_BLOCK <= w; x += MEAN_BLOCK) {
        uint32_t a[MEAN_BLOCK], b[MEAN_BLOCK];
        memcpy(a, r0 + 4 * (size_t)x, sizeof a);
        memcpy(b, r1 + 4 * (size_t)x, sizeof b);
        for (int j = 0; j < MEAN_BLOCK; j++)
            o[x + j] = (uint8_t)((pair_sum(a[j]) + pair_sum(b[j]) + 2) >> 2);
    }
    return x;
}
#endif

/* k = 2 (640 -> 320): a constant stride that -O2 vectorises as it is. */
static int mean_row2(const uint8_t *restrict r0, const uint8_t *restrict r1, uint8_t *restrict o,
                     int w)
{
    int x = 0;

    for (; x + MEAN_BLOCK <= w; x += MEAN_BLOCK) {
        const uint8_t *a = r0 + 2 * (size_t)x, *b = r1 + 2 * (size_t)x;
        for (int j = 0; j < MEAN_BLOCK; j++)
            o[x + j] = (uint8_t)((a[2 * j] + a[2 * j + 1] + b[2 * j] + b[2 * j + 1] + 2) >> 2);
    }
    return x;
}

/*
 * The analysis grey: the 2x2 mean at every k-th pixel of every k-th row
 * (k >= 2), or plane 0 copied (k = 1). The fast paths give the same bytes
 * as mean2x2; they matter because this runs on every decoded picture (it
 * was 7% of the hub's instructions at 720p, the biggest cost beyond
 * decoding). Column x*k + 1 and row y*k + 1 always exist (w = width / k,
 * h = height / k, k >= 2), and so do the 4 bytes at 4x (k = 4) and the 48
 * at 6x of a whole block (k = 6): they end before k * w <= width.
 */
static void sample(const AVFrame *f, int k, uint8_t *dst, int w, int h)
{
    const uint8_t *src = f->data[0];
    size_t ls = (size_t)f->linesize[0];

    for (int y = 0; y < h; y++) {
        const uint8_t *r0 = src + (size_t)y * k * ls, *r1;
        uint8_t *o = dst + (size_t)y * w;
        int x = 0;
        if (k == 1) {
            memcpy(o, r0, (size_t)w);
            continue;
        }
        r1 = r0 + ls;
        if (k == 4)
            x = mean_row4(r0, r1, o, w);
        else if (k == 2)
            x = mean_row2(r0, r1, o, w);
#if defined(__SSE2__)
        else if (k == 6)
            x = mean_row6(r0, r1, o, w);
#endif
        for (; x < w; x++)
            o[x] = mean2x2(r0, r1, x * k);
    }
}

static int via_sws(const AVFrame *f, uint8_t *dst, int w, int h)
{
    struct SwsContext *sws = sws_getContext(f->width, f->height, f->format, w, h,
                                            AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
    uint8_t *planes[4] = { dst, NULL, NULL, NULL };
    int lines[4] = { w, 0, 0, 0 }, ret;

    if (!sws)
        return PORCH_ERR_MEDIA;
    ret = sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, planes,
                    lines) == h ? PORCH_OK : PORCH_ERR_MEDIA;
    sws_freeContext(sws);
    return ret;
}

int porch__hub_grey(const AVFrame *f, int width, uint8_t **buf, size_t *cap, int *out_w,
                    int *out_h, size_t *stride)
{
    int k, w, h;

    if (!f || f->width <= 0 || f->height <= 0 || width <= 0)
        return PORCH_ERR_INVALID_ARG;
    if ((int64_t)f->width * f->height > PORCH_MEDIA_PIXELS_MAX)
        return PORCH_ERR_TOO_LARGE;
    k = f->width > width ? f->width / width : 1;
    w = f->width / k;
    h = f->height / k;
    if (w < 1 || h < 1)
        return PORCH_ERR_MEDIA;
    if ((size_t)w * h > *cap) {
        uint8_t *p = realloc(*buf, (size_t)w * h);
        if (!p)
            return PORCH_ERR_NOMEM;
        *buf = p;
        *cap = (size_t)w * h;
    }
    *out_w = w;
    *out_h = h;
    *stride = (size_t)w;
    if (luma_plane(f->format)) {
        sample(f, k, *buf, w, h);
        return PORCH_OK;
    }
    return via_sws(f, *buf, w, h);
}
