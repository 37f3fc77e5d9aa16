/*
 * porchlight/identity.h: device identities and their files.
 *
 * Every device (owner phone, member laptop, hub, support agent) has an
 * Ed25519 signing key pair and an X25519 encryption key pair, generated
 * independently. The secret halves live only in sodium_malloc() memory
 * (guard pages, mlock, wiped on free) inside an opaque porch_device_secret,
 * and at rest only inside a key file sealed under a passphrase with Argon2id
 * and XChaCha20-Poly1305 (docs/FORMAT.md, "Device secret key file").
 *
 * The public half (porch_device_public) is plain data that may be copied
 * freely. Its fingerprint is what people compare out loud when pairing.
 */
#ifndef PORCHLIGHT_IDENTITY_H
#define PORCHLIGHT_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_SIGN_PK_BYTES 32u
#define PORCH_BOX_PK_BYTES 32u
#define PORCH_SIGNATURE_BYTES 64u
/* Device names: 1..64 bytes of [A-Za-z0-9 ._-], so they are safe to print. */
#define PORCH_NAME_MAX 64u
/* "xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx" plus NUL: 160 bits in base32. */
#define PORCH_FINGERPRINT_STR_BYTES 40u

typedef struct porch_device_public {
    uint8_t sign_pk[PORCH_SIGN_PK_BYTES];   /* Ed25519 public key */
    uint8_t box_pk[PORCH_BOX_PK_BYTES];     /* X25519 public key */
    char name[PORCH_NAME_MAX + 1];          /* NUL-terminated, validated */
} porch_device_public;

/* Opaque; always allocated by this module with sodium_malloc(). */
typedef struct porch_device_secret porch_device_secret;

/* Argon2id cost levels: libsodium's INTERACTIVE (64 MiB, 2 passes), MODERATE
 * (256 MiB, 3 passes) and SENSITIVE (1 GiB, 4 passes). */
typedef enum porch_kdf_level {
    PORCH_KDF_INTERACTIVE = 1,
    PORCH_KDF_MODERATE = 2,
    PORCH_KDF_SENSITIVE = 3
} porch_kdf_level;

/* Initialises libsodium; call once before anything else (idempotent, thread-safe). */
int porch_init(void);

/* True when name is 1..PORCH_NAME_MAX bytes of [A-Za-z0-9 ._-]. */
int porch_name_valid(const char *name);

/*
 * Generates a new device with fresh random keys.
 * Ownership: *out is owned by the caller and released with porch_device_free().
 */
int porch_device_generate(porch_device_secret **out, const char *name);

/* Wipes and frees a device; NULL is a no-op. The pointer is invalid afterwards. */
void porch_device_free(porch_device_secret *dev);

/* The public half; valid as long as dev is. */
const porch_device_public *porch_device_public_of(const porch_device_secret *dev);

/* Ed25519 signature over msg with the device's signing key. */
int porch_device_sign(const porch_device_secret *dev, const uint8_t *msg, size_t msg_len,
                      uint8_t sig[PORCH_SIGNATURE_BYTES]);

/*
 * Seals the device's secret keys under a passphrase into a key file image.
 * Ownership: *out is malloc()ed, owned by the caller, released with free();
 * it holds only ciphertext and public data.
 */
int porch_device_seal(const porch_device_secret *dev, const char *passphrase,
                      size_t passphrase_len, porch_kdf_level level,
                      uint8_t **out, size_t *out_len);

/*
 * Opens a key file image. Rejects Argon2id parameters below the INTERACTIVE
 * floor (PORCH_ERR_WEAK_KDF) or above the SENSITIVE ceiling (PORCH_ERR_TOO_LARGE,
 * so a hostile file cannot make us allocate gigabytes).
 * Ownership: *out as for porch_device_generate().
 */
int porch_device_unseal(porch_device_secret **out, const uint8_t *file, size_t file_len,
                        const char *passphrase, size_t passphrase_len);

/* Reads only the public half of a key file image, without the passphrase. */
int porch_device_file_public(porch_device_public *out, const uint8_t *file, size_t file_len);

/* Public key file image: PORCH_PUBLIC_FILE_MAX bytes at most. */
#define PORCH_PUBLIC_FILE_MAX (75u + PORCH_NAME_MAX)
int porch_public_encode(const porch_device_public *pub, uint8_t *out, size_t out_cap,
                        size_t *out_len);
int porch_public_decode(porch_device_public *out, const uint8_t *file, size_t file_len);

/* Human-checkable fingerprint of the public keys, lowercase base32 in 8 groups of 4. */
int porch_fingerprint(const porch_device_public *pub, char out[PORCH_FINGERPRINT_STR_BYTES]);

/* True (1) when text names this device's fingerprint, ignoring case and dashes. */
int porch_fingerprint_matches(const porch_device_public *pub, const char *text);

/* Constant-time equality of two public identities' keys (names ignored). */
int porch_public_same_keys(const porch_device_public *a, const porch_device_public *b);

#ifdef __cplusplus
}
#endif

#endif
