/*
 * decoder.c: opens video decoders for analysis pictures (see decoder.h).
 */
#include "media/decoder.h"

#include "porchlight/error.h"
#include "porchlight/media.h"

int porch__analysis_decoder_open(AVCodecContext **out, const AVCodecParameters *par,
                                 AVRational time_base, int fast)
{
    const AVCodec *codec;
    AVCodecContext *dec = NULL;
    int ret = PORCH_ERR_MEDIA;

    *out = NULL;
    if (!par || !(codec = avcodec_find_decoder(par->codec_id)))
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(dec = avcodec_alloc_context3(codec)) || avcodec_parameters_to_context(dec, par) < 0)
        goto out;
    dec->pkt_timebase = time_base;
    dec->max_pixels = PORCH_MEDIA_PIXELS_MAX;
    dec->thread_count = 1;
    if (fast)
        dec->skip_loop_filter = AVDISCARD_ALL;
    ret = avcodec_open2(dec, codec, NULL) < 0 ? PORCH_ERR_MEDIA : PORCH_OK;
out:
    if (ret == PORCH_OK)
        *out = dec;
    else
        avcodec_free_context(&dec);
    return ret;
}
