/*
 * test_cli.c: the `porch` CLI end to end, by running the real binary
 * ($PORCH_BUILD_DIR/cli/porch) with posix_spawn in a fresh temporary
 * directory: keys, a roster, a synthetic H.264 video sealed and opened back
 * (and decoded to the same frame count), and the failure paths with their
 * exit codes and messages. stdin is /dev/null, so no prompt can hang, and
 * every key uses the interactive Argon2id level to keep the test quick.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "check.h"
#include "porchlight/clip.h"
#include "porchlight/file.h"
#include "porchlight/media.h"
#include "testvideo.h"

extern char **environ;

#define OUT_MAX (64 * 1024)
#define FRAMES 48

static char porch_path[4096];
static char out_buf[OUT_MAX], err_buf[OUT_MAX];
static const char *env_passfile;   /* PORCH_PASSPHRASE_FILE for the child, or NULL */
static char fpr_owner[64];         /* the owner's fingerprint: the pin */

/* ---- running porch ---- */

static void slurp(const char *path, char *buf)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, OUT_MAX - 1, f) : 0;

    buf[n] = '\0';
    if (f)
        fclose(f);
}

/* The child's environment: ours without PORCH_PASSPHRASE_FILE, plus env_passfile. */
static char **child_env(char *extra)
{
    size_t n = 0, k = 0;
    char **env;

    while (environ[n])
        n++;
    env = calloc(n + 2, sizeof *env);
    REQUIRE(env);
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "PORCH_PASSPHRASE_FILE=", 22) != 0)
            env[k++] = environ[i];
    if (env_passfile) {
        snprintf(extra, 512, "PORCH_PASSPHRASE_FILE=%s", env_passfile);
        env[k++] = extra;
    }
    return env;
}

