/*
 * config.c: `key = value` configuration lines (# comments) and flags with the
 * same names. Every value is checked; an unknown key is an error, so a typo
 * cannot silently fall back to a default.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "server/srv.h"

void porch_srv_config_defaults(porch_srv_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1");
    c->port = 8443;
    snprintf(c->data, sizeof c->data, "data");
    c->quota = UINT64_C(10) << 30;
    c->clip_max = UINT64_C(2) << 30;
    c->patch_max = UINT64_C(64) << 20;
    c->json_max = 64u << 10;
    c->roster_max = 1u << 20;
    c->notice_max = 64u << 10;
    c->grant_max = 4u << 20;
    c->token_ttl_s = 15 * 60;
    c->auth_fails_per_min = 10;
    c->conn_limit = 4096;
    c->threads = 32;   /* MHD workers, and as many pool threads for handlers that wait for fsyncs */
    c->idle_timeout_s = 120;
    c->header_timeout_s = 60;
    c->min_body_rate = 1024;
    c->sweep_s = 10;
    c->keepalive_s = 15;
}

struct key {
    const char *name;
    int kind;               /* 0 string, 1 u64, 2 unsigned */
    size_t off, size;
    uint64_t min, max;
};

#define S(n, f) { n, 0, offsetof(porch_srv_config, f), sizeof(((porch_srv_config *)0)->f), 0, 0 }
#define U(n, f, lo, hi) { n, 1, offsetof(porch_srv_config, f), 0, lo, hi }
#define W(n, f, lo, hi) { n, 2, offsetof(porch_srv_config, f), 0, lo, hi }
static const struct key keys[] = {
    S("listen", listen), W("port", port, 0, 65535), S("data", data),
    S("tls_cert", tls_cert), S("tls_key", tls_key),
    U("quota", quota, 1, UINT64_MAX >> 2), U("clip_max", clip_max, 1, UINT64_C(1) << 40),
    U("patch_max", patch_max, 1, UINT64_C(1) << 32), U("json_max", json_max, 256, 16u << 20),
    U("roster_max", roster_max, 256, 64u << 20), U("notice_max", notice_max, 256, 16u << 20),
    U("grant_max", grant_max, 256, 64u << 20),
    U("token_ttl", token_ttl_s, 10, 86400), W("auth_fails_per_min", auth_fails_per_min, 1, 100000),
    W("conn_limit", conn_limit, 16, 1000000), W("threads", threads, 1, 64),
    W("idle_timeout", idle_timeout_s, 1, 86400), W("header_timeout", header_timeout_s, 1, 3600),
    U("min_body_rate", min_body_rate, 0, UINT64_C(1) << 32), W("sweep", sweep_s, 1, 3600),
    W("keepalive", keepalive_s, 1, 3600), S("trusted_proxy", trusted_proxy),
};

int porch_srv_config_set(porch_srv_config *c, const char *key, const char *val)
{
    char k[64];
    size_t i;

    if (strlen(key) >= sizeof k)
        return PORCH_ERR_NOT_FOUND;
    for (i = 0; key[i]; i++)
        k[i] = key[i] == '-' ? '_' : key[i];
    k[i] = 0;
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct key *d = &keys[i];
        uint64_t v;
        if (strcmp(d->name, k))
            continue;
        if (d->kind == 0) {
            if (strlen(val) >= d->size)
                return PORCH_ERR_CONFIG;
            memcpy((char *)c + d->off, val, strlen(val) + 1);
            return PORCH_OK;
        }
        if (porch_srv_parse_u64(val, strlen(val), d->max, &v) != PORCH_OK || v < d->min)
            return PORCH_ERR_CONFIG;
        if (d->kind == 1)
            *(uint64_t *)(void *)((char *)c + d->off) = v;
        else
            *(unsigned *)(void *)((char *)c + d->off) = (unsigned)v;
        return PORCH_OK;
    }
    return PORCH_ERR_NOT_FOUND;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = 0;
    return s;
}

/* One line (trimmed, not a comment): err says what is wrong with it. */
static int config_line(porch_srv_config *c, char *t, const char *where, char *err, size_t cap)
{
    char *eq = strchr(t, '='), *k;
    int ret;

    if (!eq) {
        snprintf(err, cap, "%s: expected key = value", where);
        return PORCH_ERR_CONFIG;
    }
    *eq = 0;
    k = trim(t);
    ret = porch_srv_config_set(c, k, trim(eq + 1));
    if (ret == PORCH_ERR_NOT_FOUND)
        snprintf(err, cap, "%s: unknown key '%.64s'", where, k);
    else if (ret != PORCH_OK)
        snprintf(err, cap, "%s: bad value for '%.64s'", where, k);
    return ret == PORCH_OK ? PORCH_OK : PORCH_ERR_CONFIG;
}

int porch_srv_config_file(porch_srv_config *c, const char *path, char *err, size_t err_cap)
{
    uint8_t *text = NULL;
    size_t len = 0, lineno = 0;
    char *line, *next, where[300];
    int ret;

    if ((ret = porch_file_read(path, 1u << 20, &text, &len)) != PORCH_OK) {
        snprintf(err, err_cap, "cannot read config file %s (%s)", path,
                 ret == PORCH_ERR_IO ? strerror(errno) : porch_strerror(ret));
        return ret;
    }
    char *buf = realloc(text, len + 1);
    if (!buf) {
        free(text);
        return PORCH_ERR_NOMEM;
    }
    buf[len] = 0;
    /* Not strtok: it would skip empty lines and the line numbers would lie. */
    for (line = buf; line; line = next) {
        char *t;
        if ((next = strchr(line, '\n')))
            *next++ = 0;
        lineno++;
        t = trim(line);
        if (!*t || *t == '#')
            continue;
        snprintf(where, sizeof where, "%.256s:%zu", path, lineno);
        if ((ret = config_line(c, t, where, err, err_cap)) != PORCH_OK)
            break;
    }
    free(buf);
    return ret;
}
