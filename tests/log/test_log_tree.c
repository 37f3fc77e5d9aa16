/*
 * test_log_tree.c: roots and proofs against the RFC 9162 definitions.
 *
 * For every tree size 1..70 and every leaf index / older size, the library's
 * roots, audit paths and consistency proofs must equal those of the
 * recursive reference in ref.h, and must verify; then every way of
 * tampering with them that a server could try must fail: a flipped bit in
 * any proof hash, another leaf index, other sizes (checked against the root
 * of the size claimed, which is how a checkpoint binds size and root),
 * truncated and extended proofs. The same answers must come out of a store
 * that serves perfect subtrees from a cache (the get_perfect_subtree hook).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "porchlight/identity.h"
#include "porchlight/log.h"
#include "ref.h"

#define MAX_N 70
/* Every bit of every proof hash is flipped, and every other leaf index
 * tried, for trees up to this size; above it a spread sample (16 bits per
 * hash, neighbouring and one-bit-off indices), to stay fast. */
#define ALL_BITS_N 16

static uint8_t leaves[MAX_N][32];
static uint8_t roots[MAX_N + 1][32];

static void make_leaves(void)
{
    char entry[32];
    for (int i = 0; i < MAX_N; i++) {
        int len = snprintf(entry, sizeof entry, "entry-%d", i);
        ref_leaf(leaves[i], entry, (size_t)len);
    }
    for (size_t n = 0; n <= MAX_N; n++)
        ref_mth(roots[n], (const uint8_t (*)[32])leaves, n);
}

static porch_log_store *make_store(void)
{
    porch_log_store *s = NULL;
    char entry[32];

    REQUIRE(porch_log_store_mem_new(&s) == PORCH_OK);
    for (int i = 0; i < MAX_N; i++) {
        int len = snprintf(entry, sizeof entry, "entry-%d", i);
        uint64_t idx = 99;
        CHECK_OK(porch_log_append(s, (const uint8_t *)entry, (size_t)len, &idx));
        CHECK(idx == (uint64_t)i);
    }
    return s;
}

/* ---- A store with a cache of perfect subtrees, to exercise the hook ---- */

struct cache_store {
    porch_log_store base;
    unsigned hits;
};

static int cs_append(porch_log_store *s, const uint8_t h[32])
{
    (void)s;
    (void)h;
    return PORCH_ERR_UNSUPPORTED;
}

static int cs_size(const porch_log_store *s, uint64_t *out)
{
    (void)s;
    *out = MAX_N;
    return PORCH_OK;
}

static int cs_get(const porch_log_store *s, uint64_t i, uint8_t out[32])
{
    (void)s;
    if (i >= MAX_N)
        return PORCH_ERR_INVALID_ARG;
    memcpy(out, leaves[i], 32);
    return PORCH_OK;
}

/* Serves subtrees of 4 leaves or more from the reference (a stand-in for a
 * table of stored interior nodes); smaller ones fall back to computing. */
static int cs_subtree(const porch_log_store *s, uint64_t lo, unsigned level, uint8_t out[32])
{
    struct cache_store *c = (struct cache_store *)(void *)s;
    uint64_t n = UINT64_C(1) << level;

    if (level < 2)
        return PORCH_ERR_UNSUPPORTED;
    REQUIRE(lo % n == 0 && lo + n <= MAX_N);
    c->hits++;
    ref_mth(out, (const uint8_t (*)[32])leaves + lo, (size_t)n);
    return PORCH_OK;
}

static void cs_destroy(porch_log_store *s)
{
    (void)s;
}

static const porch_log_store_ops cs_ops = { cs_append, cs_size, cs_get, cs_subtree, cs_destroy };

/* ---- Helpers ---- */

static int same_list(const uint8_t (*a)[32], unsigned na, const ref_list *b)
{
    return na == b->n && (na == 0 || memcmp(a, b->h, na * 32u) == 0);
}

static unsigned flips_for(size_t n)
{
    return n <= ALL_BITS_N ? 256u : 16u;
}

/* Bit number of the f-th flip of hash j: all bits, or one in every other
 * byte, rotating through the bit positions (and the bytes, with j). */
static unsigned flip_bit(size_t n, unsigned f, unsigned j)
{
    return n <= ALL_BITS_N ? f : (f * 2u + j % 2u) * 8u + (f + j) % 8u;
}

