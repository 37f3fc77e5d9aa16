/*
 * upload_dir.c: the directory uploader: copies each finished clip and each
 * notice into a directory (atomic writes), standing in for the server where there is
 * none (offline hub, tests of the queue). The HTTP uploader lives with the
 * client library (lib/client) and implements the same porch_uploader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "porchlight/hub.h"

struct dir_up {
    char dir[2048];
};

static int dir_upload(void *self, const char *name, const char *path)
{
    struct dir_up *d = self;
    char dst[4096];
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret;

    if (snprintf(dst, sizeof dst, "%s/%s.clip", d->dir, name) >= (int)sizeof dst)
        return PORCH_ERR_TOO_LARGE;
    if ((ret = porch_file_read(path, (size_t)2 << 30, &buf, &len)) != PORCH_OK)
        return ret;
    ret = porch_file_write_atomic(dst, buf, len, 0600);
    free(buf);
    return ret;
}

static int dir_notice(void *self, const char *name, const uint8_t *notice, size_t len)
{
    struct dir_up *d = self;
    char dst[4096];

    if (snprintf(dst, sizeof dst, "%s/%s.notice", d->dir, name) >= (int)sizeof dst)
        return PORCH_ERR_TOO_LARGE;
    return porch_file_write_atomic(dst, notice, len, 0600);
}

static void dir_free(void *self)
{
    free(self);
}

static const porch_uploader_ops dir_ops = { dir_upload, dir_free, dir_notice, NULL };

int porch_uploader_dir_new(porch_uploader *out, const char *dir)
{
    struct dir_up *d;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !dir || strlen(dir) >= sizeof d->dir)
        return PORCH_ERR_INVALID_ARG;
    if (mkdir(dir, 0700) != 0 && access(dir, W_OK) != 0)
        return PORCH_ERR_IO;
    if (!(d = calloc(1, sizeof *d)))
        return PORCH_ERR_NOMEM;
    memcpy(d->dir, dir, strlen(dir) + 1);
    out->ops = &dir_ops;
    out->self = d;
    return PORCH_OK;
}

void porch_uploader_free(porch_uploader *u)
{
    if (!u)
        return;
    if (u->ops && u->ops->free)
        u->ops->free(u->self);
    memset(u, 0, sizeof *u);
}
