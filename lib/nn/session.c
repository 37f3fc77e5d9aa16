/*
 * session.c: executes a compiled program. A session owns the activation
 * arena (size from the memory plan), the conv padding scratch and the
 * thread pool; the model is only read, so sessions of one model may run
 * concurrently. Only convolutions are split between threads: they are
 * >95% of nanodet's time, the other ops are memory-bound copies.
 */
#include <stdlib.h>
#include <string.h>

#include "nn/conv.h"
#include "nn/ops.h"
#include "nn/pool.h"
#include "porchlight/error.h"

struct porch_nn_session {
    const porch_nn_model *m;
    uint8_t *arena;      /* prog.arena_bytes, 64-byte aligned */
    float *scratch;      /* prog.scratch_floats */
    porch__pool *pool;
};

static float *ptr(porch_nn_session *s, int v)
{
    const porch__prog *p = &s->m->prog;
    const porch__val *x = &p->val[v];
    if (x->cdata)
        return x->cdata;
    int r = x->alias >= 0 ? x->alias : v;
    return (float *)(void *)(s->arena + p->val[r].offset);
}

static void conv_part(void *arg, int part, int nparts)
{
    porch__conv_run_part(arg, part, nparts);
}

static void run_conv(porch_nn_session *s, const porch__instr *I)
{
    const porch__prog *p = &s->m->prog;
    const porch__conv_params *cp = &I->conv;
    porch__shape xs, ys; /* physical: fusion may leave relabelled NHWC views here */
    porch__phys_shape(&p->val[I->in[0]], &xs);
    porch__phys_shape(&p->val[I->out[0]], &ys);
    porch__conv_job j = { cp, ptr(s, I->in[0]), xs.d[1], xs.d[2], ptr(s, I->out[0]),
                          ys.d[1], ys.d[2], s->m->isa };
    if (cp->pad[0] | cp->pad[1] | cp->pad[2] | cp->pad[3]) {
        porch__conv_pad_input(cp, j.x, &xs, s->scratch);
        j.x = s->scratch;
        j.xh += cp->pad[0] + cp->pad[2];
        j.xw += cp->pad[1] + cp->pad[3];
    }
    porch__pool_run(s->pool, conv_part, &j);
}

static void run_binary(porch_nn_session *s, const porch__instr *I)
{
    const porch__prog *p = &s->m->prog;
    porch__shape a, b, o;
    porch__phys_shape(&p->val[I->in[0]], &a);
    porch__phys_shape(&p->val[I->in[1]], &b);
    porch__phys_shape(&p->val[I->out[0]], &o);
    porch__op_binary(I->sub, ptr(s, I->in[0]), &a, ptr(s, I->in[1]), &b, ptr(s, I->out[0]), &o);
    if (I->act != PORCH__A_NONE) /* in place, while the output is still in cache */
        porch__op_unary(I->act, I->act_alpha, ptr(s, I->out[0]), ptr(s, I->out[0]),
                        (size_t)porch__shape_count(&o));
}

static void run_multi(porch_nn_session *s, const porch__instr *I)
{
    const porch__prog *p = &s->m->prog;
    const float *xs[PORCH__NN_MAX_INPUTS];
    float *ys[PORCH__NN_MAX_INPUTS];
    porch__shape sh[PORCH__NN_MAX_INPUTS];
    if (I->op == PORCH__I_CONCAT) {
        for (int k = 0; k < I->n_in; k++) {
            xs[k] = ptr(s, I->in[k]);
            porch__phys_shape(&p->val[I->in[k]], &sh[k]);
        }
        porch__op_concat(I->axis, xs, sh, I->n_in, ptr(s, I->out[0]));
        return;
    }
    for (int k = 0; k < I->n_out; k++) {
        ys[k] = ptr(s, I->out[k]);
        porch__phys_shape(&p->val[I->out[k]], &sh[k]);
    }
    porch__op_split(I->axis, ptr(s, I->in[0]), ys, sh, I->n_out);
}

