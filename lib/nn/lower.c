/*
 * lower.c: compiles the graph into a program, node by node in topological
 * order: shape inference, constant folding and layout assignment happen
 * here (see nn_internal.h for the layout invariant). An op this runtime does
 * not know, or a shape it cannot infer, is PORCH_ERR_UNSUPPORTED.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/lower.h"
#include "porchlight/error.h"

int porch__lower_root(const porch__lctx *c, int v)
{
    return c->p->val[v].alias >= 0 ? c->p->val[v].alias : v;
}

int porch__lower_in(porch__lctx *c, int node, int k, int *v)
{
    *v = -1;
    const porch__gnode *n = &c->g->node[node];
    if (k >= n->n_in)
        return PORCH_ERR_MALFORMED; /* too few inputs for the op */
    int src = n->in_node[k], port = n->in_port[k];
    if (c->nv[src] < 0 || port >= c->nout[src])
        return PORCH_ERR_MALFORMED;
    *v = c->nv[src] + port;
    return PORCH_OK;
}

int porch__lower_is_const(const porch__lctx *c, int v)
{
    return c->p->val[v].cdata != NULL;
}

/* A constant value that takes ownership of data (freed here on failure). */
int porch__lower_new_const(porch__lctx *c, const porch__shape *s, int dtype, void *data, int *id)
{
    int rc = porch__prog_add_val(c->p, s, dtype, id);
    if (rc) {
        free(data);
        return rc;
    }
    c->p->val[*id].cdata = data;
    return PORCH_OK;
}

/* A runtime f32 value of logical shape s, laid out like value perm_from (-1: identity). */
int porch__lower_new_runtime(porch__lctx *c, const porch__shape *s, int perm_from, int *id)
{
    int rc = porch__prog_add_val(c->p, s, PORCH__F32, id);
    if (!rc && perm_from >= 0)
        memcpy(c->p->val[*id].perm, c->p->val[perm_from].perm, PORCH__NN_MAX_RANK);
    return rc;
}

/* Value v stored with layout perm: constants are re-laid at load, runtime
 * values get a TRANSPOSE instruction. */
int porch__lower_to_perm(porch__lctx *c, int v, const uint8_t *perm, int *out)
{
    porch__prog *p = c->p;
    *out = v;
    int r = p->val[v].shape.rank;
    if (memcmp(p->val[v].perm, perm, (size_t)r) == 0)
        return PORCH_OK;
    if (porch__lower_is_const(c, v))
        return porch__const_to_perm(p, v, perm, out);
    if (p->val[v].dtype != PORCH__F32)
        return PORCH_ERR_UNSUPPORTED;
    int id, ii, *in, *o, rc = porch__prog_add_val(p, &p->val[v].shape, PORCH__F32, &id);
    if (rc || (rc = porch__prog_add_ins(p, PORCH__I_TRANSPOSE, 1, 1, &in, &o, &ii)))
        return rc;
    memcpy(p->val[id].perm, perm, PORCH__NN_MAX_RANK);
    in[0] = v;
    o[0] = id;
    for (int j = 0; j < r; j++)
        for (int k = 0; k < r; k++)
            if (p->val[v].perm[k] == perm[j])
                p->ins[ii].perm[j] = (uint8_t)k;
    *out = id;
    return PORCH_OK;
}

int porch__lower_to_identity(porch__lctx *c, int v, int *out)
{
    uint8_t id[PORCH__NN_MAX_RANK];
    porch__perm_identity(id, c->p->val[v].shape.rank);
    return porch__lower_to_perm(c, v, id, out);
}

