/*
 * test_hub_crash.c: fault injection on the real porchlight-hub program.
 *
 * 1. kill -9 at 14 points: the hub loops a short file as fast as it can
 *    (an event every 0.1-0.2 s of CPU), uploading to a directory, and is
 *    killed at increasing delays; each restart recovers the spool. After
 *    the last kill the spool is recovered in process: no .partial, .tail or
 *    temporary left, every clip verifies, opens with the owner's key and
 *    decodes from a keyframe; every partial found was closed or reported;
 *    every clip marked uploaded is intact at the target.
 * 2. A full spool: uploaded clips go first (oldest first); an un-uploaded
 *    clip goes only when nothing uploaded is left, and with a report.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/hub.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static size_t n_errors, n_dropped_reports;

static void log_fn(void *ctx, int level, const char *camera, const char *msg)
{
    (void)ctx;
    (void)camera;
    pthread_mutex_lock(&mu);
    n_errors += level == PORCH_HUB_ERROR;
    n_dropped_reports += strstr(msg, "NOT uploaded") != NULL;
    printf("  report: %s\n", msg);
    pthread_mutex_unlock(&mu);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void check_all_clips(struct hubfix *f, const char *dir, size_t *n_out)
{
    static struct clipview v[512];
    size_t n = hubfix_clips(f, dir, v, 512);

    for (size_t i = 0; i < n; i++) {
        CHECK(v[i].framing_ok);
        CHECK(v[i].opened);
        CHECK(strstr(v[i].reason, "frame difference") != NULL);
        if (v[i].records > 2) { /* INIT + at least one fragment + META */
            CHECK(v[i].media_ok);
            CHECK(v[i].st.first_is_key);
            CHECK(v[i].st.frames > 0 && v[i].st.decode_errors == 0);
        }
        if (!v[i].framing_ok || !v[i].opened)
            fprintf(stderr, "bad clip %s in %s\n", v[i].name, dir);
    }
    *n_out = n;
}

static void kill_points(struct hubfix *f, const char *video)
{
    char cams[2048], log[700];
    size_t partials_seen = 0, n = 0;
    porch_spool *s = NULL;
    porch_spool_stats ss;
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f->conf, NULL };

    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\nloop = yes\npreroll = 1\npostroll = 0.5\n", video);
    snprintf(log, sizeof log, "file://%s", f->up);
    hubfix_config(f, "", log, cams);
    snprintf(log, sizeof log, "%s/hub.log", f->dir);
    for (int i = 0; i < 14; i++) {
        pid_t pid = hubfix_spawn(argv, log);
        sleep_ms(250 + 83 * i);
        kill(pid, SIGKILL);
        CHECK(hubfix_wait(pid, 10) == 128 + SIGKILL);
        partials_seen += hubfix_count(f->spool, ".partial");
    }
    /* The last restart, in process: the same recovery the hub runs. */
    CHECK_OK(porch_spool_open(&s, f->spool, (uint64_t)1 << 30, log_fn, NULL));
    porch_spool_get_stats(s, &ss);
    printf("kill -9 x14: %zu partials seen after kills, %llu clips, %llu pending, "
           "last recovery closed %llu, removed %llu\n",
           partials_seen, (unsigned long long)ss.clips, (unsigned long long)ss.pending,
           (unsigned long long)ss.partial_closed, (unsigned long long)ss.partial_removed);
    porch_spool_close(s);
    CHECK(hubfix_count(f->spool, ".partial") == 0);
    CHECK(hubfix_count(f->spool, ".tail") == 0);
    CHECK(hubfix_count(f->dir, ".tmp") == 0);
    CHECK(ss.clips >= 5);
    /* Every partial a kill left was dealt with by a restart, loudly: the
     * hub's log names each one closed or removed. */
    CHECK(hubfix_grep(log, "interrupted clip") + ss.partial_closed + ss.partial_removed >=
          partials_seen);
    /* A partial can be removed only with its torn header (a kill inside
     * one 1 KiB write); that too is reported, and counted above. */
    printf("removed with a report: %zu\n", hubfix_grep(log, "could not be closed"));
    check_all_clips(f, f->spool, &n);
    CHECK(n == ss.clips);
    check_all_clips(f, f->up, &n);
    CHECK(n >= hubfix_count(f->spool, ".up"));
}

