/*
 * lower_conv.c: Conv2D / _FusedConv2D, MaxPool and ResizeBilinear.
 * These kernels read and write NHWC: their runtime input is converted to
 * identity layout (a no-op when the graph's transposes already give NHWC).
 * TensorFlow padding: SAME -> out = ceil(in/s), pad_total = max((out-1)s +
 * k - in, 0), the smaller half before (extra row/column at bottom/right);
 * VALID -> out = floor((in-k)/s) + 1.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/lower.h"
#include "porchlight/error.h"

typedef struct win { int kh, kw, sh, sw; int pad[4]; int64_t oh, ow; } win;

static int padding_mode(const porch__gnode *n, int *same)
{
    char buf[16];
    int rc = porch__attr_str(n, "padding", buf, sizeof buf);
    if (rc)
        return rc;
    if (strcmp(buf, "SAME") && strcmp(buf, "VALID"))
        return PORCH_ERR_UNSUPPORTED; /* EXPLICIT never occurs in tfjs models */
    *same = strcmp(buf, "SAME") == 0;
    if (n->attr && json_object_get(n->attr, "data_format")) {
        if ((rc = porch__attr_str(n, "data_format", buf, sizeof buf)))
            return rc;
        if (strcmp(buf, "NHWC"))
            return PORCH_ERR_UNSUPPORTED;
    }
    return PORCH_OK;
}

static int axis_window(int64_t in, int k, int s, int same, int *before, int *after, int64_t *out)
{
    if (k < 1 || s < 1 || k > 64 || s > 64)
        return PORCH_ERR_UNSUPPORTED;
    if (same) {
        *out = (in + s - 1) / s;
        int64_t tot = (*out - 1) * s + k - in;
        tot = tot < 0 ? 0 : tot;
        *before = (int)(tot / 2);
        *after = (int)(tot - tot / 2);
    } else {
        if (in < k)
            return PORCH_ERR_UNSUPPORTED; /* empty output */
        *out = (in - k) / s + 1;
        *before = *after = 0;
    }
    return PORCH_OK;
}

/* Strides (and dilations == 1) of a 2-D window op on an NHWC input of shape x. */
static int window(const porch__gnode *n, const porch__shape *x, int kh, int kw, win *w)
{
    int64_t st[8], dl[8];
    int ns, nd, same, rc = porch__attr_ints(n, "strides", st, 8, &ns);
    if (rc || (rc = padding_mode(n, &same)))
        return rc;
    if (ns != 4 || st[0] != 1 || st[3] != 1 || x->rank != 4)
        return PORCH_ERR_UNSUPPORTED;
    if (n->attr && json_object_get(n->attr, "dilations")) {
        if ((rc = porch__attr_ints(n, "dilations", dl, 8, &nd)))
            return rc;
        for (int i = 0; i < nd; i++)
            if (dl[i] != 1)
                return PORCH_ERR_UNSUPPORTED;
    }
    w->kh = kh, w->kw = kw, w->sh = (int)st[1], w->sw = (int)st[2];
    if (st[1] > 64 || st[2] > 64)
        return PORCH_ERR_UNSUPPORTED;
    rc = axis_window(x->d[1], kh, w->sh, same, &w->pad[0], &w->pad[2], &w->oh);
    return rc ? rc : axis_window(x->d[2], kw, w->sw, same, &w->pad[1], &w->pad[3], &w->ow);
}

/* _FusedConv2D / _FusedMatMul epilogue: fused_ops [BiasAdd] or [BiasAdd, Relu|Relu6|LeakyRelu]. */
int porch__lower_fused_ops(const porch__gnode *n, porch__conv_params *cp)
{
    json_t *list = json_object_get(json_object_get(json_object_get(n->attr, "fused_ops"), "list"), "s");
    if (!json_is_array(list) || json_array_size(list) < 1 || json_array_size(list) > 2)
        return PORCH_ERR_UNSUPPORTED;
    char buf[32];
    for (size_t i = 0; i < json_array_size(list); i++) {
        /* the list holds base64 strings; decode through a one-off attr object */
        json_t *attr = json_pack("{s{sO}}", "v", "s", json_array_get(list, i));
        porch__gnode one = { .attr = attr };
        int rc = attr ? porch__attr_str(&one, "v", buf, sizeof buf) : PORCH_ERR_NOMEM;
        json_decref(attr);
        if (rc)
            return rc;
        if (i == 0 && strcmp(buf, "BiasAdd"))
            return PORCH_ERR_UNSUPPORTED;
        if (i == 1 && strcmp(buf, "Relu") == 0)
            cp->act = PORCH__A_RELU;
        else if (i == 1 && strcmp(buf, "Relu6") == 0)
            cp->act = PORCH__A_RELU6;
        else if (i == 1 && strcmp(buf, "LeakyRelu") == 0) {
            cp->act = PORCH__A_LEAKY;
            if (porch__attr_float(n, "leakyrelu_alpha", &cp->alpha))
                cp->alpha = 0.2f; /* TensorFlow's default */
        } else if (i == 1)
            return PORCH_ERR_UNSUPPORTED;
    }
    return PORCH_OK;
}

