/*
 * bench_analysis: the analysis pipeline's cost per frame as a ratio to
 * decoding the same frames, in the same run, on one core.
 *
 *   bench_analysis [--models DIR] [video...]
 *
 * For each video (default: cdnet-highway, psu-walk and psu-AShipDeck from
 * $PORCH_TESTDATA or ../shared/testdata) it measures process CPU time of
 *   decode:   FFmpeg demux + decode alone (the floor), best of 3;
 *   source:   decode + the grey motion frame (porch_source_next), best of 3;
 *   pipeline: porch_analysis_run with the default configuration and one
 *             detector thread (decode, grey frame, motion, the BGR picture and
 *             NanoDet on detected frames, tracking and rules), once;
 * and prints per frame: each figure, the analysis part (pipeline - source),
 * its ratio to decode, detector runs per frame and CPU time per run.
 * Exits 77 when neither the model nor any video is there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "porchlight/analysis.h"
#include "porchlight/error.h"
#include "porchlight/nn.h"
#include "porchlight/source.h"

#define REPEAT 3

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* FFmpeg decoding alone, one thread; returns frames decoded or -1. */
static long decode_only(const char *url)
{
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    const AVCodec *codec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frm = av_frame_alloc();
    long n = -1;
    int idx;

    if (pkt == NULL || frm == NULL || avformat_open_input(&fmt, url, NULL, NULL) < 0 ||
        avformat_find_stream_info(fmt, NULL) < 0)
        goto out;
    idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (idx < 0 || (dec = avcodec_alloc_context3(codec)) == NULL ||
        avcodec_parameters_to_context(dec, fmt->streams[idx]->codecpar) < 0)
        goto out;
    dec->thread_count = 1;
    if (avcodec_open2(dec, codec, NULL) < 0)
        goto out;
    n = 0;
    for (int eof = 0; !eof;) {
        if (av_read_frame(fmt, pkt) < 0) {
            eof = 1;
            avcodec_send_packet(dec, NULL);
        } else if (pkt->stream_index == idx) {
            avcodec_send_packet(dec, pkt);
        }
        av_packet_unref(pkt);
        while (avcodec_receive_frame(dec, frm) == 0)
            n++;
    }
out:
    av_frame_free(&frm);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return n;
}

static long source_only(const char *url)
{
    porch_source *s = NULL;
    porch_source_frame f;
    long n = 0;

    if (porch_source_open(&s, url, 320, 0) != PORCH_OK)
        return -1;
    while (porch_source_next(s, &f) == PORCH_OK && !f.end)
        n++;
    porch_source_close(s);
    return n;
}

static int count_cb(void *ctx, const porch_analysis_result *r, int final)
{
    (void)r;
    if (!final)
        (*(long *)ctx)++;
    return PORCH_OK;
}

static long pipeline(const char *url, const porch_nn_model *m, unsigned long *detects)
{
    porch_analysis_config cfg;
    porch_source *s = NULL;
    porch_analysis *a = NULL;
    porch_analysis_result *res = malloc(sizeof(*res));
    long n = 0;
    int gw, gh, err = PORCH_ERR_NOMEM;

    porch_analysis_config_default(&cfg);
    if (res != NULL)
        err = porch_source_open(&s, url, 320, 0);
    if (err == PORCH_OK) {
        porch_source_sizes(s, &gw, &gh, NULL, NULL);
        err = porch_analysis_new(&a, &cfg, m, 1, gw, gh);
    }
    if (err == PORCH_OK)
        err = porch_analysis_run(a, s, res, count_cb, &n);
    *detects = (unsigned long)porch_analysis_detect_count(a);
    porch_analysis_free(a);
    porch_source_close(s);
    free(res);
    return err == PORCH_OK ? n : -1;
}

/* Best (least) CPU ms of REPEAT runs of f; frames into *n. */
static double best_of(long (*f)(const char *), const char *url, long *n)
{
    double best = 1e300;
    for (int i = 0; i < REPEAT; i++) {
        double t0 = cpu_ms();
        *n = f(url);
        double t = cpu_ms() - t0;
        best = t < best ? t : best;
    }
    return best;
}

static void bench_one(const char *url, const porch_nn_model *m)
{
    long nd = 0, ns = 0, np;
    unsigned long det = 0;
    double d = best_of(decode_only, url, &nd), s = best_of(source_only, url, &ns);
    double t0 = cpu_ms();
    np = pipeline(url, m, &det);
    double p = cpu_ms() - t0;

    if (nd <= 0 || ns != nd || np != nd) {
        printf("| %s | failed (frames %ld/%ld/%ld) |\n", url, nd, ns, np);
        return;
    }
    double per = 1.0 / (double)nd, an = (p - s) * per;
    printf("| %s | %ld | %.3f | %.3f | %.2f | %.2f | %.1f | %.3f | %.1f |\n",
           url, nd, d * per, s * per, p * per, an,
           an / (d * per), (double)det * per, det > 0 ? (p - s) / (double)det : 0.0);
}

int main(int argc, char **argv)
{
    const char *models = ".deps/models", *root = getenv("PORCH_TESTDATA");
    static const char *defaults[] = { "sequences/cdnet-highway/video.mp4",
                                      "sequences/psu-walk/video.mp4",
                                      "sequences/psu-AShipDeck/video.mp4" };
    porch_nn_model *m = NULL;
    char path[4096];
    int first = 1, ran = 0;

    if (argc >= 3 && strcmp(argv[1], "--models") == 0) {
        models = argv[2];
        first = 3;
    }
    av_log_set_level(AV_LOG_ERROR);
    snprintf(path, sizeof(path), "%s/nanodet.json", models);
    if (porch_nn_model_load(&m, path, NULL, NULL) != PORCH_OK) {
        printf("bench_analysis: SKIP: no model at %s (scripts/models.sh)\n", path);
        return 77;
    }
    printf("CPU ms per frame, one core (decode: FFmpeg alone; source: + grey 320-wide frame;\n"
           "pipeline: everything; analysis = pipeline - source; ratio = analysis / decode)\n\n"
           "| input | frames | decode | source | pipeline | analysis | ratio | detector runs/frame | ms/run |\n"
           "|---|---|---|---|---|---|---|---|---|\n");
    for (int i = first; i < argc; i++, ran++)
        bench_one(argv[i], m);
    for (size_t i = 0; first >= argc && i < sizeof defaults / sizeof defaults[0]; i++) {
        snprintf(path, sizeof(path), "%s/%s", root != NULL ? root : "../shared/testdata",
                 defaults[i]);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        fclose(f);
        bench_one(path, m);
        ran++;
    }
    porch_nn_model_free(m);
    if (ran == 0) {
        printf("bench_analysis: SKIP: no video given and no test data\n");
        return 77;
    }
    return 0;
}
