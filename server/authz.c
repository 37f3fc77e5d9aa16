/*
 * authz.c: the authorization policy (docs/API.md, "Authorization matrix").
 *   admin    everything except hub work, for cameras in its scope
 *   member   read roster and log; list/read clips and notices of cameras in scope
 *   hub      read roster; upload clips and post notices for cameras in scope
 *   support  read roster and log; list clips, read clips and shares its grants
 *            cover (grants decide the scope); read its own grants
 * Roles are decided before scope, so a role denial is 403 whatever the object.
 */
#include <stddef.h>

#include "server/authz.h"

static int role_in(const porch_member *m, unsigned mask)
{
    return (mask >> m->role) & 1u;
}

#define A (1u << PORCH_ROLE_ADMIN)
#define M (1u << PORCH_ROLE_MEMBER)
#define H (1u << PORCH_ROLE_HUB)
#define S (1u << PORCH_ROLE_SUPPORT)

static unsigned roles_for(porch_authz_action action)
{
    switch (action) {
    case PORCH_AUTHZ_ROSTER_READ: return A | M | H | S;
    case PORCH_AUTHZ_ROSTER_WRITE: return A;
    case PORCH_AUTHZ_CLIP_UPLOAD: return H;
    case PORCH_AUTHZ_CLIP_LIST: return A | M | S;
    case PORCH_AUTHZ_CLIP_READ: return A | M | S;
    case PORCH_AUTHZ_CLIP_DELETE: return A;
    case PORCH_AUTHZ_NOTICE_POST: return H;
    case PORCH_AUTHZ_NOTICE_READ: return A | M;
    case PORCH_AUTHZ_LOG_READ: return A | M | S;
    case PORCH_AUTHZ_GRANT_WRITE: return A;
    case PORCH_AUTHZ_GRANT_READ: return A | S;
    case PORCH_AUTHZ_SHARE_READ: return S;
    }
    return 0;
}

static int camera_scoped(porch_authz_action action)
{
    return action == PORCH_AUTHZ_CLIP_UPLOAD || action == PORCH_AUTHZ_CLIP_READ ||
           action == PORCH_AUTHZ_CLIP_DELETE || action == PORCH_AUTHZ_NOTICE_POST ||
           action == PORCH_AUTHZ_NOTICE_READ;
}

int porch_authz_role_may(const porch_member *m, porch_authz_action action)
{
    return m && role_in(m, roles_for(action));
}

int porch_authz_allows(const porch_member *m, porch_authz_action action, const char *camera)
{
    if (!porch_authz_role_may(m, action))
        return 0;
    if (!camera_scoped(action))
        return 1;
    if (m->role == PORCH_ROLE_SUPPORT)
        return 0;   /* grants, not the roster scope */
    return camera && porch_scope_covers(&m->scope, camera);
}
