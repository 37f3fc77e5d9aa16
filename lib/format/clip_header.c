/*
 * clip_header.c: the clip header (docs/FORMAT.md, "Clip header").
 *
 *   magic "PORCHCLP" | version u16 | reserved u16 = 0 | header_len u32 |
 *   household[16] | clip_id[16] | start_us u64 | hub_sign_pk[32] |
 *   roster_seq u64 | roster_hash[32] | eph_pk[32] | key_commitment[32] |
 *   camera_len u8 | camera | n_wraps u16 | n_wraps x (viewer box_pk[32] |
 *   sealed key[48]) | signature[64]
 *
 * The signature (by hub_sign_pk) covers every byte before it under the
 * domain "porchlight/v1/clip-header"; the header hash that every record
 * binds to covers the whole header, signature included.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "crypto/identity_internal.h"
#include "format/clip_internal.h"
#include "util/bytes.h"

static const char sign_domain[] = "porchlight/v1/clip-header";
static const char hash_domain[] = "porchlight/v1/clip-header-hash";

static size_t header_size(size_t camera_len, size_t n_wraps)
{
    return CLIP_HEADER_FIXED + 1 + camera_len + 2 + n_wraps * CLIP_WRAP_BYTES +
           PORCH_SIGNATURE_BYTES;
}

static void write_fixed(porch__wr *wr, const porch_clip_info *info, size_t header_len,
                        const uint8_t eph_pk[32], const uint8_t commitment[32])
{
    porch__wr_bytes(wr, CLIP_MAGIC, 8);
    porch__wr_u16(wr, CLIP_VERSION);
    porch__wr_u16(wr, 0);
    porch__wr_u32(wr, (uint32_t)header_len);
    porch__wr_bytes(wr, info->household, sizeof info->household);
    porch__wr_bytes(wr, info->clip_id, sizeof info->clip_id);
    porch__wr_u64(wr, info->start_us);
    porch__wr_bytes(wr, info->hub_sign_pk, sizeof info->hub_sign_pk);
    porch__wr_u64(wr, info->roster.seq);
    porch__wr_bytes(wr, info->roster.hash, sizeof info->roster.hash);
    porch__wr_bytes(wr, eph_pk, 32);
    porch__wr_bytes(wr, commitment, 32);
}

int porch__clip_header_build(const porch_clip_info *info, const struct clip_random *rnd,
                             const porch_device_public *viewers, size_t n_viewers,
                             const porch_device_secret *hub, uint8_t **out, size_t *out_len)
{
    uint8_t eph_pk[32], commitment[32];
    size_t cam_len = strlen(info->camera), len = header_size(cam_len, n_viewers);
    uint8_t *buf = NULL;
    porch__wr wr;
    int ret = PORCH_ERR_INVALID_ARG;

    *out = NULL;
    *out_len = 0;
    if (n_viewers == 0 || n_viewers > PORCH_CLIP_MAX_WRAPS || len > PORCH_CLIP_HEADER_MAX)
        goto out;
    ret = PORCH_ERR_CRYPTO;
    if (crypto_scalarmult_curve25519_base(eph_pk, rnd->eph_sk) != 0)
        goto out;
    porch__clip_commitment(commitment, rnd->content_key, info->clip_id);
    ret = PORCH_ERR_NOMEM;
    if (!(buf = malloc(len)))
        goto out;
    porch__wr_init(&wr, buf, len - PORCH_SIGNATURE_BYTES);
    write_fixed(&wr, info, len, eph_pk, commitment);
    porch__wr_u8(&wr, (uint8_t)cam_len);
    porch__wr_bytes(&wr, info->camera, cam_len);
    porch__wr_u16(&wr, (uint16_t)n_viewers);
    for (size_t i = 0; i < n_viewers && wr.err == PORCH_OK; i++) {
        ret = porch__clip_wrap(wr.p + wr.off, rnd, eph_pk, info, viewers[i].box_pk);
        if (ret != PORCH_OK)
            goto out;
        wr.off += CLIP_WRAP_BYTES; /* header_size() reserved exactly this */
    }
    if ((ret = wr.err) != PORCH_OK ||
        (ret = porch__sign_domain(hub, sign_domain, buf, wr.off, buf + wr.off)) != PORCH_OK)
        goto out;
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    free(buf);
    return ret;
}

static int parse_fixed(porch__rd *rd, struct clip_header *h, uint32_t *header_len)
{
    const uint8_t *magic = porch__rd_take(rd, 8);
    uint16_t version = porch__rd_u16(rd), reserved = porch__rd_u16(rd);
    *header_len = porch__rd_u32(rd);
    porch__rd_copy(rd, h->info.household, sizeof h->info.household);
    porch__rd_copy(rd, h->info.clip_id, sizeof h->info.clip_id);
    h->info.start_us = porch__rd_u64(rd);
    porch__rd_copy(rd, h->info.hub_sign_pk, sizeof h->info.hub_sign_pk);
    h->info.roster.seq = porch__rd_u64(rd);
    porch__rd_copy(rd, h->info.roster.hash, sizeof h->info.roster.hash);
    porch__rd_copy(rd, h->eph_pk, sizeof h->eph_pk);
    porch__rd_copy(rd, h->key_commitment, sizeof h->key_commitment);
    if (rd->err)
        return rd->err;
    if (memcmp(magic, CLIP_MAGIC, 8) != 0)
        return PORCH_ERR_BAD_MAGIC;
    if (version != CLIP_VERSION)
        return PORCH_ERR_BAD_VERSION;
    if (reserved != 0)
        return PORCH_ERR_MALFORMED;
    if (*header_len > PORCH_CLIP_HEADER_MAX)
        return PORCH_ERR_TOO_LARGE;
    return PORCH_OK;
}

