/*
 * roster_entry.c: one roster entry's bytes (docs/FORMAT.md, "Roster entry").
 *
 *   signed part = version u8 | type u8 | reserved u16 = 0 | seq u64 |
 *                 prev_hash[32] | household[16] | time u64 | signer[32] | body
 *   entry       = signed part | Ed25519 signature[64]
 *
 * The signature covers BLAKE2b-256("porchlight/v1/roster-entry" NUL || signed
 * part); the entry hash is BLAKE2b-256("porchlight/v1/roster-hash" NUL || entry).
 */
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "crypto/identity_internal.h"
#include "format/roster_internal.h"
#include "util/bytes.h"

static const char sign_domain[] = "porchlight/v1/roster-entry";
static const char hash_domain[] = "porchlight/v1/roster-hash";

static void write_scope(porch__wr *wr, const porch_scope *s)
{
    porch__wr_u8(wr, s->all_cameras);
    porch__wr_u8(wr, s->n_cameras);
    for (unsigned i = 0; i < s->n_cameras && i < PORCH_SCOPE_MAX_CAMERAS; i++) {
        size_t len = strlen(s->cameras[i]);
        porch__wr_u8(wr, (uint8_t)len);
        porch__wr_bytes(wr, s->cameras[i], len);
    }
}

static int read_scope(porch__rd *rd, porch_scope *s)
{
    s->all_cameras = porch__rd_u8(rd);
    s->n_cameras = porch__rd_u8(rd);
    if (rd->err)
        return rd->err;
    if (s->n_cameras > PORCH_SCOPE_MAX_CAMERAS)
        return PORCH_ERR_MALFORMED;
    for (unsigned i = 0; i < s->n_cameras; i++) {
        uint8_t len = porch__rd_u8(rd);
        if (len > PORCH_CAMERA_ID_MAX)
            return PORCH_ERR_MALFORMED;
        porch__rd_copy(rd, s->cameras[i], len);
        s->cameras[i][len] = '\0';
        if (!rd->err && strlen(s->cameras[i]) != len)
            return PORCH_ERR_MALFORMED; /* a NUL would hide bytes from validation */
    }
    if (rd->err)
        return rd->err;
    return porch__scope_valid(s) ? PORCH_OK : PORCH_ERR_MALFORMED;
}

static void write_body(porch__wr *wr, const struct roster_entry *e)
{
    switch (e->type) {
    case ENTRY_GENESIS:
    case ENTRY_ADD:
        porch__public_block_write(wr, &e->member.device);
        porch__wr_u8(wr, (uint8_t)e->member.role);
        write_scope(wr, &e->member.scope);
        break;
    case ENTRY_REMOVE:
        porch__wr_bytes(wr, e->target, sizeof e->target);
        break;
    case ENTRY_ROTATE:
        porch__wr_bytes(wr, e->target, sizeof e->target);
        porch__public_block_write(wr, &e->new_keys);
        break;
    }
}

static int read_body(porch__rd *rd, struct roster_entry *e)
{
    int ret;
    switch (e->type) {
    case ENTRY_GENESIS:
    case ENTRY_ADD:
        if ((ret = porch__public_block_read(rd, &e->member.device)) != PORCH_OK)
            return ret;
        e->member.role = (porch_role)porch__rd_u8(rd);
        if (e->member.role < PORCH_ROLE_ADMIN || e->member.role > PORCH_ROLE_SUPPORT)
            return rd->err ? rd->err : PORCH_ERR_MALFORMED;
        e->member.added_seq = e->seq;
        return read_scope(rd, &e->member.scope);
    case ENTRY_REMOVE:
        porch__rd_copy(rd, e->target, sizeof e->target);
        return rd->err;
    case ENTRY_ROTATE:
        porch__rd_copy(rd, e->target, sizeof e->target);
        return porch__public_block_read(rd, &e->new_keys);
    }
    return PORCH_ERR_MALFORMED;
}

