/* hubfix.c: see hubfix.h. Test support: aborts on setup failure. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hubfix.h"
#include "porchlight/clip.h"
#include "porchlight/error.h"
#include "porchlight/file.h"
#include "porchlight/identity.h"

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

extern char **environ;

static void put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[1024];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    REQUIRE(porch_file_write_atomic(path, data, len, 0600) == PORCH_OK);
}

void hubfix_init(struct hubfix *f)
{
    const char *tmp = getenv("TMPDIR");
    uint8_t *buf = NULL, pub[PORCH_PUBLIC_FILE_MAX];
    size_t len = 0;

    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s/porch-hub-test-XXXXXX", tmp ? tmp : "/tmp");
    REQUIRE(mkdtemp(f->dir) != NULL);
    household_init(&f->hh);
    REQUIRE(porch_device_seal(f->hh.hub, "hub pass", 8, PORCH_KDF_INTERACTIVE, &buf, &len) ==
            PORCH_OK);
    put(f->dir, "hub.key", buf, len);
    free(buf);
    put(f->dir, "hub.pass", "hub pass\n", 9);
    REQUIRE(porch_public_encode(porch_device_public_of(f->hh.owner), pub, sizeof pub, &len) ==
            PORCH_OK);
    put(f->dir, "owner.pub", pub, len);
    REQUIRE(porch_roster_encode(f->hh.roster, &buf, &len) == PORCH_OK);
    put(f->dir, "roster", buf, len);
    free(buf);
    snprintf(f->spool, sizeof f->spool, "%s/spool", f->dir);
    snprintf(f->up, sizeof f->up, "%s/server", f->dir);
    snprintf(f->conf, sizeof f->conf, "%s/hub.conf", f->dir);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

void hubfix_free(struct hubfix *f)
{
    if (!getenv("PORCH_KEEP_TEST_DIR"))
        nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    else
        fprintf(stderr, "kept %s\n", f->dir);
    household_free(&f->hh);
}

void hubfix_config(struct hubfix *f, const char *spool_limit, const char *server,
                   const char *cameras)
{
    char text[16384];
    int n = snprintf(text, sizeof text,
                     "# written by hubfix\n[hub]\nkey = %s/hub.key\npassphrase_file = %s/hub.pass\n"
                     "owner = %s/owner.pub\nroster = %s/roster\nspool = %s\ntrigger = motion-diff\n"
                     "%s%s%s%s%s%s\n%s",
                     f->dir, f->dir, f->dir, f->dir, f->spool,
                     spool_limit && *spool_limit ? "spool_limit = " : "",
                     spool_limit && *spool_limit ? spool_limit : "",
                     spool_limit && *spool_limit ? "\n" : "", server ? "server = " : "",
                     server ? server : "", server ? "\n" : "", cameras);
    REQUIRE(n > 0 && (size_t)n < sizeof text);
    REQUIRE(porch_file_write_atomic(f->conf, (const uint8_t *)text, (size_t)n, 0600) == PORCH_OK);
}

int hubfix_video(const char *path, int w, int h, int fps, int gop, double dur, double m0,
                 double m1)
{
    char src0[256], src1[128], filt[256], g[16], gmin[64];
    snprintf(src0, sizeof src0, "color=c=0x606060:s=%dx%d:r=%d:d=%.3f", w, h, fps, dur);
    snprintf(src1, sizeof src1, "testsrc=s=%dx%d:r=%d", w / 5, h / 4, fps);
    snprintf(filt, sizeof filt,
             "[0][1]overlay=x='%d+%d*(t-%.3f)':y=%d:enable='between(t,%.3f,%.3f)':shortest=1",
             w / 10, w / 8, m0, h / 3, m0, m1 - 0.001);
    snprintf(g, sizeof g, "%d", gop);
    snprintf(gmin, sizeof gmin, "keyint=%d:min-keyint=%d:scenecut=0", gop, gop);
    char *argv[] = { "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", src0,
                     "-f", "lavfi", "-i", src1, "-filter_complex", filt, "-c:v", "libx264",
                     "-preset", "veryfast", "-bf", "0", "-g", g, "-x264-params", gmin,
                     "-pix_fmt", "yuv420p", (char *)path, NULL };
    pid_t pid = hubfix_spawn(argv, NULL);
    return hubfix_wait(pid, 120) == 0 ? 0 : -1;
}

pid_t hubfix_spawn(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    pid_t pid = -1;

    REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (log) {
        posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    REQUIRE(posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

int hubfix_wait(pid_t pid, int timeout_s)
{
    int st = 0;

    for (int i = 0; i < timeout_s * 20; i++) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        struct timespec ts = { 0, 50000000 };
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

struct walk {
    uint8_t *mp4;
    size_t len, cap;
    struct clipview *v;
};

static int on_record(void *ctx, const porch_record_info *info, const uint8_t *p, size_t n)
{
    struct walk *w = ctx;

    if (info->kind == PORCH_RECORD_META) {
        porch_clip_meta *m = NULL;
        if (info->final && porch_meta_decode(&m, p, n) == PORCH_OK) {
            snprintf(w->v->reason, sizeof w->v->reason, "%s", m->reason);
            w->v->n_labels = m->n_labels;
            w->v->first_label_ms = m->n_labels ? m->labels[0].t_ms : 0;
            w->v->thumb_len = m->thumbnail_len;
            w->v->thumb_jpeg = m->thumbnail_len > 4 && m->thumbnail[0] == 0xff &&
                               m->thumbnail[1] == 0xd8;
            porch_meta_free(m);
        }
        return 0;
    }
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2;
        REQUIRE((w->mp4 = realloc(w->mp4, w->cap)) != NULL);
    }
    memcpy(w->mp4 + w->len, p, n);
    w->len += n;
    return 0;
}

static void view(struct hubfix *f, const char *path, struct clipview *v)
{
    uint8_t *clip = NULL;
    size_t len = 0;
    uint32_t n = 0, bad = 0;
    porch_clip_key *key = NULL;
    porch_clip_info info;
    struct walk w = { NULL, 0, 0, v };

    if (porch_file_read(path, (size_t)1 << 30, &clip, &len) != PORCH_OK)
        return;
    v->framing_ok = porch_clip_check_framing(clip, len, &n, &bad) == PORCH_OK;
    v->records = n;
    if (porch_clip_header_parse(&info, clip, len) == PORCH_OK)
        snprintf(v->camera, sizeof v->camera, "%s", info.camera);
    if (porch_clip_header_check_roster(clip, len, f->hh.roster) == PORCH_OK &&
        porch_clip_key_unwrap(&key, clip, len, f->hh.owner) == PORCH_OK &&
        porch_clip_open_all(key, clip, len, on_record, &w, &bad) == PORCH_OK)
        v->opened = 1;
    if (v->opened && w.len)
        v->media_ok = porch_media_probe(w.mp4, w.len, &v->st) == PORCH_OK;
    porch_clip_key_free(key);
    free(w.mp4);
    free(clip);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(((const struct clipview *)a)->name, ((const struct clipview *)b)->name);
}

size_t hubfix_clips(struct hubfix *f, const char *dir, struct clipview *out, size_t n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t k = 0;
    char path[1200];

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL && k < n) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 5, ".clip"))
            continue;
        memset(&out[k], 0, sizeof out[k]);
        snprintf(out[k].name, sizeof out[k].name, "%.*s", (int)(l - 5), de->d_name);
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        view(f, path, &out[k]);
        k++;
    }
    closedir(d);
    qsort(out, k, sizeof *out, name_cmp);
    return k;
}

size_t hubfix_count(const char *dir, const char *ext)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t k = 0, e = strlen(ext);

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        k += l > e && !strcmp(de->d_name + l - e, ext);
    }
    closedir(d);
    return k;
}

size_t hubfix_grep(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "r");
    char line[4096];
    size_t n = 0;

    if (!fp)
        return 0;
    while (fgets(line, sizeof line, fp))
        n += strstr(line, needle) != NULL;
    fclose(fp);
    return n;
}

char *hubfix_bin(const char *rel)
{
    static char buf[1024];
    const char *b = getenv("PORCH_BUILD_DIR");

    snprintf(buf, sizeof buf, "%s/%s", b ? b : ".", rel);
    return buf;
}

int hubfix_have(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[1024], *save = NULL, *p, *copy;
    int found = 0;

    if (!path || !(copy = strdup(path)))
        return 0;
    for (p = strtok_r(copy, ":", &save); p && !found; p = strtok_r(NULL, ":", &save)) {
        snprintf(buf, sizeof buf, "%s/%s", p, prog);
        found = access(buf, X_OK) == 0;
    }
    free(copy);
    return found;
}

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_text[1 << 16];

void hubfix_log(void *ctx, int level, const char *camera, const char *msg)
{
    (void)ctx;
    pthread_mutex_lock(&log_mu);
    size_t n = strlen(log_text);
    snprintf(log_text + n, sizeof log_text - n, "%d %s: %s\n", level, camera ? camera : "-",
             msg);
    pthread_mutex_unlock(&log_mu);
}

char *hubfix_log_copy(void)
{
    pthread_mutex_lock(&log_mu);
    char *copy = strdup(log_text);
    pthread_mutex_unlock(&log_mu);
    REQUIRE(copy != NULL);
    return copy;
}

void hubfix_log_dump(void)
{
    char *copy = hubfix_log_copy();
    fputs(copy, stderr);
    free(copy);
}

void hubfix_opts(struct hubfix *f, porch_hub_config **cfg, porch_device_secret *hub,
                 porch_hub_opts *o)
{
    char err[512];

    REQUIRE(porch_hub_config_load(cfg, f->conf, err, sizeof err) == PORCH_OK);
    memset(o, 0, sizeof *o);
    o->cfg = *cfg;
    o->hub = hub;
    o->roster = f->hh.roster;
    o->log = hubfix_log;
}
