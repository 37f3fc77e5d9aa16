/*
 * test_server_config.c: porchlight-server's configuration file and flags,
 * and its log, against the real binary on loopback.
 *   - `--help` exits 0 and lists every documented key (docs/SERVER.md);
 *   - a config file sets values (json-max, quota; comments, blank lines,
 *     '-' and '_' alike), flags override the file wherever they stand;
 *   - an unknown key, a bad value, a line without '=', an unreadable file,
 *     an unknown flag and a bad flag value each exit 2 with an error naming
 *     the file and line and the key (or the flag);
 *   - the log is one JSON object per line (time_us, level) and holds no
 *     bearer token, no device secret key (raw, hex or base64) and no clip
 *     byte.
 */
#define _XOPEN_SOURCE 700
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "crypto/identity_internal.h"
#include "household.h"
#include "porchlight/file.h"
#include "support/srvtest.h"
#include "testclip.h"

static struct srv S;
static struct household H;
static char dir[256];

static void write_text(const char *path, const char *text)
{
    REQUIRE(porch_file_write_atomic(path, (const uint8_t *)text, strlen(text), 0600) ==
            PORCH_OK);
}

static void test_help(void)
{
    static const char *const keys[] = {
        "--config", "listen", "port", "data", "tls-cert", "tls-key", "quota", "clip-max",
        "patch-max", "json-max", "roster-max", "notice-max", "grant-max", "token-ttl",
        "auth-fails-per-min", "conn-limit", "threads", "idle-timeout", "header-timeout",
        "min-body-rate", "sweep", "keepalive", "trusted-proxy",
    };
    const char *args[] = { "--help", NULL };
    char out[4096];

    CHECK(srv_run_once(args, 10, out, sizeof out) == 0);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        CHECK(strstr(out, keys[i]) != NULL);
        if (!strstr(out, keys[i]))
            fprintf(stderr, "  --help does not list %s\n", keys[i]);
    }
}

/* The binary exits 2 and its output holds every non-NULL needle. */
static void refuses(const char *const *args, const char *n1, const char *n2, const char *n3)
{
    const char *needles[] = { n1, n2, n3 };
    char out[4096];
    int st = srv_run_once(args, 20, out, sizeof out), ok = st == 2;

    for (int i = 0; i < 3; i++)
        ok = ok && (!needles[i] || strstr(out, needles[i]));
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  status %d, output: %s  want: %s | %s | %s\n", st, out, n1,
                n2 ? n2 : "", n3 ? n3 : "");
}

static void test_errors(void)
{
    char unknown[300], bad[300], noeq[300], missing[300], data[300];

    snprintf(data, sizeof data, "%s/unused-data", dir);
    snprintf(unknown, sizeof unknown, "%s/unknown.conf", dir);
    snprintf(bad, sizeof bad, "%s/bad.conf", dir);
    snprintf(noeq, sizeof noeq, "%s/noeq.conf", dir);
    snprintf(missing, sizeof missing, "%s/missing.conf", dir);
    write_text(unknown, "# porchlight\n\nquota = 100\ncolour = blue\n");
    write_text(bad, "quota = 100\n\n\n\nclip_max = ten\n");
    write_text(noeq, "quota 100\n");
    const char *a1[] = { "--data", data, "--config", unknown, NULL };
    refuses(a1, unknown, ":4:", "unknown key 'colour'");
    const char *a2[] = { "--data", data, "--config", bad, NULL };
    refuses(a2, bad, ":5:", "bad value for 'clip_max'");
    const char *a3[] = { "--data", data, "--config", noeq, NULL };
    refuses(a3, noeq, ":1:", "key = value");
    const char *a4[] = { "--data", data, "--config", missing, NULL };
    refuses(a4, missing, "No such file", NULL);
    const char *a5[] = { "--data", data, "--config", dir, NULL };   /* a directory */
    refuses(a5, dir, "cannot read", NULL);
    const char *a6[] = { "--data", data, "--colour", "blue", NULL };
    refuses(a6, "unknown flag --colour", NULL, NULL);
    const char *a7[] = { "--data", data, "--quota", "lots", NULL };
    refuses(a7, "bad value for --quota", "lots", NULL);
    const char *a8[] = { "--data", data, "--port", "70000", NULL };
    refuses(a8, "bad value for --port", NULL, NULL);
    const char *a9[] = { "--data", data, "--quota", NULL };   /* a flag without its value */
    refuses(a9, "usage", NULL, NULL);
    CHECK(access(data, F_OK) != 0);   /* none of them started anything */
}

/* POST a JSON body of n bytes (a valid-looking challenge request padded with
 * spaces): 413 when over json_max, else a 4xx of another kind. */
static long json_of_size(size_t n)
{
    char *b = malloc(n);
    struct resp r;
    long st;

    REQUIRE(b && n > 2);
    memset(b, ' ', n);
    b[0] = '{';
    b[n - 1] = '}';
    http(&S, "POST", "/v1/auth/challenge", NULL, NULL, (uint8_t *)b, n, &r);
    st = r.status;
    resp_free(&r);
    free(b);
    return st;
}

