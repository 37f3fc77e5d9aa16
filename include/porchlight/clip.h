/*
 * porchlight/clip.h: the sealed clip container, version 1.
 *
 *   clip   = header record*
 *   header = public fields, one key wrap per allowed viewer, key commitment,
 *            hub signature (Ed25519) over all of it
 *   record = clear framing (index, final flag, length) + XChaCha20-Poly1305
 *            ciphertext of (kind, payload, zero padding to a Padmé bucket)
 *
 * Each record is sealed under a per-clip random content key with the header
 * hash, its index and its final flag as associated data, so any record can be
 * opened alone, and truncation, reordering, duplication, splicing and forgery
 * by anyone without the content key are detected. The last record carries the
 * final flag and the clip's metadata. Byte layouts: docs/FORMAT.md.
 *
 * Writer (hub): knows the content key only while writing. After
 * porch_clip_writer_finish() or porch_clip_writer_free() the key and the
 * ephemeral wrap secret are wiped, and the hub has no wrap of its own, so it
 * cannot open what it wrote.
 *
 * Reader (viewer device): parse and verify the header, check it against the
 * verified roster, unwrap the content key with the device's secret, then
 * open records one by one or all at once.
 */
#ifndef PORCHLIGHT_CLIP_H
#define PORCHLIGHT_CLIP_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/identity.h"
#include "porchlight/roster.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_CLIP_ID_BYTES 16u
#define PORCH_CLIP_MAX_WRAPS 64u
#define PORCH_CLIP_HEADER_MAX 8192u
#define PORCH_RECORD_HEADER_BYTES 12u
#define PORCH_RECORD_MAX_PAYLOAD (64u << 20)
#define PORCH_CLIP_MAX_RECORDS (1u << 20)

typedef enum porch_record_kind {
    PORCH_RECORD_INIT = 1,   /* fMP4 initialisation segment (ftyp + moov) */
    PORCH_RECORD_MEDIA = 2,  /* one fMP4 fragment (moof + mdat) */
    PORCH_RECORD_META = 3    /* encoded porch_clip_meta (clip_meta.h) */
} porch_record_kind;

/* The header's public fields: what the server may see. */
typedef struct porch_clip_info {
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    uint8_t clip_id[PORCH_CLIP_ID_BYTES];
    char camera[PORCH_CAMERA_ID_MAX + 1];
    uint64_t start_us;                          /* Unix time, microseconds */
    uint8_t hub_sign_pk[PORCH_SIGN_PK_BYTES];
    porch_roster_head roster;                   /* roster state that chose the viewers */
    uint16_t n_wraps;
    uint8_t header_hash[PORCH_HASH_BYTES];
    size_t header_len;                          /* bytes of the header in the clip */
} porch_clip_info;

typedef struct porch_record_info {
    uint32_t index;
    int final;                  /* 1 on the last record of a finished clip */
    porch_record_kind kind;     /* known only after opening */
    size_t record_len;          /* framing + ciphertext bytes in the clip */
    size_t plain_len;           /* bytes the opened record needs in `out` */
} porch_record_info;

/* ---- Writer (hub) ---- */

typedef struct porch_clip_writer porch_clip_writer;

/*
 * Starts a clip for camera at start_us. The roster must already be verified;
 * the hub must be an active hub for the camera at its head, and the viewers
 * are exactly porch_roster_viewers_at(head, camera).
 * Ownership: *out owned by the caller, released with porch_clip_writer_free().
 */
int porch_clip_writer_new(porch_clip_writer **out, const porch_device_secret *hub,
                          const porch_roster *roster, const char *camera, uint64_t start_us);

/* The header bytes; valid as long as the writer is. */
int porch_clip_writer_header(const porch_clip_writer *w, const uint8_t **data, size_t *len);
void porch_clip_writer_info(const porch_clip_writer *w, porch_clip_info *out);

/*
 * Seals one record. *record points into the writer and is valid until the
 * next call on w. Any error leaves the writer unusable (PORCH_ERR_WRITER_STATE after).
 */
int porch_clip_writer_append(porch_clip_writer *w, porch_record_kind kind,
                             const uint8_t *payload, size_t len,
                             const uint8_t **record, size_t *record_len);

/* Seals the final record (kind META, payload meta) and wipes the content key. */
int porch_clip_writer_finish(porch_clip_writer *w, const uint8_t *meta, size_t meta_len,
                             const uint8_t **record, size_t *record_len);

/*
 * Seals a final META record at the NEXT index without consuming it: the
 * writer stays open and the next append/finish uses the same index. The hub
 * keeps the newest such "tail" beside a clip it is still writing so that a
 * clip cut short by a crash can be closed validly (records 0..n-1 + tail)
 * after the content key is gone. *record is valid until the next call on w.
 */
int porch_clip_writer_seal_tail(porch_clip_writer *w, const uint8_t *meta, size_t meta_len,
                                const uint8_t **record, size_t *record_len);

