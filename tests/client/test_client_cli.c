/*
 * test_client_cli.c: the server verbs of `porch` end to end against the real
 * porchlight-server: pair (and create the household), push-roster, clips,
 * fetch (verify, open into MP4), grant to a support device (which fetches and
 * opens through its share), revoke (after which it cannot), notices, audit
 * (and audit refusing a server whose key changed). The real binary runs with
 * posix_spawn in a temporary directory; stdin is /dev/null. The hub's upload
 * and notice go through the client library, as the hub will do it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "check.h"
#include "porchlight/client.h"
#include "porchlight/file.h"
#include "porchlight/media.h"
#include "porchlight/notice.h"
#include "server_proc.h"
#include "testvideo.h"

extern char **environ;

#define OUT_MAX (64 * 1024)
#define FRAMES 36

static char porch_path[4096];
static char out_buf[OUT_MAX], err_buf[OUT_MAX];
static char fpr_owner[64];
static struct server_proc srv;

static void slurp(const char *path, char *buf)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, OUT_MAX - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

static int run(const char *const *args)
{
    const char *argv[64];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0, n = 1;

    argv[0] = porch_path;
    while (args[n - 1] && n < 63) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, "stderr.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(posix_spawn(&pid, porch_path, &fa, NULL, (char *const *)argv, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    REQUIRE(waitpid(pid, &status, 0) == pid);
    slurp("stdout.txt", out_buf);
    slurp("stderr.txt", err_buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void expect_at(int line, int want, const char *needle, const char *const *args)
{
    int rc = run(args);
    const char *text = want == 0 ? out_buf : err_buf;
    check_count_++;
    if (rc != want || (needle && !strstr(text, needle))) {
        check_failures_++;
        fprintf(stderr, "%s:%d: want exit %d%s%s\n  porch", __FILE__, line, want,
                needle ? " with " : "", needle ? needle : "");
        for (int i = 0; args[i]; i++)
            fprintf(stderr, " %s", args[i]);
        fprintf(stderr, "\n  -> exit %d\n  stdout: %s\n  stderr: %s\n", rc, out_buf, err_buf);
    }
}

#define EXPECT(want, needle, ...) \
    expect_at(__LINE__, (want), (needle), (const char *const[]){__VA_ARGS__, NULL})

static void keygen(const char *name)
{
    char pass[128], text[128], prefix[64];
    snprintf(prefix, sizeof prefix, "%s", name);
    snprintf(pass, sizeof pass, "%s.pass", prefix);
    snprintf(text, sizeof text, "passphrase of %s\n", prefix);
    REQUIRE(porch_file_write_atomic(pass, (const uint8_t *)text, strlen(text), 0600) == 0);
    EXPECT(0, "fingerprint: ", "keygen", "--name", name, "--out", prefix, "--kdf", "interactive",
           "--passphrase-file", pass);
}

static porch_device_secret *unseal(const char *name)
{
    char path[64], pass[128];
    uint8_t *file = NULL;
    size_t len = 0;
    porch_device_secret *d = NULL;
    snprintf(path, sizeof path, "%s.key", name);
    snprintf(pass, sizeof pass, "passphrase of %s", name);
    REQUIRE(porch_file_read(path, 4096, &file, &len) == 0);
    REQUIRE(porch_device_unseal(&d, file, len, pass, strlen(pass)) == PORCH_OK);
    free(file);
    return d;
}

static uint32_t probe_frames(const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    porch_media_stats st;
    int ret = porch_file_read(path, PORCH_MEDIA_PROBE_MAX, &buf, &len);
    if (ret == 0)
        ret = porch_media_probe(buf, len, &st);
    free(buf);
    return ret == 0 ? st.frames : 0;
}

#define PIN "--roster", "roster.bin", "--pin", fpr_owner
#define AS(who) "--server-state", who ".state", "--key", who ".key", "--passphrase-file", \
                who ".pass"

static void setup_household(void)
{
    keygen("owner");
    char *p = strstr(out_buf, "fingerprint: ");
    REQUIRE(p && sscanf(p + 13, "%63s", fpr_owner) == 1);
    keygen("member");
    keygen("hub");
    keygen("support");
    EXPECT(0, NULL, "roster", "init", "--roster", "roster.bin", "--key", "owner.key",
           "--passphrase-file", "owner.pass");
    EXPECT(0, NULL, "roster", "add", PIN, "--key", "owner.key", "--passphrase-file",
           "owner.pass", "--device", "hub.pub", "--role", "hub", "--cameras", "porch");
    EXPECT(0, NULL, "roster", "add", PIN, "--key", "owner.key", "--passphrase-file",
           "owner.pass", "--device", "member.pub", "--role", "member", "--cameras", "porch");
}

/* The hub uploads the sealed clip and posts a notice through the library. */
static void hub_uploads(uint8_t clip_id[16])
{
    porch_device_secret *hub = unseal("hub");
    porch_roster *r = NULL;
    uint8_t *file = NULL, *roster = NULL, *notice = NULL, pk[32];
    size_t len = 0, rlen = 0, nlen = 0;
    porch_clip_info info;

    REQUIRE(porch_test_make_video("video.mp4", 160, 120, FRAMES, 24, 12) == 0);
    EXPECT(0, "records:", "seal", "--in", "video.mp4", "--out", "clip.pcl", "--key", "hub.key",
           "--passphrase-file", "hub.pass", PIN, "--camera", "porch", "--reason", "cat");
    REQUIRE(porch_file_read("clip.pcl", 1u << 26, &file, &len) == 0);
    REQUIRE(porch_clip_header_parse(&info, file, len) == PORCH_OK);
    memcpy(clip_id, info.clip_id, 16);
    REQUIRE(porch_file_read("roster.bin", 1u << 20, &roster, &rlen) == 0);
    uint8_t owner_pk[32];
    REQUIRE(porch_roster_peek_owner(roster, rlen, owner_pk) == PORCH_OK);
    REQUIRE(porch_roster_load(&r, roster, rlen, owner_pk, NULL, NULL) == PORCH_OK);
    porch_client_config cfg = {.base_url = srv.url, .device = hub,
                               .household = porch_roster_household(r), .chunk_size = 4096};
    porch_client *c = NULL;
    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    REQUIRE(porch_client_server_info(c, pk, NULL, 0) == PORCH_OK);
    porch_client_free(c);
    cfg.server_pk = pk;
    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    CHECK_OK(porch_client_upload_file(c, clip_id, "clip.pcl")); /* many 4 KiB chunks */
    CHECK_OK(porch_client_upload_file(c, clip_id, "clip.pcl")); /* idempotent */
    REQUIRE(porch_notice_seal(&notice, &nlen, hub, r, "porch", info.start_us, clip_id, NULL) ==
            PORCH_OK);
    CHECK_OK(porch_client_notice_post(c, notice, nlen, NULL));
    porch_client_free(c);
    porch_roster_free(r);
    porch_device_free(hub);
    free(notice);
    free(file);
    free(roster);
}

