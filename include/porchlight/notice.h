/*
 * porchlight/notice.h: sealed notices.
 *
 * A notice tells the household's viewers that an event happened, without
 * telling the server anything but camera id and time. It is a clip container
 * (porchlight/clip.h) with exactly one record, the final META record, whose
 * metadata (clip_meta.h) names the event clip (PORCH_META_CLIP_REF) and holds
 * the reason, labels and perhaps a small thumbnail. Header, wraps, signature
 * and roster checks are those of a clip. Layout: docs/FORMAT.md, "Sealed notice".
 */
#ifndef PORCHLIGHT_NOTICE_H
#define PORCHLIGHT_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/clip.h"
#include "porchlight/clip_meta.h"
#include "porchlight/identity.h"
#include "porchlight/roster.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The server's cap on one notice (docs/SERVER.md). */
#define PORCH_NOTICE_MAX_BYTES (64u << 10)

/*
 * Seals a notice for camera at time_us naming event_clip. meta's own
 * has_clip_ref/clip_ref are ignored (event_clip is used); meta may be NULL
 * (no reason, labels or thumbnail). The hub must be an active hub for the
 * camera; the viewers are those of a clip (porch_clip_writer_new). Notices
 * larger than PORCH_NOTICE_MAX_BYTES are PORCH_ERR_TOO_LARGE.
 * Ownership: *out malloc()ed, released by the caller with free().
 */
int porch_notice_seal(uint8_t **out, size_t *out_len, const porch_device_secret *hub,
                      const porch_roster *roster, const char *camera, uint64_t time_us,
                      const uint8_t event_clip[PORCH_CLIP_ID_BYTES],
                      const porch_clip_meta *meta);

/*
 * Opens a notice as a viewer: header signature, roster check (when roster is
 * not NULL), unwrap, exactly one final META record, metadata with a clip
 * reference (PORCH_ERR_MALFORMED otherwise). info (may be NULL) receives the
 * header's public fields; the notice's time is info->start_us.
 * Ownership: *meta as porch_meta_decode() (release with porch_meta_free()).
 */
int porch_notice_open(porch_clip_meta **meta, porch_clip_info *info, const uint8_t *notice,
                      size_t len, const porch_device_secret *viewer, const porch_roster *roster);

#ifdef __cplusplus
}
#endif

#endif
