/*
 * test_hub_server.c: the real porchlight-hub uploading to the real
 * porchlight-server on loopback.
 *
 * 1. Live: while an event is still being recorded (no .clip yet), its
 *    sealed notice is already on the server, naming the clip.
 * 2. Outage: the server is down for PORCH_HUB_OUTAGE_S seconds (default 12;
 *    CI runs 120 in the normal build) while two cameras have several events
 *    each; halfway the hub is killed with -9 in the middle of an event and
 *    started again. Nothing reaches the server meanwhile; every event's
 *    notice waits in the spool. The server comes back; `--once` must drain
 *    the queue and exit 0.
 * 3. Replay: a notice already delivered is put back into the spool (what a
 *    crash between the server's answer and the removal leaves) and the hub
 *    delivers it again: the server takes it as a retry.
 * Then every clip the spool finished is on the server byte for byte (the
 * blob the owner fetches is the spool's file), and each is named by
 * exactly one sealed notice that the owner opens; no notice is doubled.
 * Skips (77) until both programs are built.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/client.h"
#include "porchlight/file.h"
#include "porchlight/hub_spool.h"
#include "porchlight/clip_meta.h"
#include "porchlight/notice.h"
#include "../client/server_proc.h"

#define MAX_CLIPS 256

static struct hubfix f;
static struct server_proc srv;
static uint8_t server_pk[32];
static pid_t hub_pid = -1;

/* A hub we started must not outlive the test (a --once hub would wait for
 * a server that never comes back). */
static void kill_hub(void)
{
    if (hub_pid > 0) {
        kill(hub_pid, SIGKILL);
        waitpid(hub_pid, NULL, 0);
        hub_pid = -1;
    }
}

