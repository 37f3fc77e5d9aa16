/*
 * clip_meta.c: the clip metadata item list (see porchlight/clip_meta.h).
 *
 *   item  = type u8 | reserved u8 = 0 | length u32 | value[length]
 *   1 END_US     u64                         at most once
 *   2 REASON     text, no NUL, <= 1024 bytes  at most once
 *   3 LABEL      t_ms u32 | class u8 | score u16 | x u16 | y u16 | w u16 |
 *                h u16 | track_id u32 (19 bytes)
 *   4 THUMBNAIL  JPEG (starts FF D8), <= 4 MiB   at most once
 *   5 CLIP_REF   clip id[16] (a notice's event clip)   at most once
 *
 * Decoding makes two passes: the first validates and counts, so the result
 * can be one allocation sized exactly; the second fills it.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/clip_meta.h"
#include "porchlight/error.h"
#include "util/bytes.h"

enum { ITEM_END_US = 1, ITEM_REASON = 2, ITEM_LABEL = 3, ITEM_THUMBNAIL = 4,
       ITEM_CLIP_REF = PORCH_META_CLIP_REF };
#define ITEM_HEADER 6u
#define LABEL_BYTES 19u

static const char *const class_names[] = {"unknown", "motion", "person", "vehicle", "animal",
                                          "face"};

const char *porch_class_name(uint8_t cls)
{
    return cls < sizeof class_names / sizeof class_names[0] ? class_names[cls] : "unknown";
}

static void write_item_header(porch__wr *wr, uint8_t type, size_t len)
{
    porch__wr_u8(wr, type);
    porch__wr_u8(wr, 0);
    porch__wr_u32(wr, (uint32_t)len);
}

static void write_label(porch__wr *wr, const porch_label *l)
{
    write_item_header(wr, ITEM_LABEL, LABEL_BYTES);
    porch__wr_u32(wr, l->t_ms);
    porch__wr_u8(wr, l->cls);
    porch__wr_u16(wr, l->score);
    porch__wr_u16(wr, l->x);
    porch__wr_u16(wr, l->y);
    porch__wr_u16(wr, l->w);
    porch__wr_u16(wr, l->h);
    porch__wr_u32(wr, l->track_id);
}

int porch_meta_encode(const porch_clip_meta *meta, uint8_t **out, size_t *out_len)
{
    porch__wr wr;
    size_t reason_len, total;
    uint8_t *buf;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!meta || !out || !out_len || (meta->n_labels && !meta->labels) ||
        (meta->thumbnail_len && !meta->thumbnail))
        return PORCH_ERR_INVALID_ARG;
    reason_len = strnlen(meta->reason, sizeof meta->reason);
    if (reason_len > PORCH_META_MAX_REASON || meta->n_labels > PORCH_META_MAX_LABELS ||
        meta->thumbnail_len > PORCH_META_MAX_THUMBNAIL)
        return PORCH_ERR_TOO_LARGE;
    total = 3 * ITEM_HEADER + 8 + reason_len + meta->n_labels * (ITEM_HEADER + LABEL_BYTES) +
            meta->thumbnail_len;
    if (meta->has_clip_ref)
        total += ITEM_HEADER + PORCH_META_CLIP_REF_BYTES;
    if (!(buf = malloc(total)))
        return PORCH_ERR_NOMEM;
    porch__wr_init(&wr, buf, total);
    write_item_header(&wr, ITEM_END_US, 8);
    porch__wr_u64(&wr, meta->end_us);
    write_item_header(&wr, ITEM_REASON, reason_len);
    porch__wr_bytes(&wr, meta->reason, reason_len);
    for (size_t i = 0; i < meta->n_labels; i++)
        write_label(&wr, &meta->labels[i]);
    if (meta->thumbnail_len) {
        write_item_header(&wr, ITEM_THUMBNAIL, meta->thumbnail_len);
        porch__wr_bytes(&wr, meta->thumbnail, meta->thumbnail_len);
    }
    if (meta->has_clip_ref) {
        write_item_header(&wr, ITEM_CLIP_REF, PORCH_META_CLIP_REF_BYTES);
        porch__wr_bytes(&wr, meta->clip_ref, PORCH_META_CLIP_REF_BYTES);
    }
    *out = buf;
    *out_len = wr.off;
    return PORCH_OK;
}

/* One item's checks, shared by both passes. seen_mask tracks singletons. */
static int check_item(uint8_t type, const uint8_t *v, uint32_t len, unsigned *seen_mask)
{
    if (type == ITEM_LABEL)
        return len == LABEL_BYTES ? PORCH_OK : PORCH_ERR_MALFORMED;
    if (type != ITEM_END_US && type != ITEM_REASON && type != ITEM_THUMBNAIL &&
        type != ITEM_CLIP_REF)
        return PORCH_OK; /* unknown: skipped */
    unsigned bit = 1u << type; /* type <= ITEM_CLIP_REF here */
    if (*seen_mask & bit)
        return PORCH_ERR_MALFORMED;
    *seen_mask |= bit;
    if (type == ITEM_END_US)
        return len == 8 ? PORCH_OK : PORCH_ERR_MALFORMED;
    if (type == ITEM_CLIP_REF)
        return len == PORCH_META_CLIP_REF_BYTES ? PORCH_OK : PORCH_ERR_MALFORMED;
    if (type == ITEM_REASON)
        return len > PORCH_META_MAX_REASON ? PORCH_ERR_TOO_LARGE
               : memchr(v, 0, len)         ? PORCH_ERR_MALFORMED : PORCH_OK;
    if (len > PORCH_META_MAX_THUMBNAIL)
        return PORCH_ERR_TOO_LARGE;
    return len >= 2 && v[0] == 0xFF && v[1] == 0xD8 ? PORCH_OK : PORCH_ERR_MALFORMED;
}

