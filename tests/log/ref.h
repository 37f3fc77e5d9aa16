/*
 * ref.h: a direct, recursive transcription of RFC 9162's definitions
 * (MTH §2.1.1, PATH §2.1.3.1, PROOF/SUBPROOF §2.1.4.1) on arrays of leaf
 * hashes, written independently of lib/log: it hashes with libsodium's
 * SHA-256 directly and shares no code with the library, so tests can use it
 * as the known answer. Slow (recomputes every subtree) and for tests only.
 */
#ifndef PORCH_TEST_LOG_REF_H
#define PORCH_TEST_LOG_REF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#define REF_MAX_PATH 64

typedef struct ref_list {
    size_t n;
    uint8_t h[REF_MAX_PATH][32];
} ref_list;

static inline void ref_leaf(uint8_t out[32], const void *entry, size_t len)
{
    uint8_t buf[1024];
    buf[0] = 0x00;
    memcpy(buf + 1, entry, len);          /* tests use short entries */
    crypto_hash_sha256(out, buf, len + 1);
}

static inline void ref_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
    uint8_t buf[65];
    buf[0] = 0x01;
    memcpy(buf + 1, l, 32);
    memcpy(buf + 33, r, 32);
    crypto_hash_sha256(out, buf, sizeof buf);
}

/* "k is the largest power of two smaller than n" */
static inline size_t ref_k(size_t n)
{
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* MTH(D[n]) where D is an array of leaf hashes. */
static inline void ref_mth(uint8_t out[32], const uint8_t (*d)[32], size_t n)
{
    uint8_t l[32], r[32];
    size_t k;

    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    k = ref_k(n);
    ref_mth(l, d, k);
    ref_mth(r, d + k, n - k);
    ref_node(out, l, r);
}

static inline void ref_push(ref_list *p, const uint8_t (*d)[32], size_t n)
{
    ref_mth(p->h[p->n++], d, n);
}

/* PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, etc. */
static inline void ref_path(ref_list *p, size_t m, const uint8_t (*d)[32], size_t n)
{
    size_t k;

    if (n <= 1)
        return;
    k = ref_k(n);
    if (m < k) {
        ref_path(p, m, d, k);
        ref_push(p, d + k, n - k);
    } else {
        ref_path(p, m - k, d + k, n - k);
        ref_push(p, d, k);
    }
}

static inline void ref_subproof(ref_list *p, size_t m, const uint8_t (*d)[32], size_t n, int b)
{
    size_t k;

    if (m == n) {
        if (!b)
            ref_push(p, d, n);
        return;
    }
    k = ref_k(n);
    if (m <= k) {
        ref_subproof(p, m, d, k, b);
        ref_push(p, d + k, n - k);
    } else {
        ref_subproof(p, m - k, d + k, n - k, 0);
        ref_push(p, d, k);
    }
}

/* PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
static inline void ref_proof(ref_list *p, size_t m, const uint8_t (*d)[32], size_t n)
{
    ref_subproof(p, m, d, n, 1);
}

#endif
