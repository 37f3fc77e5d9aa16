/*
 * lower_reduce.c: Mean over the spatial axes and Softmax over the last axis.
 * Mean: NHWC input, axes {1,2} (in any order, negative allowed), keep_dims
 * true -> [N,1,1,C], false -> [N,C] (faceres' global pooling, centernet's
 * squeeze-excite); other axes are PORCH_ERR_UNSUPPORTED. Both read and write
 * identity layout.
 */
#include <string.h>

#include "nn/lower.h"
#include "porchlight/error.h"

static int emit(porch__lctx *c, int node, int op, int x, const porch__shape *os)
{
    int y, ii, *in, *out, rc = porch__lower_new_runtime(c, os, -1, &y);
    if (rc || (rc = porch__prog_add_ins(c->p, op, 1, 1, &in, &out, &ii)))
        return rc;
    in[0] = x;
    out[0] = y;
    c->nv[node] = y;
    return PORCH_OK;
}

/* 1 when the axes are exactly {1, 2} of a rank-4 tensor. */
static int spatial_axes(const int64_t *ax, int n)
{
    int seen = 0;
    for (int i = 0; i < n; i++) {
        int64_t a = ax[i] < 0 ? ax[i] + 4 : ax[i];
        if (a != 1 && a != 2)
            return 0;
        seen |= 1 << a;
    }
    return seen == 6;
}

int porch__lower_mean(porch__lctx *c, int node)
{
    int64_t ax[PORCH__NN_MAX_RANK];
    int n, keep = 0, x, rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = porch__lower_const_ints(c, node, 1, ax, PORCH__NN_MAX_RANK, &n);
    if (rc)
        return rc;
    const porch__gnode *g = &c->g->node[node];
    if (g->attr && json_object_get(g->attr, "keep_dims") && porch__attr_bool(g, "keep_dims", &keep))
        return PORCH_ERR_MALFORMED;
    const porch__val *v = &c->p->val[x];
    if (porch__lower_is_const(c, x) || v->dtype != PORCH__F32 || v->shape.rank != 4 ||
        !spatial_axes(ax, n))
        return PORCH_ERR_UNSUPPORTED; /* only the spatial mean of NHWC tensors */
    porch__shape os = keep ? (porch__shape){ 4, { v->shape.d[0], 1, 1, v->shape.d[3] } }
                           : (porch__shape){ 2, { v->shape.d[0], v->shape.d[3] } };
    if (v->shape.d[0] != 1)
        return PORCH_ERR_UNSUPPORTED; /* batch 1 */
    if ((rc = porch__lower_to_identity(c, x, &x)))
        return rc;
    return emit(c, node, PORCH__I_MEAN, x, &os);
}

int porch__lower_softmax(porch__lctx *c, int node)
{
    int x, rc = porch__lower_in(c, node, 0, &x);
    if (rc)
        return rc;
    const porch__val *v = &c->p->val[x];
    if (porch__lower_is_const(c, x) || v->dtype != PORCH__F32 || v->shape.rank < 1 ||
        v->shape.d[v->shape.rank - 1] < 1)
        return PORCH_ERR_UNSUPPORTED;
    porch__shape os = v->shape;
    if ((rc = porch__lower_to_identity(c, x, &x)))
        return rc;
    return emit(c, node, PORCH__I_SOFTMAX, x, &os);
}
