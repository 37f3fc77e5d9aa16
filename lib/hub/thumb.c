/*
 * thumb.c: the event thumbnail, one JPEG per key moment (libavcodec mjpeg).
 */
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "porchlight/error.h"
#include "porchlight/hub_record.h"

/* Ownership: *out (av_frame) owned by the caller. */
static int scale_to_yuvj(const AVFrame *in, int max_width, AVFrame **out)
{
    int w = in->width > max_width ? max_width : in->width;
    int h = (int)((int64_t)in->height * w / in->width) & ~1;
    struct SwsContext *sws;
    AVFrame *f;
    int ret = PORCH_ERR_NOMEM;

    *out = NULL;
    w &= ~1;
    if (w < 2 || h < 2)
        return PORCH_ERR_MEDIA;
    if (!(f = av_frame_alloc()))
        return ret;
    f->format = AV_PIX_FMT_YUVJ420P;
    f->width = w;
    f->height = h;
    sws = sws_getContext(in->width, in->height, in->format, w, h, AV_PIX_FMT_YUVJ420P,
                         SWS_BILINEAR, NULL, NULL, NULL);
    if (sws && av_frame_get_buffer(f, 0) >= 0) {
        ret = sws_scale(sws, (const uint8_t *const *)in->data, in->linesize, 0, in->height,
                        f->data, f->linesize) == h ? PORCH_OK : PORCH_ERR_MEDIA;
    } else if (!sws) {
        ret = PORCH_ERR_MEDIA;
    }
    sws_freeContext(sws);
    if (ret != PORCH_OK)
        av_frame_free(&f);
    *out = f;
    return ret;
}

static int encode(AVCodecContext *cc, const AVFrame *f, uint8_t **out, size_t *out_len)
{
    AVPacket *pkt = av_packet_alloc();
    int ret = PORCH_ERR_MEDIA;

    if (!pkt)
        return PORCH_ERR_NOMEM;
    if (avcodec_send_frame(cc, f) >= 0 && avcodec_send_frame(cc, NULL) >= 0 &&
        avcodec_receive_packet(cc, pkt) >= 0) {
        ret = PORCH_ERR_TOO_LARGE;
        if ((size_t)pkt->size <= PORCH_META_MAX_THUMBNAIL) {
            ret = PORCH_ERR_NOMEM;
            if ((*out = malloc((size_t)pkt->size)) != NULL) {
                memcpy(*out, pkt->data, (size_t)pkt->size);
                *out_len = (size_t)pkt->size;
                ret = PORCH_OK;
            }
        }
    }
    av_packet_free(&pkt);
    return ret;
}

int porch_hub_jpeg(const AVFrame *picture, int max_width, uint8_t **out, size_t *out_len)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    AVCodecContext *cc = NULL;
    AVFrame *f = NULL;
    int ret;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!picture || !out || !out_len || max_width < 2 || picture->width < 2 ||
        picture->height < 2)
        return PORCH_ERR_INVALID_ARG;
    if (!codec)
        return PORCH_ERR_MEDIA;
    if ((ret = scale_to_yuvj(picture, max_width, &f)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(cc = avcodec_alloc_context3(codec)))
        goto out;
    cc->width = f->width;
    cc->height = f->height;
    cc->pix_fmt = AV_PIX_FMT_YUVJ420P;
    cc->time_base = (AVRational){ 1, 1 };
    cc->flags |= AV_CODEC_FLAG_QSCALE;
    cc->global_quality = FF_QP2LAMBDA * 4;
    f->quality = cc->global_quality;
    f->pict_type = AV_PICTURE_TYPE_I;
    ret = avcodec_open2(cc, codec, NULL) < 0 ? PORCH_ERR_MEDIA : encode(cc, f, out, out_len);
out:
    avcodec_free_context(&cc);
    av_frame_free(&f);
    return ret;
}
