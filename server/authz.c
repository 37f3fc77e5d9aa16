/*
 * authz.c: the authorization policy (docs/API.md, "Authorization").
 *   admin    everything, for cameras in its scope
 *   member   read roster, list/read clips and notices of cameras in scope, read the log
 *   hub      read roster, upload clips and post notices for cameras in scope
 *   support  read roster, read the log, its own grants; clips only through grants
 */
#include <stddef.h>

#include "server/authz.h"

static int in_scope(const porch_member *m, const char *camera)
{
    return camera && porch_scope_covers(&m->scope, camera);
}

int porch_authz_allows(const porch_member *m, porch_authz_action action, const char *camera)
{
    if (!m)
        return 0;
    switch (action) {
    case PORCH_AUTHZ_ROSTER_READ:
        return 1;
    case PORCH_AUTHZ_ROSTER_WRITE:
    case PORCH_AUTHZ_GRANT_WRITE:
        return m->role == PORCH_ROLE_ADMIN;
    case PORCH_AUTHZ_CLIP_UPLOAD:
    case PORCH_AUTHZ_NOTICE_POST:
        return m->role == PORCH_ROLE_HUB && in_scope(m, camera);
    case PORCH_AUTHZ_CLIP_LIST:
        return m->role == PORCH_ROLE_ADMIN || m->role == PORCH_ROLE_MEMBER ||
               m->role == PORCH_ROLE_SUPPORT;
    case PORCH_AUTHZ_CLIP_READ:
    case PORCH_AUTHZ_NOTICE_READ:
        return (m->role == PORCH_ROLE_ADMIN || m->role == PORCH_ROLE_MEMBER) &&
               in_scope(m, camera);
    case PORCH_AUTHZ_CLIP_DELETE:
        return m->role == PORCH_ROLE_ADMIN && in_scope(m, camera);
    case PORCH_AUTHZ_LOG_READ:
        return m->role == PORCH_ROLE_ADMIN || m->role == PORCH_ROLE_MEMBER ||
               m->role == PORCH_ROLE_SUPPORT;
    case PORCH_AUTHZ_GRANT_READ:
        return m->role == PORCH_ROLE_ADMIN || m->role == PORCH_ROLE_SUPPORT;
    }
    return 0;
}
