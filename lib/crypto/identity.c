/*
 * identity.c: device key pairs, names, signatures and fingerprints.
 *
 * Invariant: a porch_device_secret always holds a matching pair of key pairs
 * and a valid name; it is created only by porch__device_from_seeds(), which
 * derives both public keys from the secrets rather than trusting inputs.
 */
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "crypto/identity_internal.h"
#include "util/bytes.h"

#define FINGERPRINT_BYTES 20u
static const char fingerprint_domain[] = "porchlight/v1/fingerprint";
static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

int porch_init(void)
{
    return sodium_init() < 0 ? PORCH_ERR_CRYPTO : PORCH_OK;
}

static int name_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || c == '.' || c == '_' || c == '-';
}

int porch_name_valid(const char *name)
{
    size_t n = 0;
    if (!name)
        return 0;
    for (; name[n]; n++)
        if (n >= PORCH_NAME_MAX || !name_char_ok(name[n]))
            return 0;
    return n > 0;
}

int porch__device_from_seeds(porch_device_secret **out, const char *name,
                             const uint8_t sign_seed[32], const uint8_t box_sk[32])
{
    porch_device_secret *d = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !sign_seed || !box_sk || !porch_name_valid(name))
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(d = sodium_malloc(sizeof *d)))
        goto out;
    memset(d, 0, sizeof *d);
    ret = PORCH_ERR_CRYPTO;
    if (crypto_sign_ed25519_seed_keypair(d->pub.sign_pk, d->sign_sk, sign_seed) != 0)
        goto out;
    memcpy(d->box_sk, box_sk, sizeof d->box_sk);
    if (crypto_scalarmult_curve25519_base(d->pub.box_pk, d->box_sk) != 0)
        goto out;
    memcpy(d->pub.name, name, strlen(name) + 1);
    *out = d;
    d = NULL;
    ret = PORCH_OK;
out:
    porch_device_free(d);
    return ret;
}

int porch_device_generate(porch_device_secret **out, const char *name)
{
    uint8_t *seeds = sodium_malloc(64);
    int ret;

    if (out)
        *out = NULL;
    if (!seeds)
        return PORCH_ERR_NOMEM;
    randombytes_buf(seeds, 64);
    ret = porch__device_from_seeds(out, name, seeds, seeds + 32);
    sodium_free(seeds);
    return ret;
}

void porch_device_free(porch_device_secret *dev)
{
    if (dev)
        sodium_free(dev); /* sodium_free wipes before unmapping */
}

const porch_device_public *porch_device_public_of(const porch_device_secret *dev)
{
    return dev ? &dev->pub : NULL;
}

int porch_device_sign(const porch_device_secret *dev, const uint8_t *msg, size_t msg_len,
                      uint8_t sig[PORCH_SIGNATURE_BYTES])
{
    if (sig)
        memset(sig, 0, PORCH_SIGNATURE_BYTES);
    if (!dev || !sig || (msg_len && !msg))
        return PORCH_ERR_INVALID_ARG;
    if (crypto_sign_ed25519_detached(sig, NULL, msg, msg_len, dev->sign_sk) != 0)
        return PORCH_ERR_CRYPTO;
    return PORCH_OK;
}

int porch__verify(const uint8_t sign_pk[32], const uint8_t *msg, size_t msg_len,
                  const uint8_t sig[64], int bad_sig_err)
{
    if (crypto_sign_ed25519_verify_detached(sig, msg, msg_len, sign_pk) != 0)
        return bad_sig_err;
    return PORCH_OK;
}

static void fingerprint_raw(const porch_device_public *pub, uint8_t out[FINGERPRINT_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, FINGERPRINT_BYTES);
    crypto_generichash_update(&st, (const uint8_t *)fingerprint_domain,
                              sizeof fingerprint_domain - 1);
    crypto_generichash_update(&st, pub->sign_pk, sizeof pub->sign_pk);
    crypto_generichash_update(&st, pub->box_pk, sizeof pub->box_pk);
    crypto_generichash_final(&st, out, FINGERPRINT_BYTES);
}

/* 20 bytes = 160 bits = exactly 32 base32 digits, no padding. */
static void base32_digits(const uint8_t in[FINGERPRINT_BYTES], char digits[32])
{
    unsigned acc = 0, bits = 0, n = 0;
    for (unsigned i = 0; i < FINGERPRINT_BYTES; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            digits[n++] = base32_alphabet[(acc >> bits) & 31u];
        }
    }
}

