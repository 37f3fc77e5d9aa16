/* test_clip_meta.c: clip metadata items round-trip; bad items are refused. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "porchlight/clip_meta.h"

static uint8_t *item(uint8_t *p, uint8_t type, const void *v, uint32_t len)
{
    p[0] = type;
    p[1] = 0;
    memcpy(p + 2, &len, 4); /* little-endian host (x86/arm): the format's order */
    memcpy(p + 6, v, len);
    return p + 6 + len;
}

static int label_eq(const porch_label *a, const porch_label *b)
{
    return a->t_ms == b->t_ms && a->cls == b->cls && a->score == b->score && a->x == b->x &&
           a->y == b->y && a->w == b->w && a->h == b->h && a->track_id == b->track_id;
}

static void test_roundtrip(void)
{
    static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9};
    porch_label labels[3] = {{0, PORCH_CLASS_MOTION, 1, 2, 3, 4, 5, 6},
                             {40, PORCH_CLASS_VEHICLE, 65535, 0, 0, 65535, 65535, 99},
                             {4000000000u, PORCH_CLASS_ANIMAL, 7, 8, 9, 10, 11, 4000000000u}};
    porch_clip_meta in, *out = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;

    memset(&in, 0, sizeof in);
    in.end_us = 1234567890123ull;
    strcpy(in.reason, "vehicle in zone driveway, 3 s, score 0.88");
    in.labels = labels;
    in.n_labels = 3;
    in.thumbnail = jpeg;
    in.thumbnail_len = sizeof jpeg;
    CHECK_OK(porch_meta_encode(&in, &enc, &len));
    CHECK_OK(porch_meta_decode(&out, enc, len));
    REQUIRE(out);
    CHECK(out->end_us == in.end_us && strcmp(out->reason, in.reason) == 0);
    CHECK(out->n_labels == 3);
    for (size_t i = 0; i < 3 && i < out->n_labels; i++)
        CHECK(label_eq(&out->labels[i], &labels[i]));
    CHECK(out->thumbnail_len == sizeof jpeg && memcmp(out->thumbnail, jpeg, sizeof jpeg) == 0);
    porch_meta_free(out);
    for (size_t cut = 1; cut < len; cut++) {
        out = NULL;
        int ret = porch_meta_decode(&out, enc, cut);
        /* A cut on an item boundary is a shorter valid list; elsewhere truncated. */
        CHECK(ret == PORCH_OK || ret == PORCH_ERR_TRUNCATED);
        CHECK((ret == PORCH_OK) == (out != NULL));
        porch_meta_free(out);
    }
    free(enc);
    CHECK(strcmp(porch_class_name(PORCH_CLASS_PERSON), "person") == 0);
    CHECK(strcmp(porch_class_name(200), "unknown") == 0);
}

static void test_bad_items(void)
{
    uint8_t buf[256], *p;
    porch_clip_meta *out = NULL;
    uint64_t t = 5;
    const uint8_t label[19] = {0}, not_jpeg[3] = {1, 2, 3};

    p = item(buf, 77, "future", 6); /* unknown types are skipped */
    p = item(p, 1, &t, 8);
    CHECK_OK(porch_meta_decode(&out, buf, (size_t)(p - buf)));
    CHECK(out && out->end_us == 5);
    porch_meta_free(out);

    p = item(item(buf, 1, &t, 8), 1, &t, 8);
    CHECK_ERR(porch_meta_decode(&out, buf, (size_t)(p - buf)), PORCH_ERR_MALFORMED);
    p = item(buf, 1, &t, 7);
    CHECK_ERR(porch_meta_decode(&out, buf, (size_t)(p - buf)), PORCH_ERR_MALFORMED);
    p = item(buf, 3, label, 18);
    CHECK_ERR(porch_meta_decode(&out, buf, (size_t)(p - buf)), PORCH_ERR_MALFORMED);
    p = item(buf, 4, not_jpeg, 3);
    CHECK_ERR(porch_meta_decode(&out, buf, (size_t)(p - buf)), PORCH_ERR_MALFORMED);
    p = item(buf, 2, "a\0b", 3);
    CHECK_ERR(porch_meta_decode(&out, buf, (size_t)(p - buf)), PORCH_ERR_MALFORMED);
    p = item(buf, 0, "", 0);
    CHECK_ERR(porch_meta_decode(&out, buf, (size_t)(p - buf)), PORCH_ERR_MALFORMED);
    p = item(buf, 1, &t, 8);
    buf[1] = 1; /* reserved */
    CHECK_ERR(porch_meta_decode(&out, buf, (size_t)(p - buf)), PORCH_ERR_MALFORMED);
    CHECK(out == NULL);
    CHECK_OK(porch_meta_decode(&out, buf, 0)); /* empty list: nothing known */
    porch_meta_free(out);
}

static void test_caps(void)
{
    porch_clip_meta in, *out = NULL;
    uint8_t *enc = NULL, *big = calloc(1, 6 + (PORCH_META_MAX_REASON + 1));
    size_t len;
    REQUIRE(big);

    memset(&in, 0, sizeof in);
    in.n_labels = PORCH_META_MAX_LABELS + 1;
    in.labels = calloc(in.n_labels, sizeof *in.labels);
    REQUIRE(in.labels);
    CHECK_ERR(porch_meta_encode(&in, &enc, &len), PORCH_ERR_TOO_LARGE);
    free(in.labels);
    big[0] = 2;
    uint32_t n = PORCH_META_MAX_REASON + 1;
    memcpy(big + 2, &n, 4);
    memset(big + 6, 'x', n);
    CHECK_ERR(porch_meta_decode(&out, big, 6 + n), PORCH_ERR_TOO_LARGE);
    free(big);
}

int main(void)
{
    test_roundtrip();
    test_bad_items();
    test_caps();
    return CHECK_DONE();
}
