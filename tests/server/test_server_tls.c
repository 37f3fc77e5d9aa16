/*
 * test_server_tls.c: porchlight-server with --tls-cert/--tls-key
 * (libmicrohttpd + GnuTLS) on loopback, and the client library (libcurl)
 * over https with the server's self-signed certificate as its CA file.
 *
 * Certificates are made at test time with certtool (Debian gnutls-bin, in
 * scripts/deps.sh): A serves, B is another self-signed certificate nobody
 * should trust for A's server. Asserted:
 *   - bad TLS files stop the server at start-up (exit 2) with an error that
 *     names the key and the file: missing cert, missing key, a file that is not
 *     PEM, a key of another certificate, a key without a certificate;
 *   - pairing (server info, household creation), login, upload, list and
 *     fetch through lib/client over https with A pinned as CA: byte for byte;
 *   - a client trusting B, and one trusting only the system store, are refused
 *     with PORCH_ERR_HTTP, no HTTP status, and libcurl's certificate reason;
 *   - plain HTTP to the TLS port gets no HTTP answer; the server stays up;
 *   - the CLI: `porch pair --ca-file A` pairs over https; without it, or with
 *     B, it fails naming the certificate problem;
 *   - the server log holds neither the bearer token nor the TLS key's bytes.
 */
#define _GNU_SOURCE   /* nftw, strcasestr */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "client/client_internal.h"
#include "household.h"
#include "porchlight/file.h"
#include "support/srvtest.h"
#include "testclip.h"
#include "tlscert.h"

static struct srv S;
static struct household H;
static char dir[256], cert_a[300], key_a[300], cert_b[300], key_b[300], junk[300];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void remove_dir(void)
{
    if (dir[0])
        nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    dir[0] = 0;
}

/* The server refuses to start: status 2, and the output names every needle. */
static void refuses(const char *const *args, const char *n1, const char *n2)
{
    char out[4096];
    int st = srv_run_once(args, 30, out, sizeof out);

    CHECK(st == 2);
    CHECK(strstr(out, n1) != NULL);
    CHECK(!n2 || strstr(out, n2) != NULL);
    if (st != 2 || !strstr(out, n1) || (n2 && !strstr(out, n2)))
        fprintf(stderr, "  server said (status %d): %s\n", st, out);
}

static void test_bad_files(void)
{
    char data[300], missing[300];

    snprintf(data, sizeof data, "%s/unused-data", dir);
    snprintf(missing, sizeof missing, "%s/no-such.crt", dir);
    const char *no_cert[] = { "--port", "0", "--data", data, "--tls-cert", missing,
                              "--tls-key", key_a, NULL };
    refuses(no_cert, "tls_cert", missing);
    const char *no_key[] = { "--port", "0", "--data", data, "--tls-cert", cert_a,
                             "--tls-key", missing, NULL };
    refuses(no_key, "tls_key", missing);
    const char *not_pem[] = { "--port", "0", "--data", data, "--tls-cert", junk,
                              "--tls-key", key_a, NULL };
    refuses(not_pem, "tls_cert", junk);
    const char *key_not_pem[] = { "--port", "0", "--data", data, "--tls-cert", cert_a,
                                  "--tls-key", junk, NULL };
    refuses(key_not_pem, "tls_key", junk);
    const char *mismatch[] = { "--port", "0", "--data", data, "--tls-cert", cert_a,
                               "--tls-key", key_b, NULL };
    refuses(mismatch, key_b, cert_a);
    const char *key_only[] = { "--port", "0", "--data", data, "--tls-key", key_a, NULL };
    refuses(key_only, "tls_cert", NULL);
    CHECK(access(data, F_OK) != 0);   /* nothing was started, not even the store */
}

