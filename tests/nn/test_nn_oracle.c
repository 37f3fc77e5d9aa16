/*
 * test_nn_oracle.c: nanodet, blazeface, faceres and mobileface run by the C
 * runtime against TensorFlow.js.
 *
 * scripts/models.sh installs the model into .deps/models/ and
 * scripts/oracle.sh writes TensorFlow.js's outputs (cpu backend) for fixed
 * inputs into <build>/nn-oracle/nanodet/<case>/ (manifest.txt + raw float32
 * files). For every case and every output: max |c - tfjs| <= 1e-4 x
 * max |tfjs| (ML-MODELS.md §0.7: tfjs's own backends differ by 2.1e-5).
 * Runs with 1 and 2 threads and with every kernel ISA the CPU has, so the
 * portable, AVX2 and AVX-512 paths are all checked. Skips (exit 77) with a
 * message when nanodet or its oracle outputs are absent; each other model is
 * skipped (with a message) when it or its oracle outputs are absent.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "porchlight/nn.h"

#define MAX_T 8

typedef struct tensor { char name[128]; char file[160]; size_t count; float *data; } tensor;
typedef struct ocase { tensor in; tensor out[MAX_T]; int n_out; } ocase;

static float *read_f32(const char *dir, const char *file, size_t count)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "rb");
    float *d = malloc(count * sizeof *d);
    if (!f || !d || fread(d, sizeof *d, count, f) != count) {
        free(d);
        d = NULL;
    }
    if (f)
        fclose(f);
    return d;
}

static int parse_line(char *line, tensor *t, int *is_input)
{
    char kind[16];
    int used = 0;
    if (sscanf(line, "%15s %127s %159s%n", kind, t->name, t->file, &used) != 3)
        return -1;
    *is_input = strcmp(kind, "input") == 0;
    t->count = 1;
    char *p = line + used, *end;
    for (long d; (d = strtol(p, &end, 10)), end != p; p = end)
        t->count *= (size_t)d;
    return 0;
}

static int load_case(const char *dir, ocase *c)
{
    char path[2048], line[512];
    memset(c, 0, sizeof *c);
    snprintf(path, sizeof path, "%s/manifest.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        tensor t;
        int in;
        if (parse_line(line, &t, &in) || (!in && c->n_out >= MAX_T))
            continue;
        t.data = read_f32(dir, t.file, t.count);
        if (in)
            c->in = t;
        else
            c->out[c->n_out++] = t;
    }
    fclose(f);
    return c->in.data ? 0 : -1;
}

static void free_case(ocase *c)
{
    free(c->in.data);
    for (int i = 0; i < c->n_out; i++)
        free(c->out[i].data);
}

/* Compares every output; prints the relative error of each. */
static void compare(const porch_nn_model *m, const ocase *c, float **got, const char *label)
{
    for (int i = 0; i < c->n_out; i++) {
        size_t idx;
        CHECK_OK(porch_nn_model_find_output(m, c->out[i].name, &idx));
        porch_nn_tensor_info info;
        CHECK_OK(porch_nn_model_output(m, idx, &info));
        CHECK(info.count == c->out[i].count);
        if (info.count != c->out[i].count || !c->out[i].data)
            continue;
        double maxref = 0, maxdiff = 0;
        for (size_t k = 0; k < info.count; k++) {
            double r = c->out[i].data[k], d = fabs((double)got[idx][k] - r);
            maxref = fabs(r) > maxref ? fabs(r) : maxref;
            maxdiff = d > maxdiff || isnan(d) ? d : maxdiff;
        }
        double rel = maxref > 0 ? maxdiff / maxref : maxdiff;
        printf("  %-20s %-12s max|ref| %8.4f  max|diff| %.3g  rel %.3g\n", label, c->out[i].name,
               maxref, maxdiff, rel);
        CHECK(rel <= 1e-4);
    }
}

static void run_case(const porch_nn_model *m, const ocase *c, unsigned threads, const char *label)
{
    porch_nn_session *s = NULL;
    float *outs[MAX_T] = { 0 };
    size_t n = porch_nn_model_n_outputs(m);
    REQUIRE(n <= MAX_T);
    for (size_t i = 0; i < n; i++) {
        porch_nn_tensor_info info;
        CHECK_OK(porch_nn_model_output(m, i, &info));
        outs[i] = calloc(info.count, sizeof(float));
    }
    CHECK_OK(porch_nn_session_new(&s, m, threads));
    const float *ins[1] = { c->in.data };
    CHECK_OK(porch_nn_run(s, ins, outs));
    compare(m, c, outs, label);
    porch_nn_session_free(s);
    for (size_t i = 0; i < n; i++)
        free(outs[i]);
}

