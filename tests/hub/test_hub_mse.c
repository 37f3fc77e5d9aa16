/*
 * test_hub_mse.c: the hub's event clips play in Chromium's Media Source
 * Extensions, which is stricter about fragment structure than FFmpeg.
 *
 * The real porchlight-hub records event clips from real footage
 * ($PORCH_MEDIA_DIR/vtest.mp4, from Debian's opencv-doc; else a synthetic
 * scene) into its spool; each clip is opened with the owner's key into an
 * fMP4 and served from loopback (tests/hub/mse_server.py) with
 * tests/hub/mse_play.html, which headless Chromium loads: the codec string
 * (avc1.PPCCLL, from the clip's avcC) must be supported, the init segment
 * and every fragment (split at each moof) append without a SourceBuffer
 * error, the buffered range is one range covering the clip's duration
 * within a frame, playback advances and the picture size is the clip's.
 * Chromium (Debian's `chromium`, scripts/deps.sh) runs in its own process
 * group with a temporary profile and is killed, with the server, on every
 * path. Skips (77) only where chromium or ffmpeg is not installed.
 */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "hubfix.h"
#include "porchlight/clip.h"
#include "porchlight/file.h"
#include "porchlight/hub_spool.h"

#define MAX_CLIPS 3
#define CHROMIUM_TIMEOUT_MS 60000

extern char **environ;

static pid_t server_pid = -1, browser_pid = -1;

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Kills a process group we started and reaps its leader. */
static void stop_group(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(-*pid, SIGTERM);
    if (hubfix_wait(*pid, 5) < 0)
        kill(-*pid, SIGKILL);
    kill(-*pid, SIGKILL); /* stragglers (renderer, zygote) of a leader that exited */
    *pid = -1;
}

static void cleanup(void)
{
    stop_group(&browser_pid);
    stop_group(&server_pid);
}

static void on_alarm(int sig)
{
    (void)sig;
    if (browser_pid > 0)
        kill(-browser_pid, SIGKILL);
    if (server_pid > 0)
        kill(-server_pid, SIGKILL);
    _exit(1);
}

