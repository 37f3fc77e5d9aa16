/*
 * keyfile.c: device secret key files and public key files (docs/FORMAT.md).
 *
 *   secret file = magic "PORCHSEC" | version | kdf | opslimit | memlimit |
 *                 salt | nonce | public block | XChaCha20-Poly1305(seeds)
 *   public file = magic "PORCHPUB" | version | public block
 *   public block = sign_pk | box_pk | name_len | name
 *
 * The secret file's AEAD takes every byte before the ciphertext as associated
 * data, so changing the parameters, the public keys or the name is detected as
 * PORCH_ERR_PASSPHRASE (the two cannot be told apart, by design). After
 * decryption the public keys are re-derived and compared, so a file cannot
 * pair someone else's public keys with our secrets.
 */
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "crypto/identity_internal.h"
#include "util/bytes.h"

#define SEC_MAGIC "PORCHSEC"
#define PUB_MAGIC "PORCHPUB"
#define KEYFILE_VERSION 1u
#define KDF_ARGON2ID13 1u
#define SEEDS_BYTES 64u
#define SEALED_SEEDS_BYTES (SEEDS_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define SEC_FILE_MAX (129u + PORCH_NAME_MAX + SEALED_SEEDS_BYTES)
/* A hostile file must not make us burn minutes or gigabytes: cap the KDF. */
#define OPSLIMIT_MAX 16u
#define MEMLIMIT_MAX ((uint64_t)crypto_pwhash_MEMLIMIT_SENSITIVE)

static int read_magic_version(porch__rd *rd, const char magic[8])
{
    const uint8_t *m = porch__rd_take(rd, 8);
    uint16_t version = porch__rd_u16(rd);
    if (rd->err)
        return rd->err;
    if (memcmp(m, magic, 8) != 0)
        return PORCH_ERR_BAD_MAGIC;
    return version == KEYFILE_VERSION ? PORCH_OK : PORCH_ERR_BAD_VERSION;
}

int porch_public_encode(const porch_device_public *pub, uint8_t *out, size_t out_cap,
                        size_t *out_len)
{
    porch__wr wr;
    if (out_len)
        *out_len = 0;
    if (!pub || !out || !out_len || !porch_name_valid(pub->name))
        return PORCH_ERR_INVALID_ARG;
    porch__wr_init(&wr, out, out_cap);
    porch__wr_bytes(&wr, PUB_MAGIC, 8);
    porch__wr_u16(&wr, KEYFILE_VERSION);
    porch__public_block_write(&wr, pub);
    if (wr.err)
        return wr.err;
    *out_len = wr.off;
    return PORCH_OK;
}

int porch_public_decode(porch_device_public *out, const uint8_t *file, size_t file_len)
{
    porch__rd rd;
    int ret;
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !file)
        return PORCH_ERR_INVALID_ARG;
    porch__rd_init(&rd, file, file_len);
    if ((ret = read_magic_version(&rd, PUB_MAGIC)) != PORCH_OK ||
        (ret = porch__public_block_read(&rd, out)) != PORCH_OK)
        goto out;
    ret = porch__rd_left(&rd) ? PORCH_ERR_TRAILING_DATA : PORCH_OK;
out:
    if (ret != PORCH_OK)
        memset(out, 0, sizeof *out);
    return ret;
}

static int kdf_params(porch_kdf_level level, uint32_t *ops, uint64_t *mem)
{
    switch (level) {
    case PORCH_KDF_INTERACTIVE:
        *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
        return PORCH_OK;
    case PORCH_KDF_MODERATE:
        *ops = crypto_pwhash_OPSLIMIT_MODERATE;
        *mem = crypto_pwhash_MEMLIMIT_MODERATE;
        return PORCH_OK;
    case PORCH_KDF_SENSITIVE:
        *ops = crypto_pwhash_OPSLIMIT_SENSITIVE;
        *mem = crypto_pwhash_MEMLIMIT_SENSITIVE;
        return PORCH_OK;
    }
    return PORCH_ERR_INVALID_ARG;
}

static int kdf_check(uint32_t ops, uint64_t mem)
{
    if (ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || mem < crypto_pwhash_MEMLIMIT_INTERACTIVE)
        return PORCH_ERR_WEAK_KDF;
    if (ops > OPSLIMIT_MAX || mem > MEMLIMIT_MAX)
        return PORCH_ERR_TOO_LARGE;
    return PORCH_OK;
}

