/*
 * fuzz_fmp4_boxes.c: libFuzzer target for porch_fmp4_check(), the
 * validator of fMP4 pieces (untrusted bytes from decrypted clip records).
 *
 * The first input byte picks the part (INIT or FRAGMENT) so both grammars
 * are explored; the rest is the piece. Beyond memory safety it asserts the
 * contract: only the documented codes come back, and an accepted piece
 * stays accepted when a free box is appended (the grammar allows padding).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int known(int err)
{
    return err == PORCH_OK || err == PORCH_ERR_TRUNCATED ||
           err == PORCH_ERR_MALFORMED || err == PORCH_ERR_TOO_LARGE;
}

/* An accepted piece plus an 8-byte free box must still be accepted (only a
 * box-count cap may now be exceeded). If the last box was sized 0 ("to the
 * end"), it swallows the free box, which must still be fine. */
static void check_padding(const uint8_t *p, size_t n, porch_fmp4_part part)
{
    static const uint8_t pad[8] = { 0, 0, 0, 8, 'f', 'r', 'e', 'e' };
    uint8_t *q = malloc(n + sizeof(pad));
    int err;

    if (q == NULL)
        return;
    memcpy(q, p, n);
    memcpy(q + n, pad, sizeof(pad));
    err = porch_fmp4_check(q, n + sizeof(pad), part);
    if (err != PORCH_OK && err != PORCH_ERR_TOO_LARGE)
        abort();
    free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    porch_fmp4_part part;
    uint8_t *copy;
    int err;

    if (size < 1)
        return 0;
    part = (data[0] & 1) ? PORCH_FMP4_FRAGMENT : PORCH_FMP4_INIT;
    /* An exact-size heap copy lets ASan catch any read past the end. */
    if ((copy = malloc(size - 1 ? size - 1 : 1)) == NULL)
        return 0;
    memcpy(copy, data + 1, size - 1);
    err = porch_fmp4_check(copy, size - 1, part);
    if (!known(err))
        abort();
    if (err == PORCH_OK)
        check_padding(copy, size - 1, part);
    free(copy);
    return 0;
}
