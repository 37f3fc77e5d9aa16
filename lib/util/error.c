/*
 * error.c: names and sentences for the codes in porchlight/error.h.
 * One table keeps the two in step; unknown codes map to a fixed fallback.
 */
#include <stddef.h>

#include "porchlight/error.h"

struct err_desc {
    int code;
    const char *name;
    const char *text;
};

#define E(code, text) { code, #code, text }
static const struct err_desc err_table[] = {
    E(PORCH_OK, "success"),
    E(PORCH_ERR_NOMEM, "out of memory"),
    E(PORCH_ERR_INVALID_ARG, "invalid argument"),
    E(PORCH_ERR_IO, "input/output error"),
    E(PORCH_ERR_TRUNCATED, "data ends inside a structure (truncated)"),
    E(PORCH_ERR_TOO_LARGE, "a length or count exceeds its limit"),
    E(PORCH_ERR_BAD_MAGIC, "wrong magic: not the expected kind of data"),
    E(PORCH_ERR_BAD_VERSION, "unsupported format version"),
    E(PORCH_ERR_MALFORMED, "malformed structure (reserved field, length or value out of range)"),
    E(PORCH_ERR_TRAILING_DATA, "unexpected bytes after the end of the structure"),
    E(PORCH_ERR_UNSUPPORTED, "valid but unsupported by this build"),
    E(PORCH_ERR_CRYPTO, "cryptographic library failure"),
    E(PORCH_ERR_PASSPHRASE, "wrong passphrase, or the key file was modified"),
    E(PORCH_ERR_WEAK_KDF, "key file's Argon2id parameters are below the accepted minimum"),
    E(PORCH_ERR_KEY_MISMATCH, "public key does not match the secret key"),
    E(PORCH_ERR_ROSTER_SIGNATURE, "roster entry signature does not verify"),
    E(PORCH_ERR_ROSTER_PIN, "roster does not start with the pinned owner key"),
    E(PORCH_ERR_ROSTER_CHAIN, "roster entry does not continue the hash chain"),
    E(PORCH_ERR_ROSTER_NOT_ADMIN, "roster entry signed by a device that is not an admin"),
    E(PORCH_ERR_ROSTER_UNKNOWN_DEVICE, "roster entry names a device that is not in the roster"),
    E(PORCH_ERR_ROSTER_DUPLICATE, "device is already in the roster"),
    E(PORCH_ERR_ROSTER_LAST_ADMIN, "roster entry would remove the last admin"),
    E(PORCH_ERR_ROSTER_ROLLBACK, "roster is older than a roster head already seen (rollback)"),
    E(PORCH_ERR_ROSTER_FORK, "roster disagrees with a roster head already seen (fork)"),
    E(PORCH_ERR_ROSTER_HOUSEHOLD, "roster entry belongs to another household"),
    E(PORCH_ERR_HEADER_SIGNATURE, "clip header signature does not verify"),
    E(PORCH_ERR_NOT_RECIPIENT, "this device is not a recipient of the clip"),
    E(PORCH_ERR_WRAP_AUTH, "this device's key wrap does not decrypt"),
    E(PORCH_ERR_KEY_COMMITMENT, "content key does not match the header's key commitment"),
    E(PORCH_ERR_RECORD_AUTH, "record does not authenticate (tampered, or from another clip)"),
    E(PORCH_ERR_RECORD_ORDER, "records out of order or duplicated"),
    E(PORCH_ERR_RECORD_MISSING, "a record is missing"),
    E(PORCH_ERR_CLIP_UNFINISHED, "clip has no final record (truncated or unfinished)"),
    E(PORCH_ERR_AFTER_FINAL, "records follow the final record"),
    E(PORCH_ERR_PADDING, "record padding is invalid"),
    E(PORCH_ERR_HUB_NOT_ALLOWED, "clip signed by a device that is not a hub for this camera"),
    E(PORCH_ERR_WRAPS_MISMATCH, "clip recipients differ from those the roster allows"),
    E(PORCH_ERR_ROSTER_UNKNOWN_HEAD, "clip cites a roster state not in the verified roster"),
    E(PORCH_ERR_WRITER_STATE, "clip writer used after finishing or after an error"),
    E(PORCH_ERR_SHARE_MISMATCH, "share is for another clip or another device"),
    E(PORCH_ERR_SHARE_EXPIRED, "share has expired"),
    E(PORCH_ERR_SHARE_SIGNATURE, "share signature does not verify"),
    E(PORCH_ERR_GRANTER_NOT_ADMIN, "share granted by a device that is not an admin"),
    E(PORCH_ERR_LOG_PROOF, "access log proof does not verify"),
    E(PORCH_ERR_LOG_SIGNATURE, "access log checkpoint signature does not verify"),
    E(PORCH_ERR_LOG_ROLLBACK, "access log checkpoint is older than one already seen (rollback)"),
    E(PORCH_ERR_LOG_FORK, "access log has another root at a size already seen (fork)"),
    E(PORCH_ERR_LOG_WRONG_LOG, "access log checkpoint or entry belongs to another log"),
    E(PORCH_ERR_LOG_STALE, "access log proof is not for the tree head held"),
    E(PORCH_ERR_MEDIA, "media could not be demuxed, decoded or muxed"),
    E(PORCH_ERR_MEDIA_NO_VIDEO, "media has no video stream"),
    E(PORCH_ERR_STORE, "the server's metadata or blob store failed"),
    E(PORCH_ERR_NOT_FOUND, "no such object in the server's store"),
    E(PORCH_ERR_EXISTS, "object already exists, or was changed concurrently"),
    E(PORCH_ERR_QUOTA, "household storage quota exceeded"),
    E(PORCH_ERR_UPLOAD_OFFSET, "upload offset differs from the offset the server holds"),
    E(PORCH_ERR_CLIP_HASH, "uploaded clip's length or SHA-256 does not match"),
    E(PORCH_ERR_BAD_REQUEST, "malformed request field (JSON body, query, header or id)"),
    E(PORCH_ERR_CONFIG, "invalid server configuration"),
    E(PORCH_ERR_SCHEMA, "store schema version is unknown to this build"),
    E(PORCH_ERR_GRANT_SIGNATURE, "support grant signature does not verify"),
    E(PORCH_ERR_GRANT_EXPIRED, "support grant is not yet valid or has expired"),
    E(PORCH_ERR_GRANT_NOT_SUPPORT, "grant's support key is not an active support device"),
    E(PORCH_ERR_GRANT_SCOPE, "clip is outside the support grant's scope"),
    E(PORCH_ERR_HTTP, "HTTP transport failed (connection, TLS or timeout)"),
    E(PORCH_ERR_HTTP_STATUS, "server answered with an unexpected HTTP status"),
    E(PORCH_ERR_UNAUTHORIZED, "server refused: not authenticated (401)"),
    E(PORCH_ERR_FORBIDDEN, "server refused: not allowed (403)"),
    E(PORCH_ERR_CONFLICT, "server refused: conflicts with its current state (409)"),
    E(PORCH_ERR_RATE_LIMITED, "server refused: too many attempts, retry later (429)"),
    E(PORCH_ERR_REJECTED, "server rejected the request as invalid or too large"),
    E(PORCH_ERR_SERVER, "server failed (5xx)"),
    E(PORCH_ERR_BAD_RESPONSE, "server response is malformed or exceeds a limit"),
    E(PORCH_ERR_SERVER_KEY, "server key does not match the pinned key"),
    E(PORCH_ERR_UPLOAD_MISMATCH, "server holds different bytes for this clip"),
    E(PORCH_ERR_HUB_CONFIG, "hub configuration is invalid"),
    E(PORCH_ERR_HUB_STREAM, "camera stream could not be opened or was lost"),
    E(PORCH_ERR_HUB_SPOOL_FULL, "spool is full even after evicting uploaded clips"),
    E(PORCH_ERR_HUB_PARTIAL, "interrupted clip in the spool cannot be closed"),
    E(PORCH_ERR_HUB_QUEUE_FULL, "hub queue is full; the item was dropped and reported"),
    E(PORCH_ERR_HUB_UPLOAD, "upload failed and will be retried"),
    E(PORCH_ERR_HUB_STOPPED, "hub is stopping"),
    E(PORCH_ERR_ANALYSIS, "analysis stage rejected its input"),
    E(PORCH_ERR_ANALYSIS_KEY, "not an analysis configuration key"),
    E(PORCH_ERR_ANALYSIS_VALUE, "analysis configuration value malformed or out of range"),
    E(PORCH_ERR_ANALYSIS_ZONE, "an alert rule names a zone that is not defined"),
    E(PORCH_ERR_ANALYSIS_STATE, "analysis steps called out of order"),
};
#undef E

static const struct err_desc *err_find(int code)
{
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (err_table[i].code == code)
            return &err_table[i];
    return NULL;
}

const char *porch_strerror(int err)
{
    const struct err_desc *d = err_find(err);
    return d ? d->text : "unknown error";
}

const char *porch_errname(int err)
{
    const struct err_desc *d = err_find(err);
    return d ? d->name : "PORCH_ERR_UNKNOWN";
}