static void read_label(const uint8_t *v, porch_label *l)
{
    porch__rd rd;
    porch__rd_init(&rd, v, LABEL_BYTES);
    l->t_ms = porch__rd_u32(&rd);
    l->cls = porch__rd_u8(&rd);
    l->score = porch__rd_u16(&rd);
    l->x = porch__rd_u16(&rd);
    l->y = porch__rd_u16(&rd);
    l->w = porch__rd_u16(&rd);
    l->h = porch__rd_u16(&rd);
    l->track_id = porch__rd_u32(&rd);
}

/* Stores one validated item into m (second pass). */
static void fill_item(porch_clip_meta *m, uint8_t type, const uint8_t *v, uint32_t len,
                      uint8_t *thumb_dst)
{
    porch__rd rd;
    switch (type) {
    case ITEM_END_US:
        porch__rd_init(&rd, v, len);
        m->end_us = porch__rd_u64(&rd);
        break;
    case ITEM_REASON:
        memcpy(m->reason, v, len);
        m->reason[len] = '\0';
        break;
    case ITEM_LABEL:
        read_label(v, &m->labels[m->n_labels++]);
        break;
    case ITEM_THUMBNAIL:
        memcpy(thumb_dst, v, len);
        m->thumbnail = thumb_dst;
        m->thumbnail_len = len;
        break;
    case ITEM_CLIP_REF:
        memcpy(m->clip_ref, v, PORCH_META_CLIP_REF_BYTES);
        m->has_clip_ref = 1;
        break;
    }
}

/* Walks all items; with m == NULL only validates and counts. */
static int walk_items(const uint8_t *buf, size_t len, porch_clip_meta *m, uint8_t *thumb_dst,
                      size_t *n_labels, size_t *thumb_len)
{
    porch__rd rd;
    unsigned seen = 0;
    int ret;

    porch__rd_init(&rd, buf, len);
    while (porch__rd_left(&rd)) {
        uint8_t type = porch__rd_u8(&rd), reserved = porch__rd_u8(&rd);
        uint32_t ilen = porch__rd_u32(&rd);
        const uint8_t *v = porch__rd_take(&rd, ilen);
        if (rd.err)
            return rd.err;
        if (reserved || type == 0)
            return PORCH_ERR_MALFORMED;
        if ((ret = check_item(type, v, ilen, &seen)) != PORCH_OK)
            return ret;
        if (type == ITEM_LABEL && ++*n_labels > PORCH_META_MAX_LABELS)
            return PORCH_ERR_TOO_LARGE;
        if (type == ITEM_THUMBNAIL)
            *thumb_len = ilen;
        if (m)
            fill_item(m, type, v, ilen, thumb_dst);
    }
    return PORCH_OK;
}

int porch_meta_decode(porch_clip_meta **out, const uint8_t *buf, size_t len)
{
    size_t n_labels = 0, thumb_len = 0;
    porch_clip_meta *m;
    int ret;

    if (out)
        *out = NULL;
    if (!out || (len && !buf))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = walk_items(buf, len, NULL, NULL, &n_labels, &thumb_len)) != PORCH_OK)
        return ret;
    if (!(m = calloc(1, sizeof *m + n_labels * sizeof(porch_label) + thumb_len)))
        return PORCH_ERR_NOMEM;
    m->labels = n_labels ? (porch_label *)(m + 1) : NULL;
    uint8_t *thumb_dst = (uint8_t *)(m + 1) + n_labels * sizeof(porch_label);
    n_labels = thumb_len = 0;
    /* Cannot fail: the same bytes passed the first walk. */
    walk_items(buf, len, m, thumb_dst, &n_labels, &thumb_len);
    *out = m;
    return PORCH_OK;
}

void porch_meta_free(porch_clip_meta *meta)
{
    free(meta);
}