/* A clip of the household's hub, uploaded (complete's status, or the PATCH's). */
static long upload(const struct test_clip *tc, const char *hub_token)
{
    return srv_upload(&S, hub_token, porch_roster_household(H.roster), tc->bytes, tc->len);
}

/* Needle (n bytes) in the log, raw, as lower-case hex and as base64 (both variants). */
static int log_has(const uint8_t *needle, size_t n)
{
    uint8_t *log = NULL;
    size_t len = 0;
    char hex[200], b64[200], b64u[200];
    int found = 0;

    REQUIRE(n <= 64);
    REQUIRE(porch_file_read(S.log, 64u << 20, &log, &len) == PORCH_OK);
    sodium_bin2hex(hex, sizeof hex, needle, n);
    sodium_bin2base64(b64, sizeof b64, needle, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    sodium_bin2base64(b64u, sizeof b64u, needle, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    const void *forms[] = { needle, hex, b64, b64u };
    size_t lens[] = { n, strlen(hex), strlen(b64), strlen(b64u) };
    for (int f = 0; f < 4 && !found; f++)
        for (size_t i = 0; i + lens[f] <= len && !found; i++)
            found = !memcmp(log + i, forms[f], lens[f]);
    free(log);
    return found;
}

static void check_log_structured(void)
{
    uint8_t *log = NULL;
    size_t len = 0, lines = 0;
    char *save = NULL;

    REQUIRE(porch_file_read(S.log, 64u << 20, &log, &len) == PORCH_OK);
    char *text = realloc(log, len + 1);
    REQUIRE(text);
    text[len] = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(l, 0, NULL);
        int ok = json_is_object(j) && json_is_integer(json_object_get(j, "time_us")) &&
                 json_is_string(json_object_get(j, "level"));
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  log line is not structured: %s\n", l);
        json_decref(j);
        lines++;
    }
    CHECK(lines >= 10);
    free(text);
}

static void test_file_and_flags(void)
{
    char conf[300], t_hub[64], t_owner[64];
    struct test_clip big;
    const uint8_t *hh = porch_roster_household(H.roster);

    snprintf(conf, sizeof conf, "%s/server.conf", dir);
    /* port, data and listen come from srvtest's flags, which win over these */
    write_text(conf, "# test configuration\n\njson-max = 600\n  quota=1000  \n"
                     "port = 1\ndata = /nonexistent/porch\n\n");
    const char *file_only[] = { "--config", conf, NULL };
    srv_start(&S, file_only);
    CHECK(json_of_size(500) == 400);   /* under json_max: a plain bad request */
    CHECK(json_of_size(800) == 413);   /* over the file's json_max */
    CHECK(srv_create_household(&S, H.roster) == 201);
    CHECK(srv_login(&S, H.hub, hh, t_hub) == 200);
    CHECK(srv_login(&S, H.owner, hh, t_owner) == 200);
    test_clip_make(&big, &H, "front", 3, 1000);
    REQUIRE(big.len > 1000);
    CHECK(upload(&big, t_hub) == 413);   /* the file's quota */
    srv_stop(&S);

    /* a flag before --config still wins */
    const char *flag_wins[] = { "--quota", "10000000", "--config", conf, NULL };
    for (int i = 0; i < 5; i++)
        S.extra[i] = flag_wins[i];
    srv_restart(&S);
    CHECK(json_of_size(800) == 413);   /* the file still sets json_max */
    CHECK(srv_login(&S, H.hub, hh, t_hub) == 200);
    CHECK(srv_login(&S, H.owner, hh, t_owner) == 200);
    CHECK(upload(&big, t_hub) == 201);   /* the flag's quota */
    char path[300];
    struct resp r;
    hh_path(path, sizeof path, hh, "/clips");
    CHECK(http(&S, "GET", path, t_owner, NULL, NULL, 0, &r) == 0 && r.status == 200);
    resp_free(&r);
    srv_stop(&S);

    /* nothing secret in the log */
    check_log_structured();
    CHECK(!log_has((const uint8_t *)t_hub, strlen(t_hub)) &&
          !log_has((const uint8_t *)t_owner, strlen(t_owner)));
    const porch_device_secret *devs[] = { H.owner, H.hub };
    for (int i = 0; i < 2; i++) {
        CHECK(!log_has(devs[i]->sign_sk, 32));   /* the Ed25519 seed */
        CHECK(!log_has(devs[i]->box_sk, 32));
    }
    CHECK(!log_has(big.bytes + big.record_off[1], 32));   /* sealed content */
    test_clip_free(&big);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/porch-config-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    REQUIRE(mkdtemp(dir) != NULL);
    household_init(&H);
    test_help();
    test_errors();
    test_file_and_flags();
    household_free(&H);
    srv_cleanup(&S);
    const char *files[] = { "unknown.conf", "bad.conf", "noeq.conf", "server.conf" };
    for (int i = 0; i < 4; i++) {
        char p[300];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    return CHECK_DONE();
}
