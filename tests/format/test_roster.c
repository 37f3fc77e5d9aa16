/*
 * test_roster.c: the household roster accepts exactly the chains an owner's
 * admins could have written, and rejects forks, rollback, broken chains,
 * unsigned or wrongly signed entries, entries by non-admins and entries for
 * another household, each with its own error and the index of the entry.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "format/roster_internal.h"
#include "household.h"
#include "util/bytes.h"

static uint8_t *encode(const porch_roster *r, size_t *len)
{
    uint8_t *enc = NULL;
    REQUIRE(porch_roster_encode(r, &enc, len) == PORCH_OK);
    return enc;
}

static const uint8_t *owner_pin(struct household *h)
{
    return porch_device_public_of(h->owner)->sign_pk;
}

/* Loads bytes with the owner pin; returns the error, *bad the entry index. */
static int load(struct household *h, const uint8_t *b, size_t len, const porch_roster_head *seen,
                uint64_t *bad)
{
    porch_roster *r = NULL;
    int ret = porch_roster_load(&r, b, len, owner_pin(h), seen, bad);
    CHECK((ret == PORCH_OK) == (r != NULL));
    porch_roster_free(r);
    return ret;
}

/* The encoded roster plus one raw entry appended (count adjusted). */
static uint8_t *with_entry(const uint8_t *enc, size_t len, const struct roster_entry *e,
                           size_t *out_len)
{
    uint8_t *b = malloc(len + 2 + e->raw_len);
    REQUIRE(b);
    memcpy(b, enc, len);
    porch__store_u32(b + 12, porch__load_u32(b + 12) + 1);
    b[len] = (uint8_t)e->raw_len;
    b[len + 1] = (uint8_t)(e->raw_len >> 8);
    memcpy(b + len + 2, e->raw, e->raw_len);
    *out_len = len + 2 + e->raw_len;
    return b;
}

/* An ADD entry continuing r, signed by signer, adding dev as a member. */
static void craft_add(struct roster_entry *e, const porch_roster *r,
                      const porch_device_secret *signer, const porch_device_public *dev)
{
    porch_roster_head head;
    porch_roster_get_head(r, &head);
    memset(e, 0, sizeof *e);
    e->type = ENTRY_ADD;
    e->seq = head.seq + 1;
    memcpy(e->prev_hash, head.hash, sizeof e->prev_hash);
    memcpy(e->household, porch_roster_household(r), sizeof e->household);
    e->time = 5000;
    e->member.device = *dev;
    e->member.role = PORCH_ROLE_MEMBER;
    e->member.scope = test_scope(NULL, NULL);
    REQUIRE(porch__roster_entry_seal(e, signer) == PORCH_OK);
}

static void expect_crafted(struct household *h, const uint8_t *enc, size_t len,
                           struct roster_entry *e, int want, const char *what)
{
    size_t blen;
    uint64_t bad = 0;
    uint8_t *b = with_entry(enc, len, e, &blen);
    int got = load(h, b, blen, NULL, &bad);
    if (got != want)
        fprintf(stderr, "%s: got %s want %s\n", what, porch_errname(got), porch_errname(want));
    CHECK(got == want);
    CHECK(bad == e->seq);
    free(b);
    porch__roster_entry_clear(e);
}

static void test_load_roundtrip(struct household *h)
{
    size_t len;
    uint8_t *enc = encode(h->roster, &len);
    porch_roster *r = NULL;
    porch_roster_head head, head2;

    CHECK_OK(porch_roster_load(&r, enc, len, owner_pin(h), NULL, NULL));
    REQUIRE(r);
    CHECK(porch_roster_entry_count(r) == 4 && porch_roster_member_count(r) == 4);
    const porch_member *m = porch_roster_find(r, porch_device_public_of(h->member)->sign_pk);
    CHECK(m && m->role == PORCH_ROLE_MEMBER && porch_scope_covers(&m->scope, "front") &&
          !porch_scope_covers(&m->scope, "back"));
    CHECK(porch_roster_find(r, porch_device_public_of(h->outsider)->sign_pk) == NULL);
    porch_roster_get_head(h->roster, &head);
    porch_roster_get_head(r, &head2);
    CHECK(head.seq == 3 && memcmp(&head, &head2, sizeof head) == 0);
    CHECK(memcmp(porch_roster_household(r), porch_roster_household(h->roster), 16) == 0);
    porch_roster_free(r);

    uint8_t peeked[32];
    CHECK_OK(porch_roster_peek_owner(enc, len, peeked));
    CHECK(memcmp(peeked, owner_pin(h), 32) == 0);
    CHECK_ERR(porch_roster_peek_owner(enc, 20, peeked), PORCH_ERR_TRUNCATED);

    uint64_t bad = 0;
    CHECK_ERR(porch_roster_load(&r, enc, len, porch_device_public_of(h->member)->sign_pk, NULL,
                                &bad),
              PORCH_ERR_ROSTER_PIN);
    CHECK(bad == 0 && r == NULL);
    free(enc);
}

static void test_structure(struct household *h)
{
    size_t len;
    uint8_t *enc = encode(h->roster, &len), *b = malloc(len + 1);
    REQUIRE(b);
    uint64_t bad;

    memcpy(b, enc, len);
    b[0] ^= 1;
    CHECK_ERR(load(h, b, len, NULL, &bad), PORCH_ERR_BAD_MAGIC);
    CHECK(bad == UINT64_MAX);
    memcpy(b, enc, len);
    b[8] = 2;
    CHECK_ERR(load(h, b, len, NULL, &bad), PORCH_ERR_BAD_VERSION);
    memcpy(b, enc, len);
    porch__store_u32(b + 12, 0);
    CHECK_ERR(load(h, b, len, NULL, &bad), PORCH_ERR_MALFORMED);
    porch__store_u32(b + 12, PORCH_ROSTER_MAX_ENTRIES + 1);
    CHECK_ERR(load(h, b, len, NULL, &bad), PORCH_ERR_TOO_LARGE);
    memcpy(b, enc, len);
    b[len] = 0;
    CHECK_ERR(load(h, b, len + 1, NULL, &bad), PORCH_ERR_TRAILING_DATA);
    for (size_t cut = 0; cut < len; cut += 37)
        CHECK_ERR(load(h, enc, cut, NULL, &bad), PORCH_ERR_TRUNCATED);
    /* Every byte of every entry after the length prefix is covered. */
    for (size_t i = 16; i < len; i++) {
        memcpy(b, enc, len);
        b[i] ^= 0x40;
        CHECK(load(h, b, len, NULL, &bad) != PORCH_OK);
    }
    free(b);
    free(enc);
}

static void test_signatures_and_chain(struct household *h)
{
    size_t len;
    uint8_t *enc = encode(h->roster, &len);
    struct roster_entry e;
    uint64_t bad;

    /* Last entry's signature, then a body byte of the last entry. */
    enc[len - 1] ^= 1;
    CHECK_ERR(load(h, enc, len, NULL, &bad), PORCH_ERR_ROSTER_SIGNATURE);
    CHECK(bad == 3);
    enc[len - 1] ^= 1;
    enc[len - 64 - 10] ^= 1;
    CHECK_ERR(load(h, enc, len, NULL, &bad), PORCH_ERR_ROSTER_SIGNATURE);
    enc[len - 64 - 10] ^= 1;

    craft_add(&e, h->roster, h->member, porch_device_public_of(h->outsider));
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_NOT_ADMIN, "member signs");
    craft_add(&e, h->roster, h->hub, porch_device_public_of(h->outsider));
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_NOT_ADMIN, "hub signs");
    craft_add(&e, h->roster, h->outsider, porch_device_public_of(h->outsider));
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_NOT_ADMIN, "outsider signs");

    craft_add(&e, h->roster, h->owner, porch_device_public_of(h->outsider));
    e.raw[e.raw_len - 1] ^= 1; /* an unsigned (garbage-signed) entry */
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_SIGNATURE, "bad signature");

    craft_add(&e, h->roster, h->owner, porch_device_public_of(h->outsider));
    e.prev_hash[0] ^= 1;
    REQUIRE(porch__roster_entry_seal(&e, h->owner) == PORCH_OK);
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_CHAIN, "wrong prev_hash");

    craft_add(&e, h->roster, h->owner, porch_device_public_of(h->outsider));
    e.seq++;
    REQUIRE(porch__roster_entry_seal(&e, h->owner) == PORCH_OK);
    e.seq--; /* expect_crafted checks bad == position */
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_CHAIN, "wrong seq");

    craft_add(&e, h->roster, h->owner, porch_device_public_of(h->outsider));
    e.household[0] ^= 1;
    REQUIRE(porch__roster_entry_seal(&e, h->owner) == PORCH_OK);
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_HOUSEHOLD, "other household");

    craft_add(&e, h->roster, h->owner, porch_device_public_of(h->member));
    expect_crafted(h, enc, len, &e, PORCH_ERR_ROSTER_DUPLICATE, "member added twice");
    free(enc);
}

