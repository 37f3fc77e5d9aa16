/* srvtest.c: see srvtest.h. */
#define _XOPEN_SOURCE 700   /* nftw */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "porchlight/clip.h"
#include "porchlight/log.h"
#include "srvtest.h"

#define REQUIRE(c)                                                              \
    do {                                                                        \
        if (!(c)) {                                                             \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #c); \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

extern char **environ;
static struct srv *running;
static pid_t once_pid;   /* the child of srv_run_once, killed by the signal handlers too */
static pid_t tracked[4];  /* srv_track_child */

static void kill_tracked(void)
{
    for (int i = 0; i < 4; i++)
        if (tracked[i] > 0) {
            kill(tracked[i], SIGKILL);
            waitpid(tracked[i], NULL, 0);
            tracked[i] = 0;
        }
}

void srv_track_child(pid_t pid)
{
    for (int i = 0; pid > 0 && i < 4; i++)
        if (tracked[i] <= 0) {
            tracked[i] = pid;
            return;
        }
    if (pid <= 0)
        memset(tracked, 0, sizeof tracked);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t l = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

int srv_free_port(void)
{
    return free_port();
}

int srv_connect(const struct srv *s)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)s->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

static void at_exit(void)
{
    kill_tracked();
    if (running)
        srv_cleanup(running);
}

static void on_signal(int sig)
{
    if (running && running->pid > 0)
        kill(running->pid, SIGKILL);
    if (once_pid > 0)
        kill(once_pid, SIGKILL);
    for (int i = 0; i < 4; i++)
        if (tracked[i] > 0)
            kill(tracked[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void handlers(void)
{
    signal(SIGTERM, on_signal);
    signal(SIGALRM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGABRT, on_signal);   /* a failed sanitizer check must not leave the server running */
    signal(SIGSEGV, on_signal);
}

static int healthy(struct srv *s)
{
    struct resp r;
    int ok = http(s, "GET", "/v1/health", NULL, NULL, NULL, 0, &r) == 0 && r.status == 200;

    resp_free(&r);
    return ok;
}

static int spawn(struct srv *s)
{
    char port[16];
    const char *argv[48] = { s->bin, "--listen", "127.0.0.1", "--port", port, "--data",
                             s->data };
    posix_spawn_file_actions_t fa;
    int n = 7, r;

    snprintf(port, sizeof port, "%d", s->port);
    for (int i = 0; s->extra[i] && n < 46; i++)
        argv[n++] = s->extra[i];
    argv[n] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    r = posix_spawn(&s->pid, s->bin, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (r != 0) {
        s->pid = 0;
        return -1;
    }
    for (int i = 0; i < 400; i++) {   /* up to 20 s (ASan, Argon2 on first start) */
        int st;
        if (healthy(s))
            return 0;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            return -1;
        }
        sleep_ms(50);
    }
    return -1;
}

static const char *server_bin(char *out, size_t cap)
{
    const char *bd = getenv("PORCH_BUILD_DIR");

    snprintf(out, cap, "%s/server/porchlight-server", bd ? bd : "build");
    if (access(out, X_OK) != 0) {
        printf("SKIP: porchlight-server not built\n");
        exit(77);
    }
    return out;
}

static void start(struct srv *s, const char *const *extra, const char *ca_file)
{
    int n = 0;

    memset(s, 0, sizeof *s);
    server_bin(s->bin, sizeof s->bin);
    while (extra && extra[n] && n < 23) {
        s->extra[n] = extra[n];
        n++;
    }
    if (ca_file)
        snprintf(s->ca, sizeof s->ca, "%s", ca_file);
    snprintf(s->dir, sizeof s->dir, "%s/porch-srv-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    REQUIRE(mkdtemp(s->dir) != NULL);
    snprintf(s->data, sizeof s->data, "%s/data", s->dir);
    snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    running = s;
    atexit(at_exit);
    handlers();
    for (int tries = 0; tries < 5; tries++) {
        s->port = free_port();
        snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%d", ca_file ? "https" : "http",
                 s->port);
        if (s->port && spawn(s) == 0)
            return;
    }
    REQUIRE(!"server did not start");
}

void srv_start(struct srv *s, const char *const *extra)
{
    start(s, extra, NULL);
}

void srv_start_tls(struct srv *s, const char *const *extra, const char *ca_file)
{
    start(s, extra, ca_file);
}

int srv_run_prog(const char *prog, const char *const *args, int timeout_s, char *out,
                 size_t cap)
{
    const char *bd = getenv("PORCH_BUILD_DIR");
    char bin[512], path[] = "/tmp/porch-srv-once-XXXXXX";
    const char *argv[40] = { bin };
    posix_spawn_file_actions_t fa;
    int n = 1, fd, st = 0, ret = -1;
    ssize_t got;

    out[0] = 0;
    snprintf(bin, sizeof bin, "%s/%s", bd ? bd : "build", prog);
    for (int i = 0; args && args[i] && n < 39; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    handlers();
    if ((fd = mkstemp(path)) < 0)
        return -1;
    unlink(path);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_adddup2(&fa, fd, 2);
    if (posix_spawn(&once_pid, bin, &fa, NULL, (char *const *)argv, environ) != 0)
        once_pid = 0;
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; once_pid > 0 && i < timeout_s * 20; i++) {
        if (waitpid(once_pid, &st, WNOHANG) == once_pid) {
            once_pid = 0;
            ret = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            break;
        }
        sleep_ms(50);
    }
    if (once_pid > 0) {   /* still running: it should have exited */
        kill(once_pid, SIGKILL);
        waitpid(once_pid, NULL, 0);
        once_pid = 0;
    }
    if ((got = pread(fd, out, cap - 1, 0)) > 0)
        out[got] = 0;
    close(fd);
    return ret;
}

int srv_run_once(const char *const *args, int timeout_s, char *out, size_t cap)
{
    char bin[512];

    server_bin(bin, sizeof bin);   /* skips (77) when it is not built */
    return srv_run_prog("server/porchlight-server", args, timeout_s, out, cap);
}

void srv_restart(struct srv *s)
{
    for (int tries = 0; tries < 40; tries++) {
        if (spawn(s) == 0)
            return;
        sleep_ms(250);
    }
    REQUIRE(!"server did not restart");
}

void srv_kill9(struct srv *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = 0;
}

void srv_stop(struct srv *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 200; i++) {
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0;
            return;
        }
        sleep_ms(50);
    }
    srv_kill9(s);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(p);
}

void srv_cleanup(struct srv *s)
{
    srv_stop(s);
    if (s->dir[0] && getenv("PORCH_KEEP_TEST_DIR"))
        fprintf(stderr, "kept %s\n", s->dir);
    else if (s->dir[0])
        nftw(s->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    s->dir[0] = 0;
    running = NULL;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    struct resp *r = ctx;
    uint8_t *nb = realloc(r->body, r->len + sz * n + 1);

    if (!nb)
        return 0;
    r->body = nb;
    memcpy(r->body + r->len, p, sz * n);
    r->len += sz * n;
    r->body[r->len] = 0;
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ctx)
{
    struct resp *r = ctx;
    size_t len = sz * n;
    char line[256];

    if (len >= sizeof line)
        return len;
    memcpy(line, p, len);
    line[len] = 0;
    if (!strncasecmp(line, "Upload-Offset:", 14))
        r->upload_offset = atoll(line + 14);
    else if (!strncasecmp(line, "Upload-Complete:", 16))
        r->upload_complete = atoi(line + 16);
    else if (!strncasecmp(line, "Content-Range:", 14))
        snprintf(r->content_range, sizeof r->content_range, "%.*s", (int)strcspn(line + 15, "\r\n"),
                 line + 15);
    return len;
}

int http(struct srv *s, const char *method, const char *path, const char *token,
         const char *const *headers, const uint8_t *body, size_t len, struct resp *out)
{
    CURL *k = curl_easy_init();
    struct curl_slist *h = NULL;
    char url[1024], auth[128];
    CURLcode cr;

    memset(out, 0, sizeof *out);
    out->upload_offset = -1;
    if (!k)
        return -1;
    snprintf(url, sizeof url, "%s%s", s->url, path);
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(k, CURLOPT_TIMEOUT, 60L);
    if (s->ca[0])
        curl_easy_setopt(k, CURLOPT_CAINFO, s->ca);
    h = curl_slist_append(h, "Expect:");
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    for (int i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(k, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(k, CURLOPT_HEADERDATA, out);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(k, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET"))
        curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, method);
    if (body || !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH")) {
        curl_easy_setopt(k, CURLOPT_POSTFIELDS, body ? (const char *)body : "");
        curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    cr = curl_easy_perform(k);
    curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(k);
    return cr == CURLE_OK ? 0 : -1;
}

int srv_is_error(const struct resp *r, const char *sym)
{
    json_t *j = json_loadb((const char *)r->body, r->len, 0, NULL);
    const char *e = json_string_value(json_object_get(j, "error"));
    const char *m = json_string_value(json_object_get(j, "message"));
    int ok = j && json_object_size(j) == 2 && e && (!sym || !strcmp(e, sym)) && m && m[0];

    if (!ok)
        fprintf(stderr, "  status %ld body %.*s (want %s)\n", r->status, (int)r->len,
                r->body ? (const char *)r->body : "", sym ? sym : "an error");
    json_decref(j);
    return ok;
}

void resp_free(struct resp *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

void hexs(char *out, const uint8_t *p, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, p, n);
}

void hh_path(char *out, size_t cap, const uint8_t hh[16], const char *suffix)
{
    char h[33];

    hexs(h, hh, 16);
    snprintf(out, cap, "/v1/households/%s%s", h, suffix);
}

long srv_create_household(struct srv *s, const porch_roster *roster)
{
    uint8_t *enc = NULL;
    size_t len = 0;
    struct resp r;
    long st;

    REQUIRE(porch_roster_encode(roster, &enc, &len) == PORCH_OK);
    http(s, "POST", "/v1/households", NULL, NULL, enc, len, &r);
    st = r.status;
    resp_free(&r);
    free(enc);
    return st;
}

static int server_pk(struct srv *s, uint8_t pk[32])
{
    struct resp r;
    json_t *j;
    int ok = 0;

    if (http(s, "GET", "/v1/server", NULL, NULL, NULL, 0, &r) == 0 && r.status == 200 &&
        (j = json_loadb((const char *)r.body, r.len, 0, NULL))) {
        const char *v = json_string_value(json_object_get(j, "sign_pk"));
        ok = v && sodium_hex2bin(pk, 32, v, strlen(v), NULL, NULL, NULL) == 0;
        json_decref(j);
    }
    resp_free(&r);
    return ok;
}

long srv_login(struct srv *s, const porch_device_secret *dev, const uint8_t hh[16],
               char out[64])
{
    const porch_device_public *pub = porch_device_public_of(dev);
    uint8_t spk[32], c[32], msg[19 + 32 + 16 + 32 + 32], sig[64];
    char hhx[33], pkx[65], cx[65], sigx[129], body[512];
    struct resp r;
    json_t *j;
    long st;

    out[0] = 0;
    REQUIRE(server_pk(s, spk));
    hexs(hhx, hh, 16);
    hexs(pkx, pub->sign_pk, 32);
    snprintf(body, sizeof body, "{\"household\":\"%s\",\"device\":\"%s\"}", hhx, pkx);
    http(s, "POST", "/v1/auth/challenge", NULL, NULL, (uint8_t *)body, strlen(body), &r);
    if (r.status != 200) {
        st = r.status;
        resp_free(&r);
        return st;
    }
    j = json_loadb((const char *)r.body, r.len, 0, NULL);
    REQUIRE(j && sodium_hex2bin(c, 32, json_string_value(json_object_get(j, "challenge")), 64,
                                NULL, NULL, NULL) == 0);
    json_decref(j);
    resp_free(&r);
    memcpy(msg, "porchlight/v1/auth", 19);
    memcpy(msg + 19, spk, 32);
    memcpy(msg + 51, hh, 16);
    memcpy(msg + 67, pub->sign_pk, 32);
    memcpy(msg + 99, c, 32);
    REQUIRE(porch_device_sign(dev, msg, sizeof msg, sig) == PORCH_OK);
    hexs(cx, c, 32);
    hexs(sigx, sig, 64);
    snprintf(body, sizeof body,
             "{\"household\":\"%s\",\"device\":\"%s\",\"challenge\":\"%s\",\"signature\":\"%s\"}",
             hhx, pkx, cx, sigx);
    http(s, "POST", "/v1/auth/token", NULL, NULL, (uint8_t *)body, strlen(body), &r);
    st = r.status;
    if (st == 200 && (j = json_loadb((const char *)r.body, r.len, 0, NULL))) {
        snprintf(out, 64, "%s", json_string_value(json_object_get(j, "token")));
        json_decref(j);
    }
    resp_free(&r);
    return st;
}

long srv_patch(struct srv *s, const char *token, const uint8_t hh[16], const uint8_t clip[16],
               const uint8_t *bytes, size_t from, size_t to, size_t piece)
{
    char path[256], cid[33], off[64];
    long st = 0;

    hexs(cid, clip, 16);
    char suffix[128];
    snprintf(suffix, sizeof suffix, "/clips/%s/upload", cid);
    hh_path(path, sizeof path, hh, suffix);
    while (from < to) {
        size_t n = to - from < piece ? to - from : piece;
        const char *hdr[] = { off, "Content-Type: application/octet-stream", NULL };
        struct resp r;
        snprintf(off, sizeof off, "Upload-Offset: %zu", from);
        http(s, "PATCH", path, token, hdr, bytes + from, n, &r);
        st = r.status;
        resp_free(&r);
        if (st != 204)
            return st;
        from += n;
    }
    return st;
}

long srv_complete(struct srv *s, const char *token, const uint8_t hh[16], const uint8_t clip[16],
                  const uint8_t *bytes, size_t len)
{
    uint8_t sha[32];
    char path[256], cid[33], shax[65], body[256], suffix[128];
    struct resp r;
    long st;

    crypto_hash_sha256(sha, bytes, len);
    hexs(cid, clip, 16);
    hexs(shax, sha, 32);
    snprintf(suffix, sizeof suffix, "/clips/%s/complete", cid);
    hh_path(path, sizeof path, hh, suffix);
    snprintf(body, sizeof body, "{\"length\":%zu,\"sha256\":\"%s\"}", len, shax);
    http(s, "POST", path, token, NULL, (uint8_t *)body, strlen(body), &r);
    st = r.status;
    resp_free(&r);
    return st;
}

long srv_upload(struct srv *s, const char *token, const uint8_t hh[16], const uint8_t *clip,
                size_t len)
{
    porch_clip_info info;
    long st;

    REQUIRE(porch_clip_header_parse(&info, clip, len) == PORCH_OK);
    st = srv_patch(s, token, hh, info.clip_id, clip, 0, len, 1u << 20);
    if (st != 204)
        return st;
    return srv_complete(s, token, hh, info.clip_id, clip, len);
}

long long srv_log_size(struct srv *s, const char *token, const uint8_t hh[16])
{
    char path[256];
    struct resp r;
    long long n = -1;
    json_t *j;

    hh_path(path, sizeof path, hh, "/log/checkpoint");
    if (http(s, "GET", path, token, NULL, NULL, 0, &r) == 0 && r.status == 200 &&
        (j = json_loadb((const char *)r.body, r.len, 0, NULL))) {
        const char *b = json_string_value(json_object_get(j, "checkpoint"));
        uint8_t raw[PORCH_LOG_CHECKPOINT_BYTES];
        size_t got = 0;
        porch_log_checkpoint cp;
        if (b && sodium_base642bin(raw, sizeof raw, b, strlen(b), NULL, &got, NULL,
                                   sodium_base64_VARIANT_ORIGINAL) == 0 &&
            porch_log_checkpoint_decode(&cp, raw, got) == PORCH_OK)
            n = (long long)cp.tree_size;
        json_decref(j);
    }
    resp_free(&r);
    return n;
}
