/*
 * test_grant.c: support grants. A grant made by an admin parses, verifies and
 * passes the roster check; its scope covers exactly the clips it names (by
 * camera and time, or by id); every flipped byte and every cut is rejected;
 * the roster rules (granter admin, support device) and time rules hold.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "format/grant_internal.h"
#include "household.h"
#include "porchlight/grant.h"

static porch_roster *roster_plus_support(struct household *h, const porch_device_secret *sup)
{
    porch_scope none = {0};
    uint8_t *enc;
    size_t len;
    porch_roster *r = NULL;
    REQUIRE(porch_roster_encode(h->roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_roster_load(&r, enc, len, porch_roster_owner(h->roster), NULL, NULL) ==
            PORCH_OK);
    free(enc);
    REQUIRE(porch_roster_add(r, h->owner, porch_device_public_of(sup), PORCH_ROLE_SUPPORT,
                             &none, 9000) == PORCH_OK);
    return r;
}

static porch_grant *base_grant(const porch_roster *r, const porch_device_secret *sup)
{
    porch_grant *g = calloc(1, sizeof *g);
    REQUIRE(g);
    memcpy(g->household, porch_roster_household(r), 16);
    memcpy(g->support_sign_pk, porch_device_public_of(sup)->sign_pk, 32);
    memcpy(g->support_box_pk, porch_device_public_of(sup)->box_pk, 32);
    g->created_us = 1000;
    g->expires_us = 5000;
    g->n_cameras = 2;
    strcpy(g->cameras[0], "front");
    strcpy(g->cameras[1], "back");
    g->from_us = 100;
    g->to_us = 200;
    g->n_clips = 2;
    memset(g->clip_ids[0], 0x77, 16);
    memset(g->clip_ids[1], 0x11, 16);
    return g;
}

static porch_clip_info clip_at(const porch_roster *r, const char *camera, uint64_t t, int idb)
{
    porch_clip_info ci;
    memset(&ci, 0, sizeof ci);
    memcpy(ci.household, porch_roster_household(r), 16);
    strcpy(ci.camera, camera);
    ci.start_us = t;
    memset(ci.clip_id, idb, 16);
    return ci;
}

static void test_roundtrip_and_scope(struct household *h, const porch_roster *r,
                                     const porch_device_secret *sup)
{
    porch_grant *g = base_grant(r, sup), *p = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;

    CHECK_OK(porch_grant_create(g, h->owner, &enc, &len));
    CHECK_OK(porch_grant_parse(&p, enc, len));
    REQUIRE(p);
    CHECK(memcmp(p->grant_id, g->grant_id, 16) == 0);
    CHECK(strcmp(p->cameras[0], "back") == 0 && strcmp(p->cameras[1], "front") == 0);
    CHECK(p->clip_ids[0][0] == 0x11 && p->clip_ids[1][0] == 0x77);
    CHECK_OK(porch_grant_check_roster(p, r));
    CHECK_ERR(porch_grant_check_roster(p, h->roster), PORCH_ERR_GRANT_NOT_SUPPORT);
    CHECK_OK(porch_grant_check_time(p, 1000));
    CHECK_ERR(porch_grant_check_time(p, 999), PORCH_ERR_GRANT_EXPIRED);
    CHECK_ERR(porch_grant_check_time(p, 5000), PORCH_ERR_GRANT_EXPIRED);

    porch_clip_info in = clip_at(r, "front", 150, 0x33), early = clip_at(r, "front", 99, 0x33),
                    late = clip_at(r, "back", 200, 0x33), other = clip_at(r, "side", 150, 0x33),
                    by_id = clip_at(r, "side", 9999, 0x77), edge = clip_at(r, "back", 100, 1);
    CHECK(porch_grant_covers(p, &in) == 1);
    CHECK(porch_grant_covers(p, &edge) == 1);
    CHECK(porch_grant_covers(p, &early) == 0);
    CHECK(porch_grant_covers(p, &late) == 0);
    CHECK(porch_grant_covers(p, &other) == 0);
    CHECK(porch_grant_covers(p, &by_id) == 1);
    by_id.household[0] ^= 1;
    CHECK(porch_grant_covers(p, &by_id) == 0);

    /* Shares: granter, recipient, expiry. */
    porch_clip_share_info si;
    memset(&si, 0, sizeof si);
    memcpy(si.household, p->household, 16);
    memcpy(si.granter_sign_pk, p->granter_sign_pk, 32);
    memcpy(si.recipient_box_pk, p->support_box_pk, 32);
    si.expires_us = 5000;
    CHECK_OK(porch_grant_check_share(p, &si));
    si.expires_us = 5001;
    CHECK_ERR(porch_grant_check_share(p, &si), PORCH_ERR_SHARE_MISMATCH);
    si.expires_us = 0;
    CHECK_ERR(porch_grant_check_share(p, &si), PORCH_ERR_SHARE_MISMATCH);
    si.expires_us = 4000;
    si.recipient_box_pk[3] ^= 1;
    CHECK_ERR(porch_grant_check_share(p, &si), PORCH_ERR_SHARE_MISMATCH);
    porch_grant_free(p);
    free(enc);
    free(g);
}

