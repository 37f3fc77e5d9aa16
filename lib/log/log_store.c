/*
 * log_store.c: the store interface's dispatch, and the in-memory backend
 * (tests, and a reference for server backends).
 *
 * Backend contract: leaves are only ever appended; leaf i, once size() has
 * counted it, returns the same hash forever; size() never decreases while
 * the store is open; an append that fails leaves size() unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "log/log_internal.h"

void porch_log_store_free(porch_log_store *s)
{
    if (s && s->ops && s->ops->destroy)
        s->ops->destroy(s);
}

int porch_log_store_size(const porch_log_store *s, uint64_t *out)
{
    if (out)
        *out = 0;
    if (!s || !out)
        return PORCH_ERR_INVALID_ARG;
    return s->ops->size(s, out);
}

int porch_log_store_leaf(const porch_log_store *s, uint64_t index,
                         uint8_t out[PORCH_LOG_HASH_BYTES])
{
    if (out)
        memset(out, 0, PORCH_LOG_HASH_BYTES);
    if (!s || !out)
        return PORCH_ERR_INVALID_ARG;
    return s->ops->get_leaf_hash(s, index, out);
}

int porch_log_append(porch_log_store *s, const uint8_t *entry, size_t len, uint64_t *index)
{
    uint8_t leaf[PORCH_LOG_HASH_BYTES];
    uint64_t n = 0;
    int ret;

    if (index)
        *index = 0;
    if (!s || (!entry && len))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = s->ops->size(s, &n)) != PORCH_OK)
        return ret;
    if (!porch__log_size_ok(n + 1))
        return PORCH_ERR_TOO_LARGE;
    porch_log_leaf_hash(leaf, entry, len);
    if ((ret = s->ops->append_leaf_hash(s, leaf)) != PORCH_OK)
        return ret;
    if (index)
        *index = n;
    return PORCH_OK;
}

/* ---- In-memory backend ---- */

struct mem_store {
    porch_log_store base;                    /* first: the public handle */
    uint8_t (*leaves)[PORCH_LOG_HASH_BYTES]; /* n used, cap allocated */
    size_t n, cap;
};

static int mem_append(porch_log_store *s, const uint8_t hash[PORCH_LOG_HASH_BYTES])
{
    struct mem_store *m = (struct mem_store *)s;

    if (!porch__log_size_ok((uint64_t)m->n + 1))
        return PORCH_ERR_TOO_LARGE;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        void *grown;
        if (cap > SIZE_MAX / PORCH_LOG_HASH_BYTES)
            return PORCH_ERR_NOMEM;
        if (!(grown = realloc(m->leaves, cap * PORCH_LOG_HASH_BYTES)))
            return PORCH_ERR_NOMEM;
        m->leaves = grown;
        m->cap = cap;
    }
    memcpy(m->leaves[m->n++], hash, PORCH_LOG_HASH_BYTES);
    return PORCH_OK;
}

static int mem_size(const porch_log_store *s, uint64_t *out)
{
    *out = ((const struct mem_store *)s)->n;
    return PORCH_OK;
}

static int mem_get(const porch_log_store *s, uint64_t index, uint8_t out[PORCH_LOG_HASH_BYTES])
{
    const struct mem_store *m = (const struct mem_store *)s;

    if (index >= m->n)
        return PORCH_ERR_INVALID_ARG;
    memcpy(out, m->leaves[index], PORCH_LOG_HASH_BYTES);
    return PORCH_OK;
}

static void mem_destroy(porch_log_store *s)
{
    struct mem_store *m = (struct mem_store *)s;

    free(m->leaves);
    free(m);
}

static const porch_log_store_ops mem_ops = {
    .append_leaf_hash = mem_append,
    .size = mem_size,
    .get_leaf_hash = mem_get,
    .get_perfect_subtree = NULL,
    .destroy = mem_destroy,
};

/* Ownership: *out belongs to the caller, released with porch_log_store_free(). */
int porch_log_store_mem_new(porch_log_store **out)
{
    struct mem_store *m;

    if (out)
        *out = NULL;
    if (!out)
        return PORCH_ERR_INVALID_ARG;
    if (!(m = calloc(1, sizeof *m)))
        return PORCH_ERR_NOMEM;
    m->base.ops = &mem_ops;
    *out = &m->base;
    return PORCH_OK;
}
