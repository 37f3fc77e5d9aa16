/*
 * fuzz_clip_meta: porch_meta_decode() on untrusted bytes (the plaintext of a
 * META record). Whatever decodes must re-encode, and the re-encoding must
 * decode to the same structure and re-encode to the same bytes (the encoding
 * of a decoded value is canonical: unknown items dropped, fixed order).
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/clip_meta.h"
#include "porchlight/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_meta(const porch_clip_meta *a, const porch_clip_meta *b)
{
    if (a->end_us != b->end_us || strcmp(a->reason, b->reason) != 0 ||
        a->n_labels != b->n_labels || a->thumbnail_len != b->thumbnail_len ||
        a->has_clip_ref != b->has_clip_ref ||
        memcmp(a->clip_ref, b->clip_ref, sizeof a->clip_ref) != 0)
        return 0;
    for (size_t i = 0; i < a->n_labels; i++) {
        const porch_label *x = &a->labels[i], *y = &b->labels[i];
        if (x->t_ms != y->t_ms || x->cls != y->cls || x->score != y->score || x->x != y->x ||
            x->y != y->y || x->w != y->w || x->h != y->h || x->track_id != y->track_id)
            return 0;
    }
    return !a->thumbnail_len || memcmp(a->thumbnail, b->thumbnail, a->thumbnail_len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    porch_clip_meta *m = NULL, *m2 = NULL;
    uint8_t *enc = NULL, *enc2 = NULL;
    size_t len = 0, len2 = 0;

    if (porch_meta_decode(&m, data, size) != PORCH_OK)
        return 0;
    if (porch_meta_encode(m, &enc, &len) != PORCH_OK)
        abort();
    if (porch_meta_decode(&m2, enc, len) != PORCH_OK || !same_meta(m, m2))
        abort();
    if (porch_meta_encode(m2, &enc2, &len2) != PORCH_OK || len2 != len ||
        memcmp(enc, enc2, len) != 0)
        abort();
    porch_meta_free(m);
    porch_meta_free(m2);
    free(enc);
    free(enc2);
    return 0;
}