static void on_signal(int sig)
{
    if (hub_pid > 0)
        kill(hub_pid, SIGKILL);
    if (srv.pid > 0)
        kill(srv.pid, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int wait_hub(int timeout_s)
{
    int st = hubfix_wait(hub_pid, timeout_s);

    hub_pid = -1;
    return st;
}

static porch_client *client_as(const porch_device_secret *dev)
{
    porch_client_config cfg = {.base_url = srv.url, .server_pk = server_pk, .device = dev,
                               .household = porch_roster_household(f.hh.roster)};
    porch_client *c = NULL;
    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

static void create_household(void)
{
    porch_client_config cfg = {.base_url = srv.url};
    porch_client *anon = NULL;
    uint8_t *enc = NULL;
    size_t len = 0;

    REQUIRE(porch_client_new(&anon, &cfg) == PORCH_OK);
    REQUIRE(porch_client_server_info(anon, server_pk, NULL, 0) == PORCH_OK);
    REQUIRE(porch_roster_encode(f.hh.roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_client_household_create(anon, enc, len, NULL, NULL) == PORCH_OK);
    free(enc);
    porch_client_free(anon);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
    double d = t - now_s();

    if (d > 0)
        sleep_ms((int)(d * 1000));
}

/* A static scene with a moving patch during each [m[2i], m[2i+1]). */
static void video_events(const char *path, double dur, const double *m, size_t n)
{
    char src0[128], filt[2048], en[1536] = "";
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(en + k, sizeof en - k, "%sbetween(t,%.3f,%.3f)", i ? "+" : "",
                              m[2 * i], m[2 * i + 1]);
    REQUIRE(k < sizeof en);
    snprintf(src0, sizeof src0, "color=c=0x606060:s=320x240:r=15:d=%.3f", dur);
    snprintf(filt, sizeof filt,
             "[0][1]overlay=x='32+40*mod(t,2)':y=80:enable='%s':shortest=1", en);
    char *argv[] = { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                     src0, "-f", "lavfi", "-i", "testsrc=s=64x60:r=15", "-filter_complex", filt,
                     "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "15",
                     "-x264-params", "keyint=15:min-keyint=15:scenecut=0", "-pix_fmt",
                     "yuv420p", (char *)path, NULL };
    REQUIRE(hubfix_wait(hubfix_spawn(argv, NULL), 120) == 0);
}

/* Events every `period` s from `first`, 1.2 s each, and one ending at the
 * end of the video (where the test kills the hub). */
static size_t event_windows(double dur, double first, double period, double *m)
{
    size_t n = 0;

    for (double t = first; t + 1.2 < dur - 2.5 && n < 30; t += period, n++) {
        m[2 * n] = t;
        m[2 * n + 1] = t + 1.2;
    }
    m[2 * n] = dur - 1.6;
    m[2 * n + 1] = dur - 0.05;
    return n + 1;
}

static void config(const char *cams)
{
    char server[256], key_hex[65];

    sodium_bin2hex(key_hex, sizeof key_hex, server_pk, 32);
    snprintf(server, sizeof server, "%s\nserver_key = %s", srv.url, key_hex);
    hubfix_config(&f, "", server, cams);
}

static void spawn_hub(const char *log)
{
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f.conf, "--once",
                     NULL };

    hub_pid = hubfix_spawn(argv, log);
}

/* How many times `what` occurs in the file at path (0 if unreadable). */
static size_t count_in_file(const char *path, const char *what)
{
    uint8_t *buf = NULL;
    size_t len = 0, n = 0;

    if (porch_file_read(path, (size_t)64 << 20, &buf, &len) != PORCH_OK)
        return 0;
    for (size_t i = 0, k = strlen(what); k && i + k <= len; i++)
        n += memcmp(buf + i, what, k) == 0;
    free(buf);
    return n;
}

/* The clip refs of every notice the owner opens. */
static size_t notice_refs(porch_client *owner, uint8_t (*refs)[16], size_t cap)
{
    porch_notice_list nl;
    size_t n = 0;

    CHECK_OK(porch_client_notices_list(owner, 0, 1000, &nl));
    for (size_t i = 0; i < nl.n; i++) {
        porch_clip_meta *meta = NULL;
        porch_clip_info info;
        int ok = porch_notice_open(&meta, &info, nl.items[i].data, nl.items[i].len,
                                   f.hh.owner, f.hh.roster) == PORCH_OK;
        CHECK(ok);
        if (ok && meta->has_clip_ref && n < cap)
            memcpy(refs[n++], meta->clip_ref, 16);
        porch_meta_free(meta);
    }
    CHECK(nl.n < 1000);
    porch_notice_list_free(&nl);
    return n;
}

/* Each .clip in the spool must be on the server with the same bytes; their
 * ids go to ids. */
static size_t check_clips_on_server(porch_client *viewer, uint8_t (*ids)[16])
{
    DIR *d = opendir(f.spool);
    struct dirent *e;
    size_t n_clips = 0;

    REQUIRE(d != NULL);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".clip") != 0 || n_clips == MAX_CLIPS)
            continue;
        char path[1200];
        uint8_t *local = NULL, *remote = NULL;
        size_t llen = 0, rlen = 0;
        snprintf(path, sizeof path, "%s/%s", f.spool, e->d_name);
        REQUIRE(porch_file_read(path, 1u << 28, &local, &llen) == PORCH_OK);
        REQUIRE(sodium_hex2bin(ids[n_clips], 16, e->d_name + 17, 32, NULL, NULL, NULL) == 0);
        CHECK_OK(porch_client_clip_get(viewer, ids[n_clips], &remote, &rlen));
        CHECK(rlen == llen && remote && memcmp(remote, local, llen) == 0);
        free(local);
        free(remote);
        n_clips++;
    }
    closedir(d);
    return n_clips;
}

/* Exactly one notice per clip, and no notice named twice. */
static void check_one_notice_each(porch_client *owner, size_t *n_clips, size_t *n_notices)
{
    static uint8_t ids[MAX_CLIPS][16], refs[4 * MAX_CLIPS][16];
    size_t nc = check_clips_on_server(owner, ids);
    size_t nn = notice_refs(owner, refs, 4 * MAX_CLIPS), bad = 0;

    for (size_t i = 0; i < nc; i++) {
        size_t named = 0;
        for (size_t k = 0; k < nn; k++)
            named += memcmp(refs[k], ids[i], 16) == 0;
        bad += named != 1;
    }
    for (size_t i = 0; i < nn; i++)
        for (size_t k = i + 1; k < nn; k++)
            bad += memcmp(refs[i], refs[k], 16) == 0;
    CHECK(bad == 0);
    *n_clips = nc;
    *n_notices = nn;
}

