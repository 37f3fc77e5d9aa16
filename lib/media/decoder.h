/*
 * decoder.h (internal): the one way lib/ opens a video decoder for analysis
 * pictures (the live hub's main stream or substream, analyze's source, the
 * motion evaluator's frames). Recording never decodes: it copies packets.
 */
#ifndef PORCH_MEDIA_DECODER_H
#define PORCH_MEDIA_DECODER_H

#include <libavcodec/avcodec.h>

/*
 * Opens a decoder for the stream described by par, for pictures that are
 * only analysed (scaled down to grey and to the detector's input):
 *   - one thread: the hub budgets cores across cameras, and frame threads
 *     cost CPU time without making a frame any cheaper;
 *   - at most PORCH_MEDIA_PIXELS_MAX pixels, so a hostile stream cannot
 *     make the decoder allocate past it;
 *   - with fast, the in-loop deblocking filter skipped (skip_loop_filter =
 *     all): about a fifth of H.264 decoding. It only smooths block edges,
 *     and the drift it leaves in reference pictures ends at each keyframe,
 *     and the detector sees slightly different pixels, though on the dev set
 *     the same events as with full decoding (since stationary suppression
 *     tolerates box jitter; at stop 11 it added one parked-car alert). A
 *     camera's choice (`fast_decode`), on by default. docs/BENCH.md
 *     ("bench_hub") and docs/DETECTION.md have the figures.
 * time_base (may be {0, 1}) becomes pkt_timebase. PORCH_ERR_MEDIA when no
 * decoder exists for the codec or it will not open, PORCH_ERR_NOMEM.
 * Ownership: *out owned by the caller, freed with avcodec_free_context.
 */
int porch__analysis_decoder_open(AVCodecContext **out, const AVCodecParameters *par,
                                 AVRational time_base, int fast);

#endif
