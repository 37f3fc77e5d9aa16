/*
 * lower_shape.c: Transpose, Reshape, Pad/PadV2, ConcatV2, SplitV and
 * SparseToDense. Transpose is a relabeling of the layout (no data moves);
 * Reshape is a view whenever the merged or split dims are adjacent and in
 * order in memory; Pad/Concat/Split work on any layout via the physical
 * axis. On constants everything is folded at load.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/lower.h"
#include "porchlight/error.h"

static int add_alias(porch__lctx *c, int x, const porch__shape *s, const uint8_t *perm, int *id)
{
    int rc = porch__lower_new_runtime(c, s, -1, id);
    if (rc)
        return rc;
    memcpy(c->p->val[*id].perm, perm, PORCH__NN_MAX_RANK);
    c->p->val[*id].alias = porch__lower_root(c, x);
    return PORCH_OK;
}

int porch__lower_transpose(porch__lctx *c, int node)
{
    int64_t p[PORCH__NN_MAX_RANK];
    int n, x, rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = porch__lower_const_ints(c, node, 1, p, PORCH__NN_MAX_RANK, &n);
    if (rc)
        return rc;
    const porch__val *v = &c->p->val[x];
    int r = v->shape.rank, seen = 0;
    if (n != r)
        return PORCH_ERR_MALFORMED;
    uint8_t pinv[PORCH__NN_MAX_RANK], perm[PORCH__NN_MAX_RANK] = { 0 };
    porch__shape os = { r, { 0 } };
    for (int i = 0; i < r; i++) {
        if (p[i] < 0 || p[i] >= r || (seen & (1 << p[i])))
            return PORCH_ERR_MALFORMED; /* not a permutation */
        seen |= 1 << p[i];
        pinv[p[i]] = (uint8_t)i;
        os.d[i] = v->shape.d[p[i]];
    }
    for (int j = 0; j < r; j++)
        perm[j] = pinv[v->perm[j]];
    if (!porch__lower_is_const(c, x))
        return add_alias(c, x, &os, perm, &c->nv[node]);
    /* constant: same bytes, relabelled, then stored in identity layout */
    size_t cnt = (size_t)porch__shape_count(&v->shape);
    void *d = malloc(cnt ? cnt * 4 : 4);
    if (!d)
        return PORCH_ERR_NOMEM;
    memcpy(d, v->cdata, cnt * 4);
    if ((rc = porch__lower_new_const(c, &os, v->dtype, d, &c->nv[node])))
        return rc;
    memcpy(c->p->val[c->nv[node]].perm, perm, PORCH__NN_MAX_RANK);
    return porch__lower_to_identity(c, c->nv[node], &c->nv[node]);
}

static int reshape_target(porch__lctx *c, int node, const porch__shape *in, porch__shape *os)
{
    int64_t t[PORCH__NN_MAX_RANK];
    int n, unknown = -1, rc = porch__lower_const_ints(c, node, 1, t, PORCH__NN_MAX_RANK, &n);
    if (rc)
        return rc;
    int64_t known = 1, total = porch__shape_count(in);
    os->rank = n;
    for (int i = 0; i < n; i++) {
        if (t[i] == -1 && unknown < 0)
            unknown = i, t[i] = 1;
        else if (t[i] < 0 || t[i] > PORCH__NN_MAX_ELEMS)
            return PORCH_ERR_MALFORMED;
        known *= t[i];
        if (known > PORCH__NN_MAX_ELEMS)
            return PORCH_ERR_MALFORMED;
        os->d[i] = t[i];
    }
    if (unknown >= 0) {
        if (known == 0 || total % known)
            return PORCH_ERR_MALFORMED;
        os->d[unknown] = total / known;
    } else if (known != total) {
        return PORCH_ERR_MALFORMED;
    }
    return PORCH_OK;
}

/* Position of logical dim l among the non-unit physical dims of v. */
static int phys_rank(const porch__val *v, int l)
{
    int q = 0;
    for (int j = 0; j < v->shape.rank; j++) {
        if (v->perm[j] == l)
            return q;
        q += v->shape.d[v->perm[j]] != 1;
    }
    return -1;
}

