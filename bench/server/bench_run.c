/* bench_run.c: setup of a run and the throughput tests (upload, download, list). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "bench.h"
#include "procs.h"

#define START_US 1700000000000000ull

/* Uploads clips to porchlight with 8 clients as the main hub (untimed). */
static int porch_upload(bench_run *r, const site_clip *clips, size_t n)
{
    work w;
    memset(&w, 0, sizeof w);
    w.kind = WORK_UPLOAD;
    w.clips = clips;
    int ret = work_clients_open(&w, &r->sides[1], n < 8 ? (int)n : 8, r->server_pk, r->main.id,
                                r->main.hubs[0]);
    if (ret == 0 && work_round(&w, n, 0) < 0)
        ret = -1;
    if (ret != 0)
        fprintf(stderr, "bench_server: setup upload: %s\n", w.fail_msg);
    work_clients_close(&w);
    return ret;
}

/* The download set: sealed once, uploaded to porchlight, written as static
 * files for nginx; one of each is fetched back from both and compared. */
static int setup_downloads(bench_run *r, const size_t sizes[2])
{
    char path[4400];
    uint64_t t = START_US;
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/blobs", r->sides[k].p.www);
        if (!r->sides[k].porch)
            mkdir(path, 0700);
    }
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < r->n_dl; i++) {
            site_clip *c = &r->dl[s][i];
            if (site_clip_seal(c, r->main.hubs[0], r->main.roster, "front", t += 1000000,
                               sizes[s]) != 0)
                return -1;
            for (int k = 0; k < 2; k++) {
                snprintf(path, sizeof path, "%s/blobs/%s", r->sides[k].p.www, c->id);
                if (!r->sides[k].porch && procs_write_file(path, c->bytes, c->len) != 0)
                    return -1;
            }
        }
        if (r->sides[1].porch && porch_upload(r, r->dl[s], r->n_dl) != 0)
            return -1;
    }
    return 0;
}

/* Both servers return exactly the sealed bytes. */
static int check_same_bytes(bench_run *r)
{
    char token[SITE_TOKEN_MAX], path[512], hdr[SITE_TOKEN_MAX + 64];
    const site_clip *c = &r->dl[1][0];
    lg_response resp;
    lg_conn conn[2];
    int ok = 1;

    for (int s = 0; s < 2; s++)
        if (lg_conn_open(&r->sides[s].loop, &conn[s], NULL, NULL) != 0)
            return -1;
    if (!r->sides[1].porch) {   /* A/A check: the second nginx like the first */
        snprintf(path, sizeof path, "/blobs/%s", c->id);
        if (lg_fetch(&conn[1], "GET", path, NULL, NULL, 0, &resp) != 200 ||
            resp.body_len != c->len || memcmp(resp.body, c->bytes, c->len) != 0)
            ok = 0;
    } else if (site_auth(&conn[1], r->server_pk, r->main.id, r->main.members[0], token) != 0)
        ok = 0;
    snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
    snprintf(path, sizeof path, "/blobs/%s", c->id);
    if (ok && (lg_fetch(&conn[0], "GET", path, NULL, NULL, 0, &resp) != 200 ||
               resp.body_len != c->len || memcmp(resp.body, c->bytes, c->len) != 0))
        ok = 0;
    snprintf(path, sizeof path, "/v1/households/%s/clips/%s", r->main.id, c->id);
    if (ok && r->sides[1].porch && (lg_fetch(&conn[1], "GET", path, hdr, NULL, 0, &resp) != 200 ||
               resp.body_len != c->len || memcmp(resp.body, c->bytes, c->len) != 0)) {
        fprintf(stderr, "bench_server: porchlight GET clip: status %d, %zu bytes of %zu\n",
                resp.status, resp.body_len, c->len);
        ok = 0;
    }
    sodium_memzero(token, sizeof token);
    lg_conn_close(&conn[0]);
    lg_conn_close(&conn[1]);
    return ok ? 0 : -1;
}

/* A camera with BENCH_LIST_CLIPS tiny clips; nginx's list.json is one of
 * porchlight's own 50-entry pages. Listing missing on the server: list_ok 0. */
