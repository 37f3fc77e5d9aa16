/*
 * fixture.h: the deterministic household behind docs/FORMAT.md's test
 * vectors, the fuzz seed corpora and the fuzz harnesses' fixed keys.
 *
 * Every secret here is public on purpose: bytes 0x00, 0x01, ... counting up
 * from a per-item start. With these inputs every output byte of the vectors is
 * reproducible (Ed25519 signatures are deterministic). Changing anything here
 * changes the vectors in docs/FORMAT.md and the seed corpora in fuzz/corpus/:
 * regenerate both (gen_vectors, gen_corpus).
 *
 * Header-only (static inline) so fuzz harnesses can include it without a
 * build-file change: #include "../tests/format/fixture.h".
 */
#ifndef PORCH_TEST_FORMAT_FIXTURE_H
#define PORCH_TEST_FORMAT_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/identity_internal.h"
#include "format/clip_internal.h"
#include "format/roster_internal.h"
#include "porchlight/clip.h"
#include "porchlight/clip_meta.h"
#include "porchlight/error.h"
#include "porchlight/identity.h"
#include "porchlight/roster.h"

/* Start bytes of the counting sequences (see fx_count()). */
#define FX_OWNER_SIGN 0x00u
#define FX_OWNER_BOX 0x20u
#define FX_MEMBER_SIGN 0x40u
#define FX_MEMBER_BOX 0x60u
#define FX_HUB_SIGN 0x80u
#define FX_HUB_BOX 0xa0u
#define FX_HOUSEHOLD 0xf0u          /* 16 bytes f0..ff */
#define FX_SALT 0xc0u               /* 16 bytes c0..cf */
#define FX_NONCE 0xd0u              /* 24 bytes d0..e7 */
#define FX_CLIP_ID 0x10u            /* 16 bytes 10..1f */
#define FX_CONTENT_KEY 0x30u        /* 32 bytes 30..4f */
#define FX_EPH_SK 0x50u             /* 32 bytes 50..6f */
#define FX_GRANT_ID 0x90u           /* 16 bytes 90..9f */
#define FX_NOTICE_CLIP_ID 0x70u     /* 16 bytes 70..7f: the notice's own clip id */

#define FX_OWNER_NAME "owner-phone"
#define FX_MEMBER_NAME "member-laptop"
#define FX_HUB_NAME "porch-hub"
#define FX_PASSPHRASE "correct horse battery staple"
#define FX_CAMERA "front"
#define FX_T_GENESIS 1700000000ull  /* Unix seconds */
#define FX_T_ADD_MEMBER 1700000060ull
#define FX_T_ADD_HUB 1700000120ull
#define FX_CLIP_START_US 1700000200000000ull
#define FX_CLIP_END_US 1700000204500000ull
#define FX_REASON "motion in zone porch for 4.5 s"
#define FX_GRANT_CREATED_US 1700000300000000ull
#define FX_GRANT_EXPIRES_US 1700086700000000ull
#define FX_GRANT_FROM_US 1700000000000000ull
#define FX_GRANT_TO_US 1700003600000000ull
#define FX_NOTICE_TIME_US 1700000201000000ull
/* Stand-in INIT payload (a real one is ftyp + moov). */
#define FX_INIT_PAYLOAD "\x00\x00\x00\x10" "ftypisom\x00\x00\x02\x00"
#define FX_INIT_PAYLOAD_LEN 16u

struct fx {
    porch_device_secret *owner, *member, *hub;
    porch_roster *roster2;   /* genesis + add member */
    porch_roster *roster3;   /* genesis + add member + add hub (camera "front") */
};

static inline void fx_count(uint8_t *out, size_t n, unsigned start)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(start + i);
}

static inline int fx_device(porch_device_secret **out, const char *name, unsigned sign,
                            unsigned box)
{
    uint8_t a[32], b[32];
    fx_count(a, 32, sign);
    fx_count(b, 32, box);
    return porch__device_from_seeds(out, name, a, b);
}

static inline porch_scope fx_scope_front(void)
{
    porch_scope s;
    memset(&s, 0, sizeof s);
    s.n_cameras = 1;
    memcpy(s.cameras[0], FX_CAMERA, sizeof FX_CAMERA);
    return s;
}

static inline int fx_roster(porch_roster **out, const struct fx *f, int with_hub)
{
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    porch_scope front = fx_scope_front();
    int ret;

    fx_count(household, sizeof household, FX_HOUSEHOLD);
    if ((ret = porch__roster_create_with(out, f->owner, FX_T_GENESIS, household)) != PORCH_OK)
        return ret;
    ret = porch_roster_add(*out, f->owner, porch_device_public_of(f->member), PORCH_ROLE_MEMBER,
                           &front, FX_T_ADD_MEMBER);
    if (ret == PORCH_OK && with_hub)
        ret = porch_roster_add(*out, f->owner, porch_device_public_of(f->hub), PORCH_ROLE_HUB,
                               &front, FX_T_ADD_HUB);
    if (ret != PORCH_OK) {
        porch_roster_free(*out);
        *out = NULL;
    }
    return ret;
}

