/*
 * porchlight/hub_record.h: the pre-roll ring and the event clip recorder.
 *
 * Ring: the compressed packets of the last pre-roll seconds (references,
 * no copies), trimmed so it always starts at a keyframe: it keeps the
 * newest keyframe at least `preroll` before the newest packet and what
 * follows. A clip started from it therefore begins at a keyframe no later
 * than `preroll` before the trigger (and less than one GOP earlier).
 *
 * Recorder: packets -> porch_fmp4_muxer (one fragment per GOP) -> each
 * piece sealed as one record (porch_clip_writer_append) -> appended to the
 * spool's NAME.partial and made durable, followed by a fresh tail, so a
 * clip is on disk, fragment by fragment, while the event goes on. Finish
 * seals the META record (end time, reason, labels, JPEG thumbnail).
 * Everything here runs on the camera's thread.
 */
#ifndef PORCHLIGHT_HUB_RECORD_H
#define PORCHLIGHT_HUB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>

#include "porchlight/clip.h"
#include "porchlight/clip_meta.h"
#include "porchlight/hub_spool.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_RING_MAX_PACKETS 16384u

typedef struct porch_pkt_ring porch_pkt_ring;

/* Ownership: *out owned by the caller, porch_pkt_ring_free(). max_bytes
 * bounds the compressed bytes held (oldest GOPs dropped beyond, counted). */
int porch_pkt_ring_new(porch_pkt_ring **out, int64_t preroll_us, size_t max_bytes);
/* Adds a reference to pkt (the caller keeps its own); ts_us is its
 * presentation time in microseconds. Packets before the first keyframe are
 * not kept (nothing could decode them). */
int porch_pkt_ring_push(porch_pkt_ring *r, const AVPacket *pkt, int64_t ts_us);
size_t porch_pkt_ring_count(const porch_pkt_ring *r);
/* Packet i (0 = oldest, always a keyframe); valid until the next push/clear. */
const AVPacket *porch_pkt_ring_get(const porch_pkt_ring *r, size_t i);
int64_t porch_pkt_ring_ts(const porch_pkt_ring *r, size_t i);
/* Packets dropped because the ring hit its byte or packet cap. */
uint64_t porch_pkt_ring_overflows(const porch_pkt_ring *r);
void porch_pkt_ring_clear(porch_pkt_ring *r);
void porch_pkt_ring_free(porch_pkt_ring *r);

typedef struct porch_event_rec porch_event_rec;

typedef struct porch_event_rec_opts {
    const porch_device_secret *hub;     /* signs; borrowed */
    const porch_roster *roster;         /* verified; borrowed */
    porch_spool *spool;                 /* borrowed */
    const char *camera;
    const AVCodecParameters *par;       /* the recorded stream (with extradata) */
    AVRational time_base;               /* of the packets */
} porch_event_rec_opts;

/*
 * Starts a clip at wall time start_us; src_start_us is the stream time of
 * its first packet (label times are relative to it).
 * Ownership: *out until porch_event_rec_finish/abort.
 */
int porch_event_rec_start(porch_event_rec **out, const porch_event_rec_opts *o,
                          uint64_t start_us, int64_t src_start_us, const char *reason);
/* Copies one packet into the clip (sealing a record when a GOP closes). */
int porch_event_rec_packet(porch_event_rec *e, const AVPacket *pkt);
/* Adds a label at stream time src_us (beyond PORCH_META_MAX_LABELS: ignored). */
int porch_event_rec_label(porch_event_rec *e, const porch_label *l, int64_t src_us);
/* Replaces the thumbnail (JPEG bytes, copied). */
int porch_event_rec_thumbnail(porch_event_rec *e, const uint8_t *jpeg, size_t len);
/* Frames (packets) copied and records sealed so far. */
void porch_event_rec_counts(const porch_event_rec *e, uint64_t *packets, uint32_t *records);
/*
 * Flushes the last fragment, seals the META record, renames the clip into
 * the queue, frees e. name receives the spool name. If the muxer failed
 * earlier (bad packets), the clip is still closed with what was sealed.
 */
int porch_event_rec_finish(porch_event_rec *e, uint64_t end_us, char name[PORCH_SPOOL_NAME_BYTES]);
/* Stops as a crash would (the partial is recovered later); NULL-safe. */
void porch_event_rec_abort(porch_event_rec *e);

/*
 * Encodes one picture as a JPEG (libavcodec's mjpeg, the only encode the
 * hub does), scaled to at most max_width pixels wide.
 * Ownership: *out malloc()ed, released by the caller with free().
 */
int porch_hub_jpeg(const AVFrame *picture, int max_width, uint8_t **out, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif
