/*
 * porch_event_eval: event-level evaluation of the analysis pipeline
 * (porch_analysis_run, the code of the live hub and of `porchlight-hub
 * analyze`) on the development footage, against our own annotation
 * (tools/eval/events_truth.txt), with the Motion daemon as a baseline.
 *
 *   porch_event_eval [--root DIR] [--truth FILE] [--models DIR] [--motion DIR]
 *                    [--config FILE] [--set KEY=VALUE]... [--only NAME]
 *                    [--fast-decode yes|no]
 *
 * Scoring (docs/DETECTION.md): per clip, the annotation lists the alert
 * classes that appear (or "none"). An event is a true positive when its class
 * is listed for the clip and, where the clip has frame_labels.csv, it overlaps
 * a frame with a labelled object (or one the source does not score); anything else is a false alert. A (clip,
 * class) pair is recalled when at least one true-positive event of that class
 * fired. Motion's events are runs of frames it flagged (run_motion.sh output),
 * joined across gaps under 1 s (its event_gap); Motion has no classes, so its
 * event counts as a hit for every class of the clip it overlaps.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/log.h>

#include "porchlight/analysis.h"
#include "porchlight/clip_meta.h"
#include "porchlight/error.h"
#include "porchlight/nn.h"
#include "porchlight/source.h"

#define MAX_CLIPS 64
#define MAX_EVENTS 512
#define MAX_FRAMES 200000
#define MAX_SETS 32
#define NCLS 5   /* index by porch_label_class; 2..4 used */

typedef struct span {
    uint64_t f0, f1;   /* frames, inclusive */
    int cls;           /* 0 for Motion */
} span;

typedef struct clip {
    char path[256];    /* relative to root */
    char name[64];
    unsigned classes;  /* bit per porch_label_class; 0 = nuisance only */
    uint8_t *present;  /* per frame, from frame_labels.csv; NULL if none */
    uint64_t nlabels;
    span ev[MAX_EVENTS];
    size_t nev;
    span mot[MAX_EVENTS];
    size_t nmot;
    int have_motion;
    uint64_t frames, detects;
    double seconds, fps;
} clip;

typedef struct opts {
    const char *root, *truth, *models, *motion, *config, *only;
    const char *sets[MAX_SETS];
    int nsets;
    int fast;          /* --fast-decode yes|no (default yes): as a camera's fast_decode */
} opts;

static clip clips[MAX_CLIPS];
static int nclips;

static unsigned class_bits(const char *s)
{
    unsigned bits = 0;
    if (strstr(s, "person") != NULL)
        bits |= 1u << PORCH_CLASS_PERSON;
    if (strstr(s, "vehicle") != NULL)
        bits |= 1u << PORCH_CLASS_VEHICLE;
    if (strstr(s, "animal") != NULL)
        bits |= 1u << PORCH_CLASS_ANIMAL;
    return bits;
}

/* frame_labels.csv beside the clip: object_present per frame. */
static void read_labels(const opts *o, clip *c)
{
    char path[600], line[512];
    const char *slash = strrchr(c->path, '/');
    FILE *f;

    if (slash == NULL)
        return;
    snprintf(path, sizeof(path), "%s/%.*s/frame_labels.csv", o->root, (int)(slash - c->path), c->path);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    c->present = calloc(MAX_FRAMES, 1);
    while (c->present != NULL && fgets(line, sizeof(line), f) != NULL) {
        unsigned long fr;
        int a, b, d, e, ev, pr;
        char gt[128];
        if (sscanf(line, "%lu,%127[^,],%d,%d,%d,%d,%d,%d", &fr, gt, &a, &b, &d, &e, &ev, &pr) != 8 ||
            fr >= MAX_FRAMES)
            continue;
        /* Frames the source does not score (evaluated = 0) may hold an object. */
        c->present[fr] = (uint8_t)(pr != 0 || ev == 0);
        if (fr + 1 > c->nlabels)
            c->nlabels = fr + 1;
    }
    fclose(f);
}

static int read_truth(const opts *o)
{
    char line[512];
    FILE *f = fopen(o->truth, "r");

    if (f == NULL) {
        fprintf(stderr, "porch_event_eval: cannot read %s\n", o->truth);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL && nclips < MAX_CLIPS) {
        char path[256], cls[128];
        if (line[0] == '#' || sscanf(line, "%255s %127s", path, cls) != 2)
            continue;
        clip *c = &clips[nclips];
        snprintf(c->path, sizeof(c->path), "%s", path);
        const char *s = strstr(path, "sequences/");
        snprintf(c->name, sizeof(c->name), "%s", s != NULL ? s + 10 : strrchr(path, '/') + 1);
        char *slash = strchr(c->name, '/');
        if (slash != NULL)
            *slash = '\0';
        c->classes = class_bits(cls);
        if (o->only != NULL && strcmp(o->only, c->name) != 0)
            continue;
        read_labels(o, c);
        nclips++;
    }
    fclose(f);
    return 0;
}

