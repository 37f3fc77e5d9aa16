/*
 * porch_motion_eval: runs the motion stage (porchlight/motion.h) over the
 * development sequences and scores it against their ground truth; prints
 * one table. Scoring rules: docs/MOTION.md, "How we score".
 *
 *   porch_motion_eval [--root DIR] [--only NAME] [--width W] [--flags N]
 *                     [--motion DIR] [--frames]
 *
 * --root    the sequences directory (default: $PORCH_TESTDATA/sequences,
 *           else ../shared/testdata/sequences)
 * --only    one sequence
 * --width   largest analysis width (default 320; narrower inputs keep their size)
 * --flags   porch_motion_config.flags, to measure a part switched off
 * --motion  directory of Motion daemon decisions (<name>.txt, "frame 0|1"
 *           per line, from tools/eval/run_motion.sh)
 * --frames  print every frame's regions (the stage's per-frame output)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/log.h>

#include "porchlight/error.h"
#include "porchlight/frames.h"
#include "porchlight/motion.h"

#define MAX_SEQS 64
#define MAX_FRAMES 100000

/* Sequences that contain no object of interest: every candidate is a nuisance. */
static const char *const nuisance_only[] = { "sbi-foliage", "ucsd-bottle", "psu-AShipDeck",
                                             "psu-movecam" };

typedef struct options {
    const char *root, *only, *motion_dir;
    int width;
    unsigned flags;
    int frames;
    int misses;
    const char *cur_name;   /* sequence being evaluated */
} options;

typedef struct labels {
    int n;
    uint8_t evaluated[MAX_FRAMES];
    uint8_t present[MAX_FRAMES];
} labels;

typedef struct score {
    int frames;
    unsigned long long tp, fp, fn;
    int labelled, recalled, motion_recalled;
    int labelled2, recalled2;   /* the same from frame 2 on (see print_row) */
    int water, water_hit, motion_water_hit; /* psu-AShipDeck frames without a boat */
    int empty, empty_hit, motion_empty_hit;   /* object-free scored frames */
    int cand_frames, motion_frames, motion_known;
    int camera_frames, reseeds;
    double ms;
    int has_gt, nuisance;
} score;

/* psu-AShipDeck's "water" is mostly real boats with their wakes (frames
 * ~20..324, checked by eye), which a motion stage should hand over; these
 * are its frames with water and wakes only, scored on their own. */
static int water_only(const char *name, int frame)
{
    return name != NULL && strcmp(name, "psu-AShipDeck") == 0 &&
           (frame < 20 || frame >= 325);
}

static int is_nuisance(const char *name)
{
    for (size_t k = 0; k < sizeof(nuisance_only) / sizeof(nuisance_only[0]); k++)
        if (strcmp(name, nuisance_only[k]) == 0)
            return 1;
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* frame_labels.csv: frame,gt_file,fg255,unk170,shadow50,roi85,evaluated,object_present */
static int read_labels(const char *path, labels *lb)
{
    FILE *f = fopen(path, "r");
    char line[512];

    lb->n = 0;
    if (f == NULL)
        return -1;
    if (fgets(line, sizeof(line), f) == NULL) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        int frame, ev, pr;
        char file[128];
        unsigned a, b, c, d;
        if (sscanf(line, "%d,%127[^,],%u,%u,%u,%u,%d,%d", &frame, file, &a, &b, &c, &d,
                   &ev, &pr) != 8 || frame < 1 || frame > MAX_FRAMES)
            continue;
        lb->evaluated[frame - 1] = (uint8_t)ev;
        lb->present[frame - 1] = (uint8_t)pr;
        lb->n = frame > lb->n ? frame : lb->n;
    }
    fclose(f);
    return 0;
}

