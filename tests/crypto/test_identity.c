/*
 * test_identity.c: device keys, key files and fingerprints.
 * Key files use the INTERACTIVE Argon2id level (64 MiB) to keep this quick.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "crypto/identity_internal.h"
#include "porchlight/identity.h"

static const char pass[] = "correct horse battery staple";

static void test_generate_and_sign(void)
{
    porch_device_secret *a = NULL, *b = NULL;
    uint8_t sig[64];
    const uint8_t msg[3] = {1, 2, 3};

    CHECK_OK(porch_device_generate(&a, "alice-phone"));
    CHECK_OK(porch_device_generate(&b, "bob laptop"));
    REQUIRE(a && b);
    CHECK(!porch_public_same_keys(porch_device_public_of(a), porch_device_public_of(b)));
    CHECK_OK(porch_device_sign(a, msg, sizeof msg, sig));
    CHECK(crypto_sign_ed25519_verify_detached(sig, msg, sizeof msg,
                                              porch_device_public_of(a)->sign_pk) == 0);
    CHECK_ERR(porch_device_generate(&b, "bad/name"), PORCH_ERR_INVALID_ARG);
    CHECK(b == NULL);
    CHECK_ERR(porch_device_generate(&b, ""), PORCH_ERR_INVALID_ARG);
    CHECK(!porch_name_valid("\x1b[31mred") && porch_name_valid("Kitchen tablet_2.0"));
    porch_device_free(a);
    porch_device_free(NULL);
}

static void test_keyfile(void)
{
    porch_device_secret *d = NULL, *back = NULL;
    porch_device_public pub;
    uint8_t *file = NULL;
    size_t len = 0;

    REQUIRE(porch_device_generate(&d, "hub-garage") == PORCH_OK);
    CHECK_OK(porch_device_seal(d, pass, strlen(pass), PORCH_KDF_INTERACTIVE, &file, &len));
    REQUIRE(file);
    CHECK(len == 209 + strlen("hub-garage"));
    CHECK_OK(porch_device_file_public(&pub, file, len));
    CHECK(porch_public_same_keys(&pub, porch_device_public_of(d)));
    CHECK_OK(porch_device_unseal(&back, file, len, pass, strlen(pass)));
    REQUIRE(back);
    CHECK(porch_public_same_keys(porch_device_public_of(back), porch_device_public_of(d)));
    CHECK(strcmp(porch_device_public_of(back)->name, "hub-garage") == 0);
    porch_device_free(back);
    back = NULL;

    CHECK_ERR(porch_device_unseal(&back, file, len, "wrong", 5), PORCH_ERR_PASSPHRASE);
    CHECK(back == NULL);
    /* Any change to the clear part (name, keys, parameters) is caught. */
    file[129] ^= 1; /* first byte of the name */
    CHECK_ERR(porch_device_unseal(&back, file, len, pass, strlen(pass)), PORCH_ERR_PASSPHRASE);
    file[129] ^= 1;
    file[70] ^= 1; /* inside sign_pk */
    CHECK_ERR(porch_device_unseal(&back, file, len, pass, strlen(pass)), PORCH_ERR_PASSPHRASE);
    file[70] ^= 1;
    file[12] = 1; /* opslimit below the floor */
    CHECK_ERR(porch_device_unseal(&back, file, len, pass, strlen(pass)), PORCH_ERR_WEAK_KDF);
    file[12] = 2;
    file[23] = 0x10; /* memlimit far above the ceiling: refused before allocating */
    CHECK_ERR(porch_device_unseal(&back, file, len, pass, strlen(pass)), PORCH_ERR_TOO_LARGE);
    file[23] = 0;
    file[10] = 9;
    CHECK_ERR(porch_device_unseal(&back, file, len, pass, strlen(pass)), PORCH_ERR_UNSUPPORTED);
    file[10] = 1;
    CHECK_ERR(porch_device_unseal(&back, file, len - 1, pass, strlen(pass)),
              PORCH_ERR_TRUNCATED);
    file[0] = 'X';
    CHECK_ERR(porch_device_unseal(&back, file, len, pass, strlen(pass)), PORCH_ERR_BAD_MAGIC);
    free(file);

    /* Explicit parameters below the floor are refused when sealing too. */
    uint8_t salt[16] = {0}, nonce[24] = {0};
    REQUIRE(porch__device_seal_with(d, pass, strlen(pass), 2, 67108864, salt, nonce, &file,
                                    &len) == PORCH_OK);
    free(file);
    CHECK_ERR(porch__device_seal_with(d, pass, strlen(pass), 1, 67108864, salt, nonce, &file,
                                      &len),
              PORCH_ERR_WEAK_KDF);
    CHECK(file == NULL);
    porch_device_free(d);
}

