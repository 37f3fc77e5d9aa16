/*
 * fmp4_check.c: a validator of the box layout of one fMP4 piece.
 *
 * Parses untrusted bytes: every length is checked against what is left
 * before it is used, box counts per level and nesting depth are capped, and
 * nothing is allocated. It checks structure only (what MSE and FFmpeg need
 * to find the boxes), never sample data.
 *
 * Box header (ISO/IEC 14496-12 4.2), big-endian:
 *   u32 size | u32 type [| u64 largesize if size == 1] [| u8[16] if 'uuid']
 *   size 0 = the box runs to the end of the data (top level only);
 *   size 2..7, largesize < 16 = impossible -> MALFORMED.
 *
 * Top-level grammar ("pad" = free | skip, allowed anywhere after the first
 * box):
 *   INIT      ftyp pad* moov pad*
 *   FRAGMENT  styp? pad* (moof pad* mdat pad*)+
 * Inside: moov needs mvhd, trak and mvex; mvex needs trex; moof needs mfhd
 * and traf; traf needs tfhd; children must tile their parent exactly.
 *
 * Errors: TRUNCATED when the bytes end inside a box header, inside a box's
 * declared size, or before a required top-level box; MALFORMED for an
 * impossible size, a child overrunning its parent, a wrong or misplaced
 * box, a missing child; TOO_LARGE when a cap is exceeded.
 */
#include <stddef.h>
#include <stdint.h>

#include "porchlight/error.h"
#include "porchlight/media.h"

#define FOURCC(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define T_FTYP FOURCC('f', 't', 'y', 'p')
#define T_STYP FOURCC('s', 't', 'y', 'p')
#define T_MOOV FOURCC('m', 'o', 'o', 'v')
#define T_MOOF FOURCC('m', 'o', 'o', 'f')
#define T_MDAT FOURCC('m', 'd', 'a', 't')
#define T_FREE FOURCC('f', 'r', 'e', 'e')
#define T_SKIP FOURCC('s', 'k', 'i', 'p')
#define T_UUID FOURCC('u', 'u', 'i', 'd')

/* next_box() result meaning "no more boxes" (distinct from every error). */
#define WALK_END 1

struct box {
    uint32_t type;
    const uint8_t *body; /* payload after the header */
    size_t body_len;
};

/* A cursor over sibling boxes; invariant: off <= len. */
struct walker {
    const uint8_t *p;
    size_t len;
    size_t off;
    unsigned count; /* boxes read so far at this level */
    unsigned depth; /* 0 = top level */
};

/* Required children of a container box. Immutable. */
struct rule {
    uint32_t parent;
    uint32_t need[3];
    unsigned n_need;
};

static const struct rule rules[] = {
    { FOURCC('m', 'o', 'o', 'v'),
      { FOURCC('m', 'v', 'h', 'd'), FOURCC('t', 'r', 'a', 'k'), FOURCC('m', 'v', 'e', 'x') }, 3 },
    { FOURCC('m', 'v', 'e', 'x'), { FOURCC('t', 'r', 'e', 'x') }, 1 },
    { FOURCC('m', 'o', 'o', 'f'),
      { FOURCC('m', 'f', 'h', 'd'), FOURCC('t', 'r', 'a', 'f') }, 2 },
    { FOURCC('t', 'r', 'a', 'f'), { FOURCC('t', 'f', 'h', 'd') }, 1 },
};

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return ((uint64_t)be32(p) << 32) | be32(p + 4);
}

static void walker_init(struct walker *w, const uint8_t *p, size_t len,
                        unsigned depth)
{
    w->p = p;
    w->len = len;
    w->off = 0;
    w->count = 0;
    w->depth = depth;
}

/* Decodes the header at h (left bytes available) into *size and *hdr. */
static int read_header(const struct walker *w, const uint8_t *h, size_t left,
                       uint64_t *size, size_t *hdr)
{
    *hdr = 8;
    *size = be32(h);
    if (*size == 1) {
        if (left < 16)
            return PORCH_ERR_TRUNCATED;
        *hdr = 16;
        *size = be64(h + 8);
        if (*size < 16)
            return PORCH_ERR_MALFORMED;
    } else if (*size == 0) {
        if (w->depth > 0) /* "to the end of the file": top level only */
            return PORCH_ERR_MALFORMED;
        *size = left;
    } else if (*size < 8) {
        return PORCH_ERR_MALFORMED;
    }
    if (be32(h + 4) == T_UUID)
        *hdr += 16;
    if (*size < *hdr)
        return PORCH_ERR_MALFORMED;
    return *size > left ? PORCH_ERR_TRUNCATED : PORCH_OK;
}

