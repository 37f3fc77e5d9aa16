/*
 * bench_hold.c: connected hubs held. On porchlight: --hubs hub devices
 * (BENCH_HUBS_PER_HOUSEHOLD per household, since a roster holds at most 256
 * members), each on its own keep-alive connection, authenticated through
 * challenge/token and answering one HEAD .../upload; plus one SSE notice
 * stream per member (BENCH_MEMBERS_PER_HOUSEHOLD per household). nginx gets
 * the same number of keep-alive connections, each after GET /ok.txt (it has
 * no stream to hold). While they are held, a request on a fresh connection
 * is timed every second; at the end every held hub connection must still be
 * open and answer again, and every stream must still be open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bench.h"
#include "procs.h"

typedef struct held {
    lg_conn conn;
    char headers[SITE_TOKEN_MAX + 64];
    char path[256];
    int got, status;
} held;

typedef struct hold_result {
    int hubs, streams, hubs_ok, streams_ok, fresh_n, fresh_fail;
    int stream_status;          /* first non-200 status of a stream request */
    double fresh_ms[4096], fresh_median, fresh_max, first_close_s, held_s;
    proc_stat st;
    char why[200];
} hold_result;

static void held_done(lg_conn *c, const lg_response *r, void *ctx)
{
    held *h = ctx;
    (void)c;
    h->got = 1;
    h->status = r->status;
}

static int wait_all(lg_loop *l, held *v, int n, double secs)
{
    double until = lg_now() + secs;
    int got;
    do {
        got = 0;
        for (int i = 0; i < n; i++)
            got += v[i].got;
        if (got == n)
            break;
        lg_poll(l, 50);
    } while (lg_now() < until);
    return got;
}

/* Opens and authenticates the porchlight connections; hubs first, then streams. */
static int open_porch(bench_run *r, held *v, site_household *hh, int n_hh, hold_result *out)
{
    lg_loop *l = &r->sides[1].loop;
    char token[SITE_TOKEN_MAX];
    double waited = 0;
    int k = 0;

    for (int i = 0; i < n_hh; i++) {
        int hubs = out->hubs - i * BENCH_HUBS_PER_HOUSEHOLD;
        hubs = hubs > BENCH_HUBS_PER_HOUSEHOLD ? BENCH_HUBS_PER_HOUSEHOLD : hubs;
        lg_conn c;
        if (site_household_make(&hh[i], (size_t)hubs, BENCH_MEMBERS_PER_HOUSEHOLD) != 0 ||
            lg_conn_open(l, &c, NULL, NULL) != 0)
            return -1;
        int bad = site_household_create(&c, &hh[i], &waited);
        lg_conn_close(&c);
        if (bad)
            return -1;
    }
    if (waited > 1)
        fprintf(stderr, "bench_server: hold: waited %.0f s for household creation (rate limit)\n",
                waited);
    /* v[0, hubs) must be the hubs and v[hubs, total) the streams: the checks
     * index them so. (Household by household, hub then member, put 15 streams
     * among the "hubs": they never answered the final HEAD.) */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n_hh; i++)
            for (size_t j = 0; j < (pass ? hh[i].n_members : hh[i].n_hubs); j++, k++) {
                int hub = !pass;
                const porch_device_secret *d = hub ? hh[i].hubs[j] : hh[i].members[j];
                uint8_t id[16];
                char idhex[33];
                held *h = &v[k];
                if (lg_conn_open(l, &h->conn, held_done, h) != 0 ||
                    site_auth(&h->conn, r->server_pk, hh[i].id, d, token) != 0) {
                    snprintf(out->why, sizeof out->why, "connection %d: connect/auth failed", k);
                    return -1;
                }
                snprintf(h->headers, sizeof h->headers, "Authorization: Bearer %s\r\n", token);
                randombytes_buf(id, sizeof id);
                site_hex(idhex, id, sizeof id);
                if (hub) {
                    snprintf(h->path, sizeof h->path, "/v1/households/%s/clips/%s/upload",
                             hh[i].id, idhex);
                    lg_send(&h->conn, "HEAD", h->path, h->headers, NULL, 0, LG_HEAD);
                } else {
                    char sh[sizeof h->headers + 64];
                    snprintf(h->path, sizeof h->path, "/v1/households/%s/notices/stream",
                             hh[i].id);
                    snprintf(sh, sizeof sh, "%sAccept: text/event-stream\r\n", h->headers);
                    lg_send(&h->conn, "GET", h->path, sh, NULL, 0, LG_STREAM);
                }
                if ((k + 1) % 64 == 0)
                    wait_all(l, v + k - 63, 64, 10);
            }
    sodium_memzero(token, sizeof token);
    return 0;
}