static int conv_bias(porch__lctx *c, int node, porch__conv_params *cp)
{
    int b, rc = porch__lower_in(c, node, 2, &b);
    if (rc)
        return rc;
    const porch__val *bv = &c->p->val[b];
    if (!bv->cdata || bv->dtype != PORCH__F32 || porch__shape_count(&bv->shape) != cp->cout)
        return PORCH_ERR_UNSUPPORTED;
    memcpy(cp->bias, bv->cdata, sizeof(float) * (size_t)cp->cout);
    return PORCH_OK;
}

/* Filter HWIO [kh,kw,cin,cout], a float constant; copied (packed later by fuse.c). */
static int conv_filter(porch__lctx *c, int node, int x, porch__conv_params *cp)
{
    int f, rc = porch__lower_in(c, node, 1, &f);
    if (rc)
        return rc;
    const porch__val *fv = &c->p->val[f];
    if (!fv->cdata || fv->dtype != PORCH__F32 || fv->shape.rank != 4)
        return PORCH_ERR_UNSUPPORTED; /* runtime filters are not supported */
    if (fv->shape.d[2] != c->p->val[x].shape.d[3] || fv->shape.d[3] < 1 || fv->shape.d[3] > 65536)
        return PORCH_ERR_UNSUPPORTED; /* channel mismatch */
    cp->kh = (int)fv->shape.d[0], cp->kw = (int)fv->shape.d[1];
    cp->cin = (int)fv->shape.d[2], cp->cout = (int)fv->shape.d[3];
    size_t n = (size_t)porch__shape_count(&fv->shape);
    cp->w = malloc(n ? n * sizeof(float) : 4);
    cp->bias = calloc((size_t)cp->cout, sizeof(float));
    if (!cp->w || !cp->bias)
        return PORCH_ERR_NOMEM;
    memcpy(cp->w, fv->cdata, n * sizeof(float));
    return PORCH_OK;
}

static int emit_window_op(porch__lctx *c, int node, int op, int x, porch__conv_params *cp,
                          int cout)
{
    win w;
    const porch__shape xshape = c->p->val[x].shape, *xs = &xshape; /* val[] may move below */
    if (xs->d[0] != 1 || xs->d[1] < 1 || xs->d[2] < 1 || xs->d[3] < 1)
        return PORCH_ERR_UNSUPPORTED; /* batch 1, non-empty images only */
    int rc = window(&c->g->node[node], xs, cp->kh, cp->kw, &w);
    if (rc)
        return rc;
    porch__shape os = { 4, { xs->d[0], w.oh, w.ow, cout } };
    int y, ii, *in, *out;
    if ((rc = porch__lower_new_runtime(c, &os, -1, &y)))
        return rc;
    if ((rc = porch__prog_add_ins(c->p, op, 1, 1, &in, &out, &ii)))
        return rc;
    cp->sh = w.sh, cp->sw = w.sw;
    memcpy(cp->pad, w.pad, sizeof cp->pad);
    c->p->ins[ii].conv = *cp; /* the instruction owns w and bias from here */
    memset(cp, 0, sizeof *cp);
    in[0] = x;
    out[0] = y;
    c->nv[node] = y;
    if (op == PORCH__I_CONV || op == PORCH__I_DWCONV) {
        const porch__conv_params *q = &c->p->ins[ii].conv;
        c->p->flops += 2.0 * (double)(w.oh * w.ow * xs->d[0]) * q->kh * q->kw * q->cin * q->cout;
    }
    return PORCH_OK;
}

typedef int (*filter_fn)(porch__lctx *c, int node, int x, porch__conv_params *cp);

/*
 * Conv2D and depthwise convolution lower the same way: an NHWC input, the
 * filter read into cp (the only difference), fused bias and activations, then
 * one windowed instruction. cp's buffers move into the instruction on success.
 */
