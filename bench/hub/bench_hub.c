/*
 * bench_hub: CPU per frame of the live hub against two peers measured in
 * the same run, on the same H.264 streams (1280x720 and 1920x1080, 15 fps,
 * 20 s, made here with ffmpeg/libx264 like an IP camera makes them: a
 * fixed 2 s GOP, no scene-cut keyframes, no B-frames; a static scene with
 * sensor-like noise and a moving textured patch from 5 s to 12 s, so there
 * is one event to record). Two rate settings per size:
 *
 *   quiet   VBR (CRF 23, capped at 2 / 4 Mbit/s): a quiet scene costs few bits
 *   busy    CBR at the cap (2 / 4 Mbit/s): the noise is coded, decode costs more
 *
 * Peers, all with one decoding thread:
 *
 *   hub     porchlight's camera pipeline in process (lib/hub: demux, ring,
 *           decode for analysis, grey picture, frame-difference trigger,
 *           fMP4 muxing, sealing, spool writes with fdatasync), one camera,
 *           as fast as it goes, with `fast_decode = no` (the analysis
 *           decode in full, so hub/floor is its overhead beyond decoding);
 *           process CPU time
 *   fast    the same with `fast_decode = yes`, the default (in-loop
 *           deblocking skipped in the analysis decode, lib/media/decoder.h)
 *   detect  the hub at its defaults with `trigger = detect` (fast_decode
 *           on; the substream runs too): the analysis pipeline (motion
 *           stage, NanoDet on the candidate regions at most 5 times a
 *           second, tracker, rules) decides the events (needs
 *           .deps/models or PORCH_MODELS_DIR; skipped without)
 *   floor   libavformat + libavcodec decoding the same file alone, in full
 *   floor-nd  the same with deblocking skipped: what fast's own decoding
 *           costs, so fast/floor-nd is its overhead beyond decoding
 *   motion  the Motion daemon (Debian `motion`) on the same file with
 *           Debian's shipped motion.conf settings for detection and
 *           recording (threshold scaled to the picture size), paced by
 *           Motion at 15 fps for a fixed wall time; CPU from wait4();
 *           frames = wall time x 15 (counts startup: can only favour Motion)
 *
 * Rounds are interleaved (every peer on every stream in each round, the
 * order of hub and floor alternating) and each figure is the median over
 * rounds, so drift in the shared machine's load hits all peers alike.
 *
 * Substream: each 720p stream also has a 320x180 analysis stream made from
 * the same source (VBR capped at 256 kbit/s / CBR 256 kbit/s). The hub is
 * run with analysis_url set to it. If the hub honours analysis_url (its
 * log names a 320x180 stream), that run is the measured figure; if not,
 * the figure printed is the estimate floor(320x180) + (hub - floor)(720p):
 * the substream's decode plus everything the hub does beyond decoding at
 * 720p (which includes grey sampling of 720p pictures, so it errs high).
 * Cameras per core = 1 / (CPU-seconds per camera-second).
 *
 * Targets (issue 4): hub <= 1.1 x floor; hub >= 2.5 x Motion frames per
 * CPU-second.
 *
 *   bench_hub [MOTION_SECONDS [ROUNDS]]   (default 20 and 3; 0 s skips Motion)
 *   bench_hub --hub-only FILE [RUNS]      (RUNS hub runs on FILE, default 5, for perf)
 *   bench_hub --floor-only FILE           (one floor run, for callgrind against the hub)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "household.h"
#include "porchlight/error.h"
#include "porchlight/hub.h"

extern char **environ;

#define MAX_ROUNDS 15
#define N_STREAMS 4

struct stream {
    const char *label;
    int w, h, cbr, kbps;
    char path[700], sub[700];          /* sub: 320x180 analysis stream ("" = none) */
    unsigned frames, sub_frames;
    double floor[MAX_ROUNDS], floor_nd[MAX_ROUNDS], hub[MAX_ROUNDS], fast[MAX_ROUNDS];
    double detect[MAX_ROUNDS];
    double motion[MAX_ROUNDS];         /* all: CPU s per frame */
    double sub_floor[MAX_ROUNDS], sub_hub[MAX_ROUNDS], sub_detect[MAX_ROUNDS];
    int sub_honoured;
    unsigned clips, detect_clips;
};