/* Runs porch with args (NULL-terminated); returns its exit code. */
static int run(const char *const *args)
{
    const char *argv[64];
    char extra[512];
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
    char **env = child_env(extra);
    REQUIRE(posix_spawn(&pid, porch_path, &fa, NULL, (char *const *)argv, env) == 0);
    free(env);
    posix_spawn_file_actions_destroy(&fa);
    REQUIRE(waitpid(pid, &status, 0) == pid);
    slurp("stdout.txt", out_buf);
    slurp("stderr.txt", err_buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void show_run(const char *const *args, int rc, const char *why)
{
    fprintf(stderr, "  porch");
    for (int i = 0; args[i]; i++)
        fprintf(stderr, " %s", args[i]);
    fprintf(stderr, "\n  -> exit %d (%s)\n  stdout: %s\n  stderr: %s\n", rc, why, out_buf,
            err_buf);
}

/* Runs and checks the exit code and, if needle is set, that stderr (or, on
 * success, stdout) contains it. */
static void expect_at(int line, int want, const char *needle, const char *const *args)
{
    int rc = run(args);
    const char *text = want == 0 ? out_buf : err_buf;

    check_count_++;
    if (rc != want || (needle && !strstr(text, needle))) {
        check_failures_++;
        fprintf(stderr, "%s:%d: want exit %d%s%s\n", __FILE__, line, want,
                needle ? " with " : "", needle ? needle : "");
        show_run(args, rc, "mismatch");
    }
}

#define EXPECT(want, needle, ...) \
    expect_at(__LINE__, (want), (needle), (const char *const[]){__VA_ARGS__, NULL})

/* ---- fixtures ---- */

static void write_text(const char *path, const char *text)
{
    REQUIRE(porch_file_write_atomic(path, (const uint8_t *)text, strlen(text), 0600) == 0);
}

static void keygen(const char *name, const char *prefix)
{
    char pass[128], text[128];

    snprintf(pass, sizeof pass, "%s.pass", prefix);
    snprintf(text, sizeof text, "passphrase of %s\n", prefix);
    write_text(pass, text);
    EXPECT(0, "fingerprint: ", "keygen", "--name", name, "--out", prefix, "--kdf", "interactive",
           "--passphrase-file", pass);
}

static int copy_file(const char *from, const char *to, size_t keep, long flip_at)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret = porch_file_read(from, (size_t)1 << 30, &buf, &len);

    if (ret == 0 && flip_at >= 0 && (size_t)flip_at < len)
        buf[flip_at] ^= 0x40;
    if (ret == 0)
        ret = porch_file_write_atomic(to, buf, keep < len ? keep : len, 0644);
    free(buf);
    return ret;
}

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

static int file_contains(const char *path, const char *needle)
{
    uint8_t *buf = NULL;
    size_t len = 0, n = strlen(needle);
    int found = 0;

    if (porch_file_read(path, (size_t)1 << 30, &buf, &len) != 0)
        return -1;
    for (size_t i = 0; i + n <= len && !found; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
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
    if (ret != 0)
        fprintf(stderr, "probe %s: %s\n", path, porch_errname(ret));
    return ret == 0 ? st.frames : 0;
}

/* Offset of record `index` in a clip file, from its clear framing. */
static size_t record_offset(const char *path, uint32_t index)
{
    uint8_t *buf = NULL;
    size_t len = 0, off;
    porch_clip_info info;
    porch_record_info ri;

    REQUIRE(porch_file_read(path, (size_t)1 << 30, &buf, &len) == 0);
    REQUIRE(porch_clip_header_parse(&info, buf, len) == 0);
    off = info.header_len;
    for (uint32_t i = 0; i < index; i++) {
        REQUIRE(porch_clip_record_peek(buf + off, len - off, &ri) == 0);
        off += ri.record_len;
    }
    free(buf);
    return off;
}

/* ---- the tests ---- */

static void test_help_and_usage(void)
{
    static const char *const verbs[][2] = {
        {"keygen", NULL}, {"fingerprint", NULL}, {"seal", NULL}, {"open", NULL},
        {"verify", NULL}, {"roster", NULL}, {"roster", "init"}, {"roster", "add"},
        {"roster", "remove"}, {"roster", "rotate"}, {"roster", "show"}, {"roster", "verify"},
    };

    EXPECT(0, "Usage: porch COMMAND", "--help");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (verbs[i][1])
            EXPECT(0, "Usage: porch roster", verbs[i][0], verbs[i][1], "--help");
        else
            EXPECT(0, "Usage: porch", verbs[i][0], "--help");
    }
    EXPECT(2, "Usage: porch COMMAND", "bogus");
    EXPECT(2, "--out is required", "keygen", "--name", "x");
    EXPECT(2, "unknown option '--bogus'", "keygen", "--bogus");
    EXPECT(2, "--name given twice", "keygen", "--name", "a", "--name", "b", "--out", "x");
    EXPECT(2, "--name 'a/b'", "keygen", "--name", "a/b", "--out", "x");
    EXPECT(2, "--kdf 'fast'", "keygen", "--name", "a", "--out", "x", "--kdf", "fast");
    EXPECT(2, "needs a value", "seal", "--in");
    EXPECT(2, "missing FILE", "fingerprint");
    EXPECT(2, "unknown subcommand", "roster", "bogus");
    /* No passphrase source and stdin is not a terminal: a usage error, no hang. */
    EXPECT(2, "--passphrase-file", "keygen", "--name", "a", "--out", "nopass");
    CHECK(!file_size("nopass.key"));
}

static void test_keys(void)
{
    char line[128];

    keygen("owner", "owner");
    keygen("hub", "hub");
    keygen("member", "member");
    keygen("back door", "back");
    keygen("outsider", "outsider");
    keygen("member new", "member2");
    struct stat st;
    CHECK(stat("owner.key", &st) == 0 && (st.st_mode & 0777) == 0600);
    EXPECT(3, "already exists", "keygen", "--name", "owner", "--out", "owner",
           "--passphrase-file", "owner.pass");
    EXPECT(0, " owner", "fingerprint", "owner.pub");
    snprintf(fpr_owner, sizeof fpr_owner, "%.39s", out_buf);
    EXPECT(0, fpr_owner, "fingerprint", "owner.key");
    EXPECT(1, "PORCH_ERR_BAD_MAGIC", "fingerprint", "owner.pass");
    EXPECT(3, "No such file", "fingerprint", "nothere.pub");
    /* --force replaces; the env variable supplies the passphrase. */
    env_passfile = "outsider.pass";
    EXPECT(0, "fingerprint", "keygen", "--name", "outsider", "--out", "outsider", "--kdf",
           "interactive", "--force");
    env_passfile = NULL;
    snprintf(line, sizeof line, "%s owner", fpr_owner);
    EXPECT(0, line, "fingerprint", "owner.pub");
}

#define PIN "--roster", "roster.bin", "--pin", fpr_owner
#define OWNER_KEY "--key", "owner.key", "--passphrase-file", "owner.pass"

static void test_roster(void)
{
    EXPECT(0, "pin: ", "roster", "init", "--roster", "roster.bin", OWNER_KEY);
    CHECK(strstr(out_buf, fpr_owner) != NULL);
    EXPECT(3, "already exists", "roster", "init", "--roster", "roster.bin", OWNER_KEY);
    EXPECT(0, "added 'hub' as hub", "roster", "add", PIN, OWNER_KEY, "--device", "hub.pub",
           "--role", "hub", "--cameras", "porch,back");
    EXPECT(0, "added 'member'", "roster", "add", PIN, OWNER_KEY, "--device", "member.pub",
           "--role", "member", "--cameras", "porch");
    EXPECT(0, "added 'back door'", "roster", "add", PIN, OWNER_KEY, "--device", "back.key",
           "--role", "member", "--cameras", "back");
    EXPECT(2, "--cameras is required", "roster", "add", PIN, OWNER_KEY, "--device",
           "outsider.pub", "--role", "member");
    EXPECT(2, "--role 'boss'", "roster", "add", PIN, OWNER_KEY, "--device", "outsider.pub",
           "--role", "boss", "--cameras", "all");
    EXPECT(1, "PORCH_ERR_ROSTER_DUPLICATE", "roster", "add", PIN, OWNER_KEY, "--device",
           "member.pub", "--role", "member", "--cameras", "porch");
    EXPECT(1, "PORCH_ERR_ROSTER_NOT_ADMIN", "roster", "add", PIN, "--key", "member.key",
           "--passphrase-file", "member.pass", "--device", "outsider.pub", "--role", "member",
           "--cameras", "porch");
    CHECK(strstr(err_buf, "roster.bin: new entry 4") != NULL);
    EXPECT(0, "back door", "roster", "show", PIN);
    CHECK(strstr(out_buf, "4 entries, 4 members") && strstr(out_buf, "porch,back"));
    EXPECT(0, "head: seq 3", "roster", "verify", PIN, "--state", "state");
    EXPECT(0, "head: seq 3", "roster", "verify", "--roster=roster.bin", "--pin=owner.key");
    EXPECT(2, "Usage: porch roster", "roster");
    /* Wrong pins: another device's fingerprint, its key file, garbage. */
    EXPECT(0, NULL, "fingerprint", "hub.pub");
    char fpr_hub[64];
    snprintf(fpr_hub, sizeof fpr_hub, "%.39s", out_buf);
    EXPECT(1, "PORCH_ERR_ROSTER_PIN", "roster", "verify", "--roster", "roster.bin", "--pin",
           fpr_hub);
    CHECK(strstr(err_buf, "roster.bin: entry 0") != NULL);
    EXPECT(1, "PORCH_ERR_ROSTER_PIN", "roster", "verify", "--roster", "roster.bin", "--pin",
           "hub.pub");
    EXPECT(2, "--pin", "roster", "verify", "--roster", "roster.bin", "--pin", "not-a-pin");
    EXPECT(3, "nothere.bin", "roster", "show", "--roster", "nothere.bin", "--pin", fpr_owner);
    EXPECT(1, "PORCH_ERR_BAD_MAGIC", "roster", "show", "--roster", "owner.pub", "--pin",
           fpr_owner);
}

/* Rollback and fork against a state file. */
static void test_roster_state(void)
{
    REQUIRE(copy_file("roster.bin", "old.bin", SIZE_MAX, -1) == 0);
    REQUIRE(copy_file("roster.bin", "fork.bin", SIZE_MAX, -1) == 0);
    EXPECT(0, "added 'outsider'", "roster", "add", PIN, OWNER_KEY, "--state", "state",
           "--device", "outsider.pub", "--role", "support");
    EXPECT(0, "removed 'outsider'", "roster", "remove", PIN, OWNER_KEY, "--state", "state",
           "--device", "outsider.pub");
    EXPECT(1, "PORCH_ERR_ROSTER_ROLLBACK", "roster", "verify", "--roster", "old.bin", "--pin",
           fpr_owner, "--state", "state");
    CHECK(strstr(err_buf, "old.bin: roster head") != NULL);
    /* Same length as the accepted roster, different entries: a fork. */
    EXPECT(0, "added 'member new'", "roster", "add", "--roster", "fork.bin", "--pin",
           fpr_owner, OWNER_KEY, "--device", "member2.pub", "--role", "member", "--cameras",
           "porch");
    EXPECT(0, "added 'outsider'", "roster", "add", "--roster", "fork.bin", "--pin", fpr_owner,
           OWNER_KEY, "--device", "outsider.pub", "--role", "support");
    EXPECT(1, "PORCH_ERR_ROSTER_FORK", "roster", "verify", "--roster", "fork.bin", "--pin",
           fpr_owner, "--state", "state");
    EXPECT(0, "head: seq 5", "roster", "verify", PIN, "--state", "state");
    write_text("bad.state", "porch-roster-state v1\nseq x\n");
    EXPECT(1, "bad.state", "roster", "verify", PIN, "--state", "bad.state");
}

#define HUB_KEY "--key", "hub.key", "--passphrase-file", "hub.pass"
#define MEMBER_KEY "--key", "member.key", "--passphrase-file", "member.pass"

static void test_seal_open(void)
{
    static const uint8_t jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 'f', 'a', 'k', 'e', 0xff, 0xd9};

    REQUIRE(porch_test_make_video("video.mp4", 160, 120, FRAMES, 24, 12) == 0);
    REQUIRE(porch_file_write_atomic("thumb.jpg", jpeg, sizeof jpeg, 0644) == 0);
    EXPECT(0, "records: 6 (init, 4 media, final meta)", "seal", "--in", "video.mp4", "--out",
           "clip.pcl", HUB_KEY, PIN, "--camera", "porch", "--reason", "person \"at\" door\t!",
           "--thumbnail", "thumb.jpg");
    CHECK(strstr(out_buf, "viewers: owner, member") != NULL);
    EXPECT(0, "4 fragments", "open", "--in", "clip.pcl", MEMBER_KEY, PIN, "--out", "out.mp4",
           "--meta", "meta.json", "--thumbnail", "thumb-out.jpg");
    CHECK(probe_frames("out.mp4") == FRAMES);
    CHECK(file_contains("meta.json", "\"reason\": \"person \\\"at\\\" door\\u0009!\"") == 1);
    CHECK(file_size("thumb-out.jpg") == sizeof jpeg);
    struct stat st;
    CHECK(stat("out.mp4", &st) == 0 && (st.st_mode & 0777) == 0600);
    /* Nothing readable in the sealed file; the opened one is plain fMP4. */
    CHECK(file_contains("clip.pcl", "ftyp") == 0 && file_contains("clip.pcl", "mdat") == 0);
    CHECK(file_contains("clip.pcl", "person") == 0);
    CHECK(file_contains("out.mp4", "ftyp") == 1 && file_contains("out.mp4", "moof") == 1);
    EXPECT(0, "OK: header signature, roster, framing (no key", "verify", "--in", "clip.pcl",
           PIN);
    CHECK(strstr(out_buf, "viewers (2): owner, member") && strstr(out_buf, "hub: hub ("));
    EXPECT(0, "every record decrypted", "verify", "--in", "clip.pcl", PIN, OWNER_KEY);
    CHECK(strstr(out_buf, "records: 6") != NULL);
}

