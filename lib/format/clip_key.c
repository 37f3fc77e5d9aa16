/*
 * clip_key.c: the per-clip content key (docs/FORMAT.md, "Key wraps").
 *
 * One ephemeral X25519 key per clip; for each viewer V:
 *   shared   = X25519(eph_sk, V.box_pk)
 *   wrap_key = BLAKE2b-256(key = shared, "porchlight/v1/clip-wrap" NUL ||
 *                          eph_pk || V.box_pk || household || clip_id)
 *   sealed   = XChaCha20-Poly1305(wrap_key, nonce = 0^24, ad = clip_id, content_key)
 * A zero nonce is safe because wrap_key is unique to (eph_sk, V): eph_sk is
 * fresh for every clip and never reused.
 *
 * The header's key commitment lets a reader reject a wrap that decrypts to a
 * different key (a "multi-key" ciphertext crafted by someone who can write
 * wraps), so every viewer provably opens the same records.
 */
#include <string.h>

#include "porchlight/error.h"
#include "crypto/identity_internal.h"
#include "format/clip_internal.h"

static const char wrap_domain[] = "porchlight/v1/clip-wrap";
static const char commit_domain[] = "porchlight/v1/clip-commit";
static const char records_domain[] = "porchlight/v1/clip-records";

static void keyed_hash(uint8_t out[32], const uint8_t key[32], const char *domain,
                       const uint8_t *msg, size_t len)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, key, 32, 32);
    crypto_generichash_update(&st, (const uint8_t *)domain, strlen(domain) + 1);
    if (len)
        crypto_generichash_update(&st, msg, len);
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);
}

void porch__clip_commitment(uint8_t out[PORCH_HASH_BYTES], const uint8_t content_key[32],
                            const uint8_t clip_id[PORCH_CLIP_ID_BYTES])
{
    keyed_hash(out, content_key, commit_domain, clip_id, PORCH_CLIP_ID_BYTES);
}

void porch__clip_record_key(uint8_t out[CLIP_KEY_BYTES], const uint8_t content_key[32])
{
    keyed_hash(out, content_key, records_domain, NULL, 0);
}

/*
 * Seals key (32 bytes) to a viewer's X25519 key:
 *   shared = X25519(eph_sk, viewer_pk)
 *   kek    = BLAKE2b-256(key = shared, domain NUL || ctx)
 *   sealed = XChaCha20-Poly1305(kek, nonce = 0^24, ad, key)
 * ctx must start with eph_pk || viewer_pk so kek is unique per ephemeral key.
 */
int porch__key_seal(uint8_t sealed[CLIP_WRAP_SEALED_BYTES], const uint8_t key[32],
                    const uint8_t eph_sk[32], const uint8_t viewer_pk[32],
                    const struct key_binding *b)
{
    static const uint8_t zero_nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    uint8_t *k = sodium_malloc(64); /* shared secret | kek */
    int ret = PORCH_ERR_NOMEM;

    if (!k)
        return ret;
    ret = PORCH_ERR_CRYPTO; /* X25519 refuses low-order viewer keys */
    if (crypto_scalarmult_curve25519(k, eph_sk, viewer_pk) != 0)
        goto out;
    keyed_hash(k + 32, k, b->domain, b->ctx, b->ctx_len);
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, NULL, key, CLIP_KEY_BYTES, b->ad,
                                               b->ad_len, NULL, zero_nonce, k + 32);
    ret = PORCH_OK;
out:
    sodium_free(k);
    return ret;
}

/* The inverse of porch__key_seal() with the device's secret X25519 key. */
int porch__key_open(uint8_t key[32], const uint8_t sealed[CLIP_WRAP_SEALED_BYTES],
                    const porch_device_secret *dev, const uint8_t eph_pk[32],
                    const struct key_binding *b)
{
    static const uint8_t zero_nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    uint8_t *k = sodium_malloc(64);
    int ret = PORCH_ERR_NOMEM;

    if (!k)
        return ret;
    ret = PORCH_ERR_WRAP_AUTH;
    if (crypto_scalarmult_curve25519(k, dev->box_sk, eph_pk) != 0)
        goto out;
    keyed_hash(k + 32, k, b->domain, b->ctx, b->ctx_len);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL, sealed,
                                                   CLIP_WRAP_SEALED_BYTES, b->ad, b->ad_len,
                                                   zero_nonce, k + 32) != 0)
        goto out;
    ret = PORCH_OK;
out:
    sodium_free(k);
    return ret;
}

