/*
 * server.c: the server state file and the client the server verbs share.
 *
 *   porch-server-state v1
 *   url http://127.0.0.1:8080
 *   server_pk <64 hex>          pinned at `porch pair`
 *   household <32 hex>|-
 *   log <258 hex>|-             last verified log checkpoint (the audit monitor)
 *
 * The file is rewritten atomically (mode 0600). The pinned key is what the
 * client binds into every login and checks every log checkpoint against, so
 * replacing the server behind the URL is detected (PORCH_ERR_SERVER_KEY or a
 * failed login) rather than trusted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"

#include "common.h"
#include "server.h"

#define SSTATE_MAGIC "porch-server-state v1\n"
#define SSTATE_MAX 2048u

static int parse_hex_field(const char *text, const char *key, uint8_t *out, size_t n, int *have)
{
    char want[32];
    const char *p;
    size_t klen = (size_t)snprintf(want, sizeof want, "\n%s ", key);

    *have = 0;
    if (!(p = strstr(text, want)))
        return PORCH_ERR_MALFORMED;
    p += klen;
    if (p[0] == '-' && p[1] == '\n')
        return PORCH_OK;
    if (sodium_hex2bin(out, n, p, 2 * n, NULL, NULL, NULL) != 0 || p[2 * n] != '\n')
        return PORCH_ERR_MALFORMED;
    *have = 1;
    return PORCH_OK;
}

static int sstate_parse(const char *text, struct cli_server *s)
{
    const char *u, *e;
    uint8_t cp[PORCH_LOG_CHECKPOINT_BYTES];
    int have_pk = 0, have_log = 0;

    if (strncmp(text, SSTATE_MAGIC, strlen(SSTATE_MAGIC)) != 0)
        return PORCH_ERR_BAD_MAGIC;
    if (!(u = strstr(text, "\nurl ")) || !(e = strchr(u + 5, '\n')) ||
        (size_t)(e - u - 5) >= sizeof s->url || e == u + 5)
        return PORCH_ERR_MALFORMED;
    memcpy(s->url, u + 5, (size_t)(e - u - 5));
    s->url[e - u - 5] = '\0';
    if (parse_hex_field(text, "server_pk", s->server_pk, 32, &have_pk) != PORCH_OK || !have_pk ||
        parse_hex_field(text, "household", s->household, 16, &s->have_household) != PORCH_OK ||
        parse_hex_field(text, "log", cp, sizeof cp, &have_log) != PORCH_OK)
        return PORCH_ERR_MALFORMED;
    s->have_server_pk = 1;
    porch_log_monitor_init(&s->monitor, s->household, s->server_pk);
    if (have_log) {
        if (porch_log_checkpoint_decode(&s->monitor.head, cp, sizeof cp) != PORCH_OK)
            return PORCH_ERR_MALFORMED;
        s->monitor.have_head = 1;
    }
    return PORCH_OK;
}

int cli_server_load(const char *path, struct cli_server *s)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    char text[SSTATE_MAX + 2];
    int rc;

    memset(s, 0, sizeof *s);
    if ((rc = cli_read(path, SSTATE_MAX, "server state file", &buf, &len)) != PORCH_EXIT_OK)
        return rc;
    text[0] = '\0';
    memcpy(text, buf, len);
    text[len] = '\0';
    free(buf);
    if (strlen(text) != len || sstate_parse(text, s) != PORCH_OK)
        return cli_failf(PORCH_EXIT_BAD, path, "server state file: not a '%s' file [%s]",
                         "porch-server-state v1", porch_errname(PORCH_ERR_MALFORMED));
    return PORCH_EXIT_OK;
}

int cli_server_save(const char *path, const struct cli_server *s)
{
    char pk[65], hh[33] = "-", log[2 * PORCH_LOG_CHECKPOINT_BYTES + 1] = "-";
    char text[SSTATE_MAX];
    uint8_t cp[PORCH_LOG_CHECKPOINT_BYTES];
    int n;

    cli_hex(pk, s->server_pk, 32);
    if (s->have_household)
        cli_hex(hh, s->household, 16);
    if (s->monitor.have_head && porch_log_checkpoint_encode(&s->monitor.head, cp) == PORCH_OK)
        cli_hex(log, cp, sizeof cp);
    n = snprintf(text, sizeof text, "%surl %s\nserver_pk %s\nhousehold %s\nlog %s\n",
                 SSTATE_MAGIC, s->url, pk, hh, log);
    if (n < 0 || (size_t)n >= sizeof text)
        return cli_failf(PORCH_EXIT_USAGE, path, "server URL too long");
    return cli_write(path, (const uint8_t *)text, (size_t)n, 0600);
}

int cli_client_open(const struct cli_server *s, const porch_device_secret *dev,
                    const char *ca_file, porch_client **out)
{
    porch_client_config cfg = {0};
    int ret;

    cfg.base_url = s->url;
    cfg.ca_file = ca_file ? ca_file : getenv("PORCH_CA_FILE");
    cfg.server_pk = s->have_server_pk ? s->server_pk : NULL;
    cfg.device = dev;
    cfg.household = s->have_household ? s->household : NULL;
    if ((ret = porch_client_new(out, &cfg)) != PORCH_OK)
        return cli_fail(ret, s->url, "HTTP client");
    return PORCH_EXIT_OK;
}

int cli_server_fail(int err, const porch_client *c, const char *what)
{
    const char *sym = c ? porch_client_last_error(c) : "";
    long status = c ? porch_client_last_status(c) : 0;
    const char *why = c ? porch_client_last_transport_error(c) : "";
    if (status)
        return cli_fail(err, "server", "%s (HTTP %ld%s%s)", what, status, *sym ? " " : "", sym);
    if (err == PORCH_ERR_HTTP && *why)
        return cli_fail(err, "server", "%s (%s)", what, why);
    return cli_fail(err, "server", "%s", what);
}

int cli_parse_hex(const char *hex, uint8_t *out, size_t n, const char *what)
{
    if (!hex || strlen(hex) != 2 * n ||
        sodium_hex2bin(out, n, hex, 2 * n, NULL, NULL, NULL) != 0)
        return cli_usage(what, "expected %zu hex digits", 2 * n);
    return PORCH_EXIT_OK;
}

int cli_parse_u64(const char *text, uint64_t *out, const char *what)
{
    char *end;
    if (!text || !*text || *text == '-')
        return cli_usage(what, "expected a non-negative integer");
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end)
        return cli_usage(what, "expected a non-negative integer, not '%s'", text);
    *out = v;
    return PORCH_EXIT_OK;
}

int cli_fpr_equal(const char *a, const char *b)
{
    for (;; a++, b++) {
        while (*a == '-' || *a == ' ')
            a++;
        while (*b == '-' || *b == ' ')
            b++;
        char x = (char)(*a >= 'A' && *a <= 'Z' ? *a + 32 : *a);
        char y = (char)(*b >= 'A' && *b <= 'Z' ? *b + 32 : *b);
        if (x != y)
            return 0;
        if (!x)
            return 1;
    }
}

int cli_session_open(struct cli_session *ss, const char *state, const char *key,
                     const char *passfile, const char *ca)
{
    int rc;
    memset(ss, 0, sizeof *ss);
    if ((rc = cli_server_load(state, &ss->s)) != PORCH_EXIT_OK)
        return rc;
    if (!ss->s.have_household)
        return cli_failf(PORCH_EXIT_USAGE, state, "no household: run 'porch pair' with --roster");
    if ((rc = cli_load_secret(key, passfile, &ss->dev)) != PORCH_EXIT_OK)
        return rc;
    return cli_client_open(&ss->s, ss->dev, ca, &ss->c);
}

void cli_session_close(struct cli_session *ss)
{
    porch_client_free(ss->c);
    porch_device_free(ss->dev);
    memset(ss, 0, sizeof *ss);
}
