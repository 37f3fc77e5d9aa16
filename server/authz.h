/*
 * authz.h (server): every authorization decision, from the verified roster
 * at request time. Pure functions of (member, request): no I/O, no state,
 * so the whole policy is this file and its table in docs/API.md.
 */
#ifndef PORCH_SERVER_AUTHZ_H
#define PORCH_SERVER_AUTHZ_H

#include "porchlight/roster.h"

typedef enum porch_authz_action {
    PORCH_AUTHZ_ROSTER_READ,
    PORCH_AUTHZ_ROSTER_WRITE,
    PORCH_AUTHZ_CLIP_UPLOAD,     /* camera-scoped */
    PORCH_AUTHZ_CLIP_LIST,       /* not camera-scoped: the listing is filtered */
    PORCH_AUTHZ_CLIP_READ,       /* camera-scoped */
    PORCH_AUTHZ_CLIP_DELETE,     /* camera-scoped */
    PORCH_AUTHZ_NOTICE_POST,     /* camera-scoped */
    PORCH_AUTHZ_NOTICE_READ,     /* camera-scoped */
    PORCH_AUTHZ_LOG_READ,
    PORCH_AUTHZ_GRANT_WRITE,
    PORCH_AUTHZ_GRANT_READ,
    PORCH_AUTHZ_SHARE_READ
} porch_authz_action;

/*
 * Role check, decided first (a denial is 403): may a device with m's role
 * ever do action? m NULL (not an active member) -> 0.
 */
int porch_authz_role_may(const porch_member *m, porch_authz_action action);

/*
 * Role and scope (a scope denial on a readable object is 404): 1 when m
 * may do action on camera (NULL for actions that are not camera-scoped).
 * A support device's camera-scoped reads come only from its grants
 * (route_grants.c), never from its roster scope.
 */
int porch_authz_allows(const porch_member *m, porch_authz_action action, const char *camera);

#endif
