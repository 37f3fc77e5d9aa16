/*
 * fuzz_log_proofs.c: libFuzzer target for the access log's parsers of
 * untrusted bytes (docs/LOG.md): serialised inclusion and consistency
 * proofs, checkpoints and entries, all of which arrive from the server.
 *
 * The first byte picks the parser (0 inclusion, 1 consistency,
 * 2 checkpoint, 3 entry; mod 4); the rest is the input. Beyond memory
 * safety it asserts the contract:
 *   - only documented codes come back, and a failed decode leaves its output
 *     all zero;
 *   - an accepted input re-encodes to exactly the same bytes (one encoding
 *     per value, so nothing is silently ignored);
 *   - verifying an accepted proof against arbitrary roots returns OK or
 *     PORCH_ERR_LOG_PROOF, never anything else, whatever the claimed sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t zero_hash[PORCH_LOG_HASH_BYTES];

static int known(int err)
{
    return err == PORCH_OK || err == PORCH_ERR_TRUNCATED || err == PORCH_ERR_TRAILING_DATA ||
           err == PORCH_ERR_BAD_VERSION || err == PORCH_ERR_BAD_MAGIC ||
           err == PORCH_ERR_MALFORMED || err == PORCH_ERR_TOO_LARGE;
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void same_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    if (na != nb || memcmp(a, b, na) != 0)
        abort();
}

static void fuzz_inclusion(const uint8_t *in, size_t len)
{
    static porch_log_inclusion p;
    static uint8_t out[PORCH_LOG_PROOF_MAX_BYTES];
    size_t out_len = 0;
    int err = porch_log_inclusion_decode(&p, in, len);

    if (!known(err) || (err != PORCH_OK && !all_zero(&p, sizeof p)))
        abort();
    if (err != PORCH_OK)
        return;
    if (porch_log_inclusion_encode(&p, out, sizeof out, &out_len) != PORCH_OK)
        abort();
    same_bytes(in, len, out, out_len);
    /* Leaf and root from the proof itself: the worst case for the verifier. */
    err = porch_log_verify_inclusion(p.n_hashes ? p.hashes[0] : zero_hash, &p,
                                     p.n_hashes ? p.hashes[p.n_hashes - 1] : zero_hash);
    if (err != PORCH_OK && err != PORCH_ERR_LOG_PROOF)
        abort();
}

static void fuzz_consistency(const uint8_t *in, size_t len)
{
    static porch_log_consistency p;
    static uint8_t out[PORCH_LOG_PROOF_MAX_BYTES];
    size_t out_len = 0;
    int err = porch_log_consistency_decode(&p, in, len);

    if (!known(err) || (err != PORCH_OK && !all_zero(&p, sizeof p)))
        abort();
    if (err != PORCH_OK)
        return;
    if (porch_log_consistency_encode(&p, out, sizeof out, &out_len) != PORCH_OK)
        abort();
    same_bytes(in, len, out, out_len);
    err = porch_log_verify_consistency(&p, p.n_hashes ? p.hashes[0] : zero_hash,
                                       p.n_hashes ? p.hashes[p.n_hashes - 1] : zero_hash);
    if (err != PORCH_OK && err != PORCH_ERR_LOG_PROOF)
        abort();
}

static void fuzz_checkpoint(const uint8_t *in, size_t len)
{
    porch_log_checkpoint cp;
    uint8_t out[PORCH_LOG_CHECKPOINT_BYTES];
    int err = porch_log_checkpoint_decode(&cp, in, len);

    if (!known(err) || (err != PORCH_OK && !all_zero(&cp, sizeof cp)))
        abort();
    if (err != PORCH_OK)
        return;
    if (porch_log_checkpoint_encode(&cp, out) != PORCH_OK)
        abort();
    same_bytes(in, len, out, sizeof out);
    err = porch_log_checkpoint_verify(&cp, zero_hash);
    if (err != PORCH_OK && err != PORCH_ERR_LOG_SIGNATURE)
        abort();
}

static void fuzz_entry(const uint8_t *in, size_t len)
{
    porch_log_entry e;
    uint8_t out[PORCH_LOG_ENTRY_BYTES];
    int err = porch_log_entry_decode(&e, in, len);

    if (!known(err) || (err != PORCH_OK && !all_zero(&e, sizeof e)))
        abort();
    if (err != PORCH_OK)
        return;
    if (porch_log_entry_encode(&e, out) != PORCH_OK)
        abort();
    same_bytes(in, len, out, sizeof out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy;

    if (size < 1)
        return 0;
    /* An exact-size heap copy lets ASan catch any read past the end. */
    if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
        return 0;
    memcpy(copy, data + 1, size - 1);
    switch (data[0] & 3) {
    case 0: fuzz_inclusion(copy, size - 1); break;
    case 1: fuzz_consistency(copy, size - 1); break;
    case 2: fuzz_checkpoint(copy, size - 1); break;
    default: fuzz_entry(copy, size - 1); break;
    }
    free(copy);
    return 0;
}
