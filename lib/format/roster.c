/*
 * roster.c: the household roster chain (see porchlight/roster.h).
 *
 *   roster file = magic "PORCHRST" | version u16 | reserved u16 = 0 |
 *                 count u32 | count x (entry_len u16 | entry)
 *
 * Local changes and loaded files go through the same gate, roster_accept():
 * an entry joins the chain only if its sequence number and prev_hash continue
 * the chain, its household matches, genesis is signed by the pinned owner,
 * its signature verifies and the membership rules accept it. So a roster in
 * memory is always one that porch_roster_load() would accept.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "format/roster_internal.h"
#include "util/bytes.h"

#define ROSTER_MAGIC "PORCHRST"
#define ROSTER_VERSION 1u


static porch_roster *roster_new(const uint8_t owner[PORCH_SIGN_PK_BYTES])
{
    porch_roster *r = calloc(1, sizeof *r);
    if (r)
        memcpy(r->owner, owner, sizeof r->owner);
    return r;
}

void porch_roster_free(porch_roster *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        porch__roster_entry_clear(&r->entries[i]);
    free(r->entries);
    free(r);
}

static int check_chain(const porch_roster *r, const struct roster_entry *e)
{
    static const uint8_t zero_hash[PORCH_HASH_BYTES];
    const uint8_t *prev = r->n ? r->entries[r->n - 1].hash : zero_hash;

    if (e->seq != r->n || sodium_memcmp(e->prev_hash, prev, PORCH_HASH_BYTES) != 0)
        return PORCH_ERR_ROSTER_CHAIN;
    if ((r->n == 0) != (e->type == ENTRY_GENESIS))
        return PORCH_ERR_ROSTER_CHAIN;
    if (r->n == 0 && sodium_memcmp(e->signer, r->owner, PORCH_SIGN_PK_BYTES) != 0)
        return PORCH_ERR_ROSTER_PIN;
    if (r->n > 0 && memcmp(e->household, r->household, PORCH_HOUSEHOLD_ID_BYTES) != 0)
        return PORCH_ERR_ROSTER_HOUSEHOLD;
    return PORCH_OK;
}

/* On success the roster takes ownership of e's bytes and e is cleared. */
static int roster_accept(porch_roster *r, struct roster_entry *e)
{
    int ret;

    if (r->n >= PORCH_ROSTER_MAX_ENTRIES)
        return PORCH_ERR_TOO_LARGE;
    if ((ret = check_chain(r, e)) != PORCH_OK ||
        (ret = porch__roster_entry_verify_sig(e)) != PORCH_OK ||
        (ret = porch__roster_state_apply(&r->head, e)) != PORCH_OK)
        return ret;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 8;
        struct roster_entry *grown = realloc(r->entries, cap * sizeof *grown);
        if (!grown)
            return PORCH_ERR_NOMEM; /* NB: head already applied; callers free r */
        r->entries = grown;
        r->cap = cap;
    }
    if (r->n == 0)
        memcpy(r->household, e->household, sizeof r->household);
    r->entries[r->n++] = *e;
    memset(e, 0, sizeof *e);
    return PORCH_OK;
}

/*
 * Seals e (fields set by the caller) with signer and appends it. Works on a
 * copy of the head state so the roster is unchanged on any error.
 */
static int roster_append(porch_roster *r, struct roster_entry *e,
                         const porch_device_secret *signer, uint64_t now)
{
    struct roster_state *saved = NULL;
    int ret = PORCH_ERR_NOMEM;

    e->seq = r->n;
    e->time = now;
    if (r->n) {
        memcpy(e->prev_hash, r->entries[r->n - 1].hash, PORCH_HASH_BYTES);
        memcpy(e->household, r->household, PORCH_HOUSEHOLD_ID_BYTES);
    }
    if (!(saved = malloc(sizeof *saved)))
        goto out;
    *saved = r->head;
    if ((ret = porch__roster_entry_seal(e, signer)) != PORCH_OK ||
        (ret = roster_accept(r, e)) != PORCH_OK)
        r->head = *saved;
out:
    free(saved);
    porch__roster_entry_clear(e);
    return ret;
}

