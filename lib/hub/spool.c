/*
 * spool.c: the spool directory as clip store and upload queue.
 *
 * Durability rules (power loss at any instant leaves a recoverable state):
 *   - a record is appended to NAME.partial and fdatasync()ed before the
 *     tail that covers it is written (atomically: tmp, fsync, rename);
 *   - NAME.partial becomes NAME.clip by rename after its final record is
 *     durable, then the directory is fsynced and the tail removed;
 *   - NAME.up is written (fsynced) only after the server confirmed the
 *     whole clip. Recovery: spool_recover.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "hub/hub_internal.h"

struct porch_spool_clip {
    porch_spool *s;
    char name[PORCH_SPOOL_NAME_BYTES];
    int fd;
    uint64_t bytes;
};

void porch__spool_logf(porch_spool *s, int level, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    if (!s->log)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->log(s->log_ctx, level, NULL, msg);
}

int porch__spool_path(const porch_spool *s, const char *name, const char *ext, char *out,
                      size_t cap)
{
    int n = snprintf(out, cap, "%s/%s%s", s->dir, name, ext);

    return n < 0 || (size_t)n >= cap ? PORCH_ERR_TOO_LARGE : PORCH_OK;
}

int porch_spool_open(porch_spool **out, const char *dir, uint64_t limit,
                     porch_hub_log_fn log, void *log_ctx)
{
    porch_spool *s = NULL;
    int ret = PORCH_ERR_INVALID_ARG;

    if (out)
        *out = NULL;
    if (!out || !dir || strlen(dir) >= sizeof s->dir || limit == 0)
        return ret;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return PORCH_ERR_IO;
    if (!(s = calloc(1, sizeof *s)))
        return PORCH_ERR_NOMEM;
    memcpy(s->dir, dir, strlen(dir) + 1);
    s->limit = limit;
    s->log = log;
    s->log_ctx = log_ctx;
    pthread_mutex_init(&s->mu, NULL);
    if ((ret = porch__spool_recover(s)) == PORCH_OK)
        ret = porch_spool_enforce(s);
    if (ret != PORCH_OK) {
        porch_spool_close(s);
        return ret;
    }
    *out = s;
    return PORCH_OK;
}

void porch_spool_close(porch_spool *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void porch_spool_get_stats(porch_spool *s, porch_spool_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    porch__spool_scan(s, NULL);
    *out = s->stats;
    pthread_mutex_unlock(&s->mu);
}

static void make_name(char name[PORCH_SPOOL_NAME_BYTES], const porch_clip_info *info)
{
    char hex[2 * PORCH_CLIP_ID_BYTES + 1];

    sodium_bin2hex(hex, sizeof hex, info->clip_id, PORCH_CLIP_ID_BYTES);
    snprintf(name, PORCH_SPOOL_NAME_BYTES, "%016" PRIx64 "-%s", info->start_us, hex);
}

/*
 * Replaces NAME.tail: NAME.tail.tmp.w, fdatasync, rename. The directory is
 * not fsynced here (once per GOP would cost more than the sealing): after a
 * power loss the rename may be undone, leaving the previous tail, which is
 * still valid because every record it covers was durable before it was
 * written. Recovery removes a leftover NAME.tail.tmp.w.
 */
static int write_tail(porch_spool_clip *c, const uint8_t *tail, size_t len)
{
    char path[PORCH_SPOOL_PATH_MAX], tmp[PORCH_SPOOL_PATH_MAX];
    int fd, ret = porch__spool_path(c->s, c->name, ".tail", path, sizeof path);

    if (ret == PORCH_OK)
        ret = porch__spool_path(c->s, c->name, ".tail.tmp.w", tmp, sizeof tmp);
    if (ret != PORCH_OK)
        return ret;
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        return PORCH_ERR_IO;
    if (porch_write_all(fd, tail, len) != PORCH_OK || fdatasync(fd) != 0)
        ret = PORCH_ERR_IO;
    if (close(fd) != 0 && ret == PORCH_OK)
        ret = PORCH_ERR_IO;
    if (ret == PORCH_OK && rename(tmp, path) != 0)
        ret = PORCH_ERR_IO;
    if (ret != PORCH_OK)
        unlink(tmp);
    return ret;
}

static int append_sync(porch_spool_clip *c, const uint8_t *data, size_t len)
{
    if (porch_write_all(c->fd, data, len) != PORCH_OK || fdatasync(c->fd) != 0)
        return PORCH_ERR_IO;
    c->bytes += len;
    return PORCH_OK;
}

