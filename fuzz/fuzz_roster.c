/*
 * fuzz_roster: porch_roster_load() on untrusted bytes with the fixture's
 * owner key pinned (tests/format/fixture.h), once without memory and once
 * with a remembered head (the fixture's 2-entry roster head, so rollback and
 * fork checks run). An accepted roster must re-encode to exactly the input
 * and answer the queries a clip check asks of it.
 */
#include <stdlib.h>
#include <string.h>

#include "../tests/format/fixture.h"

static struct fx fx;
static porch_roster_head seen;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (fx_init(&fx) != PORCH_OK)
        abort();
    porch_roster_get_head(fx.roster2, &seen);
    return 0;
}

static void exercise(const porch_roster *r, const uint8_t *data, size_t size)
{
    porch_device_public viewers[8];
    uint8_t *enc = NULL, hash[PORCH_HASH_BYTES];
    size_t enc_len = 0, n = 0;
    uint64_t count = porch_roster_entry_count(r);

    if (porch_roster_encode(r, &enc, &enc_len) != PORCH_OK)
        abort();
    if (enc_len != size || memcmp(enc, data, size) != 0)
        abort(); /* what was accepted is exactly what is re-served */
    free(enc);
    for (uint64_t seq = 0; seq < count && seq < 8; seq++) {
        if (porch_roster_hash_at(r, seq, hash) != PORCH_OK)
            abort();
        (void)porch_roster_viewers_at(r, seq, FX_CAMERA, viewers, 8, &n);
        (void)porch_roster_check_hub_at(r, seq, porch_device_public_of(fx.hub)->sign_pk,
                                        FX_CAMERA);
    }
    if (porch_roster_member_count(r) == 0)
        abort(); /* genesis always leaves an admin */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *pin = porch_device_public_of(fx.owner)->sign_pk;
    porch_roster *r = NULL;
    uint64_t bad = 0;

    if (porch_roster_load(&r, data, size, pin, NULL, &bad) == PORCH_OK) {
        exercise(r, data, size);
        porch_roster_free(r);
        r = NULL;
    }
    if (porch_roster_load(&r, data, size, pin, &seen, &bad) == PORCH_OK) {
        porch_roster_head head;
        porch_roster_get_head(r, &head);
        if (head.seq < seen.seq)
            abort(); /* accepted a rollback */
        porch_roster_free(r);
    }
    return 0;
}