static int setup_listing(bench_run *r)
{
    size_t n = r->o->smoke ? 60 : BENCH_LIST_CLIPS;
    site_clip *clips = calloc(n, sizeof *clips);
    char token[SITE_TOKEN_MAX], path[4400], hdr[SITE_TOKEN_MAX + 64];
    lg_response resp;
    lg_conn conn;
    int ret = -1;

    for (size_t i = 0; clips && i < n; i++) {
        if (site_clip_seal(&clips[i], r->main.hubs[0], r->main.roster, "list",
                           START_US + i * 10000000ull, 4096) != 0)
            goto out;
        r->list_from[i] = clips[i].start_us;
    }
    r->n_list = n > 50 ? n - 50 : 1;
    if (!clips || porch_upload(r, clips, n) != 0)
        goto out;
    if (lg_conn_open(&r->sides[1].loop, &conn, NULL, NULL) != 0)
        goto out;
    if (site_auth(&conn, r->server_pk, r->main.id, r->main.members[0], token) == 0) {
        snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
        snprintf(path, sizeof path, "/v1/households/%s/clips?camera=list&limit=50&from_us=%llu",
                 r->main.id, (unsigned long long)r->list_from[0]);
        int st = lg_fetch(&conn, "GET", path, hdr, NULL, 0, &resp);
        if (st == 200 && resp.body) {
            snprintf(path, sizeof path, "%s/list.json", r->sides[0].p.www);
            r->list_ok = procs_write_file(path, resp.body, resp.body_len) == 0;
        } else {
            fprintf(stderr, "bench_server: porchlight listing: status %d: listing test skipped\n",
                    st);
        }
        ret = 0;
    }
    sodium_memzero(token, sizeof token);
    lg_conn_close(&conn);
out:
    for (size_t i = 0; clips && i < n; i++)
        site_clip_free(&clips[i]);
    free(clips);
    return ret;
}

int bench_setup(bench_run *r, const bench_opts *o)
{
    size_t sizes[2] = {1u << 20, 8u << 20};
    double waited = 0;
    lg_conn c;

    memset(r, 0, sizeof *r);
    r->o = o;
    r->n_dl = o->smoke ? 4 : 32;
    if (o->smoke) {
        sizes[0] = 64u << 10;
        sizes[1] = 256u << 10;
    }
    if (porch_init() != 0 || !(r->workdir = procs_workdir(o->dir, o->keep)))
        return 1;
    long nofile = lg_raise_nofile();
    if (nofile < 2 * (o->hubs + 64) + 64)
        fprintf(stderr, "bench_server: RLIMIT_NOFILE %ld is low for %d hubs\n", nofile, o->hubs);
    if (peer_nginx_start(&r->sides[0].p, r->workdir, o->nginx, "nginx") != 0)
        return 1;
    int started = o->aa ? peer_nginx_start(&r->sides[1].p, r->workdir, o->nginx, "nginx-b")
                        : peer_porch_start(&r->sides[1].p, r->workdir, o->server);
    if (started == -2) {
        printf("bench_server: SKIP: %s is the placeholder (not implemented yet)\n", o->server);
        return 77;
    }
    if (started != 0)
        return 1;
    for (int s = 0; s < 2; s++) {
        r->sides[s].porch = s && !o->aa;
        if (lg_loop_init(&r->sides[s].loop, r->sides[s].p.port) != 0)
            return 1;
    }
    int ret = site_household_make(&r->main, 1, 1) != 0;
    if (!o->aa) {
        if (lg_conn_open(&r->sides[1].loop, &c, NULL, NULL) != 0)
            return 1;
        ret = ret || site_server_key(&c, r->server_pk) != 0 ||
              site_household_create(&c, &r->main, &waited) != 0;
        lg_conn_close(&c);
    }
    if (ret || setup_downloads(r, sizes) != 0 || check_same_bytes(r) != 0) {
        fprintf(stderr, "bench_server: setup failed (server log: %s)\n", r->sides[1].p.log);
        return 1;
    }
    if (!o->aa && setup_listing(r) != 0)
        return 1;
    return 0;
}

void bench_teardown(bench_run *r)
{
    for (int s = 0; s < 2; s++) {
        peer_stop(&r->sides[s].p);
        lg_loop_free(&r->sides[s].loop);
    }
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < r->n_dl; i++)
            site_clip_free(&r->dl[s][i]);
    site_household_free(&r->main);
}

