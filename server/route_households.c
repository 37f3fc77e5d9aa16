/*
 * route_households.c: household creation and the roster. The server never
 * writes a roster of its own: it stores the bytes an admin signed, after
 * verifying them from the owner key pinned at creation.
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/srv.h"
#include "util/hex.h"

int porch_srv_route_hh_create(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t owner[PORCH_SIGN_PK_BYTES];
    porch_roster *roster = NULL;
    porch_roster_head head;
    char hex[33];
    int ret;

    if (!porch_srv_rate_ok(s, r->addr, NULL))
        return porch_srv_error(r, 429, "rate_limited", "too many households from this address");
    porch_srv_rate_fail(s, r->addr, NULL);   /* every creation drains the address bucket */
    if (!r->body_len)
        return porch_srv_error(r, 400, "bad_request", "body must be a roster file");
    if ((ret = porch_roster_peek_owner(r->body, r->body_len, owner)) != PORCH_OK ||
        (ret = porch_roster_load(&roster, r->body, r->body_len, owner, NULL, NULL)) != PORCH_OK)
        return porch_srv_fail(r, ret);
    porch_roster_get_head(roster, &head);
    ret = s->meta->ops->household_create(s->meta, porch_roster_household(roster), owner,
                                         r->body, r->body_len, &head);
    porch__hex_encode(hex, sizeof hex, porch_roster_household(roster), PORCH_SRV_HH);
    porch_roster_free(roster);
    if (ret == PORCH_ERR_EXISTS)
        return porch_srv_error(r, 409, "conflict", "household exists");
    if (ret != PORCH_OK)
        return porch_srv_fail(r, ret);
    return porch_srv_json(r, 201, json_pack("{s:s,s:I}", "household", hex, "seq",
                                            (json_int_t)head.seq));
}

int porch_srv_route_roster_get(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t owner[PORCH_SIGN_PK_BYTES], *bytes = NULL;
    porch_roster_head head;
    size_t len = 0;
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_allows(r->me, PORCH_AUTHZ_ROSTER_READ, NULL))
        return porch_srv_error(r, 403, "forbidden", "role may not read the roster");
    if ((ret = s->meta->ops->household_get(s->meta, r->hh, owner, &head, &bytes, &len)) ==
            PORCH_OK &&
        (ret = porch_srv_log_read(r, PORCH_LOG_KIND_ROSTER, head.hash)) == PORCH_OK)
        ret = porch_srv_bytes(r, 200, bytes, len, "application/octet-stream");
    free(bytes);
    return ret;
}

int porch_srv_route_roster_put(porch_srv_req *r)
{
    porch_srv *s = r->srv;
    uint8_t owner[PORCH_SIGN_PK_BYTES], *old = NULL;
    porch_roster *next = NULL;
    porch_roster_head seen, head;
    size_t old_len = 0;
    int ret;

    if ((ret = porch_srv_authenticate(r)) != PORCH_OK || !r->authed)
        return ret;
    if (!porch_authz_allows(r->me, PORCH_AUTHZ_ROSTER_WRITE, NULL))
        return porch_srv_error(r, 403, "forbidden", "only an admin may replace the roster");
    if ((ret = s->meta->ops->household_get(s->meta, r->hh, owner, &seen, &old, &old_len)) !=
        PORCH_OK)
        goto out;
    if ((ret = porch_roster_load(&next, r->body, r->body_len, owner, &seen, NULL)) != PORCH_OK)
        goto out;
    porch_roster_get_head(next, &head);
    ret = s->meta->ops->roster_replace(s->meta, r->hh, &seen, &head, r->body, r->body_len);
    if (ret == PORCH_OK)
        ret = porch_srv_json(r, 200, json_pack("{s:I}", "seq", (json_int_t)head.seq));
out:
    if (ret != PORCH_OK && !r->responded)
        porch_srv_fail(r, ret);
    porch_roster_free(next);
    free(old);
    return PORCH_OK;
}
