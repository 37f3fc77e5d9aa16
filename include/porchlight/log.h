/*
 * porchlight/log.h: the verifiable access log.
 *
 * Every read of a household's data (clip, fragment, notice, roster, grant,
 * live session) is appended to a per-household Merkle-tree log before the
 * data is served. The server signs tree heads (checkpoints); a client keeps
 * the last checkpoint it verified (porch_log_monitor) and accepts a new one
 * only with a consistency proof from the old, so a server that rewrites,
 * truncates or forks the log is caught, and it checks inclusion proofs for
 * the entries that describe its own reads.
 *
 * Hashing is RFC 9162 (RFC 6962) with SHA-256: leaf = H(0x00 || entry),
 * node = H(0x01 || left || right). Proofs are the RFC's audit paths and
 * consistency proofs; verification is the RFC's iterative algorithm.
 * Byte layouts, rules and test vectors: docs/LOG.md.
 *
 * Limits: tree sizes are < PORCH_LOG_MAX_TREE_SIZE (2^48) and proofs carry
 * at most PORCH_LOG_MAX_PROOF hashes; everything beyond is rejected.
 */
#ifndef PORCHLIGHT_LOG_H
#define PORCHLIGHT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "porchlight/error.h"
#include "porchlight/identity.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Errors: PORCH_ERR_LOG_* in porchlight/error.h. */

#define PORCH_LOG_HASH_BYTES 32u
#define PORCH_LOG_ID_BYTES 16u
#define PORCH_LOG_OBJECT_ID_BYTES 16u
/* Tree sizes (and so leaf indices) are strictly below 2^48. */
#define PORCH_LOG_MAX_TREE_SIZE (UINT64_C(1) << 48)
/* Hard cap on hashes in a serialised proof; real proofs need <= 49. */
#define PORCH_LOG_MAX_PROOF 64u

/* ---- Hashing (RFC 9162 §2.1.1) ---------------------------------------- */

/* H(0x00 || entry). */
void porch_log_leaf_hash(uint8_t out[PORCH_LOG_HASH_BYTES], const uint8_t *entry, size_t len);
/* H(0x01 || left || right). */
void porch_log_node_hash(uint8_t out[PORCH_LOG_HASH_BYTES],
                         const uint8_t left[PORCH_LOG_HASH_BYTES],
                         const uint8_t right[PORCH_LOG_HASH_BYTES]);

/* ---- Log entries ------------------------------------------------------- */

typedef enum porch_log_kind {
    PORCH_LOG_KIND_CLIP = 1,
    PORCH_LOG_KIND_FRAGMENT = 2,
    PORCH_LOG_KIND_NOTICE = 3,
    PORCH_LOG_KIND_ROSTER = 4,
    PORCH_LOG_KIND_GRANT = 5,
    PORCH_LOG_KIND_LIVE = 6
} porch_log_kind;

#define PORCH_LOG_ENTRY_VERSION 1u
#define PORCH_LOG_ENTRY_BYTES 74u

/* One read: who (reader's signing key) read what (kind, object id) of which
 * household, when (Unix time in microseconds). */
typedef struct porch_log_entry {
    uint8_t household[PORCH_LOG_ID_BYTES];
    porch_log_kind kind;
    uint8_t object_id[PORCH_LOG_OBJECT_ID_BYTES];
    uint8_t reader_pk[PORCH_SIGN_PK_BYTES];
    uint64_t time_us;
} porch_log_entry;

int porch_log_entry_encode(const porch_log_entry *e, uint8_t out[PORCH_LOG_ENTRY_BYTES]);
/* Exactly PORCH_LOG_ENTRY_BYTES bytes, version 1, a known kind. */
int porch_log_entry_decode(porch_log_entry *out, const uint8_t *in, size_t len);

/* ---- Append-only store of leaf hashes ---------------------------------- */

typedef struct porch_log_store porch_log_store;

/*
 * What a backend implements (memory and file here; SQLite/PostgreSQL in the
 * server). Leaf i, once appended, never changes. get_perfect_subtree is
 * optional (NULL, or returning PORCH_ERR_UNSUPPORTED, means "compute it"):
 * it is the hook for a cache of interior nodes, asked only for complete,
 * aligned subtrees [lo, lo + 2^level), whose hashes never change.
 */
