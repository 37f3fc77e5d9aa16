/*
 * porchlight/grant.h: support grants.
 *
 * An admin device signs a grant that lets one support device read a bounded
 * part of the household's clips until an expiry time: the clips of up to 32
 * cameras recorded in [from_us, to_us), and/or up to 4096 clips named by id.
 * The grant itself carries no key: the admin uploads it together with one
 * clip share (porch_clip_share_create) per clip in scope, re-wrapping each
 * clip's content key for the support device's box key. The server checks
 * grant and shares against the verified roster and serves the shares only
 * while the grant is unexpired and unrevoked. Layout: docs/FORMAT.md,
 * "Support grant".
 */
#ifndef PORCHLIGHT_GRANT_H
#define PORCHLIGHT_GRANT_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/clip.h"
#include "porchlight/identity.h"
#include "porchlight/roster.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_GRANT_ID_BYTES 16u
#define PORCH_GRANT_MAX_CAMERAS 32u
#define PORCH_GRANT_MAX_CLIPS 4096u
/* Fixed part 180 bytes + cameras + clip ids + signature. */
#define PORCH_GRANT_MAX_BYTES \
    (180u + PORCH_GRANT_MAX_CAMERAS * (1u + PORCH_CAMERA_ID_MAX) + \
     PORCH_GRANT_MAX_CLIPS * PORCH_CLIP_ID_BYTES + PORCH_SIGNATURE_BYTES)

/*
 * A grant's fields. Scope: a clip is covered when its camera is one of
 * cameras[] and from_us <= start_us < to_us, or when its id is in clip_ids[].
 * n_cameras == 0 means no camera/time part (from_us = to_us = 0); at least
 * one of the two parts is non-empty. About 68 KiB: allocate it on the heap.
 */
typedef struct porch_grant {
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    uint8_t grant_id[PORCH_GRANT_ID_BYTES];
    uint8_t granter_sign_pk[PORCH_SIGN_PK_BYTES];
    uint8_t support_sign_pk[PORCH_SIGN_PK_BYTES];
    uint8_t support_box_pk[PORCH_BOX_PK_BYTES];
    uint64_t created_us;                        /* Unix microseconds */
    uint64_t expires_us;                        /* > created_us */
    uint32_t n_cameras;                         /* <= PORCH_GRANT_MAX_CAMERAS */
    char cameras[PORCH_GRANT_MAX_CAMERAS][PORCH_CAMERA_ID_MAX + 1];
    uint64_t from_us, to_us;                    /* [from_us, to_us) */
    uint32_t n_clips;                           /* <= PORCH_GRANT_MAX_CLIPS */
    uint8_t clip_ids[PORCH_GRANT_MAX_CLIPS][PORCH_CLIP_ID_BYTES];
} porch_grant;

/*
 * Signs a grant. The caller fills household, support keys, times and scope in
 * *g; this function draws a random grant_id, sets granter_sign_pk to the
 * granter's key, sorts cameras and clip ids into the canonical (ascending)
 * order, and writes the signed encoding. Duplicate cameras or clip ids are
 * PORCH_ERR_INVALID_ARG.
 * Ownership: *out malloc()ed, released by the caller with free().
 */
int porch_grant_create(porch_grant *g, const porch_device_secret *granter, uint8_t **out,
                       size_t *out_len);

/*
 * Parses a grant and verifies its signature by the granter key it names
 * (PORCH_ERR_GRANT_SIGNATURE). Needs no roster. Ownership: *out malloc()ed,
 * released by the caller with porch_grant_free().
 */
int porch_grant_parse(porch_grant **out, const uint8_t *buf, size_t len);
void porch_grant_free(porch_grant *g);

/*
 * Policy against a verified roster: same household (PORCH_ERR_ROSTER_HOUSEHOLD),
 * the granter an active admin (PORCH_ERR_GRANTER_NOT_ADMIN), the support keys
 * (sign and box) those of an active PORCH_ROLE_SUPPORT device
 * (PORCH_ERR_GRANT_NOT_SUPPORT).
 */
int porch_grant_check_roster(const porch_grant *g, const porch_roster *roster);

/* PORCH_OK while created_us <= now_us < expires_us, else PORCH_ERR_GRANT_EXPIRED. */
int porch_grant_check_time(const porch_grant *g, uint64_t now_us);

/* 1 when the grant's scope covers the clip (same household and in scope), else 0. */
int porch_grant_covers(const porch_grant *g, const porch_clip_info *clip);

/*
 * A share belongs to this grant: same household, granted by the grant's
 * granter, addressed to its support box key, expiring (non-zero) no later
 * than the grant (PORCH_ERR_SHARE_MISMATCH otherwise). The share must have
 * been parsed (and its signature verified) with porch_clip_share_parse().
 */
int porch_grant_check_share(const porch_grant *g, const porch_clip_share_info *share);

#ifdef __cplusplus
}
#endif

#endif