/* Per-side figures of one test over its rounds. */
typedef struct series {
    double rate[2][BENCH_MAX_ROUNDS], ratio[BENCH_MAX_ROUNDS];
    double wall[2], lg[2], srv[2];
    int n;
} series;

/* One timed round on side s; rate = bytes/s or requests/s. -1 on failure. */
static double timed(bench_run *r, work *w, int s, size_t jobs, int round, series *se,
                    int per_request)
{
    proc_stat a, b;
    double c0 = procs_self_cpu();
    procs_stat(r->sides[s].p.pid, &a);
    double t = work_round(w, jobs, round);
    procs_stat(r->sides[s].p.pid, &b);
    if (t <= 0)
        return -1;
    se->wall[s] += t;
    se->lg[s] += procs_self_cpu() - c0;
    se->srv[s] += b.cpu_s - a.cpu_s;
    return per_request ? (double)w->done / t : (double)w->bytes / t / 1e6;
}

static void finish_row(bench_run *r, bench_row *row, series *se, int hard)
{
    for (int s = 0; s < 2; s++) {
        row->lg_cpu[s] = se->wall[s] > 0 ? 100 * se->lg[s] / se->wall[s] : 0;
        row->srv_cpu[s] = se->wall[s] > 0 ? 100 * se->srv[s] / se->wall[s] : 0;
    }
    if (se->n == 0) {
        row->failed = 1;
        row->met = 0;
        r->hard_fail |= hard;
        return;
    }
    row->nginx = bench_median(se->rate[0], se->n);
    row->porch = bench_median(se->rate[1], se->n);
    row->ratio = bench_median(se->ratio, se->n);
    row->met = row->ratio >= BENCH_TARGET_RATIO;
}

/* Seals this round's upload clips: new clip ids every time. */
static site_clip *seal_pool(bench_run *r, size_t jobs, size_t size, uint64_t *t)
{
    site_clip *pool = calloc(jobs, sizeof *pool);
    for (size_t i = 0; pool && i < jobs; i++)
        if (site_clip_seal(&pool[i], r->main.hubs[0], r->main.roster, "front",
                           *t += 1000000, size) != 0) {
            fprintf(stderr, "bench_server: sealing failed\n");
            exit(1);
        }
    return pool;
}

static void free_pool(site_clip *pool, size_t jobs)
{
    for (size_t i = 0; pool && i < jobs; i++)
        site_clip_free(&pool[i]);
    free(pool);
}

/* Downloads run about ten times faster than uploads: 8x the bytes per
 * round keeps their rounds long enough to time (and to read CPU over). */
static size_t jobs_for(const bench_run *r, enum work_kind kind, int n, size_t size)
{
    double mib = r->o->round_mib * (kind == WORK_DOWNLOAD ? 8 : 1);
    size_t jobs = (size_t)(mib * 1048576.0 / (double)size);
    return jobs < (size_t)n ? (size_t)n : jobs;
}

/* One untimed round of n jobs on each server: connections, caches and the
 * servers' first-request paths are warm before the timed rounds. */
static int warm_up(bench_run *r, work w[2], enum work_kind kind, size_t n, size_t size,
                   uint64_t *t)
{
    site_clip *pool = kind == WORK_UPLOAD ? seal_pool(r, n, size, t) : NULL;
    int ret = 0;
    for (int s = 0; s < 2; s++) {
        if (pool)
            w[s].clips = pool;
        if (work_round(&w[s], n, 1000 + s) < 0)
            ret = -1;
    }
    free_pool(pool, pool ? n : 0);
    return ret;
}

