/*
 * log_hash.c: RFC 9162 §2.1.1 hashing with SHA-256. The one-byte prefixes
 * (0x00 leaf, 0x01 node) keep a leaf from ever being read as a node, so a
 * second preimage cannot pass an interior node off as an entry.
 */
#include <string.h>

#include <sodium.h>

#include "log/log_internal.h"

void porch_log_leaf_hash(uint8_t out[PORCH_LOG_HASH_BYTES], const uint8_t *entry, size_t len)
{
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    if (len)
        crypto_hash_sha256_update(&st, entry, len);
    crypto_hash_sha256_final(&st, out);
}

void porch_log_node_hash(uint8_t out[PORCH_LOG_HASH_BYTES],
                         const uint8_t left[PORCH_LOG_HASH_BYTES],
                         const uint8_t right[PORCH_LOG_HASH_BYTES])
{
    uint8_t buf[1 + 2 * PORCH_LOG_HASH_BYTES];

    /* Copy first: out may alias left or right. */
    buf[0] = 0x01;
    memcpy(buf + 1, left, PORCH_LOG_HASH_BYTES);
    memcpy(buf + 1 + PORCH_LOG_HASH_BYTES, right, PORCH_LOG_HASH_BYTES);
    crypto_hash_sha256(out, buf, sizeof buf);
}

uint64_t porch__log_split(uint64_t n)
{
    uint64_t k = 1;

    while (k < n - k)   /* k < n/2 without overflow: stops at the largest 2^j < n */
        k <<= 1;
    return k;
}

int porch__log_size_ok(uint64_t n)
{
    return n < PORCH_LOG_MAX_TREE_SIZE;
}