/* Wipes and frees; NULL-safe. */
void porch_clip_writer_free(porch_clip_writer *w);

/* ---- Reader (viewer) ---- */

/* Parses the header at the start of clip and verifies its signature by the
 * hub key it names. Allocates nothing. */
int porch_clip_header_parse(porch_clip_info *info, const uint8_t *clip, size_t clip_len);

/*
 * Checks a parsed header against a verified roster: the cited roster state is
 * in the chain (PORCH_ERR_ROSTER_UNKNOWN_HEAD), the signer was a hub for the
 * camera then (PORCH_ERR_HUB_NOT_ALLOWED), and the wraps are exactly for the
 * viewers the roster allowed then (PORCH_ERR_WRAPS_MISMATCH).
 */
int porch_clip_header_check_roster(const uint8_t *clip, size_t clip_len,
                                   const porch_roster *roster);

typedef struct porch_clip_key porch_clip_key;

/*
 * Finds this device's wrap, decrypts it and checks the key commitment.
 * Ownership: *out (sodium_malloc) owned by the caller, released with
 * porch_clip_key_free().
 */
int porch_clip_key_unwrap(porch_clip_key **out, const uint8_t *clip, size_t clip_len,
                          const porch_device_secret *device);
void porch_clip_key_free(porch_clip_key *key);

/* Reads a record's clear framing without decrypting (index, final, lengths). */
int porch_clip_record_peek(const uint8_t *rec, size_t rec_len, porch_record_info *info);

/*
 * Opens the record at the start of rec into out (out_cap >= info.plain_len from
 * peek). *payload points into out. Checks authenticity, kind and padding.
 */
int porch_clip_record_open(const porch_clip_key *key, const uint8_t *rec, size_t rec_len,
                           porch_record_info *info, uint8_t *out, size_t out_cap,
                           const uint8_t **payload, size_t *payload_len);

typedef int (*porch_record_fn)(void *ctx, const porch_record_info *info,
                               const uint8_t *payload, size_t payload_len);

/*
 * Opens every record of a whole clip in order and calls fn for each. Requires
 * indices 0,1,2,... with no gap or repeat, exactly one final record, and
 * nothing after it. A non-zero return from fn stops the walk and is returned.
 * On error, *bad_index (if not NULL) is the record index where it happened.
 */
int porch_clip_open_all(const porch_clip_key *key, const uint8_t *clip, size_t clip_len,
                        porch_record_fn fn, void *ctx, uint32_t *bad_index);

/* Without a key: header signature plus record framing, order and final flag. */
int porch_clip_check_framing(const uint8_t *clip, size_t clip_len, uint32_t *n_records,
                             uint32_t *bad_index);

/* ---- Shares: one clip's key re-wrapped for one more device ---- */

/*
 * A device that can open a clip may re-wrap its content key for a device the
 * hub did not wrap it for (a new member, a support agent under a grant). The
 * share is signed by the granting device and bound to the clip's header hash;
 * the recipient checks the key against the header's key commitment, so a
 * share can grant access but never substitute other content. No hub and no
 * server key is involved. Layout: docs/FORMAT.md, "Clip share".
 */
#define PORCH_CLIP_SHARE_BYTES 292u

typedef struct porch_clip_share_info {
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    uint8_t clip_id[PORCH_CLIP_ID_BYTES];
    uint8_t header_hash[PORCH_HASH_BYTES];
    uint8_t granter_sign_pk[PORCH_SIGN_PK_BYTES];
    uint8_t recipient_box_pk[PORCH_BOX_PK_BYTES];
    uint64_t expires_us;        /* Unix microseconds; 0 = does not expire */
} porch_clip_share_info;

/* granter must hold a wrap of the clip (or be able to open it). */
int porch_clip_share_create(uint8_t out[PORCH_CLIP_SHARE_BYTES], const uint8_t *clip,
                            size_t clip_len, const porch_device_secret *granter,
                            const porch_device_public *recipient, uint64_t expires_us);

/* Parses a share and verifies the granter's signature; needs no key. */
int porch_clip_share_parse(porch_clip_share_info *info, const uint8_t *share, size_t len);

/* The granter is an active admin and the recipient an active non-hub device at
 * the roster's head (PORCH_ERR_GRANTER_NOT_ADMIN, PORCH_ERR_SHARE_MISMATCH). */
int porch_clip_share_check_roster(const uint8_t *share, size_t len, const porch_roster *roster);

/*
 * Opens the clip's key through a share addressed to device. now_us is the
 * current time (PORCH_ERR_SHARE_EXPIRED after expiry).
 * Ownership: *out as porch_clip_key_unwrap().
 */
int porch_clip_key_from_share(porch_clip_key **out, const uint8_t *clip, size_t clip_len,
                              const uint8_t *share, size_t share_len,
                              const porch_device_secret *device, uint64_t now_us);

#ifdef __cplusplus
}
#endif

#endif