static void test_server_verbs(void)
{
    uint8_t id[16];
    char idhex[33], grant[33];

    EXPECT(0, "server key fingerprint: ", "pair", "--server", srv.url, "--server-state",
           "owner.state", PIN, "--create");
    EXPECT(1, "PORCH_ERR_CONFLICT", "pair", "--server", srv.url, "--server-state", "x.state",
           PIN, "--create");
    EXPECT(1, "PORCH_ERR_SERVER_KEY", "pair", "--server", srv.url, "--server-state", "x.state",
           PIN, "--expect", "aaaa-bbbb-cccc-dddd-eeee-ffff-gggg-hhhh");
    EXPECT(0, "paired", "pair", "--server", srv.url, "--server-state", "member.state", PIN);
    EXPECT(0, "paired", "pair", "--server", srv.url, "--server-state", "support.state", PIN);
    EXPECT(0, "added 'support'", "roster", "add", PIN, "--key", "owner.key",
           "--passphrase-file", "owner.pass", "--device", "support.pub", "--role", "support",
           "--cameras", "porch");
    EXPECT(0, "roster pushed", "push-roster", AS("owner"), PIN);
    EXPECT(1, "PORCH_ERR_FORBIDDEN", "push-roster", AS("member"), PIN);
    hub_uploads(id);
    for (int i = 0; i < 16; i++)
        snprintf(idhex + 2 * i, 3, "%02x", id[i]);
    EXPECT(0, "1 clips", "clips", AS("member"), "--camera", "porch");
    CHECK(strstr(out_buf, idhex) != NULL);
    EXPECT(0, "verified", "fetch", AS("member"), PIN, "--clip", idhex, "--out", "got.pcl",
           "--mp4", "got.mp4");
    CHECK(probe_frames("got.mp4") == FRAMES);
    EXPECT(0, "clip ", "notices", AS("member"), PIN);
    CHECK(strstr(out_buf, idhex) != NULL);
    EXPECT(0, "clip ", "notices", AS("member"), PIN, "--follow", "--count", "1");
    /* Support: nothing without a grant; the clip with one; nothing after revoke. */
    EXPECT(1, "PORCH_ERR_NOT_FOUND", "fetch", AS("support"), PIN, "--clip", idhex, "--out",
           "s.pcl");
    EXPECT(0, "1 clips shared with 'support'", "grant", AS("owner"), PIN, "--support",
           "support.pub", "--clips", idhex, "--hours", "2");
    char *g = strstr(out_buf, "grant ");
    REQUIRE(g && sscanf(g + 6, "%32s", grant) == 1);
    EXPECT(0, "verified", "fetch", AS("support"), PIN, "--clip", idhex, "--out", "s.pcl",
           "--mp4", "s.mp4");
    CHECK(probe_frames("s.mp4") == FRAMES);
    EXPECT(1, "PORCH_ERR_FORBIDDEN", "revoke", AS("member"), "--grant", grant);
    EXPECT(0, "revoked", "revoke", AS("owner"), "--grant", grant);
    EXPECT(1, "PORCH_ERR_NOT_FOUND", "fetch", AS("support"), PIN, "--clip", idhex, "--out",
           "s2.pcl");
    /* The audit lists the reads, by name. */
    EXPECT(0, "access log verified", "audit", AS("owner"), PIN);
    CHECK(strstr(out_buf, "by member (member)") && strstr(out_buf, "by support (support)"));
    EXPECT(0, "access log verified", "audit", AS("owner"), PIN);
    EXPECT(2, "--clip", "fetch", AS("member"), PIN, "--clip", "xyz", "--out", "z.pcl");
}

