/*
 * clip_share.c: a clip's content key re-wrapped for one more device.
 *
 *   magic "PORCHSHR" | version u16 | reserved u16 = 0 | household[16] |
 *   clip_id[16] | header_hash[32] | granter_sign_pk[32] | expires_us u64 |
 *   eph_pk[32] | recipient_box_pk[32] | sealed key[48] | signature[64]
 *
 * The key is sealed as header wraps are (porch__key_seal) under the domain
 * "porchlight/v1/clip-share" with ctx = eph_pk | recipient | household |
 * clip_id | header_hash and every byte before the sealed key as associated
 * data; the granter signs every byte before the signature under the domain
 * "porchlight/v1/clip-share-sig". The recipient checks the key against the
 * clip header's commitment, so whoever grants cannot change what is seen.
 */
#include <string.h>

#include "porchlight/error.h"
#include "crypto/identity_internal.h"
#include "format/clip_internal.h"
#include "util/bytes.h"

#define SHARE_MAGIC "PORCHSHR"
#define SHARE_VERSION 1u
#define SHARE_EPH_AT 116u
#define SHARE_SEALED_AT 180u
#define SHARE_SIG_AT 228u

static const char seal_domain[] = "porchlight/v1/clip-share";
static const char sig_domain[] = "porchlight/v1/clip-share-sig";

static void share_binding(struct key_binding *b, uint8_t ctx[128], const uint8_t *share,
                          const porch_clip_share_info *si)
{
    memcpy(ctx, share + SHARE_EPH_AT, 32);
    memcpy(ctx + 32, si->recipient_box_pk, 32);
    memcpy(ctx + 64, si->household, 16);
    memcpy(ctx + 80, si->clip_id, 16);
    memcpy(ctx + 96, si->header_hash, 32);
    b->domain = seal_domain;
    b->ctx = ctx;
    b->ctx_len = 128;
    b->ad = share;
    b->ad_len = SHARE_SEALED_AT;
}

static void write_clear_part(porch__wr *wr, const porch_clip_share_info *si,
                             const uint8_t eph_pk[32])
{
    porch__wr_bytes(wr, SHARE_MAGIC, 8);
    porch__wr_u16(wr, SHARE_VERSION);
    porch__wr_u16(wr, 0);
    porch__wr_bytes(wr, si->household, 16);
    porch__wr_bytes(wr, si->clip_id, 16);
    porch__wr_bytes(wr, si->header_hash, 32);
    porch__wr_bytes(wr, si->granter_sign_pk, 32);
    porch__wr_u64(wr, si->expires_us);
    porch__wr_bytes(wr, eph_pk, 32);
    porch__wr_bytes(wr, si->recipient_box_pk, 32);
}

int porch__clip_share_seal(uint8_t out[PORCH_CLIP_SHARE_BYTES], const porch_clip_share_info *si,
                      const uint8_t content_key[32], const porch_device_secret *granter)
{
    struct key_binding b;
    uint8_t ctx[128], eph_pk[32], *eph_sk = sodium_malloc(32);
    porch__wr wr;
    int ret = PORCH_ERR_NOMEM;

    if (!eph_sk)
        return ret;
    randombytes_buf(eph_sk, 32);
    crypto_scalarmult_curve25519_base(eph_pk, eph_sk);
    porch__wr_init(&wr, out, SHARE_SEALED_AT);
    write_clear_part(&wr, si, eph_pk);
    share_binding(&b, ctx, out, si);
    if ((ret = porch__key_seal(out + SHARE_SEALED_AT, content_key, eph_sk,
                               si->recipient_box_pk, &b)) == PORCH_OK)
        ret = porch__sign_domain(granter, sig_domain, out, SHARE_SIG_AT, out + SHARE_SIG_AT);
    sodium_free(eph_sk);
    return ret;
}

int porch_clip_share_create(uint8_t out[PORCH_CLIP_SHARE_BYTES], const uint8_t *clip,
                            size_t clip_len, const porch_device_secret *granter,
                            const porch_device_public *recipient, uint64_t expires_us)
{
    struct clip_header h;
    porch_clip_share_info si;
    uint8_t *content_key = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        memset(out, 0, PORCH_CLIP_SHARE_BYTES);
    if (!out || !clip || !granter || !recipient)
        goto out;
    if ((ret = porch__clip_open_content_key(&h, &content_key, clip, clip_len, granter)) !=
        PORCH_OK)
        goto out;
    memset(&si, 0, sizeof si);
    memcpy(si.household, h.info.household, 16);
    memcpy(si.clip_id, h.info.clip_id, 16);
    memcpy(si.header_hash, h.info.header_hash, 32);
    memcpy(si.granter_sign_pk, granter->pub.sign_pk, 32);
    memcpy(si.recipient_box_pk, recipient->box_pk, 32);
    si.expires_us = expires_us;
    ret = porch__clip_share_seal(out, &si, content_key, granter);
out:
    sodium_free(content_key);
    if (ret != PORCH_OK && out)
        memset(out, 0, PORCH_CLIP_SHARE_BYTES);
    return ret;
}

