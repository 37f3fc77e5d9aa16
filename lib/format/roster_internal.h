/*
 * roster_internal.h: the roster's parsed entries and replayed state.
 *
 * roster_entry.c  encodes, signs and parses single entries
 * roster_state.c  applies an entry to a membership state (the rules)
 * roster.c        the chain: verification from the pin, append, queries
 */
#ifndef PORCH_FORMAT_ROSTER_INTERNAL_H
#define PORCH_FORMAT_ROSTER_INTERNAL_H

#include "porchlight/roster.h"

#define ROSTER_ENTRY_VERSION 1u
#define ROSTER_ENTRY_MAX 4096u
#define ROSTER_SIGNED_FIXED 100u /* bytes before the body */

enum roster_entry_type {
    ENTRY_GENESIS = 1,
    ENTRY_ADD = 2,
    ENTRY_REMOVE = 3,
    ENTRY_ROTATE = 4
};

struct roster_entry {
    uint8_t type;
    uint64_t seq;
    uint8_t prev_hash[PORCH_HASH_BYTES];
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    uint64_t time;
    uint8_t signer[PORCH_SIGN_PK_BYTES];
    porch_member member;                  /* GENESIS, ADD: the device added */
    uint8_t target[PORCH_SIGN_PK_BYTES];  /* REMOVE, ROTATE: the device changed */
    porch_device_public new_keys;         /* ROTATE */
    uint8_t signature[PORCH_SIGNATURE_BYTES];
    uint8_t hash[PORCH_HASH_BYTES];       /* of the whole encoded entry */
    uint8_t *raw;                         /* encoded entry, malloc()ed, owned */
    size_t raw_len;
};

/* Active members, in the order they were added. */
struct roster_state {
    size_t n;
    porch_member members[PORCH_ROSTER_MAX_MEMBERS];
};

/* The roster: entries in chain order and the state at the head. */
struct porch_roster {
    uint8_t owner[PORCH_SIGN_PK_BYTES];         /* the pinned key */
    uint8_t household[PORCH_HOUSEHOLD_ID_BYTES];
    struct roster_entry *entries;
    size_t n, cap;
    struct roster_state head;                   /* state after entries[n-1] */
};

/*
 * Encodes e's fields (raw, hash and signature ignored) and signs them with
 * signer, filling e->signature, e->hash, e->raw (malloc()ed, owned by e).
 */
int porch__roster_entry_seal(struct roster_entry *e, const porch_device_secret *signer);

/*
 * Parses one encoded entry; checks structure only (not signature or rules).
 * e->raw is a malloc()ed copy owned by e. Free with porch__roster_entry_clear().
 */
int porch__roster_entry_parse(struct roster_entry *e, const uint8_t *raw, size_t len);

/* Checks e's signature by e->signer. */
int porch__roster_entry_verify_sig(const struct roster_entry *e);

void porch__roster_entry_clear(struct roster_entry *e);

/* Applies e to st after checking the membership rules; st unchanged on error. */
int porch__roster_state_apply(struct roster_state *st, const struct roster_entry *e);

const porch_member *porch__roster_state_find(const struct roster_state *st,
                                             const uint8_t sign_pk[PORCH_SIGN_PK_BYTES]);

int porch__scope_valid(const porch_scope *scope);

/* porch_roster_create() with a given household id, for reproducible vectors. */
int porch__roster_create_with(porch_roster **out, const porch_device_secret *owner,
                              uint64_t now, const uint8_t household[PORCH_HOUSEHOLD_ID_BYTES]);

#endif
