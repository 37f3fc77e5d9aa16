/*
 * roster_state.c: the membership rules, applied one entry at a time.
 *
 * Invariants of a state reached by applying a verified chain:
 *   - no two active members share a signing key or an encryption key;
 *   - at least one active admin exists (after genesis);
 *   - every entry after genesis was signed by an admin active just before it.
 * porch__roster_state_apply() is the only function that changes a state, and
 * it checks every rule before changing anything.
 */
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "format/roster_internal.h"

static int camera_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

int porch_camera_id_valid(const char *id)
{
    size_t n = 0;
    if (!id)
        return 0;
    for (; id[n]; n++)
        if (n >= PORCH_CAMERA_ID_MAX || !camera_char_ok(id[n]))
            return 0;
    return n > 0;
}

int porch__scope_valid(const porch_scope *scope)
{
    if (scope->all_cameras > 1 || scope->n_cameras > PORCH_SCOPE_MAX_CAMERAS)
        return 0;
    if (scope->all_cameras && scope->n_cameras)
        return 0;
    for (unsigned i = 0; i < scope->n_cameras; i++)
        if (!porch_camera_id_valid(scope->cameras[i]))
            return 0;
    return 1;
}

int porch_scope_covers(const porch_scope *scope, const char *camera)
{
    if (!scope || !camera)
        return 0;
    if (scope->all_cameras)
        return 1;
    for (unsigned i = 0; i < scope->n_cameras && i < PORCH_SCOPE_MAX_CAMERAS; i++)
        if (strcmp(scope->cameras[i], camera) == 0)
            return 1;
    return 0;
}

static ptrdiff_t find_index(const struct roster_state *st, const uint8_t sign_pk[32])
{
    for (size_t i = 0; i < st->n; i++)
        if (sodium_memcmp(st->members[i].device.sign_pk, sign_pk, 32) == 0)
            return (ptrdiff_t)i;
    return -1;
}

const porch_member *porch__roster_state_find(const struct roster_state *st,
                                             const uint8_t sign_pk[PORCH_SIGN_PK_BYTES])
{
    ptrdiff_t i = find_index(st, sign_pk);
    return i < 0 ? NULL : &st->members[i];
}

/* True when any active member other than `except` uses either key of dev. */
static int keys_in_use(const struct roster_state *st, const porch_device_public *dev,
                       ptrdiff_t except)
{
    for (size_t i = 0; i < st->n; i++) {
        const porch_device_public *m = &st->members[i].device;
        if ((ptrdiff_t)i == except)
            continue;
        if (sodium_memcmp(m->sign_pk, dev->sign_pk, 32) == 0 ||
            sodium_memcmp(m->box_pk, dev->box_pk, 32) == 0)
            return 1;
    }
    return 0;
}

static size_t admin_count(const struct roster_state *st)
{
    size_t n = 0;
    for (size_t i = 0; i < st->n; i++)
        n += st->members[i].role == PORCH_ROLE_ADMIN;
    return n;
}

static int apply_add(struct roster_state *st, const struct roster_entry *e)
{
    if (!porch__scope_valid(&e->member.scope))
        return PORCH_ERR_MALFORMED;
    if (keys_in_use(st, &e->member.device, -1))
        return PORCH_ERR_ROSTER_DUPLICATE;
    if (st->n >= PORCH_ROSTER_MAX_MEMBERS)
        return PORCH_ERR_TOO_LARGE;
    st->members[st->n++] = e->member;
    return PORCH_OK;
}

static int apply_remove(struct roster_state *st, const struct roster_entry *e)
{
    ptrdiff_t i = find_index(st, e->target);
    if (i < 0)
        return PORCH_ERR_ROSTER_UNKNOWN_DEVICE;
    if (st->members[i].role == PORCH_ROLE_ADMIN && admin_count(st) == 1)
        return PORCH_ERR_ROSTER_LAST_ADMIN;
    memmove(&st->members[i], &st->members[i + 1],
            (st->n - (size_t)i - 1) * sizeof st->members[0]);
    st->n--;
    return PORCH_OK;
}

static int apply_rotate(struct roster_state *st, const struct roster_entry *e)
{
    ptrdiff_t i = find_index(st, e->target);
    if (i < 0)
        return PORCH_ERR_ROSTER_UNKNOWN_DEVICE;
    if (keys_in_use(st, &e->new_keys, i) ||
        sodium_memcmp(e->new_keys.sign_pk, e->target, 32) == 0)
        return PORCH_ERR_ROSTER_DUPLICATE;
    st->members[i].device = e->new_keys;
    st->members[i].added_seq = e->seq;
    return PORCH_OK;
}

/* Genesis: the signer adds itself as an admin of every camera. */
static int apply_genesis(struct roster_state *st, const struct roster_entry *e)
{
    if (st->n != 0 || e->member.role != PORCH_ROLE_ADMIN || !e->member.scope.all_cameras ||
        sodium_memcmp(e->member.device.sign_pk, e->signer, 32) != 0)
        return PORCH_ERR_MALFORMED;
    return apply_add(st, e);
}

int porch__roster_state_apply(struct roster_state *st, const struct roster_entry *e)
{
    if (e->type == ENTRY_GENESIS)
        return apply_genesis(st, e);
    const porch_member *signer = porch__roster_state_find(st, e->signer);
    if (!signer || signer->role != PORCH_ROLE_ADMIN)
        return PORCH_ERR_ROSTER_NOT_ADMIN;
    switch (e->type) {
    case ENTRY_ADD:
        return apply_add(st, e);
    case ENTRY_REMOVE:
        return apply_remove(st, e);
    case ENTRY_ROTATE:
        return apply_rotate(st, e);
    }
    return PORCH_ERR_MALFORMED;
}
