/*
 * fuzz_keyfile: public key files and secret key files from untrusted bytes.
 *
 * Every input goes through porch_public_decode() and
 * porch_device_file_public(). porch_device_unseal() runs Argon2id at 64 MiB
 * or more per call (tens of milliseconds at best), which would cut
 * throughput from tens of thousands of execs/s to a few, so it is called only
 * when the input is exactly a structurally valid secret key file (its clear
 * part parses) with the INTERACTIVE parameters (opslimit 2, memlimit 64 MiB),
 * with the fixture's passphrase. Mutations of the corpus seed's sealed part,
 * salt, nonce or name then exercise the AEAD, key re-derivation and
 * key-mismatch paths. Files with higher parameters are parsed but never
 * unsealed here (kdf_check's caps are covered by the unit tests).
 */
#include <stdlib.h>
#include <string.h>

#include "../tests/format/fixture.h"

#define SEC_OPS_OFF 12u
#define SEC_MEM_OFF 16u

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (porch_init() != PORCH_OK)
        abort();
    return 0;
}

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    porch_device_public pub, pub2;
    porch_device_secret *dev = NULL;
    uint8_t enc[PORCH_PUBLIC_FILE_MAX];
    size_t enc_len = 0;

    if (porch_public_decode(&pub, data, size) == PORCH_OK) {
        /* Canonical: an accepted public file re-encodes to the same bytes. */
        if (porch_public_encode(&pub, enc, sizeof enc, &enc_len) != PORCH_OK ||
            enc_len != size || memcmp(enc, data, size) != 0)
            abort();
    }
    if (porch_device_file_public(&pub2, data, size) != PORCH_OK)
        return 0;
    if (le(data + SEC_OPS_OFF, 4) != crypto_pwhash_OPSLIMIT_INTERACTIVE ||
        le(data + SEC_MEM_OFF, 8) != crypto_pwhash_MEMLIMIT_INTERACTIVE)
        return 0;
    if (porch_device_unseal(&dev, data, size, FX_PASSPHRASE, strlen(FX_PASSPHRASE)) ==
        PORCH_OK) {
        if (!porch_public_same_keys(porch_device_public_of(dev), &pub2))
            abort(); /* unsealed keys must be the file's public keys */
        porch_device_free(dev);
    }
    return 0;
}
