/*
 * fuzz_model_loader: the graph-model loader and compiler on arbitrary
 * bytes, and one inference when the model is small.
 *
 * Input: u32 little-endian JSON length n, n bytes of model.json, then the
 * weight bytes (all shards concatenated). Seeds: fuzz/corpus/model_loader/
 * written by tests/nn/gen_nn_corpus from synthetic models.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/nn.h"

static void run_small(const porch_nn_model *m)
{
    size_t ni = porch_nn_model_n_inputs(m), no = porch_nn_model_n_outputs(m), total = 0;
    porch_nn_tensor_info info;
    if (ni > 8 || no > 8 || porch_nn_model_flops(m) > 2e7)
        return;
    for (size_t i = 0; i < ni; i++)
        total += porch_nn_model_input(m, i, &info) == 0 ? info.count : 0;
    for (size_t i = 0; i < no; i++)
        total += porch_nn_model_output(m, i, &info) == 0 ? info.count : 0;
    if (total > (1u << 16))
        return;
    float *in[8] = { 0 }, *out[8] = { 0 };
    for (size_t i = 0; i < ni; i++)
        if (porch_nn_model_input(m, i, &info) == 0)
            in[i] = calloc(info.count + 1, sizeof(float));
    for (size_t i = 0; i < no; i++)
        if (porch_nn_model_output(m, i, &info) == 0)
            out[i] = calloc(info.count + 1, sizeof(float));
    porch_nn_session *s = NULL;
    if (porch_nn_session_new(&s, m, 1) == 0)
        (void)porch_nn_run(s, (const float *const *)in, out);
    porch_nn_session_free(s);
    for (size_t i = 0; i < 8; i++) {
        free(in[i]);
        free(out[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t n = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 | (size_t)data[3] << 24;
    if (n > size - 4)
        return 0;
    porch_nn_model *m = NULL;
    porch_nn_load_opts o = { 1u << 20, 16u << 20, PORCH_NN_ISA_AUTO };
    if (porch_nn_model_load_mem(&m, data + 4, n, data + 4 + n, size - 4 - n, &o) == 0)
        run_small(m);
    porch_nn_model_free(m);
    return 0;
}
