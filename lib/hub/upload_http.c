/*
 * upload_http.c: the uploader that sends clips to the server through the
 * client library (lib/client: HEAD for the offset, PATCH the rest,
 * complete with length and SHA-256; docs/SERVER.md), then posts a sealed
 * notice naming the clip. The client is used only by the uploader thread
 * (it is not thread-safe; one thread here).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "porchlight/client.h"
#include "porchlight/clip.h"
#include "porchlight/error.h"
#include "porchlight/hub.h"
#include "porchlight/notice.h"

struct http_uploader {
    porch_client *client;
    const porch_device_secret *hub;   /* borrowed */
    const porch_roster *roster;       /* borrowed */
};

/* The clip's signed header, read from the start of the spooled file. */
static int read_header(const char *path, porch_clip_info *info)
{
    uint8_t buf[PORCH_CLIP_HEADER_MAX];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return PORCH_ERR_IO;
    n = read(fd, buf, sizeof buf);
    close(fd);
    if (n <= 0)
        return PORCH_ERR_IO;
    return porch_clip_header_parse(info, buf, (size_t)n);
}

/*
 * A notice is best effort: the clip is already stored and listed, and a
 * retry would upload nothing new. Posted once per upload call, so a hub
 * that crashed between the upload and the notice posts it on resume.
 */
static void post_notice(struct http_uploader *u, const char *path)
{
    porch_clip_info info;
    uint8_t *notice = NULL;
    size_t len = 0;

    if (read_header(path, &info) == PORCH_OK &&
        porch_notice_seal(&notice, &len, u->hub, u->roster, info.camera, info.start_us,
                          info.clip_id, NULL) == PORCH_OK)
        (void)porch_client_notice_post(u->client, notice, len, NULL);
    free(notice);
}

static int http_upload(void *self, const char *name, const char *path)
{
    struct http_uploader *u = self;
    uint8_t id[PORCH_CLIP_ID_BYTES];
    size_t n = strlen(name);
    int ret;

    /* NAME = 16 hex digits of start time, '-', 32 hex digits of clip id. */
    if (n != PORCH_SPOOL_NAME_BYTES - 1 ||
        sodium_hex2bin(id, sizeof id, name + 17, 32, NULL, NULL, NULL) != 0)
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch_client_upload_file(u->client, id, path)) == PORCH_OK)
        post_notice(u, path);
    return ret;
}

static void http_free(void *self)
{
    struct http_uploader *u = self;

    if (u) {
        porch_client_free(u->client);
        free(u);
    }
}

static const porch_uploader_ops http_ops = { http_upload, http_free };

int porch_uploader_http_new(porch_uploader *out, const char *base_url,
                            const uint8_t server_pk[PORCH_SIGN_PK_BYTES],
                            const porch_device_secret *hub, const porch_roster *roster)
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
