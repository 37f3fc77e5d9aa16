/*
 * bytes.h (internal): bounded little-endian readers and writers.
 *
 * Every parser of untrusted bytes reads through a porch__rd cursor: each
 * read checks the remaining length first and, once a read has failed, every
 * later read fails too (the cursor is "poisoned"), so a parser may read a
 * whole fixed layout and check rd.err once. Writers append to a caller-sized
 * buffer the same way. Nothing here allocates.
 */
#ifndef PORCH_UTIL_BYTES_H
#define PORCH_UTIL_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct porch__rd {
    const uint8_t *p;   /* start of the input */
    size_t len;         /* total input length */
    size_t off;         /* next byte to read; off <= len always */
    int err;            /* PORCH_OK, or PORCH_ERR_TRUNCATED once a read overran */
} porch__rd;

typedef struct porch__wr {
    uint8_t *p;         /* output buffer (caller-owned) */
    size_t cap;         /* its capacity */
    size_t off;         /* bytes written so far; off <= cap always */
    int err;            /* PORCH_OK, or PORCH_ERR_TOO_LARGE once a write overflowed */
} porch__wr;

void porch__rd_init(porch__rd *rd, const uint8_t *p, size_t len);
size_t porch__rd_left(const porch__rd *rd);
uint8_t porch__rd_u8(porch__rd *rd);
uint16_t porch__rd_u16(porch__rd *rd);
uint32_t porch__rd_u32(porch__rd *rd);
uint64_t porch__rd_u64(porch__rd *rd);
/* Copies n bytes to out (zero-filled on failure). */
void porch__rd_copy(porch__rd *rd, void *out, size_t n);
/* Returns a pointer to the next n bytes and skips them, or NULL on overrun. */
const uint8_t *porch__rd_take(porch__rd *rd, size_t n);

void porch__wr_init(porch__wr *wr, uint8_t *p, size_t cap);
void porch__wr_u8(porch__wr *wr, uint8_t v);
void porch__wr_u16(porch__wr *wr, uint16_t v);
void porch__wr_u32(porch__wr *wr, uint32_t v);
void porch__wr_u64(porch__wr *wr, uint64_t v);
void porch__wr_bytes(porch__wr *wr, const void *src, size_t n);
void porch__wr_zeros(porch__wr *wr, size_t n);

void porch__store_u32(uint8_t *p, uint32_t v);
void porch__store_u64(uint8_t *p, uint64_t v);
uint32_t porch__load_u32(const uint8_t *p);

/* Padmé (Nikitin et al., PURBs, 2019): rounds len up so that at most
 * O(log log len) bits of it remain; overhead is at most 12%. len <= 2^62. */
uint64_t porch__padme(uint64_t len);

#endif
