/*
 * spool_recover.c: start-up recovery of clips interrupted by a crash.
 *
 * A .partial holds the header and whole-or-torn records; its .tail is a
 * sealed final META record for index k, and records 0..k-1 were durable
 * before that tail was written. So "first k records + tail" is a valid
 * clip (porch_clip_check_framing passes), made WITHOUT the content key,
 * which died with the crashed process. Anything else (no tail, a header or
 * a record that does not parse, fewer than k whole records) is removed and
 * reported: nothing in the spool is ever left corrupt, nothing goes silently.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "porchlight/error.h"
#include "porchlight/file.h"
#include "hub/hub_internal.h"

/* Byte offset after the first k records of a partial (header_len first). */
static int records_end(const uint8_t *buf, size_t len, size_t header_len, uint32_t k,
                       size_t *end)
{
    size_t off = header_len;

    for (uint32_t i = 0; i < k; i++) {
        porch_record_info ri;
        int ret = porch_clip_record_peek(buf + off, len - off, &ri);
        if (ret != PORCH_OK)
            return ret;
        if (ri.index != i || ri.final)
            return PORCH_ERR_MALFORMED;
        off += ri.record_len;
    }
    *end = off;
    return PORCH_OK;
}

/* Builds the closed clip in memory and checks its framing. Ownership:
 * *out malloc()ed for the caller. */
static int close_clip(const uint8_t *part, size_t part_len, const uint8_t *tail,
                      size_t tail_len, uint8_t **out, size_t *out_len, uint32_t *n_records)
{
    porch_clip_info info;
    porch_record_info ti;
    size_t end = 0;
    uint32_t bad = 0;
    int ret;

    *out = NULL;
    if ((ret = porch_clip_header_parse(&info, part, part_len)) != PORCH_OK ||
        (ret = porch_clip_record_peek(tail, tail_len, &ti)) != PORCH_OK)
        return ret;
    if (!ti.final || ti.record_len != tail_len)
        return PORCH_ERR_MALFORMED;
    if ((ret = records_end(part, part_len, info.header_len, ti.index, &end)) != PORCH_OK)
        return ret;
    if (!(*out = malloc(end + tail_len)))
        return PORCH_ERR_NOMEM;
    memcpy(*out, part, end);
    memcpy(*out + end, tail, tail_len);
    *out_len = end + tail_len;
    ret = porch_clip_check_framing(*out, *out_len, n_records, &bad);
    if (ret != PORCH_OK) {
        free(*out);
        *out = NULL;
    }
    return ret;
}

static void unlink_ext(porch_spool *s, const char *name, const char *ext)
{
    char path[PORCH_SPOOL_PATH_MAX];

    if (porch__spool_path(s, name, ext, path, sizeof path) == PORCH_OK)
        unlink(path);
}

static int recover_one(porch_spool *s, const char *name)
{
    char part_path[PORCH_SPOOL_PATH_MAX], tail_path[PORCH_SPOOL_PATH_MAX];
    char clip_path[PORCH_SPOOL_PATH_MAX];
    uint8_t *part = NULL, *tail = NULL, *clip = NULL;
    size_t part_len = 0, tail_len = 0, clip_len = 0;
    uint32_t n = 0;
    int ret;

    if ((ret = porch__spool_path(s, name, ".partial", part_path, sizeof part_path)) != PORCH_OK ||
        (ret = porch__spool_path(s, name, ".tail", tail_path, sizeof tail_path)) != PORCH_OK ||
        (ret = porch__spool_path(s, name, ".clip", clip_path, sizeof clip_path)) != PORCH_OK)
        return ret;
    ret = porch_file_read(part_path, PORCH_SPOOL_MAX_CLIP, &part, &part_len);
    if (ret == PORCH_OK)
        ret = porch_file_read(tail_path, PORCH_RECORD_MAX_PAYLOAD + 4096, &tail, &tail_len);
    if (ret == PORCH_OK)
        ret = close_clip(part, part_len, tail, tail_len, &clip, &clip_len, &n);
    if (ret == PORCH_OK)
        ret = porch_file_write_atomic(clip_path, clip, clip_len, 0600);
    if (ret == PORCH_OK) {
        s->stats.partial_closed++;
        porch__spool_logf(s, PORCH_HUB_WARN,
                          "interrupted clip %s closed as a shorter valid clip "
                          "(%u records, %zu of %zu bytes kept)",
                          name, n, clip_len, part_len + tail_len);
    } else {
        s->stats.partial_removed++;
        porch__spool_logf(s, PORCH_HUB_ERROR,
                          "interrupted clip %s could not be closed (%s: %s); removed",
                          name, porch_errname(ret), porch_strerror(ret));
    }
    unlink(part_path);
    unlink(tail_path);
    free(part);
    free(tail);
    free(clip);
    return PORCH_OK;
}

