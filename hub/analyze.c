/*
 * analyze.c: `porchlight-hub analyze --input FILE_OR_URL [--config FILE]
 * --events OUT.jsonl [--frames OUT.jsonl] [--threads N] [--models DIR]
 * [--camera NAME] [--fast-decode yes|no]`. Runs porch_analysis_run() (the live hub's pipeline) on
 * one input and writes one JSON line per event when it ends, and with
 * --frames one per analysed frame.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/log.h>

#include "porchlight/analysis.h"
#include "porchlight/error.h"
#include "porchlight/nn.h"
#include "porchlight/source.h"
#include "analyze.h"

#define MAX_CONFIG_BYTES PORCH_ANALYSIS_MAX_TEXT

typedef struct options {
    const char *input, *config, *events, *frames, *models, *camera;
    unsigned threads;
    int fast;               /* --fast-decode yes|no (default yes): as a camera's fast_decode */
} options;

typedef struct run_state {
    const porch_analysis *a;
    FILE *events, *frames;
    const char *camera;
    int grey_w, grey_h;
    hub_open_event open[PORCH_EVENTS_MAX_ACTIVE];
    size_t nopen;
    int64_t last_pts;        /* pts and index of the last analysed frame */
    uint64_t last_index, frames_seen, nevents;
} run_state;

static int usage(void)
{
    fputs("usage: porchlight-hub analyze --input FILE_OR_URL [--config FILE]\n"
          "         --events OUT.jsonl [--frames OUT.jsonl] [--threads N] [--models DIR]\n"
          "         [--camera NAME] [--fast-decode yes|no]\n",
          stderr);
    return 2;
}

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof(*o));
    o->fast = 1;   /* as a camera's default fast_decode */
    o->threads = 1;
    o->models = getenv("PORCH_MODELS_DIR") != NULL ? getenv("PORCH_MODELS_DIR") : ".deps/models";
    for (int i = 1; i < argc; i += 2) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL)
            return -1;
        if (!strcmp(k, "--input"))
            o->input = v;
        else if (!strcmp(k, "--config"))
            o->config = v;
        else if (!strcmp(k, "--events"))
            o->events = v;
        else if (!strcmp(k, "--frames"))
            o->frames = v;
        else if (!strcmp(k, "--models"))
            o->models = v;
        else if (!strcmp(k, "--camera"))
            o->camera = v;
        else if (!strcmp(k, "--fast-decode") && (!strcmp(v, "yes") || !strcmp(v, "no")))
            o->fast = !strcmp(v, "yes");
        else if (!strcmp(k, "--threads")) {
            char *end = NULL;
            long n = strtol(v, &end, 10);
            if (*end != '\0' || n < 1 || n > 64)
                return -1;
            o->threads = (unsigned)n;
        } else
            return -1;
    }
    return o->input != NULL && o->events != NULL ? 0 : -1;
}

/* Reads and parses the configuration file into cfg; prints the problem. */
static int load_config(const char *path, porch_analysis_config *cfg)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n;
    int line = 0, err;

    if (f == NULL) {
        fprintf(stderr, "analyze: cannot open config %s\n", path);
        return -1;
    }
    buf = malloc(MAX_CONFIG_BYTES + 1);
    n = buf != NULL ? fread(buf, 1, MAX_CONFIG_BYTES + 1, f) : 0;
    fclose(f);
    err = buf == NULL ? PORCH_ERR_NOMEM : n > MAX_CONFIG_BYTES ? PORCH_ERR_TOO_LARGE
                                                              : porch_analysis_config_parse(cfg, buf, n, &line);
    free(buf);
    if (err != PORCH_OK) {
        if (line > 0)
            fprintf(stderr, "analyze: %s:%d: %s\n", path, line, porch_strerror(err));
        else
            fprintf(stderr, "analyze: %s: %s\n", path, porch_strerror(err));
        return -1;
    }
    return 0;
}

/* Index of the last analysed frame at or before t (the event's end). */
static uint64_t frame_at(const run_state *st, const porch_analysis_result *r, int64_t t, int final)
{
    if (!final && r->pts_us <= t)
        return r->frame;
    return st->last_index;
}

