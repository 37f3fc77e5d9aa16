/*
 * run.c: `porchlight-hub run --config FILE [--once]`: the live hub.
 *
 * Loads the configuration, the hub's secret key (passphrase from a file),
 * the owner's public key and the roster (verified from that owner), then
 * runs lib/hub until SIGINT/SIGTERM, or with --once until every input has
 * ended and the upload queue drained. Logs one line per report on stderr:
 *   porchlight-hub: LEVEL [camera] message
 * Exit: 0 stopped cleanly, 1 runtime failure, 2 usage, 3 bad configuration.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>
#include <sodium.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "porchlight/hub.h"
#include "porchlight/identity.h"

#include "hub_cmd.h"

#define KEY_FILE_MAX 4096u
#define ROSTER_MAX ((size_t)16 << 20)
#define PASS_MAX 1024u

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static void log_line(void *ctx, int level, const char *camera, const char *msg)
{
    static const char *names[] = { "info", "warn", "error" };

    (void)ctx;
    pthread_mutex_lock(&log_mu);
    fprintf(stderr, "porchlight-hub: %s %s%s%s%s\n", names[level < 0 ? 0 : level > 2 ? 2 : level],
            camera ? "camera '" : "", camera ? camera : "", camera ? "': " : "", msg);
    pthread_mutex_unlock(&log_mu);
}

static int fail(const char *what, const char *path, int err)
{
    fprintf(stderr, "porchlight-hub: %s %s: %s (%s)\n", what, path, porch_strerror(err),
            err == PORCH_ERR_IO ? strerror(errno) : porch_errname(err));
    return 3;
}

/* The passphrase file: one line, read into sodium memory. */
static int read_pass(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    *out = NULL;
    *len = 0;
    if (fd < 0)
        return PORCH_ERR_IO;
    if (!(*out = sodium_malloc(PASS_MAX + 1))) {
        close(fd);
        return PORCH_ERR_NOMEM;
    }
    do
        n = read(fd, *out, PASS_MAX);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0) {
        sodium_free(*out);
        *out = NULL;
        return PORCH_ERR_IO;
    }
    while (n > 0 && ((*out)[n - 1] == '\n' || (*out)[n - 1] == '\r'))
        n--;
    (*out)[n] = '\0';
    *len = (size_t)n;
    return PORCH_OK;
}

static const char *pass_path(const porch_hub_config *cfg)
{
    if (cfg->passphrase_file[0])
        return cfg->passphrase_file;
    if (cfg->passphrase_env[0])
        return getenv(cfg->passphrase_env);
    return NULL;
}

static int load_secret(const porch_hub_config *cfg, porch_device_secret **out)
{
    const char *pp = pass_path(cfg);
    uint8_t *buf = NULL;
    size_t len = 0, plen = 0;
    char *pass = NULL;
    int ret = porch_file_read(cfg->key_file, KEY_FILE_MAX, &buf, &len);

    if (ret != PORCH_OK)
        return fail("cannot read the hub key", cfg->key_file, ret);
    if (!pp) {
        free(buf);
        fprintf(stderr, "porchlight-hub: %s: [hub] needs passphrase_file, or passphrase_env "
                        "naming a variable that holds the passphrase file's path\n", cfg->path);
        return 3;
    }
    if ((ret = read_pass(pp, &pass, &plen)) != PORCH_OK) {
        free(buf);
        return fail("cannot read the passphrase file", pp, ret);
    }
    ret = porch_device_unseal(out, buf, len, pass, plen);
    sodium_free(pass);
    free(buf);
    return ret == PORCH_OK ? 0 : fail("cannot open the hub key", cfg->key_file, ret);
}

static int load_roster(const porch_hub_config *cfg, porch_roster **out)
{
    porch_device_public owner;
    uint8_t *buf = NULL;
    size_t len = 0;
    uint64_t bad = 0;
    int ret = porch_file_read(cfg->owner_file, KEY_FILE_MAX, &buf, &len);

    if (ret == PORCH_OK) {
        ret = porch_public_decode(&owner, buf, len);
        if (ret == PORCH_ERR_BAD_MAGIC)
            ret = porch_device_file_public(&owner, buf, len);
        free(buf);
        buf = NULL;
    }
    if (ret != PORCH_OK)
        return fail("cannot use the owner key", cfg->owner_file, ret);
    if ((ret = porch_file_read(cfg->roster_file, ROSTER_MAX, &buf, &len)) != PORCH_OK)
        return fail("cannot read the roster", cfg->roster_file, ret);
    ret = porch_roster_load(out, buf, len, owner.sign_pk, NULL, &bad);
    free(buf);
    return ret == PORCH_OK ? 0 : fail("roster does not verify from the owner", cfg->roster_file, ret);
}

