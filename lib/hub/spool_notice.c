/*
 * spool_notice.c: the notice queue of the spool (porchlight/hub_spool.h).
 *
 * A clip's sealed notice is written as NAME.notice when its event starts,
 * before the clip has a byte on disk, so a crash at any later point leaves
 * the notice queued; it is removed only after the target confirmed it.
 * The bytes never change once written, so posting them again after a
 * crash between "confirmed" and "removed" is a retry the server recognises
 * by the notice's id (docs/SERVER.md): exactly one notice per clip.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "porchlight/notice.h"
#include "hub/hub_internal.h"

void porch_spool_set_notices(porch_spool *s, porch_spool_queued_fn fn, void *ctx)
{
    if (!s)
        return;
    s->notices_on = 1;
    s->queued = fn;
    s->queued_ctx = ctx;
}

int porch_spool_notices_on(const porch_spool *s)
{
    return s && s->notices_on;
}

int porch_spool_notice_put(porch_spool *s, const porch_clip_info *info,
                           const uint8_t *notice, size_t len)
{
    char name[PORCH_SPOOL_NAME_BYTES], hex[2 * PORCH_CLIP_ID_BYTES + 1];
    char path[PORCH_SPOOL_PATH_MAX];
    int ret;

    if (!s || !info || !notice || len == 0 || len > PORCH_NOTICE_MAX_BYTES)
        return PORCH_ERR_INVALID_ARG;
    sodium_bin2hex(hex, sizeof hex, info->clip_id, PORCH_CLIP_ID_BYTES);
    snprintf(name, sizeof name, "%016llx-%s", (unsigned long long)info->start_us, hex);
    if ((ret = porch__spool_path(s, name, ".notice", path, sizeof path)) != PORCH_OK ||
        (ret = porch_file_write_atomic(path, notice, len, 0600)) != PORCH_OK ||
        (ret = porch_dir_sync(s->dir)) != PORCH_OK)
        return ret;
    if (s->queued)
        s->queued(s->queued_ctx);
    return PORCH_OK;
}

/* Keeps the smallest name above `after` with extension .notice. */
static void consider(const char *fname, const char *after, char best[PORCH_SPOOL_NAME_BYTES],
                     int *found)
{
    char name[PORCH_SPOOL_NAME_BYTES];
    size_t n = strlen(fname);

    if (n != PORCH_SPOOL_NAME_BYTES - 1 + 7 || strcmp(fname + PORCH_SPOOL_NAME_BYTES - 1,
                                                      ".notice"))
        return;
    memcpy(name, fname, PORCH_SPOOL_NAME_BYTES - 1);
    name[PORCH_SPOOL_NAME_BYTES - 1] = '\0';
    if (!porch__spool_name_valid(name) || (after && strcmp(name, after) <= 0) ||
        (*found && strcmp(name, best) >= 0))
        return;
    memcpy(best, name, PORCH_SPOOL_NAME_BYTES);
    *found = 1;
}

int porch_spool_next_notice(porch_spool *s, const char *after,
                            char name[PORCH_SPOOL_NAME_BYTES])
{
    struct dirent *de;
    int found = 0;
    DIR *d;

    if (name)
        name[0] = '\0';
    if (!s || !name)
        return PORCH_ERR_INVALID_ARG;
    if (after && !*after)
        after = NULL;
    pthread_mutex_lock(&s->mu);
    if ((d = opendir(s->dir)) != NULL) {
        while ((de = readdir(d)) != NULL)
            consider(de->d_name, after, name, &found);
        closedir(d);
    }
    pthread_mutex_unlock(&s->mu);
    return d ? found : PORCH_ERR_IO;
}

int porch_spool_notice_read(porch_spool *s, const char *name, uint8_t **out, size_t *len)
{
    char path[PORCH_SPOOL_PATH_MAX];
    int ret;

    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!s || !name || !out || !len || !porch__spool_name_valid(name))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__spool_path(s, name, ".notice", path, sizeof path)) != PORCH_OK)
        return ret;
    return porch_file_read(path, PORCH_NOTICE_MAX_BYTES, out, len);
}

int porch_spool_notice_done(porch_spool *s, const char *name)
{
    char path[PORCH_SPOOL_PATH_MAX];
    int ret;

    if (!s || !name || !porch__spool_name_valid(name))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__spool_path(s, name, ".notice", path, sizeof path)) != PORCH_OK)
        return ret;
    /* No directory fsync: if the removal is undone by a power loss, the
     * notice is posted again and the server takes it as a retry. */
    return unlink(path) == 0 ? PORCH_OK : PORCH_ERR_IO;
}
