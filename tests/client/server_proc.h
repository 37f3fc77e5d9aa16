/*
 * server_proc.h: the real porchlight-server, started by a test on a free
 * loopback port with a temporary data directory, and stopped in every exit
 * path (atexit, and SIGTERM/SIGINT/SIGALRM handlers, so a meson timeout or a
 * failed REQUIRE does not leave it running).
 */
#ifndef PORCH_TEST_SERVER_PROC_H
#define PORCH_TEST_SERVER_PROC_H

#include <sys/types.h>

struct server_proc {
    pid_t pid;                /* 0 when not running */
    int port;
    char data_dir[4096];      /* mkdtemp()ed, removed by server_cleanup() */
    char url[64];             /* "http://127.0.0.1:PORT" */
    char bin[4096];
};

/* Exits 77 (skip) when the server binary has not been built. Creates the
 * data directory and starts the server; waits for /v1/health. */
void server_start(struct server_proc *s);
/* Starts it again on the same port and data directory (after server_stop). */
void server_restart(struct server_proc *s);
/* SIGTERM, wait (bounded), then SIGKILL. Idempotent. */
void server_stop(struct server_proc *s);
/* Stops it and removes the data directory. */
void server_cleanup(struct server_proc *s);

#endif