static void write_signed_part(porch__wr *wr, const struct roster_entry *e)
{
    porch__wr_u8(wr, ROSTER_ENTRY_VERSION);
    porch__wr_u8(wr, e->type);
    porch__wr_u16(wr, 0);
    porch__wr_u64(wr, e->seq);
    porch__wr_bytes(wr, e->prev_hash, sizeof e->prev_hash);
    porch__wr_bytes(wr, e->household, sizeof e->household);
    porch__wr_u64(wr, e->time);
    porch__wr_bytes(wr, e->signer, sizeof e->signer);
    write_body(wr, e);
}

int porch__roster_entry_seal(struct roster_entry *e, const porch_device_secret *signer)
{
    uint8_t *buf = NULL;
    porch__wr wr;
    int ret = PORCH_ERR_NOMEM;

    if (!(buf = malloc(ROSTER_ENTRY_MAX)))
        goto out;
    memcpy(e->signer, porch_device_public_of(signer)->sign_pk, sizeof e->signer);
    porch__wr_init(&wr, buf, ROSTER_ENTRY_MAX - PORCH_SIGNATURE_BYTES);
    write_signed_part(&wr, e);
    if ((ret = wr.err) != PORCH_OK ||
        (ret = porch__sign_domain(signer, sign_domain, buf, wr.off, e->signature)) != PORCH_OK)
        goto out;
    memcpy(buf + wr.off, e->signature, sizeof e->signature);
    e->raw_len = wr.off + sizeof e->signature;
    porch__hash_domain(e->hash, hash_domain, buf, e->raw_len);
    free(e->raw);
    e->raw = buf;
    buf = NULL;
out:
    free(buf);
    return ret;
}

static int parse_fields(struct roster_entry *e, const uint8_t *raw, size_t len)
{
    porch__rd rd;
    int ret;

    if (len < ROSTER_SIGNED_FIXED + PORCH_SIGNATURE_BYTES)
        return PORCH_ERR_TRUNCATED;
    porch__rd_init(&rd, raw, len - PORCH_SIGNATURE_BYTES);
    uint8_t version = porch__rd_u8(&rd);
    e->type = porch__rd_u8(&rd);
    uint16_t reserved = porch__rd_u16(&rd);
    e->seq = porch__rd_u64(&rd);
    porch__rd_copy(&rd, e->prev_hash, sizeof e->prev_hash);
    porch__rd_copy(&rd, e->household, sizeof e->household);
    e->time = porch__rd_u64(&rd);
    porch__rd_copy(&rd, e->signer, sizeof e->signer);
    if (version != ROSTER_ENTRY_VERSION)
        return PORCH_ERR_BAD_VERSION;
    if (reserved != 0 || e->type < ENTRY_GENESIS || e->type > ENTRY_ROTATE)
        return PORCH_ERR_MALFORMED;
    if ((ret = read_body(&rd, e)) != PORCH_OK)
        return ret;
    if (porch__rd_left(&rd))
        return PORCH_ERR_MALFORMED; /* body longer than its type allows */
    memcpy(e->signature, raw + len - PORCH_SIGNATURE_BYTES, PORCH_SIGNATURE_BYTES);
    return PORCH_OK;
}

int porch__roster_entry_parse(struct roster_entry *e, const uint8_t *raw, size_t len)
{
    int ret;

    memset(e, 0, sizeof *e);
    if (len > ROSTER_ENTRY_MAX)
        return PORCH_ERR_TOO_LARGE;
    if ((ret = parse_fields(e, raw, len)) != PORCH_OK)
        goto out;
    ret = PORCH_ERR_NOMEM;
    if (!(e->raw = malloc(len)))
        goto out;
    memcpy(e->raw, raw, len);
    e->raw_len = len;
    porch__hash_domain(e->hash, hash_domain, raw, len);
    ret = PORCH_OK;
out:
    if (ret != PORCH_OK)
        porch__roster_entry_clear(e);
    return ret;
}

int porch__roster_entry_verify_sig(const struct roster_entry *e)
{
    return porch__verify_domain(e->signer, sign_domain, e->raw,
                                e->raw_len - PORCH_SIGNATURE_BYTES, e->signature,
                                PORCH_ERR_ROSTER_SIGNATURE);
}

void porch__roster_entry_clear(struct roster_entry *e)
{
    free(e->raw);
    memset(e, 0, sizeof *e);
}
