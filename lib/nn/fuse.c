/*
 * fuse.c: program-level optimisation after lowering.
 *
 *   PAD(0) -> CONV        the pad becomes the conv's own zero padding
 *   PAD(-inf) -> MAXPOOL  the pad becomes ignored taps
 *   CONV -> Add/Sub/Mul with a per-channel constant   folded into bias/weights
 *   CONV -> Relu/Relu6/LeakyRelu                       folded into the epilogue
 *   CONV+Relu -> Minimum(6) / Maximum(0)               Relu6 / nothing (faceres)
 *   binary op -> Relu/Relu6/LeakyRelu                  applied in the same instruction
 *   Add(Maximum(0,x), Mul(g, Minimum(0,x)))            one PRELU op (mobileface)
 *   dead instructions (outputs never read) are dropped
 *
 * A fusion only happens when the intermediate value has exactly one reader
 * (counting aliases and graph outputs), so no other instruction could
 * observe the skipped intermediate.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"
#include "porchlight/error.h"

#define DEAD (-1)

static int root(const porch__prog *p, int v)
{
    return p->val[v].alias >= 0 ? p->val[v].alias : v;
}

static void count_uses(porch__prog *p)
{
    for (int v = 0; v < p->n_val; v++)
        p->val[v].uses = 0;
    for (int i = 0; i < p->n_ins; i++)
        if (p->ins[i].op != DEAD)
            for (int k = 0; k < p->ins[i].n_in; k++)
                p->val[root(p, p->ins[i].in[k])].uses++;
    for (int i = 0; i < p->n_outputs; i++)
        p->val[root(p, p->outputs[i])].uses++;
}

/* Same bytes in the same order: equal physical shapes (layout labels may differ). */
static int same_phys(const porch__prog *p, int a, int b)
{
    porch__shape x, y;
    porch__phys_shape(&p->val[a], &x);
    porch__phys_shape(&p->val[b], &y);
    return x.rank == y.rank && memcmp(x.d, y.d, sizeof(int64_t) * (size_t)x.rank) == 0;
}

/* The live instruction reading value v, directly or through a view with the
 * same physical shape (a dropped transpose), as its only reader; or -1. */
static int sole_reader(const porch__prog *p, int v, int *slot)
{
    if (p->val[v].uses != 1)
        return -1;
    for (int i = 0; i < p->n_ins; i++)
        for (int k = 0; p->ins[i].op != DEAD && k < p->ins[i].n_in; k++)
            if (root(p, p->ins[i].in[k]) == v && same_phys(p, p->ins[i].in[k], v)) {
                *slot = k;
                return i;
            }
    return -1; /* read only through an alias or as a graph output */
}

/* Per-channel vector of a constant broadcast over NHWC [1,H,W,C]: NULL if not one. */
static const float *channel_vec(const porch__prog *p, int v, int cout, int *scalar)
{
    const porch__val *c = &p->val[v];
    if (!c->cdata || c->dtype != PORCH__F32)
        return NULL;
    int64_t n = porch__shape_count(&c->shape);
    porch__shape ph;
    porch__phys_shape(c, &ph);
    *scalar = n == 1;
    if (n == 1)
        return c->cdata;
    if (n != cout || ph.rank < 1 || ph.d[ph.rank - 1] != cout)
        return NULL;
    return c->cdata;
}

static int fold_affine(porch__prog *p, porch__instr *conv, const porch__instr *op, int slot)
{
    porch__conv_params *cp = &conv->conv;
    int other = op->in[1 - slot], scalar = 0;
    const float *v = channel_vec(p, other, cp->cout, &scalar);
    if (!v || cp->act != PORCH__A_NONE || (op->sub == PORCH__B_SUB && slot != 0))
        return 0;
    if (op->sub != PORCH__B_ADD && op->sub != PORCH__B_SUB && op->sub != PORCH__B_MUL)
        return 0;
    size_t k = (size_t)cp->kh * (size_t)cp->kw * (size_t)cp->cin;
    for (int co = 0; co < cp->cout; co++) {
        float s = v[scalar ? 0 : co];
        if (op->sub == PORCH__B_ADD)
            cp->bias[co] += s;
        else if (op->sub == PORCH__B_SUB)
            cp->bias[co] -= s;
        else {
            cp->bias[co] *= s;
            for (size_t r = 0; r < k; r++)
                cp->w[r * (size_t)cp->cout + (size_t)co] *= s;
        }
    }
    return 1;
}

