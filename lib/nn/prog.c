/*
 * prog.c: the compiled program's value and instruction tables.
 * The program owns every value's constant data, every instruction's in/out
 * arrays and packed weights; porch__prog_free releases all of it.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"
#include "porchlight/error.h"

static int grow(void **arr, int *cap, int need, size_t esize)
{
    if (need <= *cap)
        return PORCH_OK;
    int nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *p = realloc(*arr, (size_t)nc * esize);
    if (!p)
        return PORCH_ERR_NOMEM;
    memset((char *)p + (size_t)*cap * esize, 0, (size_t)(nc - *cap) * esize);
    *arr = p;
    *cap = nc;
    return PORCH_OK;
}

/* A new runtime value (no data, identity layout); the program owns it. */
int porch__prog_add_val(porch__prog *p, const porch__shape *s, int dtype, int *id)
{
    *id = -1;
    porch__shape copy = *s; /* s may point into p->val, which grow() moves */
    int rc = porch__shape_check(&copy);
    if (rc || (rc = grow((void **)&p->val, &p->cap_val, p->n_val + 1, sizeof *p->val)))
        return rc;
    porch__val *v = &p->val[p->n_val];
    memset(v, 0, sizeof *v);
    v->shape = copy;
    v->dtype = dtype;
    v->alias = -1;
    v->def = -1;
    porch__perm_identity(v->perm, s->rank);
    *id = p->n_val++;
    return PORCH_OK;
}

/* A new instruction with n_in and n_out slots, filled by the caller through in and out. */
int porch__prog_add_ins(porch__prog *p, int op, int n_in, int n_out, int **in, int **out, int *id)
{
    *id = -1;
    int rc = grow((void **)&p->ins, &p->cap_ins, p->n_ins + 1, sizeof *p->ins);
    if (rc)
        return rc;
    porch__instr *ins = &p->ins[p->n_ins];
    memset(ins, 0, sizeof *ins);
    ins->in = calloc((size_t)n_in + 1, sizeof *ins->in);
    ins->out = calloc((size_t)n_out + 1, sizeof *ins->out);
    if (!ins->in || !ins->out) {
        free(ins->in);
        free(ins->out);
        return PORCH_ERR_NOMEM;
    }
    ins->op = op;
    ins->n_in = n_in;
    ins->n_out = n_out;
    *in = ins->in;
    *out = ins->out;
    *id = p->n_ins++;
    return PORCH_OK;
}

/* A constant equal to value v but stored with layout perm (new value id in *out). */
int porch__const_to_perm(porch__prog *p, int v, const uint8_t *perm, int *out)
{
    *out = v;
    if (memcmp(p->val[v].perm, perm, (size_t)p->val[v].shape.rank) == 0)
        return PORCH_OK;
    int id, rc = porch__prog_add_val(p, &p->val[v].shape, p->val[v].dtype, &id);
    if (rc)
        return rc;
    porch__val *src = &p->val[v], *dst = &p->val[id];
    size_t n = (size_t)porch__shape_count(&src->shape);
    if (!(dst->cdata = malloc(n ? n * 4 : 4)))
        return PORCH_ERR_NOMEM;
    /* map: dst phys j = logical perm[j] = src phys k where src->perm[k] == perm[j] */
    uint8_t rel[PORCH__NN_MAX_RANK];
    for (int j = 0; j < src->shape.rank; j++)
        for (int k = 0; k < src->shape.rank; k++)
            if (src->perm[k] == perm[j])
                rel[j] = (uint8_t)k;
    porch__shape ph;
    porch__phys_shape(src, &ph);
    porch__transpose(src->cdata, dst->cdata, &ph, rel, 4);
    memcpy(dst->perm, perm, sizeof dst->perm);
    *out = id;
    return PORCH_OK;
}

void porch__prog_free(porch__prog *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_val; i++)
        free(p->val[i].cdata);
    for (int i = 0; i < p->n_ins; i++) {
        free(p->ins[i].in);
        free(p->ins[i].out);
        free(p->ins[i].conv.w);
        free(p->ins[i].conv.bias);
    }
    for (int i = 0; i < p->n_inputs; i++)
        free(p->in_names[i]);
    for (int i = 0; i < p->n_outputs; i++)
        free(p->out_names[i]);
    free(p->in_names);
    free(p->out_names);
    free(p->inputs);
    free(p->outputs);
    free(p->val);
    free(p->ins);
    memset(p, 0, sizeof *p);
}
