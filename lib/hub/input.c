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

static void sample(const AVFrame *f, int k, uint8_t *dst, int w, int h)
{
    const uint8_t *src = f->data[0];
    size_t ls = (size_t)f->linesize[0];
    int k2 = k > 1 ? 1 : 0; /* 2x2 mean when there is room, else a copy */

    for (int y = 0; y < h; y++) {
        const uint8_t *r0 = src + (size_t)y * k * ls, *r1 = r0 + (k2 ? ls : 0);
        uint8_t *o = dst + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            int sx = x * k;
            o[x] = (uint8_t)((r0[sx] + r0[sx + k2] + r1[sx] + r1[sx + k2] + 2) >> 2);
        }
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
