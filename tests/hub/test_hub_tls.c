/*
 * test_hub_tls.c: the real porchlight-hub uploading over https to the real
 * porchlight-server (libmicrohttpd + GnuTLS) on loopback, trusting the
 * server's self-signed certificate through `server_ca`.
 *
 * Certificates are made at test time with certtool (tests/support/tlscert.c):
 * A serves, B is a certificate nobody should trust for A's server. Asserted:
 *   - with server_ca = A, `run --once` records an event, uploads the clip and
 *     delivers its notice, exits 0; the owner lists exactly that clip over
 *     https (the server checked its length and SHA-256 on completion);
 *   - with server_ca = B, and with no server_ca (the system's store), nothing
 *     reaches the server; the hub says why: the notice and the upload stay
 *     queued and the log names libcurl's certificate problem;
 *   - a server_ca that cannot be read stops the hub at start-up (exit 3)
 *     naming the file; server_ca with an http:// server is a configuration
 *     error naming the key.
 * Skips (77) without ffmpeg, certtool or the built programs.
 */
#define _GNU_SOURCE   /* strcasestr */
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
#include "../server/support/srvtest.h"
#include "tlscert.h"

static struct srv S;
static struct hubfix f;
static uint8_t server_pk[32];
static char cert_a[700], key_a[700], cert_b[700], key_b[700], video[700];

static porch_client *client(const char *ca, const porch_device_secret *dev, const uint8_t *pk)
{
    porch_client_config cfg = { .base_url = S.url, .ca_file = ca, .device = dev,
                                .server_pk = pk, .household = porch_roster_household(f.hh.roster),
                                .connect_timeout_ms = 5000, .timeout_ms = 20000 };
    porch_client *c = NULL;

    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

static void create_household(void)
{
    porch_client *anon = client(cert_a, NULL, NULL);
    uint8_t *enc = NULL;
    size_t len = 0;

    REQUIRE(porch_client_server_info(anon, server_pk, NULL, 0) == PORCH_OK);
    REQUIRE(porch_roster_encode(f.hh.roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_client_household_create(anon, enc, len, NULL, NULL) == PORCH_OK);
    free(enc);
    porch_client_free(anon);
}

/* The hub's config for server url, with server_ca = ca (NULL: no line), into
 * a fresh spool named spool. */
static void config(const char *url, const char *ca, const char *spool)
{
    char server[2048], key_hex[65], cams[1024];

    sodium_bin2hex(key_hex, sizeof key_hex, server_pk, 32);
    snprintf(server, sizeof server, "%s\nserver_key = %s%s%s", url, key_hex,
             ca ? "\nserver_ca = " : "", ca ? ca : "");
    snprintf(f.spool, sizeof f.spool, "%s/%s", f.dir, spool);
    snprintf(cams, sizeof cams, "[camera front]\nurl = %s\npreroll = 1\npostroll = 0.5\n", video);
    hubfix_config(&f, "", server, cams);
}

/* Runs `porchlight-hub run --config f.conf --once` for at most timeout_s;
 * its output into log. Returns its exit status, or -1 when it was killed. */
static int run_hub(const char *log, int timeout_s)
{
    char *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f.conf, "--once",
                     NULL };

    return hubfix_wait(hubfix_spawn(argv, log), timeout_s);
}

static size_t clips_on_server(void)
{
    porch_client *owner = client(cert_a, f.hh.owner, server_pk);
    porch_clip_query q = { .camera = "front" };
    porch_clip_list list = { 0 };
    size_t n = 0;

    CHECK_OK(porch_client_clips_list(owner, &q, &list));
    n = list.n;
    porch_clip_list_free(&list);
    porch_client_free(owner);
    return n;
}

static void trusted(void)
{
    char log[800];

    config(S.url, cert_a, "spool-a");
    snprintf(log, sizeof log, "%s/hub-a.log", f.dir);
    CHECK(run_hub(log, 120) == 0);
    CHECK(hubfix_grep(log, "delivered") == 1);
    CHECK(hubfix_grep(log, "uploaded") >= 1);
    CHECK(hubfix_count(f.spool, ".notice") == 0);
    CHECK(clips_on_server() == 1);
}

/* Nothing gets through; after a few tries the log names the certificate. */
static void untrusted(const char *ca, const char *spool)
{
    char log[800], *argv[] = { hubfix_bin("hub/porchlight-hub"), "run", "--config", f.conf,
                               "--once", NULL };
    int named = 0;

    config(S.url, ca, spool);
    snprintf(log, sizeof log, "%s/hub-%s.log", f.dir, spool);
    pid_t pid = hubfix_spawn(argv, log);
    for (int i = 0; i < 600 && !named; i++) {   /* up to 60 s: the event, then a try */
        struct timespec ts = { 0, 100000000L };
        nanosleep(&ts, NULL);
        named = hubfix_grep(log, "not delivered") > 0 && hubfix_grep(log, "certificate") > 0;
    }
    kill(pid, SIGKILL);
    hubfix_wait(pid, 10);
    CHECK(named);
    if (!named)
        fprintf(stderr, "  no certificate failure named in %s\n", log);
    CHECK(hubfix_count(f.spool, ".notice") == 1);   /* still queued */
    CHECK(clips_on_server() == 1);                  /* only the trusted run's */
}

static void bad_config(void)
{
    char log[800], missing[800];

    snprintf(missing, sizeof missing, "%s/no-such-ca.pem", f.dir);
    config(S.url, missing, "spool-m");
    snprintf(log, sizeof log, "%s/hub-m.log", f.dir);
    CHECK(run_hub(log, 30) == 3);
    CHECK(hubfix_grep(log, "server_ca") > 0 && hubfix_grep(log, missing) > 0);

    config("http://127.0.0.1:9", cert_a, "spool-h");
    snprintf(log, sizeof log, "%s/hub-h.log", f.dir);
    CHECK(run_hub(log, 30) > 0);
    CHECK(hubfix_grep(log, "server_ca applies only to an https:// server") > 0);
}

int main(void)
{
    REQUIRE(porch_init() == PORCH_OK);
    alarm(400);
    if (!hubfix_have("ffmpeg") || access(hubfix_bin("hub/porchlight-hub"), X_OK) != 0)
        return 77;
    hubfix_init(&f);
    tls_make_cert(f.dir, "a", cert_a, key_a, sizeof cert_a);
    tls_make_cert(f.dir, "b", cert_b, key_b, sizeof cert_b);
    snprintf(video, sizeof video, "%s/event.mp4", f.dir);
    REQUIRE(hubfix_video(video, 320, 240, 15, 15, 4.0, 1.0, 2.5) == 0);
    const char *extra[] = { "--tls-cert", cert_a, "--tls-key", key_a, NULL };
    srv_start_tls(&S, extra, cert_a);
    create_household();

    trusted();
    untrusted(cert_b, "spool-b");
    untrusted(NULL, "spool-s");
    bad_config();

    if (check_failures_)
        fprintf(stderr, "hub logs in %s (PORCH_KEEP_TEST_DIR=1 keeps them)\n", f.dir);
    srv_cleanup(&S);
    hubfix_free(&f);
    return CHECK_DONE();
}
