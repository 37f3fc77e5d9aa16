/*
 * grant.c: support grants (see porchlight/grant.h).
 *
 *   magic "PORCHGRT" | version u16 = 1 | reserved u16 = 0 | household[16] |
 *   grant_id[16] | granter_sign_pk[32] | support_sign_pk[32] |
 *   support_box_pk[32] | created_us u64 | expires_us u64 | n_cameras u8 |
 *   reserved u8 = 0 | reserved u16 = 0 | n_clips u32 | from_us u64 |
 *   to_us u64 | n_cameras x (len u8 | camera id) | n_clips x clip_id[16] |
 *   signature[64]
 *
 * signature = Sign(granter, "porchlight/v1/support-grant", every byte before
 * it). Cameras and clip ids are strictly ascending, so each grant has exactly
 * one encoding and a reader can search the clip list.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/grant.h"
#include "crypto/identity_internal.h"
#include "format/grant_internal.h"
#include "util/bytes.h"

#define GRANT_MAGIC "PORCHGRT"
#define GRANT_VERSION 1u
#define GRANT_FIXED 180u

static const char sig_domain[] = "porchlight/v1/support-grant";

static int cmp_camera(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int cmp_clip(const void *a, const void *b)
{
    return memcmp(a, b, PORCH_CLIP_ID_BYTES);
}

/* Scope and times are within the rules of FORMAT.md; order not checked. */
static int scope_valid(const porch_grant *g)
{
    if (g->n_cameras > PORCH_GRANT_MAX_CAMERAS || g->n_clips > PORCH_GRANT_MAX_CLIPS)
        return PORCH_ERR_TOO_LARGE;
    if (g->n_cameras + g->n_clips == 0 || g->expires_us <= g->created_us)
        return PORCH_ERR_MALFORMED;
    if (g->n_cameras == 0 ? (g->from_us || g->to_us) : g->from_us >= g->to_us)
        return PORCH_ERR_MALFORMED;
    for (uint32_t i = 0; i < g->n_cameras; i++)
        if (!porch_camera_id_valid(g->cameras[i]))
            return PORCH_ERR_MALFORMED;
    return PORCH_OK;
}

/* Strictly ascending cameras and clip ids (no duplicates). */
static int scope_canonical(const porch_grant *g)
{
    for (uint32_t i = 1; i < g->n_cameras; i++)
        if (strcmp(g->cameras[i - 1], g->cameras[i]) >= 0)
            return 0;
    for (uint32_t i = 1; i < g->n_clips; i++)
        if (memcmp(g->clip_ids[i - 1], g->clip_ids[i], PORCH_CLIP_ID_BYTES) >= 0)
            return 0;
    return 1;
}

static size_t encoded_len(const porch_grant *g)
{
    size_t n = GRANT_FIXED + (size_t)g->n_clips * PORCH_CLIP_ID_BYTES + PORCH_SIGNATURE_BYTES;
    for (uint32_t i = 0; i < g->n_cameras; i++)
        n += 1 + strlen(g->cameras[i]);
    return n;
}

static void write_body(porch__wr *wr, const porch_grant *g)
{
    porch__wr_bytes(wr, GRANT_MAGIC, 8);
    porch__wr_u16(wr, GRANT_VERSION);
    porch__wr_u16(wr, 0);
    porch__wr_bytes(wr, g->household, 16);
    porch__wr_bytes(wr, g->grant_id, 16);
    porch__wr_bytes(wr, g->granter_sign_pk, 32);
    porch__wr_bytes(wr, g->support_sign_pk, 32);
    porch__wr_bytes(wr, g->support_box_pk, 32);
    porch__wr_u64(wr, g->created_us);
    porch__wr_u64(wr, g->expires_us);
    porch__wr_u8(wr, (uint8_t)g->n_cameras);
    porch__wr_u8(wr, 0);
    porch__wr_u16(wr, 0);
    porch__wr_u32(wr, g->n_clips);
    porch__wr_u64(wr, g->from_us);
    porch__wr_u64(wr, g->to_us);
    for (uint32_t i = 0; i < g->n_cameras; i++) {
        size_t l = strlen(g->cameras[i]);
        porch__wr_u8(wr, (uint8_t)l);
        porch__wr_bytes(wr, g->cameras[i], l);
    }
    porch__wr_bytes(wr, g->clip_ids, (size_t)g->n_clips * PORCH_CLIP_ID_BYTES);
}

