/*
 * test_hub_rtsp.c: the hub against a real RTSP server on loopback
 * (gst-rtsp-server, tests/hub/rtsp_server.py), one camera over TCP and one
 * over UDP. Each records an event; the server is then killed (the hub
 * reports the loss and retries with backoff), started again on the same
 * port, and the hub reconnects and records again. Skips (77) without
 * python3-gi and gir1.2-gst-rtsp-server-1.0 (scripts/deps.sh installs them).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/hub.h"

#define PY "/usr/bin/python3"

extern char **environ;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static size_t n_lost;

static void log_fn(void *ctx, int level, const char *camera, const char *msg)
{
    (void)ctx;
    pthread_mutex_lock(&mu);
    n_lost += strstr(msg, "retrying in") != NULL;
    printf("  [%d] %s: %s\n", level, camera ? camera : "-", msg);
    fflush(stdout);
    pthread_mutex_unlock(&mu);
}

/* Starts the server; *port in: wanted (0 = any), out: bound. */
static pid_t server_start(const char *video, int *port)
{
    char script[1024], portarg[16], line[128];
    const char *src = getenv("PORCH_SOURCE_DIR");
    posix_spawn_file_actions_t fa;
    int fds[2];
    pid_t pid;

    snprintf(script, sizeof script, "%s/tests/hub/rtsp_server.py", src ? src : ".");
    snprintf(portarg, sizeof portarg, "%d", *port);
    char *argv[] = { PY, script, (char *)video, portarg, NULL };
    REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    REQUIRE(posix_spawn(&pid, PY, &fa, NULL, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    FILE *fp = fdopen(fds[0], "r");
    REQUIRE(fp && fgets(line, sizeof line, fp) && sscanf(line, "PORT %d", port) == 1);
    fclose(fp);
    return pid;
}

static void server_stop(pid_t pid)
{
    kill(pid, SIGTERM);
    if (hubfix_wait(pid, 10) < 0)
        fprintf(stderr, "server did not stop; killed\n");
}

static int wait_for(porch_hub *h, const char *cam, int (*ok)(const porch_hub_camera_stats *),
                    int timeout_s)
{
    porch_hub_camera_stats st;

    for (int i = 0; i < timeout_s * 10; i++) {
        porch_hub_get_camera_stats(h, cam, &st);
        if (ok(&st))
            return 1;
        struct timespec ts = { 0, 100000000 };
        nanosleep(&ts, NULL);
    }
    return 0;
}

static int one_clip(const porch_hub_camera_stats *s) { return s->clips >= 1; }
static int lost(const porch_hub_camera_stats *s) { return s->failures >= 1; }
static int two_clips(const porch_hub_camera_stats *s) { return s->clips >= 2 && s->connects >= 2; }

int main(void)
{
    struct hubfix f;
    char video[700], cams[2048], err[512];
    porch_hub_config *cfg = NULL;
    porch_device_secret *sec;
    porch_hub *h = NULL;
    porch_hub_opts o;
    struct clipview v[16];
    int port = 0;

    if (access(PY, X_OK) != 0 ||
        system(PY " -c \"import gi; gi.require_version('GstRtspServer','1.0')\" 2>/dev/null") != 0)
        SKIP("python3-gi / gir1.2-gst-rtsp-server-1.0 not installed (scripts/deps.sh)");
    av_log_set_level(AV_LOG_FATAL);
    hubfix_init(&f);
    snprintf(video, sizeof video, "%s/rtsp.mp4", f.dir);
    /* 12 s, motion from 2 s to 4 s: the server is killed mid-stream. */
    REQUIRE(hubfix_video(video, 320, 240, 15, 15, 12, 2, 4) == 0);
    pid_t srv = server_start(video, &port);
    snprintf(cams, sizeof cams,
             "[camera front]\nurl = rtsp://127.0.0.1:%d/cam\nrtsp_transport = tcp\n"
             "preroll = 1\npostroll = 0.5\n"
             "[camera back]\nurl = rtsp://127.0.0.1:%d/cam\nrtsp_transport = udp\n"
             "preroll = 1\npostroll = 0.5\n",
             port, port);
    hubfix_config(&f, "", NULL, cams);
    REQUIRE(porch_hub_config_load(&cfg, f.conf, err, sizeof err) == PORCH_OK);
    sec = test_device("hub", 3);
    memset(&o, 0, sizeof o);
    o.cfg = cfg;
    o.hub = sec;
    o.roster = f.hh.roster;
    o.log = log_fn;
    REQUIRE(porch_hub_start(&h, &o) == PORCH_OK);

    CHECK(wait_for(h, "front", one_clip, 30));
    CHECK(wait_for(h, "back", one_clip, 30));
    porch_hub_camera_stats st;
    porch_hub_get_camera_stats(h, "front", &st);
    CHECK(st.failures == 0); /* still streaming when the server goes */
    server_stop(srv);
    CHECK(wait_for(h, "front", lost, 30));
    CHECK(wait_for(h, "back", lost, 30));
    /* Back on the same port: the hub reconnects (backoff) and records again. */
    srv = server_start(video, &port);
    CHECK(wait_for(h, "front", two_clips, 60));
    CHECK(wait_for(h, "back", two_clips, 60));
    porch_hub_free(h);
    server_stop(srv);
    CHECK(n_lost >= 2);

    size_t n = hubfix_clips(&f, f.spool, v, 16), per[2] = { 0, 0 };
    CHECK(n >= 4);
    for (size_t i = 0; i < n; i++) {
        CHECK(v[i].framing_ok && v[i].opened && v[i].media_ok);
        CHECK(v[i].st.first_is_key && v[i].st.frames >= 15);
        per[!strcmp(v[i].camera, "back")]++;
        printf("clip %s camera %s: %u frames, lead %.2f s\n", v[i].name, v[i].camera,
               v[i].st.frames, v[i].first_label_ms / 1000.0);
    }
    CHECK(per[0] >= 2 && per[1] >= 2);
    porch_device_free(sec);
    porch_hub_config_free(cfg);
    hubfix_free(&f);
    return CHECK_DONE();
}