/* Reads the next sibling: PORCH_OK with *b filled, WALK_END, or an error. */
static int next_box(struct walker *w, struct box *b)
{
    size_t left = w->len - w->off, hdr;
    const uint8_t *h = w->p + w->off;
    uint64_t size;
    int err;

    if (left == 0)
        return WALK_END;
    if (++w->count > PORCH_FMP4_BOXES_MAX)
        return PORCH_ERR_TOO_LARGE;
    if (left < 8)
        return PORCH_ERR_TRUNCATED;
    if ((err = read_header(w, h, left, &size, &hdr)) != PORCH_OK)
        return err;
    /* size <= left <= SIZE_MAX from here on. */
    b->type = be32(h + 4);
    b->body = h + hdr;
    b->body_len = (size_t)size - hdr;
    w->off += (size_t)size;
    return PORCH_OK;
}

static const struct rule *rule_for(uint32_t type)
{
    size_t i;

    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].parent == type)
            return &rules[i];
    return NULL;
}

static unsigned need_bit(const struct rule *r, uint32_t type)
{
    unsigned i;

    for (i = 0; i < r->n_need; i++)
        if (r->need[i] == type)
            return 1u << i;
    return 0;
}

static int check_box(const struct box *b, unsigned depth);

/* Children of a ruled container must tile it and include every need[]. */
static int check_children(const struct box *b, const struct rule *r,
                          unsigned depth)
{
    struct walker w;
    struct box c;
    unsigned seen = 0;
    int err;

    walker_init(&w, b->body, b->body_len, depth);
    while ((err = next_box(&w, &c)) == PORCH_OK) {
        seen |= need_bit(r, c.type);
        if ((err = check_box(&c, depth)) != PORCH_OK)
            return err;
    }
    if (err != WALK_END) /* the parent is complete: a child overran it */
        return err == PORCH_ERR_TRUNCATED ? PORCH_ERR_MALFORMED : err;
    return seen == (1u << r->n_need) - 1 ? PORCH_OK : PORCH_ERR_MALFORMED;
}

/* Checks the inside of b, found at nesting level depth - 1. */
static int check_box(const struct box *b, unsigned depth)
{
    const struct rule *r;

    if (b->type == T_FTYP || b->type == T_STYP) /* major, minor, brands */
        return b->body_len >= 8 && b->body_len % 4 == 0 ? PORCH_OK
                                                        : PORCH_ERR_MALFORMED;
    if ((r = rule_for(b->type)) == NULL)
        return PORCH_OK; /* opaque to this validator */
    if (depth + 1 >= PORCH_FMP4_DEPTH_MAX)
        return PORCH_ERR_TOO_LARGE;
    return check_children(b, r, depth + 1);
}

static int is_pad(uint32_t type)
{
    return type == T_FREE || type == T_SKIP;
}

/* Top-level grammar as a state machine; returns the next state or -1.
 * INIT: 0 -ftyp-> 1 -moov-> 2 (complete).
 * FRAGMENT: 0 -styp-> 1; 0|1|3 -moof-> 2 -mdat-> 3 (complete). */
static int step(porch_fmp4_part part, int state, uint32_t type)
{
    if (state > 0 && is_pad(type))
        return state;
    if (part == PORCH_FMP4_INIT) {
        if (state == 0 && type == T_FTYP)
            return 1;
        return state == 1 && type == T_MOOV ? 2 : -1;
    }
    if (state == 0 && type == T_STYP)
        return 1;
    if (state != 2 && type == T_MOOF)
        return 2;
    return state == 2 && type == T_MDAT ? 3 : -1;
}

int porch_fmp4_check(const uint8_t *data, size_t len, porch_fmp4_part part)
{
    struct walker w;
    struct box b;
    int state = 0, err;
    int done = part == PORCH_FMP4_INIT ? 2 : 3;

    if (data == NULL || (part != PORCH_FMP4_INIT && part != PORCH_FMP4_FRAGMENT))
        return PORCH_ERR_INVALID_ARG;
    if (len > PORCH_FMP4_PIECE_MAX)
        return PORCH_ERR_TOO_LARGE;
    walker_init(&w, data, len, 0);
    while ((err = next_box(&w, &b)) == PORCH_OK) {
        if ((state = step(part, state, b.type)) < 0)
            return PORCH_ERR_MALFORMED;
        if ((err = check_box(&b, 0)) != PORCH_OK)
            return err;
    }
    if (err != WALK_END)
        return err;
    return state == done ? PORCH_OK : PORCH_ERR_TRUNCATED;
}
