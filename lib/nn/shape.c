/*
 * shape.c: shape arithmetic. Every shape that reaches a kernel has passed
 * porch__shape_check: dims >= 0 and an element count within
 * PORCH__NN_MAX_ELEMS, so products of dims never overflow size_t.
 */
#include "nn/nn_internal.h"
#include "porchlight/error.h"

int64_t porch__shape_count(const porch__shape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

int porch__shape_check(const porch__shape *s)
{
    if (s->rank < 0 || s->rank > PORCH__NN_MAX_RANK)
        return PORCH_ERR_UNSUPPORTED;
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->d[i] < 0)
            return PORCH_ERR_UNSUPPORTED; /* unknown dim left after inference */
        if (s->d[i] > PORCH__NN_MAX_ELEMS)
            return PORCH_ERR_TOO_LARGE;
        n *= s->d[i];
        if (n > PORCH__NN_MAX_ELEMS)
            return PORCH_ERR_TOO_LARGE;
    }
    return PORCH_OK;
}

void porch__perm_identity(uint8_t *perm, int rank)
{
    for (int i = 0; i < PORCH__NN_MAX_RANK; i++)
        perm[i] = (uint8_t)(i < rank ? i : 0);
}

/* The shape as stored: physical dim j is logical dim perm[j]. */
void porch__phys_shape(const porch__val *v, porch__shape *out)
{
    out->rank = v->shape.rank;
    for (int j = 0; j < v->shape.rank; j++)
        out->d[j] = v->shape.d[v->perm[j]];
}