static void run_ins(porch_nn_session *s, const porch__instr *I)
{
    const porch__prog *p = &s->m->prog;
    const porch__val *x = &p->val[I->in[0]], *y = &p->val[I->out[0]];
    porch__shape xs, ys;
    porch__phys_shape(x, &xs);
    porch__phys_shape(y, &ys);
    switch (I->op) {
    case PORCH__I_CONV: run_conv(s, I); break;
    case PORCH__I_DWCONV:
        (s->m->isa >= PORCH_NN_ISA_AVX2 ? porch__op_dwconv_avx2 : porch__op_dwconv)(
            &I->conv, ptr(s, I->in[0]), &xs, ptr(s, I->out[0]), &ys);
        break;
    case PORCH__I_MAXPOOL: porch__op_maxpool(&I->conv, ptr(s, I->in[0]), &xs, ptr(s, I->out[0]), &ys); break;
    case PORCH__I_RESIZE: porch__op_resize(I->sub, I->align, ptr(s, I->in[0]), &xs, ptr(s, I->out[0]), &ys); break;
    case PORCH__I_BINARY: run_binary(s, I); break;
    case PORCH__I_UNARY:
        porch__op_unary(I->sub, I->fval, ptr(s, I->in[0]), ptr(s, I->out[0]),
                        (size_t)porch__shape_count(&ys));
        break;
    case PORCH__I_TRANSPOSE: porch__transpose(ptr(s, I->in[0]), ptr(s, I->out[0]), &xs, I->perm, 4); break;
    case PORCH__I_PAD: porch__op_pad(I->pads, I->fval, ptr(s, I->in[0]), &xs, ptr(s, I->out[0]), &ys); break;
    case PORCH__I_CONCAT:
    case PORCH__I_SPLIT: run_multi(s, I); break;
    case PORCH__I_MEAN: /* NHWC [1,H,W,C] -> [C] */
        porch__op_mean_rows(ptr(s, I->in[0]), xs.d[1] * xs.d[2], xs.d[3], ptr(s, I->out[0]));
        break;
    case PORCH__I_SOFTMAX:
        porch__op_softmax(ptr(s, I->in[0]), porch__shape_count(&xs) / xs.d[xs.rank - 1],
                          xs.d[xs.rank - 1], ptr(s, I->out[0]));
        break;
    default:
        memcpy(ptr(s, I->out[0]), ptr(s, I->in[0]), sizeof(float) * (size_t)porch__shape_count(&ys));
    }
}

/* On success *out owns the session (arena, scratch, threads). */
int porch_nn_session_new(porch_nn_session **out, const porch_nn_model *m, unsigned n_threads)
{
    if (out)
        *out = NULL;
    if (!out || !m || n_threads > PORCH__NN_MAX_THREADS)
        return PORCH_ERR_INVALID_ARG;
    porch_nn_session *s = calloc(1, sizeof *s);
    int rc = PORCH_ERR_NOMEM;
    if (!s)
        goto out;
    s->m = m;
    s->arena = aligned_alloc(64, (m->prog.arena_bytes + 63) & ~(size_t)63);
    s->scratch = aligned_alloc(64, ((m->prog.scratch_floats + 1) * sizeof(float) + 63) & ~(size_t)63);
    if (!s->arena || !s->scratch)
        goto out;
    rc = porch__pool_new(&s->pool, n_threads ? (int)n_threads : 1);
out:
    if (rc)
        porch_nn_session_free(s);
    else
        *out = s;
    return rc;
}

void porch_nn_session_free(porch_nn_session *s)
{
    if (!s)
        return;
    porch__pool_free(s->pool);
    free(s->arena);
    free(s->scratch);
    free(s);
}

int porch_nn_run(porch_nn_session *s, const float *const *inputs, float *const *outputs)
{
    if (!s || !inputs || !outputs)
        return PORCH_ERR_INVALID_ARG;
    const porch__prog *p = &s->m->prog;
    for (int i = 0; i < p->n_inputs; i++) {
        if (!inputs[i])
            return PORCH_ERR_INVALID_ARG;
        memcpy(ptr(s, p->inputs[i]), inputs[i],
               sizeof(float) * (size_t)porch__shape_count(&p->val[p->inputs[i]].shape));
    }
    for (int i = 0; i < p->n_ins; i++)
        run_ins(s, &p->ins[i]);
    for (int i = 0; i < p->n_outputs; i++)
        if (outputs[i])
            memcpy(outputs[i], ptr(s, p->outputs[i]),
                   sizeof(float) * (size_t)porch__shape_count(&p->val[p->outputs[i]].shape));
    return PORCH_OK;
}
