/*
 * upload_http.c: the uploader that sends clips to the server through the
 * client library (lib/client: HEAD for the offset, PATCH the rest,
 * complete with length and SHA-256; docs/SERVER.md) and posts the sealed
 * notices the recorder queued (POST notices, idempotent by notice id). The
 * client is used only by the uploader thread (it is not thread-safe; one
 * thread here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/client.h"
#include "porchlight/clip.h"
#include "porchlight/error.h"
#include "porchlight/hub.h"

struct http_uploader {
    porch_client *client;
    const porch_device_secret *hub;   /* borrowed */
    const porch_roster *roster;       /* borrowed */
    char why[320];                    /* http_why()'s answer */
};

static int http_notice(void *self, const char *name, const uint8_t *notice, size_t len)
{
    struct http_uploader *u = self;

    (void)name;
    return porch_client_notice_post(u->client, notice, len, NULL);
}

static int http_upload(void *self, const char *name, const char *path)
{
    struct http_uploader *u = self;
    uint8_t id[PORCH_CLIP_ID_BYTES];
    size_t n = strlen(name);

    /* NAME = 16 hex digits of start time, '-', 32 hex digits of clip id. */
    if (n != PORCH_SPOOL_NAME_BYTES - 1 ||
        sodium_hex2bin(id, sizeof id, name + 17, 32, NULL, NULL, NULL) != 0)
        return PORCH_ERR_INVALID_ARG;
    return porch_client_upload_file(u->client, id, path);
}

static void http_free(void *self)
{
    struct http_uploader *u = self;

    if (u) {
        porch_client_free(u->client);
        free(u);
    }
}

/* libcurl's reason when no HTTP answer came, else an error status (a
 * failure before any request leaves an older, successful one: not named);
 * never a token or a body (the client keeps neither in its errors). */
static const char *http_why(void *self)
{
    struct http_uploader *u = self;
    const char *t = porch_client_last_transport_error(u->client);
    long st = porch_client_last_status(u->client);

    if (t && t[0])
        snprintf(u->why, sizeof u->why, "%s", t);
    else if (st >= 400)
        snprintf(u->why, sizeof u->why, "HTTP %ld", st);
    else
        return NULL;
    return u->why;
}

static const porch_uploader_ops http_ops = { http_upload, http_free, http_notice, http_why };

int porch_uploader_http_new(porch_uploader *out, const char *base_url,
                            const uint8_t server_pk[PORCH_SIGN_PK_BYTES],
                            const porch_device_secret *hub, const porch_roster *roster,
                            const char *ca_file)
{
    porch_client_config cc;
    struct http_uploader *u = NULL;
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !base_url || !server_pk || !hub || !roster)
        return PORCH_ERR_INVALID_ARG;
    if (!(u = calloc(1, sizeof *u)))
        return PORCH_ERR_NOMEM;
    memset(&cc, 0, sizeof cc);
    cc.base_url = base_url;
    cc.server_pk = server_pk;
    cc.device = hub;
    cc.household = porch_roster_household(roster);
    cc.timeout_ms = 120000;
    cc.ca_file = ca_file;
    if ((ret = porch_client_new(&u->client, &cc)) != PORCH_OK) {
        free(u);
        return ret;
    }
    u->hub = hub;
    u->roster = roster;
    out->ops = &http_ops;
    out->self = u;
    return PORCH_OK;
}