static inline void fx_free(struct fx *f)
{
    porch_device_free(f->owner);
    porch_device_free(f->member);
    porch_device_free(f->hub);
    porch_roster_free(f->roster2);
    porch_roster_free(f->roster3);
    memset(f, 0, sizeof *f);
}

static inline int fx_init(struct fx *f)
{
    int ret;
    memset(f, 0, sizeof *f);
    if ((ret = porch_init()) != PORCH_OK ||
        (ret = fx_device(&f->owner, FX_OWNER_NAME, FX_OWNER_SIGN, FX_OWNER_BOX)) != PORCH_OK ||
        (ret = fx_device(&f->member, FX_MEMBER_NAME, FX_MEMBER_SIGN, FX_MEMBER_BOX)) != PORCH_OK ||
        (ret = fx_device(&f->hub, FX_HUB_NAME, FX_HUB_SIGN, FX_HUB_BOX)) != PORCH_OK ||
        (ret = fx_roster(&f->roster2, f, 0)) != PORCH_OK ||
        (ret = fx_roster(&f->roster3, f, 1)) != PORCH_OK)
        fx_free(f);
    return ret;
}

static inline void fx_clip_random(struct clip_random *rnd)
{
    fx_count(rnd->clip_id, sizeof rnd->clip_id, FX_CLIP_ID);
    fx_count(rnd->content_key, sizeof rnd->content_key, FX_CONTENT_KEY);
    fx_count(rnd->eph_sk, sizeof rnd->eph_sk, FX_EPH_SK);
}

/* The vector clip's metadata: end time, reason, one label, no thumbnail. */
static inline int fx_meta(uint8_t **out, size_t *out_len)
{
    static porch_label label = {1500, PORCH_CLASS_PERSON, 58982, 1000, 2000, 3000, 4000, 7};
    porch_clip_meta meta;
    memset(&meta, 0, sizeof meta);
    meta.end_us = FX_CLIP_END_US;
    memcpy(meta.reason, FX_REASON, sizeof FX_REASON);
    meta.n_labels = 1;
    meta.labels = &label;
    return porch_meta_encode(&meta, out, out_len);
}

static inline int fx_cat(uint8_t **buf, size_t *len, const uint8_t *p, size_t n)
{
    uint8_t *grown = realloc(*buf, *len + n);
    if (!grown)
        return PORCH_ERR_NOMEM;
    memcpy(grown + *len, p, n);
    *buf = grown;
    *len += n;
    return PORCH_OK;
}

/*
 * Seals the vector clip: header, INIT record (FX_INIT_PAYLOAD), then one
 * MEDIA record per extra payload, then the final META record (fx_meta()).
 * Ownership: *out malloc()ed, released by the caller with free().
 */
static inline int fx_clip_ex(const struct fx *f, const uint8_t *const *media,
                             const size_t *media_len, size_t n, uint8_t **out, size_t *out_len)
{
    struct clip_random rnd;
    porch_clip_writer *w = NULL;
    uint8_t *buf = NULL, *meta = NULL;
    size_t len = 0, meta_len = 0, rec_len;
    const uint8_t *rec;
    int ret;

    *out = NULL;
    *out_len = 0;
    fx_clip_random(&rnd);
    if ((ret = fx_meta(&meta, &meta_len)) != PORCH_OK ||
        (ret = porch__clip_writer_new_with(&w, f->hub, f->roster3, FX_CAMERA, FX_CLIP_START_US,
                                           &rnd)) != PORCH_OK ||
        (ret = porch_clip_writer_header(w, &rec, &rec_len)) != PORCH_OK ||
        (ret = fx_cat(&buf, &len, rec, rec_len)) != PORCH_OK ||
        (ret = porch_clip_writer_append(w, PORCH_RECORD_INIT, (const uint8_t *)FX_INIT_PAYLOAD,
                                        FX_INIT_PAYLOAD_LEN, &rec, &rec_len)) != PORCH_OK ||
        (ret = fx_cat(&buf, &len, rec, rec_len)) != PORCH_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((ret = porch_clip_writer_append(w, PORCH_RECORD_MEDIA, media[i], media_len[i], &rec,
                                            &rec_len)) != PORCH_OK ||
            (ret = fx_cat(&buf, &len, rec, rec_len)) != PORCH_OK)
            goto out;
    if ((ret = porch_clip_writer_finish(w, meta, meta_len, &rec, &rec_len)) != PORCH_OK ||
        (ret = fx_cat(&buf, &len, rec, rec_len)) != PORCH_OK)
        goto out;
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    porch_clip_writer_free(w);
    free(buf);
    free(meta);
    sodium_memzero(&rnd, sizeof rnd);
    return ret;
}

/* Header, INIT record, final META record: the clip of the FORMAT.md vector. */
static inline int fx_clip(const struct fx *f, uint8_t **out, size_t *out_len)
{
    return fx_clip_ex(f, NULL, NULL, 0, out, out_len);
}

#endif
