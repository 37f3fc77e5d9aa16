/*
 * srvtest.h (tests/server): the real porchlight-server for a test, and a
 * tiny libcurl HTTP helper. The server runs on a free loopback port with a
 * temporary directory (DIR/data, stderr in DIR/server.log); it is stopped
 * (SIGKILL if it must) at exit and on SIGTERM/SIGALRM, so no test leaves one.
 */
#ifndef PORCH_TEST_SRVTEST_H
#define PORCH_TEST_SRVTEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "household.h"

struct srv {
    pid_t pid;
    int port;
    char dir[512], data[600], log[600], url[64], bin[512];
    const char *extra[24];          /* extra flags, NULL-terminated */
    char ca[512];                   /* https: the CA file requests trust ("" for http) */
};

/* Skips (77) when the binary is absent. extra: NULL-terminated flag list or NULL. */
void srv_start(struct srv *s, const char *const *extra);
/* As srv_start, over https: extra must hold --tls-cert/--tls-key; requests
 * (and the start-up health check) trust only ca_file. */
void srv_start_tls(struct srv *s, const char *const *extra, const char *ca_file);
/* Runs the server binary with argv[1..] = args (NULL-terminated) to its exit
 * (SIGKILL after timeout_s); stdout and stderr together into out (NUL-ended).
 * Returns the exit status, or -1 when it had to be killed or did not run. */
int srv_run_once(const char *const *args, int timeout_s, char *out, size_t cap);
/* The same for another program of the build (prog relative to PORCH_BUILD_DIR,
 * e.g. "cli/porch"); -1 too when it cannot be started. */
int srv_run_prog(const char *prog, const char *const *args, int timeout_s, char *out,
                 size_t cap);
/* A free loopback TCP port (bound and released: may be taken again, retry). */
int srv_free_port(void);
/* A raw TCP connection to the server's loopback port (REQUIREd); the
 * caller closes it. For tests that write bytes no client library would. */
int srv_connect(const struct srv *s);
/* Another child of the test (a proxy...): SIGKILLed by the same signal
 * handlers and at exit, like the server. Up to 4; pid 0 forgets them all. */
void srv_track_child(pid_t pid);
/* Same directory and port again. */
void srv_restart(struct srv *s);
void srv_kill9(struct srv *s);
void srv_stop(struct srv *s);          /* SIGTERM, bounded wait, then SIGKILL */
void srv_cleanup(struct srv *s);       /* stop + remove the directory */

struct resp {
    long status;
    uint8_t *body;
    size_t len;
    long long upload_offset;            /* -1 when absent */
    char content_range[64];
    int upload_complete;
};

/* One request. headers: NULL-terminated "Name: value" list or NULL. token may be NULL.
 * Returns 0, or -1 on a transport failure. out->body freed by resp_free. */
int http(struct srv *s, const char *method, const char *path, const char *token,
         const char *const *headers, const uint8_t *body, size_t len, struct resp *out);
void resp_free(struct resp *r);
/* 1 when r's body is exactly {"error":SYM,"message":non-empty string} (sym NULL: any SYM),
 * the one error shape docs/SERVER.md promises; else 0, and the body goes to stderr. */
int srv_is_error(const struct resp *r, const char *sym);

/* Household roster -> POST /v1/households; returns the status. */
long srv_create_household(struct srv *s, const porch_roster *roster);
/* Challenge, sign, token. out: 44 bytes. Returns the token status (200 on success). */
long srv_login(struct srv *s, const porch_device_secret *dev, const uint8_t hh[16],
               char out[64]);
/* PATCHes bytes [from, to) of clip in pieces of piece bytes. Returns the last status. */
long srv_patch(struct srv *s, const char *token, const uint8_t hh[16], const uint8_t clip[16],
               const uint8_t *bytes, size_t from, size_t to, size_t piece);
long srv_complete(struct srv *s, const char *token, const uint8_t hh[16], const uint8_t clip[16],
                  const uint8_t *bytes, size_t len);
/* Whole upload (PATCH + complete); returns complete's status. */
long srv_upload(struct srv *s, const char *token, const uint8_t hh[16], const uint8_t *clip,
                size_t len);
void hexs(char *out, const uint8_t *p, size_t n);
/* "/v1/households/HH" + suffix */
void hh_path(char *out, size_t cap, const uint8_t hh[16], const char *suffix);
/* Access-log size through the checkpoint endpoint (decoded tree size), or -1. */
long long srv_log_size(struct srv *s, const char *token, const uint8_t hh[16]);

#endif
