/*
 * test_server_proxy.c: porchlight-server behind real nginx (Debian
 * nginx-light, started unprivileged-style by the test in its own directory),
 * configured as docs/SERVER.md "Reverse proxy" shows: X-Forwarded-For set
 * (replaced) to the client's address, uploads and responses streamed.
 *
 * Addresses are all loopback: nginx listens on 127.0.0.1 and connects to the
 * server from 127.0.0.2 (proxy_bind), so the server can tell it from direct
 * clients; test clients bind 127.0.0.3.. as their source. Rate limits
 * (--auth-fails-per-min 3, failed token requests with fresh device keys so
 * only the address bucket runs out) show which address the server sees:
 *   - the client library works through nginx: pairing, household, login,
 *     upload, list, fetch byte for byte;
 *   - proxy trusted (--trusted-proxy 127.0.0.2): clients behind nginx have
 *     buckets of their own (one limited, the next not);
 *   - a direct client is not trusted: its X-Forwarded-For is ignored, so
 *     spoofing a new address does not refill its bucket;
 *   - proxy not trusted (restart without --trusted-proxy): every client behind
 *     nginx shares nginx's bucket.
 */
#define _XOPEN_SOURCE 700
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "household.h"
#include "porchlight/client.h"
#include "porchlight/file.h"
#include "support/srvtest.h"
#include "testclip.h"

extern char **environ;

static struct srv S;
static struct household H;
static pid_t nginx_pid;
static int nginx_port;
static char ndir[600], nginx_url[64];

static const char nginx_conf[] =
    "daemon off;\n"
    "master_process off;\n"   /* one process: a SIGKILL leaves no worker behind */
    "worker_processes 1;\n"
    "pid %s/nginx.pid;\n"
    "error_log %s/error.log warn;\n"
    "%s"
    "events { worker_connections 256; }\n"
    "http {\n"
    "  access_log %s/access.log;\n"
    "  client_body_temp_path %s/body;\n"
    "  proxy_temp_path %s/proxy;\n"
    "  fastcgi_temp_path %s/fastcgi;\n"
    "  uwsgi_temp_path %s/uwsgi;\n"
    "  scgi_temp_path %s/scgi;\n"
    "  server {\n"
    "    listen 127.0.0.1:%d;\n"
    "    client_max_body_size 64m;\n"
    "    proxy_request_buffering off;\n"
    "    proxy_buffering off;\n"
    "    location /v1/ {\n"
    "      proxy_pass http://127.0.0.1:%d;\n"
    "      proxy_bind 127.0.0.2;\n"
    "      proxy_http_version 1.1;\n"
    "      proxy_set_header Connection \"\";\n"
    "      proxy_set_header X-Forwarded-For $remote_addr;\n"
    "    }\n"
    "  }\n"
    "}\n";

