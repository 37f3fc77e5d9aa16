/*
 * lower_matmul.c: MatMul / _FusedMatMul [1,K] x [K,N] (+ bias, + Relu...)
 * as a 1x1 convolution of a one-pixel NHWC view [1,1,1,K]: the weight
 * constant [K,N] is already HWIO [1,1,K,N], so the packed GEMM kernels, the
 * epilogue and the conv fusions of fuse.c apply unchanged. The result is a
 * view [1,N] of the conv output [1,1,1,N]. transpose_a / transpose_b and
 * runtime weights are PORCH_ERR_UNSUPPORTED (no tfjs model uses them).
 */
#include <stdlib.h>
#include <string.h>

#include "nn/lower.h"
#include "porchlight/error.h"

static int view(porch__lctx *c, int x, const porch__shape *s, int *id)
{
    int rc = porch__lower_new_runtime(c, s, -1, id);
    if (!rc)
        c->p->val[*id].alias = porch__lower_root(c, x);
    return rc;
}

static int no_transpose(const porch__gnode *g)
{
    static const char *keys[] = { "transpose_a", "transpose_b" };
    for (int i = 0; i < 2; i++) {
        int t = 0;
        if (g->attr && json_object_get(g->attr, keys[i]) && porch__attr_bool(g, keys[i], &t))
            return PORCH_ERR_MALFORMED;
        if (t)
            return PORCH_ERR_UNSUPPORTED;
    }
    return PORCH_OK;
}

/* Weights [K,N] (and for the fused form bias [N]) into cp. */
static int matmul_params(porch__lctx *c, int node, int fused, int64_t k, porch__conv_params *cp)
{
    int w, rc = porch__lower_in(c, node, 1, &w);
    if (rc)
        return rc;
    if ((rc = porch__lower_to_identity(c, w, &w)))
        return rc;
    const porch__val *wv = &c->p->val[w];
    if (!wv->cdata || wv->dtype != PORCH__F32 || wv->shape.rank != 2 || wv->shape.d[0] != k ||
        wv->shape.d[1] < 1 || wv->shape.d[1] > 65536 || k > 1 << 20)
        return PORCH_ERR_UNSUPPORTED; /* runtime weights or mismatched shapes */
    cp->kh = cp->kw = cp->sh = cp->sw = 1;
    cp->cin = (int)k, cp->cout = (int)wv->shape.d[1];
    size_t n = (size_t)k * (size_t)cp->cout;
    cp->w = malloc(n * sizeof(float));
    cp->bias = calloc((size_t)cp->cout, sizeof(float));
    if (!cp->w || !cp->bias)
        return PORCH_ERR_NOMEM;
    memcpy(cp->w, wv->cdata, n * sizeof(float));
    if (!fused)
        return PORCH_OK;
    if ((rc = porch__lower_fused_ops(&c->g->node[node], cp)) || (rc = porch__lower_in(c, node, 2, &w)))
        return rc;
    const porch__val *bv = &c->p->val[w];
    if (!bv->cdata || bv->dtype != PORCH__F32 || porch__shape_count(&bv->shape) != cp->cout)
        return PORCH_ERR_UNSUPPORTED;
    memcpy(cp->bias, bv->cdata, sizeof(float) * (size_t)cp->cout);
    return PORCH_OK;
}

static int emit(porch__lctx *c, int node, int x, porch__conv_params *cp)
{
    porch__shape xs = { 4, { 1, 1, 1, cp->cin } }, ys = { 4, { 1, 1, 1, cp->cout } };
    porch__shape os = { 2, { 1, cp->cout } };
    int xv, y, ii, *in, *out, rc = view(c, x, &xs, &xv);
    if (rc || (rc = porch__lower_new_runtime(c, &ys, -1, &y)) ||
        (rc = porch__prog_add_ins(c->p, PORCH__I_CONV, 1, 1, &in, &out, &ii)))
        return rc;
    c->p->ins[ii].conv = *cp; /* the instruction owns w and bias from here */
    memset(cp, 0, sizeof *cp);
    in[0] = xv;
    out[0] = y;
    c->p->flops += 2.0 * (double)c->p->ins[ii].conv.cin * c->p->ins[ii].conv.cout;
    return view(c, y, &os, &c->nv[node]);
}

int porch__lower_matmul(porch__lctx *c, int node, int fused)
{
    porch__conv_params cp;
    memset(&cp, 0, sizeof cp);
    int x, rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = no_transpose(&c->g->node[node]);
    if (rc)
        return rc;
    const porch__val *v = &c->p->val[x];
    if (porch__lower_is_const(c, x) || v->dtype != PORCH__F32 || v->shape.rank != 2 ||
        v->shape.d[0] != 1 || v->shape.d[1] < 1)
        return PORCH_ERR_UNSUPPORTED; /* a runtime row vector [1,K] only */
    int64_t k = v->shape.d[1];
    if (!(rc = porch__lower_to_identity(c, x, &x)) && !(rc = matmul_params(c, node, fused, k, &cp)))
        rc = emit(c, node, x, &cp);
    free(cp.w);
    free(cp.bias);
    return rc;
}