/* Other leaf indices to try: all of them in small trees; in larger ones the
 * neighbours, the ends, and the index with each single bit flipped. */
static int try_index(uint64_t i, uint64_t good, size_t n)
{
    uint64_t d = i ^ good;
    if (i == good)
        return 0;
    return n <= ALL_BITS_N || (i + 2 >= good && i <= good + 2) || i == 0 || i == n - 1 ||
           (d & (d - 1)) == 0;
}

/* ---- Inclusion ---- */

static void inclusion_tamper(const porch_log_inclusion *good, size_t n)
{
    porch_log_inclusion p;
    const uint8_t *leaf = leaves[good->leaf_index];
    int fails = 0, tries = 0;

    for (unsigned j = 0; j < good->n_hashes; j++)
        for (unsigned f = 0; f < flips_for(n); f++) {
            unsigned bit = flip_bit(n, f, j);
            p = *good;
            p.hashes[j][bit / 8] ^= (uint8_t)(1u << (bit % 8));
            tries++;
            fails += porch_log_verify_inclusion(leaf, &p, roots[n]) == PORCH_ERR_LOG_PROOF;
        }
    for (uint64_t i = 0; i < n; i++) {          /* other indices */
        if (!try_index(i, good->leaf_index, n))
            continue;
        p = *good;
        p.leaf_index = i;
        tries += 2;
        fails += porch_log_verify_inclusion(leaf, &p, roots[n]) != PORCH_OK;
        fails += porch_log_verify_inclusion(leaves[i], good, roots[n]) != PORCH_OK;
    }
    for (size_t m = 1; m <= MAX_N; m++) {       /* every other size, with its root */
        if (m == n || m <= good->leaf_index)
            continue;
        p = *good;
        p.tree_size = m;
        tries++;
        fails += porch_log_verify_inclusion(leaf, &p, roots[m]) != PORCH_OK;
    }
    if (good->n_hashes > 0) {                   /* truncated: last, first */
        p = *good;
        p.n_hashes--;
        tries++;
        fails += porch_log_verify_inclusion(leaf, &p, roots[n]) != PORCH_OK;
        memmove(p.hashes[0], p.hashes[1], (size_t)p.n_hashes * 32u);
        tries++;
        fails += porch_log_verify_inclusion(leaf, &p, roots[n]) != PORCH_OK;
    }
    for (int v = 0; v < 2; v++) {               /* extended: zeros, the root */
        p = *good;
        static const uint8_t zero[32];
        memcpy(p.hashes[p.n_hashes++], v ? roots[n] : zero, 32);
        tries++;
        fails += porch_log_verify_inclusion(leaf, &p, roots[n]) != PORCH_OK;
    }
    CHECK(fails == tries);
    if (fails != tries)
        fprintf(stderr, "  inclusion (%llu, %zu): %d of %d tamperings accepted\n",
                (unsigned long long)good->leaf_index, n, tries - fails, tries);
}

static void test_inclusion(const porch_log_store *s, int tamper)
{
    for (size_t n = 1; n <= MAX_N; n++)
        for (size_t i = 0; i < n; i++) {
            porch_log_inclusion p;
            ref_list want = { 0 };
            ref_path(&want, i, (const uint8_t (*)[32])leaves, n);
            CHECK_OK(porch_log_prove_inclusion(s, i, n, &p));
            CHECK(same_list((const uint8_t (*)[32])p.hashes, p.n_hashes, &want));
            CHECK_OK(porch_log_verify_inclusion(leaves[i], &p, roots[n]));
            if (tamper)
                inclusion_tamper(&p, n);
        }
}

/* ---- Consistency ---- */

static int cverify(const porch_log_consistency *p)
{
    return porch_log_verify_consistency(p, roots[p->size1], roots[p->size2]);
}