/* Derives the file key into key (sodium_malloc'd by the caller). */
static int derive_key(uint8_t key[32], const char *pass, size_t pass_len, const uint8_t *salt,
                      uint32_t ops, uint64_t mem)
{
    if (crypto_pwhash(key, 32, pass, pass_len, salt, ops, (size_t)mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return PORCH_ERR_NOMEM; /* libsodium fails here only when it cannot allocate */
    return PORCH_OK;
}

int porch__device_seal_with(const porch_device_secret *dev, const char *passphrase,
                            size_t passphrase_len, uint32_t opslimit, uint64_t memlimit,
                            const uint8_t salt[16], const uint8_t nonce[24],
                            uint8_t **out, size_t *out_len)
{
    uint8_t *key = NULL, *seeds = NULL, *buf = NULL;
    porch__wr wr;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!dev || !passphrase || !salt || !nonce || !out || !out_len)
        goto out;
    if ((ret = kdf_check(opslimit, memlimit)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(key = sodium_malloc(32)) || !(seeds = sodium_malloc(SEEDS_BYTES)) ||
        !(buf = malloc(SEC_FILE_MAX)))
        goto out;
    porch__wr_init(&wr, buf, SEC_FILE_MAX);
    porch__wr_bytes(&wr, SEC_MAGIC, 8);
    porch__wr_u16(&wr, KEYFILE_VERSION);
    porch__wr_u16(&wr, KDF_ARGON2ID13);
    porch__wr_u32(&wr, opslimit);
    porch__wr_u64(&wr, memlimit);
    porch__wr_bytes(&wr, salt, crypto_pwhash_SALTBYTES);
    porch__wr_bytes(&wr, nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    porch__public_block_write(&wr, &dev->pub);
    if ((ret = wr.err) != PORCH_OK ||
        (ret = derive_key(key, passphrase, passphrase_len, salt, opslimit, memlimit)) != PORCH_OK)
        goto out;
    crypto_sign_ed25519_sk_to_seed(seeds, dev->sign_sk);
    memcpy(seeds + 32, dev->box_sk, 32);
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + wr.off, NULL, seeds, SEEDS_BYTES, buf,
                                               wr.off, NULL, nonce, key);
    *out_len = wr.off + SEALED_SEEDS_BYTES;
    *out = buf;
    buf = NULL;
    ret = PORCH_OK;
out:
    sodium_free(key);
    sodium_free(seeds);
    free(buf);
    return ret;
}

int porch_device_seal(const porch_device_secret *dev, const char *passphrase,
                      size_t passphrase_len, porch_kdf_level level,
                      uint8_t **out, size_t *out_len)
{
    uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
    uint32_t ops = 0;
    uint64_t mem = 0;
    int ret;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if ((ret = kdf_params(level, &ops, &mem)) != PORCH_OK)
        return ret;
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    return porch__device_seal_with(dev, passphrase, passphrase_len, ops, mem, salt, nonce,
                                   out, out_len);
}

/* The parsed clear part of a secret key file; pointers into the file. */
struct sec_file {
    uint32_t ops;
    uint64_t mem;
    const uint8_t *salt, *nonce, *sealed;
    size_t ad_len;
    porch_device_public pub;
};

static int parse_sec_file(struct sec_file *sf, const uint8_t *file, size_t file_len)
{
    porch__rd rd;
    int ret;

    porch__rd_init(&rd, file, file_len);
    if ((ret = read_magic_version(&rd, SEC_MAGIC)) != PORCH_OK)
        return ret;
    uint16_t kdf = porch__rd_u16(&rd);
    sf->ops = porch__rd_u32(&rd);
    sf->mem = porch__rd_u64(&rd);
    sf->salt = porch__rd_take(&rd, crypto_pwhash_SALTBYTES);
    sf->nonce = porch__rd_take(&rd, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    if (rd.err)
        return rd.err;
    if (kdf != KDF_ARGON2ID13)
        return PORCH_ERR_UNSUPPORTED;
    if ((ret = porch__public_block_read(&rd, &sf->pub)) != PORCH_OK)
        return ret;
    sf->ad_len = rd.off;
    sf->sealed = porch__rd_take(&rd, SEALED_SEEDS_BYTES);
    if (rd.err)
        return rd.err;
    return porch__rd_left(&rd) ? PORCH_ERR_TRAILING_DATA : PORCH_OK;
}

int porch_device_file_public(porch_device_public *out, const uint8_t *file, size_t file_len)
{
    struct sec_file sf;
    int ret;
    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !file)
        return PORCH_ERR_INVALID_ARG;
    memset(&sf, 0, sizeof sf);
    if ((ret = parse_sec_file(&sf, file, file_len)) == PORCH_OK)
        *out = sf.pub;
    return ret;
}

int porch_device_unseal(porch_device_secret **out, const uint8_t *file, size_t file_len,
                        const char *passphrase, size_t passphrase_len)
{
    struct sec_file sf;
    uint8_t *key = NULL, *seeds = NULL;
    porch_device_secret *dev = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    memset(&sf, 0, sizeof sf);
    if (!out || !file || !passphrase)
        goto out;
    if ((ret = parse_sec_file(&sf, file, file_len)) != PORCH_OK ||
        (ret = kdf_check(sf.ops, sf.mem)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(key = sodium_malloc(32)) || !(seeds = sodium_malloc(SEEDS_BYTES)))
        goto out;
    if ((ret = derive_key(key, passphrase, passphrase_len, sf.salt, sf.ops, sf.mem)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_PASSPHRASE;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(seeds, NULL, NULL, sf.sealed,
                                                   SEALED_SEEDS_BYTES, file, sf.ad_len,
                                                   sf.nonce, key) != 0)
        goto out;
    if ((ret = porch__device_from_seeds(&dev, sf.pub.name, seeds, seeds + 32)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_KEY_MISMATCH;
    if (!porch_public_same_keys(&dev->pub, &sf.pub))
        goto out;
    *out = dev;
    dev = NULL;
    ret = PORCH_OK;
out:
    porch_device_free(dev);
    sodium_free(key);
    sodium_free(seeds);
    return ret;
}