static void test_open_refused(void)
{
    EXPECT(1, "PORCH_ERR_NOT_RECIPIENT", "open", "--in", "clip.pcl", HUB_KEY, PIN, "--out",
           "x.mp4");
    CHECK(strstr(err_buf, "clip.pcl: clip header: key wraps (device 'hub')") != NULL);
    EXPECT(1, "PORCH_ERR_NOT_RECIPIENT", "open", "--in", "clip.pcl", "--key", "back.key",
           "--passphrase-file", "back.pass", PIN, "--out", "x.mp4");
    EXPECT(1, "PORCH_ERR_NOT_RECIPIENT", "verify", "--in", "clip.pcl", "--key", "outsider.key",
           "--passphrase-file", "outsider.pass", PIN);
    EXPECT(1, "PORCH_ERR_PASSPHRASE", "open", "--in", "clip.pcl", "--key", "member.key",
           "--passphrase-file", "owner.pass", PIN, "--out", "x.mp4");
    CHECK(strstr(err_buf, "member.key: secret key file of 'member'") != NULL);
    CHECK(!file_size("x.mp4"));
    /* The hub may only seal for cameras in its scope; a member is no hub. */
    EXPECT(1, "PORCH_ERR_HUB_NOT_ALLOWED", "seal", "--in", "video.mp4", "--out", "x.pcl",
           HUB_KEY, PIN, "--camera", "garage");
    EXPECT(1, "PORCH_ERR_HUB_NOT_ALLOWED", "seal", "--in", "video.mp4", "--out", "x.pcl",
           MEMBER_KEY, PIN, "--camera", "porch");
    EXPECT(1, "PORCH_ERR_MEDIA", "seal", "--in", "owner.pass", "--out", "x.pcl", HUB_KEY, PIN,
           "--camera", "porch");
    CHECK(!file_size("x.pcl"));
    EXPECT(3, "nothere.mp4", "seal", "--in", "nothere.mp4", "--out", "x.pcl", HUB_KEY, PIN,
           "--camera", "porch");
    EXPECT(3, "nothere.pcl", "open", "--in", "nothere.pcl", MEMBER_KEY, PIN, "--out", "x.mp4");
    EXPECT(3, "nothere.key", "open", "--in", "clip.pcl", "--key", "nothere.key", PIN, "--out",
           "x.mp4");
    EXPECT(2, "--camera 'Front!'", "seal", "--in", "video.mp4", "--out", "x.pcl", HUB_KEY, PIN,
           "--camera", "Front!");
}