/* Every single-bit flip of every byte, and every cut, is rejected. */
static void test_tamper(struct household *h, const porch_roster *r,
                        const porch_device_secret *sup)
{
    porch_grant *g = base_grant(r, sup), *p = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;
    int accepted = 0;

    REQUIRE(porch_grant_create(g, h->owner, &enc, &len) == PORCH_OK);
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            enc[i] ^= (uint8_t)(1u << bit);
            if (porch_grant_parse(&p, enc, len) == PORCH_OK) {
                accepted++;
                fprintf(stderr, "flip of byte %zu bit %d accepted\n", i, bit);
                porch_grant_free(p);
            }
            CHECK(p == NULL || accepted);
            p = NULL;
            enc[i] ^= (uint8_t)(1u << bit);
        }
    for (size_t cut = 0; cut < len; cut++)
        if (porch_grant_parse(&p, enc, cut) == PORCH_OK) {
            accepted++;
            porch_grant_free(p);
        }
    uint8_t *longer = malloc(len + 1);
    REQUIRE(longer);
    memcpy(longer, enc, len);
    longer[len] = 0;
    CHECK_ERR(porch_grant_parse(&p, longer, len + 1), PORCH_ERR_TRAILING_DATA);
    CHECK(accepted == 0);
    free(longer);
    free(enc);
    free(g);
}

static void test_rules(struct household *h, const porch_roster *r,
                       const porch_device_secret *sup)
{
    porch_grant *g = base_grant(r, sup), *p = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;

    /* A member cannot grant; a grant for the member is not a support grant. */
    REQUIRE(porch_grant_create(g, h->member, &enc, &len) == PORCH_OK);
    REQUIRE(porch_grant_parse(&p, enc, len) == PORCH_OK);
    CHECK_ERR(porch_grant_check_roster(p, r), PORCH_ERR_GRANTER_NOT_ADMIN);
    porch_grant_free(p);
    free(enc);
    memcpy(g->support_sign_pk, porch_device_public_of(h->member)->sign_pk, 32);
    REQUIRE(porch_grant_create(g, h->owner, &enc, &len) == PORCH_OK);
    REQUIRE(porch_grant_parse(&p, enc, len) == PORCH_OK);
    CHECK_ERR(porch_grant_check_roster(p, r), PORCH_ERR_GRANT_NOT_SUPPORT);
    porch_grant_free(p);
    free(enc);
    memcpy(g->support_sign_pk, porch_device_public_of(sup)->sign_pk, 32);
    g->support_box_pk[0] ^= 1; /* sign key of the support device, box key of nobody */
    REQUIRE(porch_grant_create(g, h->owner, &enc, &len) == PORCH_OK);
    REQUIRE(porch_grant_parse(&p, enc, len) == PORCH_OK);
    CHECK_ERR(porch_grant_check_roster(p, r), PORCH_ERR_GRANT_NOT_SUPPORT);
    porch_grant_free(p);
    free(enc);
    g->support_box_pk[0] ^= 1;

    /* Encoder refuses what a parser would refuse. */
    memcpy(g->clip_ids[1], g->clip_ids[0], 16);
    CHECK_ERR(porch_grant_create(g, h->owner, &enc, &len), PORCH_ERR_INVALID_ARG);
    g->n_clips = 0;
    g->from_us = 300;
    CHECK_ERR(porch_grant_create(g, h->owner, &enc, &len), PORCH_ERR_MALFORMED);
    g->from_us = 100;
    g->expires_us = g->created_us;
    CHECK_ERR(porch_grant_create(g, h->owner, &enc, &len), PORCH_ERR_MALFORMED);
    g->expires_us = 5000;
    g->n_cameras = 0;
    CHECK_ERR(porch_grant_create(g, h->owner, &enc, &len), PORCH_ERR_MALFORMED);
    g->n_cameras = 33;
    CHECK_ERR(porch_grant_create(g, h->owner, &enc, &len), PORCH_ERR_TOO_LARGE);
    CHECK(enc == NULL && len == 0);

    /* The largest grant round-trips. */
    free(g);
    g = base_grant(r, sup);
    g->n_clips = PORCH_GRANT_MAX_CLIPS;
    g->n_cameras = PORCH_GRANT_MAX_CAMERAS;
    for (uint32_t i = 0; i < g->n_cameras; i++)
    {
        memset(g->cameras[i], 'c', PORCH_CAMERA_ID_MAX);
        g->cameras[i][PORCH_CAMERA_ID_MAX] = '\0';
        g->cameras[i][0] = (char)('a' + i % 26);
        g->cameras[i][1] = (char)('a' + i / 26);
    }
    for (uint32_t i = 0; i < g->n_clips; i++) {
        memset(g->clip_ids[i], 0, 16);
        g->clip_ids[i][0] = (uint8_t)(i >> 8);
        g->clip_ids[i][1] = (uint8_t)i;
    }
    CHECK_OK(porch_grant_create(g, h->owner, &enc, &len));
    CHECK(len == PORCH_GRANT_MAX_BYTES);
    CHECK_OK(porch_grant_parse(&p, enc, len));
    porch_grant_free(p);
    CHECK_ERR(porch_grant_parse(&p, enc, PORCH_GRANT_MAX_BYTES + 1), PORCH_ERR_TOO_LARGE);
    porch_grant_free(p);
    free(enc);
    free(g);
}

int main(void)
{
    struct household h;
    REQUIRE(porch_init() == PORCH_OK);
    household_init(&h);
    porch_device_secret *sup = test_device("support-agent", 70);
    porch_roster *r = roster_plus_support(&h, sup);
    test_roundtrip_and_scope(&h, r, sup);
    test_tamper(&h, r, sup);
    test_rules(&h, r, sup);
    porch_roster_free(r);
    porch_device_free(sup);
    household_free(&h);
    return CHECK_DONE();
}
