/*
 * clip_record.c: one sealed record (docs/FORMAT.md, "Records").
 *
 *   framing (clear, 12 bytes) = index u32 | flags u8 (bit 0: final) |
 *                               reserved[3] = 0 | sealed_len u32
 *   sealed = XChaCha20-Poly1305(record_key, nonce, ad, plain) (tag appended)
 *   nonce  = index u32 | flags u8 | 0^19
 *   ad     = header_hash[32] | framing[12]
 *   plain  = kind u8 | reserved[3] = 0 | payload_len u32 | payload | 0-padding
 *   len(plain) = Padme(max(8 + payload_len, 256))
 *
 * The nonce is unique per record because record_key is unique per clip and
 * the writer never repeats an index. Binding the header hash makes a record
 * useless in any other clip; binding the framing makes index and final flag
 * tamper-evident, which is what lets a reader detect reordering and truncation.
 */
#include <string.h>

#include "porchlight/error.h"
#include "format/clip_internal.h"
#include "util/bytes.h"

size_t porch__record_plain_len(size_t payload_len)
{
    size_t want = RECORD_PLAIN_PREFIX + payload_len;
    return (size_t)porch__padme(want < RECORD_MIN_PLAIN ? RECORD_MIN_PLAIN : want);
}

static void make_nonce_ad(uint8_t nonce[24], uint8_t ad[44], const uint8_t header_hash[32],
                          const uint8_t framing[PORCH_RECORD_HEADER_BYTES])
{
    memset(nonce, 0, 24);
    memcpy(nonce, framing, 5); /* index and flags */
    memcpy(ad, header_hash, 32);
    memcpy(ad + 32, framing, PORCH_RECORD_HEADER_BYTES);
}

static void write_framing(uint8_t f[PORCH_RECORD_HEADER_BYTES], uint32_t index, int final,
                          uint32_t sealed_len)
{
    porch__store_u32(f, index);
    f[4] = final ? RECORD_FLAG_FINAL : 0;
    f[5] = f[6] = f[7] = 0;
    porch__store_u32(f + 8, sealed_len);
}

int porch__record_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                       const uint8_t record_key[32], const uint8_t header_hash[32],
                       uint32_t index, int final, porch_record_kind kind,
                       const uint8_t *payload, size_t payload_len)
{
    uint8_t nonce[24], ad[44];
    size_t plain_len = porch__record_plain_len(payload_len);
    size_t total = PORCH_RECORD_HEADER_BYTES + plain_len + RECORD_TAG_BYTES;
    uint8_t *plain = out + PORCH_RECORD_HEADER_BYTES;

    *out_len = 0;
    if (payload_len > PORCH_RECORD_MAX_PAYLOAD || index >= PORCH_CLIP_MAX_RECORDS)
        return PORCH_ERR_TOO_LARGE;
    if (out_cap < total || (payload_len && !payload))
        return PORCH_ERR_INVALID_ARG;
    write_framing(out, index, final, (uint32_t)(plain_len + RECORD_TAG_BYTES));
    plain[0] = (uint8_t)kind;
    plain[1] = plain[2] = plain[3] = 0;
    porch__store_u32(plain + 4, (uint32_t)payload_len);
    if (payload_len)
        memcpy(plain + RECORD_PLAIN_PREFIX, payload, payload_len);
    memset(plain + RECORD_PLAIN_PREFIX + payload_len, 0,
           plain_len - RECORD_PLAIN_PREFIX - payload_len);
    make_nonce_ad(nonce, ad, header_hash, out);
    crypto_aead_xchacha20poly1305_ietf_encrypt(plain, NULL, plain, plain_len, ad, sizeof ad,
                                               NULL, nonce, record_key);
    *out_len = total;
    return PORCH_OK;
}

int porch_clip_record_peek(const uint8_t *rec, size_t rec_len, porch_record_info *info)
{
    porch__rd rd;

    if (info)
        memset(info, 0, sizeof *info);
    if (!rec || !info)
        return PORCH_ERR_INVALID_ARG;
    porch__rd_init(&rd, rec, rec_len);
    info->index = porch__rd_u32(&rd);
    uint8_t flags = porch__rd_u8(&rd);
    const uint8_t *reserved = porch__rd_take(&rd, 3);
    uint32_t sealed_len = porch__rd_u32(&rd);
    if (rd.err)
        return rd.err;
    if ((flags & ~RECORD_FLAG_FINAL) || reserved[0] || reserved[1] || reserved[2])
        return PORCH_ERR_MALFORMED;
    if (info->index >= PORCH_CLIP_MAX_RECORDS ||
        sealed_len > porch__record_plain_len(PORCH_RECORD_MAX_PAYLOAD) + RECORD_TAG_BYTES)
        return PORCH_ERR_TOO_LARGE;
    if (sealed_len < RECORD_MIN_PLAIN + RECORD_TAG_BYTES)
        return PORCH_ERR_MALFORMED;
    if (sealed_len > porch__rd_left(&rd))
        return PORCH_ERR_TRUNCATED;
    info->final = flags & RECORD_FLAG_FINAL;
    info->plain_len = sealed_len - RECORD_TAG_BYTES;
    info->record_len = PORCH_RECORD_HEADER_BYTES + sealed_len;
    return PORCH_OK;
}

/* Checks the decrypted prefix and padding; sets kind and payload length. */
static int check_plain(const uint8_t *plain, size_t plain_len, porch_record_info *info,
                       size_t *payload_len)
{
    uint8_t kind = plain[0];
    uint32_t len = porch__load_u32(plain + 4);

    if (kind < PORCH_RECORD_INIT || kind > PORCH_RECORD_META || plain[1] || plain[2] ||
        plain[3])
        return PORCH_ERR_MALFORMED;
    if (len > plain_len - RECORD_PLAIN_PREFIX || porch__record_plain_len(len) != plain_len)
        return PORCH_ERR_PADDING;
    for (size_t i = RECORD_PLAIN_PREFIX + len; i < plain_len; i++)
        if (plain[i])
            return PORCH_ERR_PADDING;
    info->kind = (porch_record_kind)kind;
    *payload_len = len;
    return PORCH_OK;
}

int porch_clip_record_open(const porch_clip_key *key, const uint8_t *rec, size_t rec_len,
                           porch_record_info *info, uint8_t *out, size_t out_cap,
                           const uint8_t **payload, size_t *payload_len)
{
    uint8_t nonce[24], ad[44];
    int ret;

    if (payload)
        *payload = NULL;
    if (payload_len)
        *payload_len = 0;
    if (!key || !rec || !info || !out || !payload || !payload_len)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch_clip_record_peek(rec, rec_len, info)) != PORCH_OK)
        return ret;
    if (out_cap < info->plain_len)
        return PORCH_ERR_INVALID_ARG;
    make_nonce_ad(nonce, ad, key->header_hash, rec);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL,
                                                   rec + PORCH_RECORD_HEADER_BYTES,
                                                   info->plain_len + RECORD_TAG_BYTES, ad,
                                                   sizeof ad, nonce, key->record_key) != 0)
        return PORCH_ERR_RECORD_AUTH;
    if ((ret = check_plain(out, info->plain_len, info, payload_len)) != PORCH_OK)
        return ret;
    *payload = out + RECORD_PLAIN_PREFIX;
    return PORCH_OK;
}