static int parse_variable(porch__rd *rd, struct clip_header *h)
{
    uint8_t cam_len = porch__rd_u8(rd);
    if (rd->err)
        return rd->err;
    if (cam_len > PORCH_CAMERA_ID_MAX)
        return PORCH_ERR_MALFORMED;
    porch__rd_copy(rd, h->info.camera, cam_len);
    h->info.camera[cam_len] = '\0';
    if (strlen(h->info.camera) != cam_len)
        return rd->err ? rd->err : PORCH_ERR_MALFORMED; /* a NUL would hide bytes */
    h->info.n_wraps = porch__rd_u16(rd);
    if (rd->err)
        return rd->err;
    if (!porch_camera_id_valid(h->info.camera) || h->info.n_wraps == 0)
        return PORCH_ERR_MALFORMED;
    if (h->info.n_wraps > PORCH_CLIP_MAX_WRAPS)
        return PORCH_ERR_TOO_LARGE;
    h->wraps = porch__rd_take(rd, (size_t)h->info.n_wraps * CLIP_WRAP_BYTES);
    return rd->err;
}

int porch__clip_header_parse(struct clip_header *h, const uint8_t *clip, size_t clip_len)
{
    porch__rd rd;
    uint32_t header_len = 0;
    int ret;

    memset(h, 0, sizeof *h);
    porch__rd_init(&rd, clip, clip_len);
    if ((ret = parse_fixed(&rd, h, &header_len)) != PORCH_OK)
        return ret;
    if (header_len < header_size(1, 1))
        return PORCH_ERR_MALFORMED;
    if (header_len > clip_len)
        return PORCH_ERR_TRUNCATED;
    /* From here on read only inside the declared length, before the signature. */
    porch__rd_init(&rd, clip, header_len - PORCH_SIGNATURE_BYTES);
    rd.off = CLIP_HEADER_FIXED;
    if ((ret = parse_variable(&rd, h)) != PORCH_OK)
        return ret == PORCH_ERR_TRUNCATED ? PORCH_ERR_MALFORMED : ret;
    if (porch__rd_left(&rd))
        return PORCH_ERR_MALFORMED;
    if ((ret = porch__verify_domain(h->info.hub_sign_pk, sign_domain, clip, rd.off,
                                    clip + rd.off, PORCH_ERR_HEADER_SIGNATURE)) != PORCH_OK)
        return ret;
    h->info.header_len = header_len;
    porch__hash_domain(h->info.header_hash, hash_domain, clip, header_len);
    return PORCH_OK;
}

int porch_clip_header_parse(porch_clip_info *info, const uint8_t *clip, size_t clip_len)
{
    struct clip_header h;
    int ret;

    if (info)
        memset(info, 0, sizeof *info);
    if (!info || !clip)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__clip_header_parse(&h, clip, clip_len)) == PORCH_OK)
        *info = h.info;
    return ret;
}

/* True when some wrap in h is addressed to box_pk. */
static int has_wrap_for(const struct clip_header *h, const uint8_t box_pk[32])
{
    for (size_t i = 0; i < h->info.n_wraps; i++)
        if (sodium_memcmp(h->wraps + i * CLIP_WRAP_BYTES, box_pk, 32) == 0)
            return 1;
    return 0;
}

static int check_wraps(const struct clip_header *h, const porch_roster *roster)
{
    porch_device_public *viewers = NULL;
    size_t n = 0;
    int ret = PORCH_ERR_NOMEM;

    if (!(viewers = calloc(PORCH_CLIP_MAX_WRAPS, sizeof *viewers)))
        goto out;
    ret = porch_roster_viewers_at(roster, h->info.roster.seq, h->info.camera, viewers,
                                  PORCH_CLIP_MAX_WRAPS, &n);
    if (ret != PORCH_OK)
        goto out;
    /* Same count, and every allowed viewer has a wrap: since box keys are
     * unique in a roster state, this means the sets are equal. */
    ret = n == h->info.n_wraps ? PORCH_OK : PORCH_ERR_WRAPS_MISMATCH;
    for (size_t i = 0; i < n && ret == PORCH_OK; i++)
        if (!has_wrap_for(h, viewers[i].box_pk))
            ret = PORCH_ERR_WRAPS_MISMATCH;
out:
    free(viewers);
    return ret;
}

int porch_clip_header_check_roster(const uint8_t *clip, size_t clip_len,
                                   const porch_roster *roster)
{
    struct clip_header h;
    uint8_t hash[PORCH_HASH_BYTES];
    int ret;

    if (!clip || !roster)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__clip_header_parse(&h, clip, clip_len)) != PORCH_OK)
        return ret;
    if (memcmp(h.info.household, porch_roster_household(roster), PORCH_HOUSEHOLD_ID_BYTES) != 0)
        return PORCH_ERR_ROSTER_HOUSEHOLD;
    if (porch_roster_hash_at(roster, h.info.roster.seq, hash) != PORCH_OK ||
        sodium_memcmp(hash, h.info.roster.hash, PORCH_HASH_BYTES) != 0)
        return PORCH_ERR_ROSTER_UNKNOWN_HEAD;
    if ((ret = porch_roster_check_hub_at(roster, h.info.roster.seq, h.info.hub_sign_pk,
                                         h.info.camera)) != PORCH_OK)
        return ret;
    return check_wraps(&h, roster);
}
