/*
 * synth.h: small synthetic TensorFlow.js graph models built in memory
 * (model.json text + weight bytes) for the runtime's unit tests and the
 * fuzz seed corpus. None comes from any third-party model.
 */
#ifndef PORCH_TEST_NN_SYNTH_H
#define PORCH_TEST_NN_SYNTH_H

#include <stddef.h>
#include <stdint.h>

typedef struct synth_model {
    char *json;
    size_t json_len;
    uint8_t *w;
    size_t w_len;
} synth_model;

/* x [1,9,11,5] -> _FusedConv2D 3x3 s2 SAME (BiasAdd, Relu), 19 channels, float32 weights. */
int synth_conv_same(synth_model *m);
/* x [1,2,2,3] -> Transpose [0,3,1,2] -> Reshape [1,3,-1]. */
int synth_layout(synth_model *m);
/* NCHW x [1,3,6,6] -> Pad -> Transpose -> Conv2D (fp16) -> Add (uint8-quantised bias) ->
 * Transpose -> LeakyRelu -> ConcatV2 -> SplitV -> Sigmoid | MaxPool -> ResizeBilinear. */
int synth_chain(synth_model *m);
/* x [1,7,8,4] -> DepthwiseConv2dNative 3x3 s2 SAME -> AddV2 bias -> Relu; no signature
 * (outputs = unconsumed nodes). */
int synth_depthwise(synth_model *m);
/* x [1,3,4,5] -> Conv2D 1x1 (w [5,6] = synth_weight) -> Add bias (i-1)*3 -> Relu -> Minimum 6 ->
 * Maximum 0 -> Mean [1,2] = output "mean" [1,6] -> _FusedMatMul [6,4] (BiasAdd, Relu) ->
 * MatMul [4,3] -> Softmax = output "out" [1,3] (faceres' head, in small). */
int synth_head(synth_model *m);
#define SYNTH_HEAD_K(i) (synth_weight(100 + (i)) * 4.0f)
#define SYNTH_HEAD_KB(i) ((float)(i) * 0.1f - 0.1f)
#define SYNTH_HEAD_K2(i) (synth_weight(200 + (i)) * 4.0f)
/* x [1,2,3,4] -> AddV2(Maximum(0, x), Mul(g, Minimum(0, x))): mobileface's PReLU. */
int synth_prelu(synth_model *m);
#define SYNTH_PRELU_G(i) ((float)(i) * 0.25f - 0.3f)
void synth_free(synth_model *m);

/* Deterministic weight values (exactly representable in float16). */
float synth_weight(size_t i);

#endif
