/*
 * porchlight/error.h: the one error convention of the core library.
 *
 * Every fallible function returns an int: PORCH_OK (0) on success or one of
 * the negative codes below. Codes are specific enough that a caller can say
 * which structure was wrong and how without parsing text; porch_strerror()
 * gives a fixed English sentence for each. Codes are part of the ABI: never
 * renumber, only append.
 */
#ifndef PORCHLIGHT_ERROR_H
#define PORCHLIGHT_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum porch_err {
    PORCH_OK = 0,

    /* Generic */
    PORCH_ERR_NOMEM = -1,          /* allocation failed */
    PORCH_ERR_INVALID_ARG = -2,    /* caller passed a value outside the contract */
    PORCH_ERR_IO = -3,             /* read/write/fsync/rename failed (errno kept) */
    PORCH_ERR_TRUNCATED = -4,      /* input ends inside a structure */
    PORCH_ERR_TOO_LARGE = -5,      /* a length or count exceeds a hard cap */
    PORCH_ERR_BAD_MAGIC = -6,      /* not the structure the caller asked for */
    PORCH_ERR_BAD_VERSION = -7,    /* a version this build does not read */
    PORCH_ERR_MALFORMED = -8,      /* reserved bits set, bad enum, bad length */
    PORCH_ERR_TRAILING_DATA = -9,  /* bytes after the end of a complete structure */
    PORCH_ERR_UNSUPPORTED = -10,   /* valid, but this build cannot handle it */
    PORCH_ERR_CRYPTO = -11,        /* libsodium failed to initialise or a primitive failed */

    /* Device identity and key files */
    PORCH_ERR_PASSPHRASE = -20,    /* wrong passphrase or key file tampered with */
    PORCH_ERR_WEAK_KDF = -21,      /* key file's Argon2id parameters below the floor */
    PORCH_ERR_KEY_MISMATCH = -22,  /* public half does not match the secret half */

    /* Household roster */
    PORCH_ERR_ROSTER_SIGNATURE = -30,   /* an entry's signature does not verify */
    PORCH_ERR_ROSTER_PIN = -31,         /* first entry not signed by the pinned owner key */
    PORCH_ERR_ROSTER_CHAIN = -32,       /* prev_hash or sequence does not continue the chain */
    PORCH_ERR_ROSTER_NOT_ADMIN = -33,   /* signer is not an active admin at that point */
    PORCH_ERR_ROSTER_UNKNOWN_DEVICE = -34, /* entry names a device not in the roster */
    PORCH_ERR_ROSTER_DUPLICATE = -35,   /* device (or a key of it) already in the roster */
    PORCH_ERR_ROSTER_LAST_ADMIN = -36,  /* entry would leave the household without an admin */
    PORCH_ERR_ROSTER_ROLLBACK = -37,    /* roster is older than a head already seen */
    PORCH_ERR_ROSTER_FORK = -38,        /* roster disagrees with a head already seen */
    PORCH_ERR_ROSTER_HOUSEHOLD = -39,   /* entry belongs to another household */

    /* Sealed clip container */
    PORCH_ERR_HEADER_SIGNATURE = -50,   /* clip header signature does not verify */
    PORCH_ERR_NOT_RECIPIENT = -51,      /* no wrap for this device in the header */
    PORCH_ERR_WRAP_AUTH = -52,          /* this device's wrap fails to decrypt */
    PORCH_ERR_KEY_COMMITMENT = -53,     /* unwrapped key does not match the commitment */
    PORCH_ERR_RECORD_AUTH = -54,        /* a record fails to decrypt (tampered or spliced) */
    PORCH_ERR_RECORD_ORDER = -55,       /* records out of order or duplicated */
    PORCH_ERR_RECORD_MISSING = -56,     /* a gap in record indices */
    PORCH_ERR_CLIP_UNFINISHED = -57,    /* no final record: clip truncated or still recording */
    PORCH_ERR_AFTER_FINAL = -58,        /* records after the final record */
    PORCH_ERR_PADDING = -59,            /* padding bytes not zero or length inconsistent */
    PORCH_ERR_HUB_NOT_ALLOWED = -60,    /* header signer is not an active hub for the camera */
    PORCH_ERR_WRAPS_MISMATCH = -61,     /* wraps differ from the roster's allowed recipients */
    PORCH_ERR_ROSTER_UNKNOWN_HEAD = -62, /* header cites a roster state not in our chain */
    PORCH_ERR_WRITER_STATE = -63,       /* writer used after finish or after an error */
    PORCH_ERR_SHARE_MISMATCH = -64,     /* share is for another clip or another device */
    PORCH_ERR_SHARE_EXPIRED = -65,      /* share's expiry time has passed */
    PORCH_ERR_SHARE_SIGNATURE = -66,    /* share signature does not verify */
    PORCH_ERR_GRANTER_NOT_ADMIN = -67,  /* share signed by a device that is not an admin */

    /* Access log */
    PORCH_ERR_LOG_PROOF = -70,          /* inclusion or consistency proof does not verify */
    PORCH_ERR_LOG_SIGNATURE = -71,      /* log checkpoint signature does not verify */
    PORCH_ERR_LOG_ROLLBACK = -72,       /* checkpoint for a smaller tree than one already seen */
    PORCH_ERR_LOG_FORK = -73,           /* another root at a tree size already seen */
    PORCH_ERR_LOG_WRONG_LOG = -74,      /* checkpoint or entry of another household's log */
    PORCH_ERR_LOG_STALE = -75,          /* proof is not for the tree head held */

    /* Media */
    PORCH_ERR_MEDIA = -80,              /* FFmpeg could not demux, decode or mux the input */
    PORCH_ERR_MEDIA_NO_VIDEO = -81,     /* input has no video stream */

    /* Server and its stores: -110 .. -129 (server/). */
    PORCH_ERR_STORE = -110,             /* the server's metadata or blob store failed */
    PORCH_ERR_NOT_FOUND = -111,         /* no such object in the server's store */
    PORCH_ERR_EXISTS = -112,            /* object already exists (or changed concurrently) */
    PORCH_ERR_QUOTA = -113,             /* household storage quota exceeded */
    PORCH_ERR_UPLOAD_OFFSET = -114,     /* upload offset differs from the stored offset */
    PORCH_ERR_CLIP_HASH = -115,         /* uploaded clip's length or SHA-256 differs */
    PORCH_ERR_BAD_REQUEST = -116,       /* malformed HTTP request field (JSON, query, header) */
    PORCH_ERR_CONFIG = -117,            /* invalid server configuration */
    PORCH_ERR_SCHEMA = -118,            /* store schema version unknown to this build */

    /* Grants, notices and the
     * HTTP client: -130 .. -149 (lib/format, lib/client). Hub: -150 .. -169. */

    /* Support grants and notices (lib/format) */
    PORCH_ERR_GRANT_SIGNATURE = -130,   /* support grant signature does not verify */
    PORCH_ERR_GRANT_EXPIRED = -131,     /* grant not yet valid or already expired */
    PORCH_ERR_GRANT_NOT_SUPPORT = -132, /* grant's support key is not an active support device */
    PORCH_ERR_GRANT_SCOPE = -133,       /* clip is outside the grant's scope */

    /* HTTP client (lib/client) */
    PORCH_ERR_HTTP = -135,              /* transport failed: connect, TLS, timeout, cut */
    PORCH_ERR_HTTP_STATUS = -136,       /* server answered with an unexpected status */
    PORCH_ERR_UNAUTHORIZED = -137,      /* 401: not authenticated (or token no longer valid) */
    PORCH_ERR_FORBIDDEN = -138,         /* 403: authenticated but not allowed */
    /* -139 unused: a 404 is the server's PORCH_ERR_NOT_FOUND (-111) */
    PORCH_ERR_CONFLICT = -140,          /* 409: state conflict (exists, offset, rollback) */
    PORCH_ERR_RATE_LIMITED = -141,      /* 429: too many attempts, retry later */
    PORCH_ERR_REJECTED = -142,          /* 400/413/422: the server refused the request */
    PORCH_ERR_SERVER = -143,            /* 5xx: the server failed */
    PORCH_ERR_BAD_RESPONSE = -144,      /* response malformed, over a cap, or inconsistent */
    PORCH_ERR_SERVER_KEY = -145,        /* server's key differs from the pinned one */
    PORCH_ERR_UPLOAD_MISMATCH = -146,   /* server holds other bytes for this clip id */

    /* Analysis (motion, detection) */
    PORCH_ERR_ANALYSIS = -100           /* analysis stage rejected its input */
};

/* A fixed sentence for an error code; never NULL, never allocates. */
const char *porch_strerror(int err);

/* The symbolic name of an error code ("PORCH_ERR_RECORD_AUTH"); never NULL. */
const char *porch_errname(int err);

#ifdef __cplusplus
}
#endif

#endif
