/*
 * test_server_authz.c: the authorization policy (server/authz.c), cell by
 * cell, from the test household's verified roster.
 */
#include "check.h"
#include "household.h"
#include "server/authz.h"

int main(void)
{
    struct household h;
    const porch_member *owner, *member, *hub, *back;

    REQUIRE(porch_init() == PORCH_OK);
    household_init(&h);
    owner = porch_roster_find(h.roster, porch_device_public_of(h.owner)->sign_pk);
    member = porch_roster_find(h.roster, porch_device_public_of(h.member)->sign_pk);
    hub = porch_roster_find(h.roster, porch_device_public_of(h.hub)->sign_pk);
    back = porch_roster_find(h.roster, porch_device_public_of(h.back)->sign_pk);
    REQUIRE(owner && member && hub && back);
    CHECK(!porch_roster_find(h.roster, porch_device_public_of(h.outsider)->sign_pk));

    /* not a member: nothing */
    for (int a = PORCH_AUTHZ_ROSTER_READ; a <= PORCH_AUTHZ_SHARE_READ; a++)
        CHECK(!porch_authz_allows(NULL, (porch_authz_action)a, "front"));
    /* roster */
    CHECK(porch_authz_allows(hub, PORCH_AUTHZ_ROSTER_READ, NULL));
    CHECK(porch_authz_allows(member, PORCH_AUTHZ_ROSTER_READ, NULL));
    CHECK(porch_authz_allows(owner, PORCH_AUTHZ_ROSTER_WRITE, NULL));
    CHECK(!porch_authz_allows(member, PORCH_AUTHZ_ROSTER_WRITE, NULL));
    CHECK(!porch_authz_allows(hub, PORCH_AUTHZ_ROSTER_WRITE, NULL));
    /* upload and notices: hubs in scope only; an admin is no hub */
    CHECK(porch_authz_allows(hub, PORCH_AUTHZ_CLIP_UPLOAD, "front"));
    CHECK(porch_authz_allows(hub, PORCH_AUTHZ_NOTICE_POST, "back"));
    CHECK(!porch_authz_allows(hub, PORCH_AUTHZ_CLIP_UPLOAD, "garage"));
    CHECK(!porch_authz_allows(owner, PORCH_AUTHZ_CLIP_UPLOAD, "front"));
    CHECK(!porch_authz_role_may(member, PORCH_AUTHZ_CLIP_UPLOAD));
    /* reading: admin everything, members their cameras, hubs nothing */
    CHECK(porch_authz_allows(owner, PORCH_AUTHZ_CLIP_READ, "garage"));
    CHECK(porch_authz_allows(member, PORCH_AUTHZ_CLIP_READ, "front"));
    CHECK(!porch_authz_allows(member, PORCH_AUTHZ_CLIP_READ, "back"));
    CHECK(porch_authz_role_may(member, PORCH_AUTHZ_CLIP_READ));   /* -> 404, not 403 */
    CHECK(porch_authz_allows(back, PORCH_AUTHZ_NOTICE_READ, "back"));
    CHECK(!porch_authz_allows(back, PORCH_AUTHZ_NOTICE_READ, "front"));
    CHECK(!porch_authz_role_may(hub, PORCH_AUTHZ_CLIP_READ));
    CHECK(!porch_authz_role_may(hub, PORCH_AUTHZ_CLIP_LIST));
    CHECK(!porch_authz_role_may(hub, PORCH_AUTHZ_LOG_READ));
    CHECK(porch_authz_allows(member, PORCH_AUTHZ_LOG_READ, NULL));
    CHECK(!porch_authz_allows(member, PORCH_AUTHZ_CLIP_READ, NULL));   /* no camera: no */
    /* deletion and grants: admins */
    CHECK(porch_authz_allows(owner, PORCH_AUTHZ_CLIP_DELETE, "front"));
    CHECK(!porch_authz_role_may(member, PORCH_AUTHZ_CLIP_DELETE));
    CHECK(porch_authz_allows(owner, PORCH_AUTHZ_GRANT_WRITE, NULL));
    CHECK(!porch_authz_allows(member, PORCH_AUTHZ_GRANT_READ, NULL));
    CHECK(!porch_authz_role_may(owner, PORCH_AUTHZ_SHARE_READ));
    household_free(&h);
    return CHECK_DONE();
}
