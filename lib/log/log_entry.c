/*
 * log_entry.c: the version-1 log entry, a fixed 74-byte little-endian layout
 * (docs/LOG.md, "Entry"). Decoding is strict: exact length, known version,
 * known kind, so that one read has exactly one encoding and so one leaf hash.
 */
#include <string.h>

#include "log/log_internal.h"
#include "util/bytes.h"

static int kind_ok(unsigned kind)
{
    return kind >= PORCH_LOG_KIND_CLIP && kind <= PORCH_LOG_KIND_LIVE;
}

int porch_log_entry_encode(const porch_log_entry *e, uint8_t out[PORCH_LOG_ENTRY_BYTES])
{
    porch__wr wr;

    if (out)
        memset(out, 0, PORCH_LOG_ENTRY_BYTES);
    if (!e || !out || !kind_ok((unsigned)e->kind))
        return PORCH_ERR_INVALID_ARG;
    porch__wr_init(&wr, out, PORCH_LOG_ENTRY_BYTES);
    porch__wr_u8(&wr, PORCH_LOG_ENTRY_VERSION);
    porch__wr_u8(&wr, (uint8_t)e->kind);
    porch__wr_bytes(&wr, e->household, sizeof e->household);
    porch__wr_bytes(&wr, e->object_id, sizeof e->object_id);
    porch__wr_bytes(&wr, e->reader_pk, sizeof e->reader_pk);
    porch__wr_u64(&wr, e->time_us);
    /* The layout is fixed: anything else is a bug here, not bad input. */
    return wr.err == PORCH_OK && wr.off == PORCH_LOG_ENTRY_BYTES ? PORCH_OK : PORCH_ERR_INVALID_ARG;
}

int porch_log_entry_decode(porch_log_entry *out, const uint8_t *in, size_t len)
{
    porch__rd rd;
    unsigned version, kind;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (!in && len))
        return PORCH_ERR_INVALID_ARG;
    if (len < PORCH_LOG_ENTRY_BYTES)
        return PORCH_ERR_TRUNCATED;
    if (len > PORCH_LOG_ENTRY_BYTES)
        return PORCH_ERR_TRAILING_DATA;
    porch__rd_init(&rd, in, len);
    version = porch__rd_u8(&rd);
    kind = porch__rd_u8(&rd);
    if (version != PORCH_LOG_ENTRY_VERSION)
        return PORCH_ERR_BAD_VERSION;
    if (!kind_ok(kind))
        return PORCH_ERR_MALFORMED;
    out->kind = (porch_log_kind)kind;
    porch__rd_copy(&rd, out->household, sizeof out->household);
    porch__rd_copy(&rd, out->object_id, sizeof out->object_id);
    porch__rd_copy(&rd, out->reader_pk, sizeof out->reader_pk);
    out->time_us = porch__rd_u64(&rd);
    if (rd.err != PORCH_OK) {
        memset(out, 0, sizeof *out);
        return rd.err;
    }
    return PORCH_OK;
}