static porch_roster *copy_roster(struct household *h, const porch_roster *r)
{
    size_t len;
    uint8_t *enc = encode(r, &len);
    porch_roster *c = NULL;
    REQUIRE(porch_roster_load(&c, enc, len, owner_pin(h), NULL, NULL) == PORCH_OK);
    free(enc);
    return c;
}

static void test_rollback_and_fork(struct household *h)
{
    porch_roster *a = copy_roster(h, h->roster), *b = copy_roster(h, h->roster);
    porch_scope all = test_scope(NULL, NULL);
    porch_device_secret *x = test_device("x", 40), *y = test_device("y", 41);
    porch_roster_head seen_old, seen_a;
    size_t len_old, len_a, len_b;

    porch_roster_get_head(h->roster, &seen_old);
    REQUIRE(porch_roster_add(a, h->owner, porch_device_public_of(x), PORCH_ROLE_MEMBER, &all,
                             3000) == PORCH_OK);
    REQUIRE(porch_roster_add(b, h->owner, porch_device_public_of(y), PORCH_ROLE_MEMBER, &all,
                             3000) == PORCH_OK);
    porch_roster_get_head(a, &seen_a);
    uint8_t *old = encode(h->roster, &len_old), *ea = encode(a, &len_a), *eb = encode(b, &len_b);

    CHECK_OK(load(h, ea, len_a, &seen_old, NULL));   /* extends what we saw */
    CHECK_OK(load(h, ea, len_a, &seen_a, NULL));     /* the same head */
    CHECK_ERR(load(h, old, len_old, &seen_a, NULL), PORCH_ERR_ROSTER_ROLLBACK);
    CHECK_ERR(load(h, eb, len_b, &seen_a, NULL), PORCH_ERR_ROSTER_FORK);
    free(old);
    free(ea);
    free(eb);
    porch_roster_free(a);
    porch_roster_free(b);
    porch_device_free(x);
    porch_device_free(y);
}

