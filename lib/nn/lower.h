/*
 * lower.h (internal to lib/nn): graph -> program compilation context.
 * nv[node] is the value id of the node's first output; a node with several
 * outputs (SplitV) has them at consecutive ids nv[node] .. nv[node]+nout-1.
 */
#ifndef PORCH_NN_LOWER_H
#define PORCH_NN_LOWER_H

#include "nn/nn_internal.h"

typedef struct porch__lctx {
    porch__prog *p;
    porch__graph *g;
    int *nv;    /* first value id per node, -1 before lowering */
    int *nout;  /* outputs per node */
} porch__lctx;

int porch__lower_in(porch__lctx *c, int node, int k, int *v);
int porch__lower_is_const(const porch__lctx *c, int v);
int porch__lower_to_perm(porch__lctx *c, int v, const uint8_t *perm, int *out);
int porch__lower_to_identity(porch__lctx *c, int v, int *out);
int porch__lower_const_ints(porch__lctx *c, int node, int k, int64_t *vals, int cap, int *n);
int porch__lower_new_const(porch__lctx *c, const porch__shape *s, int dtype, void *data, int *id);
int porch__lower_new_runtime(porch__lctx *c, const porch__shape *s, int perm_from, int *id);
int porch__lower_root(const porch__lctx *c, int v);
int porch__lower_fused_ops(const porch__gnode *n, porch__conv_params *cp); /* lower_conv.c */

/* per op family: each sets c->nv[node] (and c->nout[node]) */
int porch__lower_conv(porch__lctx *c, int node, int fused);
int porch__lower_dwconv(porch__lctx *c, int node, int fused);
int porch__lower_maxpool(porch__lctx *c, int node);
int porch__lower_resize(porch__lctx *c, int node);
int porch__lower_binary(porch__lctx *c, int node, int op);
int porch__lower_unary(porch__lctx *c, int node, int act);
int porch__lower_transpose(porch__lctx *c, int node);
int porch__lower_reshape(porch__lctx *c, int node);
int porch__lower_pad(porch__lctx *c, int node);
int porch__lower_concat(porch__lctx *c, int node);
int porch__lower_split(porch__lctx *c, int node);
int porch__lower_sparse_to_dense(porch__lctx *c, int node);
int porch__lower_mean(porch__lctx *c, int node);
int porch__lower_softmax(porch__lctx *c, int node);
int porch__lower_matmul(porch__lctx *c, int node, int fused);

#endif
