/*
 * test_hub_badinput.c: bad configuration and bad cameras.
 *
 * Configuration: each mistake gives PORCH_ERR_HUB_CONFIG and one line
 * naming the file, the line, the camera (when in a camera section) and the
 * problem; the program exits 3 with it. Cameras: a truncated file, H.264
 * with bytes flipped, a missing file, a refused RTSP URL and a camera the
 * roster does not let this hub record run beside a good camera: each
 * trouble is reported naming its camera, and the good camera records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavutil/log.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/file.h"
#include "porchlight/hub.h"

static int logged(const char *camera, const char *needle)
{
    char *line, *save = NULL, *copy;
    int found = 0;

    copy = hubfix_log_copy();
    for (line = strtok_r(copy, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save))
        found = strstr(line, camera) && strstr(line, needle);
    free(copy);
    return found;
}

#define HUB "[hub]\nkey = k\npassphrase_file = p\nowner = o\nroster = r\nspool = s\n"

static void bad_config(const char *text, const char *want1, const char *want2)
{
    porch_hub_config *cfg = NULL;
    char err[512];

    CHECK_ERR(porch_hub_config_parse(&cfg, text, strlen(text), "hub.conf", err, sizeof err),
              PORCH_ERR_HUB_CONFIG);
    CHECK(cfg == NULL);
    CHECK(strstr(err, want1) != NULL);
    CHECK(strstr(err, want2) != NULL);
    if (!strstr(err, want1) || !strstr(err, want2))
        fprintf(stderr, "  message was: %s\n", err);
}

static void configs(void)
{
    porch_hub_config *cfg = NULL;
    char err[512], big[6000];
    const char *good = HUB "spool_limit = 2G\nserver = http://127.0.0.1:1\nserver_key = "
                           "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                           "[camera front]\nurl = rtsp://127.0.0.1/a\nanalysis_url = x\n"
                           "rtsp_transport = udp\npreroll = 2.5s\npostroll = 500ms\n"
                           "retention = 7d\nloop = yes\nrealtime = no\nfast_decode = no\nzone = 0,0 1,1\n"
                           "mask = 1,1 2,2\n# comment\n\n[camera back]\nurl = b.mp4\n";

    CHECK_OK(porch_hub_config_parse(&cfg, good, strlen(good), "hub.conf", err, sizeof err));
    if (cfg) {
        const porch_hub_camera_config *c = porch_hub_config_camera(cfg, "front");
        CHECK(cfg->n_cameras == 2 && cfg->spool_limit == (uint64_t)2 << 30);
        CHECK(c && c->preroll_us == 2500000 && c->postroll_us == 500000);
        CHECK(c && c->rtsp_transport == PORCH_RTSP_UDP && c->loop && !c->realtime);
        CHECK(c && !c->fast_decode && porch_hub_config_camera(cfg, "back")->fast_decode); /* default yes */
        CHECK(c && c->retention_s == 7 * 86400 && c->n_analysis == 2);
        CHECK(c && !strcmp(c->analysis[1].key, "mask") && !strcmp(c->analysis[1].value, "1,1 2,2"));
        CHECK(c && c->analysis[0].line == 20);
        c = porch_hub_config_camera(cfg, "back");
        CHECK(c && c->preroll_us == PORCH_HUB_DEFAULT_PREROLL_US);
        porch_hub_config_free(cfg);
    }
    bad_config(HUB "[camera front]\npreroll = soon\n", "hub.conf:8: camera 'front'",
               "preroll: not a duration");
    bad_config(HUB "[camera front]\npreroll = 90\n", "camera 'front'", "more than 60 s");
    bad_config(HUB "[camera front]\nzone = 1\n[camera back]\nurl = x\n", "hub.conf:9: camera 'front'",
               "no url");
    bad_config(HUB "[camera front]\nurl = a\n[camera front]\nurl = b\n", "hub.conf:9",
               "defined twice");
    bad_config(HUB "[camera front]\nurl = a\nrtsp_transport = sctp\n", "camera 'front'",
               "neither tcp nor udp");
    bad_config(HUB "[camera bad name!]\nurl = a\n", "hub.conf:7", "not a valid camera id");
    bad_config(HUB "[cameras]\n", "hub.conf:7", "unknown section");
    bad_config("url = x\n" HUB, "hub.conf:1", "outside a section");
    bad_config("[hub]\nkey = k\n[camera a]\nurl = x\n", "hub.conf", "needs key, owner, roster");
    bad_config(HUB, "hub.conf", "no [camera NAME]");
    bad_config(HUB "spool_limit = lots\n[camera a]\nurl = x\n", "hub.conf:7", "spool_limit");
    bad_config(HUB "colour = red\n[camera a]\nurl = x\n", "hub.conf:7", "unknown key 'colour'");
    bad_config(HUB "server = http://127.0.0.1:1\n[camera a]\nurl = x\n", "hub.conf",
               "needs server_key");
    bad_config(HUB "server_key = 12\n[camera a]\nurl = x\n", "hub.conf:7", "64 hex digits");
    bad_config(HUB "[camera a]\nurl = x\nloop = maybe\n", "camera 'a'", "loop: want yes or no");
    bad_config(HUB "[camera a]\nurl = x\nfast_decode = 2\n", "camera 'a'",
               "fast_decode: want yes or no");
    bad_config(HUB "[camera a\nurl = x\n", "hub.conf:7", "closing ']'");
    bad_config(HUB "[camera a]\nurl\n", "hub.conf:8: camera 'a'", "expected key = value");
    bad_config(HUB "[camera a]\nurl = x\ntrigger = magic\n", "hub.conf:9: camera 'a'",
               "neither detect nor motion-diff");
    bad_config(HUB "detect_threads = 0\n[camera a]\nurl = x\n", "hub.conf:7", "detect_threads");
    bad_config(HUB "detect_threads = 1.5\n[camera a]\nurl = x\n", "hub.conf:7", "1..64");
    memset(big, 'x', sizeof big);
    memcpy(big, "[hub]\nkey = ", 12);
    big[sizeof big - 1] = '\0';
    bad_config(big, "hub.conf:2", "line longer than");
    CHECK_ERR(porch_hub_config_parse(&cfg, "[hub]\0x", 7, "hub.conf", err, sizeof err),
              PORCH_ERR_HUB_CONFIG);
    CHECK(strstr(err, "NUL") != NULL);
    CHECK_ERR(porch_hub_config_load(&cfg, "/nonexistent/hub.conf", err, sizeof err), PORCH_ERR_IO);
    CHECK(strstr(err, "/nonexistent/hub.conf") != NULL);
}