/* A server with another key behind the same URL: nothing is trusted. */
static void test_replaced_server(void)
{
    server_stop(&srv);
    char key[4200];
    snprintf(key, sizeof key, "%s/server.key", srv.data_dir);
    REQUIRE(unlink(key) == 0);
    server_restart(&srv);
    EXPECT(1, NULL, "audit", AS("owner"), PIN);
    EXPECT(1, "PORCH_ERR_SERVER_KEY", "pair", "--server", srv.url, "--server-state",
           "owner.state", PIN);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(void)
{
    const char *build = getenv("PORCH_BUILD_DIR");
    char dir[] = "/tmp/porch-client-cli-XXXXXX";

    if (!build)
        SKIP("PORCH_BUILD_DIR not set (run through meson test)");
    snprintf(porch_path, sizeof porch_path, "%s/cli/porch", build);
    REQUIRE(access(porch_path, X_OK) == 0);
    REQUIRE(porch_init() == PORCH_OK);
    av_log_set_level(AV_LOG_ERROR);
    alarm(170);
    server_start(&srv);
    REQUIRE(mkdtemp(dir) && chdir(dir) == 0);
    setup_household();
    test_server_verbs();
    test_replaced_server();
    REQUIRE(chdir("/") == 0);
    if (check_failures_ == 0)
        remove_dir(dir);
    else
        fprintf(stderr, "kept %s for inspection\n", dir);
    server_cleanup(&srv);
    return CHECK_DONE();
}