/* The k-th input of node, which must be an int32 constant of at most cap elements. */
int porch__lower_const_ints(porch__lctx *c, int node, int k, int64_t *vals, int cap, int *n)
{
    int v, rc = porch__lower_in(c, node, k, &v);
    *n = 0;
    if (rc)
        return rc;
    const porch__val *val = &c->p->val[v];
    if (!val->cdata || val->dtype != PORCH__I32)
        return PORCH_ERR_UNSUPPORTED; /* shape-like input not constant: cannot infer */
    int64_t cnt = porch__shape_count(&val->shape);
    if (cnt > cap)
        return PORCH_ERR_UNSUPPORTED;
    uint8_t id[PORCH__NN_MAX_RANK];
    porch__perm_identity(id, val->shape.rank);
    if (memcmp(val->perm, id, (size_t)val->shape.rank) != 0)
        return PORCH_ERR_UNSUPPORTED;
    for (int64_t i = 0; i < cnt; i++)
        vals[i] = ((const int32_t *)val->cdata)[i];
    *n = (int)cnt;
    return PORCH_OK;
}

static int lower_const(porch__lctx *c, int node)
{
    porch__gnode *n = &c->g->node[node];
    int rc = porch__lower_new_const(c, &n->cshape, n->cdtype, n->cdata, &c->nv[node]);
    n->cdata = NULL; /* ownership moved to the program */
    return rc;
}

static int lower_placeholder(porch__lctx *c, int node)
{
    porch__gnode *n = &c->g->node[node];
    json_t *a = n->attr ? json_object_get(json_object_get(n->attr, "shape"), "shape") : NULL;
    porch__shape s;
    int rc = porch__json_shape(a, &s);
    if (rc)
        return rc;
    if (s.rank > 0 && s.d[0] == -1)
        s.d[0] = 1; /* batch 1 */
    if ((rc = porch__shape_check(&s)))
        return rc;
    for (int i = 0; i < s.rank; i++)
        if (s.d[i] == 0)
            return PORCH_ERR_UNSUPPORTED; /* empty inputs */
    if ((rc = porch__lower_new_runtime(c, &s, -1, &c->nv[node])))
        return rc;
    porch__prog *p = c->p;
    int *ni = realloc(p->inputs, sizeof *ni * (size_t)(p->n_inputs + 1));
    if (!ni)
        return PORCH_ERR_NOMEM;
    p->inputs = ni;
    char **nn = realloc(p->in_names, sizeof *nn * (size_t)(p->n_inputs + 1));
    if (!nn)
        return PORCH_ERR_NOMEM;
    p->in_names = nn;
    if (!(nn[p->n_inputs] = strdup(n->name)))
        return PORCH_ERR_NOMEM;
    ni[p->n_inputs++] = c->nv[node];
    return PORCH_OK;
}

static int lower_identity(porch__lctx *c, int node)
{
    return porch__lower_in(c, node, 0, &c->nv[node]);
}

typedef struct op_entry { const char *name; int (*fn)(porch__lctx *, int, int); int arg; } op_entry;

static int w_const(porch__lctx *c, int n, int a) { (void)a; return lower_const(c, n); }
static int w_ph(porch__lctx *c, int n, int a) { (void)a; return lower_placeholder(c, n); }
static int w_id(porch__lctx *c, int n, int a) { (void)a; return lower_identity(c, n); }
static int w_pool(porch__lctx *c, int n, int a) { (void)a; return porch__lower_maxpool(c, n); }
static int w_resize(porch__lctx *c, int n, int a) { (void)a; return porch__lower_resize(c, n); }
static int w_tr(porch__lctx *c, int n, int a) { (void)a; return porch__lower_transpose(c, n); }
static int w_rs(porch__lctx *c, int n, int a) { (void)a; return porch__lower_reshape(c, n); }
static int w_pad(porch__lctx *c, int n, int a) { (void)a; return porch__lower_pad(c, n); }
static int w_cat(porch__lctx *c, int n, int a) { (void)a; return porch__lower_concat(c, n); }
static int w_split(porch__lctx *c, int n, int a) { (void)a; return porch__lower_split(c, n); }
static int w_s2d(porch__lctx *c, int n, int a) { (void)a; return porch__lower_sparse_to_dense(c, n); }
static int w_mean(porch__lctx *c, int n, int a) { (void)a; return porch__lower_mean(c, n); }
static int w_softmax(porch__lctx *c, int n, int a) { (void)a; return porch__lower_softmax(c, n); }

