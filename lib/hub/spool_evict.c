/*
 * spool_evict.c: what the spool holds, and the size limit.
 *
 * Order of sacrifice: uploaded clips, oldest first; only when none is left
 * and the spool is still over its limit, un-uploaded clips, oldest first,
 * each one reported at ERROR level and counted (never silent). Clips being
 * written (.partial) are never evicted; their bytes count, as do queued
 * notices', which are never evicted (small, and the alert outlives a clip).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "hub/hub_internal.h"

int porch__spool_name_valid(const char *name)
{
    static const char hex[] = "0123456789abcdef";

    if (strlen(name) != PORCH_SPOOL_NAME_BYTES - 1 || name[16] != '-')
        return 0;
    for (size_t i = 0; i < PORCH_SPOOL_NAME_BYTES - 1; i++)
        if (i != 16 && !memchr(hex, name[i], 16))
            return 0;
    return 1;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct porch__spool_entry *)a)->name,
                  ((const struct porch__spool_entry *)b)->name);
}

static int file_size(const porch_spool *s, const char *name, const char *ext, uint64_t *out)
{
    char path[PORCH_SPOOL_PATH_MAX];
    struct stat st;

    *out = 0;
    if (porch__spool_path(s, name, ext, path, sizeof path) != PORCH_OK || stat(path, &st) != 0)
        return 0;
    *out = (uint64_t)st.st_size;
    return 1;
}

/* Splits "NAME.ext" when NAME is a spool name; returns the extension. */
static const char *split(const char *fname, char name[PORCH_SPOOL_NAME_BYTES])
{
    const char *dot = strchr(fname, '.');

    if (!dot || (size_t)(dot - fname) != PORCH_SPOOL_NAME_BYTES - 1)
        return NULL;
    memcpy(name, fname, PORCH_SPOOL_NAME_BYTES - 1);
    name[PORCH_SPOOL_NAME_BYTES - 1] = '\0';
    return porch__spool_name_valid(name) ? dot : NULL;
}

static int add_entry(struct porch__spool_list *l, size_t *cap, const porch_spool *s,
                     const char *name)
{
    uint64_t up = 0;

    if (l->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 64;
        struct porch__spool_entry *e;
        if (ncap > PORCH_SPOOL_MAX_ENTRIES || !(e = realloc(l->e, ncap * sizeof *e)))
            return PORCH_ERR_NOMEM;
        l->e = e;
        *cap = ncap;
    }
    memcpy(l->e[l->n].name, name, PORCH_SPOOL_NAME_BYTES);
    file_size(s, name, ".clip", &l->e[l->n].bytes);
    l->e[l->n].uploaded = file_size(s, name, ".up", &up);
    l->n++;
    return PORCH_OK;
}

int porch__spool_scan(porch_spool *s, struct porch__spool_list *out)
{
    struct porch__spool_list l = { NULL, 0 };
    char name[PORCH_SPOOL_NAME_BYTES];
    struct dirent *de;
    size_t cap = 0;
    uint64_t bytes = 0, sz, notices = 0;
    int ret = PORCH_OK;
    DIR *d = opendir(s->dir);

    if (out)
        memset(out, 0, sizeof *out);
    if (!d)
        return PORCH_ERR_IO;
    while (ret == PORCH_OK && (de = readdir(d)) != NULL) {
        const char *ext = split(de->d_name, name);
        if (!ext)
            continue;
        if (!strcmp(ext, ".partial") || !strcmp(ext, ".tail"))
            bytes += file_size(s, name, ext, &sz) ? sz : 0;
        else if (!strcmp(ext, ".notice") && file_size(s, name, ext, &sz) && ++notices)
            bytes += sz;
        else if (!strcmp(ext, ".clip") && (ret = add_entry(&l, &cap, s, name)) == PORCH_OK)
            bytes += l.e[l.n - 1].bytes;
    }
    closedir(d);
    if (ret != PORCH_OK) {
        free(l.e);
        return ret;
    }
    if (l.n)
        qsort(l.e, l.n, sizeof *l.e, entry_cmp);
    s->stats.bytes = bytes;
    s->stats.notices = notices;
    s->stats.clips = l.n;
    s->stats.pending = 0;
    for (size_t i = 0; i < l.n; i++)
        s->stats.pending += !l.e[i].uploaded;
    if (out)
        *out = l;
    else
        free(l.e);
    return PORCH_OK;
}

void porch__spool_remove_clip(porch_spool *s, const char *name)
{
    char path[PORCH_SPOOL_PATH_MAX];

    /* .clip first: a crash between the two leaves a stray .up, which the
     * next scan ignores (no .clip) and recovery removes. */
    if (porch__spool_path(s, name, ".clip", path, sizeof path) == PORCH_OK)
        unlink(path);
    if (porch__spool_path(s, name, ".up", path, sizeof path) == PORCH_OK)
        unlink(path);
}

static uint64_t evict_pass(porch_spool *s, struct porch__spool_list *l, int uploaded,
                           uint64_t bytes)
{
    for (size_t i = 0; i < l->n && bytes > s->limit; i++) {
        struct porch__spool_entry *e = &l->e[i];
        if (e->uploaded != uploaded || e->name[0] == '\0')
            continue;
        porch__spool_remove_clip(s, e->name);
        bytes = bytes > e->bytes ? bytes - e->bytes : 0;
        if (uploaded) {
            s->stats.evicted_uploaded++;
        } else {
            s->stats.dropped_pending++;
            porch__spool_logf(s, PORCH_HUB_ERROR,
                              "spool full (limit %llu bytes): dropped clip %s (%llu bytes) "
                              "that was NOT uploaded",
                              (unsigned long long)s->limit, e->name,
                              (unsigned long long)e->bytes);
        }
        e->name[0] = '\0';
    }
    return bytes;
}

int porch_spool_enforce(porch_spool *s)
{
    struct porch__spool_list l;
    uint64_t bytes = 0;
    int ret;

    if (!s)
        return PORCH_ERR_INVALID_ARG;
    pthread_mutex_lock(&s->mu);
    if ((ret = porch__spool_scan(s, &l)) == PORCH_OK) {
        bytes = evict_pass(s, &l, 1, s->stats.bytes);
        bytes = evict_pass(s, &l, 0, bytes);
        free(l.e);
        ret = porch__spool_scan(s, NULL);
        if (ret == PORCH_OK && bytes > s->limit)
            ret = PORCH_ERR_HUB_SPOOL_FULL;
    }
    pthread_mutex_unlock(&s->mu);
    if (ret == PORCH_ERR_HUB_SPOOL_FULL)
        porch__spool_logf(s, PORCH_HUB_WARN,
                          "spool over its limit with only clips being written (%llu bytes)",
                          (unsigned long long)bytes);
    return ret == PORCH_ERR_HUB_SPOOL_FULL ? PORCH_OK : ret;
}