static void test_tampering(void)
{
    size_t rec2 = record_offset("clip.pcl", 2), len = file_size("clip.pcl");

    REQUIRE(copy_file("clip.pcl", "flip.pcl", SIZE_MAX, (long)rec2 + 40) == 0);
    EXPECT(0, "OK", "verify", "--in", "flip.pcl", PIN); /* ciphertext: needs the key */
    EXPECT(1, "PORCH_ERR_RECORD_AUTH", "verify", "--in", "flip.pcl", PIN, OWNER_KEY);
    CHECK(strstr(err_buf, "flip.pcl: record 2:") != NULL);
    EXPECT(1, "record 2", "open", "--in", "flip.pcl", MEMBER_KEY, PIN, "--out", "flip.mp4");
    CHECK(!file_size("flip.mp4"));
    REQUIRE(copy_file("clip.pcl", "hdr.pcl", SIZE_MAX, 60) == 0);
    EXPECT(1, "PORCH_ERR_HEADER_SIGNATURE", "verify", "--in", "hdr.pcl", PIN);
    REQUIRE(copy_file("clip.pcl", "cut.pcl", len - 100, -1) == 0);
    EXPECT(1, "PORCH_ERR_TRUNCATED", "verify", "--in", "cut.pcl", PIN);
    REQUIRE(copy_file("clip.pcl", "nofinal.pcl", record_offset("clip.pcl", 5), -1) == 0);
    EXPECT(1, "PORCH_ERR_CLIP_UNFINISHED", "open", "--in", "nofinal.pcl", MEMBER_KEY, PIN,
           "--out", "x.mp4");
}

