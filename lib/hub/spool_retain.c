/*
 * spool_retain.c: per-camera retention of the spool's clips.
 *
 * Age counts from the clip's start (the time in its name). An uploaded
 * clip past its camera's retention is removed: the server holds it. One
 * NOT uploaded is the only copy, so retention never removes it: it is
 * kept, counted as overdue and reported at WARN when it crosses its
 * retention (once per crossing, or at the first pass after a start), and
 * removed at the first pass after its upload. Only the size limit ever
 * drops an un-uploaded clip, and that too is reported (spool_evict.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "porchlight/clip.h"
#include "porchlight/error.h"
#include "hub/hub_internal.h"

/* The camera named in the clip's signed header. */
static int clip_camera(porch_spool *s, const char *name, char *camera, size_t cap)
{
    char path[PORCH_SPOOL_PATH_MAX];
    uint8_t buf[PORCH_CLIP_HEADER_MAX];
    porch_clip_info info;
    ssize_t n;
    int fd, ret = porch__spool_path(s, name, ".clip", path, sizeof path);

    if (ret != PORCH_OK)
        return ret;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return PORCH_ERR_IO;
    n = read(fd, buf, sizeof buf);
    close(fd);
    if (n <= 0)
        return PORCH_ERR_IO;
    if ((ret = porch_clip_header_parse(&info, buf, (size_t)n)) == PORCH_OK)
        snprintf(camera, cap, "%s", info.camera);
    return ret;
}

static uint64_t name_start_us(const char *name)
{
    char hex[17];

    memcpy(hex, name, 16);
    hex[16] = '\0';
    return (uint64_t)strtoull(hex, NULL, 16);
}

/* One clip: 1 if removed, 0 if kept. Caller holds s->mu. */
static int retain_one(porch_spool *s, const struct porch__spool_entry *e, uint64_t now_us,
                      porch_spool_retention_fn fn, void *ctx, uint64_t *overdue)
{
    char camera[PORCH_CAMERA_ID_MAX + 1];
    uint64_t start = name_start_us(e->name), ret_us, due;

    if (clip_camera(s, e->name, camera, sizeof camera) != PORCH_OK ||
        (ret_us = fn(ctx, camera)) == 0)
        return 0;
    due = start + ret_us < start ? UINT64_MAX : start + ret_us;
    if (due > now_us)
        return 0;
    if (e->uploaded) {
        porch__spool_remove_clip(s, e->name);
        s->stats.expired++;
        return 1;
    }
    (*overdue)++;
    if (s->expire_last_us == 0 || due > s->expire_last_us)
        porch__spool_logf(s, PORCH_HUB_WARN,
                          "clip %s of camera '%s' is past its retention (%llu s) but NOT "
                          "uploaded: kept until it is", e->name, camera,
                          (unsigned long long)(ret_us / 1000000));
    return 0;
}

int porch_spool_expire(porch_spool *s, uint64_t now_us, porch_spool_retention_fn fn,
                       void *ctx)
{
    struct porch__spool_list l;
    uint64_t overdue = 0;
    int ret;

    if (!s || !fn)
        return PORCH_ERR_INVALID_ARG;
    pthread_mutex_lock(&s->mu);
    if ((ret = porch__spool_scan(s, &l)) == PORCH_OK) {
        for (size_t i = 0; i < l.n; i++)
            retain_one(s, &l.e[i], now_us, fn, ctx, &overdue);
        free(l.e);
        s->stats.overdue = overdue;
        s->expire_last_us = now_us;
        ret = porch__spool_scan(s, NULL);
    }
    pthread_mutex_unlock(&s->mu);
    return ret;
}