/* Motion daemon decisions: "index 0|1" lines; returns count read, -1 if none. */
static int read_motion(const char *dir, const char *name, uint8_t *dec, int max)
{
    char path[8300];
    FILE *f;
    int idx, v, n = 0;

    if (dir == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    memset(dec, 0, (size_t)max);
    while (fscanf(f, "%d %d", &idx, &v) == 2) {
        if (idx >= 0 && idx < max) {
            dec[idx] = (uint8_t)(v != 0);
            n = idx + 1 > n ? idx + 1 : n;
        }
    }
    fclose(f);
    return n;
}

/* 1 if some candidate's box holds a pixel that is ours (255) and the object's (255). */
static int recalled(const porch_motion_result *r, const uint8_t *mask, const porch_frame *gt)
{
    for (int k = 0; k < r->ncandidates; k++) {
        const porch_motion_region *g = &r->regions[k];
        for (int y = g->y; y < g->y + g->h; y++)
            for (int x = g->x; x < g->x + g->w; x++)
                if (mask[(size_t)y * (size_t)gt->width + (size_t)x] == 255 &&
                    gt->data[(size_t)y * gt->stride + (size_t)x] == 255)
                    return 1;
    }
    return 0;
}

/* CDnet: score only 0/50 (background) and 255 (object); 85 and 170 are not scored. */
static void score_pixels(score *s, const uint8_t *mask, const porch_frame *gt)
{
    for (int y = 0; y < gt->height; y++) {
        for (int x = 0; x < gt->width; x++) {
            uint8_t g = gt->data[(size_t)y * gt->stride + (size_t)x];
            int ours = mask[(size_t)y * (size_t)gt->width + (size_t)x] == 255;
            if (g == 255) {
                s->tp += (unsigned long long)ours;
                s->fn += (unsigned long long)!ours;
            } else if (g == 0 || g == 50) {
                s->fp += (unsigned long long)ours;
            }
        }
    }
}

static void print_frame(const porch_motion_result *r)
{
    printf("frame %llu pts_us %lld fg %.4f gain %.3f shift %d,%d global 0x%x regions %d"
           " candidates %d\n", (unsigned long long)r->frame, (long long)r->pts_us,
           r->fg_fraction, r->gain, r->shift_x, r->shift_y, r->global, r->nregions,
           r->ncandidates);
    for (int k = 0; k < r->nregions; k++) {
        const porch_motion_region *g = &r->regions[k];
        printf("  region id %u box %d,%d %dx%d area %d age %u v %.2f,%.2f disp %.1f"
               " path %.1f coherence %.2f dynamic %.2f zone %d candidate %d\n",
               g->track_id, g->x, g->y, g->w, g->h, g->area, g->age, g->vx, g->vy,
               g->displacement, g->path, g->coherence, g->dynamic, g->in_zone, g->candidate);
    }
}

typedef struct seq_io {
    porch_frames *video, *gt;
    porch_motion *m;
    labels *lb;
    uint8_t *motion;   /* Motion daemon decisions, or NULL */
    int motion_n;
} seq_io;

static void score_frame(const options *o, seq_io *io, score *s, const porch_motion_result *r,
                        const porch_frame *gt, int i)
{
    const uint8_t *mask = porch_motion_mask(io->m);
    int mot = io->motion != NULL && i < io->motion_n && io->motion[i];
    int scored = io->lb != NULL && i < io->lb->n && io->lb->evaluated[i];

    s->cand_frames += r->ncandidates > 0;
    if (water_only(o->cur_name, i)) {
        s->water++;
        s->water_hit += r->ncandidates > 0;
        s->motion_water_hit += mot;
    }
    s->motion_frames += mot;
    s->camera_frames += (r->global & PORCH_MOTION_GLOBAL_CAMERA) != 0;
    s->reseeds += i > 0 && (r->global & PORCH_MOTION_GLOBAL_INIT) != 0;
    if (!scored || gt == NULL || mask == NULL)
        return;
    score_pixels(s, mask, gt);
    if (io->lb->present[i]) {
        int hit = recalled(r, mask, gt);
        s->labelled++;
        s->recalled += hit;
        s->motion_recalled += mot;
        s->labelled2 += i >= 2;
        s->recalled2 += i >= 2 && hit;
        if (o->misses && !hit)
            fprintf(stderr, "miss %d\n", i);
    } else {
        s->empty++;
        s->empty_hit += r->ncandidates > 0;
        s->motion_empty_hit += mot;
    }
}

static int run_frames(const options *o, seq_io *io, score *s)
{
    porch_frame fr, gt;
    porch_motion_result r;
    int err;

    for (int i = 0;; i++) {
        double t0;
        err = porch_frames_next(io->video, &fr);
        if (err != PORCH_OK || fr.end)
            break;
        if (io->gt != NULL && (porch_frames_next(io->gt, &gt) != PORCH_OK || gt.end))
            io->gt = NULL; /* ground truth shorter than the video: stop scoring */
        t0 = now_ms();
        err = porch_motion_process(io->m, fr.data, fr.stride, fr.pts_us, &r);
        s->ms += now_ms() - t0;
        if (err != PORCH_OK)
            break;
        s->frames++;
        if (o->frames)
            print_frame(&r);
        score_frame(o, io, s, &r, io->gt != NULL ? &gt : NULL, i);
    }
    return err;
}

static int eval_sequence(const options *o, const char *dir, const char *name, score *s)
{
    static labels lb;
    static uint8_t motion[MAX_FRAMES];
    char path[8300];
    seq_io io = { 0 };
    porch_motion_config cfg;
    porch_frames_options gopt = { 0, 0, PORCH_FRAMES_SCALE_NEAREST };
    int w, h, err;

    memset(s, 0, sizeof(*s));
    s->nuisance = is_nuisance(name);
    snprintf(path, sizeof(path), "%s/video.mp4", dir);
    err = porch_frames_open(&io.video, path, 0, 0);
    if (err != PORCH_OK)
        return err;
    porch_frames_size(io.video, &w, &h);
    porch_frames_close(io.video);
    io.video = NULL;
    if (w > o->width) {
        h = (int)((long)h * o->width / w) & ~1;
        w = o->width;
    }
    err = porch_frames_open(&io.video, path, w, h);
    snprintf(path, sizeof(path), "%s/frame_labels.csv", dir);
    if (err == PORCH_OK && read_labels(path, &lb) == 0) {
        gopt.width = w;
        gopt.height = h;
        snprintf(path, sizeof(path), "%s/groundtruth.mkv", dir);
        if (porch_frames_open_ex(&io.gt, path, &gopt) == PORCH_OK) {
            io.lb = &lb;
            s->has_gt = 1;
        }
    }
    io.motion_n = read_motion(o->motion_dir, name, motion, MAX_FRAMES);
    io.motion = io.motion_n >= 0 ? motion : NULL;
    s->motion_known = io.motion != NULL;
    porch_motion_config_default(&cfg, w, h);
    cfg.flags = o->flags;
    if (err == PORCH_OK)
        err = porch_motion_new(&io.m, &cfg);
    if (err == PORCH_OK)
        err = run_frames(o, &io, s);
    porch_motion_free(io.m);
    porch_frames_close(io.video);
    porch_frames_close(io.gt);
    return err;
}

static void fmt_ratio(char *buf, size_t n, double num, double den)
{
    if (den > 0)
        snprintf(buf, n, "%.3f", num / den);
    else
        snprintf(buf, n, "-");
}

static void print_row(const char *name, const score *s)
{
    char re[16], pr[16], f[16], fr[16], fr2[16], mfr[16], nu[16], mnu[16], fa[16], mfa[16];
    double rec = (double)s->tp / (double)(s->tp + s->fn + (s->tp + s->fn == 0));
    double prec = (double)s->tp / (double)(s->tp + s->fp + (s->tp + s->fp == 0));

    snprintf(re, sizeof(re), "-");
    snprintf(pr, sizeof(pr), "-");
    snprintf(f, sizeof(f), "-");
    if (s->has_gt && !s->nuisance && s->tp + s->fn > 0) {
        snprintf(re, sizeof(re), "%.3f", rec);
        snprintf(pr, sizeof(pr), "%.3f", prec);
        fmt_ratio(f, sizeof(f), 2 * rec * prec, rec + prec);
    }
    fmt_ratio(fr, sizeof(fr), s->recalled, s->nuisance ? 0 : s->labelled);
    fmt_ratio(fr2, sizeof(fr2), s->recalled2, s->nuisance ? 0 : s->labelled2);
    fmt_ratio(mfr, sizeof(mfr), s->motion_recalled, s->nuisance || !s->motion_known ? 0 : s->labelled);
    fmt_ratio(nu, sizeof(nu), s->cand_frames, s->nuisance ? s->frames : 0);
    fmt_ratio(mnu, sizeof(mnu), s->motion_frames, s->nuisance && s->motion_known ? s->frames : 0);
    fmt_ratio(fa, sizeof(fa), s->empty_hit, s->nuisance ? 0 : s->empty);
    fmt_ratio(mfa, sizeof(mfa), s->motion_empty_hit, s->nuisance || !s->motion_known ? 0 : s->empty);
    printf("| %-14s | %5d | %6s | %6s | %6s | %6s | %6s | %6s | %6s | %6s | %6s | %6s | %4d | %4d | %5.3f |\n",
           name, s->frames, re, pr, f, fr, fr2, mfr, fa, mfa, nu, mnu, s->camera_frames, s->reseeds,
           s->frames ? s->ms / s->frames : 0.0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_sequences(const char *root, char **names, int max)
{
    DIR *d = opendir(root);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL && n < max)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof(char *), by_name);
    return n;
}

static void usage(void)
{
    fprintf(stderr, "usage: porch_motion_eval [--root DIR] [--only NAME] [--width W]"
                    " [--flags N] [--motion DIR] [--frames]\n");
    exit(2);
}

static void parse_args(int argc, char **argv, options *o, char *root_buf, size_t n)
{
    const char *td = getenv("PORCH_TESTDATA");

    memset(o, 0, sizeof(*o));
    o->width = 320;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--frames") == 0 || strcmp(a, "--misses") == 0) {
            *(a[2] == 'f' ? &o->frames : &o->misses) = 1;
            continue;
        }
        if (v == NULL)
            usage();
        i++;
        if (strcmp(a, "--root") == 0) o->root = v;
        else if (strcmp(a, "--only") == 0) o->only = v;
        else if (strcmp(a, "--motion") == 0) o->motion_dir = v;
        else if (strcmp(a, "--width") == 0) o->width = atoi(v);
        else if (strcmp(a, "--flags") == 0) o->flags = (unsigned)strtoul(v, NULL, 0);
        else usage();
    }
    if (o->root == NULL) {
        snprintf(root_buf, n, "%s/sequences", td != NULL ? td : "../shared/testdata");
        o->root = root_buf;
    }
    if (o->width < 16 || o->width > PORCH_MOTION_MAX_DIM)
        usage();
}