/* The value of a one-element float constant, or 0 if v is not one. */
static int scalar_const(const porch__prog *p, int v, float *out)
{
    const porch__val *c = &p->val[v];
    if (!c->cdata || c->dtype != PORCH__F32 || porch__shape_count(&c->shape) != 1)
        return 0;
    *out = *(const float *)c->cdata;
    return 1;
}

/* Relu -> Minimum(6) -> Maximum(0) (faceres' ReLU6): Minimum(6) after Relu or
 * Relu6 is Relu6, Maximum(0) after either is a no-op. */
static int fold_clamp(const porch__prog *p, porch__instr *conv, const porch__instr *op, int slot)
{
    float k;
    int act = conv->conv.act;
    if ((act != PORCH__A_RELU && act != PORCH__A_RELU6) || !scalar_const(p, op->in[1 - slot], &k))
        return 0;
    if (op->sub == PORCH__B_MIN && k == 6.0f) {
        conv->conv.act = PORCH__A_RELU6;
        return 1;
    }
    return op->sub == PORCH__B_MAX && k == 0.0f;
}

/* The live instruction whose output is exactly value v (not a view), or -1. */
static int producer(const porch__prog *p, int v)
{
    for (int i = 0; i < p->n_ins; i++)
        if (p->ins[i].op != DEAD && p->ins[i].n_out == 1 && p->ins[i].out[0] == v)
            return i;
    return -1;
}

/* If instruction i is binary `sub` of a runtime value and the scalar k (either
 * order), with its output read once, that runtime value; else -1. */
static int scalar_binary(const porch__prog *p, int i, int sub, float k)
{
    float v;
    if (i < 0 || p->ins[i].op != PORCH__I_BINARY || p->ins[i].sub != sub ||
        p->ins[i].act != PORCH__A_NONE || p->val[p->ins[i].out[0]].uses != 1)
        return -1;
    for (int s = 0; s < 2; s++)
        if (scalar_const(p, p->ins[i].in[s], &v) && v == k && !p->val[p->ins[i].in[1 - s]].cdata)
            return p->ins[i].in[1 - s];
    return -1;
}

/* mobileface's PReLU, Add(Maximum(0, x), Mul(g, Minimum(0, x))) at Add i, becomes
 * one PRELU binary op of x and the constant g (same value, bit for bit). */
static int fuse_prelu(porch__prog *p, int i)
{
    porch__instr *I = &p->ins[i];
    if (I->sub != PORCH__B_ADD || I->act != PORCH__A_NONE)
        return 0;
    for (int s = 0; s < 2; s++) {
        int mx = producer(p, I->in[s]), ml = producer(p, I->in[1 - s]);
        int x = scalar_binary(p, mx, PORCH__B_MAX, 0.0f);
        if (x < 0 || ml < 0 || p->ins[ml].op != PORCH__I_BINARY || p->ins[ml].sub != PORCH__B_MUL ||
            p->ins[ml].act != PORCH__A_NONE || p->val[p->ins[ml].out[0]].uses != 1 ||
            !same_phys(p, x, I->out[0]))
            continue;
        for (int t = 0; t < 2; t++) {
            int g = p->ins[ml].in[t], mn = producer(p, p->ins[ml].in[1 - t]);
            if (!p->val[g].cdata || scalar_binary(p, mn, PORCH__B_MIN, 0.0f) != x)
                continue;
            I->sub = PORCH__B_PRELU;
            I->in[0] = x;
            I->in[1] = g;
            p->ins[mx].op = p->ins[ml].op = p->ins[mn].op = DEAD;
            return 1;
        }
    }
    return 0;
}

static int fold_act(porch__instr *conv, const porch__instr *op)
{
    if (conv->conv.act != PORCH__A_NONE || op->sub == PORCH__A_SIGMOID || op->sub == PORCH__A_NONE)
        return 0;
    conv->conv.act = op->sub;
    conv->conv.alpha = op->fval;
    return 1;
}

/* Tries to merge the sole reader of conv i's output into conv i. */
static int fuse_conv_next(porch__prog *p, int i)
{
    porch__instr *conv = &p->ins[i];
    int slot, r = sole_reader(p, conv->out[0], &slot);
    if (r < 0)
        return 0;
    porch__instr *op = &p->ins[r];
    if (!same_phys(p, conv->out[0], op->out[0]))
        return 0; /* e.g. a broadcasting add that grows the tensor */
    int ok = op->op == PORCH__I_BINARY ? fold_affine(p, conv, op, slot) || fold_clamp(p, conv, op, slot)
           : op->op == PORCH__I_UNARY ? fold_act(conv, op) : 0;
    if (!ok)
        return 0;
    conv->out[0] = op->out[0];
    op->op = DEAD;
    return 1;
}

