/*
 * log_verify.c: the iterative proof verifiers of RFC 9162 §2.1.3.2
 * (inclusion) and §2.1.4.2 (consistency), step for step.
 *
 * fn and sn walk the binary representations of the leaf's index (or
 * size1 - 1) and of the last index (size2 - 1) up the tree: at each level,
 * LSB(fn) says whether our node is a right child, and fn == sn says it is
 * the rightmost node of its level (which has no right sibling, so the level
 * is skipped). A proof verifies only if it is used up exactly when sn
 * reaches 0, i.e. it has exactly the length the sizes imply; so a truncated
 * or extended proof, a wrong index or a wrong size fails.
 */
#include <string.h>

#include <sodium.h>

#include "log/log_internal.h"

static void shift_to_right_child(uint64_t *fn, uint64_t *sn)
{
    /* "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0" */
    while (*fn != 0 && (*fn & 1) == 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

static int same_hash(const uint8_t a[PORCH_LOG_HASH_BYTES], const uint8_t b[PORCH_LOG_HASH_BYTES])
{
    return sodium_memcmp(a, b, PORCH_LOG_HASH_BYTES) == 0;
}

int porch_log_verify_inclusion(const uint8_t leaf_hash[PORCH_LOG_HASH_BYTES],
                               const porch_log_inclusion *p,
                               const uint8_t root[PORCH_LOG_HASH_BYTES])
{
    uint8_t r[PORCH_LOG_HASH_BYTES];
    uint64_t fn, sn;

    if (!leaf_hash || !p || !root)
        return PORCH_ERR_INVALID_ARG;
    if (!porch__log_size_ok(p->tree_size) || p->leaf_index >= p->tree_size ||
        p->n_hashes > PORCH_LOG_MAX_PROOF)
        return PORCH_ERR_LOG_PROOF;
    fn = p->leaf_index;
    sn = p->tree_size - 1;
    memcpy(r, leaf_hash, sizeof r);
    for (unsigned i = 0; i < p->n_hashes; i++) {
        if (sn == 0)
            return PORCH_ERR_LOG_PROOF;
        if ((fn & 1) || fn == sn) {
            porch_log_node_hash(r, p->hashes[i], r);
            shift_to_right_child(&fn, &sn);
        } else {
            porch_log_node_hash(r, r, p->hashes[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && same_hash(r, root) ? PORCH_OK : PORCH_ERR_LOG_PROOF;
}

/* The RFC's consistency_path after step 2: root1 prepended when size1 is a
 * power of two (that subtree is then the old tree itself, never sent). */
struct cpath {
    const porch_log_consistency *p;
    const uint8_t *first;     /* root1 when prepended, else NULL */
    unsigned len;
};

static const uint8_t *cpath_at(const struct cpath *c, unsigned i)
{
    if (c->first)
        return i == 0 ? c->first : c->p->hashes[i - 1];
    return c->p->hashes[i];
}

static int consistency_args_ok(const porch_log_consistency *p)
{
    return p->size1 > 0 && p->size1 < p->size2 && porch__log_size_ok(p->size2) &&
           p->n_hashes > 0 && p->n_hashes <= PORCH_LOG_MAX_PROOF;
}

int porch_log_verify_consistency(const porch_log_consistency *p,
                                 const uint8_t root1[PORCH_LOG_HASH_BYTES],
                                 const uint8_t root2[PORCH_LOG_HASH_BYTES])
{
    uint8_t fr[PORCH_LOG_HASH_BYTES], sr[PORCH_LOG_HASH_BYTES];
    struct cpath c;
    uint64_t fn, sn;

    if (!p || !root1 || !root2)
        return PORCH_ERR_INVALID_ARG;
    /* Step 1 (empty path fails) is in consistency_args_ok. */
    if (!consistency_args_ok(p))
        return PORCH_ERR_LOG_PROOF;
    c.p = p;
    c.first = (p->size1 & (p->size1 - 1)) == 0 ? root1 : NULL;      /* step 2 */
    c.len = p->n_hashes + (c.first ? 1u : 0u);
    fn = p->size1 - 1;                                                 /* step 3 */
    sn = p->size2 - 1;
    while (fn & 1) {                                                   /* step 4 */
        fn >>= 1;
        sn >>= 1;
    }
    memcpy(fr, cpath_at(&c, 0), sizeof fr);                            /* step 5 */
    memcpy(sr, fr, sizeof sr);
    for (unsigned i = 1; i < c.len; i++) {                             /* step 6 */
        const uint8_t *h = cpath_at(&c, i);
        if (sn == 0)
            return PORCH_ERR_LOG_PROOF;
        if ((fn & 1) || fn == sn) {
            porch_log_node_hash(fr, h, fr);
            porch_log_node_hash(sr, h, sr);
            shift_to_right_child(&fn, &sn);
        } else {
            porch_log_node_hash(sr, sr, h);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* step 7 */
    return sn == 0 && same_hash(fr, root1) && same_hash(sr, root2) ? PORCH_OK
                                                                   : PORCH_ERR_LOG_PROOF;
}
