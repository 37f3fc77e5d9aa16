/*
 * porchlight/media.h: fragmented MP4 without re-encoding.
 *
 * The hub records clips by COPYING compressed packets into fragmented MP4
 * (ISO-BMFF, as Media Source Extensions and FFmpeg read it). The output is a
 * sequence of pieces, each of which becomes one record of the sealed clip
 * container:
 *
 *   INIT      ftyp + moov (with mvex, no samples), exactly once, first
 *   FRAGMENT  moof + mdat, one per GOP, always starting at a video keyframe
 *
 * Concatenating INIT and any run of consecutive FRAGMENTs gives a file that
 * plays; INIT plus any single FRAGMENT decodes on its own, so a clip can be
 * opened from any fragment. See docs/MEDIA.md.
 *
 * Nothing here prints, logs through av_log on purpose, or keeps global
 * state; FFmpeg itself may still call av_log (its level is the program's
 * business, e.g. av_log_set_level in a CLI or test).
 */
#ifndef PORCHLIGHT_MEDIA_H
#define PORCHLIGHT_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavutil/rational.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Hard caps. A piece (INIT or FRAGMENT) never exceeds PORCH_FMP4_PIECE_MAX
 * bytes; a fragment holds at most PORCH_FMP4_FRAG_PACKETS_MAX packets (a
 * stream without keyframes for that long is refused with TOO_LARGE rather
 * than buffered without bound). */
#define PORCH_FMP4_PIECE_MAX ((size_t)64 * 1024 * 1024)
#define PORCH_FMP4_FRAG_PACKETS_MAX 65536u
/* porch_fmp4_check: at most this many boxes per level, this many levels. */
#define PORCH_FMP4_BOXES_MAX 1024u
#define PORCH_FMP4_DEPTH_MAX 4u
/* porch_media_probe: largest in-memory MP4 accepted, largest picture. */
#define PORCH_MEDIA_PROBE_MAX ((size_t)1024 * 1024 * 1024)
#define PORCH_MEDIA_PIXELS_MAX (8192L * 8192L)
/* porch_media_remux defaults (opts NULL or a field 0) and hard caps. */
#define PORCH_REMUX_DEFAULT_MAX_FRAGMENTS 4096u
#define PORCH_REMUX_MAX_FRAGMENTS 65536u
#define PORCH_REMUX_DEFAULT_MAX_DURATION_US (INT64_C(3600) * 1000000)

typedef enum porch_fmp4_part {
    PORCH_FMP4_INIT = 1,     /* ftyp + moov */
    PORCH_FMP4_FRAGMENT = 2  /* (styp) + moof + mdat, starts at a keyframe */
} porch_fmp4_part;

typedef struct porch_fmp4_piece_info {
    uint32_t index;       /* position in the output: 0 = INIT, then 1, 2, ... */
    int64_t start_us;     /* earliest pts in the fragment, relative to the
                             first fragment's, in microseconds (0 for INIT
                             and for the first fragment) */
    int64_t src_start_us; /* the same pts on the source's own timeline */
    int64_t duration_us;  /* presentation span of the fragment (0 for INIT) */
    uint32_t n_packets;   /* video packets (= frames) in the fragment */
} porch_fmp4_piece_info;

/* Receives each complete piece, in order. data is valid only during the
 * call (copy what you keep). A non-zero return aborts the muxer and is
 * returned unchanged by the call that produced the piece. */
typedef int (*porch_fmp4_fn)(void *ctx, porch_fmp4_part part,
                             const uint8_t *data, size_t len,
                             const porch_fmp4_piece_info *info);

typedef struct porch_fmp4_muxer porch_fmp4_muxer;

/*
 * Creates a muxer for one video stream described by `video` (copied; it
 * needs its extradata, e.g. avcC for H.264) whose packets carry timestamps
 * in `time_base`. The INIT piece is built here and handed to fn at the
 * first porch_fmp4_muxer_write() that brings a keyframe (or at finish).
 * Ownership: *out is allocated here and owned by the caller, who frees it
 * with porch_fmp4_muxer_free(); *out is NULL on failure.
 * Errors: INVALID_ARG, NOMEM, MEDIA (codec not storable in MP4, FFmpeg
 * refused the header), TOO_LARGE.
 */
int porch_fmp4_muxer_new(porch_fmp4_muxer **out, const AVCodecParameters *video,
                         AVRational time_base, porch_fmp4_fn fn, void *ctx);