typedef struct porch_log_store_ops {
    int (*append_leaf_hash)(porch_log_store *s, const uint8_t hash[PORCH_LOG_HASH_BYTES]);
    int (*size)(const porch_log_store *s, uint64_t *out);
    int (*get_leaf_hash)(const porch_log_store *s, uint64_t index,
                         uint8_t out[PORCH_LOG_HASH_BYTES]);
    int (*get_perfect_subtree)(const porch_log_store *s, uint64_t lo, unsigned level,
                               uint8_t out[PORCH_LOG_HASH_BYTES]);
    void (*destroy)(porch_log_store *s);
} porch_log_store_ops;

/* Backends embed this as their first member. */
struct porch_log_store {
    const porch_log_store_ops *ops;
};

/* Ownership: *out owned by the caller, released with porch_log_store_free(). */
int porch_log_store_mem_new(porch_log_store **out);

/*
 * Opens (creating if absent, mode 0600) a file store: a 16-byte header and
 * then one 32-byte leaf hash per leaf, fsync()ed on every append. A torn
 * final write (file body not a multiple of 32) is cut off, fsync()ed, and its
 * length reported in *torn_bytes (may be NULL). One writer per file (flock).
 * Ownership: as porch_log_store_mem_new().
 */
int porch_log_store_file_open(porch_log_store **out, const char *path, size_t *torn_bytes);

/* Closes and frees; NULL is a no-op. The pointer is invalid afterwards. */
void porch_log_store_free(porch_log_store *s);

int porch_log_store_size(const porch_log_store *s, uint64_t *out);
int porch_log_store_leaf(const porch_log_store *s, uint64_t index,
                         uint8_t out[PORCH_LOG_HASH_BYTES]);
/* Appends H(0x00 || entry); *index (may be NULL) receives its leaf index. */
int porch_log_append(porch_log_store *s, const uint8_t *entry, size_t len, uint64_t *index);

/* ---- Trees and proofs (RFC 9162 §2.1.2-2.1.4) --------------------------- */

typedef struct porch_log_inclusion {
    uint64_t leaf_index;        /* < tree_size */
    uint64_t tree_size;         /* < PORCH_LOG_MAX_TREE_SIZE */
    unsigned n_hashes;          /* <= PORCH_LOG_MAX_PROOF */
    uint8_t hashes[PORCH_LOG_MAX_PROOF][PORCH_LOG_HASH_BYTES];
} porch_log_inclusion;

typedef struct porch_log_consistency {
    uint64_t size1;             /* 0 < size1 < size2 */
    uint64_t size2;             /* < PORCH_LOG_MAX_TREE_SIZE */
    unsigned n_hashes;          /* <= PORCH_LOG_MAX_PROOF */
    uint8_t hashes[PORCH_LOG_MAX_PROOF][PORCH_LOG_HASH_BYTES];
} porch_log_consistency;

/* MTH of the first tree_size leaves (tree_size <= store size; 0 gives H("")). */
int porch_log_root(const porch_log_store *s, uint64_t tree_size,
                   uint8_t root[PORCH_LOG_HASH_BYTES]);
/* PATH(leaf_index, D[tree_size]). */
int porch_log_prove_inclusion(const porch_log_store *s, uint64_t leaf_index, uint64_t tree_size,
                              porch_log_inclusion *out);
/* PROOF(size1, D[size2]), 0 < size1 < size2. */
int porch_log_prove_consistency(const porch_log_store *s, uint64_t size1, uint64_t size2,
                                porch_log_consistency *out);

/* RFC 9162 §2.1.3.2. PORCH_OK, or PORCH_ERR_LOG_PROOF. */
int porch_log_verify_inclusion(const uint8_t leaf_hash[PORCH_LOG_HASH_BYTES],
                               const porch_log_inclusion *p,
                               const uint8_t root[PORCH_LOG_HASH_BYTES]);
/* RFC 9162 §2.1.4.2. PORCH_OK, or PORCH_ERR_LOG_PROOF. */
int porch_log_verify_consistency(const porch_log_consistency *p,
                                 const uint8_t root1[PORCH_LOG_HASH_BYTES],
                                 const uint8_t root2[PORCH_LOG_HASH_BYTES]);

/* Serialised proofs: 19-byte header + n_hashes * 32 bytes. */
#define PORCH_LOG_PROOF_MAX_BYTES (19u + PORCH_LOG_MAX_PROOF * PORCH_LOG_HASH_BYTES)
int porch_log_inclusion_encode(const porch_log_inclusion *p, uint8_t *out, size_t cap,
                               size_t *out_len);
