/* metrics.c: counters in Prometheus text exposition format 0.0.4. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "porchlight/error.h"
#include "server/srv.h"

static const char *const groups[RG_COUNT] = {
    "server", "health", "metrics", "auth", "household", "roster", "upload", "clips", "clip",
    "notices", "stream", "log", "grants", "other",
};
static const char *const classes[6] = { "1xx", "2xx", "3xx", "4xx", "5xx", "none" };

void porch_srv_metrics_init(porch_srv_metrics *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
}

void porch_srv_metrics_request(porch_srv_metrics *m, int group, int status, uint64_t in,
                               uint64_t out)
{
    int cls = status >= 100 && status < 600 ? status / 100 - 1 : 5;

    pthread_mutex_lock(&m->lock);
    m->req[group][cls]++;
    m->bytes_in += in;
    m->bytes_out += out;
    pthread_mutex_unlock(&m->lock);
}

void porch_srv_metrics_add(porch_srv_metrics *m, uint64_t *field, int64_t delta)
{
    pthread_mutex_lock(&m->lock);
    *field += (uint64_t)delta;
    pthread_mutex_unlock(&m->lock);
}

/* Ownership: *out malloc()ed, released by the caller with free(). */
int porch_srv_metrics_text(porch_srv_metrics *m, char **out, size_t *len)
{
    size_t cap = 16384, n = 0;
    char *t = malloc(cap);

    *out = NULL;
    *len = 0;
    if (!t)
        return PORCH_ERR_NOMEM;
    pthread_mutex_lock(&m->lock);
    n += (size_t)snprintf(t + n, cap - n, "# TYPE porch_requests_total counter\n");
    for (int g = 0; g < RG_COUNT; g++)
        for (int c = 0; c < 6; c++)
            if (m->req[g][c])
                n += (size_t)snprintf(t + n, cap - n,
                                      "porch_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                                      groups[g], classes[c], (unsigned long long)m->req[g][c]);
    n += (size_t)snprintf(t + n, cap - n,
                          "# TYPE porch_bytes_in_total counter\nporch_bytes_in_total %llu\n"
                          "# TYPE porch_bytes_out_total counter\nporch_bytes_out_total %llu\n"
                          "# TYPE porch_log_appends_total counter\nporch_log_appends_total %llu\n"
                          "# TYPE porch_auth_failures_total counter\nporch_auth_failures_total %llu\n"
                          "# TYPE porch_connections gauge\nporch_connections %llu\n"
                          "# TYPE porch_uploads_in_progress gauge\nporch_uploads_in_progress %llu\n",
                          (unsigned long long)m->bytes_in, (unsigned long long)m->bytes_out,
                          (unsigned long long)m->log_appends,
                          (unsigned long long)m->auth_failures,
                          (unsigned long long)m->connections, (unsigned long long)m->uploads);
    pthread_mutex_unlock(&m->lock);
    *out = t;
    *len = n < cap ? n : cap - 1;
    return PORCH_OK;
}
