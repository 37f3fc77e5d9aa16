/*
 * log_internal.h: what the log module's files share.
 *
 * Tree shape (RFC 9162 §2.1.1): a range of n > 1 leaves splits at k, the
 * largest power of two strictly below n; the left part [lo, lo+k) is always
 * a complete ("perfect") subtree, so its hash never changes once its last
 * leaf exists. porch__log_range_hash() is the only place that turns leaves
 * into interior hashes: a cache of perfect subtrees slots in there (through
 * the store's get_perfect_subtree hook) without touching proofs or roots.
 */
#ifndef PORCH_LOG_INTERNAL_H
#define PORCH_LOG_INTERNAL_H

#include <stdint.h>

#include "porchlight/log.h"

/* Largest power of two strictly below n; n >= 2. */
uint64_t porch__log_split(uint64_t n);

/* True when tree sizes and indices are within the module's caps. */
int porch__log_size_ok(uint64_t n);

/* MTH(D[lo:hi]) over the store's leaves; lo < hi <= store size. Costs
 * O(hi - lo) hashes and leaf reads without a cache, recursion depth <= 48. */
int porch__log_range_hash(const porch_log_store *s, uint64_t lo, uint64_t hi,
                          uint8_t out[PORCH_LOG_HASH_BYTES]);

/* The 65 signed bytes of a checkpoint (everything before the signature). */
#define PORCH__LOG_CHECKPOINT_BODY_BYTES 65u
void porch__log_checkpoint_body(const porch_log_checkpoint *cp,
                                uint8_t out[PORCH__LOG_CHECKPOINT_BODY_BYTES]);

#endif
