/*
 * slog.c: structured logs, one JSON object per line on stderr. A request
 * line carries time, route group, method-independent path shape, status,
 * household id, the first 8 hex digits of the caller's key, bytes and
 * duration. Never a token, a body byte, a key, a signature or a header value.
 */
#include <stdio.h>
#include <string.h>

#include "server/srv.h"
#include "util/hex.h"

static const char *const group_names[RG_COUNT] = {
    "server", "health", "metrics", "auth", "household", "roster", "upload", "clips", "clip",
    "notices", "stream", "log", "grants", "other",
};

void porch_srv_slog_request(porch_srv_req *r)
{
    char hh[33] = "", dev[9] = "";
    uint64_t dur = porch_srv_mono_us() - r->t0_us;
    json_t *j;
    char *t;

    if (r->authed) {
        porch__hex_encode(hh, sizeof hh, r->hh, sizeof r->hh);
        porch__hex_encode(dev, sizeof dev, r->dev, 4);
    }
    j = json_pack("{s:I,s:s,s:s,s:i,s:s,s:s,s:I,s:I,s:I}", "time_us",
                  (json_int_t)porch_srv_now_us(), "level", "info", "route",
                  group_names[r->route ? r->route->group : RG_OTHER], "status", r->status,
                  "household", hh, "device", dev, "bytes_in", (json_int_t)r->bytes_in,
                  "bytes_out", (json_int_t)r->bytes_out, "duration_us", (json_int_t)dur);
    if (j && (t = json_dumps(j, JSON_COMPACT))) {
        fprintf(stderr, "%s\n", t);
        free(t);
    }
    json_decref(j);
}

void porch_srv_slog(const char *level, const char *event, const char *detail)
{
    json_t *j = json_pack("{s:I,s:s,s:s,s:s}", "time_us", (json_int_t)porch_srv_now_us(),
                          "level", level, "event", event, "detail", detail ? detail : "");
    char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;

    if (t) {
        fprintf(stderr, "%s\n", t);
        free(t);
    }
    json_decref(j);
}
