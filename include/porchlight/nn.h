/*
 * porchlight/nn.h: a runtime for TensorFlow.js graph models.
 *
 * A model is loaded once (porch_nn_model_load): the topology and weights
 * manifest are parsed from model.json under hard size caps, the weight
 * shards are read and dequantised to float32, shapes are inferred, the
 * graph is optimised (constants folded, layout transposes dropped, bias,
 * activation and padding folded into convolutions) and compiled into a
 * linear program with a memory plan. A model is immutable after loading and
 * may be shared by any number of sessions.
 *
 * A session (porch_nn_session_new) owns the activation arena and the worker
 * threads of one inference at a time; use one session per concurrent caller.
 *
 * Only float32 graph inputs and outputs, batch 1. Inputs and outputs are
 * dense row-major in the layout the model declares (e.g. NCHW for nanodet).
 * Outputs are listed in byte order of their names ("Identity",
 * "Identity_1", …), inputs in the order the graph defines them.
 */
#ifndef PORCHLIGHT_NN_H
#define PORCHLIGHT_NN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PORCH_NN_MAX_RANK 6

typedef struct porch_nn_model porch_nn_model;
typedef struct porch_nn_session porch_nn_session;

/* Instruction set used for the convolution kernels. */
enum porch_nn_isa {
    PORCH_NN_ISA_AUTO = 0,      /* best the CPU supports (detected at load) */
    PORCH_NN_ISA_PORTABLE = 1,  /* plain C, any architecture */
    PORCH_NN_ISA_AVX2 = 2,      /* x86-64 AVX2 + FMA */
    PORCH_NN_ISA_AVX512 = 3     /* x86-64 AVX-512F */
};

typedef struct porch_nn_load_opts {
    size_t max_json_bytes;    /* 0: 16 MiB */
    size_t max_weight_bytes;  /* 0: 256 MiB */
    int isa;                  /* enum porch_nn_isa; a forced ISA the CPU lacks is UNSUPPORTED */
} porch_nn_load_opts;

typedef struct porch_nn_tensor_info {
    const char *name;                 /* owned by the model */
    int rank;
    int64_t dim[PORCH_NN_MAX_RANK];
    size_t count;                     /* product of dims: floats to pass/receive */
} porch_nn_tensor_info;

/*
 * Loads json_path and the weight shards it names, which must be plain file
 * names inside bin_dir (NULL: the directory of json_path). opts may be NULL.
 * On success *out owns the model; free it with porch_nn_model_free().
 * Errors: PORCH_ERR_IO, _TOO_LARGE (a cap), _MALFORMED (bad JSON, manifest,
 * graph), _TRUNCATED (shards shorter than the manifest), _UNSUPPORTED (an
 * op, dtype or shape this runtime does not handle), _NOMEM.
 */
int porch_nn_model_load(porch_nn_model **out, const char *json_path,
                        const char *bin_dir, const porch_nn_load_opts *opts);

/*
 * The same from memory: json (json_len bytes) and the concatenation of all
 * weight shards in manifest order (weights, weights_len bytes). Nothing is
 * retained from the buffers. Used by tests and the fuzz target.
 */
int porch_nn_model_load_mem(porch_nn_model **out, const uint8_t *json,
                            size_t json_len, const uint8_t *weights,
                            size_t weights_len, const porch_nn_load_opts *opts);

/* NULL-safe. Sessions made from the model must be freed first. */
void porch_nn_model_free(porch_nn_model *m);

size_t porch_nn_model_n_inputs(const porch_nn_model *m);
size_t porch_nn_model_n_outputs(const porch_nn_model *m);
/* PORCH_ERR_INVALID_ARG when i is out of range. */
int porch_nn_model_input(const porch_nn_model *m, size_t i, porch_nn_tensor_info *info);
int porch_nn_model_output(const porch_nn_model *m, size_t i, porch_nn_tensor_info *info);
/* Index of the output called name (without ":0"); PORCH_ERR_INVALID_ARG if none. */
int porch_nn_model_find_output(const porch_nn_model *m, const char *name, size_t *idx);
/* Multiply-accumulates of the convolutions per run x 2 (the usual "FLOPs"). */
double porch_nn_model_flops(const porch_nn_model *m);
/* The ISA the kernels use (enum porch_nn_isa, never AUTO). */
int porch_nn_model_isa(const porch_nn_model *m);

/*
 * A session for m using n_threads threads (1 = the caller's thread only;
 * 0 is taken as 1; at most 64). The model must outlive the session. On
 * success *out owns the session; free it with porch_nn_session_free().
 */
int porch_nn_session_new(porch_nn_session **out, const porch_nn_model *m,
                         unsigned n_threads);
/* NULL-safe; joins the worker threads. */
void porch_nn_session_free(porch_nn_session *s);

/*
 * Runs the model: inputs[i] holds porch_nn_model_input(i).count floats,
 * outputs[i] receives porch_nn_model_output(i).count floats. Not
 * thread-safe on one session.
 */
int porch_nn_run(porch_nn_session *s, const float *const *inputs,
                 float *const *outputs);

#ifdef __cplusplus
}
#endif

#endif
