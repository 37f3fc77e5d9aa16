/*
 * peers.h: the two servers of a run, started on 127.0.0.1 at a free port in
 * the run's private directory.
 *
 * nginx: generated config (master + 2 workers, private pid file, access_log
 * off, sendfile), root DIR/nginx/www serves static files, /up/ accepts WebDAV
 * PUT (client_body_temp_path on the same filesystem, then rename).
 * porchlight-server: embedded defaults, --data DIR/porch.
 * sub: nginx's directory under workdir (a second nginx for the A/A check).
 */
#ifndef PORCH_BENCH_PEERS_H
#define PORCH_BENCH_PEERS_H

#include <stdint.h>
#include <sys/types.h>

typedef struct peer {
    const char *name;
    pid_t pid;
    uint16_t port;
    char dir[4096];        /* nginx: its prefix; porchlight: its data dir */
    char www[4200];        /* nginx: document root */
    char log[4200];        /* the child's stdout + stderr */
} peer;

/* 0, or -1 with a message on stderr (the log path is named); porchlight:
 * -2 when the binary is still the placeholder that exits at once. */
int peer_nginx_start(peer *p, const char *workdir, const char *nginx, const char *sub);
int peer_porch_start(peer *p, const char *workdir, const char *server);
void peer_stop(peer *p);

#endif