/* Collects the names with a given extension (cap PORCH_SPOOL_MAX_ENTRIES). */
static int names_with(porch_spool *s, const char *want, char (**out)[PORCH_SPOOL_NAME_BYTES],
                      size_t *n)
{
    char name[PORCH_SPOOL_NAME_BYTES];
    size_t cap = 0;
    struct dirent *de;
    DIR *d = opendir(s->dir);

    *out = NULL;
    *n = 0;
    if (!d)
        return PORCH_ERR_IO;
    while ((de = readdir(d)) != NULL) {
        const char *dot = strchr(de->d_name, '.');
        if (!dot || strcmp(dot, want) || (size_t)(dot - de->d_name) != sizeof name - 1)
            continue;
        memcpy(name, de->d_name, sizeof name - 1);
        name[sizeof name - 1] = '\0';
        if (!porch__spool_name_valid(name))
            continue;
        if (*n == cap) {
            void *p = cap < PORCH_SPOOL_MAX_ENTRIES ? realloc(*out, (cap + 64) * sizeof name)
                                                    : NULL;
            if (!p) {
                closedir(d);
                return PORCH_ERR_NOMEM;
            }
            *out = p;
            cap += 64;
        }
        memcpy((*out)[(*n)++], name, sizeof name);
    }
    closedir(d);
    return PORCH_OK;
}

static int exists(porch_spool *s, const char *name, const char *ext)
{
    char path[PORCH_SPOOL_PATH_MAX];

    return porch__spool_path(s, name, ext, path, sizeof path) == PORCH_OK &&
           access(path, F_OK) == 0;
}

/* Files whose owner is gone: a tail without its partial (crash after the
 * rename to .clip, or before the partial was created: the tail is written
 * first), a marker without its clip (crash inside an eviction). */
static int remove_strays(porch_spool *s, const char *ext, const char *owner)
{
    char (*names)[PORCH_SPOOL_NAME_BYTES] = NULL;
    size_t n = 0;
    int ret = names_with(s, ext, &names, &n);

    for (size_t i = 0; ret == PORCH_OK && i < n; i++) {
        if (exists(s, names[i], owner))
            continue;
        if (!strcmp(ext, ".tail") && !exists(s, names[i], ".clip"))
            porch__spool_logf(s, PORCH_HUB_WARN,
                              "event %s was interrupted before its clip had any byte on "
                              "disk; nothing to keep", names[i]);
        unlink_ext(s, names[i], ext);
    }
    free(names);
    return ret;
}

/* Temporaries of porch_file_write_atomic left by a crash (NAME.EXT.tmp.X). */
static int remove_temporaries(porch_spool *s)
{
    char path[PORCH_SPOOL_PATH_MAX], name[PORCH_SPOOL_NAME_BYTES];
    struct dirent *de;
    DIR *d = opendir(s->dir);

    if (!d)
        return PORCH_ERR_IO;
    while ((de = readdir(d)) != NULL) {
        if (strlen(de->d_name) < sizeof name || !strstr(de->d_name, ".tmp."))
            continue;
        memcpy(name, de->d_name, sizeof name - 1);
        name[sizeof name - 1] = '\0';
        if (porch__spool_name_valid(name) &&
            snprintf(path, sizeof path, "%s/%s", s->dir, de->d_name) < (int)sizeof path)
            unlink(path);
    }
    closedir(d);
    return PORCH_OK;
}

int porch__spool_recover(porch_spool *s)
{
    char (*names)[PORCH_SPOOL_NAME_BYTES] = NULL;
    size_t n = 0;
    int ret = remove_temporaries(s);

    if (ret == PORCH_OK)
        ret = names_with(s, ".partial", &names, &n);
    for (size_t i = 0; ret == PORCH_OK && i < n; i++) {
        if (exists(s, names[i], ".clip")) {
            /* Crash inside porch_file_write_atomic's rename window cannot
             * give both; a .clip next to a .partial means the rename in
             * finish happened and this .partial is a recovery leftover. */
            unlink_ext(s, names[i], ".partial");
            unlink_ext(s, names[i], ".tail");
            continue;
        }
        ret = recover_one(s, names[i]);
    }
    free(names);
    if (ret == PORCH_OK)
        ret = remove_strays(s, ".tail", ".partial");
    if (ret == PORCH_OK)
        ret = remove_strays(s, ".up", ".clip");
    if (ret == PORCH_OK)
        ret = porch_dir_sync(s->dir);
    return ret;
}
