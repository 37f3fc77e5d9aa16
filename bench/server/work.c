/* work.c: see work.h. */
#include "work.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static void fail(work *w, const lg_response *r, const char *what)
{
    if (w->failed)
        return;
    w->failed = 1;
    w->fail_status = r->status;
    const char *eol = r->head ? strstr(r->head, "\r\n") : NULL;
    snprintf(w->fail_msg, sizeof w->fail_msg, "%s %s: %.*s %.200s", w->s->p.name, what,
             eol ? (int)(eol - r->head) : 0, r->head ? r->head : "",
             r->body ? (const char *)r->body : "");
}

/* Queues client's next request, or leaves it idle when the jobs are out. */
static void next_job(client *cl)
{
    work *w = cl->w;
    const site_clip *clip;
    int porch = w->s->porch, rc = 0;

    if (w->failed || w->next >= w->jobs)
        return;
    cl->job = w->next++;
    cl->phase = 0;
    switch (w->kind) {
    case WORK_UPLOAD:
        clip = &w->clips[cl->job];
        if (porch) {
            snprintf(cl->path, sizeof cl->path, "/v1/households/%s/clips/%s/upload",
                     w->household, clip->id);
            char h[sizeof cl->headers + 128];
            snprintf(h, sizeof h, "%sUpload-Offset: 0\r\nContent-Type: application/octet-stream\r\n",
                     cl->headers);
            rc = lg_send(&cl->conn, "PATCH", cl->path, h, clip->bytes, clip->len, LG_KEEP);
        } else {
            snprintf(cl->path, sizeof cl->path, "/up/r%d-%zu-%s", w->round, cl->job, clip->id);
            rc = lg_send(&cl->conn, "PUT", cl->path, NULL, clip->bytes, clip->len, LG_KEEP);
        }
        break;
    case WORK_DOWNLOAD:
        clip = &w->clips[cl->job % w->n_clips];
        if (porch)
            snprintf(cl->path, sizeof cl->path, "/v1/households/%s/clips/%s", w->household,
                     clip->id);
        else
            snprintf(cl->path, sizeof cl->path, "/blobs/%s", clip->id);
        rc = lg_send(&cl->conn, "GET", cl->path, cl->headers, NULL, 0, 0);
        break;
    case WORK_LIST:
        if (porch)
            snprintf(cl->path, sizeof cl->path,
                     "/v1/households/%s/clips?camera=list&limit=50&from_us=%llu", w->household,
                     (unsigned long long)w->list_from[cl->job % w->n_list]);
        else
            snprintf(cl->path, sizeof cl->path, "/list.json");
        rc = lg_send(&cl->conn, "GET", cl->path, cl->headers, NULL, 0, LG_KEEP);
        break;
    }
    if (rc != 0) {
        lg_response r = {0, NULL, NULL, 0};
        fail(w, &r, "connect");
    }
}

/* A job is done: count it and take the next. */
static void job_done(client *cl, uint64_t bytes)
{
    cl->w->bytes += bytes;
    cl->w->done++;
    next_job(cl);
}

/* porchlight: 204 for the PATCH, then the complete request, then 201. */
static void upload_done(client *cl, const lg_response *r)
{
    work *w = cl->w;
    const site_clip *clip = &w->clips[cl->job];
    char h[sizeof cl->headers + 64];
    int n;

    if (!w->s->porch) {
        if (r->status == 201 || r->status == 204)
            job_done(cl, clip->len);
        else
            fail(w, r, "PUT");
        return;
    }
    if (cl->phase == 1) {
        if (r->status == 201)
            job_done(cl, clip->len);
        else
            fail(w, r, "POST complete");
        return;
    }
    if (r->status != 204) {
        fail(w, r, "PATCH upload");
        return;
    }
    snprintf(cl->path, sizeof cl->path, "/v1/households/%s/clips/%s/complete", w->household,
             clip->id);
    n = snprintf(cl->body, sizeof cl->body, "{\"length\":%zu,\"sha256\":\"%s\"}", clip->len,
                 clip->sha256);
    snprintf(h, sizeof h, "%sContent-Type: application/json\r\n", cl->headers);
    cl->phase = 1;
    if (lg_send(&cl->conn, "POST", cl->path, h, (const uint8_t *)cl->body, (size_t)n, LG_KEEP) != 0)
        fail(w, r, "connect");
}

static void on_done(lg_conn *c, const lg_response *r, void *ctx)
{
    client *cl = ctx;
    work *w = cl->w;
    int ok = r->status == 200;
    (void)c;
    switch (w->kind) {
    case WORK_UPLOAD:
        upload_done(cl, r);
        return;
    case WORK_DOWNLOAD:
        ok = ok && r->body_len == w->clips[cl->job % w->n_clips].len;
        break;
    case WORK_LIST:
        break;
    }
    if (ok)
        job_done(cl, r->body_len);
    else
        fail(w, r, w->kind == WORK_LIST ? "GET listing" : "GET clip");
}

int work_clients_open(work *w, side *s, int n, const uint8_t *server_pk, const char *household,
                      const porch_device_secret *dev)
{
    char token[SITE_TOKEN_MAX];
    lg_response r;
    w->s = s;
    w->n = n;
    w->household = household;
    w->failed = 0;
    if (!(w->clients = calloc((size_t)n, sizeof *w->clients)))
        return -1;
    for (int i = 0; i < n; i++) {
        client *cl = &w->clients[i];
        cl->w = w;
        if (lg_conn_open(&s->loop, &cl->conn, on_done, cl) != 0) {
            snprintf(w->fail_msg, sizeof w->fail_msg, "%s: connect failed", s->p.name);
            return -1;
        }
        if (s->porch) {
            if (site_auth(&cl->conn, server_pk, household, dev, token) != 0) {
                snprintf(w->fail_msg, sizeof w->fail_msg, "porchlight: authentication failed");
                return -1;
            }
            snprintf(cl->headers, sizeof cl->headers, "Authorization: Bearer %s\r\n", token);
            sodium_memzero(token, sizeof token);
        } else if (lg_fetch(&cl->conn, "GET", "/ok.txt", NULL, NULL, 0, &r) != 200) {
            snprintf(w->fail_msg, sizeof w->fail_msg, "nginx: GET /ok.txt failed");
            return -1;
        }
    }
    return 0;
}

void work_clients_close(work *w)
{
    for (int i = 0; w->clients && i < w->n; i++)
        lg_conn_close(&w->clients[i].conn);
    free(w->clients);
    w->clients = NULL;
    w->n = 0;
}

double work_round(work *w, size_t jobs, int round)
{
    double t0 = lg_now();
    w->jobs = jobs;
    w->next = w->done = 0;
    w->bytes = 0;
    w->round = round;
    for (int i = 0; i < w->n && !w->failed; i++)
        next_job(&w->clients[i]);
    lg_run(&w->s->loop, t0 + 600);
    double t = lg_now() - t0;
    if (w->failed || w->done != jobs) {
        if (!w->failed) {
            w->failed = 1;
            snprintf(w->fail_msg, sizeof w->fail_msg, "%s: %zu of %zu jobs done (timeout or "
                     "closed connection)", w->s->p.name, w->done, jobs);
        }
        /* Drain what is in flight so the connections are usable or closed. */
        for (int i = 0; i < w->n; i++)
            if (w->clients[i].conn.in_flight)
                lg_conn_close(&w->clients[i].conn);
        return -1;
    }
    return t;
}