/* 1: the notice is on the server while its event is still being recorded. */
static void live_notice(porch_client *owner, const char *dir)
{
    static uint8_t refs[8][16];
    char video[700], log[700];
    size_t seen = 0;
    int clips_then = -1, partials_then = -1;

    snprintf(video, sizeof video, "%s/live.mp4", dir);
    REQUIRE(hubfix_video(video, 320, 240, 15, 15, 7, 1, 6) == 0);
    char cams[1024];
    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\nrealtime = yes\npreroll = 1\npostroll = 0.5\n", video);
    config(cams);
    snprintf(log, sizeof log, "%s/hub-live.log", dir);
    spawn_hub(log);
    for (int i = 0; i < 120 && seen == 0; i++) {
        sleep_ms(50);
        seen = notice_refs(owner, refs, 8);
        if (seen) {
            clips_then = (int)hubfix_count(f.spool, ".clip");
            partials_then = (int)hubfix_count(f.spool, ".partial");
        }
    }
    printf("live: notice on the server with %d clips and %d being written\n", clips_then,
           partials_then);
    CHECK(seen == 1 && clips_then == 0 && partials_then == 1);
    CHECK(wait_hub(60) == 0);
}

/* 2: the outage, with a kill -9 halfway. Returns a delivered-later notice. */
static void outage(double outage_s, const char *dir, uint8_t **saved, size_t *saved_len,
                   char *saved_name)
{
    char front[700], back[700], log[700], name[PORCH_SPOOL_NAME_BYTES];
    double mf[64], mb[64], d = outage_s / 2, t0;
    size_t nf, nb;

    snprintf(front, sizeof front, "%s/front.mp4", dir);
    snprintf(back, sizeof back, "%s/back.mp4", dir);
    nf = event_windows(d, 1, d < 20 ? 3 : 10, mf);
    nb = event_windows(d, 1.8, d < 20 ? 3 : 10, mb);
    video_events(front, d, mf, nf);
    video_events(back, d, mb, nb);
    char cams[2048];
    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\nrealtime = yes\npreroll = 1\npostroll = 0.5\n\n"
             "[camera back]\nurl = %s\nrealtime = yes\npreroll = 1\npostroll = 0.5\n",
             front, back);
    config(cams);
    snprintf(log, sizeof log, "%s/hub.log", dir);
    printf("outage: %.0f s; %zu + %zu events per run on two cameras, two runs\n", outage_s, nf,
           nb);

    server_stop(&srv);
    t0 = now_s();
    spawn_hub(log);
    /* Kill inside the last event of both cameras (from d - 1.6 s of the
     * video). The hub's start (the key's passphrase hash) can take seconds on
     * a loaded machine and its realtime clock starts after it, so the video's
     * clock is read from the spool: front's first clip opens when its first
     * event starts (mf[0] into the video). Then both must be recording. */
    for (int i = 0; i < 3000 && hubfix_count(f.spool, ".partial") == 0; i++)
        sleep_ms(20);
    sleep_until(now_s() + (d - 0.7) - mf[0]);
    for (int i = 0; i < 1500 && hubfix_count(f.spool, ".partial") < 2; i++)
        sleep_ms(20);
    CHECK(hubfix_count(f.spool, ".partial") >= 1);
    kill(hub_pid, SIGKILL);
    CHECK(wait_hub(10) == 128 + SIGKILL);
    /* A notice the server will receive later: put back after delivery. */
    porch_spool *s = NULL;
    REQUIRE(porch_spool_open(&s, f.spool, (uint64_t)1 << 30, NULL, NULL) == PORCH_OK);
    CHECK(porch_spool_next_notice(s, NULL, name) == 1);
    CHECK_OK(porch_spool_notice_read(s, name, saved, saved_len));
    porch_spool_close(s);
    memcpy(saved_name, name, sizeof name);
    spawn_hub(log);
    sleep_until(t0 + outage_s);
    /* Both cameras must have reached the end of their files before the
     * queue is counted: on a loaded machine the realtime hub can be seconds
     * behind the wall clock (the server stays down meanwhile). */
    for (int i = 0; i < 1200 && count_in_file(log, "end of input") < 2; i++)
        sleep_ms(100);
    size_t clips = hubfix_count(f.spool, ".clip"), notices = hubfix_count(f.spool, ".notice");
    printf("after %.0f s away: %zu clips and %zu notices queued, %zu uploaded\n",
           now_s() - t0, clips, notices, hubfix_count(f.spool, ".up"));
    CHECK(hubfix_count(f.spool, ".up") == 1); /* the live phase's clip only */
    CHECK(clips >= 1 + 2 * (nf + nb) - 2 && notices >= clips - 1);
    server_restart(&srv);
    CHECK(wait_hub(120 + (int)d) == 0); /* --once: drained, then exits */
    printf("drained %.0f s after the server came back\n", now_s() - t0 - outage_s);
    CHECK(hubfix_count(f.spool, ".up") == hubfix_count(f.spool, ".clip"));
    CHECK(hubfix_count(f.spool, ".notice") == 0);
}