static void test_membership_rules(struct household *h)
{
    porch_roster *r = copy_roster(h, h->roster);
    porch_scope all = test_scope(NULL, NULL);
    porch_device_secret *admin2 = test_device("admin2", 50), *newkeys = test_device("new", 51);
    const uint8_t *owner_pk = owner_pin(h), *member_pk;
    porch_roster_head before, after;

    member_pk = porch_device_public_of(h->member)->sign_pk;
    porch_roster_get_head(r, &before);
    CHECK_ERR(porch_roster_remove(r, h->owner, owner_pk, 10), PORCH_ERR_ROSTER_LAST_ADMIN);
    CHECK_ERR(porch_roster_remove(r, h->owner, porch_device_public_of(h->outsider)->sign_pk, 10),
              PORCH_ERR_ROSTER_UNKNOWN_DEVICE);
    CHECK_ERR(porch_roster_add(r, h->member, porch_device_public_of(h->outsider),
                               PORCH_ROLE_MEMBER, &all, 10),
              PORCH_ERR_ROSTER_NOT_ADMIN);
    porch_roster_get_head(r, &after);
    CHECK(memcmp(&before, &after, sizeof before) == 0); /* failures change nothing */

    /* A second admin may remove the first; the removed admin then signs nothing. */
    CHECK_OK(porch_roster_add(r, h->owner, porch_device_public_of(admin2), PORCH_ROLE_ADMIN,
                              &all, 11));
    CHECK_OK(porch_roster_remove(r, admin2, owner_pk, 12));
    CHECK_ERR(porch_roster_remove(r, h->owner, member_pk, 13), PORCH_ERR_ROSTER_NOT_ADMIN);

    /* Rotation keeps role and scope under new keys. */
    CHECK_OK(porch_roster_rotate(r, admin2, member_pk, porch_device_public_of(newkeys), 14));
    CHECK(porch_roster_find(r, member_pk) == NULL);
    const porch_member *m = porch_roster_find(r, porch_device_public_of(newkeys)->sign_pk);
    CHECK(m && m->role == PORCH_ROLE_MEMBER && porch_scope_covers(&m->scope, "front"));
    CHECK_ERR(porch_roster_rotate(r, admin2, porch_device_public_of(newkeys)->sign_pk,
                                  porch_device_public_of(h->hub), 15),
              PORCH_ERR_ROSTER_DUPLICATE);

    /* The whole history still verifies from the original pin. */
    porch_roster *c = copy_roster(h, r);
    CHECK(porch_roster_entry_count(c) == porch_roster_entry_count(r));
    porch_roster_free(c);

    /* Questions about the past: as of entry 3 the member could view "front". */
    porch_device_public viewers[8];
    size_t n = 0;
    CHECK_OK(porch_roster_viewers_at(r, 3, "front", viewers, 8, &n));
    CHECK(n == 2 && porch_public_same_keys(&viewers[1], porch_device_public_of(h->member)));
    CHECK_OK(porch_roster_viewers_at(r, porch_roster_entry_count(r) - 1, "front", viewers, 8,
                                     &n));
    CHECK(n == 2); /* admin2 and the rotated member; the owner is gone */
    CHECK_ERR(porch_roster_viewers_at(r, 3, "front", viewers, 1, &n), PORCH_ERR_TOO_LARGE);
    CHECK_OK(porch_roster_check_hub_at(r, 3, porch_device_public_of(h->hub)->sign_pk, "back"));
    CHECK_ERR(porch_roster_check_hub_at(r, 1, porch_device_public_of(h->hub)->sign_pk, "back"),
              PORCH_ERR_HUB_NOT_ALLOWED);
    CHECK_ERR(porch_roster_check_hub_at(r, 99, owner_pk, "back"), PORCH_ERR_ROSTER_UNKNOWN_HEAD);
    porch_roster_free(r);
    porch_device_free(admin2);
    porch_device_free(newkeys);
}

static void test_names(void)
{
    porch_role role;
    CHECK(porch_camera_id_valid("front-door_2.cam"));
    CHECK(!porch_camera_id_valid("") && !porch_camera_id_valid("Front") &&
          !porch_camera_id_valid("a/b") && !porch_camera_id_valid("a b"));
    CHECK_OK(porch_role_parse("hub", &role));
    CHECK(role == PORCH_ROLE_HUB && strcmp(porch_role_name(role), "hub") == 0);
    CHECK_ERR(porch_role_parse("root", &role), PORCH_ERR_INVALID_ARG);
}

int main(void)
{
    struct household h;
    household_init(&h);
    test_load_roundtrip(&h);
    test_structure(&h);
    test_signatures_and_chain(&h);
    test_rollback_and_fork(&h);
    test_membership_rules(&h);
    test_names();
    household_free(&h);
    return CHECK_DONE();
}