int porch_roster_create(porch_roster **out, const porch_device_secret *owner, uint64_t now)
{
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    randombytes_buf(household, sizeof household);
    return porch__roster_create_with(out, owner, now, household);
}

int porch__roster_create_with(porch_roster **out, const porch_device_secret *owner,
                              uint64_t now, const uint8_t household[PORCH_HOUSEHOLD_ID_BYTES])
{
    struct roster_entry e;
    porch_roster *r = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !owner || !household)
        return ret;
    const porch_device_public *pub = porch_device_public_of(owner);
    if (!(r = roster_new(pub->sign_pk)))
        return PORCH_ERR_NOMEM;
    memset(&e, 0, sizeof e);
    e.type = ENTRY_GENESIS;
    memcpy(e.household, household, sizeof e.household);
    e.member.device = *pub;
    e.member.role = PORCH_ROLE_ADMIN;
    e.member.scope.all_cameras = 1;
    if ((ret = roster_append(r, &e, owner, now)) != PORCH_OK) {
        porch_roster_free(r);
        return ret;
    }
    *out = r;
    return PORCH_OK;
}

int porch_roster_add(porch_roster *r, const porch_device_secret *admin,
                     const porch_device_public *device, porch_role role,
                     const porch_scope *scope, uint64_t now)
{
    struct roster_entry e;
    if (!r || !admin || !device || !scope || !porch_name_valid(device->name) ||
        role < PORCH_ROLE_ADMIN || role > PORCH_ROLE_SUPPORT || !porch__scope_valid(scope))
        return PORCH_ERR_INVALID_ARG;
    memset(&e, 0, sizeof e);
    e.type = ENTRY_ADD;
    e.member.device = *device;
    e.member.role = role;
    e.member.scope = *scope;
    return roster_append(r, &e, admin, now);
}

int porch_roster_remove(porch_roster *r, const porch_device_secret *admin,
                        const uint8_t sign_pk[PORCH_SIGN_PK_BYTES], uint64_t now)
{
    struct roster_entry e;
    if (!r || !admin || !sign_pk)
        return PORCH_ERR_INVALID_ARG;
    memset(&e, 0, sizeof e);
    e.type = ENTRY_REMOVE;
    memcpy(e.target, sign_pk, sizeof e.target);
    return roster_append(r, &e, admin, now);
}

int porch_roster_rotate(porch_roster *r, const porch_device_secret *admin,
                        const uint8_t old_sign_pk[PORCH_SIGN_PK_BYTES],
                        const porch_device_public *new_keys, uint64_t now)
{
    struct roster_entry e;
    if (!r || !admin || !old_sign_pk || !new_keys || !porch_name_valid(new_keys->name))
        return PORCH_ERR_INVALID_ARG;
    memset(&e, 0, sizeof e);
    e.type = ENTRY_ROTATE;
    memcpy(e.target, old_sign_pk, sizeof e.target);
    e.new_keys = *new_keys;
    return roster_append(r, &e, admin, now);
}

static int check_seen(const porch_roster *r, const porch_roster_head *seen)
{
    if (!seen)
        return PORCH_OK;
    if (seen->seq >= r->n)
        return PORCH_ERR_ROSTER_ROLLBACK;
    if (sodium_memcmp(r->entries[seen->seq].hash, seen->hash, PORCH_HASH_BYTES) != 0)
        return PORCH_ERR_ROSTER_FORK;
    return PORCH_OK;
}

static int load_entries(porch_roster *r, porch__rd *rd, uint32_t count, uint64_t *bad_entry)
{
    struct roster_entry e;
    int ret = PORCH_OK;

    for (uint32_t i = 0; i < count && ret == PORCH_OK; i++) {
        *bad_entry = i;
        uint16_t len = porch__rd_u16(rd);
        const uint8_t *raw = porch__rd_take(rd, len);
        if (rd->err)
            return rd->err;
        if ((ret = porch__roster_entry_parse(&e, raw, len)) != PORCH_OK)
            return ret;
        ret = roster_accept(r, &e);
        porch__roster_entry_clear(&e);
    }
    return ret;
}

