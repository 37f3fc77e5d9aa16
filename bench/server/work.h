/*
 * work.h: the timed workloads. N clients, each a keep-alive connection of
 * its own (authenticated once, before timing, on porchlight), take jobs from
 * a shared counter until the round's jobs are done:
 *   UPLOAD    porchlight: PATCH .../clips/C/upload (whole clip) + POST .../complete
 *             nginx: PUT /up/NAME (WebDAV: temp file, rename)
 *   DOWNLOAD  porchlight: GET .../clips/C        nginx: GET /blobs/C (static file)
 *   LIST      porchlight: GET .../clips?camera=list&limit=50&from_us=T
 *             nginx: GET /list.json (one of porchlight's pages, byte for byte)
 */
#ifndef PORCH_BENCH_WORK_H
#define PORCH_BENCH_WORK_H

#include "loadgen.h"
#include "peers.h"
#include "site.h"

enum work_kind { WORK_UPLOAD, WORK_DOWNLOAD, WORK_LIST };

typedef struct side {
    peer p;
    lg_loop loop;
    int porch;              /* 1: porchlight, 0: nginx */
} side;

typedef struct client {
    lg_conn conn;
    struct work *w;
    size_t job;
    int phase;              /* upload: 0 PATCH, 1 complete */
    char headers[SITE_TOKEN_MAX + 128];
    char body[256];
    char path[512];
} client;

typedef struct work {
    enum work_kind kind;
    side *s;
    const char *household;
    client *clients;
    int n;
    const site_clip *clips;     /* upload: clip per job; download: job mod n_clips */
    size_t n_clips;
    const uint64_t *list_from;  /* list: from_us per job mod n_list */
    size_t n_list;
    size_t jobs, next, done;
    int round;
    uint64_t bytes;
    int failed;                 /* first unexpected status (0: transport error) */
    int fail_status;
    char fail_msg[512];
} work;

/* Opens n connections; on porchlight each authenticates as dev (token per
 * client), on nginx each fetches /ok.txt. 0 or -1 (w->fail_msg). */
int work_clients_open(work *w, side *s, int n, const uint8_t *server_pk, const char *household,
                      const porch_device_secret *dev);
void work_clients_close(work *w);

/* One timed round of jobs; returns seconds, or -1 on a failure. */
double work_round(work *w, size_t jobs, int round);

#endif