static int open_nginx(bench_run *r, int s, held *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (lg_conn_open(&r->sides[s].loop, &v[i].conn, held_done, &v[i]) != 0)
            return -1;
        snprintf(v[i].path, sizeof v[i].path, "/ok.txt");
        lg_send(&v[i].conn, "GET", v[i].path, NULL, NULL, 0, 0);
        if ((i + 1) % 64 == 0)
            wait_all(&r->sides[s].loop, v + i - 63, 64, 10);
    }
    return 0;
}

static int open_count(const held *v, int from, int to)
{
    int n = 0;
    for (int i = from; i < to; i++)
        n += v[i].conn.fd >= 0 && !v[i].conn.peer_closed;
    return n;
}

/* One request on a fresh connection; its latency in ms, or -1. */
static double fresh_request(lg_loop *l, const held *proto, int porch)
{
    lg_conn c;
    lg_response resp;
    double t0 = lg_now();
    int st = 0;
    if (lg_conn_open(l, &c, NULL, NULL) == 0)
        st = lg_fetch(&c, porch ? "HEAD" : "GET", proto->path, porch ? proto->headers : NULL,
                      NULL, 0, &resp);
    double ms = (lg_now() - t0) * 1e3;
    lg_conn_close(&c);
    return st == 200 ? ms : -1;
}

static void hold_side(bench_run *r, int s, hold_result *out)
{
    int porch = r->sides[s].porch;
    int n_hh = (r->o->hubs + BENCH_HUBS_PER_HOUSEHOLD - 1) / BENCH_HUBS_PER_HOUSEHOLD;
    site_household hh[16];
    lg_loop *l = &r->sides[s].loop;
    held *v;
    int total;

    memset(hh, 0, sizeof hh);
    out->hubs = r->o->hubs;
    out->streams = n_hh * BENCH_MEMBERS_PER_HOUSEHOLD;
    total = out->hubs + out->streams;
    if (!(v = calloc((size_t)total, sizeof *v)))
        return;
    if ((porch ? open_porch(r, v, hh, n_hh, out) : open_nginx(r, s, v, total)) != 0)
        goto out;
    wait_all(l, v, total, 30);
    for (int i = out->hubs; i < total; i++)
        if (v[i].status != 200 && !out->stream_status) {
            out->stream_status = v[i].status;   /* reported in the SSE row, not fatal */
            lg_conn_close(&v[i].conn);
        }
    for (int i = 0; i < out->hubs; i++)
        if (!v[i].got || v[i].status != 200) {
            snprintf(out->why, sizeof out->why, "%s connection %d (%s): status %d%s",
                     r->sides[s].p.name, i, "hub", v[i].status,
                     v[i].got ? "" : " (no answer)");
            goto out;
        }
    double t0 = lg_now(), next = t0;
    out->first_close_s = -1;
    while (lg_now() - t0 < r->o->hold_s) {
        lg_poll(l, 100);
        if (out->first_close_s < 0 && open_count(v, 0, total) < total)
            out->first_close_s = lg_now() - t0;
        if (lg_now() >= next && out->fresh_n < 4096) {
            double ms = fresh_request(l, &v[0], porch);
            if (ms < 0)
                out->fresh_fail++;
            else
                out->fresh_ms[out->fresh_n++] = ms;
            next += 1.0;
        }
    }
    out->held_s = lg_now() - t0;
    procs_stat(r->sides[s].p.pid, &out->st);
    out->streams_ok = open_count(v, out->hubs, total);
    for (int i = 0; i < (porch ? out->hubs : total); i++) {
        v[i].got = 0;
        v[i].status = 0;
        if (v[i].conn.fd < 0 || v[i].conn.peer_closed) {
            v[i].got = 1;   /* dropped: counted as not answering, never reopened */
            continue;
        }
        lg_send(&v[i].conn, porch ? "HEAD" : "GET", v[i].path, porch ? v[i].headers : NULL, NULL, 0,
                porch ? LG_HEAD : 0);
    }
    wait_all(l, v, s ? out->hubs : total, 30);
    for (int i = 0; i < out->hubs; i++)
        out->hubs_ok += v[i].status == 200;
    if (!porch)
        for (int i = out->hubs; i < total; i++)
            out->streams_ok -= v[i].status != 200;
    for (int i = 0; i < (porch ? out->hubs : total); i++)
        if (v[i].status != 200 && !out->why[0])
            snprintf(out->why, sizeof out->why, "%s: held connection %d answered %d at the end; ",
                     r->sides[s].p.name, i, v[i].status);
    if (out->fresh_n) {
        out->fresh_median = bench_median(out->fresh_ms, out->fresh_n);
        out->fresh_max = out->fresh_ms[out->fresh_n - 1];
    }
out:
    for (int i = 0; i < total; i++)
        lg_conn_close(&v[i].conn);
    free(v);
    for (int i = 0; i < n_hh && i < 16; i++)
        site_household_free(&hh[i]);
}

