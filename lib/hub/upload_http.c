/*
 * upload_http.c: the uploader that sends clips to the server through the
 * client library (lib/client: HEAD for the offset, PATCH the rest,
 * complete with length and SHA-256; docs/SERVER.md). The client is used
 * only by the uploader thread (it is not thread-safe; one thread here).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "porchlight/client.h"
#include "porchlight/error.h"
#include "porchlight/hub.h"

static int http_upload(void *self, const char *name, const char *path)
{
    uint8_t id[PORCH_CLIP_ID_BYTES];
    size_t n = strlen(name);

    /* NAME = 16 hex digits of start time, '-', 32 hex digits of clip id. */
    if (n != PORCH_SPOOL_NAME_BYTES - 1 ||
        sodium_hex2bin(id, sizeof id, name + 17, 32, NULL, NULL, NULL) != 0)
        return PORCH_ERR_INVALID_ARG;
    return porch_client_upload_file(self, id, path);
}

static void http_free(void *self)
{
    porch_client_free(self);
}

static const porch_uploader_ops http_ops = { http_upload, http_free };

int porch_uploader_http_new(porch_uploader *out, const char *base_url,
                            const uint8_t server_pk[PORCH_SIGN_PK_BYTES],
                            const porch_device_secret *hub, const uint8_t *household)
{
    porch_client_config cc;
    porch_client *c = NULL;
    int ret;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !base_url || !server_pk || !hub || !household)
        return PORCH_ERR_INVALID_ARG;
    memset(&cc, 0, sizeof cc);
    cc.base_url = base_url;
    cc.server_pk = server_pk;
    cc.device = hub;
    cc.household = household;
    cc.timeout_ms = 120000;
    if ((ret = porch_client_new(&c, &cc)) != PORCH_OK)
        return ret;
    out->ops = &http_ops;
    out->self = c;
    return PORCH_OK;
}