/* Binding of a header wrap: ctx = eph_pk | viewer_pk | household | clip_id, ad = clip_id. */
static void wrap_binding(struct key_binding *b, uint8_t ctx[96], const uint8_t eph_pk[32],
                         const uint8_t viewer_pk[32], const porch_clip_info *info)
{
    memcpy(ctx, eph_pk, 32);
    memcpy(ctx + 32, viewer_pk, 32);
    memcpy(ctx + 64, info->household, PORCH_HOUSEHOLD_ID_BYTES);
    memcpy(ctx + 64 + PORCH_HOUSEHOLD_ID_BYTES, info->clip_id, PORCH_CLIP_ID_BYTES);
    b->domain = wrap_domain;
    b->ctx = ctx;
    b->ctx_len = 96;
    b->ad = info->clip_id;
    b->ad_len = PORCH_CLIP_ID_BYTES;
}

int porch__clip_wrap(uint8_t wrap[CLIP_WRAP_BYTES], const struct clip_random *rnd,
                     const uint8_t eph_pk[32], const porch_clip_info *info,
                     const uint8_t viewer_box_pk[PORCH_BOX_PK_BYTES])
{
    struct key_binding b;
    uint8_t ctx[96];
    wrap_binding(&b, ctx, eph_pk, viewer_box_pk, info);
    memcpy(wrap, viewer_box_pk, PORCH_BOX_PK_BYTES);
    return porch__key_seal(wrap + PORCH_BOX_PK_BYTES, rnd->content_key, rnd->eph_sk,
                           viewer_box_pk, &b);
}

static const uint8_t *find_wrap(const struct clip_header *h, const uint8_t box_pk[32])
{
    for (size_t i = 0; i < h->info.n_wraps; i++) {
        const uint8_t *w = h->wraps + i * CLIP_WRAP_BYTES;
        if (sodium_memcmp(w, box_pk, 32) == 0)
            return w;
    }
    return NULL;
}

int porch__clip_content_key(uint8_t content_key[32], const struct clip_header *h,
                            const porch_device_secret *dev)
{
    struct key_binding b;
    uint8_t ctx[96];
    const uint8_t *wrap = find_wrap(h, dev->pub.box_pk);
    int ret;

    if (!wrap)
        return PORCH_ERR_NOT_RECIPIENT;
    wrap_binding(&b, ctx, h->eph_pk, dev->pub.box_pk, &h->info);
    if ((ret = porch__key_open(content_key, wrap + PORCH_BOX_PK_BYTES, dev, h->eph_pk, &b)) !=
        PORCH_OK)
        return ret;
    return porch__clip_check_commitment(content_key, h);
}

int porch__clip_check_commitment(const uint8_t content_key[32], const struct clip_header *h)
{
    uint8_t commitment[PORCH_HASH_BYTES];
    porch__clip_commitment(commitment, content_key, h->info.clip_id);
    if (sodium_memcmp(commitment, h->key_commitment, sizeof commitment) != 0)
        return PORCH_ERR_KEY_COMMITMENT;
    return PORCH_OK;
}

int porch__clip_key_from_content(porch_clip_key **out, const uint8_t content_key[32],
                                 const struct clip_header *h)
{
    porch_clip_key *key = sodium_malloc(sizeof *key);
    *out = NULL;
    if (!key)
        return PORCH_ERR_NOMEM;
    porch__clip_record_key(key->record_key, content_key);
    memcpy(key->header_hash, h->info.header_hash, PORCH_HASH_BYTES);
    *out = key;
    return PORCH_OK;
}

int porch__clip_open_content_key(struct clip_header *h, uint8_t **content_key,
                                 const uint8_t *clip, size_t clip_len,
                                 const porch_device_secret *dev)
{
    int ret;

    *content_key = NULL;
    if ((ret = porch__clip_header_parse(h, clip, clip_len)) != PORCH_OK)
        return ret;
    if (!(*content_key = sodium_malloc(CLIP_KEY_BYTES)))
        return PORCH_ERR_NOMEM;
    if ((ret = porch__clip_content_key(*content_key, h, dev)) != PORCH_OK) {
        sodium_free(*content_key);
        *content_key = NULL;
    }
    return ret;
}

int porch_clip_key_unwrap(porch_clip_key **out, const uint8_t *clip, size_t clip_len,
                          const porch_device_secret *device)
{
    struct clip_header h;
    uint8_t *content_key = NULL;
    int ret;

    if (out)
        *out = NULL;
    if (!out || !clip || !device)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__clip_open_content_key(&h, &content_key, clip, clip_len, device)) ==
        PORCH_OK)
        ret = porch__clip_key_from_content(out, content_key, &h);
    sodium_free(content_key);
    return ret;
}

void porch_clip_key_free(porch_clip_key *key)
{
    if (key)
        sodium_free(key);
}