static void program(struct hubfix *f)
{
    char log[700], bad[700];
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", bad, NULL };

    snprintf(log, sizeof log, "%s/prog.log", f->dir);
    snprintf(bad, sizeof bad, "%s/bad.conf", f->dir);
    const char *text = HUB "[camera porch]\npostroll = x\n";
    CHECK_OK(porch_file_write_atomic(bad, (const uint8_t *)text, strlen(text), 0600));
    CHECK(hubfix_wait(hubfix_spawn(argv, log), 30) == 3);
    CHECK(hubfix_grep(log, "bad.conf:8: camera 'porch': postroll: not a duration") == 1);
    snprintf(bad, sizeof bad, "%s/none.conf", f->dir);
    CHECK(hubfix_wait(hubfix_spawn(argv, log), 30) == 3);
    CHECK(hubfix_grep(log, "none.conf: cannot read the configuration") == 1);
}

static void flip_bytes(const char *path, size_t every)
{
    uint8_t *buf = NULL;
    size_t len = 0;

    REQUIRE(porch_file_read(path, 1 << 26, &buf, &len) == PORCH_OK);
    for (size_t i = len / 3; i < len; i += every)
        buf[i] ^= 0x5a;
    REQUIRE(porch_file_write_atomic(path, buf, len, 0600) == PORCH_OK);
    free(buf);
}

static void truncate_half(const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;

    REQUIRE(porch_file_read(path, 1 << 26, &buf, &len) == PORCH_OK);
    REQUIRE(porch_file_write_atomic(path, buf, len / 2, 0600) == PORCH_OK);
    free(buf);
}

static void to_ts(const char *mp4, const char *ts)
{
    char *argv[] = { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", (char *)mp4,
                     "-c", "copy", "-f", "mpegts", (char *)ts, NULL };
    REQUIRE(hubfix_wait(hubfix_spawn(argv, NULL), 60) == 0);
}

