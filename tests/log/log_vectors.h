/*
 * log_vectors.h: the known-answer vectors of docs/LOG.md, computed from
 * fixed inputs. gen_log_vectors prints them as Markdown (and writes the fuzz
 * seed corpus); test_log_vectors recomputes them and compares them with the
 * "vector: NAME" blocks in docs/LOG.md, so document and code cannot drift.
 */
#ifndef PORCH_TEST_LOG_VECTORS_H
#define PORCH_TEST_LOG_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/log.h"

#define LV_MAX 16
#define LV_ENTRIES 7

struct lv {
    const char *name;
    uint8_t data[PORCH_LOG_PROOF_MAX_BYTES];
    size_t len;
    size_t first_line;          /* bytes on the first printed line */
    size_t line;                /* bytes on each later line */
    char note[200];             /* one line of prose printed before the block */
};

struct lv_set {
    struct lv v[LV_MAX];
    size_t n;
    uint8_t entries[LV_ENTRIES][PORCH_LOG_ENTRY_BYTES];
    uint8_t server_pk[PORCH_SIGN_PK_BYTES];
    uint8_t household[PORCH_LOG_ID_BYTES];
};

/* The fixed entry i (0 <= i < LV_ENTRIES). */
void lv_entry(porch_log_entry *e, unsigned i);
/* Computes every vector into *set. PORCH_OK or the first error. */
int lv_build(struct lv_set *set);
const struct lv *lv_find(const struct lv_set *set, const char *name);
/* Lowercase hex of a vector as printed in the document (lines of per_line bytes). */
void lv_print(const struct lv *v, char *out, size_t cap);

#endif
