/*
 * roster_query.c: read-only questions asked of a verified roster, at its head
 * or as of an earlier entry (clips cite the roster state that chose their
 * viewers, so a clip is checked against the roster as it was then).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "format/roster_internal.h"

static const char *const role_names[] = {NULL, "admin", "member", "hub", "support"};

const char *porch_role_name(porch_role role)
{
    if (role < PORCH_ROLE_ADMIN || role > PORCH_ROLE_SUPPORT)
        return "unknown";
    return role_names[role];
}

int porch_role_parse(const char *text, porch_role *out)
{
    if (out)
        *out = 0;
    if (!text || !out)
        return PORCH_ERR_INVALID_ARG;
    for (int r = PORCH_ROLE_ADMIN; r <= PORCH_ROLE_SUPPORT; r++)
        if (strcmp(text, role_names[r]) == 0) {
            *out = (porch_role)r;
            return PORCH_OK;
        }
    return PORCH_ERR_INVALID_ARG;
}

void porch_roster_get_head(const porch_roster *r, porch_roster_head *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!r || r->n == 0)
        return;
    out->seq = r->n - 1;
    memcpy(out->hash, r->entries[r->n - 1].hash, PORCH_HASH_BYTES);
}

const uint8_t *porch_roster_household(const porch_roster *r)
{
    return r ? r->household : NULL;
}

const uint8_t *porch_roster_owner(const porch_roster *r)
{
    return r ? r->owner : NULL;
}

uint64_t porch_roster_entry_count(const porch_roster *r)
{
    return r ? r->n : 0;
}

uint64_t porch_roster_entry_time(const porch_roster *r, uint64_t seq)
{
    return r && seq < r->n ? r->entries[seq].time : 0;
}

size_t porch_roster_member_count(const porch_roster *r)
{
    return r ? r->head.n : 0;
}

const porch_member *porch_roster_member(const porch_roster *r, size_t i)
{
    return r && i < r->head.n ? &r->head.members[i] : NULL;
}

const porch_member *porch_roster_find(const porch_roster *r,
                                      const uint8_t sign_pk[PORCH_SIGN_PK_BYTES])
{
    return r && sign_pk ? porch__roster_state_find(&r->head, sign_pk) : NULL;
}

int porch_roster_hash_at(const porch_roster *r, uint64_t seq, uint8_t out[PORCH_HASH_BYTES])
{
    if (out)
        memset(out, 0, PORCH_HASH_BYTES);
    if (!r || !out)
        return PORCH_ERR_INVALID_ARG;
    if (seq >= r->n)
        return PORCH_ERR_ROSTER_UNKNOWN_HEAD;
    memcpy(out, r->entries[seq].hash, PORCH_HASH_BYTES);
    return PORCH_OK;
}

/*
 * Replays entries 0..seq into a fresh state. The chain was verified when it
 * was built, so replay cannot fail on the rules; it is still checked.
 * Ownership: *out malloc()ed, released by the caller with free().
 */
static int state_at(const porch_roster *r, uint64_t seq, struct roster_state **out)
{
    struct roster_state *st;
    int ret = PORCH_OK;

    *out = NULL;
    if (seq >= r->n)
        return PORCH_ERR_ROSTER_UNKNOWN_HEAD;
    if (seq == r->n - 1) {
        if (!(st = malloc(sizeof *st)))
            return PORCH_ERR_NOMEM;
        *st = r->head;
        *out = st;
        return PORCH_OK;
    }
    if (!(st = calloc(1, sizeof *st)))
        return PORCH_ERR_NOMEM;
    for (uint64_t i = 0; i <= seq && ret == PORCH_OK; i++)
        ret = porch__roster_state_apply(st, &r->entries[i]);
    if (ret != PORCH_OK) {
        free(st);
        return ret;
    }
    *out = st;
    return PORCH_OK;
}

static int can_view(const porch_member *m, const char *camera)
{
    return (m->role == PORCH_ROLE_ADMIN || m->role == PORCH_ROLE_MEMBER) &&
           porch_scope_covers(&m->scope, camera);
}

int porch_roster_viewers_at(const porch_roster *r, uint64_t seq, const char *camera,
                            porch_device_public *out, size_t cap, size_t *n)
{
    struct roster_state *st = NULL;
    size_t count = 0;
    int ret;

    if (n)
        *n = 0;
    if (!r || !camera || !n || (cap && !out))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = state_at(r, seq, &st)) != PORCH_OK)
        return ret;
    for (size_t i = 0; i < st->n; i++) {
        if (!can_view(&st->members[i], camera))
            continue;
        if (count == cap) {
            ret = PORCH_ERR_TOO_LARGE;
            break;
        }
        out[count++] = st->members[i].device;
    }
    *n = ret == PORCH_OK ? count : 0;
    free(st);
    return ret;
}

int porch_roster_check_hub_at(const porch_roster *r, uint64_t seq,
                              const uint8_t sign_pk[PORCH_SIGN_PK_BYTES], const char *camera)
{
    struct roster_state *st = NULL;
    int ret;

    if (!r || !sign_pk || !camera)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = state_at(r, seq, &st)) != PORCH_OK)
        return ret;
    const porch_member *m = porch__roster_state_find(st, sign_pk);
    ret = m && m->role == PORCH_ROLE_HUB && porch_scope_covers(&m->scope, camera)
              ? PORCH_OK
              : PORCH_ERR_HUB_NOT_ALLOWED;
    free(st);
    return ret;
}
