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
void synth_free(synth_model *m);

/* Deterministic weight values (exactly representable in float16). */
float synth_weight(size_t i);

#endif
