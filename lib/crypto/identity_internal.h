/*
 * identity_internal.h: what other core modules may see of a device secret.
 * The struct lives entirely in sodium_malloc() memory; only this module
 * allocates or frees it.
 */
#ifndef PORCH_CRYPTO_IDENTITY_INTERNAL_H
#define PORCH_CRYPTO_IDENTITY_INTERNAL_H

#include <sodium.h>

#include "porchlight/identity.h"

struct porch_device_secret {
    porch_device_public pub;
    uint8_t sign_sk[crypto_sign_ed25519_SECRETKEYBYTES]; /* seed || public key */
    uint8_t box_sk[crypto_scalarmult_curve25519_BYTES];
};

/*
 * Builds a device from explicit secret material (tests and test vectors
 * use this for reproducible keys; porch_device_generate() passes random bytes).
 * Ownership: as porch_device_generate().
 */
int porch__device_from_seeds(porch_device_secret **out, const char *name,
                             const uint8_t sign_seed[32], const uint8_t box_sk[32]);

/*
 * porch_device_seal() with explicit Argon2id parameters, salt and nonce,
 * for reproducible test vectors. Ownership: as porch_device_seal().
 */
int porch__device_seal_with(const porch_device_secret *dev, const char *passphrase,
                            size_t passphrase_len, uint32_t opslimit, uint64_t memlimit,
                            const uint8_t salt[16], const uint8_t nonce[24],
                            uint8_t **out, size_t *out_len);

/* Signature check with an explicit public key; PORCH_OK or bad_sig_err. */
int porch__verify(const uint8_t sign_pk[32], const uint8_t *msg, size_t msg_len,
                  const uint8_t sig[64], int bad_sig_err);

struct porch__rd;
struct porch__wr;
/* The public block codec (docs/FORMAT.md): sign_pk | box_pk | name_len | name. */
void porch__public_block_write(struct porch__wr *wr, const porch_device_public *pub);
int porch__public_block_read(struct porch__rd *rd, porch_device_public *out);

/* Ed25519 over BLAKE2b-256(domain || NUL || msg). */
int porch__sign_domain(const porch_device_secret *dev, const char *domain, const uint8_t *msg,
                       size_t len, uint8_t sig[64]);
int porch__verify_domain(const uint8_t sign_pk[32], const char *domain, const uint8_t *msg,
                         size_t len, const uint8_t sig[64], int bad_sig_err);
/* BLAKE2b-256(domain || NUL || msg). */
void porch__hash_domain(uint8_t out[32], const char *domain, const uint8_t *msg, size_t len);

#endif