int porch_log_inclusion_decode(porch_log_inclusion *out, const uint8_t *in, size_t len);
int porch_log_consistency_encode(const porch_log_consistency *p, uint8_t *out, size_t cap,
                                 size_t *out_len);
int porch_log_consistency_decode(porch_log_consistency *out, const uint8_t *in, size_t len);

/* ---- Signed tree heads -------------------------------------------------- */

#define PORCH_LOG_CHECKPOINT_VERSION 1u
#define PORCH_LOG_CHECKPOINT_BYTES 129u
#define PORCH_LOG_CHECKPOINT_DOMAIN "porchlight/v1/log-checkpoint"

typedef struct porch_log_checkpoint {
    uint8_t log_id[PORCH_LOG_ID_BYTES];      /* the household id */
    uint64_t tree_size;                      /* < PORCH_LOG_MAX_TREE_SIZE */
    uint8_t root[PORCH_LOG_HASH_BYTES];      /* MTH of the first tree_size leaves */
    uint64_t timestamp_us;                   /* Unix microseconds, server clock */
    uint8_t signature[PORCH_SIGNATURE_BYTES];
} porch_log_checkpoint;

/* Signs the fields of *cp (all but signature) with the server's key. */
int porch_log_checkpoint_sign(porch_log_checkpoint *cp, const porch_device_secret *server);
/* Computes the root of the whole store and signs it into *out. */
int porch_log_checkpoint_make(porch_log_checkpoint *out, const porch_log_store *s,
                              const uint8_t log_id[PORCH_LOG_ID_BYTES], uint64_t timestamp_us,
                              const porch_device_secret *server);
/* PORCH_OK, or PORCH_ERR_LOG_SIGNATURE (also for a size beyond the cap). */
int porch_log_checkpoint_verify(const porch_log_checkpoint *cp,
                                const uint8_t server_pk[PORCH_SIGN_PK_BYTES]);
int porch_log_checkpoint_encode(const porch_log_checkpoint *cp,
                                uint8_t out[PORCH_LOG_CHECKPOINT_BYTES]);
int porch_log_checkpoint_decode(porch_log_checkpoint *out, const uint8_t *in, size_t len);

/*
 * Stateless check: the checkpoint is signed by server_pk, and the entry
 * (encoded bytes) is leaf proof->leaf_index of the tree it signs.
 */
int porch_log_verify_entry(const porch_log_checkpoint *cp,
                           const uint8_t server_pk[PORCH_SIGN_PK_BYTES], const uint8_t *entry,
                           size_t entry_len, const porch_log_inclusion *proof);

/* ---- Client-side monitor ------------------------------------------------ */

/* What a client remembers of one household's log. Plain data: persist it. */
typedef struct porch_log_monitor {
    uint8_t log_id[PORCH_LOG_ID_BYTES];
    uint8_t server_pk[PORCH_SIGN_PK_BYTES];
    int have_head;                 /* 0 until the first checkpoint is accepted */
    porch_log_checkpoint head;     /* last verified checkpoint */
} porch_log_monitor;

void porch_log_monitor_init(porch_log_monitor *m, const uint8_t log_id[PORCH_LOG_ID_BYTES],
                            const uint8_t server_pk[PORCH_SIGN_PK_BYTES]);

/*
 * Accepts cp if it is signed, names this log, and extends the head held:
 * smaller size -> PORCH_ERR_LOG_ROLLBACK; same size, other root ->
 * PORCH_ERR_LOG_FORK; larger size -> proof (size1 = head size, size2 =
 * cp size) must verify, else PORCH_ERR_LOG_PROOF. The first checkpoint, or a
 * successor of an empty head, needs no proof (proof may be NULL). On any
 * error the monitor is unchanged.
 */
int porch_log_monitor_update(porch_log_monitor *m, const porch_log_checkpoint *cp,
                             const porch_log_consistency *proof);

/*
 * Checks that an encoded entry of this household is in the head held:
 * proof->tree_size must equal the head's size (else PORCH_ERR_LOG_STALE:
 * update the monitor first).
 */
int porch_log_monitor_check_entry(const porch_log_monitor *m, const uint8_t *entry,
                                  size_t entry_len, const porch_log_inclusion *proof);

#ifdef __cplusplus
}
#endif

#endif