static void check_io(const porch_nn_model *m)
{
    porch_nn_tensor_info in;
    CHECK(porch_nn_model_n_inputs(m) == 1);
    CHECK(porch_nn_model_n_outputs(m) == 6);
    CHECK_OK(porch_nn_model_input(m, 0, &in));
    CHECK(strcmp(in.name, "input_1") == 0);
    CHECK(in.rank == 4 && in.dim[1] == 3 && in.dim[2] == 416 && in.dim[3] == 416);
    printf("nanodet: %.4f GFLOP per run\n", porch_nn_model_flops(m) / 1e9);
    CHECK(fabs(porch_nn_model_flops(m) / 1e9 - 4.18) < 0.02);
}

/* Every case of one model against the oracle; returns the number of cases run. */
static int test_model(const char *src, const char *root, const char *name, int nanodet)
{
    char json[1024], cdir[1200];
    snprintf(json, sizeof json, "%s/.deps/models/%s.json", src, name);
    FILE *probe = fopen(json, "rb");
    if (!probe)
        return 0;
    fclose(probe);
    static const char *cases[] = { "procedural", "frame" };
    int ran = 0;
    for (int isa = PORCH_NN_ISA_PORTABLE; isa <= PORCH_NN_ISA_AVX512; isa++) {
        porch_nn_model *m = NULL;
        porch_nn_load_opts o = { 0, 0, isa };
        int rc = porch_nn_model_load(&m, json, NULL, &o);
        if (rc == PORCH_ERR_UNSUPPORTED)
            continue; /* the CPU lacks this ISA */
        CHECK_OK(rc);
        if (!m)
            break;
        if (nanodet)
            check_io(m);
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            ocase c;
            snprintf(cdir, sizeof cdir, "%s/nn-oracle/%s/%s", root, name, cases[k]);
            if (load_case(cdir, &c) == 0) {
                char label[48];
                snprintf(label, sizeof label, "%.10s/isa%d/1t", name, isa);
                run_case(m, &c, 1, label);
                if (isa != PORCH_NN_ISA_PORTABLE) {
                    snprintf(label, sizeof label, "%.10s/isa%d/2t", name, isa);
                    run_case(m, &c, 2, label);
                }
                printf("%s case %s isa %d done\n", name, cases[k], isa);
                ran++;
            }
            free_case(&c);
        }
        porch_nn_model_free(m);
    }
    return ran;
}

int main(void)
{
    const char *src = getenv("PORCH_SOURCE_DIR"), *build = getenv("PORCH_BUILD_DIR");
    char json[1024];
    src = src ? src : ".";
    snprintf(json, sizeof json, "%s/.deps/models/nanodet.json", src);
    FILE *probe = fopen(json, "rb");
    if (!probe)
        SKIP("nanodet model absent: run scripts/models.sh");
    fclose(probe);
    /* $PORCH_NN_ORACLE_DIR, else this build dir, else build/ (scripts/oracle.sh's default,
     * shared by the ASan build) */
    const char *roots[3] = { getenv("PORCH_NN_ORACLE_DIR"), build, NULL }, *root = NULL;
    char fallback[1024];
    snprintf(fallback, sizeof fallback, "%s/build", src);
    roots[2] = fallback;
    for (int i = 0; i < 3 && !root; i++) {
        char p[1100];
        if (!roots[i])
            continue;
        snprintf(p, sizeof p, "%s/nn-oracle/nanodet/procedural/manifest.txt", roots[i]);
        FILE *pf = fopen(p, "r");
        if (pf) {
            fclose(pf);
            root = roots[i];
        }
    }
    if (!root)
        SKIP("TensorFlow.js oracle outputs absent: run scripts/oracle.sh");
    int ran = test_model(src, root, "nanodet", 1);
    static const char *more[] = { "blazeface", "faceres", "mobileface" };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        int n = test_model(src, root, more[i], 0);
        if (n == 0) /* model or its oracle outputs absent: that model is skipped */
            printf("SKIP %s: model or oracle outputs absent (scripts/models.sh, scripts/oracle.sh)\n",
                   more[i]);
        ran += n;
    }
    CHECK(ran > 0);
    return CHECK_DONE();
}
