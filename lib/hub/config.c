/*
 * config.c: the hub configuration file (docs/HUB.md, "Configuration").
 *
 * Line-oriented: `[hub]`, `[camera NAME]`, `key = value`, `#` comments.
 * Every check is made here, so a hub that starts has a usable config; the
 * first problem stops the parse with one message naming file, line, camera.
 * The text is treated as untrusted (fuzz/hub/fuzz_hub_config.c): explicit
 * length, a cap per line, per camera and per file.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "porchlight/hub_config.h"

struct parse {
    porch_hub_config *cfg;
    const char *name;
    unsigned line;
    porch_hub_camera_config *cam;   /* current [camera] section, or NULL */
    int in_hub;                     /* current section is [hub] */
    char *err;
    size_t err_cap;
};

static int failf(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct parse *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->err_cap == 0)
        return PORCH_ERR_HUB_CONFIG;
    if (p->cam)
        snprintf(p->err, p->err_cap, "%s:%u: camera '%s': %s", p->name, p->line,
                 p->cam->name, msg);
    else
        snprintf(p->err, p->err_cap, "%s:%u: %s", p->name, p->line, msg);
    return PORCH_ERR_HUB_CONFIG;
}

static char *trim(char *s)
{
    char *e = s + strlen(s);

    while (*s == ' ' || *s == '\t')
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int set_str(struct parse *p, char *dst, size_t cap, const char *key, const char *v)
{
    if (*v == '\0')
        return failf(p, "%s: empty value", key);
    if (strlen(v) >= cap)
        return failf(p, "%s: longer than %zu bytes", key, cap - 1);
    memcpy(dst, v, strlen(v) + 1);
    return PORCH_OK;
}

/* "5", "2.5s", "500ms", "2m", "1h", "7d" -> microseconds, 0 <= x <= 10 years. */
static int parse_duration(const char *v, int64_t *out)
{
    char *end = NULL;
    double x, mul = 1e6;

    errno = 0;
    x = strtod(v, &end);
    if (end == v || errno || !isfinite(x) || x < 0)
        return -1;
    if (!strcmp(end, "ms"))
        mul = 1e3;
    else if (!strcmp(end, "m"))
        mul = 60e6;
    else if (!strcmp(end, "h"))
        mul = 3600e6;
    else if (!strcmp(end, "d"))
        mul = 86400e6;
    else if (*end != '\0' && strcmp(end, "s"))
        return -1;
    if (x * mul > 3.2e14)
        return -1;
    *out = (int64_t)llround(x * mul);
    return 0;
}

/* "4096", "64K", "512M", "2G" -> bytes (>= 1, < 2^50). */
static int parse_size(const char *v, uint64_t *out)
{
    char *end = NULL;
    double x, mul = 1;

    errno = 0;
    x = strtod(v, &end);
    if (end == v || errno || !isfinite(x) || x < 1)
        return -1;
    if (!strcmp(end, "K") || !strcmp(end, "k"))
        mul = 1024.0;
    else if (!strcmp(end, "M"))
        mul = 1024.0 * 1024;
    else if (!strcmp(end, "G"))
        mul = 1024.0 * 1024 * 1024;
    else if (*end != '\0')
        return -1;
    if (x * mul >= 1125899906842624.0)
        return -1;
    *out = (uint64_t)(x * mul);
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false"))
        *out = 0;
    else
        return -1;
    return 0;
}

static int parse_real(const char *v, double lo, double hi, double *out)
{
    char *end = NULL;
    double x;

    errno = 0;
    x = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(x) || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

/* "detect" or "motion-diff" -> porch_hub_trigger_kind. */
static int parse_trigger(struct parse *p, const char *v, int *out)
{
    if (!strcmp(v, "detect"))
        *out = PORCH_HUB_TRIGGER_DETECT;
    else if (!strcmp(v, "motion-diff"))
        *out = PORCH_HUB_TRIGGER_DIFF;
    else
        return failf(p, "trigger: '%s' is neither detect nor motion-diff", v);
    return PORCH_OK;
}

static int hub_key(struct parse *p, const char *k, const char *v)
{
    porch_hub_config *c = p->cfg;

    if (!strcmp(k, "key"))
        return set_str(p, c->key_file, sizeof c->key_file, k, v);
    if (!strcmp(k, "passphrase_file"))
        return set_str(p, c->passphrase_file, sizeof c->passphrase_file, k, v);
    if (!strcmp(k, "passphrase_env"))
        return set_str(p, c->passphrase_env, sizeof c->passphrase_env, k, v);
    if (!strcmp(k, "owner"))
        return set_str(p, c->owner_file, sizeof c->owner_file, k, v);
    if (!strcmp(k, "roster"))
        return set_str(p, c->roster_file, sizeof c->roster_file, k, v);
    if (!strcmp(k, "spool"))
        return set_str(p, c->spool_dir, sizeof c->spool_dir, k, v);
    if (!strcmp(k, "server"))
        return set_str(p, c->server_url, sizeof c->server_url, k, v);
    if (!strcmp(k, "server_ca"))
        return set_str(p, c->server_ca, sizeof c->server_ca, k, v);
    if (!strcmp(k, "server_key")) {
        if (strlen(v) != 64 || sodium_hex2bin(c->server_key, sizeof c->server_key, v, 64, NULL,
                                              NULL, NULL) != 0)
            return failf(p, "server_key: want the server's signing key as 64 hex digits");
        c->have_server_key = 1;
        return PORCH_OK;
    }
    if (!strcmp(k, "models"))
        return set_str(p, c->models_dir, sizeof c->models_dir, k, v);
    if (!strcmp(k, "trigger"))
        return parse_trigger(p, v, &c->trigger);
    if (!strcmp(k, "detect_threads")) {
        double n = 0;
        if (parse_real(v, 1, PORCH_HUB_MAX_DETECT_THREADS, &n) || n != floor(n))
            return failf(p, "detect_threads: want a whole number 1..%u",
                         PORCH_HUB_MAX_DETECT_THREADS);
        c->detect_threads = (unsigned)n;
        return PORCH_OK;
    }
    if (!strcmp(k, "spool_limit"))
        return parse_size(v, &c->spool_limit)
                   ? failf(p, "spool_limit: not a size (want e.g. 4096, 512M, 2G)")
                   : PORCH_OK;
    return failf(p, "unknown key '%s' in [hub]", k);
}

static int add_analysis_key(struct parse *p, const char *k, const char *v)
{
    porch_hub_camera_config *cam = p->cam;
    porch_hub_kv *kv;

    if (cam->n_analysis >= PORCH_HUB_MAX_ANALYSIS_KEYS)
        return failf(p, "more than %u analysis keys", PORCH_HUB_MAX_ANALYSIS_KEYS);
    kv = realloc(cam->analysis, (cam->n_analysis + 1) * sizeof *kv);
    if (!kv)
        return PORCH_ERR_NOMEM;
    cam->analysis = kv;
    kv += cam->n_analysis;
    kv->key = strdup(k);
    kv->value = strdup(v);
    kv->line = p->line;
    if (!kv->key || !kv->value) {
        free(kv->key);
        free(kv->value);
        return PORCH_ERR_NOMEM;
    }
    cam->n_analysis++;
    return PORCH_OK;
}

static int camera_duration(struct parse *p, const char *k, const char *v, int64_t *dst)
{
    if (parse_duration(v, dst))
        return failf(p, "%s: not a duration (want e.g. 5, 2.5s, 500ms, 2m)", k);
    return PORCH_OK;
}

static int camera_key(struct parse *p, const char *k, const char *v)
{
    porch_hub_camera_config *cam = p->cam;
    int64_t d = 0;
    int ret;

    if (!strcmp(k, "url"))
        return set_str(p, cam->url, sizeof cam->url, k, v);
    if (!strcmp(k, "analysis_url"))
        return set_str(p, cam->analysis_url, sizeof cam->analysis_url, k, v);
    if (!strcmp(k, "rtsp_transport")) {
        if (strcmp(v, "tcp") && strcmp(v, "udp"))
            return failf(p, "rtsp_transport: '%s' is neither tcp nor udp", v);
        cam->rtsp_transport = !strcmp(v, "udp") ? PORCH_RTSP_UDP : PORCH_RTSP_TCP;
        return PORCH_OK;
    }
    if (!strcmp(k, "preroll")) {
        if ((ret = camera_duration(p, k, v, &cam->preroll_us)) == PORCH_OK &&
            cam->preroll_us > PORCH_HUB_MAX_PREROLL_US)
            return failf(p, "preroll: more than 60 s");
        return ret;
    }
    if (!strcmp(k, "postroll"))
        return camera_duration(p, k, v, &cam->postroll_us);
    if (!strcmp(k, "max_event")) {
        if ((ret = camera_duration(p, k, v, &cam->max_event_us)) == PORCH_OK &&
            cam->max_event_us < 1000000)
            return failf(p, "max_event: less than 1 s");
        return ret;
    }
    if (!strcmp(k, "retention")) {
        if ((ret = camera_duration(p, k, v, &d)) == PORCH_OK)
            cam->retention_s = (uint64_t)(d / 1000000);
        return ret;
    }
    if (!strcmp(k, "realtime") || !strcmp(k, "loop") || !strcmp(k, "fast_decode"))
        return parse_bool(v, !strcmp(k, "loop")       ? &cam->loop
                             : !strcmp(k, "realtime") ? &cam->realtime
                                                      : &cam->fast_decode)
                   ? failf(p, "%s: want yes or no", k)
                   : PORCH_OK;
    if (!strcmp(k, "trigger"))
        return parse_trigger(p, v, &cam->trigger);
    if (!strcmp(k, "analysis_width")) {
        double w = 0;
        if (parse_real(v, 16, 1920, &w) || w != floor(w))
            return failf(p, "analysis_width: want a whole number of pixels, 16..1920");
        cam->analysis_width = (int)w;
        return PORCH_OK;
    }
    if (!strcmp(k, "diff_threshold"))
        return parse_real(v, 1, 255, &cam->diff_threshold)
                   ? failf(p, "diff_threshold: want a grey-level step 1..255")
                   : PORCH_OK;
    if (!strcmp(k, "diff_fraction"))
        return parse_real(v, 1e-6, 1, &cam->diff_fraction)
                   ? failf(p, "diff_fraction: want a fraction in (0, 1]")
                   : PORCH_OK;
    return add_analysis_key(p, k, v);
}

static void camera_defaults(porch_hub_camera_config *cam)
{
    memset(cam, 0, sizeof *cam);
    cam->preroll_us = PORCH_HUB_DEFAULT_PREROLL_US;
    cam->postroll_us = PORCH_HUB_DEFAULT_POSTROLL_US;
    cam->max_event_us = PORCH_HUB_DEFAULT_MAX_EVENT_US;
    cam->analysis_width = 320;
    cam->fast_decode = 1;     /* same events on the dev set, a fifth less decode */
    cam->diff_threshold = 25;
    cam->diff_fraction = 0.01;
    cam->trigger = -1; /* [hub] trigger, resolved at the end */
}

static int camera_finish(struct parse *p)
{
    if (p->cam && p->cam->url[0] == '\0')
        return failf(p, "no url (the [camera] section at line %u needs url = ...)",
                     p->cam->line);
    return PORCH_OK;
}

static int start_camera(struct parse *p, const char *name)
{
    porch_hub_config *c = p->cfg;
    porch_hub_camera_config *cams;

    if (!porch_camera_id_valid(name))
        return failf(p, "camera name '%s' is not a valid camera id", name);
    if (porch_hub_config_camera(c, name))
        return failf(p, "camera '%s' defined twice", name);
    if (c->n_cameras >= PORCH_HUB_MAX_CAMERAS)
        return failf(p, "more than %u cameras", PORCH_HUB_MAX_CAMERAS);
    cams = realloc(c->cameras, (c->n_cameras + 1) * sizeof *cams);
    if (!cams)
        return PORCH_ERR_NOMEM;
    c->cameras = cams;
    p->cam = &cams[c->n_cameras++];
    camera_defaults(p->cam);
    memcpy(p->cam->name, name, strlen(name) + 1);
    p->cam->line = p->line;
    return PORCH_OK;
}

static int section(struct parse *p, char *s)
{
    char *end = strchr(s, ']');
    int ret;

    if (!end || trim(end + 1)[0] != '\0')
        return failf(p, "section header without a closing ']'");
    *end = '\0';
    s = trim(s + 1);
    if ((ret = camera_finish(p)) != PORCH_OK)
        return ret;
    p->cam = NULL;
    p->in_hub = 0;
    if (!strcmp(s, "hub")) {
        p->in_hub = 1;
        return PORCH_OK;
    }
    if (!strncmp(s, "camera", 6) && (s[6] == ' ' || s[6] == '\t'))
        return start_camera(p, trim(s + 6));
    return failf(p, "unknown section [%s] (want [hub] or [camera NAME])", s);
}

static int line(struct parse *p, char *s)
{
    char *eq, *k, *v;

    s = trim(s);
    if (*s == '\0' || *s == '#' || *s == ';')
        return PORCH_OK;
    if (*s == '[')
        return section(p, s);
    if (!(eq = strchr(s, '=')))
        return failf(p, "expected key = value, [hub] or [camera NAME]");
    *eq = '\0';
    k = trim(s);
    v = trim(eq + 1);
    if (*k == '\0')
        return failf(p, "empty key before '='");
    if (p->in_hub)
        return hub_key(p, k, v);
    if (p->cam)
        return camera_key(p, k, v);
    return failf(p, "key '%s' outside a section", k);
}

static int check_whole(struct parse *p)
{
    porch_hub_config *c = p->cfg;
    int ret = camera_finish(p);

    if (ret != PORCH_OK)
        return ret;
    p->cam = NULL;
    if (c->key_file[0] == '\0' || c->roster_file[0] == '\0' || c->owner_file[0] == '\0' ||
        c->spool_dir[0] == '\0')
        return failf(p, "[hub] needs key, owner, roster and spool");
    if (c->passphrase_file[0] && c->passphrase_env[0])
        return failf(p, "[hub] passphrase_file and passphrase_env are exclusive");
    if (c->n_cameras == 0)
        return failf(p, "no [camera NAME] section");
    for (size_t i = 0; i < c->n_cameras; i++)
        if (c->cameras[i].trigger < 0)
            c->cameras[i].trigger = c->trigger;
    if (!strncmp(c->server_url, "http", 4) && !c->have_server_key)
        return failf(p, "[hub] server %s needs server_key (its signing key, 64 hex digits)",
                     c->server_url);
    if (c->server_ca[0] && strncmp(c->server_url, "https://", 8))
        return failf(p, "[hub] server_ca applies only to an https:// server");
    return PORCH_OK;
}

static int parse_lines(struct parse *p, const char *text, size_t len)
{
    char buf[PORCH_HUB_LINE_MAX + 1];
    size_t i = 0;
    int ret;

    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

        p->line++;
        if (n > PORCH_HUB_LINE_MAX)
            return failf(p, "line longer than %u bytes", PORCH_HUB_LINE_MAX);
        memcpy(buf, text + i, n);
        buf[n] = '\0';
        if ((ret = line(p, buf)) != PORCH_OK)
            return ret;
        i += n + (nl ? 1 : 0);
    }
    return check_whole(p);
}

int porch_hub_config_parse(porch_hub_config **out, const char *text, size_t len,
                           const char *name, char *err, size_t err_cap)
{
    struct parse p = { .name = name ? name : "config", .err = err, .err_cap = err ? err_cap : 0 };
    int ret;

    if (out)
        *out = NULL;
    if (p.err_cap)
        err[0] = '\0';
    if (!out || (!text && len))
        return PORCH_ERR_INVALID_ARG;
    if (len > PORCH_HUB_CONFIG_MAX)
        return PORCH_ERR_TOO_LARGE;
    if (len && memchr(text, '\0', len)) {
        const char *nul = memchr(text, '\0', len);
        p.line = 1;
        for (const char *c = text; c < nul; c++)
            p.line += *c == '\n';
        return failf(&p, "the file holds a NUL byte");
    }
    if (!(p.cfg = calloc(1, sizeof *p.cfg)))
        return PORCH_ERR_NOMEM;
    p.cfg->spool_limit = (uint64_t)1 << 30;
    snprintf(p.cfg->path, sizeof p.cfg->path, "%s", p.name);
    if ((ret = parse_lines(&p, text, len)) != PORCH_OK) {
        if (ret == PORCH_ERR_NOMEM && p.err_cap)
            snprintf(err, err_cap, "%s: out of memory", p.name);
        porch_hub_config_free(p.cfg);
        return ret;
    }
    *out = p.cfg;
    return PORCH_OK;
}

int porch_hub_config_load(porch_hub_config **out, const char *path, char *err, size_t err_cap)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret;

    if (out)
        *out = NULL;
    if (!out || !path)
        return PORCH_ERR_INVALID_ARG;
    ret = porch_file_read(path, PORCH_HUB_CONFIG_MAX, &buf, &len);
    if (ret != PORCH_OK) {
        if (err && err_cap)
            snprintf(err, err_cap, "%s: cannot read the configuration: %s", path,
                     ret == PORCH_ERR_IO ? strerror(errno) : porch_strerror(ret));
        return ret;
    }
    ret = porch_hub_config_parse(out, (const char *)buf, len, path, err, err_cap);
    free(buf);
    return ret;
}

void porch_hub_config_free(porch_hub_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_cameras; i++) {
        for (size_t j = 0; j < cfg->cameras[i].n_analysis; j++) {
            free(cfg->cameras[i].analysis[j].key);
            free(cfg->cameras[i].analysis[j].value);
        }
        free(cfg->cameras[i].analysis);
    }
    free(cfg->cameras);
    free(cfg);
}

const porch_hub_camera_config *porch_hub_config_camera(const porch_hub_config *cfg,
                                                       const char *name)
{
    if (!cfg || !name)
        return NULL;
    for (size_t i = 0; i < cfg->n_cameras; i++)
        if (!strcmp(cfg->cameras[i].name, name))
            return &cfg->cameras[i];
    return NULL;
}