static double cpu_now(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Kernel CPU seconds of this process so far. */
static double sys_now(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int run(char *const argv[], int quiet)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = 0;

    posix_spawn_file_actions_init(&fa);
    if (quiet) {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        return -1;
    posix_spawn_file_actions_destroy(&fa);
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The test scene at w x h, encoded at out_w x out_h (the substream is the
 * same source scaled), camera-like: 2 s GOP, no scene cuts, no B-frames. */
static int make_video(const char *path, int w, int h, int out_w, int out_h, int cbr, int kbps)
{
    char src0[128], src1[64], filt[320], rate[16], buf[16];

    snprintf(src0, sizeof src0, "color=c=0x606060:s=%dx%d:r=15:d=20", w, h);
    snprintf(src1, sizeof src1, "testsrc2=s=%dx%d:r=15", w / 4, h / 4);
    snprintf(filt, sizeof filt,
             "[0][1]overlay=x='%d*(t-5)':y=%d:enable='between(t,5,12)':shortest=1,"
             "noise=alls=4:allf=t,scale=%d:%d",
             w / 10, h / 3, out_w, out_h);
    snprintf(rate, sizeof rate, "%dk", kbps);
    snprintf(buf, sizeof buf, "%dk", 2 * kbps);
    char *argv[] = { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", src0,
                     "-f", "lavfi", "-i", src1, "-filter_complex", filt, "-c:v", "libx264",
                     "-preset", "veryfast", "-bf", "0", "-g", "30", "-keyint_min", "30",
                     "-sc_threshold", "0", cbr ? "-b:v" : "-crf", cbr ? rate : "23", "-maxrate",
                     rate, "-bufsize", buf, "-pix_fmt", "yuv420p", (char *)path, NULL };
    return run(argv, 0);
}

/* Decode-only floor: CPU seconds of this process, frames decoded; with
 * no_deblock, H.264's in-loop deblocking skipped as the hub's decoder does. */
static double floor_decode(const char *path, unsigned *frames, int no_deblock)
{
    AVFormatContext *ic = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = av_frame_alloc();
    double t0;
    int vidx;

    *frames = 0;
    /* Opening counts for both (find_stream_info decodes a few frames). */
    t0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
    if (avformat_open_input(&ic, path, NULL, NULL) < 0 || avformat_find_stream_info(ic, NULL) < 0)
        return -1;
    vidx = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *codec = avcodec_find_decoder(ic->streams[vidx]->codecpar->codec_id);
    dec = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(dec, ic->streams[vidx]->codecpar);
    dec->thread_count = 1; /* as lib/media/decoder.c */
    if (no_deblock)
        dec->skip_loop_filter = AVDISCARD_ALL;
    avcodec_open2(dec, codec, NULL);
    while (av_read_frame(ic, pkt) >= 0) {
        if (pkt->stream_index == vidx && avcodec_send_packet(dec, pkt) >= 0)
            while (avcodec_receive_frame(dec, f) >= 0)
                (*frames)++;
        av_packet_unref(pkt);
    }
    avcodec_send_packet(dec, NULL);
    while (avcodec_receive_frame(dec, f) >= 0)
        (*frames)++;
    av_frame_free(&f);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&ic);
    return cpu_now(CLOCK_PROCESS_CPUTIME_ID) - t0;
}

/* Warnings to stderr; notes whether any message names a 320x180 stream
 * (the hub opened the analysis substream). */
static void bench_log(void *ctx, int level, const char *camera, const char *msg)
{
    int *saw_sub = ctx;

    (void)camera;
    if (strstr(msg, "320x180"))
        *saw_sub = 1;
    if (level >= PORCH_HUB_WARN)
        fprintf(stderr, "hub: %s\n", msg);
}

/* Models directory for the detect peer, or NULL when it has no NanoDet. */
static const char *models_dir(void)
{
    static char dir[600];
    const char *env = getenv("PORCH_MODELS_DIR");
    char probe[700];

    snprintf(dir, sizeof dir, "%s", env && env[0] ? env : ".deps/models");
    snprintf(probe, sizeof probe, "%s/nanodet.json", dir);
    return access(probe, R_OK) == 0 ? dir : NULL;
}

/* The live hub on one camera reading path (analysis from sub, if given) as
 * fast as it can: process CPU seconds. models: NULL for the frame-difference
 * trigger, else trigger = detect with the models there. fast: fast_decode. */
static double hub_run(struct household *hh, const char *dir, const char *path, const char *sub,
                      const char *models, int fast, unsigned *frames, unsigned *clips,
                      int *saw_sub)
{
    char text[4096], err[512], spool[600], ana[760] = "", trig[700];
    static int round;
    porch_hub_config *cfg = NULL;
    porch_hub *h = NULL;
    porch_hub_opts o;
    porch_hub_camera_stats st;
    double t0;

    *saw_sub = 0;
    snprintf(spool, sizeof spool, "%s/spool%d", dir, round++);
    if (sub && sub[0])
        snprintf(ana, sizeof ana, "analysis_url = %s\n", sub);
    if (models)
        snprintf(trig, sizeof trig, "models = %s\ntrigger = detect\ndetect_threads = 1\n", models);
    else
        snprintf(trig, sizeof trig, "trigger = motion-diff\n");
    snprintf(text, sizeof text,
             "[hub]\nkey = x\npassphrase_file = x\nowner = x\nroster = x\nspool = %s\n%s"
             "[camera front]\nurl = %s\n%s%spreroll = 5\npostroll = 2\n",
             spool, trig, path, ana, fast ? "fast_decode = yes\n" : "fast_decode = no\n");
    if (porch_hub_config_parse(&cfg, text, strlen(text), "bench", err, sizeof err) != PORCH_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    memset(&o, 0, sizeof o);
    o.cfg = cfg;
    o.hub = hh->hub;
    o.roster = hh->roster;
    o.log = bench_log;
    o.log_ctx = saw_sub;
    t0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
    if (porch_hub_start(&h, &o) != PORCH_OK)
        return -1;
    porch_hub_wait(h, 0);
    porch_hub_get_camera_stats(h, "front", &st);
    porch_hub_free(h);
    t0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID) - t0;
    *frames = (unsigned)st.frames;
    *clips = (unsigned)st.clips;
    porch_hub_config_free(cfg);
    char *rm[] = { "rm", "-rf", spool, NULL };
    run(rm, 0);
    return t0;
}

static int write_motion_conf(const char *conf, const char *work, const char *path, int w, int h)
{
    char text[4096];

    /* Detection and recording as Debian's /etc/motion/motion.conf ships
     * them (threshold 1500 changed pixels at 640x480 scaled to this
     * picture, despeckle EedDl, noise_tune on, minimum_motion_frames 1,
     * event_gap 60, pre_capture 3, post_capture 0, movie_output on (mkv,
     * quality 45, re-encoded: Motion's default), pictures off); only the
     * input, the paths and the ports differ. */
    snprintf(text, sizeof text,
             "daemon off\nsetup_mode off\nlog_level 4\nlog_file %s/motion.log\ntarget_dir %s\n"
             "netcam_url file://%s\nwidth %d\nheight %d\nframerate 15\ntext_left CAMERA1\n"
             "threshold %d\nnoise_tune on\ndespeckle_filter EedDl\nminimum_motion_frames 1\n"
             "event_gap 60\npre_capture 3\npost_capture 0\npicture_output off\n"
             "movie_output on\nmovie_max_time 60\nmovie_quality 45\nmovie_codec mkv\n"
             "webcontrol_port 0\nstream_port 0\n",
             work, work, path, w, h, (int)(1500.0 * w * h / (640 * 480)));
    FILE *fp = fopen(conf, "w");
    if (!fp)
        return -1;
    int bad = fputs(text, fp) < 0;
    return fclose(fp) != 0 || bad ? -1 : 0;
}

/* Motion on the same file for `secs` of wall time: CPU seconds (children). */
static double motion_run(const char *dir, const char *path, int w, int h, int secs,
                         double *frames)
{
    char conf[800], work[700];
    static int n;
    struct rusage ru;
    pid_t pid, r = 0;
    int st;

    snprintf(work, sizeof work, "%s/motion-%d", dir, n++);
    mkdir(work, 0700);
    snprintf(conf, sizeof conf, "%s/motion.conf", work);
    if (write_motion_conf(conf, work, path, w, h) != 0)
        return -1;
    char *argv[] = { "motion", "-n", "-c", conf, NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, "motion", &fa, NULL, argv, environ) != 0)
        return -1;
    posix_spawn_file_actions_destroy(&fa);
    sleep((unsigned)secs);
    kill(pid, SIGTERM);
    memset(&ru, 0, sizeof ru);
    for (int i = 0; i < 100 && (r = wait4(pid, &st, WNOHANG, &ru)) == 0; i++)
        usleep(100000);
    if (r != pid) {
        kill(pid, SIGKILL);
        wait4(pid, &st, 0, &ru);
    }
    char *rm[] = { "rm", "-rf", work, NULL };
    run(rm, 0);
    *frames = 15.0 * secs;
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
    double t[MAX_ROUNDS];

    if (n <= 0)
        return 0;
    memcpy(t, v, (size_t)n * sizeof *t);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* Median over rounds of a per-round ratio num[i] / den[i]. */
static double median_ratio(const double *num, const double *den, int n)
{
    double t[MAX_ROUNDS];

    for (int i = 0; i < n; i++)
        t[i] = den[i] > 0 ? num[i] / den[i] : 0;
    return median(t, n);
}

static int hub_only(const char *path, int runs)
{
    struct household h1;
    char d1[] = "/tmp/porch-bench-hub-XXXXXX";
    unsigned fr = 0, cl = 0;
    int saw = 0;

    av_log_set_level(AV_LOG_FATAL);
    if (!mkdtemp(d1))
        return 1;
    household_init(&h1);
    for (int i = 0; i < runs; i++) {
        double s0 = sys_now(), t = hub_run(&h1, d1, path, NULL, NULL, 0, &fr, &cl, &saw);
        printf("hub %.3f ms/frame (kernel %.3f)\n", 1e3 * t / fr, 1e3 * (sys_now() - s0) / fr);
    }
    household_free(&h1);
    char *rm1[] = { "rm", "-rf", d1, NULL };
    run(rm1, 0);
    return 0;
}

/* One round over every stream: floor and hub (alternating order), the
 * substream runs, Motion. */
static void one_round(struct household *hh, const char *dir, struct stream *s, int r, int secs,
                      const char *models)
{
    for (int i = 0; i < N_STREAMS; i++, s++) {
        unsigned ff = 0, hf = 0, sf = 0, nf = 0, df = 0, dc = 0;
        int saw = 0;
        double fl = 0, hb = 0, nd = 0;
        for (int k = 0; k < 2; k++) {
            if ((k == 0) == (r % 2 == 0)) {
                fl = floor_decode(s->path, &ff, 0);
                nd = floor_decode(s->path, &nf, 1);
            } else {
                hb = hub_run(hh, dir, s->path, NULL, NULL, 0, &hf, &s->clips, &saw);
                s->fast[r] = hub_run(hh, dir, s->path, NULL, NULL, 1, &hf, &s->clips, &saw);
            }
        }
        s->frames = ff;
        s->floor[r] = fl / ff;
        s->floor_nd[r] = nd / ff;
        s->hub[r] = hb / ff;
        s->fast[r] /= ff;
        if (models) {
            s->detect[r] = hub_run(hh, dir, s->path, NULL, models, 1, &df, &dc, &saw) / ff;
            s->detect_clips = dc;
        }
        if (hf != ff)
            fprintf(stderr, "bench_hub: %s: hub analysed %u frames, floor decoded %u\n",
                    s->label, hf, ff);
        if (s->sub[0]) {
            s->sub_floor[r] = floor_decode(s->sub, &sf, 0) / sf;
            s->sub_frames = sf;
            s->sub_hub[r] = hub_run(hh, dir, s->path, s->sub, NULL, 1, &hf, &s->clips, &saw) / ff;
            if (models)
                s->sub_detect[r] =
                    hub_run(hh, dir, s->path, s->sub, models, 1, &df, &dc, &saw) / ff;
            s->sub_honoured = saw;
        }
        if (secs > 0) {
            double mf = 0, mc = motion_run(dir, s->path, s->w, s->h, secs, &mf);
            s->motion[r] = mc > 0 ? mc / mf : 0;
        }
    }
}

static void report(const struct stream *s, int rounds, int secs, int det)
{
    printf("\n%-7s %-9s %6s %7s %8s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n", "stream", "size",
           "Mbit/s", "floor", "floor-nd", "hub", "/floor", "fast", "/flr-nd", "detect", "motion",
           "x mo", "fast x", "det x");
    for (int i = 0; i < N_STREAMS; i++, s++) {
        struct stat sb;
        double mb = stat(s->path, &sb) == 0 ? sb.st_size * 8.0 / 20 / 1e6 : 0;
        printf("%-7s %4dx%-4d %6.2f %7.3f %8.3f %7.3f %7.3f %7.3f %7.3f", s->label, s->w, s->h,
               mb, 1e3 * median(s->floor, rounds), 1e3 * median(s->floor_nd, rounds),
               1e3 * median(s->hub, rounds), median_ratio(s->hub, s->floor, rounds),
               1e3 * median(s->fast, rounds), median_ratio(s->fast, s->floor_nd, rounds));
        printf(" %7.3f", det ? 1e3 * median(s->detect, rounds) : 0);
        if (secs > 0)
            printf(" %7.3f %6.2fx %6.2fx %6.2fx", 1e3 * median(s->motion, rounds),
                   median_ratio(s->motion, s->hub, rounds),
                   median_ratio(s->motion, s->fast, rounds),
                   det ? median_ratio(s->motion, s->detect, rounds) : 0);
        printf("   (%u frames, %u clip%s, detect %u)\n", s->frames, s->clips,
               s->clips == 1 ? "" : "s", s->detect_clips);
    }
    s -= N_STREAMS;
    printf("\nms per frame (CPU), medians; ratios: medians of the per-round ratios. floor: full\n"
           "decode; floor-nd: decode with deblocking skipped; hub: frame-difference trigger,\n"
           "fast_decode = no; fast: the same with fast_decode = yes (the default);\n"
           "detect: trigger = detect (NanoDet), defaults;\n"
           "x mo / fast x / det x = Motion's CPU per frame / hub's / fast's / detect's.\n");
    printf("per round (hub/floor, x motion):\n");
    for (int i = 0; i < N_STREAMS; i++) {
        printf("  %-5s %4dp:", s[i].label, s[i].h);
        for (int r = 0; r < rounds; r++)
            printf(" %.3f/%.2f", s[i].hub[r] / s[i].floor[r],
                   secs > 0 && s[i].hub[r] > 0 ? s[i].motion[r] / s[i].hub[r] : 0);
        printf("\n");
    }
    printf("\n720p15 cameras per core (1 / CPU-seconds per camera-second):\n");
    for (int i = 0; i < N_STREAMS; i++) {
        if (!s[i].sub[0])
            continue;
        double est[MAX_ROUNDS];
        for (int r = 0; r < rounds; r++)
            est[r] = s[i].sub_floor[r] + (s[i].hub[r] - s[i].floor[r]);
        double main_pf = median(s[i].hub, rounds);
        double sub_pf = s[i].sub_honoured ? median(s[i].sub_hub, rounds) : median(est, rounds);
        printf("  %-5s main stream decoded: %.1f; with a 320x180 analysis substream: %.1f (%s)\n",
               s[i].label, 1.0 / (15 * main_pf), 1.0 / (15 * sub_pf),
               s[i].sub_honoured ? "measured: the hub decoded analysis_url"
                                 : "ESTIMATE: the hub ignored analysis_url; "
                                   "floor(320x180) + (hub - floor)(720p)");
        if (det)
            printf("        trigger = detect: main stream %.1f; substream %.1f\n",
                   1.0 / (15 * median(s[i].detect, rounds)),
                   1.0 / (15 * median(s[i].sub_detect, rounds)));
        if (secs > 0)
            printf("        x motion with the substream: %.2fx (Motion decoding the main stream)\n",
                   median(s[i].motion, rounds) / sub_pf);
    }
}

/* The floor alone on one file, for callgrind against --hub-only FILE 1. */
static int floor_only(const char *path)
{
    unsigned fr = 0;
    double t;

    av_log_set_level(AV_LOG_FATAL);
    double s0 = sys_now();
    t = floor_decode(path, &fr, 0);
    printf("floor %.3f ms/frame (kernel %.3f; %u frames)\n", fr ? 1e3 * t / fr : 0,
           fr ? 1e3 * (sys_now() - s0) / fr : 0, fr);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "--hub-only"))
        return hub_only(argv[2], argc > 3 ? atoi(argv[3]) : 5);
    if (argc > 2 && !strcmp(argv[1], "--floor-only"))
        return floor_only(argv[2]);
    int secs = argc > 1 ? atoi(argv[1]) : 20;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    static struct stream st[N_STREAMS] = {
        { "quiet", 1280, 720, 0, 2000 },
        { "quiet", 1920, 1080, 0, 4000 },
        { "busy", 1280, 720, 1, 2000 },
        { "busy", 1920, 1080, 1, 4000 },
    };
    char dir[] = "/tmp/porch-bench-hub-XXXXXX";
    struct household hh;

    rounds = rounds < 1 ? 1 : rounds > MAX_ROUNDS ? MAX_ROUNDS : rounds;
    if (secs > 0 && system("command -v motion >/dev/null 2>&1") != 0) {
        fprintf(stderr, "bench_hub: no motion (Debian package motion): skipping it\n");
        secs = 0;
    }
    av_log_set_level(AV_LOG_FATAL);
    if (!mkdtemp(dir))
        return 1;
    for (int i = 0; i < N_STREAMS; i++) {
        struct stream *s = &st[i];
        snprintf(s->path, sizeof s->path, "%s/%s%d.mp4", dir, s->label, s->h);
        if (s->h == 720)
            snprintf(s->sub, sizeof s->sub, "%s/%s%d-sub.mp4", dir, s->label, s->h);
        if (make_video(s->path, s->w, s->h, s->w, s->h, s->cbr, s->kbps) != 0 ||
            (s->sub[0] && make_video(s->sub, s->w, s->h, 320, 180, s->cbr, 256) != 0)) {
            fprintf(stderr, "bench_hub: ffmpeg could not make the test streams\n");
            return 1;
        }
    }
    const char *models = models_dir();
    if (!models)
        fprintf(stderr, "bench_hub: no .deps/models/nanodet.json (or PORCH_MODELS_DIR): "
                        "skipping the detect peer\n");
    household_init(&hh);
    printf("bench_hub: CPU per frame, %d interleaved rounds, medians; one decoding thread "
           "everywhere; Motion %d s per run\n", rounds, secs);
    for (int r = 0; r < rounds; r++) {
        one_round(&hh, dir, st, r, secs, models);
        fprintf(stderr, "bench_hub: round %d of %d done\n", r + 1, rounds);
    }
    report(st, rounds, secs, models != NULL);
    household_free(&hh);
    char *rm[] = { "rm", "-rf", dir, NULL };
    run(rm, 0);
    return 0;
}
