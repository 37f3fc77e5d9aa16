/*
 * gen_nn_corpus: writes the model_loader fuzz seeds from the synthetic
 * models of synth.c (our own, never the npm models).
 *
 *   gen_nn_corpus DIR     writes DIR/model_loader/{conv_same,layout,chain,depthwise}
 *
 * Seed format = the fuzz target's input: u32 little-endian JSON length,
 * the JSON, then the weight bytes. Deterministic output.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "synth.h"

static int put(const char *dir, const char *name, const synth_model *m)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/model_loader", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    snprintf(path, sizeof path, "%s/model_loader/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint8_t len[4] = { (uint8_t)m->json_len, (uint8_t)(m->json_len >> 8),
                       (uint8_t)(m->json_len >> 16), (uint8_t)(m->json_len >> 24) };
    int ok = fwrite(len, 1, 4, f) == 4 && fwrite(m->json, 1, m->json_len, f) == m->json_len &&
             fwrite(m->w, 1, m->w_len, f) == m->w_len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_nn_corpus DIR\n");
        return 2;
    }
    static int (*const make[])(synth_model *) = { synth_conv_same, synth_layout, synth_chain,
                                                        synth_depthwise, synth_head, synth_prelu };
    static const char *const names[] = { "conv_same", "layout", "chain", "depthwise", "head", "prelu" };
    int fail = 0;
    for (int i = 0; i < 6; i++) {
        synth_model m;
        memset(&m, 0, sizeof m);
        fail |= make[i](&m) != 0 || put(argv[1], names[i], &m) != 0;
        synth_free(&m);
    }
    if (fail)
        fprintf(stderr, "gen_nn_corpus: could not write %s\n", argv[1]);
    return fail;
}