int porch_fingerprint(const porch_device_public *pub, char out[PORCH_FINGERPRINT_STR_BYTES])
{
    uint8_t raw[FINGERPRINT_BYTES];
    char digits[32];
    size_t o = 0;

    if (out)
        memset(out, 0, PORCH_FINGERPRINT_STR_BYTES);
    if (!pub || !out)
        return PORCH_ERR_INVALID_ARG;
    fingerprint_raw(pub, raw);
    base32_digits(raw, digits);
    for (unsigned i = 0; i < 32; i++) {
        if (i && i % 4 == 0)
            out[o++] = '-';
        out[o++] = digits[i];
    }
    return PORCH_OK;
}

int porch_fingerprint_matches(const porch_device_public *pub, const char *text)
{
    char want[PORCH_FINGERPRINT_STR_BYTES], got[32];
    size_t n = 0;

    if (!pub || !text || porch_fingerprint(pub, want) != PORCH_OK)
        return 0;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ')
            continue;
        if (n == sizeof got)
            return 0;
        got[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    /* Compare digits only: drop the dashes from want. */
    char want_digits[32];
    for (size_t i = 0, j = 0; want[i]; i++)
        if (want[i] != '-')
            want_digits[j++] = want[i];
    return n == sizeof got && sodium_memcmp(got, want_digits, sizeof got) == 0;
}

int porch_public_same_keys(const porch_device_public *a, const porch_device_public *b)
{
    if (!a || !b)
        return 0;
    return sodium_memcmp(a->sign_pk, b->sign_pk, sizeof a->sign_pk) == 0 &&
           sodium_memcmp(a->box_pk, b->box_pk, sizeof a->box_pk) == 0;
}

/* Public block: sign_pk | box_pk | name_len u8 | name. Shared by key files,
 * public key files and roster entries so one codec validates names. */
void porch__public_block_write(porch__wr *wr, const porch_device_public *pub)
{
    size_t name_len = strlen(pub->name);
    porch__wr_bytes(wr, pub->sign_pk, sizeof pub->sign_pk);
    porch__wr_bytes(wr, pub->box_pk, sizeof pub->box_pk);
    porch__wr_u8(wr, (uint8_t)name_len);
    porch__wr_bytes(wr, pub->name, name_len);
}

int porch__public_block_read(porch__rd *rd, porch_device_public *out)
{
    porch__rd_copy(rd, out->sign_pk, sizeof out->sign_pk);
    porch__rd_copy(rd, out->box_pk, sizeof out->box_pk);
    uint8_t name_len = porch__rd_u8(rd);
    if (name_len > PORCH_NAME_MAX)
        return PORCH_ERR_MALFORMED;
    porch__rd_copy(rd, out->name, name_len);
    out->name[name_len] = '\0';
    if (rd->err)
        return rd->err;
    /* The whole name_len bytes must be the name: a NUL inside would hide the
     * bytes after it from porch_name_valid() (and from anyone shown the name). */
    if (strlen(out->name) != name_len)
        return PORCH_ERR_MALFORMED;
    return porch_name_valid(out->name) ? PORCH_OK : PORCH_ERR_MALFORMED;
}


/* Signatures always cover BLAKE2b-256(domain || msg): the domain keeps a
 * signature made for one structure from verifying as another. */
static void domain_digest(uint8_t out[32], const char *domain, const uint8_t *msg, size_t len)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, msg, len);
    crypto_generichash_final(&st, out, 32);
}

int porch__sign_domain(const porch_device_secret *dev, const char *domain, const uint8_t *msg,
                       size_t len, uint8_t sig[64])
{
    uint8_t digest[32];
    domain_digest(digest, domain, msg, len);
    return porch_device_sign(dev, digest, sizeof digest, sig);
}

int porch__verify_domain(const uint8_t sign_pk[32], const char *domain, const uint8_t *msg,
                         size_t len, const uint8_t sig[64], int bad_sig_err)
{
    uint8_t digest[32];
    domain_digest(digest, domain, msg, len);
    return porch__verify(sign_pk, digest, sizeof digest, sig, bad_sig_err);
}

void porch__hash_domain(uint8_t out[32], const char *domain, const uint8_t *msg, size_t len)
{
    domain_digest(out, domain, msg, len);
}