static void run_test(bench_run *r, enum work_kind kind, int n, size_t size_idx, const char *label)
{
    static uint64_t t_upload = START_US + 100000000000ull;
    bench_row *row = bench_add_row(r);
    work w[2];
    series se;
    const porch_device_secret *dev = kind == WORK_UPLOAD ? r->main.hubs[0] : r->main.members[0];
    size_t size = r->dl[size_idx][0].len;
    size_t jobs = kind == WORK_LIST ? (r->o->smoke ? 50 : 2000) : jobs_for(r, kind, n, size);

    memset(&se, 0, sizeof se);
    snprintf(row->test, sizeof row->test, "%s", label);
    snprintf(row->n, sizeof row->n, "%d", n);
    snprintf(row->unit, sizeof row->unit, "%s", kind == WORK_LIST ? "req/s" : "MB/s");
    snprintf(row->target, sizeof row->target, "%s",
             kind == WORK_LIST ? "-" : ">= 0.80x nginx");
    for (int s = 0; s < 2; s++) {
        memset(&w[s], 0, sizeof w[s]);
        w[s].kind = kind;
        w[s].clips = r->dl[size_idx];
        w[s].n_clips = r->n_dl;
        w[s].list_from = r->list_from;
        w[s].n_list = r->n_list;
        if (work_clients_open(&w[s], &r->sides[s], n, r->server_pk, r->main.id, dev) != 0) {
            snprintf(row->note, sizeof row->note, "%s", w[s].fail_msg);
            se.n = 0;
            goto out;
        }
    }
    if (warm_up(r, w, kind, (size_t)n, size, &t_upload) != 0) {
        snprintf(row->note, sizeof row->note, "warm-up: %s",
                 w[0].failed ? w[0].fail_msg : w[1].fail_msg);
        r->hard_fail |= w[0].failed;
        goto out;
    }
    for (int round = 0; round < r->o->rounds; round++) {
        site_clip *pool = NULL;
        double rate[2];
        if (kind == WORK_UPLOAD) {
            pool = seal_pool(r, jobs, size, &t_upload);
            w[0].clips = w[1].clips = pool;
        }
        for (int k = 0; k < 2; k++) {
            int s = (round + k) % 2;   /* even rounds nginx first, odd porchlight first */
            rate[s] = timed(r, &w[s], s, jobs, round, &se, kind == WORK_LIST);
        }
        free_pool(pool, kind == WORK_UPLOAD ? jobs : 0);
        if (rate[0] < 0 || rate[1] < 0) {
            snprintf(row->note, sizeof row->note, "%s", rate[0] < 0 ? w[0].fail_msg : w[1].fail_msg);
            r->hard_fail |= rate[0] < 0;
            break;
        }
        se.rate[0][se.n] = rate[0];
        se.rate[1][se.n] = rate[1];
        se.ratio[se.n++] = rate[1] / rate[0];
    }
    if (se.n && se.n < r->o->rounds)
        se.n = 0;
out:
    finish_row(r, row, &se, kind != WORK_LIST);
    if (kind == WORK_LIST)
        row->met = -1;
    for (int s = 0; s < 2; s++)
        work_clients_close(&w[s]);
    fprintf(stderr, "bench_server: done %s N=%d\n", label, n);
}

/* True when --only names another test. */
static int skipped(const bench_run *r, const char *test)
{
    return r->o->only && strcmp(r->o->only, test) != 0;
}

int bench_all(bench_run *r)
{
    static const int ns_full[] = {1, 8, 32}, ns_smoke[] = {1, 4};
    const int *ns = r->o->smoke ? ns_smoke : ns_full;
    int n_ns = r->o->smoke ? 2 : 3;
    const char *sz[2] = {r->o->smoke ? "64 KiB" : "1 MiB", r->o->smoke ? "256 KiB" : "8 MiB"};
    char label[48];

    for (int s = 0; s < 2 && !skipped(r, "upload"); s++)
        for (int i = 0; i < n_ns; i++) {
            snprintf(label, sizeof label, "upload %s", sz[s]);
            run_test(r, WORK_UPLOAD, ns[i], (size_t)s, label);
        }
    for (int s = 0; s < 2 && !skipped(r, "download"); s++)
        for (int i = 0; i < n_ns; i++) {
            snprintf(label, sizeof label, "download %s", sz[s]);
            run_test(r, WORK_DOWNLOAD, ns[i], (size_t)s, label);
        }
    if (r->list_ok && !skipped(r, "list"))
        for (int i = 0; i < n_ns; i++)
            run_test(r, WORK_LIST, ns[i], 0, "list 50 of 1000");
    if (!skipped(r, "hold"))
        bench_hold(r);
    bench_print(r);
    return r->hard_fail ? 1 : 0;
}