static int done(porch_hub *h)
{
    porch_hub_camera_stats a, b, c;

    porch_hub_get_camera_stats(h, "good", &a);
    porch_hub_get_camera_stats(h, "trunc", &b);
    porch_hub_get_camera_stats(h, "corrupt", &c);
    if (a.running || b.running || c.running)
        return 0;
    /* The failing cameras keep retrying (backoff 0.5, 1, 2 s ...). */
    porch_hub_get_camera_stats(h, "missing", &a);
    porch_hub_get_camera_stats(h, "wrongurl", &b);
    return a.failures >= 2 && b.failures >= 2;
}

static void cameras(struct hubfix *f)
{
    char good[700], trunc[700], corrupt[700], cams[4096];
    porch_scope scope;
    porch_device_secret *hub2 = test_device("hub2", 9);
    porch_hub_config *cfg = NULL;
    porch_hub *h = NULL;
    porch_hub_opts o;
    porch_hub_camera_stats st;
    struct clipview v[16];
    const char *names[] = { "good", "trunc", "corrupt", "missing", "wrongurl" };

    memset(&scope, 0, sizeof scope);
    for (int i = 0; i < 5; i++)
        snprintf(scope.cameras[scope.n_cameras++], sizeof scope.cameras[0], "%s", names[i]);
    REQUIRE(porch_roster_add(f->hh.roster, f->hh.owner, porch_device_public_of(hub2),
                             PORCH_ROLE_HUB, &scope, 2000) == PORCH_OK);
    snprintf(good, sizeof good, "%s/good.mp4", f->dir);
    REQUIRE(hubfix_video(good, 320, 240, 15, 15, 6, 2, 4) == 0);
    snprintf(trunc, sizeof trunc, "%s/trunc.ts", f->dir);
    snprintf(corrupt, sizeof corrupt, "%s/corrupt.ts", f->dir);
    to_ts(good, trunc);
    to_ts(good, corrupt);
    truncate_half(trunc);
    flip_bytes(corrupt, 97);
    snprintf(cams, sizeof cams,
             "[camera good]\nurl = %s\npreroll = 1\npostroll = 0.5\n"
             "[camera trunc]\nurl = %s\npreroll = 1\n"
             "[camera corrupt]\nurl = %s\npreroll = 1\n"
             "[camera missing]\nurl = %s/no-such-file.mp4\n"
             "[camera wrongurl]\nurl = rtsp://127.0.0.1:9/nothing\n"
             "[camera stranger]\nurl = %s\n",
             good, trunc, corrupt, f->dir, good);
    hubfix_config(f, "", NULL, cams);
    hubfix_opts(f, &cfg, hub2, &o);
    REQUIRE(porch_hub_start(&h, &o) == PORCH_OK);
    for (int i = 0; i < 1200 && !done(h); i++) {
        struct timespec ts = { 0, 50000000 };
        nanosleep(&ts, NULL);
    }
    CHECK_OK(porch_hub_get_camera_stats(h, "good", &st));
    CHECK(st.clips == 1 && st.decode_errors == 0);
    CHECK_OK(porch_hub_get_camera_stats(h, "corrupt", &st));
    printf("corrupt: %llu packets, %llu decode errors, %llu clips\n",
           (unsigned long long)st.packets, (unsigned long long)st.decode_errors,
           (unsigned long long)st.clips);
    CHECK(st.packets > 0 && !st.running);
    CHECK_OK(porch_hub_get_camera_stats(h, "missing", &st));
    CHECK(st.failures >= 2 && st.connects == 0 && st.running);
    CHECK_OK(porch_hub_get_camera_stats(h, "wrongurl", &st));
    CHECK(st.failures >= 2 && st.connects == 0);
    porch_hub_free(h);
    CHECK(logged("missing:", "stream unavailable"));
    CHECK(logged("wrongurl:", "stream unavailable"));
    CHECK(logged("stranger:", "not recorded: the roster does not make this hub a hub"));
    CHECK(logged("trunc:", "end of input"));
    size_t n = hubfix_clips(f, f->spool, v, 16), good_clips = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(v[i].framing_ok && v[i].opened);
        good_clips += !strcmp(v[i].camera, "good") && v[i].media_ok && v[i].st.first_is_key;
    }
    CHECK(good_clips == 1);
    CHECK(hubfix_count(f->spool, ".partial") == 0);
    if (check_failures_)
        hubfix_log_dump();
    porch_device_free(hub2);
    porch_hub_config_free(cfg);
}

int main(void)
{
    struct hubfix f;

    av_log_set_level(AV_LOG_QUIET);
    hubfix_init(&f);
    configs();
    program(&f);
    cameras(&f);
    hubfix_free(&f);
    return CHECK_DONE();
}