int porch_roster_load(porch_roster **out, const uint8_t *file, size_t file_len,
                      const uint8_t pinned_owner[PORCH_SIGN_PK_BYTES],
                      const porch_roster_head *seen, uint64_t *bad_entry)
{
    porch_roster *r = NULL;
    porch__rd rd;
    uint64_t bad = UINT64_MAX;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !file || !pinned_owner)
        goto out;
    porch__rd_init(&rd, file, file_len);
    const uint8_t *magic = porch__rd_take(&rd, 8);
    uint16_t version = porch__rd_u16(&rd), reserved = porch__rd_u16(&rd);
    uint32_t count = porch__rd_u32(&rd);
    if ((ret = rd.err) != PORCH_OK)
        goto out;
    ret = memcmp(magic, ROSTER_MAGIC, 8) ? PORCH_ERR_BAD_MAGIC
        : version != ROSTER_VERSION     ? PORCH_ERR_BAD_VERSION
        : reserved || count == 0        ? PORCH_ERR_MALFORMED
        : count > PORCH_ROSTER_MAX_ENTRIES ? PORCH_ERR_TOO_LARGE : PORCH_OK;
    if (ret != PORCH_OK)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(r = roster_new(pinned_owner)))
        goto out;
    if ((ret = load_entries(r, &rd, count, &bad)) != PORCH_OK)
        goto out;
    bad = UINT64_MAX;
    if ((ret = porch__rd_left(&rd) ? PORCH_ERR_TRAILING_DATA : PORCH_OK) != PORCH_OK ||
        (ret = check_seen(r, seen)) != PORCH_OK)
        goto out;
    *out = r;
    r = NULL;
out:
    if (bad_entry)
        *bad_entry = ret == PORCH_OK ? UINT64_MAX : bad;
    porch_roster_free(r);
    return ret;
}

int porch_roster_peek_owner(const uint8_t *file, size_t file_len,
                            uint8_t out[PORCH_SIGN_PK_BYTES])
{
    struct roster_entry e;
    porch__rd rd;
    int ret;

    if (out)
        memset(out, 0, PORCH_SIGN_PK_BYTES);
    if (!file || !out)
        return PORCH_ERR_INVALID_ARG;
    porch__rd_init(&rd, file, file_len);
    const uint8_t *magic = porch__rd_take(&rd, 8);
    porch__rd_take(&rd, 8); /* version, reserved, count: load checks them */
    uint16_t len = porch__rd_u16(&rd);
    const uint8_t *raw = porch__rd_take(&rd, len);
    if (rd.err)
        return rd.err;
    if (memcmp(magic, ROSTER_MAGIC, 8) != 0)
        return PORCH_ERR_BAD_MAGIC;
    if ((ret = porch__roster_entry_parse(&e, raw, len)) != PORCH_OK)
        return ret;
    memcpy(out, e.signer, PORCH_SIGN_PK_BYTES);
    porch__roster_entry_clear(&e);
    return PORCH_OK;
}

int porch_roster_encode(const porch_roster *r, uint8_t **out, size_t *out_len)
{
    porch__wr wr;
    size_t total = 16;
    uint8_t *buf = NULL;

    if (out)
        *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!r || !out || !out_len)
        return PORCH_ERR_INVALID_ARG;
    for (size_t i = 0; i < r->n; i++)
        total += 2 + r->entries[i].raw_len;
    if (!(buf = malloc(total)))
        return PORCH_ERR_NOMEM;
    porch__wr_init(&wr, buf, total);
    porch__wr_bytes(&wr, ROSTER_MAGIC, 8);
    porch__wr_u16(&wr, ROSTER_VERSION);
    porch__wr_u16(&wr, 0);
    porch__wr_u32(&wr, (uint32_t)r->n);
    for (size_t i = 0; i < r->n; i++) {
        porch__wr_u16(&wr, (uint16_t)r->entries[i].raw_len);
        porch__wr_bytes(&wr, r->entries[i].raw, r->entries[i].raw_len);
    }
    *out = buf;
    *out_len = wr.off;
    return PORCH_OK;
}