/*
 * Copies one compressed video packet (pkt->stream_index is ignored; the
 * caller keeps ownership of pkt). Packets before the first keyframe are
 * dropped. A keyframe closes the current fragment and hands it to fn. The
 * muxer holds the newest packet back until the next one arrives so that a
 * missing duration can be taken from the timestamp difference.
 * After any error the muxer is dead: every later call returns that error.
 * Errors: INVALID_ARG (after finish), MEDIA (bad timestamps, FFmpeg
 * refused the packet), TOO_LARGE, NOMEM, or fn's return value.
 */
int porch_fmp4_muxer_write(porch_fmp4_muxer *m, const AVPacket *pkt);

/* Flushes the held packet and the last fragment (INIT first if it was
 * never sent). Call once; later writes fail with INVALID_ARG. */
int porch_fmp4_muxer_finish(porch_fmp4_muxer *m);

/* The INIT piece (valid while m lives; for a viewer joining late). */
int porch_fmp4_muxer_init_segment(const porch_fmp4_muxer *m,
                                  const uint8_t **data, size_t *len);

/* Number of fragments handed to fn so far. */
uint32_t porch_fmp4_muxer_fragments(const porch_fmp4_muxer *m);

/* Frees m and everything it owns; NULL is a no-op. */
void porch_fmp4_muxer_free(porch_fmp4_muxer *m);

typedef struct porch_remux_opts {
    int64_t max_duration_us; /* stop before the first packet this far after
                                the first keyframe; 0 = default */
    uint32_t max_fragments;  /* stop before fragment max+1; 0 = default,
                                capped at PORCH_REMUX_MAX_FRAGMENTS */
} porch_remux_opts;

/*
 * Opens url with libavformat, picks the best video stream and copies its
 * packets through a porch_fmp4_muxer into fn (INIT, then FRAGMENTs).
 * Other streams are ignored. Reaching a limit in opts is not an error.
 * Nothing is left allocated when it returns.
 * Errors: INVALID_ARG, IO (cannot open the path; errno set), MEDIA (not a
 * media file, corrupt, codec not storable in MP4, no keyframe at all),
 * MEDIA_NO_VIDEO, TOO_LARGE, NOMEM, or fn's non-zero return.
 */
int porch_media_remux(const char *url, const porch_remux_opts *opts,
                      porch_fmp4_fn fn, void *ctx);

typedef struct porch_media_stats {
    char codec[32];         /* FFmpeg codec name, e.g. "h264" */
    int width, height;      /* of the first decoded picture (else of the
                               stream's sample entry), in pixels */
    uint32_t frames;        /* pictures the decoder produced */
    uint32_t packets;       /* video packets demuxed */
    uint32_t keyframes;     /* of those, flagged as keyframes */
    uint32_t decode_errors; /* packets the decoder rejected */
    int64_t duration_us;    /* presentation span of the video packets */
    int first_is_key;       /* 1 if the first packet and first frame are key */
} porch_media_stats;

/*
 * Demuxes an in-memory MP4/fMP4 (mp4 demuxer forced, nothing else probed)
 * and DECODES every video frame, filling *out (zeroed on entry). Used to
 * prove a decrypted clip plays. Allocates only internally.
 * Errors: INVALID_ARG, TOO_LARGE (len > PORCH_MEDIA_PROBE_MAX), MEDIA
 * (not an MP4, no decoder), MEDIA_NO_VIDEO, NOMEM.
 */
int porch_media_probe(const uint8_t *mp4, size_t len, porch_media_stats *out);

/*
 * Validates the top-level ISO-BMFF layout of one piece without trusting
 * anything in it (see docs/MEDIA.md for the rules).
 * INIT: ftyp, then moov (holding mvhd, trak, mvex); FRAGMENT: optional styp,
 * then one or more moof (holding mfhd, traf with tfhd) + mdat pairs. free
 * and skip boxes may appear between and after them.
 * Errors: INVALID_ARG, TRUNCATED (the bytes end inside a box header, inside
 * a box's declared size, or before a required box), MALFORMED (impossible
 * size, a box of the wrong type or in the wrong place, children that do
 * not tile their parent), TOO_LARGE (a cap above exceeded).
 */
int porch_fmp4_check(const uint8_t *data, size_t len, porch_fmp4_part part);

#ifdef __cplusplus
}
#endif

#endif