static const op_entry ops[] = {
    { "Const", w_const, 0 }, { "Placeholder", w_ph, 0 }, { "Identity", w_id, 0 },
    { "Conv2D", porch__lower_conv, 0 }, { "_FusedConv2D", porch__lower_conv, 1 },
    { "DepthwiseConv2dNative", porch__lower_dwconv, 0 },
    { "FusedDepthwiseConv2dNative", porch__lower_dwconv, 1 },
    { "MaxPool", w_pool, 0 }, { "ResizeBilinear", w_resize, 0 },
    { "Add", porch__lower_binary, PORCH__B_ADD }, { "AddV2", porch__lower_binary, PORCH__B_ADD },
    { "Sub", porch__lower_binary, PORCH__B_SUB }, { "Mul", porch__lower_binary, PORCH__B_MUL },
    { "Maximum", porch__lower_binary, PORCH__B_MAX }, { "Minimum", porch__lower_binary, PORCH__B_MIN },
    { "Relu", porch__lower_unary, PORCH__A_RELU }, { "Relu6", porch__lower_unary, PORCH__A_RELU6 },
    { "LeakyRelu", porch__lower_unary, PORCH__A_LEAKY }, { "Sigmoid", porch__lower_unary, PORCH__A_SIGMOID },
    { "Transpose", w_tr, 0 }, { "Reshape", w_rs, 0 }, { "Pad", w_pad, 0 }, { "PadV2", w_pad, 0 },
    { "ConcatV2", w_cat, 0 }, { "SplitV", w_split, 0 }, { "SparseToDense", w_s2d, 0 },
    { "Mean", w_mean, 0 }, { "Softmax", w_softmax, 0 },
    { "MatMul", porch__lower_matmul, 0 }, { "_FusedMatMul", porch__lower_matmul, 1 },
};

static int lower_node(porch__lctx *c, int node)
{
    const char *op = c->g->node[node].op;
    c->nout[node] = 1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i].name) == 0)
            return ops[i].fn(c, node, ops[i].arg);
    return PORCH_ERR_UNSUPPORTED; /* an op this runtime does not implement */
}

/* Graph outputs: runtime values in identity layout, by sorted name. */
static int lower_outputs(porch__lctx *c)
{
    porch__prog *p = c->p;
    porch__graph *g = c->g;
    p->outputs = calloc((size_t)g->n_out, sizeof *p->outputs);
    p->out_names = calloc((size_t)g->n_out, sizeof *p->out_names);
    if (!p->outputs || !p->out_names)
        return PORCH_ERR_NOMEM;
    for (int i = 0; i < g->n_out; i++) {
        int node = porch__graph_find(g, g->out_names[i]), v, rc;
        if (node < 0 || c->nv[node] < 0)
            return PORCH_ERR_MALFORMED;
        if (porch__lower_is_const(c, c->nv[node]))
            return PORCH_ERR_UNSUPPORTED; /* constant outputs are not useful */
        if ((rc = porch__lower_to_identity(c, c->nv[node], &v)))
            return rc;
        if (p->val[v].dtype != PORCH__F32)
            return PORCH_ERR_UNSUPPORTED;
        p->outputs[i] = v;
        if (!(p->out_names[i] = strdup(g->out_names[i])))
            return PORCH_ERR_NOMEM;
        p->n_outputs = i + 1;
    }
    return PORCH_OK;
}

int porch__lower(porch__prog *p, porch__graph *g)
{
    porch__lctx c = { p, g, NULL, NULL };
    int rc = PORCH_ERR_NOMEM;
    c.nv = malloc(sizeof *c.nv * (size_t)g->n_node);
    c.nout = calloc((size_t)g->n_node, sizeof *c.nout);
    if (!c.nv || !c.nout)
        goto out;
    for (int i = 0; i < g->n_node; i++)
        c.nv[i] = -1;
    for (int i = 0; i < g->n_node; i++)
        if ((rc = lower_node(&c, g->order[i])))
            goto out;
    rc = lower_outputs(&c);
    if (!rc && p->n_inputs == 0)
        rc = PORCH_ERR_UNSUPPORTED;
out:
    free(c.nv);
    free(c.nout);
    return rc;
}
