/*
 * vectors.h: the known-answer vectors of docs/FORMAT.md, computed from the
 * fixture (fixture.h). gen_vectors prints them as Markdown; test_vectors
 * recomputes them and compares them with the blocks in docs/FORMAT.md.
 *
 * In the document a vector is a fenced block whose first line is
 * "vector: NAME"; the lines after it, up to the closing fence, are its value:
 * hex (whitespace ignored) for VEC_HEX, text lines for VEC_TEXT.
 */
#ifndef PORCH_TEST_FORMAT_VECTORS_H
#define PORCH_TEST_FORMAT_VECTORS_H

#include <stddef.h>
#include <stdint.h>

enum vec_kind { VEC_HEX, VEC_TEXT };

struct vec {
    const char *name;
    enum vec_kind kind;
    uint8_t *data;          /* bytes (VEC_HEX) or text without final newline (VEC_TEXT) */
    size_t len;
    char note[256];         /* one line of prose printed before the block */
};

#define VEC_MAX 24

/* Computes every vector. Returns PORCH_OK or the first error. */
int vectors_build(struct vec *v, size_t *n);
void vectors_free(struct vec *v, size_t n);
struct fx;
/* The grant vector's bytes. Ownership: *out malloc()ed, caller frees. */
int fx_grant(const struct fx *f, uint8_t **out, size_t *out_len);
const struct vec *vectors_find(const struct vec *v, size_t n, const char *name);

#endif