/* Layout under which reshaping v to os needs no data movement; 0 if none. */
static int reshape_view_perm(const porch__val *v, const porch__shape *os, uint8_t *perm)
{
    int first[PORCH__NN_MAX_RANK], ngroup = 0, out_dim[PORCH__NN_MAX_RANK], l = 0, np = 0;
    for (int o = 0; o < os->rank; o++) {
        if (os->d[o] == 1)
            continue;
        while (l < v->shape.rank && v->shape.d[l] == 1)
            l++;
        if (l >= v->shape.rank)
            return 0;
        int64_t prod = v->shape.d[l];
        first[ngroup] = phys_rank(v, l);
        out_dim[ngroup++] = o;
        int prev = first[ngroup - 1];
        for (l++; prod < os->d[o]; l++) {
            if (l >= v->shape.rank)
                return 0;
            if (v->shape.d[l] == 1)
                continue;
            if (phys_rank(v, l) != ++prev)
                return 0; /* merged dims not adjacent in memory */
            prod *= v->shape.d[l];
        }
        if (prod != os->d[o])
            return 0;
    }
    for (int o = 0; o < os->rank; o++)
        if (os->d[o] == 1)
            perm[np++] = (uint8_t)o;
    for (int q = 0; q <= PORCH__NN_MAX_RANK * 2 && np < os->rank; q++)
        for (int gi = 0; gi < ngroup; gi++)
            if (first[gi] == q)
                perm[np++] = (uint8_t)out_dim[gi];
    return np == os->rank;
}

int porch__lower_reshape(porch__lctx *c, int node)
{
    porch__shape os;
    int x, rc = porch__lower_in(c, node, 0, &x);
    if (!rc)
        rc = reshape_target(c, node, &c->p->val[x].shape, &os);
    if (rc)
        return rc;
    uint8_t perm[PORCH__NN_MAX_RANK] = { 0 };
    if (!porch__lower_is_const(c, x) && reshape_view_perm(&c->p->val[x], &os, perm))
        return add_alias(c, x, &os, perm, &c->nv[node]);
    if ((rc = porch__lower_to_identity(c, x, &x)))
        return rc;
    porch__perm_identity(perm, os.rank);
    if (!porch__lower_is_const(c, x))
        return add_alias(c, x, &os, perm, &c->nv[node]);
    size_t n = (size_t)porch__shape_count(&os);
    void *d = malloc(n ? n * 4 : 4);
    if (!d)
        return PORCH_ERR_NOMEM;
    memcpy(d, c->p->val[x].cdata, n * 4);
    return porch__lower_new_const(c, &os, c->p->val[x].dtype, d, &c->nv[node]);
}

static int pad_value(porch__lctx *c, int node, float *val)
{
    *val = 0.0f;
    if (strcmp(c->g->node[node].op, "PadV2"))
        return PORCH_OK;
    int v, rc = porch__lower_in(c, node, 2, &v);
    if (rc)
        return rc;
    const porch__val *pv = &c->p->val[v];
    if (!pv->cdata || pv->dtype != PORCH__F32 || porch__shape_count(&pv->shape) != 1)
        return PORCH_ERR_UNSUPPORTED;
    *val = *(const float *)pv->cdata;
    return PORCH_OK;
}