int porch_spool_clip_begin(porch_spool *s, porch_spool_clip **out, const porch_clip_info *info,
                           const uint8_t *header, size_t header_len,
                           const uint8_t *tail, size_t tail_len)
{
    char path[PORCH_SPOOL_PATH_MAX];
    porch_spool_clip *c;
    int ret;

    if (out)
        *out = NULL;
    if (!s || !out || !info || !header || !tail)
        return PORCH_ERR_INVALID_ARG;
    if (!(c = calloc(1, sizeof *c)))
        return PORCH_ERR_NOMEM;
    c->s = s;
    c->fd = -1;
    make_name(c->name, info);
    if ((ret = porch__spool_path(s, c->name, ".partial", path, sizeof path)) != PORCH_OK)
        goto fail;
    /* The tail first: a partial never exists without a tail that closes it. */
    if ((ret = write_tail(c, tail, tail_len)) != PORCH_OK)
        goto fail;
    ret = PORCH_ERR_IO;
    if ((c->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        goto fail;
    if ((ret = append_sync(c, header, header_len)) != PORCH_OK)
        goto fail;
    *out = c;
    return PORCH_OK;
fail:
    porch_spool_clip_abort(c);
    return ret;
}

int porch_spool_clip_append(porch_spool_clip *c, const uint8_t *rec, size_t rec_len)
{
    if (!c || !rec)
        return PORCH_ERR_INVALID_ARG;
    if (c->bytes + rec_len > PORCH_SPOOL_MAX_CLIP)
        return PORCH_ERR_TOO_LARGE;
    return append_sync(c, rec, rec_len);
}

int porch_spool_clip_tail(porch_spool_clip *c, const uint8_t *tail, size_t tail_len)
{
    if (!c || !tail)
        return PORCH_ERR_INVALID_ARG;
    return write_tail(c, tail, tail_len);
}

static int seal_rename(porch_spool_clip *c)
{
    char from[PORCH_SPOOL_PATH_MAX], to[PORCH_SPOOL_PATH_MAX], tail[PORCH_SPOOL_PATH_MAX];
    int ret;

    if ((ret = porch__spool_path(c->s, c->name, ".partial", from, sizeof from)) != PORCH_OK ||
        (ret = porch__spool_path(c->s, c->name, ".clip", to, sizeof to)) != PORCH_OK ||
        (ret = porch__spool_path(c->s, c->name, ".tail", tail, sizeof tail)) != PORCH_OK)
        return ret;
    if (rename(from, to) != 0)
        return PORCH_ERR_IO;
    if ((ret = porch_dir_sync(c->s->dir)) != PORCH_OK)
        return ret;
    /* The tail is useless once the .clip exists; a crash here leaves a
     * stray tail that recovery removes. */
    unlink(tail);
    return PORCH_OK;
}

int porch_spool_clip_finish(porch_spool_clip *c, const uint8_t *rec, size_t rec_len,
                            char name[PORCH_SPOOL_NAME_BYTES])
{
    int ret;

    if (name)
        name[0] = '\0';
    if (!c || !rec)
        return PORCH_ERR_INVALID_ARG;
    ret = append_sync(c, rec, rec_len);
    if (ret == PORCH_OK && fsync(c->fd) != 0)
        ret = PORCH_ERR_IO;
    if (close(c->fd) != 0 && ret == PORCH_OK)
        ret = PORCH_ERR_IO;
    c->fd = -1;
    if (ret == PORCH_OK)
        ret = seal_rename(c);
    if (ret == PORCH_OK && name)
        memcpy(name, c->name, PORCH_SPOOL_NAME_BYTES);
    free(c);
    return ret;
}

void porch_spool_clip_abort(porch_spool_clip *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

int porch_spool_clip_path(porch_spool *s, const char *name, char *path, size_t cap)
{
    if (!s || !name || !path)
        return PORCH_ERR_INVALID_ARG;
    return porch__spool_path(s, name, ".clip", path, cap);
}

int porch_spool_mark_uploaded(porch_spool *s, const char *name)
{
    char path[PORCH_SPOOL_PATH_MAX];
    int ret;

    if (!s || !name || !porch__spool_name_valid(name))
        return PORCH_ERR_INVALID_ARG;
    if ((ret = porch__spool_path(s, name, ".up", path, sizeof path)) != PORCH_OK ||
        (ret = porch_file_write_atomic(path, (const uint8_t *)"uploaded\n", 9, 0600)) != PORCH_OK)
        return ret;
    return porch_spool_enforce(s);
}

int porch_spool_next_pending(porch_spool *s, const char *after,
                             char name[PORCH_SPOOL_NAME_BYTES])
{
    struct porch__spool_list l;
    int found = 0, ret;

    if (name)
        name[0] = '\0';
    if (!s || !name)
        return PORCH_ERR_INVALID_ARG;
    pthread_mutex_lock(&s->mu);
    ret = porch__spool_scan(s, &l);
    for (size_t i = 0; ret == PORCH_OK && i < l.n && !found; i++) {
        if (l.e[i].uploaded || (after && strcmp(l.e[i].name, after) <= 0))
            continue;
        memcpy(name, l.e[i].name, PORCH_SPOOL_NAME_BYTES);
        found = 1;
    }
    pthread_mutex_unlock(&s->mu);
    if (ret == PORCH_OK)
        free(l.e);
    return ret != PORCH_OK ? ret : found;
}