static int lower_windowed(porch__lctx *c, int node, int fused, filter_fn read_filter,
                          int opcode)
{
    porch__conv_params cp;
    memset(&cp, 0, sizeof cp);
    int x, rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = porch__lower_to_identity(c, x, &x);
    if (!rc && c->p->val[x].shape.rank != 4)
        rc = PORCH_ERR_UNSUPPORTED;
    if (!rc)
        rc = read_filter(c, node, x, &cp);
    if (!rc && fused)
        rc = porch__lower_fused_ops(&c->g->node[node], &cp);
    if (!rc && fused)
        rc = conv_bias(c, node, &cp);
    if (!rc)
        rc = emit_window_op(c, node, opcode, x, &cp, cp.cout);
    free(cp.w);
    free(cp.bias);
    return rc;
}

int porch__lower_conv(porch__lctx *c, int node, int fused)
{
    return lower_windowed(c, node, fused, conv_filter, PORCH__I_CONV);
}

/* Depthwise filter [kh,kw,C,1] (multiplier 1 only): kept as [tap][C], cin = 1. */
static int dw_filter(porch__lctx *c, int node, int x, porch__conv_params *cp)
{
    int f, rc = porch__lower_in(c, node, 1, &f);
    if (rc)
        return rc;
    const porch__val *fv = &c->p->val[f];
    if (!fv->cdata || fv->dtype != PORCH__F32 || fv->shape.rank != 4 || fv->shape.d[3] != 1 ||
        fv->shape.d[2] != c->p->val[x].shape.d[3] || fv->shape.d[2] < 1)
        return PORCH_ERR_UNSUPPORTED;
    cp->kh = (int)fv->shape.d[0], cp->kw = (int)fv->shape.d[1];
    cp->cin = 1, cp->cout = (int)fv->shape.d[2];
    size_t n = (size_t)porch__shape_count(&fv->shape);
    cp->w = malloc(n * sizeof(float));
    cp->bias = calloc((size_t)cp->cout, sizeof(float));
    if (!cp->w || !cp->bias)
        return PORCH_ERR_NOMEM;
    memcpy(cp->w, fv->cdata, n * sizeof(float));
    return PORCH_OK;
}

int porch__lower_dwconv(porch__lctx *c, int node, int fused)
{
    return lower_windowed(c, node, fused, dw_filter, PORCH__I_DWCONV);
}

int porch__lower_maxpool(porch__lctx *c, int node)
{
    int64_t k[8];
    int nk, x, rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = porch__lower_to_identity(c, x, &x);
    if (!rc)
        rc = porch__attr_ints(&c->g->node[node], "ksize", k, 8, &nk);
    if (rc)
        return rc;
    if (nk != 4 || k[0] != 1 || k[3] != 1 || k[1] < 1 || k[2] < 1 || k[1] > 64 || k[2] > 64
        || c->p->val[x].shape.rank != 4)
        return PORCH_ERR_UNSUPPORTED;
    porch__conv_params cp;
    memset(&cp, 0, sizeof cp);
    cp.kh = (int)k[1], cp.kw = (int)k[2];
    return emit_window_op(c, node, PORCH__I_MAXPOOL, x, &cp, (int)c->p->val[x].shape.d[3]);
}

int porch__lower_resize(porch__lctx *c, int node)
{
    int64_t sz[2];
    int n, x, ii, y, *in, *out, half = 0, align = 0;
    int rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = porch__lower_to_identity(c, x, &x);
    if (!rc)
        rc = porch__lower_const_ints(c, node, 1, sz, 2, &n);
    if (rc)
        return rc;
    const porch__gnode *g = &c->g->node[node];
    if (g->attr && json_object_get(g->attr, "half_pixel_centers") && porch__attr_bool(g, "half_pixel_centers", &half))
        return PORCH_ERR_MALFORMED;
    if (g->attr && json_object_get(g->attr, "align_corners") && porch__attr_bool(g, "align_corners", &align))
        return PORCH_ERR_MALFORMED;
    const porch__shape *xs = &c->p->val[x].shape;
    if (n != 2 || xs->rank != 4 || sz[0] < 1 || sz[1] < 1 || (half && align))
        return PORCH_ERR_UNSUPPORTED;
    if (xs->d[1] < 1 || xs->d[2] < 1 || sz[0] > 16384 || sz[1] > 16384)
        return PORCH_ERR_UNSUPPORTED; /* nothing to sample from, or absurd sizes */
    porch__shape os = { 4, { xs->d[0], sz[0], sz[1], xs->d[3] } };
    if ((rc = porch__lower_new_runtime(c, &os, -1, &y)) ||
        (rc = porch__prog_add_ins(c->p, PORCH__I_RESIZE, 1, 1, &in, &out, &ii)))
        return rc;
    c->p->ins[ii].sub = half;
    c->p->ins[ii].align = align;
    in[0] = x;
    out[0] = y;
    c->nv[node] = y;
    return PORCH_OK;
}
