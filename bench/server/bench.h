/*
 * bench.h: the run of bench_server (see bench_server.c for what it does):
 * setup of both servers and the household, the tests, the table.
 */
#ifndef PORCH_BENCH_BENCH_H
#define PORCH_BENCH_BENCH_H

#include "work.h"

#define BENCH_MAX_ROUNDS 101
#define BENCH_MAX_ROWS 64
#define BENCH_HUBS_PER_HOUSEHOLD 250
#define BENCH_MEMBERS_PER_HOUSEHOLD 5
#define BENCH_LIST_CLIPS 1000
#define BENCH_TARGET_RATIO 0.8

typedef struct bench_opts {
    int rounds, smoke, keep, hubs;
    int aa;                         /* A/A check: a second nginx in porchlight's place */
    double hold_s, round_mib;
    const char *dir, *nginx, *server;
    const char *only;               /* NULL, or one of upload download list hold */
} bench_opts;

/* One line of the table. nginx/porch are medians; ratio the median of the
 * per-round ratios; cpu in % of one core over the timed rounds. */
typedef struct bench_row {
    char test[48], n[16], unit[12], target[24], note[640];
    double nginx, porch, ratio;
    double lg_cpu[2], srv_cpu[2];   /* [0] nginx rounds, [1] porchlight rounds */
    int met;                        /* 1 met, 0 not met, -1 no target */
    int failed;                     /* porchlight side failed: note says why */
} bench_row;

typedef struct bench_run {
    const bench_opts *o;
    const char *workdir;
    side sides[2];                  /* [0] nginx, [1] porchlight */
    uint8_t server_pk[PORCH_SIGN_PK_BYTES];
    site_household main;            /* owner, 1 hub, 1 member; cameras front + list */
    site_clip dl[2][32];            /* download set: 1 MiB and 8 MiB (tiny in smoke) */
    size_t n_dl;
    uint64_t list_from[BENCH_LIST_CLIPS];
    size_t n_list;
    int list_ok;                    /* listing works on porchlight and list.json exists */
    bench_row rows[BENCH_MAX_ROWS];
    int n_rows;
    int hard_fail;                  /* a failure the smoke test must report */
} bench_run;

int bench_setup(bench_run *r, const bench_opts *o);
int bench_all(bench_run *r);
void bench_teardown(bench_run *r);

/* bench_hold.c: the held-connections test; appends its rows. */
void bench_hold(bench_run *r);
/* bench_table.c */
void bench_print(const bench_run *r);
bench_row *bench_add_row(bench_run *r);
double bench_median(double *v, int n);

#endif