int porch__grant_sign(porch_grant *g, const porch_device_secret *granter, uint8_t **out,
                      size_t *out_len)
{
    const porch_device_public *pub;
    porch__wr wr;
    uint8_t *buf = NULL;
    size_t len;
    int ret = PORCH_ERR_INVALID_ARG;

    if (!g || !granter || !out || !out_len || (ret = scope_valid(g)) != PORCH_OK)
        return ret == PORCH_OK ? PORCH_ERR_INVALID_ARG : ret;
    pub = porch_device_public_of(granter);
    memcpy(g->granter_sign_pk, pub->sign_pk, PORCH_SIGN_PK_BYTES);
    qsort(g->cameras, g->n_cameras, sizeof g->cameras[0], cmp_camera);
    qsort(g->clip_ids, g->n_clips, sizeof g->clip_ids[0], cmp_clip);
    if (!scope_canonical(g))
        return PORCH_ERR_INVALID_ARG;
    len = encoded_len(g);
    if (!(buf = malloc(len)))
        return PORCH_ERR_NOMEM;
    porch__wr_init(&wr, buf, len);
    write_body(&wr, g);
    if (wr.err || wr.off != len - PORCH_SIGNATURE_BYTES)
        ret = PORCH_ERR_INVALID_ARG;
    else
        ret = porch__sign_domain(granter, sig_domain, buf, wr.off, buf + wr.off);
    if (ret != PORCH_OK) {
        free(buf);
        return ret;
    }
    *out = buf;
    *out_len = len;
    return PORCH_OK;
}

int porch_grant_create(porch_grant *g, const porch_device_secret *granter, uint8_t **out,
                       size_t *out_len)
{
    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!g)
        return PORCH_ERR_INVALID_ARG;
    randombytes_buf(g->grant_id, sizeof g->grant_id);
    return porch__grant_sign(g, granter, out, out_len);
}

static int read_fixed(porch__rd *rd, porch_grant *g)
{
    const uint8_t *magic = porch__rd_take(rd, 8);
    uint16_t version = porch__rd_u16(rd), reserved = porch__rd_u16(rd);
    if (rd->err)
        return rd->err;
    if (memcmp(magic, GRANT_MAGIC, 8) != 0)
        return PORCH_ERR_BAD_MAGIC;
    if (version != GRANT_VERSION)
        return PORCH_ERR_BAD_VERSION;
    if (reserved)
        return PORCH_ERR_MALFORMED;
    porch__rd_copy(rd, g->household, 16);
    porch__rd_copy(rd, g->grant_id, 16);
    porch__rd_copy(rd, g->granter_sign_pk, 32);
    porch__rd_copy(rd, g->support_sign_pk, 32);
    porch__rd_copy(rd, g->support_box_pk, 32);
    g->created_us = porch__rd_u64(rd);
    g->expires_us = porch__rd_u64(rd);
    g->n_cameras = porch__rd_u8(rd);
    uint8_t r1 = porch__rd_u8(rd);
    uint16_t r2 = porch__rd_u16(rd);
    g->n_clips = porch__rd_u32(rd);
    g->from_us = porch__rd_u64(rd);
    g->to_us = porch__rd_u64(rd);
    if (rd->err)
        return rd->err;
    if (r1 || r2)
        return PORCH_ERR_MALFORMED;
    if (g->n_cameras > PORCH_GRANT_MAX_CAMERAS || g->n_clips > PORCH_GRANT_MAX_CLIPS)
        return PORCH_ERR_TOO_LARGE;
    return PORCH_OK;
}

static int read_scope(porch__rd *rd, porch_grant *g)
{
    for (uint32_t i = 0; i < g->n_cameras; i++) {
        uint8_t l = porch__rd_u8(rd);
        const uint8_t *id = porch__rd_take(rd, l);
        if (rd->err)
            return rd->err;
        if (l == 0 || l > PORCH_CAMERA_ID_MAX)
            return PORCH_ERR_MALFORMED;
        memcpy(g->cameras[i], id, l);
        g->cameras[i][l] = '\0';
    }
    porch__rd_copy(rd, g->clip_ids, (size_t)g->n_clips * PORCH_CLIP_ID_BYTES);
    return rd->err;
}