/* Tries to merge the activation reading binary op i's output (residual Add + Relu). */
static int fuse_binary_act(porch__prog *p, int i)
{
    porch__instr *b = &p->ins[i];
    int slot, r = sole_reader(p, b->out[0], &slot);
    if (r < 0 || b->act != PORCH__A_NONE || p->ins[r].op != PORCH__I_UNARY ||
        p->ins[r].sub == PORCH__A_SIGMOID || p->ins[r].sub == PORCH__A_NONE ||
        !same_phys(p, b->out[0], p->ins[r].out[0]))
        return 0;
    b->act = p->ins[r].sub;
    b->act_alpha = p->ins[r].fval;
    b->out[0] = p->ins[r].out[0];
    p->ins[r].op = DEAD;
    return 1;
}

/* Tries to merge a spatial-only PAD feeding conv/pool i into it. */
static int fuse_pad_into(porch__prog *p, int i)
{
    porch__instr *w = &p->ins[i];
    int in = w->in[0], pi = -1;
    for (int k = 0; k < i; k++)
        if (p->ins[k].op == PORCH__I_PAD && p->ins[k].out[0] == root(p, in))
            pi = k;
    if (pi < 0 || p->val[root(p, in)].uses != 1 || !same_phys(p, in, root(p, in)))
        return 0;
    const porch__instr *pad = &p->ins[pi];
    int want_inf = w->op == PORCH__I_MAXPOOL;
    if (want_inf ? !(isinf(pad->fval) && pad->fval < 0) : pad->fval != 0.0f)
        return 0;
    if (p->val[in].shape.rank != 4 || pad->pads[0] || pad->pads[1] || pad->pads[6] || pad->pads[7])
        return 0;
    if (pad->pads[2] > 64 || pad->pads[3] > 64 || pad->pads[4] > 64 || pad->pads[5] > 64)
        return 0;
    w->conv.pad[0] += (int)pad->pads[2], w->conv.pad[2] += (int)pad->pads[3];
    w->conv.pad[1] += (int)pad->pads[4], w->conv.pad[3] += (int)pad->pads[5];
    w->in[0] = pad->in[0];
    p->ins[pi].op = DEAD;
    return 1;
}

static void drop_dead_code(porch__prog *p)
{
    for (int i = p->n_ins - 1; i >= 0; i--) {
        porch__instr *I = &p->ins[i];
        int live = 0;
        for (int k = 0; I->op != DEAD && k < I->n_out; k++)
            live |= p->val[I->out[k]].uses > 0;
        if (I->op == DEAD || live)
            continue;
        I->op = DEAD;
        for (int k = 0; k < I->n_in; k++)
            p->val[root(p, I->in[k])].uses--;
    }
}

static void compact(porch__prog *p)
{
    int n = 0;
    for (int i = 0; i < p->n_ins; i++) {
        if (p->ins[i].op == DEAD) {
            free(p->ins[i].in);
            free(p->ins[i].out);
            free(p->ins[i].conv.w);
            free(p->ins[i].conv.bias);
            continue;
        }
        p->ins[n++] = p->ins[i];
    }
    p->n_ins = n;
}

int porch__fuse(porch__prog *p)
{
    count_uses(p);
    drop_dead_code(p);
    for (int i = 0; i < p->n_ins; i++) {
        int op = p->ins[i].op;
        int conv = op == PORCH__I_CONV || op == PORCH__I_DWCONV;
        if (conv || op == PORCH__I_MAXPOOL)
            while (fuse_pad_into(p, i))
                count_uses(p);
        while (conv && fuse_conv_next(p, i))
            count_uses(p);
        if (op == PORCH__I_BINARY && fuse_prelu(p, i))
            count_uses(p);
        if (op == PORCH__I_BINARY && fuse_binary_act(p, i))
            count_uses(p);
    }
    compact(p);
    for (int i = 0; i < p->n_ins; i++)
        if (p->ins[i].op == PORCH__I_CONV) {
            int rc = porch__conv_pack(&p->ins[i].conv);
            if (rc)
                return rc;
        }
    return PORCH_OK;
}