static void consistency_tamper(const porch_log_consistency *good)
{
    porch_log_consistency p;
    size_t n = good->size2;
    int fails = 0, tries = 0;

    for (unsigned j = 0; j < good->n_hashes; j++)
        for (unsigned f = 0; f < flips_for(n); f++) {
            unsigned bit = flip_bit(n, f, j);
            p = *good;
            p.hashes[j][bit / 8] ^= (uint8_t)(1u << (bit % 8));
            tries++;
            fails += cverify(&p) == PORCH_ERR_LOG_PROOF;
        }
    /* Neighbouring sizes and some far ones, each with its own roots. */
    for (int dm = -3; dm <= 3; dm++)
        for (int dk = -3; dk <= 40; dk += (dk < 3 ? 1 : 9)) {
            uint64_t m = good->size1 + (uint64_t)(int64_t)dm, k = n + (uint64_t)(int64_t)dk;
            if ((dm == 0 && dk == 0) || m < 1 || m >= k || k > MAX_N)
                continue;
            p = *good;
            p.size1 = m;
            p.size2 = k;
            tries++;
            fails += cverify(&p) != PORCH_OK;
        }
    p = *good;                                  /* roots swapped or wrong */
    tries += 3;
    fails += porch_log_verify_consistency(&p, roots[n], roots[p.size1]) != PORCH_OK;
    fails += porch_log_verify_consistency(&p, roots[p.size1 - 1], roots[n]) != PORCH_OK;
    fails += porch_log_verify_consistency(&p, roots[p.size1], roots[n - 1]) != PORCH_OK;
    p.n_hashes--;                               /* truncated: last, first */
    tries++;
    fails += cverify(&p) != PORCH_OK;
    memmove(p.hashes[0], p.hashes[1], (size_t)p.n_hashes * 32u);
    tries++;
    fails += cverify(&p) != PORCH_OK;
    p = *good;                                  /* extended: a real hash, old root */
    memcpy(p.hashes[p.n_hashes++], leaves[0], 32);
    tries++;
    fails += cverify(&p) != PORCH_OK;
    p = *good;
    memmove(p.hashes[1], p.hashes[0], (size_t)p.n_hashes * 32u);
    memcpy(p.hashes[0], roots[p.size1], 32);
    p.n_hashes++;
    tries++;
    fails += cverify(&p) != PORCH_OK;
    CHECK(fails == tries);
    if (fails != tries)
        fprintf(stderr, "  consistency (%llu, %llu): %d of %d tamperings accepted\n",
                (unsigned long long)good->size1, (unsigned long long)good->size2, tries - fails,
                tries);
}

static void test_consistency(const porch_log_store *s, int tamper)
{
    for (size_t n = 2; n <= MAX_N; n++)
        for (size_t m = 1; m < n; m++) {
            porch_log_consistency p;
            ref_list want = { 0 };
            ref_proof(&want, m, (const uint8_t (*)[32])leaves, n);
            CHECK_OK(porch_log_prove_consistency(s, m, n, &p));
            CHECK(same_list((const uint8_t (*)[32])p.hashes, p.n_hashes, &want));
            CHECK_OK(cverify(&p));
            if (tamper)
                consistency_tamper(&p);
        }
}

static void test_roots(const porch_log_store *s)
{
    uint8_t root[32], leaf[32];

    for (size_t n = 0; n <= MAX_N; n++) {
        CHECK_OK(porch_log_root(s, n, root));
        CHECK(memcmp(root, roots[n], 32) == 0);
    }
    for (size_t i = 0; i < MAX_N; i++) {
        CHECK_OK(porch_log_store_leaf(s, i, leaf));
        CHECK(memcmp(leaf, leaves[i], 32) == 0);
    }
}

