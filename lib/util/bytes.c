/*
 * bytes.c: bounded little-endian cursors (see bytes.h for the contract).
 * All multi-byte integers in Porchlight formats are little-endian.
 */
#include <string.h>

#include "porchlight/error.h"
#include "util/bytes.h"

void porch__rd_init(porch__rd *rd, const uint8_t *p, size_t len)
{
    rd->p = p;
    rd->len = p ? len : 0;
    rd->off = 0;
    rd->err = PORCH_OK;
}

size_t porch__rd_left(const porch__rd *rd)
{
    return rd->len - rd->off;
}

const uint8_t *porch__rd_take(porch__rd *rd, size_t n)
{
    if (rd->err != PORCH_OK || n > rd->len - rd->off) {
        rd->err = PORCH_ERR_TRUNCATED;
        return NULL;
    }
    const uint8_t *s = rd->p + rd->off;
    rd->off += n;
    return s;
}

void porch__rd_copy(porch__rd *rd, void *out, size_t n)
{
    const uint8_t *s = porch__rd_take(rd, n);
    if (s)
        memcpy(out, s, n);
    else if (n)
        memset(out, 0, n);
}

static uint64_t rd_le(porch__rd *rd, size_t n)
{
    const uint8_t *s = porch__rd_take(rd, n);
    uint64_t v = 0;
    if (!s)
        return 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)s[i] << (8 * i);
    return v;
}

uint8_t porch__rd_u8(porch__rd *rd) { return (uint8_t)rd_le(rd, 1); }
uint16_t porch__rd_u16(porch__rd *rd) { return (uint16_t)rd_le(rd, 2); }
uint32_t porch__rd_u32(porch__rd *rd) { return (uint32_t)rd_le(rd, 4); }
uint64_t porch__rd_u64(porch__rd *rd) { return rd_le(rd, 8); }

void porch__wr_init(porch__wr *wr, uint8_t *p, size_t cap)
{
    wr->p = p;
    wr->cap = p ? cap : 0;
    wr->off = 0;
    wr->err = PORCH_OK;
}

static uint8_t *wr_reserve(porch__wr *wr, size_t n)
{
    if (wr->err != PORCH_OK || n > wr->cap - wr->off) {
        wr->err = PORCH_ERR_TOO_LARGE;
        return NULL;
    }
    uint8_t *d = wr->p + wr->off;
    wr->off += n;
    return d;
}

static void wr_le(porch__wr *wr, uint64_t v, size_t n)
{
    uint8_t *d = wr_reserve(wr, n);
    if (!d)
        return;
    for (size_t i = 0; i < n; i++)
        d[i] = (uint8_t)(v >> (8 * i));
}

void porch__wr_u8(porch__wr *wr, uint8_t v) { wr_le(wr, v, 1); }
void porch__wr_u16(porch__wr *wr, uint16_t v) { wr_le(wr, v, 2); }
void porch__wr_u32(porch__wr *wr, uint32_t v) { wr_le(wr, v, 4); }
void porch__wr_u64(porch__wr *wr, uint64_t v) { wr_le(wr, v, 8); }

void porch__wr_bytes(porch__wr *wr, const void *src, size_t n)
{
    uint8_t *d = wr_reserve(wr, n);
    if (d && n)
        memcpy(d, src, n);
}

void porch__wr_zeros(porch__wr *wr, size_t n)
{
    uint8_t *d = wr_reserve(wr, n);
    if (d && n)
        memset(d, 0, n);
}

void porch__store_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void porch__store_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t porch__load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static unsigned floor_log2(uint64_t x)
{
    unsigned r = 0;
    while (x >>= 1)
        r++;
    return r;
}

uint64_t porch__padme(uint64_t len)
{
    if (len < 2)
        return len;
    unsigned e = floor_log2(len);
    unsigned s = floor_log2(e) + 1;
    unsigned last_bits = e - s;
    uint64_t mask = ((uint64_t)1 << last_bits) - 1;
    return (len + mask) & ~mask;
}
