/*
 * bench_nn: single-image latency of nanodet (and blazeface) in the C runtime, on 1 and 2
 * threads and with each kernel ISA the CPU has, against TensorFlow.js's
 * wasm backend (XNNPACK + SIMD, 1 thread) on the same model and input in
 * the same run.
 *
 *   bench_nn [--runs N] [--no-tfjs] [--isa portable|avx2|avx512]
 *
 * Run from the source tree (or set PORCH_SOURCE_DIR) after
 * scripts/models.sh and scripts/oracle.sh. Timing: median (and min) of N
 * runs after 3 warm-up runs; the timed region is porch_nn_run with the
 * outputs copied out, like the oracle's execute() + dataSync().
 * The tfjs figure comes from `node tools/oracle/oracle.mjs --bench`
 * (25 runs after 5 warm-up, median).
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "porchlight/error.h"
#include "porchlight/nn.h"

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median and min of runs of porch_nn_run. */
static int time_runs(const porch_nn_model *m, unsigned threads, const float *in, int runs,
                     double *med, double *min)
{
    porch_nn_session *s = NULL;
    float *outs[8] = { 0 };
    size_t n = porch_nn_model_n_outputs(m);
    double *t = calloc((size_t)runs, sizeof *t);
    int rc = porch_nn_session_new(&s, m, threads);
    for (size_t i = 0; i < n && i < 8; i++) {
        porch_nn_tensor_info info;
        porch_nn_model_output(m, i, &info);
        outs[i] = malloc(info.count * sizeof(float));
    }
    const float *ins[1] = { in };
    for (int i = 0; rc == PORCH_OK && i < 3 + runs; i++) {
        double t0 = now_ms();
        rc = porch_nn_run(s, ins, outs);
        if (i >= 3)
            t[i - 3] = now_ms() - t0;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_d);
    *med = t[runs / 2];
    *min = t[0];
    porch_nn_session_free(s);
    for (size_t i = 0; i < 8; i++)
        free(outs[i]);
    free(t);
    return rc;
}

static double tfjs_wasm_ms(const char *src)
{
    char script[2048], models[2048], out[2048], res[2100];
    snprintf(script, sizeof script, "%s/tools/oracle/oracle.mjs", src);
    snprintf(models, sizeof models, "%s/.deps/models", src);
    snprintf(out, sizeof out, "%s/build/nn-bench", src);
    char *argv[] = { "node", script, "--models", models, "--out", out, "--bench", NULL };
    pid_t pid;
    int st = 0;
    if (posix_spawnp(&pid, "node", NULL, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) < 0 ||
        !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    snprintf(res, sizeof res, "%s/nanodet/bench.txt", out);
    FILE *f = fopen(res, "r");
    double ms = -1;
    if (f) {
        if (fscanf(f, "wasm_ms_median %lf", &ms) != 1)
            ms = -1;
        fclose(f);
    }
    return ms;
}

static float *make_input(size_t n)
{
    float *x = malloc(n * sizeof *x);
    uint32_t r = 12345;
    for (size_t i = 0; x && i < n; i++) {
        r = r * 1664525u + 1013904223u;
        x[i] = (float)((r >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
    return x;
}

static const char *isa_name(int isa)
{
    static const char *names[] = { "auto", "portable", "avx2", "avx512" };
    return isa >= 0 && isa <= 3 ? names[isa] : "?";
}

/* BlazeFace (0.378 GFLOP, mostly depthwise) with the default ISA, when installed. */
static void bench_blazeface(const char *src, int runs)
{
    char json[2048];
    snprintf(json, sizeof json, "%s/.deps/models/blazeface.json", src);
    porch_nn_model *m = NULL;
    if (porch_nn_model_load(&m, json, NULL, NULL) != PORCH_OK)
        return;
    porch_nn_tensor_info in;
    porch_nn_model_input(m, 0, &in);
    float *x = make_input(in.count);
    for (unsigned th = 1; th <= 2; th++) {
        double med, min;
        if (time_runs(m, th, x, runs, &med, &min) == PORCH_OK)
            printf("blazeface %-6s %u thread%s: median %7.2f ms  min %7.2f ms  %6.1f GFLOP/s\n",
                   isa_name(porch_nn_model_isa(m)), th, th > 1 ? "s" : " ", med, min,
                   porch_nn_model_flops(m) / 1e9 / (med / 1e3));
    }
    free(x);
    porch_nn_model_free(m);
}

int main(int argc, char **argv)
{
    int runs = 15, tfjs = 1, only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-tfjs"))
            tfjs = 0;
        else if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
            const char *v = argv[++i];
            only = !strcmp(v, "portable") ? 1 : !strcmp(v, "avx2") ? 2 : !strcmp(v, "avx512") ? 3 : 0;
        }
    }
    runs = runs < 1 ? 1 : runs;
    const char *src = getenv("PORCH_SOURCE_DIR") ? getenv("PORCH_SOURCE_DIR") : ".";
    char json[2048];
    snprintf(json, sizeof json, "%s/.deps/models/nanodet.json", src);
    double best1 = 0;
    for (int isa = PORCH_NN_ISA_AVX512; isa >= PORCH_NN_ISA_PORTABLE; isa--) {
        if (only && isa != only)
            continue;
        porch_nn_model *m = NULL;
        porch_nn_load_opts o = { 0, 0, isa };
        double t0 = now_ms();
        int rc = porch_nn_model_load(&m, json, NULL, &o);
        if (rc == PORCH_ERR_UNSUPPORTED)
            continue;
        if (rc) {
            fprintf(stderr, "bench_nn: %s: %s (run scripts/models.sh)\n", json, porch_strerror(rc));
            return 1;
        }
        double load = now_ms() - t0, gf = porch_nn_model_flops(m) / 1e9;
        porch_nn_tensor_info in;
        porch_nn_model_input(m, 0, &in);
        float *x = make_input(in.count);
        for (unsigned th = 1; th <= 2; th++) {
            double med, min;
            if (time_runs(m, th, x, isa == PORCH_NN_ISA_PORTABLE ? 3 : runs, &med, &min))
                return 1;
            printf("nanodet %-8s %u thread%s: median %7.1f ms  min %7.1f ms  %6.1f GFLOP/s"
                   "  (load %.0f ms)\n", isa_name(isa), th, th > 1 ? "s" : " ", med, min,
                   gf / (med / 1e3), load);
            if (th == 1 && (best1 == 0 || med < best1))
                best1 = med;
        }
        free(x);
        porch_nn_model_free(m);
    }
    bench_blazeface(src, runs);
    if (tfjs) {
        double w = tfjs_wasm_ms(src);
        if (w > 0)
            printf("tfjs-wasm (simd, 1 thread): median %.1f ms  -> C 1 thread is %.2fx faster\n", w,
                   w / best1);
        else
            printf("tfjs-wasm: not measured (run scripts/oracle.sh first)\n");
    }
    return 0;
}