/* Arguments outside the contract are refused, never answered. */
static void test_bad_args(const porch_log_store *s)
{
    porch_log_inclusion ip;
    porch_log_consistency cp;
    uint8_t root[32];

    CHECK_ERR(porch_log_root(s, MAX_N + 1, root), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_root(s, PORCH_LOG_MAX_TREE_SIZE, root), PORCH_ERR_TOO_LARGE);
    CHECK_ERR(porch_log_prove_inclusion(s, 5, 5, &ip), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_prove_inclusion(s, 0, MAX_N + 1, &ip), PORCH_ERR_INVALID_ARG);
    CHECK(ip.n_hashes == 0 && ip.tree_size == 0);
    CHECK_ERR(porch_log_prove_consistency(s, 0, 5, &cp), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_prove_consistency(s, 5, 5, &cp), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_prove_consistency(s, 6, 5, &cp), PORCH_ERR_INVALID_ARG);
    CHECK_ERR(porch_log_prove_consistency(s, 5, MAX_N + 1, &cp), PORCH_ERR_INVALID_ARG);
    /* Verifier caps: sizes at 2^48 and more than 64 hashes fail outright. */
    memset(&ip, 0, sizeof ip);
    ip.tree_size = PORCH_LOG_MAX_TREE_SIZE;
    CHECK_ERR(porch_log_verify_inclusion(leaves[0], &ip, roots[1]), PORCH_ERR_LOG_PROOF);
    ip.tree_size = 1;
    CHECK_OK(porch_log_verify_inclusion(leaves[0], &ip, roots[1]));
    ip.n_hashes = PORCH_LOG_MAX_PROOF + 1;
    CHECK_ERR(porch_log_verify_inclusion(leaves[0], &ip, roots[1]), PORCH_ERR_LOG_PROOF);
    memset(&cp, 0, sizeof cp);
    cp.size1 = 1;
    cp.size2 = 2;
    CHECK_ERR(porch_log_verify_consistency(&cp, roots[1], roots[2]), PORCH_ERR_LOG_PROOF);
    cp.n_hashes = PORCH_LOG_MAX_PROOF + 1;
    CHECK_ERR(porch_log_verify_consistency(&cp, roots[1], roots[2]), PORCH_ERR_LOG_PROOF);
    CHECK_ERR(porch_log_verify_consistency(NULL, roots[1], roots[2]), PORCH_ERR_INVALID_ARG);
}

/* The largest tree the caps allow needs 48-hash paths: build one without
 * leaves through a store that claims 2^48 - 1 leaves and answers every
 * leaf with the same hash, and check only the proof shape and verification. */
static int big_get(const porch_log_store *s, uint64_t i, uint8_t out[32])
{
    (void)s;
    (void)i;
    memcpy(out, leaves[0], 32);
    return PORCH_OK;
}

static int big_size(const porch_log_store *s, uint64_t *out)
{
    (void)s;
    *out = PORCH_LOG_MAX_TREE_SIZE - 1;
    return PORCH_OK;
}

/* Perfect subtree of identical leaves: hash the level up `level` times. */
static int big_subtree(const porch_log_store *s, uint64_t lo, unsigned level, uint8_t out[32])
{
    (void)s;
    (void)lo;
    memcpy(out, leaves[0], 32);
    for (unsigned l = 0; l < level; l++)
        ref_node(out, out, out);
    return PORCH_OK;
}

static void test_max_size(void)
{
    static const porch_log_store_ops ops = { cs_append, big_size, big_get, big_subtree,
                                             cs_destroy };
    porch_log_store s = { &ops };
    uint64_t n = PORCH_LOG_MAX_TREE_SIZE - 1;
    porch_log_inclusion ip;
    porch_log_consistency cp;
    uint8_t root[32], root1[32];

    CHECK_OK(porch_log_root(&s, n, root));
    CHECK_OK(porch_log_prove_inclusion(&s, n - 1, n, &ip));
    CHECK(ip.n_hashes == 47);
    CHECK_OK(porch_log_verify_inclusion(leaves[0], &ip, root));
    CHECK_OK(porch_log_prove_inclusion(&s, 0, n, &ip));
    CHECK(ip.n_hashes == 48);
    CHECK_OK(porch_log_verify_inclusion(leaves[0], &ip, root));
    CHECK_OK(porch_log_root(&s, 3, root1));
    CHECK_OK(porch_log_prove_consistency(&s, 3, n, &cp));
    CHECK(cp.n_hashes <= 49);
    CHECK_OK(porch_log_verify_consistency(&cp, root1, root));
}

int main(void)
{
    struct cache_store cs = { { &cs_ops }, 0 };
    porch_log_store *s;

    REQUIRE(porch_init() == PORCH_OK);
    make_leaves();
    s = make_store();
    test_roots(s);
    test_inclusion(s, 1);
    test_consistency(s, 1);
    test_bad_args(s);
    /* Same answers through the cache hook; it must actually be used. */
    test_roots(&cs.base);
    test_inclusion(&cs.base, 0);
    test_consistency(&cs.base, 0);
    CHECK(cs.hits > 0);
    test_max_size();
    porch_log_store_free(s);
    porch_log_store_free(NULL);
    return CHECK_DONE();
}