/* After removal, new clips are not for the member; old ones still are. */
static void test_removed_member(void)
{
    EXPECT(0, "removed 'member'", "roster", "remove", PIN, OWNER_KEY, "--device", "member.pub");
    EXPECT(0, "viewers: owner", "seal", "--in", "video.mp4", "--out", "after.pcl", HUB_KEY,
           PIN, "--camera", "porch");
    EXPECT(1, "PORCH_ERR_NOT_RECIPIENT", "open", "--in", "after.pcl", MEMBER_KEY, PIN, "--out",
           "x.mp4");
    EXPECT(0, "opened", "open", "--in", "clip.pcl", MEMBER_KEY, PIN, "--out", "again.mp4");
    EXPECT(0, "rotated 'hub'", "roster", "rotate", PIN, OWNER_KEY, "--device", "hub.pub",
           "--new", "member2.pub");
    EXPECT(1, "PORCH_ERR_HUB_NOT_ALLOWED", "seal", "--in", "video.mp4", "--out", "x.pcl",
           HUB_KEY, PIN, "--camera", "porch");
    EXPECT(0, "hub: signing key", "verify", "--in", "clip.pcl", PIN);
}

static void test_real_footage(void)
{
    const char *td = getenv("PORCH_TESTDATA");
    char path[4096];

    snprintf(path, sizeof path, "%s/sequences/sbi-cavignal/video.mp4", td ? td : "");
    if (!td || access(path, R_OK) != 0) {
        printf("SKIP part: real footage (%s not readable)\n", path);
        return;
    }
    EXPECT(0, "sealed clip", "seal", "--in", path, "--out", "real.pcl", "--key", "member2.key",
           "--passphrase-file", "member2.pass", PIN, "--camera", "porch");
    EXPECT(0, "opened", "open", "--in", "real.pcl", OWNER_KEY, PIN, "--out", "real.mp4");
    uint32_t got = probe_frames("real.mp4");
    CHECK(got > 0);
    /* The original (a plain MP4) decodes to the same number of frames. */
    CHECK(got == probe_frames(path));
}

/* The temporary directory is flat: remove its files, then it. */
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
    char dir[] = "/tmp/porch-cli-test-XXXXXX";

    if (!build)
        SKIP("PORCH_BUILD_DIR not set (run through meson test)");
    snprintf(porch_path, sizeof porch_path, "%s/cli/porch", build);
    REQUIRE(access(porch_path, X_OK) == 0);
    av_log_set_level(AV_LOG_ERROR);
    REQUIRE(mkdtemp(dir) && chdir(dir) == 0);
    test_help_and_usage();
    test_keys();
    test_roster();
    test_roster_state();
    test_seal_open();
    test_open_refused();
    test_tampering();
    test_removed_member();
    test_real_footage();
    REQUIRE(chdir("/") == 0);
    if (check_failures_ == 0)
        remove_dir(dir);
    else
        fprintf(stderr, "kept %s for inspection\n", dir);
    return CHECK_DONE();
}