/*
 * A well-formed file whose clear public keys are someone else's, with the AEAD
 * redone by someone who knows the passphrase: the secrets do not derive those
 * keys, so unsealing refuses (PORCH_ERR_KEY_MISMATCH).
 */
static void test_key_mismatch(void)
{
    porch_device_secret *d = NULL, *other = NULL, *back = NULL;
    uint8_t *file = NULL, key[32], seeds[64];
    size_t len = 0;
    uint8_t salt[16] = {1}, nonce[24] = {2};
    const uint32_t ops = 2;
    const uint64_t mem = 67108864;

    REQUIRE(porch_device_generate(&d, "real") == PORCH_OK);
    REQUIRE(porch_device_generate(&other, "real") == PORCH_OK);
    REQUIRE(porch__device_seal_with(d, pass, strlen(pass), ops, mem, salt, nonce, &file, &len) ==
            PORCH_OK);
    REQUIRE(crypto_pwhash(key, 32, pass, strlen(pass), salt, ops, mem,
                          crypto_pwhash_ALG_ARGON2ID13) == 0);
    size_t ad_len = len - 80;
    REQUIRE(crypto_aead_xchacha20poly1305_ietf_decrypt(seeds, NULL, NULL, file + ad_len, 80,
                                                       file, ad_len, nonce, key) == 0);
    memcpy(file + 64, porch_device_public_of(other)->sign_pk, 32);
    memcpy(file + 96, porch_device_public_of(other)->box_pk, 32);
    crypto_aead_xchacha20poly1305_ietf_encrypt(file + ad_len, NULL, seeds, 64, file, ad_len,
                                               NULL, nonce, key);
    CHECK_ERR(porch_device_unseal(&back, file, len, pass, strlen(pass)), PORCH_ERR_KEY_MISMATCH);
    CHECK(back == NULL);
    sodium_memzero(seeds, sizeof seeds);
    sodium_memzero(key, sizeof key);
    free(file);
    porch_device_free(d);
    porch_device_free(other);
}

static void test_public_file(void)
{
    porch_device_secret *d = NULL;
    porch_device_public pub;
    uint8_t buf[PORCH_PUBLIC_FILE_MAX + 1];
    size_t len = 0;

    REQUIRE(porch_device_generate(&d, "owner") == PORCH_OK);
    CHECK_OK(porch_public_encode(porch_device_public_of(d), buf, sizeof buf, &len));
    CHECK(len == 75 + 5);
    CHECK_OK(porch_public_decode(&pub, buf, len));
    CHECK(porch_public_same_keys(&pub, porch_device_public_of(d)) && !strcmp(pub.name, "owner"));
    CHECK_ERR(porch_public_decode(&pub, buf, len - 1), PORCH_ERR_TRUNCATED);
    buf[len] = 0;
    CHECK_ERR(porch_public_decode(&pub, buf, len + 1), PORCH_ERR_TRAILING_DATA);
    buf[74] = 200;
    CHECK_ERR(porch_public_decode(&pub, buf, len), PORCH_ERR_MALFORMED);
    buf[74] = 5;
    buf[75] = '\n';
    CHECK_ERR(porch_public_decode(&pub, buf, len), PORCH_ERR_MALFORMED);
    CHECK_ERR(porch_public_encode(porch_device_public_of(d), buf, 10, &len), PORCH_ERR_TOO_LARGE);
    porch_device_free(d);
}

static void test_fingerprint(void)
{
    porch_device_secret *d = NULL;
    char fp[PORCH_FINGERPRINT_STR_BYTES], upper[64];
    uint8_t seed[32] = {0}, box[32] = {0};

    REQUIRE(porch__device_from_seeds(&d, "fp", seed, box) == PORCH_OK);
    CHECK_OK(porch_fingerprint(porch_device_public_of(d), fp));
    CHECK(strlen(fp) == 39 && fp[4] == '-' && fp[34] == '-');
    CHECK(porch_fingerprint_matches(porch_device_public_of(d), fp));
    for (size_t i = 0; i <= strlen(fp); i++)
        upper[i] = (fp[i] >= 'a' && fp[i] <= 'z') ? (char)(fp[i] - 32) : fp[i];
    CHECK(porch_fingerprint_matches(porch_device_public_of(d), upper));
    upper[0] = upper[0] == 'A' ? 'B' : 'A';
    CHECK(!porch_fingerprint_matches(porch_device_public_of(d), upper));
    CHECK(!porch_fingerprint_matches(porch_device_public_of(d), "abcd"));
    porch_device_free(d);
}

int main(void)
{
    REQUIRE(porch_init() == PORCH_OK);
    test_generate_and_sign();
    test_keyfile();
    test_key_mismatch();
    test_public_file();
    test_fingerprint();
    return CHECK_DONE();
}
