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

/*
 * XChaCha20-Poly1305 (IETF), exactly as libsodium's
 * crypto_aead_xchacha20poly1305_ietf_encrypt() computes it, but reading the
 * plaintext from its three parts (8-byte prefix, payload, zero padding)
 * instead of from one contiguous buffer, so sealing does not first copy the
 * payload into the record. The output bytes are identical (test_vectors and
 * test_record_seal compare them with libsodium's one-shot function):
 *
 *   subkey = HChaCha20(key, nonce[0..16]);  n12 = 0^4 || nonce[16..24]
 *   poly_key = ChaCha20-IETF(subkey, n12, counter 0)[0..32]
 *   ct = plain XOR ChaCha20-IETF(subkey, n12, counter 1, 2, ...)
 *   tag = Poly1305(poly_key, ad || pad16 || ct || pad16 || le64(|ad|) || le64(|ct|))
 *
 * Keystream and MAC run over SEAL_CHUNK bytes at a time so each chunk of
 * ciphertext is still in cache when it is authenticated.
 */
#define SEAL_CHUNK (16u * 1024u) /* a multiple of the 64-byte ChaCha20 block */

struct seal_ctx {
    uint8_t subkey[32];
    uint8_t n12[12];
    crypto_onetimeauth_poly1305_state mac;
};

/* Encrypts len bytes at ct (block-aligned position `pos` in the plaintext),
 * from src (or in place when src == ct), and authenticates the result. */
static void seal_run(struct seal_ctx *c, uint8_t *ct, const uint8_t *src, size_t len, size_t pos)
{
    while (len) {
        size_t n = len < SEAL_CHUNK ? len : SEAL_CHUNK;
        crypto_stream_chacha20_ietf_xor_ic(ct, src, n, c->n12, (uint32_t)(1 + pos / 64),
                                           c->subkey);
        crypto_onetimeauth_poly1305_update(&c->mac, ct, n);
        ct += n;
        src += n;
        pos += n;
        len -= n;
    }
}

static void seal_parts(uint8_t *ct, uint8_t tag[RECORD_TAG_BYTES], const uint8_t prefix[8],
                       const uint8_t *payload, size_t payload_len, size_t plain_len,
                       const uint8_t *ad, size_t ad_len, const uint8_t nonce[24],
                       const uint8_t key[32])
{
    static const uint8_t zeros[64];
    struct seal_ctx c;
    uint8_t block0[64], lens[16];
    size_t head, mid, pos;

    crypto_core_hchacha20(c.subkey, nonce, key, NULL);
    memset(c.n12, 0, 4);
    memcpy(c.n12 + 4, nonce + 16, 8);
    crypto_stream_chacha20_ietf(block0, sizeof block0, c.n12, c.subkey);
    crypto_onetimeauth_poly1305_init(&c.mac, block0);
    crypto_onetimeauth_poly1305_update(&c.mac, ad, ad_len);
    crypto_onetimeauth_poly1305_update(&c.mac, zeros, (16 - ad_len % 16) % 16);

    /* First block: prefix and the start of the payload, assembled in place. */
    head = payload_len < 64 - RECORD_PLAIN_PREFIX ? payload_len : 64 - RECORD_PLAIN_PREFIX;
    memcpy(ct, prefix, RECORD_PLAIN_PREFIX);
    if (head)
        memcpy(ct + RECORD_PLAIN_PREFIX, payload, head);
    memset(ct + RECORD_PLAIN_PREFIX + head, 0, 64 - RECORD_PLAIN_PREFIX - head);
    seal_run(&c, ct, ct, 64, 0);
    /* Whole blocks of payload straight from the caller's buffer. */
    mid = (payload_len - head) / 64 * 64;
    seal_run(&c, ct + 64, payload + head, mid, 64);
    /* The rest: payload tail and zero padding, assembled in place. */
    pos = 64 + mid;
    memcpy(ct + pos, payload + head + mid, payload_len - head - mid);
    memset(ct + pos + (payload_len - head - mid), 0, plain_len - pos - (payload_len - head - mid));
    seal_run(&c, ct + pos, ct + pos, plain_len - pos, pos);

    crypto_onetimeauth_poly1305_update(&c.mac, zeros, (16 - plain_len % 16) % 16);
    porch__store_u64(lens, ad_len);
    porch__store_u64(lens + 8, plain_len);
    crypto_onetimeauth_poly1305_update(&c.mac, lens, sizeof lens);
    crypto_onetimeauth_poly1305_final(&c.mac, tag);
    sodium_memzero(&c, sizeof c);
    sodium_memzero(block0, sizeof block0);
}

int porch__record_seal(uint8_t *out, size_t out_cap, size_t *out_len,
                       const uint8_t record_key[32], const uint8_t header_hash[32],
                       uint32_t index, int final, porch_record_kind kind,
                       const uint8_t *payload, size_t payload_len)
{
    static const uint8_t empty[1];
    uint8_t nonce[24], ad[44], prefix[RECORD_PLAIN_PREFIX];
    size_t plain_len = porch__record_plain_len(payload_len);
    size_t total = PORCH_RECORD_HEADER_BYTES + plain_len + RECORD_TAG_BYTES;
    uint8_t *ct = out + PORCH_RECORD_HEADER_BYTES;

    *out_len = 0;
    if (payload_len > PORCH_RECORD_MAX_PAYLOAD || index >= PORCH_CLIP_MAX_RECORDS)
        return PORCH_ERR_TOO_LARGE;
    if (out_cap < total || (payload_len && !payload))
        return PORCH_ERR_INVALID_ARG;
    if (!payload)
        payload = empty; /* so payload + 0 and memcpy(.., payload, 0) are defined */
    write_framing(out, index, final, (uint32_t)(plain_len + RECORD_TAG_BYTES));
    prefix[0] = (uint8_t)kind;
    prefix[1] = prefix[2] = prefix[3] = 0;
    porch__store_u32(prefix + 4, (uint32_t)payload_len);
    make_nonce_ad(nonce, ad, header_hash, out);
    seal_parts(ct, ct + plain_len, prefix, payload, payload_len, plain_len, ad, sizeof ad, nonce,
               record_key);
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
    if ((ret = check_plain(out, info->plain_len, info, payload_len)) != PORCH_OK) {
        sodium_memzero(out, info->plain_len); /* authentic but rejected: hand out nothing */
        return ret;
    }
    *payload = out + RECORD_PLAIN_PREFIX;
    return PORCH_OK;
}