/* Like hubfix_spawn, in a new process group (so the whole tree can be killed). */
static pid_t spawn_group(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    pid_t pid = -1;

    REQUIRE(posix_spawn_file_actions_init(&fa) == 0 && posix_spawnattr_init(&at) == 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    REQUIRE(posix_spawnp(&pid, argv[0], &fa, &at, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return pid;
}

struct fmp4 {
    uint8_t *p;
    size_t len, cap, init_len;
};

static int take(void *ctx, const porch_record_info *ri, const uint8_t *p, size_t n)
{
    struct fmp4 *m = ctx;

    if (ri->kind == PORCH_RECORD_META)
        return 0;
    if (m->len + n > m->cap) {
        m->cap = (m->len + n) * 2;
        REQUIRE((m->p = realloc(m->p, m->cap)) != NULL);
    }
    memcpy(m->p + m->len, p, n);
    m->len += n;
    if (ri->kind == PORCH_RECORD_INIT)
        m->init_len = m->len;
    return 0;
}

/* Opens a spooled clip as the owner: the fMP4 (init segment + fragments). */
static int open_clip(struct hubfix *f, const char *path, struct fmp4 *m)
{
    uint8_t *clip = NULL;
    size_t len = 0;
    uint32_t bad = 0;
    porch_clip_key *key = NULL;
    int ret = porch_file_read(path, (size_t)1 << 30, &clip, &len);

    memset(m, 0, sizeof *m);
    if (ret == PORCH_OK)
        ret = porch_clip_key_unwrap(&key, clip, len, f->hh.owner);
    if (ret == PORCH_OK)
        ret = porch_clip_open_all(key, clip, len, take, m, &bad);
    porch_clip_key_free(key);
    free(clip);
    return ret;
}

/* "avc1.PPCCLL" from the avcC box of the init segment (ISO 14496-15: its
 * payload starts version, profile, profile compatibility, level). */
static int codec_string(const struct fmp4 *m, char out[32])
{
    for (size_t i = 4; i + 8 <= m->init_len; i++) {
        if (memcmp(m->p + i, "avcC", 4) || m->p[i + 4] != 1)
            continue;
        snprintf(out, 32, "avc1.%02x%02x%02x", m->p[i + 5], m->p[i + 6], m->p[i + 7]);
        return 0;
    }
    return -1;
}

static int start_server(const char *www, const char *log)
{
    const char *src = getenv("PORCH_SOURCE_DIR");
    char script[1024], line[256];
    int port = 0;

    snprintf(script, sizeof script, "%s/tests/hub/mse_server.py", src ? src : ".");
    char *argv[] = { "python3", script, (char *)www, NULL };
    server_pid = spawn_group(argv, log);
    for (int i = 0; i < 200 && port == 0; i++) {
        FILE *fp = fopen(log, "r");
        while (fp && fgets(line, sizeof line, fp))
            if (sscanf(line, "PORT %d", &port) == 1)
                break;
        if (fp)
            fclose(fp);
        if (port == 0)
            sleep_ms(50);
    }
    return port;
}

/* Loads the page for one clip; waits for its verdict (result.json). */
static char *play_in_chromium(const char *dir, const char *www, int port, const char *query,
                              int k)
{
    char url[1024], profile[800], log[800], result[800];
    uint8_t *text = NULL;
    size_t len = 0;

    snprintf(url, sizeof url, "http://127.0.0.1:%d/mse_play.html?%s", port, query);
    snprintf(profile, sizeof profile, "--user-data-dir=%s/chromium%d", dir, k);
    snprintf(log, sizeof log, "%s/chromium%d.log", dir, k);
    snprintf(result, sizeof result, "%s/result.json", www);
    unlink(result);
    char *argv[] = { "chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                     "--no-first-run", "--no-default-browser-check", "--mute-audio",
                     "--autoplay-policy=no-user-gesture-required", profile, url, NULL };
    browser_pid = spawn_group(argv, log);
    for (int t = 0; t < CHROMIUM_TIMEOUT_MS / 100; t++) {
        if (porch_file_read(result, 65536, &text, &len) == PORCH_OK)
            break;
        if (waitpid(browser_pid, NULL, WNOHANG) == browser_pid) {
            fprintf(stderr, "chromium ended without a verdict; its log: %s\n", log);
            browser_pid = -1;
            break;
        }
        sleep_ms(100);
    }
    stop_group(&browser_pid);
    if (!text) {
        fprintf(stderr, "no verdict from chromium for %s (log %s)\n", query, log);
        return NULL;
    }
    char *verdict = malloc(len + 1);
    REQUIRE(verdict != NULL);
    memcpy(verdict, text, len);
    verdict[len] = '\0';
    free(text);
    return verdict;
}

/* Records clips with the real hub (spool only) from footage. */
static size_t record(struct hubfix *f, const char *footage, const char *log)
{
    char cams[2048];
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f->conf, "--once",
                     NULL };

    snprintf(cams, sizeof cams,
             "[camera front]\nurl = %s\npreroll = 2\npostroll = 1\nmax_event = 12s\n", footage);
    hubfix_config(f, "", NULL, cams);
    CHECK(hubfix_wait(hubfix_spawn(argv, log), 240) == 0);
    return hubfix_count(f->spool, ".clip");
}

static void check_clip(struct hubfix *f, const char *www, int port, const char *name, int k)
{
    char path[1200], codec[32] = "", query[512];
    struct fmp4 m;
    porch_media_stats st;
    double fps, dur;

    snprintf(path, sizeof path, "%s/%s.clip", f->spool, name);
    CHECK_OK(open_clip(f, path, &m));
    REQUIRE(m.init_len > 0 && m.len > m.init_len);
    CHECK(codec_string(&m, codec) == 0);
    CHECK_OK(porch_media_probe(m.p, m.len, &st));
    snprintf(path, sizeof path, "%s/clip%d.mp4", www, k);
    REQUIRE(porch_file_write_atomic(path, m.p, m.len, 0600) == PORCH_OK);
    /* duration_us is the presentation span including the last frame's
     * duration, which is what MSE buffers. */
    REQUIRE(st.frames > 0 && st.duration_us > 0);
    fps = st.frames * 1e6 / (double)st.duration_us;
    dur = (double)st.duration_us / 1e6;
    snprintf(query, sizeof query, "clip=clip%d.mp4&codec=%s&w=%d&h=%d&dur=%.6f&fps=%.6f", k,
             codec, st.width, st.height, dur, fps);
    char *verdict = play_in_chromium(f->dir, www, port, query, k);
    printf("clip %s: %u frames, %dx%d, %.3f s, %s: %s\n", name, st.frames, st.width, st.height,
           dur, codec, verdict ? verdict : "(none)");
    CHECK(verdict != NULL);
    CHECK(verdict && strstr(verdict, "\"supported\":true") != NULL);
    CHECK(verdict && strstr(verdict, "\"ok\":true") != NULL);
    CHECK(verdict && strstr(verdict, "\"errors\":[]") != NULL);
    free(verdict);
    free(m.p);
}

int main(void)
{
    struct hubfix f;
    char footage[1200], www[700], log[700], page[1200];
    char names[MAX_CLIPS][PORCH_SPOOL_NAME_BYTES];
    const char *media = getenv("PORCH_MEDIA_DIR");
    porch_spool *s = NULL;
    size_t n;
    int port;

    REQUIRE(porch_init() == PORCH_OK);
    if (!hubfix_have("chromium") || !hubfix_have("ffmpeg") || !hubfix_have("python3")) {
        fprintf(stderr, "skip: needs chromium, ffmpeg and python3 (scripts/deps.sh)\n");
        return 77;
    }
    if (access(hubfix_bin("hub/porchlight-hub"), X_OK) != 0)
        return 77;
    atexit(cleanup);
    signal(SIGALRM, on_alarm);
    alarm(600);
    hubfix_init(&f);
    snprintf(footage, sizeof footage, "%s/vtest.mp4", media ? media : ".deps/media");
    if (access(footage, R_OK) != 0) {
        printf("no real footage at %s: a synthetic scene instead\n", footage);
        snprintf(footage, sizeof footage, "%s/scene.mp4", f.dir);
        REQUIRE(hubfix_video(footage, 320, 240, 15, 15, 8, 2, 5) == 0);
    }
    snprintf(log, sizeof log, "%s/hub.log", f.dir);
    n = record(&f, footage, log);
    CHECK(n >= 1);

    snprintf(www, sizeof www, "%s/www", f.dir);
    REQUIRE(mkdir(www, 0700) == 0);
    snprintf(page, sizeof page, "%s/tests/hub/mse_play.html",
             getenv("PORCH_SOURCE_DIR") ? getenv("PORCH_SOURCE_DIR") : ".");
    {
        uint8_t *html = NULL;
        size_t len = 0;
        REQUIRE(porch_file_read(page, 1 << 20, &html, &len) == PORCH_OK);
        snprintf(page, sizeof page, "%s/mse_play.html", www);
        REQUIRE(porch_file_write_atomic(page, html, len, 0600) == PORCH_OK);
        free(html);
    }
    snprintf(log, sizeof log, "%s/server.log", f.dir);
    REQUIRE((port = start_server(www, log)) > 0);

    REQUIRE(porch_spool_open(&s, f.spool, (uint64_t)1 << 30, NULL, NULL) == PORCH_OK);
    n = 0;
    while (n < MAX_CLIPS &&
           porch_spool_next_pending(s, n ? names[n - 1] : NULL, names[n]) == 1)
        n++;
    porch_spool_close(s);
    for (size_t k = 0; k < n; k++)
        check_clip(&f, www, port, names[k], (int)k);
    cleanup();
    if (check_failures_)
        fprintf(stderr, "kept for inspection: PORCH_KEEP_TEST_DIR=1 keeps %s\n", f.dir);
    hubfix_free(&f);
    return CHECK_DONE();
}
