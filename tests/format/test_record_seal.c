/*
 * test_record_seal.c: porch__record_seal() streams the AEAD over prefix,
 * payload and padding without copying the payload first (clip_record.c);
 * its output must equal libsodium's one-shot
 * crypto_aead_xchacha20poly1305_ietf_encrypt() over the assembled plaintext,
 * byte for byte, at every size class: inside the first block, at block and
 * chunk boundaries, and large.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "format/clip_internal.h"
#include "util/bytes.h"

static uint8_t key[32], hh[32];

/* The record as the format defines it, built the slow, obvious way. */
static uint8_t *reference(size_t len, const uint8_t *payload, uint32_t index, int final,
                          size_t *out_len)
{
    size_t plain_len = porch__record_plain_len(len);
    uint8_t *rec = calloc(1, 12 + plain_len + 16), nonce[24] = {0}, ad[44];
    REQUIRE(rec);
    porch__store_u32(rec, index);
    rec[4] = final ? 1 : 0;
    porch__store_u32(rec + 8, (uint32_t)(plain_len + 16));
    uint8_t *plain = rec + 12;
    plain[0] = PORCH_RECORD_MEDIA;
    porch__store_u32(plain + 4, (uint32_t)len);
    if (len)
        memcpy(plain + 8, payload, len);
    memcpy(nonce, rec, 5);
    memcpy(ad, hh, 32);
    memcpy(ad + 32, rec, 12);
    crypto_aead_xchacha20poly1305_ietf_encrypt(plain, NULL, plain, plain_len, ad, sizeof ad,
                                               NULL, nonce, key);
    *out_len = 12 + plain_len + 16;
    return rec;
}

static void check_size(size_t len, const uint8_t *payload)
{
    size_t ref_len = 0, got_len = 0, cap = 12 + porch__record_plain_len(len) + 16;
    uint32_t index = (uint32_t)(len % 1000);
    int final = (int)(len & 1);
    uint8_t *ref = reference(len, payload, index, final, &ref_len), *got = malloc(cap);
    REQUIRE(got);
    memset(got, 0xa5, cap); /* stale bytes must not leak into the record */
    CHECK_OK(porch__record_seal(got, cap, &got_len, key, hh, index, final, PORCH_RECORD_MEDIA,
                                len ? payload : NULL, len));
    int same = got_len == ref_len && memcmp(got, ref, ref_len) == 0;
    CHECK(same);
    if (!same)
        fprintf(stderr, "  payload_len %zu differs\n", len);
    free(ref);
    free(got);
}

int main(void)
{
    static const size_t big[] = {1000, 4095, 4096, 4097, 16328, 16329, 16384, 16392,
                                 32768 + 7, 65535, 65536, 65537, 100000, (1u << 20),
                                 (1u << 20) + 13, (3u << 20) + 1};
    size_t max = (3u << 20) + 1;
    uint8_t *payload = malloc(max);

    REQUIRE(sodium_init() >= 0 && payload);
    randombytes_buf(key, sizeof key);
    randombytes_buf(hh, sizeof hh);
    randombytes_buf(payload, max);
    for (size_t len = 0; len <= 600; len++)
        check_size(len, payload);
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        check_size(big[i], payload);
    free(payload);
    return CHECK_DONE();
}
