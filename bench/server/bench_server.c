/*
 * bench_server: porchlight-server against nginx serving and accepting the
 * same sealed bytes, on 127.0.0.1, in the same run (docs/BENCH.md).
 *
 *   bench_server [--rounds N] [--hold SECONDS] [--round-mib M] [--hubs H]
 *                [--dir BASE] [--keep] [--nginx PATH] [--server PATH] [--smoke] [--aa]
 *                [--only upload|download|list|hold]
 *
 * Starts both servers (nginx from a generated config; porchlight-server on
 * embedded defaults, fresh data dir), prepares a household through the real
 * API (roster signed by a generated owner; every simulated client gets its
 * own token through challenge/token before timing), then for each test
 * interleaves rounds nginx / porchlight (the order alternates) and reports
 * medians and the median of the per-round ratios porchlight / nginx:
 *   upload    1 MiB and 8 MiB sealed clips, N = 1, 8, 32, a new clip id each
 *   download  the same blobs, N = 1, 8, 32
 *   list      pages of 50 from a camera with 1,000 clips, N = 1, 8, 32
 *   hold      1,000 hub connections (distinct hub devices of 4 households,
 *             250 each) + member SSE streams, held --hold seconds while a
 *             request on a fresh connection is timed every second; then every
 *             held connection must still be open and answer.
 * CPU of the generator (this process) and of each server is read over the
 * timed rounds, so the table shows whether the generator could be the limit.
 * --smoke: one round, tiny sizes, 20 hubs for 2 s; exits 77 without nginx.
 * --aa: a second nginx in porchlight's place (A/A check of the harness:
 * every ratio should be about 1).
 * Lines starting "bench_server:" are for scripts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#ifndef PORCH_SERVER_EXE
#define PORCH_SERVER_EXE "porchlight-server"
#endif

static int parse_args(int argc, char **argv, bench_opts *o)
{
    memset(o, 0, sizeof *o);
    o->rounds = 7;
    o->hold_s = 60;
    o->round_mib = 64;
    o->hubs = 1000;
    o->nginx = "/usr/sbin/nginx";
    o->server = PORCH_SERVER_EXE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--smoke") == 0)
            o->smoke = 1;
        else if (strcmp(a, "--aa") == 0)
            o->aa = 1;
        else if (strcmp(a, "--keep") == 0)
            o->keep = 1;
        else if (v && strcmp(a, "--rounds") == 0 && ++i)
            o->rounds = atoi(v);
        else if (v && strcmp(a, "--hold") == 0 && ++i)
            o->hold_s = atof(v);
        else if (v && strcmp(a, "--round-mib") == 0 && ++i)
            o->round_mib = atof(v);
        else if (v && strcmp(a, "--hubs") == 0 && ++i)
            o->hubs = atoi(v);
        else if (v && strcmp(a, "--dir") == 0 && ++i)
            o->dir = v;
        else if (v && strcmp(a, "--nginx") == 0 && ++i)
            o->nginx = v;
        else if (v && strcmp(a, "--server") == 0 && ++i)
            o->server = v;
        else if (v && strcmp(a, "--only") == 0 && ++i)
            o->only = v;
        else
            return -1;
    }
    if (o->smoke) {
        o->rounds = 1;
        o->hold_s = 2;
        o->round_mib = 1;
        o->hubs = 20;
    }
    if (o->rounds < 1 || o->rounds > BENCH_MAX_ROUNDS || o->hold_s < 0 || o->round_mib <= 0 ||
        o->hubs < 1 || o->hubs > 4 * BENCH_HUBS_PER_HOUSEHOLD * 4 ||
        (o->only && strcmp(o->only, "upload") && strcmp(o->only, "download") &&
         strcmp(o->only, "list") && strcmp(o->only, "hold")))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts o;
    bench_run run;
    int rc;

    if (parse_args(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench_server [--rounds N] [--hold SECONDS] [--round-mib M] "
                        "[--hubs H] [--dir BASE] [--keep] [--nginx PATH] [--server PATH] "
                        "[--smoke] [--aa] [--only upload|download|list|hold]\n");
        return 2;
    }
    if (access(o.nginx, X_OK) != 0) {
        printf("bench_server: SKIP: %s not found (apt-get install nginx-light)\n", o.nginx);
        return 77;
    }
    if (!o.aa && access(o.server, X_OK) != 0) {
        fprintf(stderr, "bench_server: %s: %s\n", o.server, strerror(errno));
        return 1;
    }
    rc = bench_setup(&run, &o);   /* 77: the server is still the placeholder */
    if (rc == 0)
        rc = bench_all(&run);
    bench_teardown(&run);
    return rc;
}