static const char *nginx_bin(void)
{
    static const char *const paths[] = { "/usr/sbin/nginx", "/usr/bin/nginx" };

    for (size_t i = 0; i < 2; i++)
        if (access(paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

static size_t discard(char *p, size_t s, size_t n, void *c)
{
    (void)p, (void)c;
    return s * n;
}

/* GET url: the status, 0 on a transport failure. */
static long get_status(const char *url)
{
    CURL *k = curl_easy_init();
    long st = 0;

    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(k) == CURLE_OK)
        curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_cleanup(k);
    return st;
}

static void nginx_start(void)
{
    const char *bin = nginx_bin();
    char conf[4096], path[800], log[800], health[128];
    posix_spawn_file_actions_t fa;

    if (!bin)
        SKIP("nginx not installed (nginx-light; scripts/deps.sh)");
    snprintf(ndir, sizeof ndir, "%s/nginx", S.dir);
    REQUIRE(mkdir(ndir, 0700) == 0);
    nginx_port = 0;
    for (int tries = 0; tries < 5 && !nginx_pid; tries++) {
        nginx_port = srv_free_port();
        int n = snprintf(conf, sizeof conf, nginx_conf, ndir, ndir,
                         geteuid() == 0 ? "user root;\n" : "", ndir, ndir, ndir, ndir, ndir, ndir,
                         nginx_port, S.port);
        REQUIRE(n > 0 && (size_t)n < sizeof conf);
        snprintf(path, sizeof path, "%s/nginx.conf", ndir);
        snprintf(log, sizeof log, "%s/error.log", ndir);
        REQUIRE(porch_file_write_atomic(path, (uint8_t *)conf, (size_t)n, 0600) == PORCH_OK);
        const char *argv[] = { bin, "-p", ndir, "-c", path, "-e", log, NULL };
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        REQUIRE(posix_spawn(&nginx_pid, bin, &fa, NULL, (char *const *)argv, environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        srv_track_child(nginx_pid);
        snprintf(nginx_url, sizeof nginx_url, "http://127.0.0.1:%d", nginx_port);
        snprintf(health, sizeof health, "%s/v1/health", nginx_url);
        for (int i = 0; i < 200; i++) {   /* up to 10 s */
            int st;
            if (get_status(health) == 200)
                return;
            if (waitpid(nginx_pid, &st, WNOHANG) == nginx_pid) {   /* port taken? */
                nginx_pid = 0;
                srv_track_child(0);
                break;
            }
            usleep(50000);
        }
    }
    REQUIRE(!"nginx did not start (see its error.log)");
}

static void nginx_stop(void)
{
    if (nginx_pid <= 0)
        return;
    kill(nginx_pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(nginx_pid, NULL, WNOHANG) == nginx_pid) {
            nginx_pid = 0;
            break;
        }
        usleep(50000);
    }
    if (nginx_pid > 0) {
        kill(nginx_pid, SIGKILL);
        waitpid(nginx_pid, NULL, 0);
    }
    nginx_pid = 0;
    srv_track_child(0);
}

/* A failed token request (a fresh device key, a made-up challenge) to base,
 * from source address src, with an X-Forwarded-For header when xff. */
static long failed_login(const char *base, const char *src, const char *xff)
{
    uint8_t dev[32], c[32], sig[64];
    char body[512], hx[33], dx[65], cx[65], sx[129], url[128], iface[64], hdr[96];
    struct curl_slist *h = NULL;
    CURL *k = curl_easy_init();
    long st = 0;

    randombytes_buf(dev, sizeof dev);
    randombytes_buf(c, sizeof c);
    randombytes_buf(sig, sizeof sig);
    hexs(hx, porch_roster_household(H.roster), 16);
    hexs(dx, dev, 32);
    hexs(cx, c, 32);
    hexs(sx, sig, 64);
    snprintf(body, sizeof body,
             "{\"household\":\"%s\",\"device\":\"%s\",\"challenge\":\"%s\",\"signature\":\"%s\"}",
             hx, dx, cx, sx);
    snprintf(url, sizeof url, "%s/v1/auth/token", base);
    snprintf(iface, sizeof iface, "host!%s", src);
    h = curl_slist_append(h, "Content-Type: application/json");
    if (xff) {
        snprintf(hdr, sizeof hdr, "X-Forwarded-For: %s", xff);
        h = curl_slist_append(h, hdr);
    }
    curl_easy_setopt(k, CURLOPT_URL, url);
    curl_easy_setopt(k, CURLOPT_INTERFACE, iface);
    curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(k, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(k) == CURLE_OK)
        curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &st);
    curl_slist_free_all(h);
    curl_easy_cleanup(k);
    return st;
}

/* n failures (401 each), then the next is limited (429). */
static void exhaust(const char *base, const char *src, const char *xff, int n)
{
    for (int i = 0; i < n; i++)
        CHECK(failed_login(base, src, xff) == 401);
    CHECK(failed_login(base, src, xff) == 429);
}

static porch_client *client(const porch_device_secret *dev, const uint8_t *pk)
{
    porch_client_config cfg = { .base_url = nginx_url, .device = dev, .server_pk = pk,
                                .household = porch_roster_household(H.roster) };
    porch_client *c = NULL;

    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

static void through_nginx(void)
{
    uint8_t pk[32], *enc = NULL, *got = NULL;
    size_t len = 0, got_len = 0;
    porch_clip_list l = { 0 };
    struct test_clip tc;
    porch_clip_info info;

    porch_client *anon = client(NULL, NULL);
    CHECK_OK(porch_client_server_info(anon, pk, NULL, 0));
    REQUIRE(porch_roster_encode(H.roster, &enc, &len) == PORCH_OK);
    CHECK_OK(porch_client_household_create(anon, enc, len, NULL, NULL));
    free(enc);
    porch_client_free(anon);
    porch_client *hub = client(H.hub, pk), *owner = client(H.owner, pk);
    test_clip_make(&tc, &H, "front", 6, 40000);   /* several PATCHes */
    REQUIRE(porch_clip_header_parse(&info, tc.bytes, tc.len) == PORCH_OK);
    CHECK_OK(porch_client_upload(hub, info.clip_id, tc.bytes, tc.len));
    CHECK_OK(porch_client_clips_list(owner, &(porch_clip_query){ 0 }, &l));
    CHECK(l.n == 1 && l.n && !memcmp(l.items[0].clip_id, info.clip_id, 16));
    porch_clip_list_free(&l);
    CHECK_OK(porch_client_clip_get(owner, info.clip_id, &got, &got_len));
    CHECK(got_len == tc.len && got && !memcmp(got, tc.bytes, tc.len));
    free(got);
    porch_client_free(hub);
    porch_client_free(owner);
    test_clip_free(&tc);
}

int main(void)
{
    const char *trusted[] = { "--trusted-proxy", "127.0.0.2", "--auth-fails-per-min", "3", NULL };

    household_init(&H);
    srv_start(&S, trusted);
    nginx_start();
    through_nginx();

    /* trusted: each client behind nginx has its own bucket */
    exhaust(nginx_url, "127.0.0.3", NULL, 3);
    CHECK(failed_login(nginx_url, "127.0.0.4", NULL) == 401);
    /* nginx replaces a client's X-Forwarded-For: no escape from the bucket */
    CHECK(failed_login(nginx_url, "127.0.0.3", "127.0.0.99") == 429);
    /* direct and untrusted: X-Forwarded-For is ignored */
    exhaust(S.url, "127.0.0.5", "127.0.0.50", 3);
    CHECK(failed_login(S.url, "127.0.0.5", "127.0.0.51") == 429);
    CHECK(failed_login(S.url, "127.0.0.6", "127.0.0.5") == 401);

    /* not trusted: everyone behind nginx is nginx */
    srv_stop(&S);
    const char *untrusted[] = { "--auth-fails-per-min", "3", NULL };
    for (int i = 0; i < 24; i++)
        S.extra[i] = i < 3 ? untrusted[i] : NULL;
    srv_restart(&S);
    exhaust(nginx_url, "127.0.0.3", NULL, 3);
    CHECK(failed_login(nginx_url, "127.0.0.4", NULL) == 429);
    CHECK(failed_login(S.url, "127.0.0.6", NULL) == 401);   /* direct: its own bucket */

    nginx_stop();
    household_free(&H);
    srv_cleanup(&S);
    return CHECK_DONE();
}
