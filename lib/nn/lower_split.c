/*
 * lower_split.c: SplitV (runtime, any layout) and SparseToDense (constant
 * only: the converter emits it to build Reshape targets, folded at load).
 */
#include <stdlib.h>
#include <string.h>

#include "nn/lower.h"
#include "porchlight/error.h"

static int split_sizes(porch__lctx *c, int node, int64_t dim, int64_t *sz, int *n)
{
    int64_t ns;
    int unknown = -1, rc = porch__attr_int(&c->g->node[node], "num_split", &ns);
    if (!rc)
        rc = porch__lower_const_ints(c, node, 1, sz, PORCH__NN_MAX_INPUTS, n);
    if (rc)
        return rc;
    if (ns != *n || *n < 1)
        return PORCH_ERR_MALFORMED;
    int64_t sum = 0;
    for (int i = 0; i < *n; i++) {
        if (sz[i] == -1 && unknown < 0)
            unknown = i;
        else if (sz[i] < 0 || sz[i] > dim)
            return PORCH_ERR_MALFORMED;
        else
            sum += sz[i];
    }
    if (unknown >= 0 && sum <= dim)
        sz[unknown] = dim - sum, sum = dim;
    return sum == dim ? PORCH_OK : PORCH_ERR_MALFORMED;
}

int porch__lower_split(porch__lctx *c, int node)
{
    int64_t sz[PORCH__NN_MAX_INPUTS], axis;
    int n, na, x, ii, *in, *out, rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = porch__lower_const_ints(c, node, 2, &axis, 1, &na);
    if (rc)
        return rc;
    const porch__val *v = &c->p->val[x];
    if (na != 1 || porch__lower_is_const(c, x) || v->dtype != PORCH__F32)
        return na != 1 ? PORCH_ERR_MALFORMED : PORCH_ERR_UNSUPPORTED;
    if (axis < 0)
        axis += v->shape.rank;
    if (axis < 0 || axis >= v->shape.rank)
        return PORCH_ERR_MALFORMED;
    if ((rc = split_sizes(c, node, v->shape.d[axis], sz, &n)))
        return rc;
    int first = c->p->n_val; /* outputs take consecutive ids */
    for (int i = 0; i < n; i++) {
        porch__shape s = c->p->val[x].shape;
        int id;
        s.d[axis] = sz[i];
        if ((rc = porch__lower_new_runtime(c, &s, x, &id)))
            return rc;
    }
    if ((rc = porch__prog_add_ins(c->p, PORCH__I_SPLIT, 1, n, &in, &out, &ii)))
        return rc;
    in[0] = x;
    for (int i = 0; i < n; i++)
        out[i] = first + i;
    for (int j = 0; j < c->p->val[x].shape.rank; j++)
        if (c->p->val[x].perm[j] == axis)
            c->p->ins[ii].axis = j;
    c->nv[node] = first;
    c->nout[node] = n;
    return PORCH_OK;
}

/* Input k of node as a constant (any dtype). Constants reachable from graph
 * nodes are always in identity layout (lowering stores them so). */
static int const_in(porch__lctx *c, int node, int k, const porch__val **out)
{
    int v, rc = porch__lower_in(c, node, k, &v);
    if (!rc && !porch__lower_is_const(c, v))
        rc = PORCH_ERR_UNSUPPORTED; /* SparseToDense on runtime data */
    *out = rc ? NULL : &c->p->val[v];
    return rc;
}

/* Scatters values (scalar or one per index) over a dense default-filled tensor. */
static int scatter(const porch__val *idx, const porch__val *val, const porch__shape *os, uint32_t *d)
{
    int64_t n = idx->shape.rank == 0 ? 1 : idx->shape.d[0];
    int r = idx->shape.rank == 2 ? (int)idx->shape.d[1] : 1;
    if (idx->shape.rank > 2 || r != os->rank || porch__shape_count(&idx->shape) != n * r)
        return PORCH_ERR_MALFORMED;
    int64_t nv = porch__shape_count(&val->shape);
    if (nv != 1 && nv != n)
        return PORCH_ERR_MALFORMED;
    for (int64_t i = 0; i < n; i++) {
        int64_t off = 0;
        for (int k = 0; k < r; k++) {
            int64_t ix = ((const int32_t *)idx->cdata)[i * r + k];
            if (ix < 0 || ix >= os->d[k])
                return PORCH_ERR_MALFORMED;
            off = off * os->d[k] + ix;
        }
        d[off] = ((const uint32_t *)val->cdata)[nv == 1 ? 0 : i];
    }
    return PORCH_OK;
}

int porch__lower_sparse_to_dense(porch__lctx *c, int node)
{
    const porch__val *idx, *shp, *val, *def;
    int rc;
    if ((rc = const_in(c, node, 0, &idx)) || (rc = const_in(c, node, 1, &shp)) ||
        (rc = const_in(c, node, 2, &val)) || (rc = const_in(c, node, 3, &def)))
        return rc;
    if (idx->dtype != PORCH__I32 || shp->dtype != PORCH__I32 ||
        porch__shape_count(&def->shape) != 1 || val->dtype != def->dtype)
        return PORCH_ERR_UNSUPPORTED;
    porch__shape os = { (int)porch__shape_count(&shp->shape), { 0 } };
    if (os.rank > PORCH__NN_MAX_RANK)
        return PORCH_ERR_UNSUPPORTED;
    for (int i = 0; i < os.rank; i++)
        os.d[i] = ((const int32_t *)shp->cdata)[i];
    if ((rc = porch__shape_check(&os)))
        return rc;
    size_t n = (size_t)porch__shape_count(&os);
    uint32_t *d = malloc(n ? n * 4 : 4);
    if (!d)
        return PORCH_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        d[i] = *(const uint32_t *)def->cdata;
    int dtype = val->dtype;
    rc = scatter(idx, val, &os, d);
    if (rc) {
        free(d);
        return rc;
    }
    return porch__lower_new_const(c, &os, dtype, d, &c->nv[node]);
}