int main(int argc, char **argv)
{
    options o;
    char root[4096], dir[4400];
    char *names[MAX_SEQS];
    int n, status = 0;
    score water_line = { 0 };

    parse_args(argc, argv, &o, root, sizeof(root));
    av_log_set_level(AV_LOG_ERROR);
    n = list_sequences(o.root, names, MAX_SEQS);
    if (n < 0) {
        fprintf(stderr, "porch_motion_eval: no test data at %s (see INVENTORY.md)\n", o.root);
        return 77;
    }
    printf("| sequence       | frames | pix R  | pix P  | pix F  | frameR | fR 2+  | Motion | emptyFA | Motion | nuis.  | Motion | cam  | rsd  | ms/fr |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int k = 0; k < n; k++) {
        score s;
        int err;
        if (o.only == NULL || strcmp(o.only, names[k]) == 0) {
            snprintf(dir, sizeof(dir), "%s/%s", o.root, names[k]);
            o.cur_name = names[k];
            err = eval_sequence(&o, dir, names[k], &s);
            if (err != PORCH_OK) {
                fprintf(stderr, "%s: %s\n", names[k], porch_strerror(err));
                status = 1;
            }
            print_row(names[k], &s);
            if (s.water > 0)
                water_line = s;
            fflush(stdout);
        }
        free(names[k]);
    }
    if (water_line.water > 0)
        printf("\npsu-AShipDeck, %d frames with water and wakes only (no boat in view):"
               " candidates on %.3f of them, Motion %.3f\n", water_line.water,
               (double)water_line.water_hit / water_line.water,
               (double)water_line.motion_water_hit / water_line.water);
    return status;
}
