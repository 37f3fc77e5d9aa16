/*
 * server.h: what the server verbs (pair, push-roster, clips, fetch, grant,
 * revoke, notices, audit) share: the server state file and the client.
 */
#ifndef PORCH_CLI_SERVER_H
#define PORCH_CLI_SERVER_H

#include <stdint.h>

#include "porchlight/client.h"
#include "porchlight/log.h"

struct cli_server {
    char url[512];
    uint8_t server_pk[32];
    int have_server_pk;               /* 0 only while pairing */
    int have_household;
    uint8_t household[16];
    porch_log_monitor monitor;        /* have_head 0 until the first audit */
};

int cli_server_load(const char *path, struct cli_server *s);
int cli_server_save(const char *path, const struct cli_server *s);
/* A client for s and dev (dev may be NULL). Ownership: porch_client_free(). */
int cli_client_open(const struct cli_server *s, const porch_device_secret *dev,
                    const char *ca_file, porch_client **out);
/* Reports a failed request with its HTTP status and the server's symbol. */
int cli_server_fail(int err, const porch_client *c, const char *what);
int cli_parse_hex(const char *hex, uint8_t *out, size_t n, const char *what);
/* Fingerprints equal, ignoring case, dashes and spaces. */
int cli_fpr_equal(const char *a, const char *b);
int cli_parse_u64(const char *text, uint64_t *out, const char *what);

/* A server state, this device's key and a client for both. */
struct cli_session {
    struct cli_server s;
    porch_device_secret *dev;
    porch_client *c;
};

int cli_session_open(struct cli_session *ss, const char *state, const char *key,
                     const char *passfile, const char *ca);
void cli_session_close(struct cli_session *ss);

#define CLI_OPT_SESSION(a) \
    CLI_OPT_SERVER_STATE(&(a)->state), \
    {"key", "DEVICE.key", "this device's secret key (its roster identity)", CLI_REQ, &(a)->key, \
     NULL}, \
    CLI_OPT_PASSFILE(&(a)->passfile), CLI_OPT_CA(&(a)->ca)

struct cli_session_args {
    const char *state, *key, *passfile, *ca;
};

#define CLI_OPT_SERVER_STATE(p) \
    {"server-state", "FILE", "server state file written by 'porch pair'", CLI_REQ, (p), NULL}
#define CLI_OPT_CA(p) \
    {"ca-file", "PEM", "CA bundle for an https server (default: $PORCH_CA_FILE, else system)", \
     0, (p), NULL}

#endif
