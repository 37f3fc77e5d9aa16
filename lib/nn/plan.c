/*
 * plan.c: memory plan. Every runtime value that owns bytes (aliases view
 * their root's) gets a 64-byte-aligned offset in one arena. A value lives
 * from the instruction that writes it to the last instruction that reads
 * it or any alias of it (graph inputs from the start, graph outputs to the
 * end); values whose lifetimes overlap never share bytes. Placement is
 * greedy by decreasing size, lowest offset that fits (the usual
 * "greedy by size" offset planner of TFLite).
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"
#include "porchlight/error.h"

static int root(const porch__prog *p, int v)
{
    return p->val[v].alias >= 0 ? p->val[v].alias : v;
}

static size_t val_bytes(const porch__val *v)
{
    return ((size_t)porch__shape_count(&v->shape) * 4 + 63) & ~(size_t)63;
}

static void lifetimes(porch__prog *p)
{
    for (int v = 0; v < p->n_val; v++)
        p->val[v].def = -2, p->val[v].last_use = -2; /* -2: owns no bytes */
    for (int i = 0; i < p->n_inputs; i++)
        p->val[p->inputs[i]].def = -1, p->val[p->inputs[i]].last_use = -1;
    for (int i = 0; i < p->n_ins; i++) {
        const porch__instr *I = &p->ins[i];
        for (int k = 0; k < I->n_out; k++)
            p->val[I->out[k]].def = i, p->val[I->out[k]].last_use = i;
    }
    for (int i = 0; i < p->n_ins; i++)
        for (int k = 0; k < p->ins[i].n_in; k++) {
            porch__val *r = &p->val[root(p, p->ins[i].in[k])];
            if (!r->cdata && r->last_use < i)
                r->last_use = i;
        }
    for (int i = 0; i < p->n_outputs; i++)
        p->val[root(p, p->outputs[i])].last_use = p->n_ins;
}

static int by_size_desc(const void *a, const void *b, const porch__prog *p)
{
    size_t sa = val_bytes(&p->val[*(const int *)a]), sb = val_bytes(&p->val[*(const int *)b]);
    return sa < sb ? 1 : sa > sb ? -1 : *(const int *)a - *(const int *)b;
}

/* insertion sort: C17 has no qsort_r; a few hundred values */
static void sort_ids(int *ids, int n, const porch__prog *p)
{
    for (int i = 1; i < n; i++) {
        int x = ids[i], j = i - 1;
        while (j >= 0 && by_size_desc(&ids[j], &x, p) > 0) {
            ids[j + 1] = ids[j];
            j--;
        }
        ids[j + 1] = x;
    }
}

static size_t place(porch__prog *p, const int *placed, int n_placed, int v)
{
    const porch__val *x = &p->val[v];
    size_t off = 0, need = val_bytes(x);
    for (int again = 1; again;) {
        again = 0;
        for (int k = 0; k < n_placed; k++) {
            const porch__val *y = &p->val[placed[k]];
            int overlap_t = !(x->last_use < y->def || y->last_use < x->def);
            int overlap_m = off < y->offset + val_bytes(y) && y->offset < off + need;
            if (overlap_t && overlap_m) {
                off = y->offset + val_bytes(y);
                again = 1;
            }
        }
    }
    return off;
}

static void scratch_need(porch__prog *p)
{
    p->scratch_floats = 0;
    for (int i = 0; i < p->n_ins; i++) {
        const porch__instr *I = &p->ins[i];
        const porch__conv_params *c = &I->conv;
        if (I->op != PORCH__I_CONV || !(c->pad[0] | c->pad[1] | c->pad[2] | c->pad[3]))
            continue;
        porch__shape ph, *s = &ph;
        porch__phys_shape(&p->val[I->in[0]], &ph);
        size_t n = (size_t)(s->d[0] * (s->d[1] + c->pad[0] + c->pad[2]) *
                            (s->d[2] + c->pad[1] + c->pad[3]) * s->d[3]);
        if (n > p->scratch_floats)
            p->scratch_floats = n;
    }
}

int porch__plan(porch__prog *p)
{
    lifetimes(p);
    int *ids = malloc(sizeof *ids * (size_t)(p->n_val + 1)), n = 0;
    if (!ids)
        return PORCH_ERR_NOMEM;
    for (int v = 0; v < p->n_val; v++)
        if (!p->val[v].cdata && p->val[v].alias < 0 && p->val[v].def != -2)
            ids[n++] = v;
    sort_ids(ids, n, p);
    p->arena_bytes = 64;
    for (int k = 0; k < n; k++) {
        porch__val *v = &p->val[ids[k]];
        v->offset = place(p, ids, k, ids[k]);
        if (v->offset + val_bytes(v) > p->arena_bytes)
            p->arena_bytes = v->offset + val_bytes(v);
    }
    free(ids);
    scratch_need(p);
    return PORCH_OK;
}