int porch__lower_pad(porch__lctx *c, int node)
{
    int64_t pd[2 * PORCH__NN_MAX_RANK];
    int n, x, y, ii, *in, *out, rc = porch__lower_in(c, node, 0, &x);
    float val;
    if (!rc)
        rc = porch__lower_const_ints(c, node, 1, pd, 2 * PORCH__NN_MAX_RANK, &n);
    if (!rc)
        rc = pad_value(c, node, &val);
    if (rc)
        return rc;
    const porch__val *v = &c->p->val[x];
    if (n != 2 * v->shape.rank || porch__lower_is_const(c, x) || v->dtype != PORCH__F32)
        return PORCH_ERR_UNSUPPORTED;
    porch__shape os = v->shape;
    for (int l = 0; l < os.rank; l++) {
        if (pd[2 * l] < 0 || pd[2 * l + 1] < 0 || pd[2 * l] > 4096 || pd[2 * l + 1] > 4096)
            return PORCH_ERR_UNSUPPORTED; /* negative (cropping) pads */
        os.d[l] += pd[2 * l] + pd[2 * l + 1];
    }
    if ((rc = porch__lower_new_runtime(c, &os, x, &y)) ||
        (rc = porch__prog_add_ins(c->p, PORCH__I_PAD, 1, 1, &in, &out, &ii)))
        return rc;
    porch__instr *I = &c->p->ins[ii];
    for (int j = 0; j < os.rank; j++) {
        I->pads[2 * j] = pd[2 * c->p->val[x].perm[j]];
        I->pads[2 * j + 1] = pd[2 * c->p->val[x].perm[j] + 1];
    }
    I->fval = val;
    in[0] = x, out[0] = y;
    c->nv[node] = y;
    return PORCH_OK;
}

static int phys_axis(const porch__val *v, int64_t axis, int *out)
{
    if (axis < 0)
        axis += v->shape.rank;
    if (axis < 0 || axis >= v->shape.rank)
        return PORCH_ERR_MALFORMED;
    for (int j = 0; j < v->shape.rank; j++)
        if (v->perm[j] == axis)
            *out = j;
    return PORCH_OK;
}

static int concat_inputs(porch__lctx *c, int node, int k, int64_t axis, int *ref, porch__shape *os)
{
    *ref = -1;
    for (int i = 0; i < k; i++) {
        int v, rc = porch__lower_in(c, node, i, &v);
        if (rc)
            return rc;
        const porch__shape *s = &c->p->val[v].shape;
        if (*ref < 0 && !porch__lower_is_const(c, v))
            *ref = v;
        if (i == 0)
            *os = *s, os->d[axis] = 0;
        if (s->rank != os->rank || c->p->val[v].dtype != PORCH__F32)
            return PORCH_ERR_UNSUPPORTED;
        for (int d = 0; d < s->rank; d++)
            if (d != axis && s->d[d] != os->d[d])
                return PORCH_ERR_MALFORMED;
        os->d[axis] += s->d[axis];
    }
    return *ref < 0 ? PORCH_ERR_UNSUPPORTED : porch__shape_check(os);
}

int porch__lower_concat(porch__lctx *c, int node)
{
    int k = c->g->node[node].n_in - 1, n, ref, y, ii, *in, *out, rc;
    int64_t axis;
    porch__shape os;
    if (k < 1)
        return PORCH_ERR_MALFORMED;
    if ((rc = porch__lower_const_ints(c, node, k, &axis, 1, &n)))
        return rc;
    int v0;
    if (n != 1 || (rc = porch__lower_in(c, node, 0, &v0)))
        return n != 1 ? PORCH_ERR_MALFORMED : rc;
    if (axis < 0)
        axis += c->p->val[v0].shape.rank;
    if (axis < 0 || axis >= c->p->val[v0].shape.rank)
        return PORCH_ERR_MALFORMED;
    if ((rc = concat_inputs(c, node, k, axis, &ref, &os)))
        return rc;
    if ((rc = porch__lower_new_runtime(c, &os, ref, &y)))
        return rc;
    int src[PORCH__NN_MAX_INPUTS]; /* converted first: transposes run before the concat */
    for (int i = 0; i < k && !rc; i++) {
        rc = porch__lower_in(c, node, i, &src[i]);
        if (!rc)
            rc = porch__lower_to_perm(c, src[i], c->p->val[y].perm, &src[i]);
    }
    if (rc || (rc = porch__prog_add_ins(c->p, PORCH__I_CONCAT, k, 1, &in, &out, &ii)))
        return rc;
    memcpy(in, src, sizeof *in * (size_t)k);
    out[0] = y;
    c->nv[node] = y;
    return phys_axis(&c->p->val[y], axis, &c->p->ins[ii].axis);
}