static void row(bench_run *r, const char *test, int n, const char *unit, double a, double b,
                const char *target, int met, const char *note)
{
    bench_row *w = bench_add_row(r);
    snprintf(w->test, sizeof w->test, "%s", test);
    snprintf(w->n, sizeof w->n, "%d", n);
    snprintf(w->unit, sizeof w->unit, "%s", unit);
    snprintf(w->target, sizeof w->target, "%s", target);
    snprintf(w->note, sizeof w->note, "%s", note ? note : "");
    w->nginx = a;
    w->porch = b;
    w->ratio = a > 0 ? b / a : 0;
    w->met = met;
}

void bench_hold(bench_run *r)
{
    static hold_result res[2];
    char note[640], target[32];
    memset(res, 0, sizeof res);
    for (int s = 0; s < 2; s++) {
        hold_side(r, s, &res[s]);
        fprintf(stderr, "bench_server: done hold on %s\n", r->sides[s].p.name);
    }
    const hold_result *n = &res[0], *p = &res[1];
    int want = r->o->smoke ? r->o->hubs : 1000;
    snprintf(target, sizeof target, ">= %d held", want);
    snprintf(note, sizeof note, "%.200s%.200sheld %.0f s; first close %s", n->why, p->why, p->held_s,
             p->first_close_s < 0 ? "none" : "");
    if (p->first_close_s >= 0)
        snprintf(note + strlen(note), sizeof note - strlen(note), "at %.1f s", p->first_close_s);
    row(r, "hold: hubs open+answering", p->hubs, "conns", n->hubs_ok, p->hubs_ok, target,
        p->hubs_ok >= want && p->hubs_ok == p->hubs && !p->why[0], note);
    if (p->why[0] || n->why[0])
        r->hard_fail = 1;
    snprintf(note, sizeof note, "nginx: plain keep-alive conns instead%s", "");
    if (p->stream_status)
        snprintf(note, sizeof note, "porchlight stream request: status %d", p->stream_status);
    row(r, "hold: SSE streams open", p->streams, "conns", n->streams_ok, p->streams_ok,
        "all open", p->streams_ok == p->streams, note);
    snprintf(note, sizeof note, "max nginx %.1f, porchlight %.1f ms; failed %d / %d",
             n->fresh_max, p->fresh_max, n->fresh_fail, p->fresh_fail);
    row(r, "hold: fresh-conn request", p->fresh_n, "ms med", n->fresh_median, p->fresh_median,
        "completes", p->fresh_n > 0 && p->fresh_fail == 0, note);
    row(r, "hold: server RSS", p->hubs + p->streams, "MiB", n->st.rss_kib / 1024.0,
        p->st.rss_kib / 1024.0, "-", -1, "nginx: master + 2 workers");
    row(r, "hold: server fds", p->hubs + p->streams, "fds", (double)n->st.fds,
        (double)p->st.fds, "-", -1, NULL);
}
