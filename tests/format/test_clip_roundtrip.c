/*
 * test_clip_roundtrip.c: a clip written by the hub opens for exactly the
 * devices the roster allows, record by record and all at once, and the hub
 * itself cannot open it.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "household.h"
#include "porchlight/clip.h"
#include "porchlight/clip_meta.h"
#include "testclip.h"

struct collect {
    size_t n;
    size_t bytes;
    int kinds[16];
    uint8_t *concat;
};

static int collect_cb(void *ctx, const porch_record_info *info, const uint8_t *p, size_t len)
{
    struct collect *c = ctx;
    if (c->n < 16)
        c->kinds[c->n] = info->kind;
    if (info->kind != PORCH_RECORD_META) {
        memcpy(c->concat + c->bytes, p, len);
        c->bytes += len;
    }
    c->n++;
    return 0;
}

static void test_roundtrip(struct household *h)
{
    struct test_clip tc;
    porch_clip_key *key = NULL;
    struct collect c = {0};

    test_clip_make(&tc, h, "front", 4, 3000);
    c.concat = malloc(tc.plain_len);
    REQUIRE(c.concat);

    porch_clip_info info;
    CHECK_OK(porch_clip_header_parse(&info, tc.bytes, tc.len));
    CHECK(strcmp(info.camera, "front") == 0);
    CHECK(info.n_wraps == 2); /* owner + member; not hub, not back-member */
    CHECK_OK(porch_clip_header_check_roster(tc.bytes, tc.len, h->roster));

    uint32_t n_records = 0, bad = 0;
    CHECK_OK(porch_clip_check_framing(tc.bytes, tc.len, &n_records, &bad));
    CHECK(n_records == 6); /* init + 4 media + final meta */

    const porch_device_secret *viewers[] = {h->owner, h->member};
    for (int v = 0; v < 2; v++) {
        c.n = c.bytes = 0;
        CHECK_OK(porch_clip_key_unwrap(&key, tc.bytes, tc.len, viewers[v]));
        CHECK_OK(porch_clip_open_all(key, tc.bytes, tc.len, collect_cb, &c, &bad));
        CHECK(c.n == 6);
        CHECK(c.kinds[0] == PORCH_RECORD_INIT && c.kinds[1] == PORCH_RECORD_MEDIA &&
              c.kinds[5] == PORCH_RECORD_META);
        CHECK(c.bytes == tc.plain_len && memcmp(c.concat, tc.plain, tc.plain_len) == 0);
        porch_clip_key_free(key);
        key = NULL;
    }
    CHECK_ERR(porch_clip_key_unwrap(&key, tc.bytes, tc.len, h->hub), PORCH_ERR_NOT_RECIPIENT);
    CHECK_ERR(porch_clip_key_unwrap(&key, tc.bytes, tc.len, h->back), PORCH_ERR_NOT_RECIPIENT);
    CHECK_ERR(porch_clip_key_unwrap(&key, tc.bytes, tc.len, h->outsider),
              PORCH_ERR_NOT_RECIPIENT);
    CHECK(key == NULL);
    free(c.concat);
    test_clip_free(&tc);
}

/* Any single record opens with only the header and the key. */
static void test_open_one(struct household *h)
{
    struct test_clip tc;
    porch_clip_key *key = NULL;
    porch_record_info info;
    const uint8_t *payload;
    size_t payload_len;

    test_clip_make(&tc, h, "front", 3, 5000);
    REQUIRE(porch_clip_key_unwrap(&key, tc.bytes, tc.len, h->member) == PORCH_OK);
    size_t off = tc.record_off[2];
    CHECK_OK(porch_clip_record_peek(tc.bytes + off, tc.len - off, &info));
    uint8_t *out = malloc(info.plain_len);
    REQUIRE(out);
    CHECK_OK(porch_clip_record_open(key, tc.bytes + off, tc.len - off, &info, out,
                                    info.plain_len, &payload, &payload_len));
    CHECK(info.index == 2 && info.kind == PORCH_RECORD_MEDIA && !info.final);
    CHECK(payload_len == tc.piece_len[2] &&
          memcmp(payload, tc.plain + tc.piece_off[2], payload_len) == 0);
    free(out);
    porch_clip_key_free(key);
    test_clip_free(&tc);
}

static void test_meta_roundtrip(struct household *h)
{
    struct test_clip tc;
    porch_clip_key *key = NULL;
    porch_clip_meta *m = NULL;

    test_clip_make(&tc, h, "front", 1, 100);
    REQUIRE(porch_clip_key_unwrap(&key, tc.bytes, tc.len, h->owner) == PORCH_OK);
    CHECK_OK(test_clip_meta(&tc, key, &m));
    REQUIRE(m);
    CHECK(m->end_us == tc.meta_end_us);
    CHECK(strcmp(m->reason, "person in zone porch for 2.0 s (score 0.91, track 7)") == 0);
    CHECK(m->n_labels == 2 && m->labels[1].cls == PORCH_CLASS_PERSON &&
          m->labels[1].track_id == 7);
    CHECK(m->thumbnail_len == 4 && m->thumbnail[0] == 0xFF && m->thumbnail[1] == 0xD8);
    porch_meta_free(m);
    porch_clip_key_free(key);
    test_clip_free(&tc);
}

/* The writer refuses after finish, and a hub outside the camera's scope
 * cannot start a clip. */
static void test_writer_rules(struct household *h)
{
    porch_clip_writer *w = NULL;
    const uint8_t *rec;
    size_t rec_len;
    uint8_t x = 1;

    CHECK_ERR(porch_clip_writer_new(&w, h->hub, h->roster, "garage", 0),
              PORCH_ERR_HUB_NOT_ALLOWED);
    CHECK_ERR(porch_clip_writer_new(&w, h->member, h->roster, "front", 0),
              PORCH_ERR_HUB_NOT_ALLOWED);
    CHECK_ERR(porch_clip_writer_new(&w, h->hub, h->roster, "Bad Camera", 0),
              PORCH_ERR_INVALID_ARG);
    REQUIRE(porch_clip_writer_new(&w, h->hub, h->roster, "back", 0) == PORCH_OK);
    CHECK_OK(porch_clip_writer_finish(w, &x, 1, &rec, &rec_len));
    CHECK_ERR(porch_clip_writer_append(w, PORCH_RECORD_MEDIA, &x, 1, &rec, &rec_len),
              PORCH_ERR_WRITER_STATE);
    CHECK(rec == NULL && rec_len == 0);
    CHECK_ERR(porch_clip_writer_finish(w, &x, 1, &rec, &rec_len), PORCH_ERR_WRITER_STATE);
    porch_clip_writer_free(w);
}

int main(void)
{
    struct household h;
    household_init(&h);
    test_roundtrip(&h);
    test_open_one(&h);
    test_meta_roundtrip(&h);
    test_writer_rules(&h);
    household_free(&h);
    return CHECK_DONE();
}
