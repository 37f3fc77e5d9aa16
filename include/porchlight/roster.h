/*
 * porchlight/roster.h: the household roster.
 *
 * The roster is an append-only chain of entries. Entry 0 (genesis) is signed
 * by the owner's first key, which every hub and client pins at pairing; each
 * later entry names the hash of the one before and is signed by a device that
 * was an active admin just before it. Replaying the chain from the pinned key
 * gives the roster's state: which devices are members, with which role and
 * which cameras. Nobody without an admin's secret key (the server included)
 * can add, remove or change a device.
 *
 * Rollback and fork protection needs memory: a device keeps the last head it
 * accepted (porch_roster_head) and passes it to porch_roster_load(), which
 * refuses any roster that does not extend it.
 *
 * Byte layouts: docs/FORMAT.md, "Household roster".
 */
#ifndef PORCHLIGHT_ROSTER_H
#define PORCHLIGHT_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/identity.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_HOUSEHOLD_ID_BYTES 16u
#define PORCH_HASH_BYTES 32u
/* Camera ids: 1..63 bytes of [a-z0-9._-]. */
#define PORCH_CAMERA_ID_MAX 63u
#define PORCH_SCOPE_MAX_CAMERAS 32u
#define PORCH_ROSTER_MAX_ENTRIES 4096u
#define PORCH_ROSTER_MAX_MEMBERS 256u

typedef enum porch_role {
    PORCH_ROLE_ADMIN = 1,    /* manages the roster; views every camera in scope */
    PORCH_ROLE_MEMBER = 2,   /* views the cameras in scope */
    PORCH_ROLE_HUB = 3,      /* records the cameras in scope; views nothing */
    PORCH_ROLE_SUPPORT = 4   /* views nothing unless granted (server issue) */
} porch_role;

typedef struct porch_scope {
    uint8_t all_cameras;     /* 1: every camera, now and future; cameras[] empty */
    uint8_t n_cameras;       /* <= PORCH_SCOPE_MAX_CAMERAS */
    char cameras[PORCH_SCOPE_MAX_CAMERAS][PORCH_CAMERA_ID_MAX + 1];
} porch_scope;

typedef struct porch_member {
    porch_device_public device;
    porch_role role;
    porch_scope scope;
    uint64_t added_seq;      /* entry that added (or last rotated) this device */
} porch_member;

/* What a device remembers of the last roster it accepted. */
typedef struct porch_roster_head {
    uint64_t seq;                       /* index of the last entry */
    uint8_t hash[PORCH_HASH_BYTES];     /* its entry hash */
} porch_roster_head;

typedef struct porch_roster porch_roster;

/* True when id is a valid camera id. */
int porch_camera_id_valid(const char *id);

/* True when the scope covers the camera. */
int porch_scope_covers(const porch_scope *scope, const char *camera);

/*
 * Starts a household: a genesis entry by which the owner adds itself as an
 * admin of every camera. now is Unix seconds. The household id is random.
 * Ownership: *out owned by the caller, released with porch_roster_free().
 */
int porch_roster_create(porch_roster **out, const porch_device_secret *owner, uint64_t now);

/* Appends a signed entry. admin must be an active admin at the head. On any
 * error the roster is unchanged. */
int porch_roster_add(porch_roster *r, const porch_device_secret *admin,
                     const porch_device_public *device, porch_role role,
                     const porch_scope *scope, uint64_t now);
int porch_roster_remove(porch_roster *r, const porch_device_secret *admin,
                        const uint8_t sign_pk[PORCH_SIGN_PK_BYTES], uint64_t now);
/* Replaces a device's keys (and name), keeping its role and scope. */
int porch_roster_rotate(porch_roster *r, const porch_device_secret *admin,
                        const uint8_t old_sign_pk[PORCH_SIGN_PK_BYTES],
                        const porch_device_public *new_keys, uint64_t now);

/*
 * Parses and verifies a roster file image from the pinned owner key. When
 * seen is not NULL the roster must extend it (PORCH_ERR_ROSTER_ROLLBACK if it
 * is shorter, PORCH_ERR_ROSTER_FORK if it differs at seen->seq). On error,
 * *bad_entry (if not NULL) is the index of the offending entry, or UINT64_MAX
 * for file-level errors.
 * Ownership: *out owned by the caller, released with porch_roster_free().
 */
int porch_roster_load(porch_roster **out, const uint8_t *file, size_t file_len,
                      const uint8_t pinned_owner[PORCH_SIGN_PK_BYTES],
                      const porch_roster_head *seen, uint64_t *bad_entry);

/*
 * The key that signed entry 0 of a roster file, read WITHOUT verification:
 * a candidate pin when the caller knows only the owner's fingerprint. Trust
 * it only after porch_roster_load() with it succeeds and the genesis device's
 * fingerprint matches.
 */
int porch_roster_peek_owner(const uint8_t *file, size_t file_len,
                            uint8_t out[PORCH_SIGN_PK_BYTES]);

/* Serialises. Ownership: *out malloc()ed, released by the caller with free(). */
int porch_roster_encode(const porch_roster *r, uint8_t **out, size_t *out_len);

/* NULL-safe. */
void porch_roster_free(porch_roster *r);

void porch_roster_get_head(const porch_roster *r, porch_roster_head *out);
const uint8_t *porch_roster_household(const porch_roster *r);
/* Sign key of the genesis signer (the pinned owner key). */
const uint8_t *porch_roster_owner(const porch_roster *r);
uint64_t porch_roster_entry_count(const porch_roster *r);
/* Time of entry seq (Unix seconds), or 0 if out of range. */
uint64_t porch_roster_entry_time(const porch_roster *r, uint64_t seq);

/* Active members at the head; i < porch_roster_member_count(). */
size_t porch_roster_member_count(const porch_roster *r);
const porch_member *porch_roster_member(const porch_roster *r, size_t i);
/* The active member with this signing key at the head, or NULL. */
const porch_member *porch_roster_find(const porch_roster *r,
                                      const uint8_t sign_pk[PORCH_SIGN_PK_BYTES]);

/*
 * Devices allowed to view camera as of entry seq (admins and members whose
 * scope covers it), in roster order. Writes at most cap of them to out and
 * their number to *n (PORCH_ERR_TOO_LARGE if more than cap).
 */
int porch_roster_viewers_at(const porch_roster *r, uint64_t seq, const char *camera,
                            porch_device_public *out, size_t cap, size_t *n);

/* PORCH_OK when sign_pk was an active hub covering camera as of entry seq,
 * else PORCH_ERR_HUB_NOT_ALLOWED. */
int porch_roster_check_hub_at(const porch_roster *r, uint64_t seq,
                              const uint8_t sign_pk[PORCH_SIGN_PK_BYTES], const char *camera);

/* Entry hash of entry seq, for checking a cited head (PORCH_ERR_ROSTER_UNKNOWN_HEAD
 * when seq is beyond the head). */
int porch_roster_hash_at(const porch_roster *r, uint64_t seq, uint8_t out[PORCH_HASH_BYTES]);

const char *porch_role_name(porch_role role);
/* Parses "admin", "member", "hub", "support"; PORCH_ERR_INVALID_ARG otherwise. */
int porch_role_parse(const char *text, porch_role *out);

#ifdef __cplusplus
}
#endif

#endif