/* 3: a delivered notice back in the queue is delivered again, as a retry. */
static void replay(const char *dir, const uint8_t *saved, size_t saved_len, const char *name)
{
    char still[700], log[700], path[1200];

    snprintf(still, sizeof still, "%s/still.mp4", dir);
    REQUIRE(hubfix_video(still, 160, 120, 15, 15, 1, 5, 6) == 0); /* no event */
    char cams[1024];
    snprintf(cams, sizeof cams, "[camera front]\nurl = %s\n", still);
    config(cams);
    snprintf(path, sizeof path, "%s/%s.notice", f.spool, name);
    REQUIRE(porch_file_write_atomic(path, saved, saved_len, 0600) == PORCH_OK);
    snprintf(log, sizeof log, "%s/hub-replay.log", dir);
    spawn_hub(log);
    CHECK(wait_hub(60) == 0);
    CHECK(hubfix_count(f.spool, ".notice") == 0);
    CHECK(hubfix_grep(log, "delivered") == 1);
}

static double outage_seconds(void)
{
    const char *e = getenv("PORCH_HUB_OUTAGE_S");
    double v = e ? atof(e) : 12;

    return v < 8 ? 8 : v > 1800 ? 1800 : v;
}

int main(void)
{
    double outage_s = outage_seconds();
    uint8_t *saved = NULL;
    size_t saved_len = 0, n_clips = 0, n_notices = 0;
    char saved_name[PORCH_SPOOL_NAME_BYTES] = "";

    REQUIRE(porch_init() == PORCH_OK);
    alarm((unsigned)(3 * outage_s) + 240);
    if (!hubfix_have("ffmpeg"))
        return 77;
    server_start(&srv);
    char *hub_bin = hubfix_bin("hub/porchlight-hub");
    if (access(hub_bin, X_OK) != 0)
        return 77;
    atexit(kill_hub);
    signal(SIGALRM, on_signal);
    signal(SIGTERM, on_signal);
    hubfix_init(&f);
    create_household();
    porch_client *owner = client_as(f.hh.owner); /* sees both cameras */

    live_notice(owner, f.dir);
    outage(outage_s, f.dir, &saved, &saved_len, saved_name);
    check_one_notice_each(owner, &n_clips, &n_notices);
    printf("%zu clips on the server byte for byte, %zu notices, one per clip\n", n_clips,
           n_notices);
    replay(f.dir, saved, saved_len, saved_name);
    size_t again = n_notices;
    check_one_notice_each(owner, &n_clips, &again);
    CHECK(again == n_notices);
    porch_client_free(owner);
    free(saved);
    if (check_failures_)
        fprintf(stderr, "hub logs in %s (PORCH_KEEP_TEST_DIR=1 keeps them)\n", f.dir);
    server_cleanup(&srv);
    hubfix_free(&f);
    return CHECK_DONE();
}
