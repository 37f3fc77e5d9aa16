/*
 * log_tree.c: Merkle tree hashes and proofs over a store, exactly as the
 * recursive definitions of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and
 * §2.1.4.1 (PROOF/SUBPROOF) read, with ranges [lo, hi) of leaf indices in
 * place of list slices.
 *
 * Cost without a cache: a root of n leaves reads n leaf hashes and computes
 * n - 1 node hashes; a proof computes hashes of disjoint subtrees that
 * together cover at most the tree, so it is O(n) too. With a
 * get_perfect_subtree cache every subtree hash needed is O(log n) work
 * (each range splits into O(log n) perfect subtrees), so roots and proofs
 * become O(log^2 n) lookups, O(log n) with a cache of the right frontier.
 */
#include <string.h>

#include <sodium.h>

#include "log/log_internal.h"

static int is_pow2(uint64_t n)
{
    return n && (n & (n - 1)) == 0;
}

static unsigned log2_exact(uint64_t n)
{
    unsigned level = 0;

    while (n > 1) {
        n >>= 1;
        level++;
    }
    return level;
}

/* Asks the store's cache for a complete, aligned subtree; UNSUPPORTED when
 * there is none or the range is not such a subtree. */
static int cached_subtree(const porch_log_store *s, uint64_t lo, uint64_t n,
                          uint8_t out[PORCH_LOG_HASH_BYTES])
{
    if (!s->ops->get_perfect_subtree || !is_pow2(n) || lo % n != 0)
        return PORCH_ERR_UNSUPPORTED;
    return s->ops->get_perfect_subtree(s, lo, log2_exact(n), out);
}

int porch__log_range_hash(const porch_log_store *s, uint64_t lo, uint64_t hi,
                          uint8_t out[PORCH_LOG_HASH_BYTES])
{
    uint8_t left[PORCH_LOG_HASH_BYTES], right[PORCH_LOG_HASH_BYTES];
    uint64_t n = hi - lo, k;
    int ret;

    if (n == 1)
        return s->ops->get_leaf_hash(s, lo, out);
    if ((ret = cached_subtree(s, lo, n, out)) != PORCH_ERR_UNSUPPORTED)
        return ret;
    k = porch__log_split(n);
    if ((ret = porch__log_range_hash(s, lo, lo + k, left)) != PORCH_OK ||
        (ret = porch__log_range_hash(s, lo + k, hi, right)) != PORCH_OK)
        return ret;
    porch_log_node_hash(out, left, right);
    return PORCH_OK;
}

/* Fails unless the first `need` leaves exist and `need` is within the cap. */
static int check_have(const porch_log_store *s, uint64_t need)
{
    uint64_t have = 0;
    int ret;

    if (!porch__log_size_ok(need))
        return PORCH_ERR_TOO_LARGE;
    if ((ret = porch_log_store_size(s, &have)) != PORCH_OK)
        return ret;
    return need <= have ? PORCH_OK : PORCH_ERR_INVALID_ARG;
}

int porch_log_root(const porch_log_store *s, uint64_t tree_size,
                   uint8_t root[PORCH_LOG_HASH_BYTES])
{
    int ret;

    if (root)
        memset(root, 0, PORCH_LOG_HASH_BYTES);
    if (!s || !root)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = check_have(s, tree_size)) != PORCH_OK)
        return ret;
    if (tree_size == 0) {
        crypto_hash_sha256(root, NULL, 0);   /* MTH({}) = HASH() */
        return PORCH_OK;
    }
    return porch__log_range_hash(s, 0, tree_size, root);
}

/* Appends a subtree hash to a proof; the caps make overflow impossible for
 * valid sizes (depth <= 48), so this only guards the invariant. */
static int push_range(const porch_log_store *s, uint64_t lo, uint64_t hi, unsigned *n,
                      uint8_t (*hashes)[PORCH_LOG_HASH_BYTES])
{
    if (*n >= PORCH_LOG_MAX_PROOF)
        return PORCH_ERR_TOO_LARGE;
    return porch__log_range_hash(s, lo, hi, hashes[(*n)++]);
}

/* PATH(m, D[lo:hi]): siblings from the leaf upwards. */
static int path(const porch_log_store *s, uint64_t m, uint64_t lo, uint64_t hi,
                porch_log_inclusion *p)
{
    uint64_t k;
    int ret;

    if (hi - lo == 1)
        return PORCH_OK;
    k = porch__log_split(hi - lo);
    if (m < lo + k) {
        if ((ret = path(s, m, lo, lo + k, p)) != PORCH_OK)
            return ret;
        return push_range(s, lo + k, hi, &p->n_hashes, p->hashes);
    }
    if ((ret = path(s, m, lo + k, hi, p)) != PORCH_OK)
        return ret;
    return push_range(s, lo, lo + k, &p->n_hashes, p->hashes);
}

int porch_log_prove_inclusion(const porch_log_store *s, uint64_t leaf_index, uint64_t tree_size,
                              porch_log_inclusion *out)
{
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!s || !out || leaf_index >= tree_size)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = check_have(s, tree_size)) != PORCH_OK)
        return ret;
    out->leaf_index = leaf_index;
    out->tree_size = tree_size;
    if ((ret = path(s, leaf_index, 0, tree_size, out)) != PORCH_OK)
        memset(out, 0, sizeof *out);
    return ret;
}

/* SUBPROOF(m, D[lo:hi], b), m counted from lo; 0 < m <= hi - lo. */
static int subproof(const porch_log_store *s, uint64_t m, uint64_t lo, uint64_t hi, int b,
                    porch_log_consistency *p)
{
    uint64_t n = hi - lo, k;
    int ret;

    if (m == n)
        return b ? PORCH_OK : push_range(s, lo, hi, &p->n_hashes, p->hashes);
    k = porch__log_split(n);
    if (m <= k) {
        if ((ret = subproof(s, m, lo, lo + k, b, p)) != PORCH_OK)
            return ret;
        return push_range(s, lo + k, hi, &p->n_hashes, p->hashes);
    }
    if ((ret = subproof(s, m - k, lo + k, hi, 0, p)) != PORCH_OK)
        return ret;
    return push_range(s, lo, lo + k, &p->n_hashes, p->hashes);
}

int porch_log_prove_consistency(const porch_log_store *s, uint64_t size1, uint64_t size2,
                                porch_log_consistency *out)
{
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!s || !out || size1 == 0 || size1 >= size2)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = check_have(s, size2)) != PORCH_OK)
        return ret;
    out->size1 = size1;
    out->size2 = size2;
    if ((ret = subproof(s, size1, 0, size2, 1, out)) != PORCH_OK)
        memset(out, 0, sizeof *out);
    return ret;
}
