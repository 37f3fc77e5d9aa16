/*
 * porchlight-server: the cloud service. Stores and relays only sealed data
 * and logs every read (docs/API.md). Thin: flags and config into
 * porch_srv_config, start, wait for SIGTERM/SIGINT, stop.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/srv.h"

static void usage(FILE *f)
{
    fputs("usage: porchlight-server [--config FILE] [--KEY VALUE]...\n"
          "keys: listen port data tls-cert tls-key quota clip-max patch-max json-max\n"
          "      roster-max notice-max grant-max token-ttl auth-fails-per-min conn-limit\n"
          "      threads idle-timeout header-timeout min-body-rate sweep keepalive\n"
          "      trusted-proxy\n"
          "A config file holds the same keys as `key = value` lines; flags win.\n"
          "Prints \"port N\" on stdout once listening. See porchlight-server(8), docs/API.md.\n",
          f);
}

static int parse_args(porch_srv_config *c, int argc, char **argv)
{
    char err[256];

    for (int i = 1; i < argc; i++)   /* the config file first: flags win */
        if (!strcmp(argv[i], "--config") && i + 1 < argc &&
            porch_srv_config_file(c, argv[i + 1], err, sizeof err) != PORCH_OK) {
            fprintf(stderr, "porchlight-server: %s\n", err);
            return 2;
        }
    for (int i = 1; i < argc; i += 2) {
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        if (!strcmp(argv[i], "--config"))
            continue;
        int ret = porch_srv_config_set(c, argv[i] + 2, argv[i + 1]);
        if (ret == PORCH_ERR_NOT_FOUND) {
            fprintf(stderr, "porchlight-server: unknown flag %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
        if (ret != PORCH_OK) {
            fprintf(stderr, "porchlight-server: bad value for %s: '%s'\n", argv[i], argv[i + 1]);
            return 2;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    porch_srv_config cfg;
    porch_srv *s = NULL;
    sigset_t set;
    char why[1024];
    int sig = 0, ret;

    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    porch_srv_config_defaults(&cfg);
    if ((ret = parse_args(&cfg, argc, argv)) != 0)
        return ret;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);   /* every thread inherits the mask */
    signal(SIGPIPE, SIG_IGN);
    if ((ret = porch_srv_start(&s, &cfg, why, sizeof why)) != PORCH_OK) {
        if (why[0]) {   /* a configured file is wrong: a usage error, like a bad flag */
            fprintf(stderr, "porchlight-server: %s\n", why);
            return 2;
        }
        fprintf(stderr, "porchlight-server: cannot start: %s\n", porch_strerror(ret));
        return 1;
    }
    printf("port %u\n", s->port);
    fflush(stdout);
    porch_srv_slog("info", "started", "listening");
    sigwait(&set, &sig);
    porch_srv_slog("info", "stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    porch_srv_stop(s);
    return 0;
}
