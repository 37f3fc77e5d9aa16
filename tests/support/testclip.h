/*
 * testclip.h: a whole sealed clip in memory, from synthetic pieces
 * (an INIT piece, n MEDIA pieces of varying sizes, a final META record),
 * with the offsets of every record so tests can cut and splice it.
 */
#ifndef PORCH_TEST_TESTCLIP_H
#define PORCH_TEST_TESTCLIP_H

#include <stddef.h>
#include <stdint.h>

#include "household.h"
#include "porchlight/clip.h"
#include "porchlight/clip_meta.h"

#define TEST_CLIP_MAX_PIECES 64

struct test_clip {
    uint8_t *bytes;                 /* header + records */
    size_t len;
    size_t header_len;
    size_t n_records;               /* pieces + 1 final */
    size_t record_off[TEST_CLIP_MAX_PIECES + 1];
    size_t record_len[TEST_CLIP_MAX_PIECES + 1];
    uint8_t *plain;                 /* the pieces concatenated */
    size_t plain_len;
    size_t piece_off[TEST_CLIP_MAX_PIECES], piece_len[TEST_CLIP_MAX_PIECES];
    uint64_t meta_end_us;
};

/* n_media MEDIA pieces after one INIT piece; sizes grow from base_size. */
void test_clip_make(struct test_clip *tc, struct household *h, const char *camera,
                    size_t n_media, size_t base_size);
/* Seals given pieces (first is INIT) with hub for camera through the public writer. */
void test_clip_make_from(struct test_clip *tc, const porch_device_secret *hub,
                         const porch_roster *roster, const char *camera,
                         const uint8_t *const *pieces, const size_t *sizes, size_t n);
int test_clip_meta(const struct test_clip *tc, const porch_clip_key *key,
                   porch_clip_meta **out);
void test_clip_free(struct test_clip *tc);

#endif
