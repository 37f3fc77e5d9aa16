/*
 * test_notice.c: sealed notices. The hub seals a notice naming an event
 * clip; each viewer of the camera opens it and reads the reference, reason
 * and labels; nobody else can; the hub cannot; every flipped byte and every
 * cut is rejected; a normal clip is not a notice.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "household.h"
#include "porchlight/notice.h"
#include "testclip.h"

static const uint8_t event_clip[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void seal(struct household *h, uint8_t **n, size_t *len)
{
    static porch_label label = {250, PORCH_CLASS_PERSON, 60000, 1, 2, 3, 4, 9};
    porch_clip_meta m;
    memset(&m, 0, sizeof m);
    strcpy(m.reason, "person at the door");
    m.n_labels = 1;
    m.labels = &label;
    m.has_clip_ref = 1;
    memset(m.clip_ref, 0xee, 16); /* ignored: event_clip wins */
    REQUIRE(porch_notice_seal(n, len, h->hub, h->roster, "front", 1234567, event_clip, &m) ==
            PORCH_OK);
}

static void test_open(struct household *h, const uint8_t *n, size_t len)
{
    porch_clip_meta *m = NULL;
    porch_clip_info info;

    CHECK(len <= PORCH_NOTICE_MAX_BYTES);
    CHECK_OK(porch_notice_open(&m, &info, n, len, h->owner, h->roster));
    REQUIRE(m);
    CHECK(m->has_clip_ref && memcmp(m->clip_ref, event_clip, 16) == 0);
    CHECK(strcmp(m->reason, "person at the door") == 0);
    CHECK(m->n_labels == 1 && m->labels[0].track_id == 9);
    CHECK(info.start_us == 1234567 && strcmp(info.camera, "front") == 0);
    porch_meta_free(m);
    CHECK_OK(porch_notice_open(&m, NULL, n, len, h->member, NULL));
    porch_meta_free(m);
    CHECK_ERR(porch_notice_open(&m, NULL, n, len, h->back, h->roster), PORCH_ERR_NOT_RECIPIENT);
    CHECK_ERR(porch_notice_open(&m, NULL, n, len, h->hub, h->roster), PORCH_ERR_NOT_RECIPIENT);
    CHECK_ERR(porch_notice_open(&m, NULL, n, len, h->outsider, NULL), PORCH_ERR_NOT_RECIPIENT);
    CHECK(m == NULL);
}

static void test_tamper(struct household *h, uint8_t *n, size_t len)
{
    porch_clip_meta *m = NULL;
    size_t accepted = 0;

    for (size_t i = 0; i < len; i++) {
        n[i] ^= 0x01;
        if (porch_notice_open(&m, NULL, n, len, h->owner, h->roster) == PORCH_OK) {
            fprintf(stderr, "flip of byte %zu accepted\n", i);
            accepted++;
            porch_meta_free(m);
        }
        n[i] ^= 0x01;
    }
    for (size_t cut = 0; cut < len; cut += 7)
        if (porch_notice_open(&m, NULL, n, cut, h->owner, h->roster) == PORCH_OK) {
            accepted++;
            porch_meta_free(m);
        }
    CHECK(accepted == 0);
}

static void test_not_a_notice(struct household *h)
{
    struct test_clip tc;
    porch_clip_meta *m = NULL;
    uint8_t *n = NULL;
    size_t len = 0;

    test_clip_make(&tc, h, "front", 1, 100);
    CHECK_ERR(porch_notice_open(&m, NULL, tc.bytes, tc.len, h->owner, h->roster),
              PORCH_ERR_MALFORMED);
    test_clip_free(&tc);
    /* A notice whose metadata is too large for the server's cap. */
    porch_clip_meta big;
    static uint8_t thumb[PORCH_NOTICE_MAX_BYTES];
    memset(&big, 0, sizeof big);
    thumb[0] = 0xFF;
    thumb[1] = 0xD8;
    big.thumbnail = thumb;
    big.thumbnail_len = sizeof thumb;
    CHECK_ERR(porch_notice_seal(&n, &len, h->hub, h->roster, "front", 1, event_clip, &big),
              PORCH_ERR_TOO_LARGE);
    CHECK(n == NULL && len == 0);
    CHECK_ERR(porch_notice_seal(&n, &len, h->member, h->roster, "front", 1, event_clip, NULL),
              PORCH_ERR_HUB_NOT_ALLOWED);
    CHECK_OK(porch_notice_seal(&n, &len, h->hub, h->roster, "back", 1, event_clip, NULL));
    CHECK_OK(porch_notice_open(&m, NULL, n, len, h->back, h->roster));
    CHECK(m && m->has_clip_ref && m->reason[0] == '\0');
    porch_meta_free(m);
    free(n);
}

int main(void)
{
    struct household h;
    uint8_t *n = NULL;
    size_t len = 0;

    REQUIRE(porch_init() == PORCH_OK);
    household_init(&h);
    seal(&h, &n, &len);
    test_open(&h, n, len);
    test_tamper(&h, n, len);
    test_not_a_notice(&h);
    free(n);
    household_free(&h);
    return CHECK_DONE();
}
