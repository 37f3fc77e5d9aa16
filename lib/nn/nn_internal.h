/*
 * nn_internal.h: shared structures of the graph-model runtime.
 *
 * Pipeline (each step its own file):
 *   loader.c    model.json bytes -> porch__graph (nodes, attrs, names), caps
 *   weights.c   manifest + shard bytes -> float32 / int32 constants
 *   graph.c     name lookup, input references, topological order
 *   lower*.c    shape inference + constant folding + layout assignment:
 *               graph nodes -> porch__prog (values + instructions)
 *   fuse.c      bias / activation / padding folded into conv and pool
 *   plan.c      memory plan: one arena, offsets by liveness
 *   session.c   executes a porch__prog; ops_*.c and conv*.c are kernels
 *
 * Layout invariant: every value has a logical shape (TensorFlow's) and a
 * permutation perm: physical dim j holds logical dim perm[j]; its data are
 * dense row-major in physical order. Transposes therefore become free
 * relabelings, and kernels that need NHWC (conv, pool, resize) see identity.
 */
#ifndef PORCH_NN_INTERNAL_H
#define PORCH_NN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "porchlight/nn.h"

#define PORCH__NN_MAX_RANK PORCH_NN_MAX_RANK
#define PORCH__NN_MAX_NODES 8192
#define PORCH__NN_MAX_INPUTS 64       /* inputs of one node (ConcatV2) */
#define PORCH__NN_MAX_ELEMS (1u << 28) /* elements of one tensor */
#define PORCH__NN_MAX_NAME 512
#define PORCH__NN_MAX_THREADS 64

enum porch__dtype { PORCH__F32 = 1, PORCH__I32 = 2 };

typedef struct porch__shape {
    int rank;
    int64_t d[PORCH__NN_MAX_RANK];
} porch__shape;

/* --- Loaded graph (before compilation) --- */

typedef struct porch__gnode {
    const char *name;    /* borrowed from the JSON document */
    const char *op;      /* borrowed */
    json_t *attr;        /* borrowed object or NULL */
    int n_in;
    int *in_node;        /* producing node index per input */
    int *in_port;        /* output index of that node (":1" -> 1) */
    void *cdata;         /* Const: decoded contents (owned), logical layout */
    porch__shape cshape; /* Const: shape */
    int cdtype;          /* Const: enum porch__dtype */
} porch__gnode;

typedef struct porch__graph {
    json_t *root;        /* owns every borrowed string above */
    porch__gnode *node;
    int n_node;
    int *order;          /* topological order of node indices */
    int *sorted_idx;     /* node indices sorted by name, for lookup */
    char **out_names;    /* graph outputs (sorted), owned */
    int n_out;
} porch__graph;

/* --- Compiled program --- */

enum porch__iop {
    PORCH__I_CONV, PORCH__I_MAXPOOL, PORCH__I_RESIZE, PORCH__I_BINARY,
    PORCH__I_UNARY, PORCH__I_TRANSPOSE, PORCH__I_PAD, PORCH__I_CONCAT,
    PORCH__I_SPLIT, PORCH__I_COPY, PORCH__I_DWCONV, PORCH__I_MEAN, PORCH__I_SOFTMAX
};
enum porch__binop {
    PORCH__B_ADD, PORCH__B_SUB, PORCH__B_MUL, PORCH__B_MAX, PORCH__B_MIN,
    PORCH__B_PRELU /* a > 0 ? a : a * b (fuse.c, float only) */
};
enum porch__act { PORCH__A_NONE, PORCH__A_RELU, PORCH__A_RELU6, PORCH__A_LEAKY, PORCH__A_SIGMOID };

typedef struct porch__val {
    porch__shape shape;  /* logical */
    uint8_t perm[PORCH__NN_MAX_RANK];
    int dtype;
    void *cdata;         /* constant: physical-order contents (owned), else NULL */
    int alias;           /* runtime value whose bytes this one views, or -1 */
    int uses;            /* number of instruction inputs + graph outputs */
    int last_use;        /* planner: last instruction reading it */
    int def;             /* planner: instruction writing it (-1: graph input) */
    size_t offset;       /* planner: byte offset in the arena */
} porch__val;