static void on_event(run_state *st, const porch_analysis_result *r, const porch_event *e,
                     int final)
{
    if (e->kind == PORCH_EVENT_START) {
        if (st->nopen < PORCH_EVENTS_MAX_ACTIVE) {
            st->open[st->nopen].start = *e;
            st->open[st->nopen].start_frame = r->frame;
            st->nopen++;
        }
        return;
    }
    for (size_t i = 0; i < st->nopen; i++) {
        if (st->open[i].start.event_id != e->event_id)
            continue;
        hub_json_event(st->events, st->camera, st->a, &st->open[i], e,
                       frame_at(st, r, e->end_us, final));
        st->nevents++;
        st->open[i] = st->open[--st->nopen];
        return;
    }
}

static int on_frame(void *ctx, const porch_analysis_result *r, int final)
{
    run_state *st = ctx;

    for (size_t i = 0; i < r->nevents; i++)
        on_event(st, r, &r->events[i], final);
    if (final)
        return PORCH_OK;
    if (st->frames != NULL)
        hub_json_frame(st->frames, st->a, r, st->grey_w, st->grey_h);
    st->last_pts = r->pts_us;
    st->last_index = r->frame;
    st->frames_seen++;
    return PORCH_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s != NULL ? s + 1 : path;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Opens the outputs and runs; the caller owns a and src. */
static int run(const options *o, porch_analysis *a, porch_source *src, run_state *st)
{
    porch_analysis_result *res = malloc(sizeof(*res));
    int err;

    if (res == NULL)
        return PORCH_ERR_NOMEM;
    st->events = fopen(o->events, "w");
    st->frames = o->frames != NULL ? fopen(o->frames, "w") : NULL;
    if (st->events == NULL || (o->frames != NULL && st->frames == NULL)) {
        err = PORCH_ERR_IO;
        goto out;
    }
    err = porch_analysis_run(a, src, res, on_frame, st);
out:
    if (st->events != NULL && fclose(st->events) != 0 && err == PORCH_OK)
        err = PORCH_ERR_IO;
    if (st->frames != NULL && fclose(st->frames) != 0 && err == PORCH_OK)
        err = PORCH_ERR_IO;
    free(res);
    return err;
}

static int load_model(const char *dir, porch_nn_model **m)
{
    char path[4096];

    if ((size_t)snprintf(path, sizeof(path), "%s/nanodet.json", dir) >= sizeof(path))
        return PORCH_ERR_INVALID_ARG;
    return porch_nn_model_load(m, path, NULL, NULL);
}

int hub_analyze_main(int argc, char **argv)
{
    options o;
    porch_analysis_config cfg;
    porch_nn_model *model = NULL;
    porch_source *src = NULL;
    porch_analysis *a = NULL;
    run_state *st = calloc(1, sizeof(*st));
    int gw = 0, gh = 0, err, rc = 1;
    double t0 = now_s();

    if (st == NULL)
        return 1;
    if (parse_args(argc, argv, &o) != 0) {
        free(st);
        return usage();
    }
    av_log_set_level(AV_LOG_ERROR);
    porch_analysis_config_default(&cfg);
    if (o.config != NULL && load_config(o.config, &cfg) != 0)
        goto out;
    err = load_model(o.models, &model);
    if (err != PORCH_OK) {
        fprintf(stderr, "analyze: cannot load %s/nanodet.json: %s (run scripts/models.sh)\n",
                o.models, porch_strerror(err));
        goto out;
    }
    err = porch_source_open_fast(&src, o.input, 320, 0, o.fast);
    if (err != PORCH_OK) {
        fprintf(stderr, "analyze: cannot open %s: %s\n", o.input, porch_strerror(err));
        goto out;
    }
    porch_source_sizes(src, &gw, &gh, NULL, NULL);
    err = porch_analysis_new(&a, &cfg, model, o.threads, gw, gh);
    if (err == PORCH_OK) {
        st->a = a;
        st->camera = o.camera != NULL ? o.camera : base_name(o.input);
        st->grey_w = gw;
        st->grey_h = gh;
        err = run(&o, a, src, st);
    }
    if (err != PORCH_OK) {
        fprintf(stderr, "analyze: %s: %s\n", o.input, porch_strerror(err));
        goto out;
    }
    fprintf(stderr, "analyze: %s: %" PRIu64 " frames, %" PRIu64 " detector runs, %" PRIu64
            " events, %.2f s\n", o.input, st->frames_seen, porch_analysis_detect_count(a),
            st->nevents, now_s() - t0);
    rc = 0;
out:
    porch_analysis_free(a);
    porch_source_close(src);
    porch_nn_model_free(model);
    free(st);
    return rc;
}