static porch_client *client(const char *url, const char *ca, const porch_device_secret *dev,
                            const uint8_t *pk)
{
    porch_client_config cfg = { .base_url = url, .ca_file = ca, .device = dev,
                                .server_pk = pk, .household = porch_roster_household(H.roster),
                                .connect_timeout_ms = 5000, .timeout_ms = 20000 };
    porch_client *c = NULL;

    REQUIRE(porch_client_new(&c, &cfg) == PORCH_OK);
    return c;
}

/* Refused before any HTTP: PORCH_ERR_HTTP, no status, a reason naming the cause. */
static void refused(porch_client *c, const char *reason)
{
    uint8_t pk[32];
    const char *why;

    CHECK_ERR(porch_client_server_info(c, pk, NULL, 0), PORCH_ERR_HTTP);
    CHECK(porch_client_last_status(c) == 0);
    why = porch_client_last_transport_error(c);
    CHECK(why[0] != 0);
    if (reason) {
        CHECK(strcasestr(why, reason) != NULL);
        if (!strcasestr(why, reason))
            fprintf(stderr, "  transport error: %s (want \"%s\")\n", why, reason);
    }
}

/* Whether the file at path contains needle (len bytes). */
static int file_has(const char *path, const void *needle, size_t len)
{
    uint8_t *b = NULL;
    size_t n = 0;
    int found = 0;

    if (porch_file_read(path, 64u << 20, &b, &n) != PORCH_OK)
        return -1;
    for (size_t i = 0; len && i + len <= n && !found; i++)
        found = !memcmp(b + i, needle, len);
    free(b);
    return found;
}

static void create_household(porch_client *c)
{
    uint8_t *enc = NULL, hh[16];
    size_t len = 0;

    REQUIRE(porch_roster_encode(H.roster, &enc, &len) == PORCH_OK);
    CHECK_OK(porch_client_household_create(c, enc, len, hh, NULL));
    CHECK(!memcmp(hh, porch_roster_household(H.roster), 16));
    free(enc);
}

/* `porch pair` over https, with ca (or none): exit status, output in out. */
static int cli_pair(const char *ca, char *out, size_t cap)
{
    char roster[300], state[300], fpr[PORCH_FINGERPRINT_STR_BYTES];
    uint8_t *enc = NULL;
    size_t len = 0;

    snprintf(roster, sizeof roster, "%s/roster.bin", dir);
    snprintf(state, sizeof state, "%s/owner.state", dir);
    unlink(state);
    REQUIRE(porch_roster_encode(H.roster, &enc, &len) == PORCH_OK);
    REQUIRE(porch_file_write_atomic(roster, enc, len, 0600) == PORCH_OK);
    free(enc);
    REQUIRE(porch_fingerprint(porch_device_public_of(H.owner), fpr) == PORCH_OK);
    const char *with[] = { "pair", "--server", S.url, "--server-state", state, "--roster", roster,
                           "--pin", fpr, "--ca-file", ca, NULL };
    if (!ca)
        with[9] = NULL;
    return srv_run_prog("cli/porch", with, 30, out, cap);
}

static void test_cli(void)
{
    char out[4096];
    int st;

    CHECK((st = cli_pair(cert_a, out, sizeof out)) == 0 && strstr(out, "fingerprint"));
    if (st != 0)
        fprintf(stderr, "  porch pair --ca-file A: %d %s\n", st, out);
    CHECK((st = cli_pair(cert_b, out, sizeof out)) != 0 && strcasestr(out, "certificate"));
    if (st == 0 || !strcasestr(out, "certificate"))
        fprintf(stderr, "  porch pair --ca-file B: %d %s\n", st, out);
    CHECK((st = cli_pair(NULL, out, sizeof out)) != 0 && strcasestr(out, "certificate"));
}