typedef struct run_ctx {
    clip *c;
    uint64_t open_f0[PORCH_EVENTS_MAX_ACTIVE];
    uint32_t open_id[PORCH_EVENTS_MAX_ACTIVE];
    size_t nopen;
    uint64_t last;
    int64_t fps_step;
} run_ctx;

static void on_event(run_ctx *x, const porch_analysis_result *r, const porch_event *e, int final)
{
    if (e->kind == PORCH_EVENT_START) {
        if (x->nopen < PORCH_EVENTS_MAX_ACTIVE) {
            x->open_f0[x->nopen] = r->frame;
            x->open_id[x->nopen++] = e->event_id;
        }
        return;
    }
    for (size_t i = 0; i < x->nopen; i++) {
        if (x->open_id[i] != e->event_id)
            continue;
        if (x->c->nev < MAX_EVENTS) {
            /* The event lasted from its start to its last sighting: end minus post-roll
             * is not known here, so the reporting frame bounds it. */
            uint64_t f1 = final ? x->last : r->frame;
            x->c->ev[x->c->nev++] = (span){ x->open_f0[i], f1, e->cls };
        }
        x->open_f0[i] = x->open_f0[x->nopen - 1];
        x->open_id[i] = x->open_id[--x->nopen];
        return;
    }
}

static int on_frame(void *ctx, const porch_analysis_result *r, int final)
{
    run_ctx *x = ctx;
    for (size_t i = 0; i < r->nevents; i++)
        on_event(x, r, &r->events[i], final);
    if (!final)
        x->last = r->frame;
    return PORCH_OK;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_clip(const opts *o, const porch_analysis_config *cfg, const porch_nn_model *m, clip *c)
{
    char url[600];
    porch_source *src = NULL;
    porch_analysis *a = NULL;
    porch_analysis_result *res = malloc(sizeof(*res));
    run_ctx *x = calloc(1, sizeof(*x));
    int gw, gh, err = PORCH_ERR_NOMEM;
    double t0 = now_s();

    if ((size_t)snprintf(url, sizeof(url), "%s/%s", o->root, c->path) >= sizeof(url))
        err = PORCH_ERR_TOO_LARGE;
    if (res == NULL || x == NULL || err == PORCH_ERR_TOO_LARGE)
        goto out;
    err = porch_source_open_fast(&src, url, 320, 0, o->fast);
    if (err != PORCH_OK)
        goto out;
    porch_source_sizes(src, &gw, &gh, NULL, NULL);
    c->fps = porch_source_fps(src);
    err = porch_analysis_new(&a, cfg, m, 1, gw, gh);
    if (err != PORCH_OK)
        goto out;
    x->c = c;
    err = porch_analysis_run(a, src, res, on_frame, x);
    c->frames = x->last + 1;
    c->detects = porch_analysis_detect_count(a);
    c->seconds = now_s() - t0;
out:
    if (err != PORCH_OK)
        fprintf(stderr, "porch_event_eval: %s: %s\n", url, porch_strerror(err));
    porch_analysis_free(a);
    porch_source_close(src);
    free(res);
    free(x);
    return err;
}

/* Motion's per-frame flags (run_motion.sh) into events: runs joined across
 * gaps shorter than gap frames. */
static void read_motion(const opts *o, clip *c, uint64_t gap)
{
    char path[600], line[128];
    FILE *f;
    int open = 0;
    uint64_t f0 = 0, last = 0;

    snprintf(path, sizeof(path), "%s/%s.txt", o->motion, c->name);
    f = fopen(path, "r");
    if (f == NULL)
        return;
    c->have_motion = 1;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long fr;
        int on;
        if (sscanf(line, "%lu %d", &fr, &on) != 2 || !on)
            continue;
        if (open && fr - last > gap) {
            if (c->nmot < MAX_EVENTS)
                c->mot[c->nmot++] = (span){ f0, last, 0 };
            open = 0;
        }
        if (!open) {
            f0 = fr;
            open = 1;
        }
        last = fr;
    }
    if (open && c->nmot < MAX_EVENTS)
        c->mot[c->nmot++] = (span){ f0, last, 0 };
    fclose(f);
}

/* 1 if the span overlaps a labelled frame (or the clip has no labels). */
static int overlaps_object(const clip *c, const span *s)
{
    if (c->present == NULL)
        return 1;
    for (uint64_t f = s->f0; f <= s->f1 && f < c->nlabels; f++)
        if (c->present[f])
            return 1;
    return 0;
}

