/*
 * test_clip_share.c: sharing a past clip with a device the hub did not wrap
 * it for, with no hub and no server key: the share opens exactly that clip
 * for exactly that device until it expires, and cannot change the content.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "format/clip_internal.h"
#include "household.h"
#include "testclip.h"

static int count_records(void *ctx, const porch_record_info *info, const uint8_t *p, size_t n)
{
    (void)info, (void)p, (void)n;
    (*(int *)ctx)++;
    return 0;
}

static porch_roster *roster_with(struct household *h, const porch_device_secret *late,
                                 porch_role role)
{
    uint8_t *enc;
    size_t len;
    porch_roster *r = NULL;
    porch_scope all = test_scope(NULL, NULL);
    REQUIRE(porch_roster_encode(h->roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_roster_load(&r, enc, len, porch_roster_owner(h->roster), NULL, NULL) ==
            PORCH_OK);
    free(enc);
    REQUIRE(porch_roster_add(r, h->owner, porch_device_public_of(late), role, &all, 9000) ==
            PORCH_OK);
    return r;
}

static void test_share_opens(struct household *h, const struct test_clip *a,
                             const struct test_clip *b)
{
    porch_device_secret *late = test_device("late-member", 60);
    porch_roster *r2 = roster_with(h, late, PORCH_ROLE_MEMBER);
    uint8_t share[PORCH_CLIP_SHARE_BYTES];
    porch_clip_key *key = NULL;
    porch_clip_share_info si;
    int n = 0;

    CHECK_ERR(porch_clip_key_unwrap(&key, a->bytes, a->len, late), PORCH_ERR_NOT_RECIPIENT);
    CHECK_OK(porch_clip_share_create(share, a->bytes, a->len, h->owner,
                                     porch_device_public_of(late), 0));
    CHECK_OK(porch_clip_share_parse(&si, share, sizeof share));
    CHECK(memcmp(si.granter_sign_pk, porch_device_public_of(h->owner)->sign_pk, 32) == 0);
    CHECK_OK(porch_clip_share_check_roster(share, sizeof share, r2));
    CHECK_ERR(porch_clip_share_check_roster(share, sizeof share, h->roster),
              PORCH_ERR_SHARE_MISMATCH); /* the old roster does not know the recipient */
    CHECK_OK(porch_clip_key_from_share(&key, a->bytes, a->len, share, sizeof share, late, 1));
    REQUIRE(key);
    CHECK_OK(porch_clip_open_all(key, a->bytes, a->len, count_records, &n, NULL));
    CHECK(n == (int)a->n_records);
    porch_clip_key_free(key);
    key = NULL;

    CHECK_ERR(porch_clip_key_from_share(&key, a->bytes, a->len, share, sizeof share, h->member,
                                        1),
              PORCH_ERR_SHARE_MISMATCH);
    CHECK_ERR(porch_clip_key_from_share(&key, b->bytes, b->len, share, sizeof share, late, 1),
              PORCH_ERR_SHARE_MISMATCH);
    CHECK_ERR(porch_clip_key_from_share(&key, a->bytes, a->len, share, sizeof share - 1, late,
                                        1),
              PORCH_ERR_TRUNCATED);
    /* The prefix is judged before the length: a short non-share is BAD_MAGIC. */
    CHECK_ERR(porch_clip_share_parse(&si, a->bytes, 100), PORCH_ERR_BAD_MAGIC);
    CHECK(key == NULL);

    /* Expiry, and a granter who cannot open the clip. */
    CHECK_OK(porch_clip_share_create(share, a->bytes, a->len, h->member,
                                     porch_device_public_of(late), 1000));
    CHECK_OK(porch_clip_key_from_share(&key, a->bytes, a->len, share, sizeof share, late, 1000));
    porch_clip_key_free(key);
    key = NULL;
    CHECK_ERR(porch_clip_key_from_share(&key, a->bytes, a->len, share, sizeof share, late, 1001),
              PORCH_ERR_SHARE_EXPIRED);
    CHECK_ERR(porch_clip_share_check_roster(share, sizeof share, r2),
              PORCH_ERR_GRANTER_NOT_ADMIN); /* members may open, only admins grant */
    CHECK_ERR(porch_clip_share_create(share, a->bytes, a->len, h->back,
                                      porch_device_public_of(late), 0),
              PORCH_ERR_NOT_RECIPIENT);
    porch_roster_free(r2);
    porch_device_free(late);
}

static void test_share_tamper(struct household *h, const struct test_clip *a)
{
    porch_device_secret *late = test_device("late-member", 61);
    uint8_t share[PORCH_CLIP_SHARE_BYTES], bad[PORCH_CLIP_SHARE_BYTES];
    porch_clip_key *key = NULL;

    REQUIRE(porch_clip_share_create(share, a->bytes, a->len, h->owner,
                                    porch_device_public_of(late), 0) == PORCH_OK);
    for (size_t i = 0; i < sizeof share; i++) {
        memcpy(bad, share, sizeof bad);
        bad[i] ^= 1;
        int want = i < 8 ? PORCH_ERR_BAD_MAGIC : i < 10 ? PORCH_ERR_BAD_VERSION
                 : i < 12 ? PORCH_ERR_MALFORMED : PORCH_ERR_SHARE_SIGNATURE;
        int got = porch_clip_key_from_share(&key, a->bytes, a->len, bad, sizeof bad, late, 1);
        if (got != want)
            fprintf(stderr, "share byte %zu: got %s\n", i, porch_errname(got));
        CHECK(got == want);
    }
    porch_device_free(late);
}

/* An admin who re-wraps some other key, validly signed: the commitment catches it. */
static void test_share_other_key(struct household *h, const struct test_clip *a)
{
    porch_device_secret *late = test_device("late-member", 62);
    uint8_t share[PORCH_CLIP_SHARE_BYTES], other_key[32];
    porch_clip_share_info si;
    porch_clip_info info;
    porch_clip_key *key = NULL;

    REQUIRE(porch_clip_header_parse(&info, a->bytes, a->len) == PORCH_OK);
    memset(&si, 0, sizeof si);
    memcpy(si.household, info.household, 16);
    memcpy(si.clip_id, info.clip_id, 16);
    memcpy(si.header_hash, info.header_hash, 32);
    memcpy(si.granter_sign_pk, porch_device_public_of(h->owner)->sign_pk, 32);
    memcpy(si.recipient_box_pk, porch_device_public_of(late)->box_pk, 32);
    memset(other_key, 0x5a, sizeof other_key);
    REQUIRE(porch__clip_share_seal(share, &si, other_key, h->owner) == PORCH_OK);
    CHECK_OK(porch_clip_share_parse(&si, share, sizeof share));
    CHECK_ERR(porch_clip_key_from_share(&key, a->bytes, a->len, share, sizeof share, late, 1),
              PORCH_ERR_KEY_COMMITMENT);
    porch_device_free(late);
}

int main(void)
{
    struct household h;
    struct test_clip a, b;

    household_init(&h);
    test_clip_make(&a, &h, "front", 2, 400);
    test_clip_make(&b, &h, "front", 2, 400);
    test_share_opens(&h, &a, &b);
    test_share_tamper(&h, &a);
    test_share_other_key(&h, &a);
    test_clip_free(&a);
    test_clip_free(&b);
    household_free(&h);
    return CHECK_DONE();
}