static void test_https(void)
{
    const char *extra[] = { "--tls-cert", cert_a, "--tls-key", key_a, NULL };
    uint8_t pk[32], *got = NULL, *key_pem = NULL;
    char plain_url[64], token[TOKEN_MAX + 1] = "";
    size_t got_len = 0, key_len = 0;
    porch_clip_list list = { 0 };
    struct test_clip clip;
    porch_role role;
    char ver[32];

    srv_start_tls(&S, extra, cert_a);
    CHECK(strncmp(S.url, "https://", 8) == 0);

    /* pairing: the server's key, then the household, over https */
    porch_client *anon = client(S.url, cert_a, NULL, NULL);
    CHECK_OK(porch_client_server_info(anon, pk, ver, sizeof ver));
    create_household(anon);
    porch_client_free(anon);

    porch_client *hub = client(S.url, cert_a, H.hub, pk);
    porch_client *owner = client(S.url, cert_a, H.owner, pk);
    CHECK_OK(porch_client_login(hub, &role));
    CHECK(role == PORCH_ROLE_HUB);
    CHECK_OK(porch_client_login(owner, &role));
    CHECK(role == PORCH_ROLE_ADMIN);
    if (owner->token)
        snprintf(token, sizeof token, "%s", owner->token);

    test_clip_make(&clip, &H, "front", 4, 3000);
    porch_clip_info info;
    REQUIRE(porch_clip_header_parse(&info, clip.bytes, clip.len) == PORCH_OK);
    CHECK_OK(porch_client_upload(hub, info.clip_id, clip.bytes, clip.len));
    CHECK_OK(porch_client_clips_list(owner, &(porch_clip_query){ 0 }, &list));
    CHECK(list.n == 1 && list.n && !memcmp(list.items[0].clip_id, info.clip_id, 16) &&
          list.items[0].size == clip.len);
    porch_clip_list_free(&list);
    CHECK_OK(porch_client_clip_get(owner, info.clip_id, &got, &got_len));
    CHECK(got_len == clip.len && got && !memcmp(got, clip.bytes, clip.len));
    free(got);

    /* clients that do not trust the certificate */
    porch_client *other_ca = client(S.url, cert_b, NULL, NULL);
    refused(other_ca, "certificate");
    porch_client_free(other_ca);
    porch_client *system_ca = client(S.url, NULL, NULL, NULL);
    refused(system_ca, "certificate");
    porch_client_free(system_ca);

    /* plain HTTP to the TLS port: no HTTP answer at all */
    snprintf(plain_url, sizeof plain_url, "http://127.0.0.1:%d", S.port);
    porch_client *plain = client(plain_url, NULL, NULL, NULL);
    refused(plain, NULL);
    porch_client_free(plain);
    struct resp r;
    CHECK(http(&S, "GET", "/v1/health", NULL, NULL, NULL, 0, &r) == 0 && r.status == 200);
    resp_free(&r);
    /* and the pinned client still works after all that */
    CHECK_OK(porch_client_clips_list(owner, &(porch_clip_query){ 0 }, &list));
    CHECK(list.n == 1);
    porch_clip_list_free(&list);

    test_cli();
    porch_client_free(hub);
    porch_client_free(owner);
    srv_stop(&S);
    /* the log: nothing secret (the token, the TLS key's body) */
    CHECK(token[0] && file_has(S.log, token, strlen(token)) == 0);
    REQUIRE(porch_file_read(key_a, 4096, &key_pem, &key_len) == PORCH_OK && key_len > 100);
    CHECK(file_has(S.log, key_pem + 40, 40) == 0);   /* inside the base64 body */
    free(key_pem);
    test_clip_free(&clip);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/porch-tls-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    REQUIRE(mkdtemp(dir) != NULL);
    atexit(remove_dir);
    tls_make_cert(dir, "a", cert_a, key_a, sizeof cert_a);
    tls_make_cert(dir, "b", cert_b, key_b, sizeof cert_b);
    snprintf(junk, sizeof junk, "%s/junk.pem", dir);
    REQUIRE(porch_file_write_atomic(junk, (const uint8_t *)"not a certificate\n", 18, 0600) ==
            PORCH_OK);
    household_init(&H);
    test_bad_files();
    test_https();
    household_free(&H);
    srv_cleanup(&S);
    return CHECK_DONE();
}