static int make_uploader(const porch_hub_config *cfg, const porch_device_secret *secret,
                         const porch_roster *roster, porch_uploader *up)
{
    int ret;

    memset(up, 0, sizeof *up);
    if (cfg->server_url[0] == '\0') {
        log_line(NULL, PORCH_HUB_WARN, NULL, "no [hub] server: clips stay in the spool");
        return 0;
    }
    if (!strncmp(cfg->server_url, "file://", 7)) {
        if ((ret = porch_uploader_dir_new(up, cfg->server_url + 7)) != PORCH_OK)
            return fail("cannot use the upload directory", cfg->server_url + 7, ret);
        return 0;
    }
    if (!strncmp(cfg->server_url, "http://", 7) || !strncmp(cfg->server_url, "https://", 8)) {
        /* Checked now: curl would only say so at the first upload, minutes later. */
        if (cfg->server_ca[0] && access(cfg->server_ca, R_OK) != 0)
            return fail("cannot read server_ca", cfg->server_ca, PORCH_ERR_IO);
        ret = porch_uploader_http_new(up, cfg->server_url, cfg->server_key, secret, roster,
                                      cfg->server_ca[0] ? cfg->server_ca : NULL);
        return ret == PORCH_OK ? 0 : fail("cannot use the server", cfg->server_url, ret);
    }
    fprintf(stderr, "porchlight-hub: %s: [hub] server must be http://, https:// or file://\n",
            cfg->path);
    return 3;
}

static void wait_signal(porch_hub *h, const sigset_t *set, int once)
{
    if (once) {
        porch_hub_wait(h, 60 * 1000000LL);
        return;
    }
    int sig = 0;
    sigwait(set, &sig);
    log_line(NULL, PORCH_HUB_INFO, NULL, "stopping");
}

static int run(const char *config, int once)
{
    char err[1024];
    porch_hub_config *cfg = NULL;
    porch_device_secret *secret = NULL;
    porch_roster *roster = NULL;
    porch_hub *h = NULL;
    porch_hub_opts o;
    sigset_t set;
    int rc, ret = porch_hub_config_load(&cfg, config, err, sizeof err);

    if (ret != PORCH_OK) {
        fprintf(stderr, "porchlight-hub: %s\n", err);
        return 3;
    }
    memset(&o, 0, sizeof o);
    /* As `analyze`: the models directory may come from the environment. */
    if (!cfg->models_dir[0] && getenv("PORCH_MODELS_DIR"))
        snprintf(cfg->models_dir, sizeof cfg->models_dir, "%s", getenv("PORCH_MODELS_DIR"));
    if ((rc = load_secret(cfg, &secret)) == 0 && (rc = load_roster(cfg, &roster)) == 0)
        rc = make_uploader(cfg, secret, roster, &o.uploader);
    if (rc == 0) {
        /* Block the signals in every thread; this one waits for them. */
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, NULL);
        o.cfg = cfg;
        o.hub = secret;
        o.roster = roster;
        o.log = log_line;
        ret = porch_hub_start(&h, &o);
        if (ret != PORCH_OK) {
            porch_uploader_free(&o.uploader);
            fprintf(stderr, "porchlight-hub: %s: cannot start: %s\n", config, porch_strerror(ret));
            rc = ret == PORCH_ERR_HUB_CONFIG ? 3 : 1;
        } else {
            wait_signal(h, &set, once);
        }
    }
    porch_hub_free(h);
    porch_roster_free(roster);
    porch_device_free(secret);
    porch_hub_config_free(cfg);
    return rc;
}

int hub_cmd_run(int argc, char **argv)
{
    const char *config = NULL;
    int once = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (!strcmp(argv[i], "--once"))
            once = 1;
        else {
            fprintf(stderr, "porchlight-hub run: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!config) {
        fputs("usage: porchlight-hub run --config FILE [--once]\n", stderr);
        return 2;
    }
    av_log_set_level(getenv("PORCH_HUB_AV_DEBUG") ? AV_LOG_INFO : AV_LOG_FATAL);
    if (porch_init() != PORCH_OK)
        return 1;
    return run(config, once);
}
