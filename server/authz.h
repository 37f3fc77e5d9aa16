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
    PORCH_AUTHZ_GRANT_READ
} porch_authz_action;

/*
 * 1 when the active member m may do action (on camera, for camera-scoped
 * actions; NULL otherwise). m NULL (not an active member) -> 0. Support
 * devices get camera-scoped reads only through grants (checked by the
 * grant routes), never from here.
 */
int porch_authz_allows(const porch_member *m, porch_authz_action action, const char *camera);

#endif
