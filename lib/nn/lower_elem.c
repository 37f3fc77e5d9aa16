/*
 * lower_elem.c: elementwise binary and unary ops with numpy broadcasting.
 * Binary ops on two constants are folded at load (float32 and int32).
 * Otherwise both operands are brought to the layout of the full-rank
 * runtime operand, so broadcasting happens on physical shapes.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/lower.h"
#include "nn/ops.h"
#include "porchlight/error.h"

static int broadcast_shape(const porch__shape *a, const porch__shape *b, porch__shape *o)
{
    o->rank = a->rank > b->rank ? a->rank : b->rank;
    for (int i = 0; i < o->rank; i++) {
        int ia = i - (o->rank - a->rank), ib = i - (o->rank - b->rank);
        int64_t da = ia >= 0 ? a->d[ia] : 1, db = ib >= 0 ? b->d[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return PORCH_ERR_MALFORMED; /* incompatible shapes */
        o->d[i] = da == 1 ? db : da;
    }
    return porch__shape_check(o);
}

/* Constant v reshaped to rank r by leading 1s (identity layout). */
static int const_rank(porch__lctx *c, int v, int r, int *out)
{
    int rc = porch__lower_to_identity(c, v, &v);
    *out = v;
    if (rc || c->p->val[v].shape.rank == r)
        return rc;
    porch__shape s = { r, { 0 } };
    int k = r - c->p->val[v].shape.rank;
    for (int i = 0; i < r; i++)
        s.d[i] = i < k ? 1 : c->p->val[v].shape.d[i - k];
    size_t n = (size_t)porch__shape_count(&s);
    void *d = malloc(n ? n * 4 : 4);
    if (!d)
        return PORCH_ERR_NOMEM;
    memcpy(d, c->p->val[v].cdata, n * 4);
    return porch__lower_new_const(c, &s, c->p->val[v].dtype, d, out);
}

static int fold_binary(porch__lctx *c, int node, int op, int a, int b, const porch__shape *os)
{
    int rc = const_rank(c, a, os->rank, &a);
    if (!rc)
        rc = const_rank(c, b, os->rank, &b);
    if (rc)
        return rc;
    const porch__val *va = &c->p->val[a], *vb = &c->p->val[b];
    if (va->dtype != vb->dtype)
        return PORCH_ERR_MALFORMED;
    size_t n = (size_t)porch__shape_count(os);
    void *d = malloc(n ? n * 4 : 4);
    if (!d)
        return PORCH_ERR_NOMEM;
    if (va->dtype == PORCH__F32)
        porch__op_binary(op, va->cdata, &va->shape, vb->cdata, &vb->shape, d, os);
    else
        porch__op_binary_i32(op, va->cdata, &va->shape, vb->cdata, &vb->shape, d, os);
    return porch__lower_new_const(c, os, va->dtype, d, &c->nv[node]);
}

/* Operand v brought to rank r and to the layout perm. */
static int operand(porch__lctx *c, int v, int r, const uint8_t *perm, int *out)
{
    int rc = PORCH_OK;
    if (c->p->val[v].shape.rank != r) {
        if (!porch__lower_is_const(c, v))
            return PORCH_ERR_UNSUPPORTED; /* rank-broadcast of a runtime tensor */
        rc = const_rank(c, v, r, &v);
    }
    if (!rc && c->p->val[v].dtype != PORCH__F32)
        rc = PORCH_ERR_UNSUPPORTED;
    return rc ? rc : porch__lower_to_perm(c, v, perm, out);
}

int porch__lower_binary(porch__lctx *c, int node, int op)
{
    int a, b, rc = porch__lower_in(c, node, 0, &a);
    if (!rc)
        rc = porch__lower_in(c, node, 1, &b);
    porch__shape os;
    if (!rc)
        rc = broadcast_shape(&c->p->val[a].shape, &c->p->val[b].shape, &os);
    if (rc)
        return rc;
    if (porch__lower_is_const(c, a) && porch__lower_is_const(c, b))
        return fold_binary(c, node, op, a, b, &os);
    int ref = !porch__lower_is_const(c, a) && c->p->val[a].shape.rank == os.rank ? a : b;
    if (porch__lower_is_const(c, ref) || c->p->val[ref].shape.rank != os.rank)
        return PORCH_ERR_UNSUPPORTED;
    uint8_t perm[PORCH__NN_MAX_RANK];
    memcpy(perm, c->p->val[ref].perm, sizeof perm);
    if ((rc = operand(c, a, os.rank, perm, &a)) || (rc = operand(c, b, os.rank, perm, &b)))
        return rc;
    int y, ii, *in, *out;
    if ((rc = porch__lower_new_runtime(c, &os, ref, &y)) ||
        (rc = porch__prog_add_ins(c->p, PORCH__I_BINARY, 2, 1, &in, &out, &ii)))
        return rc;
    c->p->ins[ii].sub = op;
    in[0] = a, in[1] = b, out[0] = y;
    c->nv[node] = y;
    return PORCH_OK;
}

int porch__lower_unary(porch__lctx *c, int node, int act)
{
    int x, y, ii, *in, *out, rc = porch__lower_in(c, node, 0, &x);
    if (rc)
        return rc;
    if (c->p->val[x].dtype != PORCH__F32)
        return PORCH_ERR_UNSUPPORTED;
    float alpha = 0.2f; /* TensorFlow's LeakyRelu default */
    const porch__gnode *g = &c->g->node[node];
    if (act == PORCH__A_LEAKY && g->attr && json_object_get(g->attr, "alpha") &&
        porch__attr_float(g, "alpha", &alpha))
        return PORCH_ERR_MALFORMED;
    if ((rc = porch__lower_new_runtime(c, &c->p->val[x].shape, x, &y)) ||
        (rc = porch__prog_add_ins(c->p, PORCH__I_UNARY, 1, 1, &in, &out, &ii)))
        return rc;
    c->p->ins[ii].sub = act;
    c->p->ins[ii].fval = alpha;
    in[0] = x, out[0] = y;
    c->nv[node] = y;
    return PORCH_OK;
}
