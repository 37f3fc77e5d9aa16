/*
 * log_checkpoint.c: signed tree heads (docs/LOG.md, "Checkpoint").
 *
 * Layout (129 bytes, little-endian): version u8 | log id 16 | tree size u64 |
 * root 32 | timestamp u64 | signature 64. The signature is Ed25519 by the
 * server's log key over BLAKE2b-256("porchlight/v1/log-checkpoint" || NUL ||
 * the first 65 bytes), so a checkpoint signature can never be replayed as
 * any other Porchlight signature, nor the reverse.
 */
#include <string.h>

#include "crypto/identity_internal.h"
#include "log/log_internal.h"
#include "util/bytes.h"

void porch__log_checkpoint_body(const porch_log_checkpoint *cp,
                                uint8_t out[PORCH__LOG_CHECKPOINT_BODY_BYTES])
{
    porch__wr wr;

    porch__wr_init(&wr, out, PORCH__LOG_CHECKPOINT_BODY_BYTES);
    porch__wr_u8(&wr, PORCH_LOG_CHECKPOINT_VERSION);
    porch__wr_bytes(&wr, cp->log_id, sizeof cp->log_id);
    porch__wr_u64(&wr, cp->tree_size);
    porch__wr_bytes(&wr, cp->root, sizeof cp->root);
    porch__wr_u64(&wr, cp->timestamp_us);
}

int porch_log_checkpoint_sign(porch_log_checkpoint *cp, const porch_device_secret *server)
{
    uint8_t body[PORCH__LOG_CHECKPOINT_BODY_BYTES];

    if (!cp || !server)
        return PORCH_ERR_INVALID_ARG;
    memset(cp->signature, 0, sizeof cp->signature);
    if (!porch__log_size_ok(cp->tree_size))
        return PORCH_ERR_TOO_LARGE;
    porch__log_checkpoint_body(cp, body);
    return porch__sign_domain(server, PORCH_LOG_CHECKPOINT_DOMAIN, body, sizeof body,
                              cp->signature);
}

int porch_log_checkpoint_make(porch_log_checkpoint *out, const porch_log_store *s,
                              const uint8_t log_id[PORCH_LOG_ID_BYTES], uint64_t timestamp_us,
                              const porch_device_secret *server)
{
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !s || !log_id || !server)
        return PORCH_ERR_INVALID_ARG;
    memcpy(out->log_id, log_id, sizeof out->log_id);
    out->timestamp_us = timestamp_us;
    if ((ret = porch_log_store_size(s, &out->tree_size)) != PORCH_OK ||
        (ret = porch_log_root(s, out->tree_size, out->root)) != PORCH_OK ||
        (ret = porch_log_checkpoint_sign(out, server)) != PORCH_OK)
        memset(out, 0, sizeof *out);
    return ret;
}

int porch_log_checkpoint_verify(const porch_log_checkpoint *cp,
                                const uint8_t server_pk[PORCH_SIGN_PK_BYTES])
{
    uint8_t body[PORCH__LOG_CHECKPOINT_BODY_BYTES];

    if (!cp || !server_pk)
        return PORCH_ERR_INVALID_ARG;
    /* Never signed by us: such a size cannot be encoded by _sign. */
    if (!porch__log_size_ok(cp->tree_size))
        return PORCH_ERR_LOG_SIGNATURE;
    porch__log_checkpoint_body(cp, body);
    return porch__verify_domain(server_pk, PORCH_LOG_CHECKPOINT_DOMAIN, body, sizeof body,
                                cp->signature, PORCH_ERR_LOG_SIGNATURE);
}

int porch_log_checkpoint_encode(const porch_log_checkpoint *cp,
                                uint8_t out[PORCH_LOG_CHECKPOINT_BYTES])
{
    if (out)
        memset(out, 0, PORCH_LOG_CHECKPOINT_BYTES);
    if (!cp || !out || !porch__log_size_ok(cp->tree_size))
        return PORCH_ERR_INVALID_ARG;
    porch__log_checkpoint_body(cp, out);
    memcpy(out + PORCH__LOG_CHECKPOINT_BODY_BYTES, cp->signature, sizeof cp->signature);
    return PORCH_OK;
}

int porch_log_checkpoint_decode(porch_log_checkpoint *out, const uint8_t *in, size_t len)
{
    porch__rd rd;
    unsigned version;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || (!in && len))
        return PORCH_ERR_INVALID_ARG;
    if (len < PORCH_LOG_CHECKPOINT_BYTES)
        return PORCH_ERR_TRUNCATED;
    if (len > PORCH_LOG_CHECKPOINT_BYTES)
        return PORCH_ERR_TRAILING_DATA;
    porch__rd_init(&rd, in, len);
    if ((version = porch__rd_u8(&rd)) != PORCH_LOG_CHECKPOINT_VERSION)
        return PORCH_ERR_BAD_VERSION;
    porch__rd_copy(&rd, out->log_id, sizeof out->log_id);
    out->tree_size = porch__rd_u64(&rd);
    porch__rd_copy(&rd, out->root, sizeof out->root);
    out->timestamp_us = porch__rd_u64(&rd);
    porch__rd_copy(&rd, out->signature, sizeof out->signature);
    if (rd.err == PORCH_OK && !porch__log_size_ok(out->tree_size))
        rd.err = PORCH_ERR_TOO_LARGE;
    if (rd.err != PORCH_OK) {
        memset(out, 0, sizeof *out);
        return rd.err;
    }
    return PORCH_OK;
}