int porch_clip_share_parse(porch_clip_share_info *info, const uint8_t *share, size_t len)
{
    porch__rd rd;

    if (info)
        memset(info, 0, sizeof *info);
    if (!info || !share)
        return PORCH_ERR_INVALID_ARG;
    porch__rd_init(&rd, share, len);
    const uint8_t *magic = porch__rd_take(&rd, 8);
    uint16_t version = porch__rd_u16(&rd), reserved = porch__rd_u16(&rd);
    if (rd.err)
        return rd.err;
    if (memcmp(magic, SHARE_MAGIC, 8) != 0)
        return PORCH_ERR_BAD_MAGIC;
    if (version != SHARE_VERSION)
        return PORCH_ERR_BAD_VERSION;
    if (reserved)
        return PORCH_ERR_MALFORMED;
    porch__rd_copy(&rd, info->household, 16);
    porch__rd_copy(&rd, info->clip_id, 16);
    porch__rd_copy(&rd, info->header_hash, 32);
    porch__rd_copy(&rd, info->granter_sign_pk, 32);
    info->expires_us = porch__rd_u64(&rd);
    porch__rd_take(&rd, 32); /* eph_pk */
    porch__rd_copy(&rd, info->recipient_box_pk, 32);
    if (rd.err)
        return rd.err;
    if (len < PORCH_CLIP_SHARE_BYTES)
        return PORCH_ERR_TRUNCATED;
    if (len > PORCH_CLIP_SHARE_BYTES)
        return PORCH_ERR_TRAILING_DATA;
    return porch__verify_domain(info->granter_sign_pk, sig_domain, share, SHARE_SIG_AT,
                                share + SHARE_SIG_AT, PORCH_ERR_SHARE_SIGNATURE);
}

int porch_clip_share_check_roster(const uint8_t *share, size_t len, const porch_roster *roster)
{
    porch_clip_share_info si;
    int ret;

    if (!roster)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch_clip_share_parse(&si, share, len)) != PORCH_OK)
        return ret;
    if (memcmp(si.household, porch_roster_household(roster), 16) != 0)
        return PORCH_ERR_ROSTER_HOUSEHOLD;
    const porch_member *g = porch_roster_find(roster, si.granter_sign_pk);
    if (!g || g->role != PORCH_ROLE_ADMIN)
        return PORCH_ERR_GRANTER_NOT_ADMIN;
    for (size_t i = 0; i < porch_roster_member_count(roster); i++) {
        const porch_member *m = porch_roster_member(roster, i);
        if (m->role != PORCH_ROLE_HUB &&
            sodium_memcmp(m->device.box_pk, si.recipient_box_pk, 32) == 0)
            return PORCH_OK;
    }
    return PORCH_ERR_SHARE_MISMATCH;
}

/* The share belongs to this clip and this device, and has not expired. */
static int share_applies(const porch_clip_share_info *si, const struct clip_header *h,
                         const porch_device_secret *dev, uint64_t now_us)
{
    if (memcmp(si->household, h->info.household, 16) != 0 ||
        memcmp(si->clip_id, h->info.clip_id, 16) != 0 ||
        sodium_memcmp(si->header_hash, h->info.header_hash, 32) != 0 ||
        sodium_memcmp(si->recipient_box_pk, dev->pub.box_pk, 32) != 0)
        return PORCH_ERR_SHARE_MISMATCH;
    if (si->expires_us && now_us > si->expires_us)
        return PORCH_ERR_SHARE_EXPIRED;
    return PORCH_OK;
}

int porch_clip_key_from_share(porch_clip_key **out, const uint8_t *clip, size_t clip_len,
                              const uint8_t *share, size_t share_len,
                              const porch_device_secret *device, uint64_t now_us)
{
    struct clip_header h;
    struct key_binding b;
    porch_clip_share_info si;
    uint8_t ctx[128], *content_key = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !clip || !share || !device)
        goto out;
    if ((ret = porch__clip_header_parse(&h, clip, clip_len)) != PORCH_OK ||
        (ret = porch_clip_share_parse(&si, share, share_len)) != PORCH_OK ||
        (ret = share_applies(&si, &h, device, now_us)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(content_key = sodium_malloc(CLIP_KEY_BYTES)))
        goto out;
    share_binding(&b, ctx, share, &si);
    if ((ret = porch__key_open(content_key, share + SHARE_SEALED_AT, device,
                               share + SHARE_EPH_AT, &b)) != PORCH_OK ||
        (ret = porch__clip_check_commitment(content_key, &h)) != PORCH_OK)
        goto out;
    ret = porch__clip_key_from_content(out, content_key, &h);
out:
    sodium_free(content_key);
    return ret;
}