/* True positive: Motion (cls 0) on a clip with targets, or an event of a listed class. */
static int is_tp(const clip *c, const span *s)
{
    if (c->classes == 0)
        return 0;
    if (s->cls != 0 && !(c->classes & (1u << s->cls)))
        return 0;
    return overlaps_object(c, s);
}

typedef struct tally {
    int want[NCLS], got[NCLS];     /* (clip, class) pairs annotated / recalled */
    int tp[NCLS], ev[NCLS];        /* events by class: true positives / all */
    int nuis_clips, nuis_clean, nuis_alerts;
    int m_want, m_got, m_tp, m_ev, m_nuis_clean, m_nuis_alerts, m_clips;
} tally;

static void score_clip(const clip *c, tally *t, char *ours, size_t on, char *theirs, size_t tn)
{
    int tp = 0, fp = 0, mtp = 0, mfp = 0;

    for (size_t i = 0; i < c->nev; i++) {
        int ok = is_tp(c, &c->ev[i]);
        t->ev[c->ev[i].cls]++;
        t->tp[c->ev[i].cls] += ok;
        tp += ok;
        fp += !ok;
    }
    for (int k = PORCH_CLASS_PERSON; k <= PORCH_CLASS_ANIMAL; k++) {
        if (!(c->classes & (1u << k)))
            continue;
        int hit = 0, mhit = 0;
        for (size_t i = 0; i < c->nev; i++)
            hit |= c->ev[i].cls == k && is_tp(c, &c->ev[i]);
        for (size_t i = 0; i < c->nmot; i++)
            mhit |= is_tp(c, &c->mot[i]);
        t->want[k]++;
        t->got[k] += hit;
        if (c->have_motion) {
            t->m_want++;
            t->m_got += mhit;
        }
    }
    for (size_t i = 0; i < c->nmot; i++) {
        int ok = is_tp(c, &c->mot[i]);
        mtp += ok;
        mfp += !ok;
    }
    t->m_tp += mtp;
    t->m_ev += (int)c->nmot;
    t->m_clips += c->have_motion;
    if (c->classes == 0) {
        t->nuis_clips++;
        t->nuis_clean += c->nev == 0;
        t->nuis_alerts += (int)c->nev;
        if (c->have_motion) {
            t->m_nuis_clean += c->nmot == 0;
            t->m_nuis_alerts += (int)c->nmot;
        }
    }
    snprintf(ours, on, "%d/%d", tp, fp);
    if (c->have_motion)
        snprintf(theirs, tn, "%d/%d", mtp, mfp);
    else
        snprintf(theirs, tn, "-");
}

static void classes_str(unsigned bits, char *out, size_t n)
{
    out[0] = '\0';
    if (bits == 0) {
        snprintf(out, n, "none");
        return;
    }
    for (int k = PORCH_CLASS_PERSON; k <= PORCH_CLASS_ANIMAL; k++)
        if (bits & (1u << k))
            snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "," : "",
                     porch_analysis_class_name(k));
}

static void events_str(const clip *c, char *out, size_t n)
{
    int count[NCLS] = { 0 };
    out[0] = '\0';
    for (size_t i = 0; i < c->nev; i++)
        count[c->ev[i].cls]++;
    for (int k = PORCH_CLASS_PERSON; k <= PORCH_CLASS_ANIMAL; k++)
        if (count[k])
            snprintf(out + strlen(out), n - strlen(out), "%s%d %s", out[0] ? ", " : "", count[k],
                     porch_analysis_class_name(k));
    if (out[0] == '\0')
        snprintf(out, n, "-");
}

static double ratio(int a, int b)
{
    return b > 0 ? (double)a / b : 0.0;
}

static void print_summary(const tally *t)
{
    printf("\n| class | recall (clips alerted / clips with it) | precision (true / all events) |\n"
           "|---|---|---|\n");
    for (int k = PORCH_CLASS_PERSON; k <= PORCH_CLASS_ANIMAL; k++)
        printf("| %s | %.2f (%d/%d) | %.2f (%d/%d) |\n", porch_analysis_class_name(k),
               ratio(t->got[k], t->want[k]), t->got[k], t->want[k], ratio(t->tp[k], t->ev[k]),
               t->tp[k], t->ev[k]);
    int tp = t->tp[2] + t->tp[3] + t->tp[4], ev = t->ev[2] + t->ev[3] + t->ev[4];
    int got = t->got[2] + t->got[3] + t->got[4], want = t->want[2] + t->want[3] + t->want[4];
    printf("| all (Porchlight) | %.2f (%d/%d) | %.2f (%d/%d) |\n", ratio(got, want), got, want,
           ratio(tp, ev), tp, ev);
    if (t->m_clips > 0)
        printf("| all (Motion, any class) | %.2f (%d/%d) | %.2f (%d/%d) |\n",
               ratio(t->m_got, t->m_want), t->m_got, t->m_want, ratio(t->m_tp, t->m_ev), t->m_tp,
               t->m_ev);
    printf("\nNuisance-only clips without any alert: Porchlight %d/%d (%d alerts)", t->nuis_clean,
           t->nuis_clips, t->nuis_alerts);
    if (t->m_clips > 0)
        printf(", Motion %d/%d (%d events)", t->m_nuis_clean, t->nuis_clips, t->m_nuis_alerts);
    printf("\n");
}