/* Three clips from one file, no uploader; then limits on the same spool. */
static void spool_full(struct hubfix *f, const char *video)
{
    char cams[1024], names[3][PORCH_SPOOL_NAME_BYTES], path[1200];
    porch_spool *s = NULL;
    porch_spool_stats ss;
    uint64_t sz[3];
    struct stat st;
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f->conf, "--once",
                     NULL };

    snprintf(f->spool, sizeof f->spool, "%s/spool2", f->dir);
    snprintf(cams, sizeof cams, "[camera back]\nurl = %s\npreroll = 1\npostroll = 0.5\n", video);
    hubfix_config(f, "", NULL, cams);
    snprintf(path, sizeof path, "%s/hub2.log", f->dir);
    CHECK(hubfix_wait(hubfix_spawn(argv, path), 60) == 0);
    CHECK_OK(porch_spool_open(&s, f->spool, (uint64_t)1 << 30, log_fn, NULL));
    for (int i = 0; i < 3; i++) {
        CHECK(porch_spool_next_pending(s, i ? names[i - 1] : NULL, names[i]) == 1);
        CHECK_OK(porch_spool_clip_path(s, names[i], path, sizeof path));
        sz[i] = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    }
    porch_spool_close(s);
    /* Uploaded: 0 and 2. Room for two clips: the oldest uploaded (0) goes. */
    CHECK_OK(porch_spool_open(&s, f->spool, (uint64_t)1 << 30, log_fn, NULL));
    CHECK_OK(porch_spool_mark_uploaded(s, names[0]));
    CHECK_OK(porch_spool_mark_uploaded(s, names[2]));
    porch_spool_close(s);
    n_dropped_reports = 0;
    CHECK_OK(porch_spool_open(&s, f->spool, sz[1] + sz[2] + 16, log_fn, NULL));
    porch_spool_get_stats(s, &ss);
    CHECK(ss.evicted_uploaded == 1 && ss.dropped_pending == 0 && ss.clips == 2);
    porch_spool_close(s);
    /* Room for one: the newer but uploaded 2 goes before the older pending 1. */
    CHECK_OK(porch_spool_open(&s, f->spool, sz[1] + 16, log_fn, NULL));
    porch_spool_get_stats(s, &ss);
    CHECK(ss.evicted_uploaded == 1 && ss.dropped_pending == 0 && ss.clips == 1 && ss.pending == 1);
    porch_spool_close(s);
    CHECK(n_dropped_reports == 0);
    /* Room for none: the pending clip must go, and it is reported. */
    CHECK_OK(porch_spool_open(&s, f->spool, 16, log_fn, NULL));
    porch_spool_get_stats(s, &ss);
    CHECK(ss.dropped_pending == 1 && ss.clips == 0);
    porch_spool_close(s);
    CHECK(n_dropped_reports == 1);
}

int main(void)
{
    struct hubfix f;
    char video[700];

    av_log_set_level(AV_LOG_ERROR);
    hubfix_init(&f);
    snprintf(video, sizeof video, "%s/short.mp4", f.dir);
    /* 6 s at 15 fps, a keyframe each second, motion from 2 s to 4 s. */
    REQUIRE(hubfix_video(video, 320, 240, 15, 15, 6, 2, 4) == 0);
    kill_points(&f, video);
    snprintf(video, sizeof video, "%s/three.mp4", f.dir);
    REQUIRE(hubfix_video(video, 160, 120, 15, 15, 2, 0.5, 0.8) == 0);
    {
        /* Three events: concatenate three copies with ffmpeg's concat. */
        char list[800], out[700], text[2400];
        snprintf(list, sizeof list, "%s/list.txt", f.dir);
        snprintf(text, sizeof text, "file '%s'\nfile '%s'\nfile '%s'\n", video, video, video);
        FILE *fp = fopen(list, "w");
        REQUIRE(fp && fputs(text, fp) >= 0 && fclose(fp) == 0);
        snprintf(out, sizeof out, "%s/three3.mp4", f.dir);
        char *argv[] = { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "concat",
                         "-safe", "0", "-i", list, "-c", "copy", out, NULL };
        REQUIRE(hubfix_wait(hubfix_spawn(argv, NULL), 60) == 0);
        spool_full(&f, out);
    }
    hubfix_free(&f);
    return CHECK_DONE();
}