typedef struct porch__conv_params {
    int kh, kw, sh, sw;
    int pad[4];          /* top, left, bottom, right (zero, or ignored taps for pool) */
    int cin, cout;
    int act;             /* enum porch__act */
    float alpha;         /* LeakyRelu slope */
    float *w;            /* packed panels [ceil(cout/16)][kh*kw*cin][16] (owned) */
    float *bias;         /* [cout] (owned) */
} porch__conv_params;

typedef struct porch__instr {
    int op;              /* enum porch__iop */
    int n_in, n_out;
    int *in, *out;       /* value ids (owned arrays) */
    porch__conv_params conv; /* CONV, DWCONV (cin 1, unpacked [tap][C]), MAXPOOL (kh..pad) */
    int sub;             /* binop / act / RESIZE half_pixel */
    int act;             /* BINARY: activation fused after the op (enum porch__act) */
    float act_alpha;     /* BINARY: its LeakyRelu slope */
    int align;           /* RESIZE align_corners */
    float fval;          /* LeakyRelu alpha, PAD constant */
    int axis;            /* CONCAT / SPLIT physical axis */
    int64_t pads[2 * PORCH__NN_MAX_RANK]; /* PAD physical (before, after) pairs */
    uint8_t perm[PORCH__NN_MAX_RANK];     /* TRANSPOSE: out phys j = in phys perm[j] */
} porch__instr;

typedef struct porch__prog {
    porch__val *val;
    int n_val, cap_val;
    porch__instr *ins;
    int n_ins, cap_ins;
    int *inputs;  int n_inputs;   /* graph input values */
    int *outputs; int n_outputs;  /* graph output values (identity perm) */
    char **in_names, **out_names; /* owned */
    size_t arena_bytes;           /* planner result */
    size_t scratch_floats;        /* per thread, conv input padding */
    double flops;
} porch__prog;

struct porch_nn_model {
    porch__prog prog;
    int isa;                     /* cached CPU choice; no global state */
};

/* loader.c */
int porch__graph_parse(porch__graph *g, const uint8_t *json, size_t len);
void porch__graph_free(porch__graph *g);
/* weights.c */
int porch__weights_decode(porch__graph *g, const uint8_t *w, size_t len);
float porch__f16_to_f32(uint16_t h);
/* graph.c */
int porch__graph_resolve_inputs(porch__graph *g, int i);
int porch__graph_link(porch__graph *g);
int porch__graph_find(const porch__graph *g, const char *name);
/* attr.c */
int porch__attr_int(const porch__gnode *n, const char *key, int64_t *v);
int porch__attr_float(const porch__gnode *n, const char *key, float *v);
int porch__attr_bool(const porch__gnode *n, const char *key, int *v);
int porch__attr_str(const porch__gnode *n, const char *key, char *buf, size_t cap);
int porch__attr_ints(const porch__gnode *n, const char *key, int64_t *v, int cap, int *count);
int porch__json_shape(json_t *shape_obj, porch__shape *s);
/* shape.c */
int64_t porch__shape_count(const porch__shape *s);
int porch__shape_check(const porch__shape *s);
void porch__perm_identity(uint8_t *perm, int rank);
void porch__phys_shape(const porch__val *v, porch__shape *out);
/* prog.c */
int porch__prog_add_val(porch__prog *p, const porch__shape *s, int dtype, int *id);
int porch__prog_add_ins(porch__prog *p, int op, int n_in, int n_out, int **in, int **out, int *id);
void porch__prog_free(porch__prog *p);
int porch__const_to_perm(porch__prog *p, int v, const uint8_t *perm, int *out);
/* lower.c, lower_ops.c */
int porch__lower(porch__prog *p, porch__graph *g);
/* fuse.c, plan.c */
int porch__fuse(porch__prog *p);
int porch__conv_pack(porch__conv_params *cp); /* conv.c */
int porch__plan(porch__prog *p);
/* transpose.c */
void porch__transpose(const float *in, float *out, const porch__shape *in_phys, const uint8_t *perm, size_t esize);

#endif
