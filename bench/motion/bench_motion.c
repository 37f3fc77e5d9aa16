/*
 * bench_motion: cost of the motion stage per frame against FFmpeg decoding
 * (and scaling to the analysis size) of the same frames, in the same run,
 * on one core.
 *
 *   bench_motion [video] [width height]
 *
 * Default input: cdnet-highway from $PORCH_TESTDATA (or
 * ../shared/testdata); without test data, synthetic frames (noise plus a
 * moving square) and no decoding figure. Default size 320x180.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/log.h>

#include "porchlight/error.h"
#include "porchlight/frames.h"
#include "porchlight/motion.h"

#define MAX_FRAMES 2000
#define REPEAT 3

/* CPU time of the process (all its threads, so FFmpeg's decoding threads
 * count too), not wall time: the development machine is shared, and wall
 * time there mostly measures other people's jobs. */
static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Decodes every frame into frames[]; returns the count and the time taken. */
static int decode_all(const char *url, int w, int h, uint8_t *frames, double *ms)
{
    porch_frames *f = NULL;
    porch_frame fr;
    int n = 0;
    double t0 = now_ms();

    if (porch_frames_open(&f, url, w, h) != PORCH_OK)
        return -1;
    while (n < MAX_FRAMES && porch_frames_next(f, &fr) == PORCH_OK && !fr.end) {
        for (int y = 0; y < h; y++)
            memcpy(frames + ((size_t)n * (size_t)h + (size_t)y) * (size_t)w,
                   fr.data + (size_t)y * fr.stride, (size_t)w);
        n++;
    }
    *ms = now_ms() - t0;
    porch_frames_close(f);
    return n;
}

static int synthesize(int w, int h, uint8_t *frames, int n)
{
    uint32_t s = 12345;

    for (int i = 0; i < n; i++) {
        uint8_t *p = frames + (size_t)i * (size_t)w * (size_t)h;
        for (int k = 0; k < w * h; k++) {
            s = s * 1103515245u + 12345u;
            p[k] = (uint8_t)(100 + ((s >> 16) & 7));
        }
        for (int y = h / 3; y < h / 3 + 20; y++)
            for (int x = (i * 2) % (w - 20); x < (i * 2) % (w - 20) + 20; x++)
                p[y * w + x] = 200;
    }
    return n;
}

static double run_motion(int w, int h, const uint8_t *frames, int n, int *cands)
{
    porch_motion *m = NULL;
    porch_motion_config cfg;
    porch_motion_result r;
    double t0;

    porch_motion_config_default(&cfg, w, h);
    if (porch_motion_new(&m, &cfg) != PORCH_OK)
        return -1;
    *cands = 0;
    t0 = now_ms();
    for (int i = 0; i < n; i++) {
        porch_motion_process(m, frames + (size_t)i * (size_t)w * (size_t)h, (size_t)w,
                             (int64_t)i * 40000, &r);
        *cands += r.ncandidates;
    }
    t0 = now_ms() - t0;
    porch_motion_free(m);
    return t0;
}

int main(int argc, char **argv)
{
    const char *td = getenv("PORCH_TESTDATA");
    char def[4096];
    const char *url = argc > 1 ? argv[1] : def;
    int w = argc > 3 ? atoi(argv[2]) : 320, h = argc > 3 ? atoi(argv[3]) : 180;
    double dec_ms = 0, best_dec = 1e30, best_mot = 1e30;
    int n = -1, cands = 0;
    uint8_t *frames;

    snprintf(def, sizeof(def), "%s/sequences/cdnet-highway/video.mp4",
             td != NULL ? td : "../shared/testdata");
    if (w < 16 || h < 16 || w > PORCH_MOTION_MAX_DIM || h > PORCH_MOTION_MAX_DIM)
        return 2;
    av_log_set_level(AV_LOG_ERROR);
    frames = malloc((size_t)MAX_FRAMES * (size_t)w * (size_t)h);
    if (frames == NULL)
        return 1;
    for (int k = 0; k < REPEAT; k++) {
        n = decode_all(url, w, h, frames, &dec_ms);
        best_dec = dec_ms < best_dec ? dec_ms : best_dec;
    }
    if (n <= 1) {
        printf("no decodable input at %s: synthetic frames, no decoding figure\n", url);
        n = synthesize(w, h, frames, 300);
        best_dec = 0;
    }
    for (int k = 0; k < REPEAT; k++) {
        double ms = run_motion(w, h, frames, n, &cands);
        best_mot = ms < best_mot ? ms : best_mot;
    }
    printf("input %s\nframes %d at %dx%d (best of %d runs)\n", best_dec > 0 ? url : "synthetic",
           n, w, h, REPEAT);
    printf("decode+scale  %.3f ms/frame\n", best_dec / n);
    printf("motion stage  %.3f ms/frame (%d candidate regions)\n", best_mot / n, cands);
    if (best_dec > 0)
        printf("ratio motion/decode %.3f\n", best_mot / best_dec);
    free(frames);
    return 0;
}