int porch_grant_parse(porch_grant **out, const uint8_t *buf, size_t len)
{
    porch_grant *g = NULL;
    porch__rd rd;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !buf)
        goto out;
    ret = PORCH_ERR_TOO_LARGE;
    if (len > PORCH_GRANT_MAX_BYTES)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(g = calloc(1, sizeof *g)))
        goto out;
    porch__rd_init(&rd, buf, len);
    if ((ret = read_fixed(&rd, g)) != PORCH_OK || (ret = read_scope(&rd, g)) != PORCH_OK)
        goto out;
    size_t body = rd.off;
    const uint8_t *sig = porch__rd_take(&rd, PORCH_SIGNATURE_BYTES);
    if ((ret = rd.err) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_TRAILING_DATA;
    if (porch__rd_left(&rd))
        goto out;
    ret = PORCH_ERR_MALFORMED;
    if (scope_valid(g) != PORCH_OK || !scope_canonical(g))
        goto out;
    if ((ret = porch__verify_domain(g->granter_sign_pk, sig_domain, buf, body, sig,
                                    PORCH_ERR_GRANT_SIGNATURE)) != PORCH_OK)
        goto out;
    *out = g;
    g = NULL;
out:
    free(g);
    return ret;
}

void porch_grant_free(porch_grant *g)
{
    free(g);
}

int porch_grant_check_roster(const porch_grant *g, const porch_roster *roster)
{
    if (!g || !roster)
        return PORCH_ERR_INVALID_ARG;
    if (memcmp(g->household, porch_roster_household(roster), PORCH_HOUSEHOLD_ID_BYTES) != 0)
        return PORCH_ERR_ROSTER_HOUSEHOLD;
    const porch_member *a = porch_roster_find(roster, g->granter_sign_pk);
    if (!a || a->role != PORCH_ROLE_ADMIN)
        return PORCH_ERR_GRANTER_NOT_ADMIN;
    const porch_member *s = porch_roster_find(roster, g->support_sign_pk);
    if (!s || s->role != PORCH_ROLE_SUPPORT ||
        sodium_memcmp(s->device.box_pk, g->support_box_pk, PORCH_BOX_PK_BYTES) != 0)
        return PORCH_ERR_GRANT_NOT_SUPPORT;
    return PORCH_OK;
}

int porch_grant_check_time(const porch_grant *g, uint64_t now_us)
{
    if (!g)
        return PORCH_ERR_INVALID_ARG;
    return now_us >= g->created_us && now_us < g->expires_us ? PORCH_OK
                                                             : PORCH_ERR_GRANT_EXPIRED;
}

int porch_grant_covers(const porch_grant *g, const porch_clip_info *clip)
{
    if (!g || !clip || memcmp(g->household, clip->household, PORCH_HOUSEHOLD_ID_BYTES) != 0)
        return 0;
    if (g->n_clips && bsearch(clip->clip_id, g->clip_ids, g->n_clips, sizeof g->clip_ids[0],
                              cmp_clip))
        return 1;
    if (clip->start_us < g->from_us || clip->start_us >= g->to_us)
        return 0;
    for (uint32_t i = 0; i < g->n_cameras; i++)
        if (strcmp(g->cameras[i], clip->camera) == 0)
            return 1;
    return 0;
}

int porch_grant_check_share(const porch_grant *g, const porch_clip_share_info *share)
{
    if (!g || !share)
        return PORCH_ERR_INVALID_ARG;
    if (memcmp(share->household, g->household, PORCH_HOUSEHOLD_ID_BYTES) != 0 ||
        sodium_memcmp(share->granter_sign_pk, g->granter_sign_pk, PORCH_SIGN_PK_BYTES) != 0 ||
        sodium_memcmp(share->recipient_box_pk, g->support_box_pk, PORCH_BOX_PK_BYTES) != 0 ||
        share->expires_us == 0 || share->expires_us > g->expires_us)
        return PORCH_ERR_SHARE_MISMATCH;
    return PORCH_OK;
}
