/*
 * clip_internal.h: shared pieces of the clip container.
 *
 * clip_header.c  header layout: encode, parse, signature, roster check
 * clip_key.c     content key: wraps, unwrap, commitment, record key
 * clip_record.c  one record: seal and open
 * clip_writer.c  the hub's streaming writer
 * clip_reader.c  whole-clip walks: framing check, open all
 */
#ifndef PORCH_FORMAT_CLIP_INTERNAL_H
#define PORCH_FORMAT_CLIP_INTERNAL_H

#include <sodium.h>

#include "porchlight/clip.h"

#define CLIP_MAGIC "PORCHCLP"
#define CLIP_VERSION 1u
#define CLIP_HEADER_FIXED 192u              /* bytes before camera_len */
#define CLIP_KEY_BYTES 32u
#define CLIP_WRAP_SEALED_BYTES (CLIP_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define CLIP_WRAP_BYTES (PORCH_BOX_PK_BYTES + CLIP_WRAP_SEALED_BYTES)
#define RECORD_PLAIN_PREFIX 8u              /* kind u8 | reserved[3] | payload_len u32 */
#define RECORD_MIN_PLAIN 256u               /* smallest padded plaintext */
#define RECORD_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define RECORD_FLAG_FINAL 0x01u

/* A parsed header; pointers refer into the clip bytes it was parsed from. */
struct clip_header {
    porch_clip_info info;
    uint8_t eph_pk[crypto_scalarmult_curve25519_BYTES];
    uint8_t key_commitment[PORCH_HASH_BYTES];
    const uint8_t *wraps;                   /* n_wraps x CLIP_WRAP_BYTES */
};

/* Random inputs of one clip; tests pass fixed ones for reproducible vectors. */
struct clip_random {
    uint8_t clip_id[PORCH_CLIP_ID_BYTES];
    uint8_t content_key[CLIP_KEY_BYTES];
    uint8_t eph_sk[crypto_scalarmult_curve25519_SCALARBYTES];
};

/* What a reader holds after unwrapping; lives in sodium_malloc() memory. */
struct porch_clip_key {
    uint8_t record_key[CLIP_KEY_BYTES];
    uint8_t header_hash[PORCH_HASH_BYTES];
};

/* Parses and verifies (signature) the header at the start of clip. */
int porch__clip_header_parse(struct clip_header *h, const uint8_t *clip, size_t clip_len);

/*
 * Builds and signs a header for viewers. Ownership: *out malloc()ed, owned
 * by the caller, released with free().
 */
int porch__clip_header_build(const porch_clip_info *info, const struct clip_random *rnd,
                             const porch_device_public *viewers, size_t n_viewers,
                             const porch_device_secret *hub, uint8_t **out, size_t *out_len);

/* Seals the content key for one viewer into wrap (CLIP_WRAP_BYTES). */
int porch__clip_wrap(uint8_t wrap[CLIP_WRAP_BYTES], const struct clip_random *rnd,
                     const uint8_t eph_pk[32], const porch_clip_info *info,
                     const uint8_t viewer_box_pk[PORCH_BOX_PK_BYTES]);

/* commitment = BLAKE2b-256(key = content key, "porchlight/v1/clip-commit" NUL || clip_id) */
void porch__clip_commitment(uint8_t out[PORCH_HASH_BYTES], const uint8_t content_key[32],
                            const uint8_t clip_id[PORCH_CLIP_ID_BYTES]);
/* record key = BLAKE2b-256(key = content key, "porchlight/v1/clip-records" NUL) */
void porch__clip_record_key(uint8_t out[CLIP_KEY_BYTES], const uint8_t content_key[32]);

/* What a sealed key is bound to (see porch__key_seal). */
struct key_binding {
    const char *domain;
    const uint8_t *ctx;     /* starts with eph_pk | viewer_pk */
    size_t ctx_len;
    const uint8_t *ad;
    size_t ad_len;
};

int porch__key_seal(uint8_t sealed[CLIP_WRAP_SEALED_BYTES], const uint8_t key[32],
                    const uint8_t eph_sk[32], const uint8_t viewer_pk[32],
                    const struct key_binding *b);
int porch__key_open(uint8_t key[32], const uint8_t sealed[CLIP_WRAP_SEALED_BYTES],
                    const porch_device_secret *dev, const uint8_t eph_pk[32],
                    const struct key_binding *b);

/* This device's content key from its header wrap, commitment checked. */
int porch__clip_content_key(uint8_t content_key[32], const struct clip_header *h,
                            const porch_device_secret *dev);
/*
 * Parses the header into h and recovers dev's content key.
 * Ownership: *content_key is sodium_malloc()ed on success (NULL on failure),
 * released by the caller with sodium_free().
 */
int porch__clip_open_content_key(struct clip_header *h, uint8_t **content_key,
                                 const uint8_t *clip, size_t clip_len,
                                 const porch_device_secret *dev);
int porch__clip_check_commitment(const uint8_t content_key[32], const struct clip_header *h);
/* Ownership: *out as porch_clip_key_unwrap(). */
int porch__clip_key_from_content(porch_clip_key **out, const uint8_t content_key[32],
                                 const struct clip_header *h);

/* Seals content_key into a share for si's recipient, signed by granter
 * (tests use it to build shares a well-behaved granter never would). */
int porch__clip_share_seal(uint8_t out[PORCH_CLIP_SHARE_BYTES], const porch_clip_share_info *si,
                           const uint8_t content_key[32], const porch_device_secret *granter);

/* Padded plaintext size for a payload: Padmé over max(8 + len, 256). */
size_t porch__record_plain_len(size_t payload_len);

/*
 * Seals one record into out (capacity out_cap >= 12 + plain_len + 16).
 * The payload is copied behind the 8-byte prefix and encrypted in place.
 */
int porch__record_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                       const uint8_t record_key[32], const uint8_t header_hash[32],
                       uint32_t index, int final, porch_record_kind kind,
                       const uint8_t *payload, size_t payload_len);

/* Deterministic writer for test vectors. Ownership: as porch_clip_writer_new(). */
int porch__clip_writer_new_with(porch_clip_writer **out, const porch_device_secret *hub,
                                const porch_roster *roster, const char *camera,
                                uint64_t start_us, const struct clip_random *rnd);

/* porch_notice_seal() with fixed clip randomness (NULL: random), for test vectors. */
struct porch_clip_meta;
int porch__notice_seal_with(uint8_t **out, size_t *out_len, const porch_device_secret *hub,
                            const porch_roster *roster, const char *camera, uint64_t time_us,
                            const uint8_t event_clip[PORCH_CLIP_ID_BYTES],
                            const struct porch_clip_meta *meta, const struct clip_random *rnd);

#endif