static int parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof(*o));
    o->fast = 1;   /* as the hub's default fast_decode */
    o->root = getenv("PORCH_TESTDATA") != NULL ? getenv("PORCH_TESTDATA") : "../shared/testdata";
    o->truth = "tools/eval/events_truth.txt";
    o->models = ".deps/models";
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--root"))
            o->root = v;
        else if (!strcmp(k, "--truth"))
            o->truth = v;
        else if (!strcmp(k, "--models"))
            o->models = v;
        else if (!strcmp(k, "--motion"))
            o->motion = v;
        else if (!strcmp(k, "--config"))
            o->config = v;
        else if (!strcmp(k, "--only"))
            o->only = v;
        else if (!strcmp(k, "--fast-decode") && (!strcmp(v, "yes") || !strcmp(v, "no")))
            o->fast = !strcmp(v, "yes");
        else if (!strcmp(k, "--set") && o->nsets < MAX_SETS)
            o->sets[o->nsets++] = v;
        else
            return -1;
    }
    return argc % 2 == 1 ? 0 : -1;
}

static int make_config(const opts *o, porch_analysis_config *cfg)
{
    porch_analysis_config_default(cfg);
    if (o->config != NULL) {
        static char buf[PORCH_ANALYSIS_MAX_TEXT];
        FILE *f = fopen(o->config, "rb");
        int line = 0;
        size_t n = f != NULL ? fread(buf, 1, sizeof(buf), f) : 0;
        if (f != NULL)
            fclose(f);
        if (f == NULL || porch_analysis_config_parse(cfg, buf, n, &line) != PORCH_OK) {
            fprintf(stderr, "porch_event_eval: bad config %s (line %d)\n", o->config, line);
            return -1;
        }
    }
    for (int i = 0; i < o->nsets; i++) {
        char kv[256];
        snprintf(kv, sizeof(kv), "%s", o->sets[i]);
        char *eq = strchr(kv, '=');
        if (eq == NULL)
            return -1;
        *eq = '\0';
        if (porch_analysis_config_set(cfg, kv, eq + 1) != PORCH_OK) {
            fprintf(stderr, "porch_event_eval: bad --set %s\n", o->sets[i]);
            return -1;
        }
    }
    return porch_analysis_config_check(cfg) == PORCH_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    opts o;
    porch_analysis_config cfg;
    porch_nn_model *m = NULL;
    tally t;
    char path[600];

    if (parse_opts(argc, argv, &o) != 0) {
        fputs("usage: porch_event_eval [--root DIR] [--truth FILE] [--models DIR] [--motion DIR]\n"
              "       [--config FILE] [--set KEY=VALUE]... [--only NAME]\n"
              "       [--fast-decode yes|no]\n", stderr);
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    if (make_config(&o, &cfg) != 0)
        return 2;
    snprintf(path, sizeof(path), "%s/nanodet.json", o.models);
    if (porch_nn_model_load(&m, path, NULL, NULL) != PORCH_OK) {
        fprintf(stderr, "porch_event_eval: no model at %s (scripts/models.sh)\n", path);
        return 77;
    }
    if (read_truth(&o) != 0)
        return 2;
    memset(&t, 0, sizeof(t));
    printf("| clip | truth | frames | detector runs | events | ours TP/FP | Motion events TP/FP | ms/frame |\n"
           "|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < nclips; i++) {
        clip *c = &clips[i];
        char truth[64], evs[96], ours[32], theirs[32];
        if (run_clip(&o, &cfg, m, c) != PORCH_OK)
            continue;
        if (o.motion != NULL)
            read_motion(&o, c, c->fps > 1.0 ? (uint64_t)(c->fps + 0.5) : 10);
        score_clip(c, &t, ours, sizeof(ours), theirs, sizeof(theirs));
        classes_str(c->classes, truth, sizeof(truth));
        events_str(c, evs, sizeof(evs));
        printf("| %s | %s | %" PRIu64 " | %" PRIu64 " | %s | %s | %s | %.1f |\n", c->name, truth,
               c->frames, c->detects, evs, ours, theirs,
               c->frames ? 1000.0 * c->seconds / (double)c->frames : 0.0);
        fflush(stdout);
    }
    print_summary(&t);
    for (int i = 0; i < nclips; i++)
        free(clips[i].present);
    porch_nn_model_free(m);
    return 0;
}
